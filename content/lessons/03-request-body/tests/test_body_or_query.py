from fastapi.testclient import TestClient

DUNE = {"title": "Dune", "author": "Frank Herbert"}


def _client(example) -> TestClient:
    return TestClient(example("body_or_query").app)


def test_path_query_and_body_are_read_from_their_own_places(example):
    response = _client(example).post("/shelves/3/books?notify=true", json=DUNE)
    assert response.status_code == 201
    assert response.json() == {"shelf_id": 3, "book": DUNE, "notify": True}


def test_a_single_model_is_the_whole_body_not_a_key_inside_it(example):
    response = _client(example).post("/shelves/3/books", json={"book": DUNE})
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [
        ["body", "title"],
        ["body", "author"],
    ]


def test_two_body_models_are_each_expected_under_their_parameter_name(example):
    body = {"book": DUNE, "review": {"stars": 5, "text": "Spice must flow"}}
    response = _client(example).post("/books/reviewed", json=body)
    assert response.status_code == 201
    assert response.json() == body


def test_two_body_models_sent_flat_are_both_reported_missing(example):
    response = _client(example).post("/books/reviewed", json=DUNE)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["body", "book"], "msg": "Field required", "input": None},
            {"type": "missing", "loc": ["body", "review"], "msg": "Field required", "input": None},
        ]
    }


def test_embed_wraps_a_single_model_in_a_key(example):
    client = _client(example)
    assert client.post("/books/wrapped", json={"book": DUNE}).json() == DUNE
    response = client.post("/books/wrapped", json=DUNE)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "book"]


def test_a_bare_list_parameter_is_read_from_the_body(example):
    client = _client(example)
    assert client.post("/books/tagged", json=["classic", "desert"]).json() == [
        "classic",
        "desert",
    ]
    response = client.post("/books/tagged?tags=classic&tags=desert")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]
    }


def test_query_marks_a_list_as_repeated_query_parameters(example):
    response = _client(example).get("/books?tag=classic&tag=desert")
    assert response.status_code == 200
    assert response.json() == ["classic", "desert"]


def test_openapi_places_each_parameter_where_it_is_read(example):
    schema = _client(example).get("/openapi.json").json()
    shelve = schema["paths"]["/shelves/{shelf_id}/books"]["post"]
    assert [(p["name"], p["in"]) for p in shelve["parameters"]] == [
        ("shelf_id", "path"),
        ("notify", "query"),
    ]
    assert shelve["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BookCreate"
    }
    tagged = schema["paths"]["/books/tagged"]["post"]
    assert "parameters" not in tagged
    assert tagged["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"
    listing = schema["paths"]["/books"]["get"]
    assert [(p["name"], p["in"]) for p in listing["parameters"]] == [("tag", "query")]
    reviewed = schema["paths"]["/books/reviewed"]["post"]["requestBody"]
    wrapper = reviewed["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][wrapper]["required"] == ["book", "review"]
