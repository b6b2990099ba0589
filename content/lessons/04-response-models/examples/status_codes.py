from datetime import UTC, datetime
from itertools import count

from fastapi import FastAPI, HTTPException, Response, status
from pwdlib import PasswordHash
from pydantic import BaseModel, Field


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=30)
    email: str
    password: str = Field(min_length=12)


class UserOut(BaseModel):
    id: int
    username: str
    email: str
    created_at: datetime


class UserInDB(UserOut):
    hashed_password: str


class Message(BaseModel):
    detail: str


_NOT_FOUND = {status.HTTP_404_NOT_FOUND: {"model": Message, "description": "No such user"}}
_TAKEN = {status.HTTP_409_CONFLICT: {"model": Message, "description": "Username taken"}}

_hasher = PasswordHash.recommended()
_USERS: dict[int, UserInDB] = {}
_ids = count(1)

app = FastAPI(title="Users")


def _find(user_id: int) -> UserInDB:
    user = _USERS.get(user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"No user with id {user_id}")
    return user


@app.post("/users", status_code=status.HTTP_201_CREATED, responses=_TAKEN)
def create_user(new_user: UserCreate, response: Response) -> UserOut:
    if any(user.username == new_user.username for user in _USERS.values()):
        raise HTTPException(status.HTTP_409_CONFLICT, detail="That username is taken")
    user = UserInDB(
        id=next(_ids),
        username=new_user.username,
        email=new_user.email,
        created_at=datetime.now(UTC),
        hashed_password=_hasher.hash(new_user.password),
    )
    _USERS[user.id] = user
    response.headers["Location"] = f"/users/{user.id}"
    return user


@app.get("/users/{user_id}", responses=_NOT_FOUND)
def read_user(user_id: int) -> UserOut:
    return _find(user_id)


@app.delete("/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_NOT_FOUND)
def delete_user(user_id: int) -> None:
    del _USERS[_find(user_id).id]
