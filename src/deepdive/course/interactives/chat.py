"""`chat`: the learner's WebSocket app in a live sandbox session, talked to by two clients on the
page (and by the clients of the learner's other tabs that join the same room): every frame out
and in with its time, close codes, and the platform's caps said plainly."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from deepdive.course.interactives.base import InteractiveBase, Strict
from deepdive.course.interactives.fields import Location

_PATH = r"^/[A-Za-z0-9_./{}-]*$"
_NAME = r"^[a-z][a-z0-9-]{0,19}$"


class ChatOptions(Strict):
    echo_path: str = Field(default="/echo", pattern=_PATH, max_length=200)
    # The room's WebSocket route; `{room}` is replaced by the room name the page shows.
    room_path: str = Field(default="/rooms/{room}", pattern=_PATH, max_length=200)
    # Each client's name is sent as this query parameter on the room route.
    name_param: str = Field(default="name", pattern=r"^[a-z_]{1,20}$")
    names: tuple[str, str] = ("ada", "bob")
    # Further query parameters both clients send on the room route (a token, say).
    query: dict[str, str] = Field(default_factory=dict, max_length=5)

    @model_validator(mode="after")
    def _names(self) -> ChatOptions:
        for name in self.names:
            if not re.match(_NAME, name):
                raise ValueError(f"client name {name!r}: lowercase letters, digits and '-'")
        if self.names[0] == self.names[1]:
            raise ValueError("the two clients need different names")
        return self


class Chat(InteractiveBase):
    kind: Literal["chat"]
    options: ChatOptions = Field(default_factory=ChatOptions)

    instruments: ClassVar[tuple[str, ...]] = ()
    summary: ClassVar[str] = (
        "The learner's WebSocket app in a live session: two clients on the page (and those of "
        "the learner's other tabs in the same room) connect, send and disconnect; every frame "
        "out and in is listed with its time in the sandbox and each close with its code."
    )

    def check(self, sources: Mapping[str, str]) -> Iterator[tuple[Location, str]]:
        yield from super().check(sources)
        starter = sources.get(self.starter, "")
        for name in ("echo_path", "room_path"):
            path = getattr(self.options, name)
            if f'"{path}"' not in starter:
                yield (
                    ("options", name),
                    f"the starter {self.starter} declares no route {path!r} "
                    f'(@app.websocket("{path}")): the widget\'s clients would find nothing',
                )
