import pytest
from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("book_lookup").app)


def test_path_text_becomes_an_int_that_finds_the_book(example):
    response = _client(example).get("/books/2")
    assert response.status_code == 200
    assert response.json() == {"id": 2, "title": "Gaudy Night"}


@pytest.mark.parametrize("text", ["03", "+3", "3.0", "%203"])
def test_other_spellings_of_a_whole_number_are_accepted(example, text):
    response = _client(example).get(f"/books/{text}")
    assert response.status_code == 200
    assert response.json() == {"id": 3, "title": "Dune"}


def test_underscores_are_read_as_digit_separators(example):
    response = _client(example).get("/books/3_0")
    assert response.status_code == 404
    assert response.json() == {"detail": "No book with id 30"}


@pytest.mark.parametrize("text", ["two", "3.5", "1e3", "0x10"])
def test_anything_but_a_whole_number_is_an_int_parsing_422(example, text):
    response = _client(example).get(f"/books/{text}")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["type"] == "int_parsing"
    assert error["loc"] == ["path", "book_id"]
    assert error["input"] == text


def test_zero_breaks_the_lower_bound_and_the_error_carries_it(example):
    response = _client(example).get("/books/0")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "greater_than_equal",
                "loc": ["path", "book_id"],
                "msg": "Input should be greater than or equal to 1",
                "input": "0",
                "ctx": {"ge": 1},
            }
        ]
    }


def test_valid_but_unknown_id_reaches_the_function_and_gets_its_404(example):
    response = _client(example).get("/books/99")
    assert response.status_code == 404
    assert response.json() == {"detail": "No book with id 99"}


def test_openapi_documents_the_bound_and_the_description(example):
    schema = _client(example).get("/openapi.json").json()
    [parameter] = schema["paths"]["/books/{book_id}"]["get"]["parameters"]
    assert parameter == {
        "name": "book_id",
        "in": "path",
        "required": True,
        "schema": {
            "type": "integer",
            "minimum": 1,
            "description": "The book's catalogue number",
            "title": "Book Id",
        },
        "description": "The book's catalogue number",
    }
