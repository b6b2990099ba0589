"""The benchmark's Django REST Framework app, tested with DRF's APIClient."""

import pytest

VALID = {"title": "Snow Crash", "year": 1992}
INVALID = [{"title": "", "year": 1992}, {"title": "Snow Crash", "year": 99}, {"title": "X"}]


@pytest.fixture(scope="module")
def drf_client():
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "drf_app.py"
    spec = importlib.util.spec_from_file_location("drf_app", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["drf_app"] = module  # its settings name it as the URL configuration
    spec.loader.exec_module(module)  # configures Django once for this process
    from rest_framework.test import APIClient

    return APIClient()


def test_drf_app(drf_client):
    assert drf_client.get("/hello").json() == {"message": "Hello, world"}
    assert drf_client.get("/books/2").json() == {"id": 2, "title": "Neuromancer", "year": 1984}
    assert drf_client.get("/books/9").status_code == 404
    created = drf_client.post("/books", VALID, format="json")
    assert (created.status_code, created.json()) == (201, {"id": 4, **VALID})
    for body in INVALID:  # DRF answers a failed validation with 400, not 422
        assert drf_client.post("/books", body, format="json").status_code == 400
