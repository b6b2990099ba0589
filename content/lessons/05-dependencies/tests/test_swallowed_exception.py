import pytest
from fastapi.exceptions import FastAPIError
from fastapi.testclient import TestClient


def test_swallowing_the_exception_turns_a_404_into_a_500(example):
    module = example("swallowed_exception")
    response = TestClient(module.app, raise_server_exceptions=False).get("/broken/7")
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
    assert module.log == [
        "rolled back after HTTPException(status_code=404, detail='No book with id 7')"
    ]


def test_fastapi_names_the_missing_re_raise_as_the_likely_cause(example):
    client = TestClient(example("swallowed_exception").app)
    with pytest.raises(FastAPIError, match="is not raising the exception again"):
        client.get("/broken/7")


def test_re_raising_keeps_the_404(example):
    module = example("swallowed_exception")
    response = TestClient(module.app).get("/fixed/7")
    assert response.status_code == 404
    assert response.json() == {"detail": "No book with id 7"}
    assert len(module.log) == 1


def test_openapi_documents_both_routes_alike(example):
    paths = TestClient(example("swallowed_exception").app).get("/openapi.json").json()["paths"]
    assert set(paths) == {"/broken/{book_id}", "/fixed/{book_id}"}
    broken = paths["/broken/{book_id}"]["get"]["parameters"]
    assert broken == paths["/fixed/{book_id}"]["get"]["parameters"]
