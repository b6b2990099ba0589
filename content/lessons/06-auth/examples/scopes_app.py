from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, Security, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm, SecurityScopes

SECRET_KEY = "change-me-to-32-random-bytes-from-secrets"
oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="token",
    scopes={"books:read": "Read the catalogue", "books:write": "Change the catalogue"},
)
app = FastAPI(title="Scopes")
GRANTS = {"alice": {"books:read", "books:write"}, "bob": {"books:read"}}


@app.post("/token")
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    allowed = GRANTS.get(form.username, set())
    granted = [scope for scope in form.scopes if scope in allowed]  # never more than allowed
    claims = {"sub": form.username, "scope": " ".join(granted)}
    return {"access_token": jwt.encode(claims, SECRET_KEY, algorithm="HS256")}


def current_user(
    security_scopes: SecurityScopes, token: Annotated[str, Depends(oauth2_scheme)]
) -> str:
    challenge = f'Bearer scope="{security_scopes.scope_str}"'
    try:
        claims = jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
    except jwt.InvalidTokenError:
        raise HTTPException(
            401, "Could not validate credentials", {"WWW-Authenticate": challenge}
        ) from None
    granted = set(claims.get("scope", "").split())
    for scope in security_scopes.scopes:
        if scope not in granted:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"Missing scope {scope}", {"WWW-Authenticate": challenge}
            )
    return claims["sub"]


@app.get("/books")
def list_books(user: Annotated[str, Security(current_user, scopes=["books:read"])]) -> list[str]:
    return ["Dune", "Emma"]


@app.delete("/books/{title}", status_code=204)
def delete_book(
    title: str, user: Annotated[str, Security(current_user, scopes=["books:write"])]
) -> None:
    return None
