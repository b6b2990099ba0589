import pytest
from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("book_search").app)


def _ids(response) -> list[int]:
    return [book["id"] for book in response.json()["items"]]


def test_without_parameters_every_default_applies(example):
    response = _client(example).get("/books")
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["limit"], body["offset"]) == (5, 20, 0)
    assert _ids(response) == [1, 2, 3, 4, 5]


def test_filters_combine_and_sort_applies_to_the_result(example):
    response = _client(example).get(
        "/books", params={"genre": "fantasy", "in_stock": "yes", "sort": "title"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "total": 2,
        "limit": 20,
        "offset": 0,
        "items": [
            {"id": 5, "title": "A Wizard of Earthsea", "genre": "fantasy", "in_stock": True},
            {"id": 1, "title": "The Hobbit", "genre": "fantasy", "in_stock": True},
        ],
    }


@pytest.mark.parametrize("word", ["1", "true", "True", "TRUE", "yes", "on", "t", "y"])
def test_words_for_true_are_converted(example, word):
    response = _client(example).get("/books", params={"in_stock": word})
    assert response.status_code == 200
    assert _ids(response) == [1, 3, 5]


@pytest.mark.parametrize("word", ["0", "false", "no", "off", "f", "n"])
def test_words_for_false_are_converted(example, word):
    response = _client(example).get("/books", params={"in_stock": word})
    assert response.status_code == 200
    assert _ids(response) == [2, 4]


@pytest.mark.parametrize("word", ["maybe", "2", "", " true"])
def test_anything_else_is_not_a_boolean(example, word):
    response = _client(example).get("/books", params={"in_stock": word})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["type"] == "bool_parsing"
    assert error["loc"] == ["query", "in_stock"]
    assert error["input"] == word


def test_enum_accepts_the_value_not_the_member_name(example):
    client = _client(example)
    assert _ids(client.get("/books", params={"genre": "science-fiction"})) == [3, 4]
    for text in ("science_fiction", "Fantasy", ""):
        response = client.get("/books", params={"genre": text})
        assert response.status_code == 422, text
        assert response.json()["detail"][0]["type"] == "enum"


def test_title_filter_ignores_case_and_pagination_slices_the_matches(example):
    response = _client(example).get("/books", params={"title": "THE", "limit": 1, "offset": 1})
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["limit"], body["offset"]) == (2, 1, 1)
    assert _ids(response) == [4]


def test_offset_past_the_end_is_an_empty_page_not_an_error(example):
    response = _client(example).get("/books", params={"offset": 10})
    assert response.status_code == 200
    assert response.json()["total"] == 5
    assert response.json()["items"] == []


def test_every_bad_value_is_reported_at_once(example):
    response = _client(example).get("/books", params={"genre": "poetry", "limit": 500})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "enum",
                "loc": ["query", "genre"],
                "msg": "Input should be 'fantasy', 'mystery' or 'science-fiction'",
                "input": "poetry",
                "ctx": {"expected": "'fantasy', 'mystery' or 'science-fiction'"},
            },
            {
                "type": "less_than_equal",
                "loc": ["query", "limit"],
                "msg": "Input should be less than or equal to 100",
                "input": "500",
                "ctx": {"le": 100},
            },
        ]
    }


def test_errors_follow_the_order_of_the_parameters(example):
    params = {"offset": -1, "sort": "year", "title": "x" * 51}
    response = _client(example).get("/books", params=params)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [(e["loc"][1], e["type"]) for e in errors] == [
        ("title", "string_too_long"),
        ("sort", "literal_error"),
        ("offset", "greater_than_equal"),
    ]
    assert errors[0]["ctx"] == {"max_length": 50}


def test_a_misspelt_parameter_is_silently_ignored(example):
    response = _client(example).get("/books", params={"genra": "fantasy"})
    assert response.status_code == 200
    assert response.json()["total"] == 5


def test_when_a_parameter_is_repeated_the_last_value_wins(example):
    response = _client(example).get("/books?genre=mystery&genre=fantasy")
    assert response.status_code == 200
    assert _ids(response) == [1, 5]


def test_openapi_lists_types_defaults_bounds_and_choices(example):
    schema = _client(example).get("/openapi.json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/books"]["get"]["parameters"]}
    assert list(parameters) == ["genre", "in_stock", "title", "sort", "limit", "offset"]
    assert all(p["in"] == "query" and p["required"] is False for p in parameters.values())
    assert parameters["genre"]["schema"]["anyOf"] == [
        {"$ref": "#/components/schemas/Genre"},
        {"type": "null"},
    ]
    assert schema["components"]["schemas"]["Genre"]["enum"] == [
        "fantasy",
        "mystery",
        "science-fiction",
    ]
    assert parameters["title"]["schema"]["anyOf"][0] == {"type": "string", "maxLength": 50}
    assert parameters["sort"]["schema"]["enum"] == ["id", "title"]
    assert parameters["limit"]["schema"] == {
        "type": "integer",
        "maximum": 100,
        "minimum": 1,
        "default": 20,
        "title": "Limit",
    }
    assert parameters["offset"]["schema"]["minimum"] == 0
