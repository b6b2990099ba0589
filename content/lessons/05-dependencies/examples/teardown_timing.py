from collections.abc import Iterator
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI, HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

events: list[str] = []


class NoteWhenResponseIsSent:
    """Pure ASGI middleware that records the moment the last body chunk leaves."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def noting_send(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                events.append("response sent")

        await self.app(scope, receive, noting_send)


class Session:
    def __init__(self) -> None:
        self.conflict = False

    def commit(self) -> None:
        if self.conflict:
            raise HTTPException(
                status_code=409, detail="Commit failed: the book was sold meanwhile"
            )


def get_session() -> Iterator[Session]:
    session = Session()
    events.append("session: open")
    try:
        yield session
        session.commit()
        events.append("session: commit")
    finally:
        events.append("session: close")


RequestScopedSession = Annotated[Session, Depends(get_session)]
FunctionScopedSession = Annotated[Session, Depends(get_session, scope="function")]

app = FastAPI(title="When teardown runs")
app.add_middleware(NoteWhenResponseIsSent)


@app.post("/orders")
def order_default(
    session: RequestScopedSession, tasks: BackgroundTasks, conflict: bool = False
) -> dict[str, str]:
    session.conflict = conflict
    tasks.add_task(events.append, "background task")
    events.append("endpoint")
    return {"status": "ordered"}


@app.post("/orders/checked")
def order_checked(session: FunctionScopedSession, conflict: bool = False) -> dict[str, str]:
    session.conflict = conflict
    events.append("endpoint")
    return {"status": "ordered"}
