"""Test helpers for lesson examples.

Lesson folders are named like `01-basics`, which is not an importable package name, so example tests
load the example beside them by file path:

    def test_root_says_hello(example):
        client = TestClient(example("first_app").app)
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest


def _load(path: Path) -> ModuleType:
    lesson = path.parents[1].name.replace("-", "_")
    name = f"lesson_{lesson}.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def example(request: pytest.FixtureRequest) -> Callable[[str], ModuleType]:
    """Import `examples/<name>.py` of the lesson that the requesting test belongs to."""
    lesson_dir = Path(request.path).resolve().parents[1]

    def load(name: str) -> ModuleType:
        path = lesson_dir / "examples" / f"{name}.py"
        if not path.is_file():
            raise FileNotFoundError(f"no example {name!r}: {path} does not exist")
        return _load(path)

    return load


@pytest.fixture
def run_pytest(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., str]:
    """Run pytest in a fresh folder holding files of the lesson, as a learner would in theirs:
    `run_pytest({"app.py": "examples/app.py", "test_app.py": "examples/tests.py"})` returns
    pytest's summary line ("7 passed in 0.31s")."""
    lesson_dir = Path(request.path).resolve().parents[1]

    def run(files: dict[str, str]) -> str:
        for name, relative in files.items():
            shutil.copy(lesson_dir / relative, tmp_path / name)
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr

    return run
