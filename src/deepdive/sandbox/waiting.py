"""A bounded number of run slots, and a first-come, first-served line for the rest."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class WaitingLine:
    """`slots` runs at a time; everyone else waits in order and hears their position."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self.busy = 0
        self._line: list[tuple[asyncio.Future[None], Callable[[int], None]]] = []

    @property
    def waiting(self) -> int:
        return len(self._line)

    async def enter(self, on_position: Callable[[int], None]) -> None:
        """Return once a slot is ours; `on_position(n)` is called whenever our place changes."""
        if self.busy < self.slots and not self._line:
            self.busy += 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (turn, on_position)
        self._line.append(entry)
        on_position(len(self._line))
        try:
            await turn
        except BaseException:
            if entry in self._line:
                self._line.remove(entry)
                self._announce()
            elif turn.done() and not turn.cancelled():
                self.leave()  # our turn came just as we gave up: pass it on
            raise

    def leave(self) -> None:
        """Give a slot back: the first in line gets it."""
        while self._line:
            turn, _ = self._line.pop(0)
            if not turn.done():
                turn.set_result(None)
                self._announce()
                return
        self.busy -= 1

    def _announce(self) -> None:
        for position, (_, on_position) in enumerate(self._line, start=1):
            on_position(position)
