"""Test runs: real pytest on the learner's tests, reported test by test."""

from __future__ import annotations

from deepdive.sandbox.run_request import LimitOverrides, RunRequest

APP = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health():
    return {"status": "ok"}
"""

TESTS = """
import pytest
from fastapi.testclient import TestClient

from app import app

client = TestClient(app)


def test_health_is_ok():
    assert client.get("/health").json() == {"status": "ok"}


def test_missing_route_is_404():
    print("checking /missing")
    assert client.get("/missing").status_code == 404


def test_wrong_expectation():
    response = client.get("/health")
    assert response.json()["status"] == "down"


@pytest.mark.skip(reason="not written yet")
def test_later():
    pass


@pytest.fixture
def broken():
    raise RuntimeError("fixture exploded")


def test_uses_broken_fixture(broken):
    pass


@pytest.mark.xfail(reason="known bug")
def test_known_bug():
    assert False
"""


def test_each_test_is_reported_in_order_with_its_outcome(run_in_sandbox):
    result = run_in_sandbox(RunRequest(kind="test", code=APP, tests=TESTS))
    assert result.outcome == "ok"
    assert [(c.name, c.outcome) for c in result.tests] == [
        ("test_health_is_ok", "passed"),
        ("test_missing_route_is_404", "passed"),
        ("test_wrong_expectation", "failed"),
        ("test_later", "skipped"),
        ("test_uses_broken_fixture", "error"),
        ("test_known_bug", "xfailed"),
    ]
    assert all(c.duration_ms >= 0 for c in result.tests)
    assert result.message == (
        "pytest ran 6 tests: 2 passed, 1 failed, 1 skipped, 1 error, 1 xfailed."
    )


def test_failed_assertion_carries_message_details_and_line(run_in_sandbox):
    result = run_in_sandbox(RunRequest(kind="test", code=APP, tests=TESTS))
    failed = next(c for c in result.tests if c.outcome == "failed")
    assert failed.message == "assert 'ok' == 'down'"
    assert (failed.file, failed.line) == ("test_app.py", 21)
    assert "test_app.py:21" in failed.details
    assert "/sandbox" not in failed.details


def test_skip_reason_error_and_captured_output(run_in_sandbox):
    result = run_in_sandbox(RunRequest(kind="test", code=APP, tests=TESTS))
    by_name = {c.name: c for c in result.tests}
    assert by_name["test_later"].message == "not written yet"
    assert "RuntimeError: fixture exploded" in by_name["test_uses_broken_fixture"].message
    assert by_name["test_missing_route_is_404"].output == "checking /missing\n"


def test_syntax_error_in_the_app_stops_before_pytest(run_in_sandbox):
    result = run_in_sandbox(RunRequest(kind="test", code="def broken(:\n", tests=TESTS))
    assert result.outcome == "syntax_error"
    assert (result.error.file, result.error.line) == ("app.py", 1)
    assert result.tests == []


def test_syntax_error_in_the_tests_points_at_the_tests_file(run_in_sandbox):
    tests = "def test_one():\n    assert 1 ==\n"
    result = run_in_sandbox(RunRequest(kind="test", code=APP, tests=tests))
    assert result.outcome == "syntax_error"
    assert (result.error.file, result.error.line) == ("test_app.py", 2)


def test_import_error_in_the_tests_is_reported(run_in_sandbox):
    tests = "from app import nothing_here\n\ndef test_one():\n    pass\n"
    result = run_in_sandbox(RunRequest(kind="test", code=APP, tests=tests))
    assert result.outcome == "import_error"
    assert (result.error.file, result.error.line) == ("test_app.py", 1)
    assert "nothing_here" in result.message


def test_conftest_fixtures_are_used(run_in_sandbox):
    conftest = "import pytest\n\n@pytest.fixture\ndef answer():\n    return 42\n"
    tests = "def test_answer(answer):\n    assert answer == 42\n"
    request = RunRequest(kind="test", code=APP, tests=tests, files={"conftest.py": conftest})
    result = run_in_sandbox(request)
    assert [(c.name, c.outcome) for c in result.tests] == [("test_answer", "passed")]


def test_async_tests_run_with_anyio(run_in_sandbox):
    tests = """
import pytest
from httpx import ASGITransport, AsyncClient
from app import app

@pytest.mark.anyio
async def test_async_health():
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/health")).status_code == 200

@pytest.fixture
def anyio_backend():
    return "asyncio"
"""
    result = run_in_sandbox(RunRequest(kind="test", code=APP, tests=tests))
    assert [(c.name, c.outcome) for c in result.tests] == [("test_async_health", "passed")]


def test_endless_test_stops_the_run_at_the_time_limit(run_in_sandbox):
    tests = "def test_spins():\n    while True:\n        pass\n\ndef test_after():\n    pass\n"
    request = RunRequest(kind="test", code=APP, tests=tests, limits=LimitOverrides(wall_seconds=1))
    result = run_in_sandbox(request)
    assert result.outcome == "timeout"
    assert result.error.file == "test_app.py"
    assert result.error.line in (2, 3)
    assert [c.name for c in result.tests] == ["test_spins"]


def test_a_test_that_ends_the_process_keeps_the_tests_finished_before_it(run_in_sandbox):
    tests = (
        "import os\n\n"
        "def test_first():\n    pass\n\n"
        "def test_second():\n    assert 1 == 2\n\n"
        "def test_exits():\n    os._exit(0)\n\n"
        "def test_never_runs():\n    pass\n"
    )
    result = run_in_sandbox(RunRequest(kind="test", code=APP, tests=tests))
    assert result.outcome == "crashed"
    assert "os._exit" in result.message
    assert "The last test to finish was test_second" in result.message
    assert [(c.name, c.outcome) for c in result.tests] == [
        ("test_first", "passed"),
        ("test_second", "failed"),
    ]


def test_a_keyboard_interrupt_from_the_app_ends_the_run_as_under_plain_pytest(run_in_sandbox):
    # The learner's code raises it: a test that runs that code must not count as passed.
    app = APP + "\n\ndef stop():\n    raise KeyboardInterrupt\n"
    tests = (
        "from fastapi.testclient import TestClient\n"
        "from app import app, stop\n\n"
        "client = TestClient(app)\n\n"
        "def test_first():\n    assert client.get('/health').status_code == 200\n\n"
        "def test_stops():\n    stop()\n\n"
        "def test_never_runs():\n    pass\n"
    )
    result = run_in_sandbox(RunRequest(kind="test", code=app, tests=tests))
    assert result.outcome == "runtime_error"
    assert "test_stops raised it, and pytest ends the whole run there" in result.message
    assert result.error.file == "app.py"
    assert result.error.line == app.count("\n")
    assert [(c.name, c.outcome) for c in result.tests] == [
        ("test_first", "passed"),
        ("test_stops", "error"),
    ]


def test_pytest_exit_ends_the_run_with_its_reason(run_in_sandbox):
    tests = (
        "import pytest\n\n"
        "def test_first():\n    pass\n\n"
        "def test_leaves():\n    pytest.exit('the database is not there')\n\n"
        "def test_never_runs():\n    pass\n"
    )
    result = run_in_sandbox(RunRequest(kind="test", code=APP, tests=tests))
    assert result.outcome == "runtime_error"
    assert "pytest.exit() ended the test run: the database is not there" in result.message
    assert [(c.name, c.outcome) for c in result.tests] == [
        ("test_first", "passed"),
        ("test_leaves", "error"),
    ]


def test_no_tests_found_is_said_plainly(run_in_sandbox):
    result = run_in_sandbox(RunRequest(kind="test", code=APP, tests="x = 1\n"))
    assert result.outcome == "ok"
    assert result.tests == []
    assert "found no tests" in result.message


SLOW_TESTS = """
import time


def test_quick():
    assert 1 + 1 == 2


def test_slow():
    time.sleep(1.5)
    assert "slow".upper() == "SLOW"


def test_wrong():
    assert [1, 2] == [1, 3]
"""


def test_each_test_is_reported_as_soon_as_it_finishes(runner_client):
    import asyncio
    import time

    from deepdive.sandbox.events import CaseFinished, Finished

    async def collect() -> list[tuple[float, object]]:
        request = RunRequest(kind="test", code=APP, tests=SLOW_TESTS)
        return [(time.monotonic(), event) async for event in runner_client.events(request)]

    events = asyncio.run(collect())
    cases = [(at, e.case) for at, e in events if isinstance(e, CaseFinished)]
    finished_at, finished = next((at, e) for at, e in events if isinstance(e, Finished))
    assert [case.name for _, case in cases] == ["test_quick", "test_slow", "test_wrong"]
    assert [case.outcome for _, case in cases] == ["passed", "passed", "failed"]
    assert [case.name for case in finished.result.tests] == [case.name for _, case in cases]
    assert "assert [1, 2] == [1, 3]" in cases[2][1].details
    # The quick test was reported while the slow one was still running.
    assert finished_at - cases[0][0] >= 1.0


# -- the same as a plain pytest --------------------------------------------------------------

HELPERS = """
def slugify(title: str) -> str:
    return "-".join(title.lower().split())


def get_db():
    db = {"open": True}
    try:
        yield db
    finally:
        db["open"] = False
"""

HELPER_TESTS = """
from helpers import get_db, slugify


def test_slugify():
    assert slugify("Deep  Dive") == "deep-dive"


def test_get_db_closes_after_use():
    dependency = get_db()
    db = next(dependency)
    assert db["open"]
    dependency.close()
    assert not db["open"]
"""


def test_a_module_without_an_app_is_tested_like_any_other(run_in_sandbox):
    request = RunRequest(kind="test", code=HELPERS, filename="helpers.py", tests=HELPER_TESTS)
    result = run_in_sandbox(request)
    assert result.outcome == "ok", result.message
    assert [(c.name, c.outcome) for c in result.tests] == [
        ("test_slugify", "passed"),
        ("test_get_db_closes_after_use", "passed"),
    ]


INVALID_RESPONSE_MODEL = """
from fastapi import FastAPI

app = FastAPI()


class Plain:
    pass


@app.get("/", response_model=Plain)
def root():
    return Plain()
"""


def test_a_test_can_expect_the_import_of_the_app_to_fail(run_in_sandbox):
    tests = """
import importlib

import pytest
from fastapi.exceptions import FastAPIError


def test_plain_classes_are_no_response_model():
    with pytest.raises(FastAPIError, match="response_model"):
        importlib.import_module("app")
"""
    result = run_in_sandbox(RunRequest(kind="test", code=INVALID_RESPONSE_MODEL, tests=tests))
    assert result.outcome == "ok", result.message
    assert [(c.name, c.outcome) for c in result.tests] == [
        ("test_plain_classes_are_no_response_model", "passed")
    ]


def test_a_test_sees_the_warnings_the_import_of_the_app_emits(run_in_sandbox):
    app = (
        "import warnings\n\nfrom fastapi import FastAPI\n\n"
        'warnings.warn("settings.ini is deprecated", DeprecationWarning, stacklevel=1)\n'
        "app = FastAPI()\n"
    )
    tests = """
import importlib

import pytest


def test_importing_the_app_warns():
    with pytest.warns(DeprecationWarning, match="settings.ini"):
        importlib.import_module("app")
"""
    result = run_in_sandbox(RunRequest(kind="test", code=app, tests=tests))
    assert [(c.name, c.outcome) for c in result.tests] == [
        ("test_importing_the_app_warns", "passed")
    ]


def test_an_app_that_fails_on_import_is_reported_on_its_line(run_in_sandbox):
    app = "from fastapi import FastAPI\n\napp = FastAPI()\nlimit = int('ten')\n"
    result = run_in_sandbox(RunRequest(kind="test", code=app, tests=TESTS))
    assert result.outcome == "runtime_error"
    assert (result.error.file, result.error.line) == ("app.py", 4)
    assert [f.file for f in result.error.frames] == ["test_app.py", "app.py"]
    assert "ValueError" in result.message
    assert result.tests == []


def test_a_broken_module_that_no_test_imports_does_not_stop_the_tests(run_in_sandbox):
    tests = "def test_arithmetic():\n    assert 1 + 1 == 2\n"
    result = run_in_sandbox(RunRequest(kind="test", code="def broken(:\n", tests=tests))
    assert result.outcome == "ok"
    assert [(c.name, c.outcome) for c in result.tests] == [("test_arithmetic", "passed")]


def test_an_instrument_that_needs_the_app_finds_the_one_the_tests_imported(run_in_sandbox):
    request = RunRequest(kind="test", code=APP, tests=TESTS, instruments=["openapi"])
    result = run_in_sandbox(request)
    assert "/health" in result.instrumentation["openapi"]["schema"]["paths"]
    assert len(result.tests) == 6


def test_an_instrument_without_an_app_says_so_and_the_tests_still_run(run_in_sandbox):
    request = RunRequest(
        kind="test",
        code=HELPERS,
        filename="helpers.py",
        tests=HELPER_TESTS,
        instruments=["openapi"],
    )
    result = run_in_sandbox(request)
    assert result.outcome == "ok"
    assert "defines no `app`" in result.instrumentation["openapi"]["error"]
    assert [c.outcome for c in result.tests] == ["passed", "passed"]


def test_pytests_own_fixtures_behave_as_under_plain_pytest(run_in_sandbox):
    tests = """
import logging
import os

import pytest


def test_capsys(capsys):
    print("hello")
    assert capsys.readouterr().out == "hello\\n"


def test_capfd(capfd):
    os.write(1, b"raw\\n")
    assert capfd.readouterr().out == "raw\\n"


def test_caplog(caplog):
    logging.getLogger("shop").warning("low stock")
    assert caplog.records[0].message == "low stock"


def test_tmp_path(tmp_path):
    (tmp_path / "note.txt").write_text("kept")
    assert (tmp_path / "note.txt").read_text() == "kept"


def test_monkeypatch(monkeypatch):
    monkeypatch.setenv("SHOP_MODE", "test")
    assert os.environ["SHOP_MODE"] == "test"


@pytest.mark.parametrize("n", [1, 2])
def test_parametrized(n):
    assert n in (1, 2)


def test_recwarn(recwarn):
    import warnings

    warnings.warn("careful", UserWarning)
    assert str(recwarn.pop(UserWarning).message) == "careful"
"""
    result = run_in_sandbox(RunRequest(kind="test", code=APP, tests=tests))
    assert [(c.name, c.outcome) for c in result.tests] == [
        ("test_capsys", "passed"),
        ("test_capfd", "passed"),
        ("test_caplog", "passed"),
        ("test_tmp_path", "passed"),
        ("test_monkeypatch", "passed"),
        ("test_parametrized[1]", "passed"),
        ("test_parametrized[2]", "passed"),
        ("test_recwarn", "passed"),
    ], [c.message for c in result.tests]


def test_the_learners_pytest_configuration_is_read_as_pytest_reads_it(run_in_sandbox):
    pyproject = """[project]
name = "shop"

[tool.pytest.ini_options]
markers = ["slow: takes a while"]
filterwarnings = ["error"]
addopts = "-m 'not slow'"
testpaths = ["tests"]
"""
    tests = """
import warnings

import pytest


def test_fast():
    pass


@pytest.mark.slow
def test_slow():
    pass


def test_warnings_are_errors():
    warnings.warn("deprecated", DeprecationWarning)
"""
    elsewhere = "def test_outside_testpaths():\n    pass\n"
    request = RunRequest(
        kind="test",
        code=APP,
        tests=tests,
        tests_filename="tests/test_shop.py",
        files={"pyproject.toml": pyproject, "scripts/test_tool.py": elsewhere},
    )
    result = run_in_sandbox(request)
    assert result.outcome == "ok", result.message
    assert [(c.nodeid, c.outcome) for c in result.tests] == [
        ("tests/test_shop.py::test_fast", "passed"),
        ("tests/test_shop.py::test_warnings_are_errors", "failed"),
    ]


PRICES = '''
def with_tax(amount):
    """
    >>> with_tax(10)
    12.0
    """
    return amount * 1.2
'''


def test_report_options_and_doctests_in_the_configuration_work_as_under_plain_pytest(
    run_in_sandbox,
):
    # Options of plugins whose output the sandbox does not show (the terminal, a JUnit file,
    # the cache) are taken; doctests are collected as plain pytest collects them.
    ini = (
        "[pytest]\n"
        "addopts = -ra -q --tb=short --color=no --junitxml=report.xml --lf --doctest-modules\n"
        "junit_family = xunit2\nconsole_output_style = classic\nfaulthandler_timeout = 5\n"
        "filterwarnings = error\n"
    )
    tests = "from prices import with_tax\n\n\ndef test_tax(doctest_namespace):\n"
    tests += "    assert with_tax(0) == 0\n"
    request = RunRequest(
        kind="test",
        code=PRICES,
        filename="prices.py",
        tests=tests,
        tests_filename="test_prices.py",
        files={"pytest.ini": ini, "test_notes.txt": ">>> 1 + 1\n3\n"},
    )
    result = run_in_sandbox(request)
    assert result.outcome == "ok", result.message
    assert [(c.name, c.outcome) for c in result.tests] == [
        ("prices.with_tax", "passed"),
        ("test_notes.txt", "failed"),
        ("test_tax", "passed"),
    ]


def test_a_hidden_pytest_ini_is_read_and_comes_after_pytest_ini_as_under_plain_pytest(
    run_in_sandbox,
):
    hidden = "[pytest]\npython_files = check_*.py\n"
    check = "def test_found_by_the_hidden_configuration():\n    pass\n"
    files = {".pytest.ini": hidden, "check_shop.py": check}
    tests = "def test_one():\n    pass\n"
    result = run_in_sandbox(RunRequest(kind="test", code=APP, tests=tests, files=files))
    assert result.outcome == "ok", result.message
    assert [c.name for c in result.tests] == ["test_found_by_the_hidden_configuration"]
    # pytest.ini wins over .pytest.ini.
    files["pytest.ini"] = "[pytest]\n"
    result = run_in_sandbox(RunRequest(kind="test", code=APP, tests=tests, files=files))
    assert [c.name for c in result.tests] == ["test_one"]


def test_a_configuration_pytest_refuses_is_reported_on_its_file(run_in_sandbox):
    ini = "[pytest]\naddopts = --no-such-option\n"
    tests = "def test_one():\n    pass\n"
    request = RunRequest(kind="test", code=APP, tests=tests, files={"pytest.ini": ini})
    result = run_in_sandbox(request)
    assert result.outcome == "runtime_error"
    assert result.error.file == "pytest.ini"
    assert "--no-such-option" in result.message
    assert result.tests == []


SUBPROCESS_TESTS = """
import subprocess
import sys


def test_python_runs_in_a_subprocess_with_the_same_packages():
    done = subprocess.run(
        [sys.executable, "-c", "import fastapi, sys; print(fastapi.__version__, sys.prefix)"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [fastapi_version(), sys.prefix]


def test_pytest_runs_in_a_subprocess(tmp_path):
    (tmp_path / "test_inner.py").write_text("def test_inner():\\n    assert True\\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert "1 passed" in done.stdout, done.stdout + done.stderr


def fastapi_version():
    import fastapi

    return fastapi.__version__
"""


def test_a_test_can_run_python_in_a_subprocess_as_under_plain_pytest(run_in_sandbox):
    request = RunRequest(kind="test", code=HELPERS, filename="helpers.py", tests=SUBPROCESS_TESTS)
    result = run_in_sandbox(request)
    assert result.outcome == "ok", result.message
    assert [(c.name, c.outcome, c.message) for c in result.tests] == [
        ("test_python_runs_in_a_subprocess_with_the_same_packages", "passed", ""),
        ("test_pytest_runs_in_a_subprocess", "passed", ""),
    ]


def test_an_async_test_without_the_anyio_mark_says_which_mark_to_use(run_in_sandbox):
    tests = (
        "import pytest\n\n\n@pytest.mark.asyncio\nasync def test_later():\n    pass\n\n\n"
        "@pytest.mark.anyio\nasync def test_marked():\n    pass\n"
    )
    result = run_in_sandbox(RunRequest(kind="test", code=APP, tests=tests))
    later, marked = result.tests
    assert later.outcome == "failed"
    assert later.message.startswith(
        "async def functions are not natively supported: mark the test with @pytest.mark.anyio"
    )
    assert (later.file, later.line) == ("test_app.py", 4)
    assert (marked.name, marked.outcome) == ("test_marked[asyncio]", "passed")
