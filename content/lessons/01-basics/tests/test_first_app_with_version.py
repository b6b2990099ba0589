from fastapi.testclient import TestClient


def test_version_route_answers_next_to_the_first_two(example):
    client = TestClient(example("first_app_with_version").app)
    assert client.get("/version").json() == {"version": "1.0"}
    assert client.get("/health").json() == {"status": "ok"}


def test_version_route_is_documented_without_extra_work(example):
    schema = TestClient(example("first_app_with_version").app).get("/openapi.json").json()
    assert list(schema["paths"]) == ["/", "/health", "/version"]
    operation = schema["paths"]["/version"]["get"]
    assert operation["summary"] == "Version"
    content = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert content == {
        "additionalProperties": {"type": "string"},
        "type": "object",
        "title": "Response Version Version Get",
    }
