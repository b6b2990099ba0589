from fastapi.testclient import TestClient


def test_form_fields_fill_the_model_beside_the_file(example):
    client = TestClient(example("form_model").app)
    response = client.post(
        "/covers",
        files={"file": ("dune.png", b"\x89PNG", "image/png")},
        data={"description": "First edition", "credit": "A. Painter"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "form": {"description": "First edition", "credit": "A. Painter"},
        "filename": "dune.png",
    }


def test_the_models_rules_apply_to_each_field(example):
    client = TestClient(example("form_model").app)
    response = client.post(
        "/covers", files={"file": ("dune.png", b"\x89PNG", "image/png")}, data={"description": ""}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "description"]


def test_a_json_model_beside_a_file_cannot_be_filled(example):
    # The mistake, built in the test itself: a JSON model beside a file.
    from fastapi import FastAPI, UploadFile
    from pydantic import BaseModel

    class Book(BaseModel):
        title: str

    app = FastAPI()

    @app.post("/books")
    async def create(book: Book, file: UploadFile) -> dict[str, str]:
        return {"title": book.title}

    response = TestClient(app).post(
        "/books", files={"file": ("a.png", b"x")}, data={"book": '{"title": "Dune"}'}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "model_attributes_type"
