import json

import pytest
from fastapi.testclient import TestClient

DUNE = {"title": "Dune", "author": "Frank Herbert", "year": 1965, "genre": "science fiction"}


def _client(example) -> TestClient:
    return TestClient(example("book_model").app)


def test_valid_book_is_created_with_201_and_a_server_assigned_id(example):
    response = _client(example).post("/books", json=DUNE)
    assert response.status_code == 201
    assert response.json() == {**DUNE, "id": 1}


def test_ids_are_assigned_in_order_and_the_book_can_be_read_back(example):
    client = _client(example)
    first = client.post("/books", json=DUNE).json()
    second = client.post("/books", json={**DUNE, "title": "Children of Dune", "year": 1976}).json()
    assert (first["id"], second["id"]) == (1, 2)
    assert client.get("/books/2").json() == second


def test_unknown_book_id_is_a_404(example):
    response = _client(example).get("/books/99")
    assert response.status_code == 404
    assert response.json() == {"detail": "No book with id 99"}


def test_genre_may_be_left_out_and_comes_back_as_null(example):
    body = {"title": "Emma", "author": "Jane Austen", "year": 1815}
    response = _client(example).post("/books", json=body)
    assert response.status_code == 201
    assert response.json() == {**body, "genre": None, "id": 1}


def test_empty_title_is_rejected_with_its_min_length(example):
    response = _client(example).post("/books", json={**DUNE, "title": ""})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_short",
                "loc": ["body", "title"],
                "msg": "String should have at least 1 character",
                "input": "",
                "ctx": {"min_length": 1},
            }
        ]
    }


def test_title_over_200_characters_is_rejected(example):
    response = _client(example).post("/books", json={**DUNE, "title": "x" * 201})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["type"] == "string_too_long"
    assert error["loc"] == ["body", "title"]
    assert error["ctx"] == {"max_length": 200}


def test_one_letter_author_is_rejected(example):
    response = _client(example).post("/books", json={**DUNE, "author": "F"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_short",
                "loc": ["body", "author"],
                "msg": "String should have at least 2 characters",
                "input": "F",
                "ctx": {"min_length": 2},
            }
        ]
    }


def test_year_500_is_rejected_with_a_field_error_on_year(example):
    response = _client(example).post("/books", json={**DUNE, "year": 500})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "greater_than_equal",
                "loc": ["body", "year"],
                "msg": "Input should be greater than or equal to 1000",
                "input": 500,
                "ctx": {"ge": 1000},
            }
        ]
    }


def test_year_after_2100_is_rejected(example):
    response = _client(example).post("/books", json={**DUNE, "year": 3000})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["type"], error["loc"], error["ctx"]) == (
        "less_than_equal",
        ["body", "year"],
        {"le": 2100},
    )


def test_year_sent_as_a_numeric_string_is_converted_in_lax_mode(example):
    response = _client(example).post("/books", json={**DUNE, "year": "1999"})
    assert response.status_code == 201
    assert response.json()["year"] == 1999


@pytest.mark.parametrize("year", [1999.0, "1999.0", " 1999 "])
def test_other_lossless_spellings_of_a_year_are_converted_too(example, year):
    response = _client(example).post("/books", json={**DUNE, "year": year})
    assert response.status_code == 201
    assert response.json()["year"] == 1999


def test_year_with_a_fraction_is_not_truncated(example):
    response = _client(example).post("/books", json={**DUNE, "year": 1999.5})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "int_from_float",
                "loc": ["body", "year"],
                "msg": "Input should be a valid integer, got a number with a fractional part",
                "input": 1999.5,
            }
        ]
    }


def test_true_passes_as_the_integer_1_and_is_caught_only_by_the_range(example):
    response = _client(example).post("/books", json={**DUNE, "year": True})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["type"], error["input"], error["ctx"]) == (
        "greater_than_equal",
        True,
        {"ge": 1000},
    )


def test_extra_field_is_ignored_and_not_echoed(example):
    response = _client(example).post("/books", json={**DUNE, "isbn": "978-0441013593"})
    assert response.status_code == 201
    assert "isbn" not in response.json()


def test_misspelled_optional_field_is_dropped_without_a_word(example):
    body = {"title": "Dune", "author": "Frank Herbert", "year": 1965, "genra": "science fiction"}
    response = _client(example).post("/books", json=body)
    assert response.status_code == 201
    assert response.json()["genre"] is None


def test_client_sent_id_is_ignored_in_favour_of_the_servers(example):
    response = _client(example).post("/books", json={**DUNE, "id": 999})
    assert response.status_code == 201
    assert response.json()["id"] == 1


def test_malformed_json_is_a_422_json_invalid_with_the_character_position(example):
    response = _client(example).post(
        "/books",
        content=b'{"title": "Dune", "author": "Frank Herbert",}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "json_invalid",
                "loc": ["body", 44],
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": "Expecting property name enclosed in double quotes"},
            }
        ]
    }


def test_empty_object_reports_every_missing_required_field(example):
    response = _client(example).post("/books", json={})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["body", field], "msg": "Field required", "input": {}}
            for field in ("title", "author", "year")
        ]
    }


def test_request_without_a_body_is_told_the_body_is_required(example):
    response = _client(example).post("/books")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]
    }


def test_json_without_a_content_type_is_not_parsed(example):
    response = _client(example).post("/books", content=json.dumps(DUNE))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["type"] == "model_attributes_type"
    assert error["loc"] == ["body"]
    assert error["input"] == json.dumps(DUNE)


def test_json_labelled_as_a_form_is_not_parsed_either(example):
    response = _client(example).post(
        "/books",
        content=json.dumps(DUNE),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "model_attributes_type",
                "loc": ["body"],
                "msg": "Input should be a valid dictionary or object to extract fields from",
                "input": json.dumps(DUNE),
            }
        ]
    }


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/ld+json"])
def test_json_media_types_with_parameters_or_suffixes_are_parsed(example, content_type):
    response = _client(example).post(
        "/books", content=json.dumps(DUNE), headers={"Content-Type": content_type}
    )
    assert response.status_code == 201


def test_openapi_documents_the_body_the_constraints_and_the_201(example):
    schema = _client(example).get("/openapi.json").json()
    operation = schema["paths"]["/books"]["post"]
    assert operation["requestBody"] == {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BookCreate"}}},
        "required": True,
    }
    assert set(operation["responses"]) == {"201", "422"}
    assert operation["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BookPublic"
    }
    book = schema["components"]["schemas"]["BookCreate"]
    assert book["required"] == ["title", "author", "year"]
    assert book["properties"]["title"] == {
        "type": "string",
        "maxLength": 200,
        "minLength": 1,
        "title": "Title",
    }
    assert book["properties"]["author"] == {"type": "string", "minLength": 2, "title": "Author"}
    assert book["properties"]["year"] == {
        "type": "integer",
        "maximum": 2100,
        "minimum": 1000,
        "title": "Year",
    }
    assert "id" not in book["properties"]
    assert schema["components"]["schemas"]["BookPublic"]["required"] == [
        "title",
        "author",
        "year",
        "id",
    ]
