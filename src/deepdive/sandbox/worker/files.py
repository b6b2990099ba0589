"""The learner's files inside the sandbox's work directory, and how their paths are shown."""

from __future__ import annotations

import base64
import os
import sys

from deepdive.sandbox.run_request import RunRequest


class LearnerFiles:
    """Maps the absolute paths of the learner's files to the names the learner knows."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._names: dict[str, str] = {}

    def write(self, name: str, source: str | bytes) -> str:
        """Save `source` (text, or bytes) as `name`, a relative path (`app/routers/books.py`)."""
        path = os.path.normpath(os.path.join(self.directory, name))
        if not path.startswith(self.directory + os.sep):
            raise ValueError(f"{name!r} lies outside the learner's folder")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = source if isinstance(source, bytes) else source.encode()
        with open(path, "wb") as handle:
            handle.write(data)
        self._names[path] = name
        return path

    def write_request(self, request: RunRequest) -> None:
        """Save every file of `request` and make the directory importable."""
        for name, source in request.all_files().items():
            self.write(name, source)
        for name, content in request.binary_files.items():
            self.write(name, base64.b64decode(content))
        if self.directory not in sys.path:
            sys.path.insert(0, self.directory)
        # The import system caches directory listings: forget any it holds for these folders
        # (all of them, not only these, would make every later import list its folder again).
        for path in list(sys.path_importer_cache):
            if path == self.directory or path.startswith(self.directory + os.sep):
                del sys.path_importer_cache[path]

    def path_of(self, name: str) -> str:
        return os.path.join(self.directory, name)

    def display_name(self, path: str | None) -> str | None:
        """The learner's name for `path`, or None when it is not one of their files."""
        if path is None:
            return None
        return self._names.get(path) or self._names.get(os.path.abspath(path))

    def owns(self, path: str | None) -> bool:
        return self.display_name(path) is not None
