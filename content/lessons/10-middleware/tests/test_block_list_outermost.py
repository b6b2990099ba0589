from fastapi.testclient import TestClient


def test_outside_the_proxy_layer_the_block_list_sees_the_proxy_not_the_client(example):
    client = TestClient(example("block_list_outermost").app, client=("127.0.0.1", 50000))
    response = client.get("/books", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.status_code == 200
