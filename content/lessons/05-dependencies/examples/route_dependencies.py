from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request

events: list[str] = []
_SHELF = ["Dune", "Emma"]


def record_request(request: Request) -> None:
    events.append(f"app: {request.method} {request.url.path}")


def require_api_key(x_api_key: Annotated[str | None, Header()] = None) -> None:
    events.append("router: require_api_key")
    if x_api_key != "let-me-in":
        raise HTTPException(status_code=401, detail="Missing or wrong X-API-Key header")


def require_editor(x_role: Annotated[str | None, Header()] = None) -> None:
    events.append("decorator: require_editor")
    if x_role != "editor":
        raise HTTPException(status_code=403, detail="Only editors may remove books")


def get_shelf() -> list[str]:
    events.append("parameter: get_shelf")
    return _SHELF


app = FastAPI(title="Where dependencies are declared", dependencies=[Depends(record_request)])
admin = APIRouter(prefix="/admin", dependencies=[Depends(require_api_key)])


@admin.delete("/books/{title}", dependencies=[Depends(require_editor)])
def remove_book(title: str, shelf: Annotated[list[str], Depends(get_shelf)]) -> dict[str, object]:
    events.append("endpoint")
    if title not in shelf:
        raise HTTPException(status_code=404, detail=f"{title!r} is not on the shelf")
    shelf.remove(title)
    return {"removed": title, "left": shelf}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


app.include_router(admin)
