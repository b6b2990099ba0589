import pytest
from fastapi.testclient import TestClient

PNG = b"\x89PNG\r\n\x1a\n"


def _send(example, content: bytes, content_type: str = "image/png"):
    client = TestClient(example("cover_checks").app)
    files = {"file": ("cover.png", content, content_type)}
    return client.post("/covers", files=files, data={"description": "A cover"})


def test_a_small_png_is_accepted(example):
    assert _send(example, PNG + bytes(10)).status_code == 200


def test_a_file_over_four_mib_is_413(example):
    response = _send(example, PNG + bytes(4 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json() == {"detail": "A cover can be 4 MiB at most"}


@pytest.mark.parametrize("content_type", ["text/plain", "application/pdf"])
def test_another_type_is_415(example, content_type):
    response = _send(example, PNG, content_type)
    assert response.status_code == 415
    assert content_type in response.json()["detail"]
