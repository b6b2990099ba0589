"""YAML that remembers where each value was written, so errors can name the line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class YamlDocument:
    data: Any
    _lines: dict[tuple[str | int, ...], int]
    first_line: int

    def line_of(self, location: Sequence[str | int]) -> int:
        """The line of the deepest node that `location` (a Pydantic error `loc`) reaches."""
        path = tuple(location)
        while path and path not in self._lines:
            path = path[:-1]
        return self._lines.get(path, self.first_line)


class YamlSyntaxError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def parse_yaml(text: str, first_line: int = 1) -> YamlDocument:
    """Parse `text`; line numbers are reported as if the text started at `first_line`."""
    offset = first_line - 1
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 + offset if mark else first_line
        raise YamlSyntaxError(f"invalid YAML: {error.problem or error}", line) from error
    lines: dict[tuple[str | int, ...], int] = {}
    if node is not None:
        _index(node, (), lines, offset)
    return YamlDocument(data=data, _lines=lines, first_line=first_line)


def _index(
    node: yaml.Node,
    path: tuple[str | int, ...],
    lines: dict[tuple[str | int, ...], int],
    offset: int,
) -> None:
    lines[path] = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            _index(value, child, lines, offset)
            # A missing or wrong key is best reported on the key's own line.
            lines[child] = key.start_mark.line + 1 + offset
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index(item, (*path, index), lines, offset)
