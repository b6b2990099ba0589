"""Accounts service: profiles by username, and the caller's own profile."""

from fastapi import FastAPI, Header

app = FastAPI()
USERS = {
    "alice": {"username": "alice", "plan": "pro"},
    "bob": {"username": "bob", "plan": "free"},
}


@app.get("/users/me")
def read_me(x_user: str = Header()) -> dict[str, str]:
    return USERS[x_user]
