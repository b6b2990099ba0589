import hashlib

from fastapi.testclient import TestClient


def test_the_digest_covers_every_chunk(example):
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 1000  # several 64 KiB chunks
    client = TestClient(example("cover_streamed").app)
    response = client.post(
        "/covers", files={"file": ("c.png", content, "image/png")}, data={"description": "x"}
    )
    assert response.status_code == 200
    assert response.json()["size"] == len(content)
    assert response.json()["sha256"] == hashlib.sha256(content).hexdigest()


def test_the_checks_still_come_first(example):
    client = TestClient(example("cover_streamed").app)
    response = client.post(
        "/covers", files={"file": ("c.txt", b"hi", "text/plain")}, data={"description": "x"}
    )
    assert response.status_code == 415
