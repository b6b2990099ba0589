from fastapi.testclient import TestClient


def test_signup_sends_the_welcome_email_as_a_background_task(example):
    client = TestClient(example("background_fixed").app)
    response = client.post("/signup", params={"email": "bo@example.com"})
    assert response.status_code == 200
    assert client.get("/outbox").json() == ["bo@example.com: Welcome!"]


def test_a_failing_audit_is_recorded_instead_of_lost(example):
    client = TestClient(example("background_fixed").app)
    assert client.post("/orders/8/audited").status_code == 202
    assert client.get("/failed-tasks").json() == [
        "order 8: the audit log is full, order 8 was not recorded"
    ]
