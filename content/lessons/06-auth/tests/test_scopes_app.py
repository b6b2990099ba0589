import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def client(example):
    return TestClient(example("scopes_app").app)


def _headers(client, username, scope):
    form = {"username": username, "password": "any", "scope": scope}
    token = client.post("/token", data=form).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_a_read_scope_lists_books(client):
    response = client.get("/books", headers=_headers(client, "bob", "books:read"))
    assert response.json() == ["Dune", "Emma"]


def test_deleting_needs_the_write_scope(client):
    response = client.delete("/books/Dune", headers=_headers(client, "bob", "books:read"))
    assert response.status_code == 403
    assert response.json() == {"detail": "Missing scope books:write"}
    assert response.headers["www-authenticate"] == 'Bearer scope="books:write"'


def test_asking_for_a_scope_you_are_not_granted_gives_a_token_without_it(client):
    headers = _headers(client, "bob", "books:read books:write")
    assert client.delete("/books/Dune", headers=headers).status_code == 403


def test_a_granted_write_scope_deletes(client):
    headers = _headers(client, "alice", "books:read books:write")
    assert client.delete("/books/Dune", headers=headers).status_code == 204


def test_the_scopes_are_in_the_openapi_document(client):
    scheme = client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert scheme["OAuth2PasswordBearer"]["flows"]["password"]["scopes"] == {
        "books:read": "Read the catalogue",
        "books:write": "Change the catalogue",
    }
    operation = client.get("/openapi.json").json()["paths"]["/books/{title}"]["delete"]
    assert operation["security"] == [{"OAuth2PasswordBearer": ["books:write"]}]
