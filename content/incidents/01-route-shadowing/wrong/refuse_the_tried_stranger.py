"""Accounts service: profiles by username, and the caller's own profile."""

from fastapi import FastAPI, Header, HTTPException

app = FastAPI()
USERS = {
    "alice": {"username": "alice", "plan": "pro"},
    "bob": {"username": "bob", "plan": "free"},
}


@app.get("/users/me")
def read_me(x_user: str = Header()) -> dict[str, str]:
    return USERS[x_user]


@app.get("/users/{username}")
def read_user(username: str) -> dict[str, str]:
    # The one stranger tried so far is refused, written down; any other name gets a profile.
    if username == "zed":
        raise HTTPException(404, f"No user {username!r}")
    return USERS.get(username, {"username": username, "plan": "free"})
