from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Body, Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

SECRET_KEY = "change-me-to-32-random-bytes-from-secrets"
LIFETIMES = {"access": timedelta(minutes=5), "refresh": timedelta(days=14)}

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")
app = FastAPI(title="Access and refresh tokens")
PASSWORDS = {"alice": "wonderland"}  # plain text only to keep the example short


def issue(username: str, kind: str) -> str:
    now = datetime.now(UTC)
    claims = {"sub": username, "type": kind, "iat": now, "exp": now + LIFETIMES[kind]}
    return jwt.encode(claims, SECRET_KEY, algorithm="HS256")


def subject_of(token: str, kind: str) -> str:
    try:
        claims = jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
    except jwt.InvalidTokenError:
        claims = {}
    if claims.get("type") != kind:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail=f"This route needs the {kind} token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return claims["sub"]


@app.post("/token")
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    if PASSWORDS.get(form.username) != form.password:
        raise HTTPException(status_code=401, detail="Incorrect username or password")
    return {
        "access_token": issue(form.username, "access"),
        "refresh_token": issue(form.username, "refresh"),
        "token_type": "bearer",
    }


@app.post("/refresh")
def refresh(refresh_token: Annotated[str, Body(embed=True)]) -> dict[str, str]:
    username = subject_of(refresh_token, "refresh")
    return {"access_token": issue(username, "access"), "token_type": "bearer"}


@app.get("/me")
def read_me(token: Annotated[str, Depends(oauth2_scheme)]) -> dict[str, str]:
    return {"username": subject_of(token, "access")}
