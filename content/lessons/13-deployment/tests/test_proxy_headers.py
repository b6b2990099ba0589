from fastapi.testclient import TestClient


def test_urls_include_the_root_path_the_server_was_given(example):
    client = TestClient(example("proxy_headers").app, root_path="/api")
    body = client.get("/where").json()
    assert body["docs_url"] == "http://testserver/api/docs"
    assert body["scheme"] == "http"


def test_the_docs_ask_for_the_schema_under_the_root_path(example):
    client = TestClient(example("proxy_headers").app, root_path="/api")
    assert "/api/openapi.json" in client.get("/docs").text


def test_without_a_root_path_the_links_point_at_the_wrong_place(example):
    client = TestClient(example("proxy_headers").app)
    assert client.get("/where").json()["docs_url"] == "http://testserver/docs"
