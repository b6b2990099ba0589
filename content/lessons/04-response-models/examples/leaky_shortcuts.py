from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict


class UserOut(BaseModel):
    id: int
    username: str


class UserInDB(UserOut):
    hashed_password: str
    is_admin: bool = False


class LenientUserOut(UserOut):
    model_config = ConfigDict(extra="allow")  # unknown keys are kept, and serialized


_ALICE = UserInDB(id=1, username="alice", hashed_password="$argon2id$…", is_admin=True)

app = FastAPI(title="Leaky shortcuts")


@app.get("/denylist", response_model=UserInDB, response_model_exclude={"hashed_password"})
def denylist() -> Any:
    return _ALICE  # the hash is hidden, but is_admin was forgotten, and the docs list both


@app.get("/hand-made", response_model=UserOut)
def hand_made() -> Any:
    return JSONResponse(_ALICE.model_dump())  # a Response is sent as it is: no filtering


@app.get("/lenient", response_model=LenientUserOut)
def lenient() -> Any:
    return _ALICE.model_dump()  # extra keys in the dict become extra fields of the output
