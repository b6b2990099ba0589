from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("typed_endpoint").app)


def test_path_and_query_strings_arrive_as_python_types(example):
    response = _client(example).get("/books/42", params={"page": "7", "large_print": "yes"})
    assert response.status_code == 200
    assert response.json() == {"book_id": 42, "page": 7, "large_print": True}


def test_query_parameters_fall_back_to_their_defaults(example):
    response = _client(example).get("/books/42")
    assert response.status_code == 200
    assert response.json() == {"book_id": 42, "page": 1, "large_print": False}


def test_non_integer_book_id_is_a_422_pointing_at_the_path(example):
    response = _client(example).get("/books/abc")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["path", "book_id"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "abc",
            }
        ]
    }


def test_a_decimal_is_not_silently_truncated(example):
    response = _client(example).get("/books/3.5")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "book_id"]


def test_bad_query_value_is_a_422_pointing_at_the_query(example):
    response = _client(example).get("/books/42", params={"page": "two"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "page"]
    assert error["type"] == "int_parsing"
    assert error["input"] == "two"


def test_unreadable_boolean_is_rejected(example):
    response = _client(example).get("/books/42", params={"large_print": "maybe"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "large_print"]
    assert error["type"] == "bool_parsing"


def test_openapi_documents_each_parameter_from_its_type_hint(example):
    schema = _client(example).get("/openapi.json").json()
    operation = schema["paths"]["/books/{book_id}"]["get"]
    assert operation["description"] == "Open a book at a page, optionally in a large-print edition."
    assert operation["parameters"] == [
        {
            "name": "book_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "title": "Book Id"},
        },
        {
            "name": "page",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "default": 1, "title": "Page"},
        },
        {
            "name": "large_print",
            "in": "query",
            "required": False,
            "schema": {"type": "boolean", "default": False, "title": "Large Print"},
        },
    ]
    assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HTTPValidationError"
    }
    error_schema = schema["components"]["schemas"]["ValidationError"]
    assert error_schema["required"] == ["loc", "msg", "type"]


def test_every_bad_value_is_reported_in_one_response(example):
    response = _client(example).get("/books/abc", params={"page": "two"})
    assert response.status_code == 422
    locations = [error["loc"] for error in response.json()["detail"]]
    assert locations == [["path", "book_id"], ["query", "page"]]
