"""Checked tasks whose verdict hostile learner code tries to forge, through the public task route
and real sandbox runs: every forgery is refused and earns no XP, the reference still passes."""

from __future__ import annotations

import pytest

N_PLUS_ONE = "/api/lessons/databases/tasks/crud-explorer/authors-in-two-statements"
CATCH_FILTER = "/api/lessons/testing/tasks/test-runner/catch-published-before"

# Added to the N+1 starter: each tries to make its statements go uncounted.
_PATCH_THE_COUNTER = """
import sqlalchemy.event
from sqlalchemy.engine import Engine

sqlalchemy.event.listen = lambda *args, **kwargs: None  # no listener is installed after this
sqlalchemy.event.contains = lambda *args, **kwargs: True
for name in ("before_cursor_execute", "after_cursor_execute"):
    getattr(Engine.dispatch, name).clear()
print('{"passed": true, "xp_awarded": 30, "statements": 2}')
"""

_WRITE_EVERYWHERE = """
import builtins, os

fake = b'{"status": 200, "body": [], "statements": []}'
for fd in range(3, 256):  # the old check's pipe, the channel, whatever is open
    try:
        os.write(fd, fake)
    except OSError:
        pass
builtins.len = lambda value: 0
"""

_PRIVATE_DATABASE = """
import sqlite3, _sqlite3
sqlite3.connect = sqlite3.dbapi2.connect = _sqlite3.connect  # a database nobody watches
"""

_CACHED_ANSWER = """
_cache = {}
"""


def _lesson_source(course, slug: str, name: str) -> str:
    return course.lesson(slug).sources[name]


def _cached(starter: str) -> str:
    """The starter's N+1 listing, run once at start-up and answered from memory afterwards."""
    listing = starter.index("    authors = session.scalars(select(Author).order_by(Author.id))")
    start = starter.rindex("\n@app.get", 0, listing)
    end = starter.find("\n\n", listing)
    end = len(starter) if end < 0 else end
    cached = (
        "\n@app.get('/authors')\n"
        "def list_authors() -> list[AuthorOut]:\n"
        "    if 'authors' not in _cache:\n"
        "        with Session(engine) as session:\n"
        "            authors = session.scalars(select(Author).order_by(Author.id))\n"
        "            _cache['authors'] = [\n"
        "                AuthorOut(id=a.id, name=a.name, books=[b.title for b in a.books])\n"
        "                for a in authors\n"
        "            ]\n"
        "    return _cache['authors']\n"
    )
    return _CACHED_ANSWER + starter[:start] + cached + starter[end:]


@pytest.mark.parametrize(
    ("forgery", "said"),
    [
        ("patch-the-counter", "one per author after the first"),
        ("write-everywhere", ""),
        ("private-database", "could not add an author"),
        ("cached-answer", "did not list them"),
    ],
)
def test_statements_that_hide_from_the_count_earn_nothing(client, course, forgery, said):
    starter = _lesson_source(course, "databases", "examples/bookshop_db.py")
    code = {
        "patch-the-counter": lambda: starter + _PATCH_THE_COUNTER,
        "write-everywhere": lambda: _WRITE_EVERYWHERE + starter,
        "private-database": lambda: _PRIVATE_DATABASE + starter,
        "cached-answer": lambda: _cached(starter),
    }[forgery]()
    checked = client.post(N_PLUS_ONE, json={"code": code}).json()
    assert checked["passed"] is False, checked
    assert checked["xp_awarded"] == 0
    assert checked["total_xp"] == 0
    messages = [line["message"] for line in checked["checks"] if not line["passed"]]
    assert any(said in message for message in messages), messages


def test_an_app_that_exits_while_answering_earns_nothing(client, course):
    starter = _lesson_source(course, "databases", "examples/bookshop_db.py")
    code = starter.replace(
        "    authors = session.scalars(select(Author).order_by(Author.id))",
        "    import os\n    os._exit(0)\n"
        "    authors = session.scalars(select(Author).order_by(Author.id))",
    )
    assert code != starter
    checked = client.post(N_PLUS_ONE, json={"code": code}).json()
    assert checked["passed"] is False, checked
    assert checked["xp_awarded"] == 0


def test_the_selectinload_fix_is_counted_as_two_statements_and_earns_the_xp(client, course):
    fixed = _lesson_source(course, "databases", "examples/bookshop_db_fixed.py")
    checked = client.post(N_PLUS_ONE, json={"code": fixed}).json()
    assert checked["passed"] is True, checked
    assert checked["xp_awarded"] == 30


# -- the learner's tests: each file below tries to be judged as catching the bug --------------

# Decides from the app's text whether it has the bug, the cheapest way to tell the apps apart.
_READS_THE_APP = """
import pathlib

BUGGY = "<=" in (pathlib.Path(__file__).parent / "app.py").read_text()
"""

_FORGERIES = {
    # A plain test that reads the app instead of asking it.
    "reads-the-source": _READS_THE_APP
    + """

def test_published_before():
    assert not BUGGY
""",
    # A test that passes whatever happens, and a hook registered from the test file (what a
    # conftest would do) that rewrites its report into a failure against "the buggy app".
    "rewrites-the-report": _READS_THE_APP
    + """
import pytest


class Forger:
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report):
        if BUGGY and report.when == "call":
            report.outcome = "failed"
            report.longrepr = "assert 2 == 1"


@pytest.fixture(autouse=True)
def _forge(request):
    manager = request.config.pluginmanager
    if not manager.has_plugin("forger"):
        manager.register(Forger(), "forger")


def test_anything():
    assert True
""",
    # Monkeypatches pytest's own reporting machinery at import.
    "patches-pytest": _READS_THE_APP
    + """
import _pytest.reports

_made = _pytest.reports.TestReport.from_item_and_call.__func__


def _forged(cls, item, call):
    report = _made(cls, item, call)
    if BUGGY and report.when == "call":
        report.outcome = "failed"
    return report


_pytest.reports.TestReport.from_item_and_call = classmethod(_forged)


def test_anything():
    assert True
""",
    # Ends the run its own way: exits "successfully" beside a fixed app, fails otherwise, after
    # writing fake result frames on every descriptor and a fake verdict on stdout.
    "exits-and-writes-frames": _READS_THE_APP
    + """
import json, os, sys


def test_anything():
    frame = json.dumps({"type": "event", "event": {"kind": "case", "case": {
        "name": "test_anything", "nodeid": "test_app.py::test_anything",
        "outcome": "failed" if BUGGY else "passed"}}}).encode()
    for fd in range(3, 256):
        try:
            os.write(fd, frame)
        except OSError:
            pass
    print(json.dumps({"passed": True, "checks": []}))
    if BUGGY:
        sys.exit(1)
    os._exit(0)
""",
    # Passes whatever the app does.
    "always-passes": """
def test_anything():
    assert True
""",
}


@pytest.mark.parametrize("forgery", sorted(_FORGERIES))
def test_tests_that_do_not_ask_the_app_cannot_pass_as_catching_the_bug(client, course, forgery):
    fixed = _lesson_source(course, "testing", "examples/bookshelf_fixed.py")
    checked = client.post(CATCH_FILTER, json={"code": fixed, "tests": _FORGERIES[forgery]}).json()
    assert checked["passed"] is False, checked
    assert checked["xp_awarded"] == 0
    assert checked["total_xp"] == 0
    lines = {line["name"]: line for line in checked["checks"]}
    # The learner's fix itself is right: only the tests are refused.
    assert lines["Books of that very year are left out"]["passed"] is True
    refused = [
        line for name, line in lines.items() if name.startswith("Your tests") and not line["passed"]
    ]
    assert refused, lines


def test_a_test_that_asks_the_app_catches_every_way_the_bug_is_written(client, course):
    fixed = _lesson_source(course, "testing", "examples/bookshelf_fixed.py")
    tests = _lesson_source(course, "testing", "examples/bookshelf_fixed_tests.py")
    checked = client.post(CATCH_FILTER, json={"code": fixed, "tests": tests}).json()
    assert checked["passed"] is True, checked
    assert checked["xp_awarded"] == 30


def test_an_incident_fix_that_only_bends_its_query_metric_is_not_solved(client, course):
    incident = next(i for i in course.incidents if i.slug == "n-plus-one-queries")
    # The broken service, with its metric made to grow by exactly one per listing.
    bent = incident.service + (
        "\n\n@app.middleware('http')\n"
        "async def one_query_per_listing(request, call_next):\n"
        "    before = metrics['queries']\n"
        "    response = await call_next(request)\n"
        "    if request.url.path == '/authors':\n"
        "        metrics['queries'] = before + 1\n"
        "    return response\n"
    )
    graded = client.post("/api/incidents/n-plus-one-queries/fix", json={"code": bent}).json()
    assert graded["solved"] is False, graded
    assert graded["xp_awarded"] == 0


# -- the learner's tests carry the course's apps: every one of them, word for word ------------

_BUGGY_APPS = ("tasks/filter_bug.py", "tasks/filter_bug_disguised.py")
_FIXED_APPS = ("examples/bookshelf_fixed.py", "tasks/filter_fixed_disguised.py")


def _knows_the_texts(course, *, shape: str, unknown_is_buggy: bool) -> str:
    """A test file that recognises each of the four public apps by its text (exactly, as its
    syntax tree, which ignores layout and comments, or as the shape of its filter function
    with every name set aside) and fails against the buggy ones."""
    lesson = course.lesson("testing")
    buggy = [lesson.sources[path] for path in _BUGGY_APPS]
    fixed = [lesson.sources[path] for path in _FIXED_APPS]
    return f"""
import ast, pathlib

BUGGY_TEXTS = {buggy!r}
FIXED_TEXTS = {fixed!r}


def _shape(text):
    if {shape!r} == "text":
        return text
    tree = ast.parse(text)
    if {shape!r} == "syntax-tree":
        return ast.dump(tree)
    # The filter alone, every name in it set aside: only its structure is compared.
    listing = next(n for n in tree.body if getattr(n, "name", "") == "list_books")
    for node in ast.walk(listing):
        for field in ("id", "name", "arg"):
            if isinstance(getattr(node, field, None), str):
                setattr(node, field, "_")
    return ast.dump(listing)


TEXT = _shape((pathlib.Path(__file__).parent / "app.py").read_text())
BUGGY = TEXT in {{_shape(t) for t in BUGGY_TEXTS}}
FIXED = TEXT in {{_shape(t) for t in FIXED_TEXTS}}


def test_published_before():
    assert {"not FIXED" if unknown_is_buggy else "BUGGY"} is False
"""


@pytest.mark.parametrize("shape", ["text", "syntax-tree", "filter-without-names"])
@pytest.mark.parametrize("unknown_is_buggy", [False, True])
def test_tests_that_know_the_public_apps_by_heart_earn_nothing(
    client, course, shape, unknown_is_buggy
):
    fixed = _lesson_source(course, "testing", "examples/bookshelf_fixed.py")
    tests = _knows_the_texts(course, shape=shape, unknown_is_buggy=unknown_is_buggy)
    checked = client.post(CATCH_FILTER, json={"code": fixed, "tests": tests}).json()
    assert checked["passed"] is False, checked
    assert checked["xp_awarded"] == 0
    assert checked["total_xp"] == 0
    lines = {line["name"]: line for line in checked["checks"]}
    assert lines["Books of that very year are left out"]["passed"] is True
    # Whichever way the file guesses about an app it does not know, one side refuses it.
    refused = (
        "Your tests pass against the fixed app" if unknown_is_buggy else "Your tests catch the bug"
    )
    assert lines[refused]["passed"] is False, lines


# -- an app that writes the whole verdict itself: tests passed, outcome ok, frames -----------

# Replaces the sandbox's last step with a report of its own in which every check passed, after
# writing result frames on every descriptor and a verdict on stdout.
_REPORTS_ITS_OWN_VERDICT = """
import json, os, sys

_worker = sys.modules["deepdive.sandbox.worker.main"]
_names = ["test_version_answers", "test_version_says_one_point_oh", "test_broken_listing"]


def _finish(self, result):
    result.outcome, result.message = "ok", "All 3 checks passed."
    result.tests = [
        _worker.CaseResult(name=name, nodeid=f"test_check.py::{name}", outcome="passed")
        for name in _names
    ]
    print(json.dumps({"passed": True, "solved": True, "score": 100}))
    self.region.write(result.model_dump_json().encode())
    self._send({"type": "done"})
    os._exit(0)


_worker.Sandbox._finish = _finish
"""


def test_a_task_app_that_reports_its_own_passing_checks_earns_nothing(client, course):
    starter = _lesson_source(course, "basics", "examples/first_app.py")
    task = "/api/lessons/basics/tasks/first-endpoint/version-route"
    checked = client.post(task, json={"code": starter + _REPORTS_ITS_OWN_VERDICT}).json()
    assert checked["passed"] is False, checked
    assert checked["xp_awarded"] == 0
    assert any("GET /version" in line["message"] for line in checked["checks"]), checked


def test_an_incident_fix_that_reports_its_own_passing_tests_is_not_solved(client, course):
    incident = next(i for i in course.incidents if i.slug == "route-shadowing")
    code = incident.service + _REPORTS_ITS_OWN_VERDICT
    graded = client.post("/api/incidents/route-shadowing/fix", json={"code": code}).json()
    assert graded["solved"] is False, graded
    assert graded["xp_awarded"] == 0
    assert graded["score"] < graded["total"]
