"""The config generator's API: files and hadolint's verdict for a choice, clear refusals, and the
zip with the learner's own code."""

from __future__ import annotations

import io
import zipfile

WIDGET = "deployment/deploy-config"


def test_the_files_and_hadolints_verdict_for_a_choice(client):
    answer = client.get(
        "/api/deploy/files",
        params={"python": "3.13", "server": "gunicorn", "cores": 4, "workers": 9, "cache": "redis"},
    )
    assert answer.status_code == 200
    data = answer.json()
    assert data["suggested_workers"] == 9
    assert "2 × 4 cores + 1 = 9" in data["advice"]
    assert data["files"]["Dockerfile"].count("FROM python:3.13-slim") == 2
    assert "cache:" in data["files"]["compose.yaml"]
    assert data["lint"] == {"available": True, "clean": True, "version": "2.15.1", "findings": []}


def test_out_of_range_choices_are_refused_with_a_sentence(client):
    zero = client.get("/api/deploy/files", params={"workers": 0}).json()["problem"]
    expected = "workers: 0 workers cannot answer a single request: choose at least 1."
    assert zero["message"] == expected
    python = client.get("/api/deploy/files", params={"python": "3.9"}).json()["problem"]
    assert "Python '3.9' is not offered" in python["message"]
    text = client.get("/api/deploy/files", params={"workers": "many"}).json()["problem"]
    assert text["field"] == "workers"
    refused = client.get("/api/deploy/bundle", params={"widget": WIDGET, "workers": 0})
    assert refused.status_code == 422
    assert "0 workers" in refused.json()["message"]


def test_the_zip_holds_the_files_the_learners_app_and_earlier_code(client):
    headers = client.csrf_headers()
    client.put(
        "/api/drafts/basics/first-endpoint", json={"code": "# my lesson 1 app\n"}, headers=headers
    )
    client.put(f"/api/drafts/{WIDGET}", json={"code": "# my deploy app\n"}, headers=headers)
    answer = client.get(
        "/api/deploy/bundle",
        params={"widget": WIDGET, "server": "uvicorn", "dockerignore": "false"},
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(answer.content)).namelist())
    assert names == {
        "fastapi-app/Dockerfile",
        "fastapi-app/compose.yaml",
        "fastapi-app/requirements.txt",
        "fastapi-app/README.md",
        "fastapi-app/app/__init__.py",
        "fastapi-app/app/main.py",
        "fastapi-app/lessons/basics/first-endpoint.py",
    }
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert archive.read("fastapi-app/app/main.py") == b"# my deploy app\n"
    assert b"docker compose up --build" in archive.read("fastapi-app/README.md")


def test_without_a_draft_the_zip_has_the_starter(client):
    answer = client.get("/api/deploy/bundle", params={"widget": WIDGET})
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert b"def list_books" in archive.read("fastapi-app/app/main.py")
    assert "fastapi-app/gunicorn.conf.py" in archive.namelist()
    assert client.get("/api/deploy/bundle", params={"widget": "nope/nope"}).status_code == 404
