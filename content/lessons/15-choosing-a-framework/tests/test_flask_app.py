"""The benchmark's Flask app, tested with Flask's own test client."""

VALID = {"title": "Snow Crash", "year": 1992}
INVALID = [{"title": "", "year": 1992}, {"title": "Snow Crash", "year": 99}, {"title": "X"}]


def test_flask_app(example):
    client = example("flask_app").app.test_client()
    assert client.get("/hello").get_json() == {"message": "Hello, world"}
    assert client.get("/books/2").get_json() == {"id": 2, "title": "Neuromancer", "year": 1984}
    assert client.get("/books/9").status_code == 404
    created = client.post("/books", json=VALID)
    assert (created.status_code, created.get_json()) == (201, {"id": 4, **VALID})
    for body in [*INVALID, {"title": "Snow Crash", "year": True}]:
        assert client.post("/books", json=body).status_code == 422
