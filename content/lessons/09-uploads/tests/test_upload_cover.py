import hashlib

from fastapi.testclient import TestClient

PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)


def test_the_endpoint_reports_what_it_received(example):
    client = TestClient(example("upload_cover").app)
    response = client.post(
        "/covers",
        files={"file": ("cover.png", PNG, "image/png")},
        data={"description": "Dune, first edition"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "filename": "cover.png",
        "content_type": "image/png",
        "size": len(PNG),
        "sha256": hashlib.sha256(PNG).hexdigest(),
        "description": "Dune, first edition",
    }


def test_the_starter_accepts_any_type(example):
    client = TestClient(example("upload_cover").app)
    response = client.post(
        "/covers", files={"file": ("notes.txt", b"hello", "text/plain")}, data={"description": "x"}
    )
    assert response.status_code == 200


def test_an_empty_description_is_a_422_on_the_form_field(example):
    client = TestClient(example("upload_cover").app)
    response = client.post(
        "/covers", files={"file": ("c.png", PNG, "image/png")}, data={"description": ""}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "description"]


def test_a_missing_file_is_a_422_on_the_file_field(example):
    client = TestClient(example("upload_cover").app)
    response = client.post("/covers", data={"description": "no file"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]
