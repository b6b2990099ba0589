"""Every combination of the config generator's form gives files that are correct: a Dockerfile
hadolint has nothing to say about, a compose.yaml valid against the Compose Specification's
schema, and choices out of range refused with a sentence."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator
from pydantic import ValidationError

from deepdive.deployment.generator import PYTHON_VERSIONS, DeployChoice, render
from deepdive.deployment.lint import lint_dockerfile

SCHEMA = Draft7Validator(json.loads((Path(__file__).with_name("compose-spec.json")).read_text()))
FORM = {
    "python": PYTHON_VERSIONS,
    "server": ("gunicorn", "uvicorn"),
    "database": ("none", "postgres"),
    "cache": ("none", "redis"),
    "healthcheck": (True, False),
    "non_root": (True, False),
    "multi_stage": (True, False),
    "dockerignore": (True, False),
}
EVERY_CHOICE = [
    DeployChoice(**dict(zip(FORM, values, strict=True)))
    for values in itertools.product(*FORM.values())
]


def test_every_dockerfile_the_form_can_make_has_no_hadolint_finding():
    dockerfiles = {render(choice)["Dockerfile"] for choice in EVERY_CHOICE}
    assert len(dockerfiles) >= 48  # python × server × health check × user × stages
    for text in dockerfiles:
        verdict = lint_dockerfile(text)
        assert verdict.available, "hadolint is installed with the course"
        assert verdict.findings == [], f"{verdict.findings}\n{text}"


def test_every_compose_file_is_valid_against_the_compose_specification():
    for choice in EVERY_CHOICE:
        document = yaml.safe_load(render(choice)["compose.yaml"])
        errors = [error.message for error in SCHEMA.iter_errors(document)]
        assert errors == [], f"{choice}: {errors}"
        services = document["services"]
        assert ("db" in services) == (choice.database == "postgres")
        assert ("cache" in services) == (choice.cache == "redis")


def test_the_schema_really_refuses_a_broken_compose_file():
    broken = {"services": {"api": {"build": ".", "ports": "8000", "restart": 3, "nonsense": 1}}}
    assert list(SCHEMA.iter_errors(broken))


def test_hadolint_really_reports_a_bad_dockerfile():
    verdict = lint_dockerfile("FROM python:latest\nRUN pip install fastapi\nUSER root\n")
    codes = {finding.code for finding in verdict.findings}
    assert {"DL3007", "DL3013", "DL3042", "DL3002"} <= codes


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("workers", 0, "0 workers cannot answer a single request"),
        ("workers", 99, "more than this generator offers"),
        ("python", "3.9", "Python '3.9' is not offered: choose one of 3.11, 3.12, 3.13"),
        ("server", "hypercorn", "Input should be 'gunicorn' or 'uvicorn'"),
    ],
)
def test_a_choice_out_of_range_is_refused_with_a_sentence(field, value, said):
    with pytest.raises(ValidationError) as refused:
        DeployChoice(**{field: value})
    assert said in str(refused.value)


def test_the_files_follow_the_choices():
    files = render(DeployChoice(server="uvicorn", workers=3, dockerignore=False, non_root=False))
    assert set(files) == {"Dockerfile", "compose.yaml", "requirements.txt", "README.md"}
    assert "WEB_CONCURRENCY=3" in files["Dockerfile"]
    assert '"uvicorn", "app.main:app"' in files["Dockerfile"]
    assert "USER" not in files["Dockerfile"]
    assert not any(line.startswith("gunicorn") for line in files["requirements.txt"].split())
    gunicorn = render(DeployChoice(server="gunicorn", workers=7))
    assert 'workers = int(os.environ.get("WEB_CONCURRENCY", "7"))' in gunicorn["gunicorn.conf.py"]
    assert ".dockerignore" in gunicorn
    assert "uvicorn-worker==" in gunicorn["requirements.txt"]
