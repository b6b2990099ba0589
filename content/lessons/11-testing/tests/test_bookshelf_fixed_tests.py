"""The suite with the two new tests fails exactly where a bug is left in the app."""

import pytest


@pytest.mark.parametrize(
    ("app", "expected"),
    [
        ("examples/bookshelf.py", "2 failed, 7 passed"),
        ("tasks/filter_bug.py", "1 failed, 8 passed"),
        ("tasks/delete_bug.py", "1 failed, 8 passed"),
        ("examples/bookshelf_fixed.py", "9 passed"),
    ],
)
def test_the_new_tests_fail_where_a_bug_is_left(run_pytest, app, expected):
    summary = run_pytest({"app.py": app, "test_app.py": "examples/bookshelf_fixed_tests.py"})
    assert summary.startswith(expected), summary


def test_tests_that_assert_the_bug_fail_against_the_fixed_app(run_pytest):
    tests = "tasks/tests_that_assert_the_bug.py"
    summary = run_pytest({"app.py": "examples/bookshelf_fixed.py", "test_app.py": tests})
    assert summary.startswith("2 failed, 7 passed"), summary
