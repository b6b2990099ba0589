"""The `deepdive` command line, run as a learner or author would run it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from tests.conftest import CONTENT_DIR
from typer.testing import CliRunner

from deepdive.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("DEEPDIVE_DATA_DIR", str(tmp_path / "data"))
    return {**os.environ, "DEEPDIVE_DATA_DIR": str(tmp_path / "data")}


def _deepdive(
    *args: str, env: dict[str, str], input: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "deepdive", *args],
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_progress_export_import_and_reset_round_trip(env, tmp_path, course):
    from deepdive.course.progress import award_xp, local_learner
    from deepdive.db.engine import make_session_factory
    from deepdive.db.migrate import open_database
    from deepdive.settings import Settings

    settings = Settings().prepare()
    lesson = course.lessons[0]
    with make_session_factory(open_database(settings.database_url))() as session:
        learner = local_learner(session)
        for key, xp in lesson.award_keys.items():
            award_xp(session, learner.id, key, xp)
    total = sum(lesson.award_keys.values())

    export_file = tmp_path / "progress.json"
    result = runner.invoke(app, ["progress", "export", str(export_file)])
    assert result.exit_code == 0, result.output
    assert json.loads(export_file.read_text())["xp"] == total

    refused = runner.invoke(app, ["progress", "reset"], input="n\n")
    assert refused.exit_code == 1
    assert "Nothing was changed" in refused.output
    result = runner.invoke(app, ["progress", "reset"], input="y\n")
    assert result.exit_code == 0
    assert f"({total} XP removed)" in result.output

    result = runner.invoke(app, ["progress", "import", str(export_file)])
    assert result.exit_code == 0, result.output
    assert f"worth {total} XP" in result.output
    again = runner.invoke(app, ["progress", "import", str(export_file)])
    assert "worth 0 XP" in again.output


def test_importing_a_bad_file_says_why_and_changes_nothing(env, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "deepdive-progress", "version": 7}')
    result = runner.invoke(app, ["progress", "import", str(bad)])
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert "version" in result.output


def test_check_content_validates_and_runs_every_example_test(env):
    result = _deepdive("check-content", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "load cleanly" in result.stdout
    assert "Every example passes its tests." in result.stdout


def test_broken_content_stops_serve_with_file_and_line(env, tmp_path):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content, ignore=shutil.ignore_patterns("__pycache__"))
    lesson_md = sorted((content / "lessons").glob("*/lesson.md"))[0]
    lesson_md.write_text(lesson_md.read_text().replace("order:", "order: nope\nwas_order:", 1))
    result = _deepdive("serve", "--port", "1", env={**env, "DEEPDIVE_CONTENT_DIR": str(content)})
    assert result.returncode == 1
    assert f"{lesson_md}:" in result.stderr
    assert "order: Input should be a valid integer" in result.stderr


def test_serve_on_a_busy_port_suggests_another(env):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _deepdive("serve", "--port", str(port), env=env)
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"deepdive serve --port {port + 1}" in result.stderr


def test_check_content_reports_broken_content_with_file_and_line(env, tmp_path):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content, ignore=shutil.ignore_patterns("__pycache__"))
    quiz = sorted((content / "lessons").glob("*/quiz.yaml"))[0]
    quiz.write_text(quiz.read_text() + "\n  - id: [unclosed\n")
    result = _deepdive("check-content", env={**env, "DEEPDIVE_CONTENT_DIR": str(content)})
    assert result.returncode == 1
    assert f"{quiz}:" in result.stderr
    assert "invalid YAML" in result.stderr


def test_check_content_reports_a_widget_mistake_with_file_and_line(env, tmp_path):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content, ignore=shutil.ignore_patterns("__pycache__"))
    lesson_md = content / "lessons" / "05-dependencies" / "lesson.md"
    text = lesson_md.read_text()
    line = text[: text.index('start: "def get_test_session"')].count("\n") + 1
    lesson_md.write_text(text.replace('def get_test_session"', 'def get_tset_session"', 1))
    result = _deepdive(
        "check-content", "--no-tests", env={**env, "DEEPDIVE_CONTENT_DIR": str(content)}
    )
    assert result.returncode == 1
    assert f"{lesson_md}:{line}: interactives.0.options.override.start:" in result.stderr


def _commands(command, path=()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_every_commands_help_reads_whole_lines_in_an_80_column_terminal():
    """Help paragraphs keep their line breaks: none may be long enough to wrap mid-line."""
    checked = 0
    for path, command in _commands(typer.main.get_command(app)):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
        assert result.exit_code == 0, (path, result.output)
        shown = {line.strip() for line in result.output.splitlines()}
        paragraphs = (command.help or "").strip().split("\n\n")[1:]
        for line in "\n".join(paragraphs).splitlines():
            if line.strip():
                assert line.strip() in shown, (path, line.strip())
                checked += 1
    assert checked > 5
