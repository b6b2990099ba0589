"""The starter test file, run by pytest beside the app it tests (saved as `app.py`)."""


def test_the_starter_suite_passes_against_the_starter_app(run_pytest):
    summary = run_pytest(
        {"app.py": "examples/bookshelf.py", "test_app.py": "examples/bookshelf_tests.py"}
    )
    assert summary.startswith("7 passed"), summary
