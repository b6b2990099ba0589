from fastapi.testclient import TestClient

GOOD_OMENS = {
    "title": "Good Omens",
    "authors": [{"name": "Terry Pratchett", "born": 1948}, {"name": "Neil Gaiman", "born": 1960}],
    "publisher": {"name": "Gollancz", "country": "GB"},
    "tags": ["comedy"],
}


def _client(example) -> TestClient:
    return TestClient(example("nested_models").app)


def test_nested_objects_and_lists_are_validated_and_returned(example):
    response = _client(example).post("/books", json=GOOD_OMENS)
    assert response.status_code == 201
    assert response.json() == GOOD_OMENS


def test_optional_nested_parts_get_their_defaults(example):
    body = {"title": "Mort", "authors": [{"name": "Terry Pratchett"}]}
    response = _client(example).post("/books", json=body)
    assert response.status_code == 201
    assert response.json() == {
        "title": "Mort",
        "authors": [{"name": "Terry Pratchett", "born": None}],
        "publisher": None,
        "tags": [],
    }


def test_error_inside_a_list_item_names_the_index_and_the_field(example):
    body = {**GOOD_OMENS, "authors": [{"name": "Terry Pratchett"}, {"name": "N"}]}
    response = _client(example).post("/books", json=body)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_short",
                "loc": ["body", "authors", 1, "name"],
                "msg": "String should have at least 2 characters",
                "input": "N",
                "ctx": {"min_length": 2},
            }
        ]
    }


def test_missing_field_of_a_nested_object_is_located_inside_it(example):
    body = {**GOOD_OMENS, "publisher": {"name": "Gollancz"}}
    response = _client(example).post("/books", json=body)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "missing",
                "loc": ["body", "publisher", "country"],
                "msg": "Field required",
                "input": {"name": "Gollancz"},
            }
        ]
    }


def test_a_string_where_an_object_belongs_is_rejected(example):
    response = _client(example).post("/books", json={**GOOD_OMENS, "publisher": "Gollancz"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["type"], error["loc"]) == ("model_attributes_type", ["body", "publisher"])


def test_list_length_limits_apply_to_the_list_itself(example):
    client = _client(example)
    empty = client.post("/books", json={**GOOD_OMENS, "authors": []})
    assert empty.status_code == 422
    assert empty.json()["detail"][0] == {
        "type": "too_short",
        "loc": ["body", "authors"],
        "msg": "List should have at least 1 item after validation, not 0",
        "input": [],
        "ctx": {"field_type": "List", "min_length": 1, "actual_length": 0},
    }
    crowded = client.post("/books", json={**GOOD_OMENS, "tags": list("abcdef")})
    assert crowded.status_code == 422
    [error] = crowded.json()["detail"]
    assert (error["type"], error["loc"], error["ctx"]["max_length"]) == (
        "too_long",
        ["body", "tags"],
        5,
    )


def test_every_error_in_every_nested_part_is_reported_at_once(example):
    body = {**GOOD_OMENS, "authors": [{"name": "N", "born": -1}], "publisher": {"name": "G"}}
    response = _client(example).post("/books", json=body)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [
        ["body", "authors", 0, "name"],
        ["body", "authors", 0, "born"],
        ["body", "publisher", "name"],
        ["body", "publisher", "country"],
    ]


def test_openapi_lists_each_nested_model_as_its_own_schema(example):
    schema = _client(example).get("/openapi.json").json()
    components = schema["components"]["schemas"]
    assert {"Author", "Publisher", "BookCreate"} <= set(components)
    authors = components["BookCreate"]["properties"]["authors"]
    assert authors == {
        "items": {"$ref": "#/components/schemas/Author"},
        "type": "array",
        "maxItems": 10,
        "minItems": 1,
        "title": "Authors",
    }
    assert components["Publisher"]["properties"]["country"] == {
        "type": "string",
        "maxLength": 2,
        "minLength": 2,
        "title": "Country",
    }
