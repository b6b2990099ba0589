"""`deepdive admin ...` against a real PostgreSQL database, then the accounts it made log in."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from deepdive.cli import app

runner = CliRunner()


def test_admin_commands_create_accounts_cohorts_and_reset_links(
    postgres_url, monkeypatch, tmp_path, hosted_clients, log_in
):
    monkeypatch.setenv("DEEPDIVE_DATABASE_URL", postgres_url)
    monkeypatch.setenv("DEEPDIVE_DATA_DIR", str(tmp_path / "cli-data"))
    made = runner.invoke(
        app,
        ["admin", "create-user", "Teacher", "--role", "instructor", "--password-stdin"],
        input="teaching password\n",
    )
    assert made.exit_code == 0, made.output
    assert "Created instructor account 'teacher'" in made.output
    weak = runner.invoke(app, ["admin", "create-user", "x1y", "--password-stdin"], input="short\n")
    assert weak.exit_code == 1
    assert "at least 10 characters" in weak.output
    cohort = runner.invoke(app, ["admin", "create-cohort", "Autumn", "--instructor", "teacher"])
    assert cohort.exit_code == 0, cohort.output
    code = re.search(r"Join code: (\S+)", cohort.output).group(1)
    unknown = runner.invoke(app, ["admin", "create-cohort", "Spring", "--instructor", "nobody"])
    assert unknown.exit_code == 1
    assert "no account called 'nobody'" in unknown.output

    # The hosted app on the same database: the instructor logs in, a learner joins with the code.
    teacher = hosted_clients()
    log_in(teacher, "teacher", "teaching password")
    learner = hosted_clients()
    joined = learner.post(
        "/signup",
        data={
            "code": code,
            "username": "ada",
            "password": "learning password",
            "password2": "learning password",
        },
        headers={"HX-Request": "true"},
    )
    assert joined.status_code == 200, joined.text
    link = runner.invoke(
        app, ["admin", "reset-link", "ADA", "--base-url", "https://course.example"]
    )
    assert link.exit_code == 0, link.output
    path = re.search(r"https://course\.example(/reset/\S+)", link.output).group(1)
    assert hosted_clients().get(path).status_code == 200
    assert runner.invoke(app, ["admin", "reset-link", "nobody"]).exit_code == 1
