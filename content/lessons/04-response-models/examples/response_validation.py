from fastapi import FastAPI, HTTPException
from pydantic import BaseModel


class UserOut(BaseModel):
    id: int
    username: str
    email: str


# Rows as a database driver returns them. The third came from an old import
# that allowed accounts without an email address.
_ROWS = [
    {"id": 1, "username": "alice", "email": "alice@example.com", "is_admin": True},
    {"id": 2, "username": "bob", "email": "bob@example.com", "is_admin": False},
    {"id": 3, "username": "legacy", "email": None, "is_admin": False},
]

app = FastAPI(title="Users")


@app.get("/users", response_model=list[UserOut])
def list_users() -> list[dict[str, object]]:
    return _ROWS


@app.get("/users/{user_id}", response_model=UserOut)
def read_user(user_id: int) -> dict[str, object]:
    for row in _ROWS:
        if row["id"] == user_id:
            return row
    raise HTTPException(status_code=404, detail=f"No user with id {user_id}")
