"""Compare the sandbox's test runs with plain pytest: FastAPI's tutorial tests and the course's.

FastAPI's repository keeps every example of its documentation in `docs_src/` and a test for it
in `tests/test_tutorial/`. For each test file this script builds the folder a learner would
have (the test file, the files beside it, the packages' `__init__.py` files up to `tests/`,
`tests/utils.py`, and every `docs_src/<example>/` folder the test names); for the course, each
lesson's `examples/`, `tasks/` and `tests/` with `content/conftest.py`. It runs each folder twice:

* plain pytest: `python -m pytest` in a copy of the folder, in this environment, with the
  plugins it loads by itself;
* the sandbox: `deepdive sandbox test FOLDER --runner URL`, the command line a course author
  uses, against one runner with the default limits a learner gets.

It compares the outcome of every test (passed, failed, error, skipped, xfailed, xpassed) and
of every collection, prints the differences, the tests that pass under neither, a summary per
suite, then one JSON object with the counts on the last line.

    python bench/fidelity.py PATH/TO/FASTAPI-CHECKOUT [--limit N] [--match TEXT] [--no-course]

The checkout needs `docs_src/` and `tests/`; use the commit closest to the pinned FastAPI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from deepdive.sandbox.local import start_local_runner
from deepdive.settings import Settings

# Records each test's outcome by the rules the sandbox's Recorder follows, and collection
# errors. Written out rather than imported from the course's code: importing that into the
# plain run would change what is measured (FastAPI and Pydantic imported before the tests).
_PLUGIN = """
import json
import os

import pytest

_cases = {}
_collection_errors = []


def _outcome(report):
    wasxfail = hasattr(report, "wasxfail")
    if report.when == "call":
        if wasxfail:
            return "xfailed" if report.skipped else "xpassed"
        return report.outcome
    if report.failed:
        return "error"
    if report.skipped and report.when == "setup":
        return "skipped"
    return None


def pytest_runtest_logreport(report):
    outcome = _outcome(report)
    current = _cases.setdefault(report.nodeid, "passed")
    if outcome is not None and (current == "passed" or outcome == "error"):
        _cases[report.nodeid] = outcome


def pytest_collectreport(report):
    if report.failed:
        _collection_errors.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    with open(os.environ["FIDELITY_REPORT"], "w") as handle:
        json.dump({"cases": _cases, "collection_errors": _collection_errors}, handle)
"""
CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"
_DOCS_REFERENCE = re.compile(r"docs_src[./]([A-Za-z0-9_]+)")
_SKIPPED_PARTS = {"__pycache__"}


@dataclass
class Unit:
    """One folder to test: a test file of FastAPI's and what it needs, or a lesson."""

    suite: str  # "fastapi" or "course"
    root: Path
    label: str
    files: list[str]  # relative to `root`


@dataclass
class Outcomes:
    cases: dict[str, str] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    collection_error: str | None = None  # the error, when the tests could not be collected
    seconds: float = 0.0


def _files_below(root: Path, folder: Path) -> list[str]:
    return [
        path.relative_to(root).as_posix()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not _SKIPPED_PARTS.intersection(path.parts)
    ]


def fastapi_units(checkout: Path) -> list[Unit]:
    found = []
    tutorial = checkout / "tests" / "test_tutorial"
    for test in sorted(tutorial.rglob("test_*.py")):
        if _SKIPPED_PARTS.intersection(test.parts):
            continue
        files = {test.relative_to(checkout).as_posix()}
        folder = test.parent
        files.update(
            p.relative_to(checkout).as_posix()
            for p in folder.iterdir()
            if p.is_file() and p.suffix == ".py" and not p.name.startswith("test_")
        )
        for parent in [folder, *folder.parents]:
            if parent == checkout:
                break
            for name in ("__init__.py", "conftest.py"):
                if (parent / name).is_file():
                    files.add((parent / name).relative_to(checkout).as_posix())
        if (checkout / "tests" / "utils.py").is_file():
            files.add("tests/utils.py")
        source = test.read_text(encoding="utf-8")
        for example in sorted(set(_DOCS_REFERENCE.findall(source))):
            if (checkout / "docs_src" / example).is_dir():
                files.update(_files_below(checkout, checkout / "docs_src" / example))
            elif (checkout / "docs_src" / f"{example}.py").is_file():
                files.add(f"docs_src/{example}.py")
        if any(name.startswith("docs_src/") for name in files):
            files.add("docs_src/__init__.py")
        label = test.relative_to(checkout).as_posix()
        found.append(Unit("fastapi", checkout, label, sorted(files)))
    return found


def course_units(content: Path) -> list[Unit]:
    found = []
    for lesson in sorted((content / "lessons").iterdir()):
        if not (lesson / "tests").is_dir():
            continue
        files = ["conftest.py"] if (content / "conftest.py").is_file() else []
        for part in ("examples", "tasks", "tests"):  # a lesson's tests may read its tasks
            if (lesson / part).is_dir():
                files += _files_below(content, lesson / part)
        found.append(Unit("course", content, f"content/lessons/{lesson.name}", files))
    return found


def lay_out(unit: Unit, target: Path) -> None:
    for name in unit.files:
        source = unit.root / name
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_file():
            shutil.copyfile(source, destination)
        else:
            destination.write_text("")  # a docs_src/__init__.py the checkout does without


def plain_pytest(folder: Path, plugin_dir: Path, timeout: float) -> Outcomes:
    report = folder.parent / "plain-report.json"
    environment = {
        **os.environ,
        "PYTHONPATH": str(plugin_dir),
        "PYTHONDONTWRITEBYTECODE": "1",
        "FIDELITY_REPORT": str(report),
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += ["-p", "fidelity_outcomes", "."]
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=folder, env=environment, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return Outcomes(collection_error="plain pytest timed out", seconds=timeout)
    seconds = time.perf_counter() - started
    if not report.is_file():
        return Outcomes(collection_error=f"pytest exited {done.returncode}", seconds=seconds)
    data = json.loads(report.read_text())
    report.unlink()
    error = ", ".join(data["collection_errors"]) or None
    return Outcomes(data["cases"], {}, f"cannot collect {error}" if error else None, seconds)


def sandboxed(folder: Path, runner_url: str, timeout: float) -> Outcomes:
    command = [sys.executable, "-m", "deepdive", "sandbox", "test", str(folder)]
    command += ["--runner", runner_url]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Outcomes(collection_error="the command timed out", seconds=timeout)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        return Outcomes(collection_error=done.stderr.strip()[-300:], seconds=seconds)
    result = json.loads(done.stdout)
    cases = {test["nodeid"]: test["outcome"] for test in result["tests"]}
    messages = {test["nodeid"]: test["message"] for test in result["tests"]}
    error = None if result["outcome"] == "ok" else f"{result['outcome']}: {result['message']}"
    return Outcomes(cases, messages, error, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="a FastAPI checkout (docs_src/ and tests/)")
    parser.add_argument("--course", type=Path, default=CONTENT_DIR, help="the course's content")
    parser.add_argument("--no-course", action="store_true", help="FastAPI's tests only")
    parser.add_argument("--limit", type=int, default=0, help="a random sample of N test files")
    parser.add_argument("--match", default="", help="only test files whose path contains this")
    parser.add_argument("--seed", type=int, default=11, help="seed of the random sample")
    args = parser.parse_args()
    console = Console(width=160)
    checkout: Path = args.checkout.resolve()
    if not (checkout / "tests" / "test_tutorial").is_dir() or not (checkout / "docs_src").is_dir():
        sys.exit(f"{checkout} has no tests/test_tutorial/ and docs_src/: is it FastAPI's?")
    chosen = [u for u in fastapi_units(checkout) if args.match in u.label]
    if args.limit and args.limit < len(chosen):
        chosen = sorted(random.Random(args.seed).sample(chosen, args.limit), key=lambda u: u.label)
    if not args.no_course:
        chosen += [u for u in course_units(args.course.resolve()) if args.match in u.label]
    init = checkout / "fastapi" / "__init__.py"
    found = re.search(r'__version__ = "([^"]+)"', init.read_text() if init.is_file() else "")
    checkout_version = found.group(1) if found else None
    console.print(
        f"FastAPI checkout: {checkout} ({checkout_version or 'version unknown'}); installed "
        f"fastapi {version('fastapi')}; {len(chosen)} folders to test"
    )
    rows: list[tuple[str, str, str, str]] = []
    unpassed: list[tuple[str, str, str]] = []
    counts: dict[str, Counter[str]] = {"fastapi": Counter(), "course": Counter()}
    seconds = Counter[str]()
    with tempfile.TemporaryDirectory(prefix="deepdive-fidelity-") as scratch:
        plugin_dir = Path(scratch) / "plugin"
        plugin_dir.mkdir()
        (plugin_dir / "fidelity_outcomes.py").write_text(_PLUGIN)
        settings = Settings(data_dir=Path(scratch) / "data", sandbox_workers=1)
        console.print("Starting a runner…")
        runner = start_local_runner(settings)
        try:
            for index, unit in enumerate(chosen, 1):
                work = Path(scratch) / f"unit-{index}"
                folder = work / "project"
                lay_out(unit, folder)
                plain = plain_pytest(folder, plugin_dir, timeout=300)
                # A fresh copy: plain pytest may have left files behind (databases, logs).
                shutil.rmtree(folder)
                lay_out(unit, folder)
                boxed = sandboxed(folder, runner.url, timeout=300)
                shutil.rmtree(work)
                seconds["plain"] += plain.seconds
                seconds["sandbox"] += boxed.seconds
                counts[unit.suite]["folders"] += 1
                _compare(unit, plain, boxed, counts[unit.suite], rows, unpassed)
                console.print(
                    Text(f"[{index}/{len(chosen)}] {unit.label}: {len(plain.cases)} tests")
                )
        finally:
            runner.stop()
    _print_tables(console, rows, unpassed, counts)
    always = ("folders", "tests", "same_outcome", "different_outcome", "passed_plain_not_sandbox")
    figures: dict[str, object] = {
        suite: {key: tally[key] for key in sorted({*tally, *always})}
        for suite, tally in counts.items()
    }
    total = counts["fastapi"] + counts["course"]
    figures["total"] = {key: total[key] for key in always}
    figures.update(
        plain_seconds=round(seconds["plain"], 1),
        sandbox_seconds=round(seconds["sandbox"], 1),
        fastapi_installed=version("fastapi"),
        fastapi_checkout=checkout_version,
    )
    print(json.dumps(figures))


def _print_tables(
    console: Console,
    rows: list[tuple[str, str, str, str]],
    unpassed: list[tuple[str, str, str]],
    counts: dict[str, Counter[str]],
) -> None:
    table = Table(title="Where the sandbox and plain pytest differ")
    for column in ("test", "plain pytest", "sandbox", "what the sandbox said"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*map(Text, row))  # node ids hold [brackets] that are not markup
    console.print(table if rows else "No test has a different outcome in the sandbox.")
    same = Table(title="Tests that pass under neither (the same outcome in both)")
    for column in ("test", "outcome", "what the sandbox said"):
        same.add_column(column, overflow="fold")
    for item in unpassed:
        same.add_row(*map(Text, item))
    if unpassed:
        console.print(same)
    summary = Table(title="Sandbox against plain pytest")
    summary.add_column("measure")
    for suite in counts:
        summary.add_column(f"{suite} tests", justify="right")
    for key in sorted({key for tally in counts.values() for key in tally}):
        summary.add_row(key.replace("_", " "), *(str(tally[key]) for tally in counts.values()))
    console.print(summary)


def _compare(
    unit: Unit,
    plain: Outcomes,
    boxed: Outcomes,
    counts: Counter[str],
    rows: list[tuple[str, str, str, str]],
    unpassed: list[tuple[str, str, str]],
) -> None:
    if plain.collection_error:
        counts["collection_errors_plain"] += 1
    if plain.collection_error and boxed.collection_error:
        unpassed.append((unit.label, "cannot collect", boxed.collection_error))
    if boxed.collection_error:
        counts["collection_errors_sandbox"] += 1
    if bool(plain.collection_error) != bool(boxed.collection_error):
        counts["collection_differs"] += 1
        rows.append(
            (
                unit.label,
                plain.collection_error or "collected",
                "cannot collect" if boxed.collection_error else "collected",
                boxed.collection_error or "",
            )
        )
    for nodeid in sorted(set(plain.cases) | set(boxed.cases)):
        mine, theirs = boxed.cases.get(nodeid), plain.cases.get(nodeid)
        counts["tests"] += 1
        if theirs is not None:
            counts[f"plain_{theirs}"] += 1
        if mine is not None:
            counts[f"sandbox_{mine}"] += 1
        if mine == theirs:
            counts["same_outcome"] += 1
            if mine != "passed":
                unpassed.append((nodeid, mine or "", boxed.messages.get(nodeid, "")))
            continue
        counts["different_outcome"] += 1
        if theirs == "passed":
            counts["passed_plain_not_sandbox"] += 1
        said = boxed.messages.get(nodeid) or boxed.collection_error or ""
        rows.append((nodeid, theirs or "not run", mine or "not run", said))


if __name__ == "__main__":
    main()
