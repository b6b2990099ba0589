"""Accounts service: profiles by username, and the caller's own profile."""

from fastapi import FastAPI, HTTPException

app = FastAPI()
USERS = {
    "alice": {"username": "alice", "plan": "pro"},
    "bob": {"username": "bob", "plan": "free"},
    "me": {"username": "alice", "plan": "pro"},
}


@app.get("/users/{username}")
def read_user(username: str) -> dict[str, str]:
    if username not in USERS:
        raise HTTPException(404, f"No user {username!r}")
    return USERS[username]
