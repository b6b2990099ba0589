from fastapi.testclient import TestClient


def test_module_level_app_hides_schema_and_both_docs_pages(example):
    client = TestClient(example("docs_switch").app)
    for path in ("/openapi.json", "/docs", "/redoc"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not Found"}


def test_hidden_docs_do_not_affect_the_api(example):
    client = TestClient(example("docs_switch").app)
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_docs_can_be_switched_on_explicitly(example):
    client = TestClient(example("docs_switch").create_app(expose_docs=True))
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) == {"/health"}
    assert schema["info"]["title"] == "Bookshop"
    assert client.get("/docs").status_code == 200
    assert client.get("/redoc").status_code == 200
