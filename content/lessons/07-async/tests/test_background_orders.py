from fastapi.testclient import TestClient


def test_order_is_accepted_and_the_email_is_sent_after_the_response(example):
    module = example("background_orders")
    client = TestClient(module.app)
    response = client.post("/orders/7")
    assert response.status_code == 202
    assert response.json() == {"order_id": 7, "status": "accepted"}
    # TestClient runs background tasks before returning, so the email is already there.
    assert client.get("/outbox").json() == ["ada@example.com: Order 7 received"]


def test_a_failing_task_does_not_change_the_response(example):
    client = TestClient(example("background_orders").app, raise_server_exceptions=False)
    response = client.post("/orders/8/audited")
    assert response.status_code == 202
    assert response.json() == {"order_id": 8, "status": "accepted"}


def test_signup_sends_the_welcome_email_before_answering(example):
    client = TestClient(example("background_orders").app)
    response = client.post("/signup", params={"email": "bo@example.com"})
    assert response.json() == {"email": "bo@example.com", "status": "registered"}
    assert client.get("/outbox").json() == ["bo@example.com: Welcome!"]
