from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pwdlib import PasswordHash
from pydantic import BaseModel

SECRET_KEY = "change-me-to-32-random-bytes-from-secrets"
ALGORITHM = "HS256"
ACCESS_TOKEN_MINUTES = 5

password_hash = PasswordHash.recommended()  # argon2id
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")
app = FastAPI(title="Token app")

# The "database": alice's password is "wonderland"; only its argon2 hash is stored.
USERS = {
    "alice": {
        "username": "alice",
        "full_name": "Alice Liddell",
        "hashed_password": "$argon2id$v=19$m=65536,t=3,p=4$5ZE0Xa0w7boPLjEZHSE+uQ$"
        "Tq/GKRY9tXk56TUaCfkHoBQADkgGe2SID5wmopzZeWg",
    }
}
CREDENTIALS_ERROR = HTTPException(
    status_code=status.HTTP_401_UNAUTHORIZED,
    detail="Could not validate credentials",
    headers={"WWW-Authenticate": "Bearer"},
)


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


class UserOut(BaseModel):
    username: str
    full_name: str


def create_access_token(username: str) -> str:
    now = datetime.now(UTC)
    claims = {"sub": username, "iat": now, "exp": now + timedelta(minutes=ACCESS_TOKEN_MINUTES)}
    return jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHM)


@app.post("/token")
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    user = USERS.get(form.username)
    if user is None or not password_hash.verify(form.password, user["hashed_password"]):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Token(access_token=create_access_token(user["username"]))


def get_current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> dict:
    try:
        claims = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])
    except jwt.InvalidTokenError:
        raise CREDENTIALS_ERROR from None
    return USERS.get(claims["sub"])


@app.get("/me")
def read_me(user: Annotated[dict, Depends(get_current_user)]) -> UserOut:
    return UserOut(**user)


@app.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
def close_account(user: Annotated[dict, Depends(get_current_user)]) -> None:
    USERS.pop(user["username"], None)
