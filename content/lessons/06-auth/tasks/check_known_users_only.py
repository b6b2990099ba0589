"""Task: a token whose subject no longer exists is refused like any bad credential."""

LOGIN = {"username": "alice", "password": "wonderland"}


def test_a_token_for_a_closed_account_is_refused_with_401(client):
    login = client.post("/token", data=LOGIN)
    assert login.status_code == 200, f"POST /token answered {login.status_code}; keep it working"
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert client.get("/me", headers=headers).status_code == 200, (
        "GET /me with a fresh token should answer 200 before the account is closed"
    )
    closed = client.delete("/me", headers=headers)
    assert closed.status_code == 204, f"DELETE /me answered {closed.status_code}; keep it as it is"
    response = client.get("/me", headers=headers)
    assert response.status_code == 401, (
        f"GET /me with the token of a closed account answered {response.status_code}; the "
        "token is genuine but its sub names nobody, so refuse it with 401 in get_current_user"
    )
    challenge = response.headers.get("www-authenticate")
    assert challenge == "Bearer", (
        f"the 401 carried WWW-Authenticate: {challenge}; send WWW-Authenticate: Bearer, as "
        "every other credentials error does (raise CREDENTIALS_ERROR)"
    )
