from collections import Counter
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI

calls: Counter[str] = Counter()


def get_settings() -> dict[str, str]:
    calls["get_settings"] += 1
    return {"currency": "EUR"}


SettingsDep = Annotated[dict[str, str], Depends(get_settings)]
FreshSettings = Annotated[dict[str, str], Depends(get_settings, use_cache=False)]


def open_session() -> Iterator[str]:
    calls["open_session"] += 1
    yield f"session {calls['open_session']}"
    calls["close_session"] += 1


class Quota:
    """Each instance is its own callable, and so its own cache key."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self) -> int:
        calls[f"Quota({self.limit})"] += 1
        return self.limit


search_quota = Quota(100)

app = FastAPI(title="What the cache is keyed on")


@app.get("/aliases")
def two_spellings(
    a: SettingsDep, b: Annotated[dict[str, str], Depends(get_settings)]
) -> dict[str, bool]:
    return {"same_object": a is b}


@app.get("/fresh-last")
def fresh_last(a: SettingsDep, b: FreshSettings) -> dict[str, bool]:
    return {"same_object": a is b}


@app.get("/fresh-first")
def fresh_first(a: FreshSettings, b: SettingsDep) -> dict[str, bool]:
    return {"same_object": a is b}


@app.get("/sessions/shared")
def shared_session(
    a: Annotated[str, Depends(open_session)], b: Annotated[str, Depends(open_session)]
) -> dict[str, list[str]]:
    return {"sessions": [a, b]}


@app.get("/sessions/separate")
def separate_sessions(
    a: Annotated[str, Depends(open_session)],
    b: Annotated[str, Depends(open_session, use_cache=False)],
) -> dict[str, list[str]]:
    return {"sessions": [a, b]}


@app.get("/quota/shared-instance")
def shared_instance(
    a: Annotated[int, Depends(search_quota)], b: Annotated[int, Depends(search_quota)]
) -> dict[str, list[int]]:
    return {"limits": [a, b]}


@app.get("/quota/equal-instances")
def equal_instances(
    a: Annotated[int, Depends(Quota(100))], b: Annotated[int, Depends(Quota(100))]
) -> dict[str, list[int]]:
    return {"limits": [a, b]}
