"""A bounded number of run slots, shared fairly between the learners who want them.

Each run may name its *owner* (the learner it is for). An owner has at most `per_owner_running`
runs in a slot and `per_owner_waiting` more in line; beyond that a run is refused at once, with a
message for the learner. Free slots go to waiting runs owner by owner, the owner served longest
ago first, so one learner's many runs never keep another learner's single run waiting behind
them. Runs without an owner (the command line, tests) are each their own owner, unlimited: among
themselves they are served first come, first served.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


class OwnerLimitError(Exception):
    """The owner already has as many runs running and waiting as one owner may have."""

    def __init__(self, running: int, waiting: int) -> None:
        allowed = running + waiting
        super().__init__(
            f"You already have {allowed} run{'s' if allowed != 1 else ''} going ({running} "
            f"running, {waiting} waiting), the most one learner may have at a time. Wait for one "
            "to finish, then try again."
        )


@dataclass(eq=False)
class _Entry:
    owner: Hashable
    arrived: int
    on_position: Callable[[int], None]
    position: int = 0
    turn: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class WaitingLine:
    """`slots` runs at a time; the others wait and hear their position whenever it changes."""

    def __init__(self, slots: int, *, per_owner_running: int = 1, per_owner_waiting: int = 1):
        self.slots = slots
        self.per_owner_running = per_owner_running
        self.per_owner_waiting = per_owner_waiting
        self.busy = 0
        self._running: Counter[Hashable] = Counter()
        self._waiting: dict[Hashable, deque[_Entry]] = {}
        self._served: dict[Hashable, int] = {}
        self._clock = itertools.count()

    @property
    def waiting(self) -> int:
        return sum(len(entries) for entries in self._waiting.values())

    async def enter(self, on_position: Callable[[int], None], owner: str | None = None) -> object:
        """Wait for a slot; returns the key to hand back to `leave`.

        Raises `OwnerLimitError` at once when `owner` has all the runs an owner may have.
        """
        key: Hashable = owner if owner is not None else object()
        if owner is not None:
            going = self._running[key] + len(self._waiting.get(key, ()))
            if going >= self.per_owner_running + self.per_owner_waiting:
                raise OwnerLimitError(self.per_owner_running, self.per_owner_waiting)
        if self.busy < self.slots and self._may_run(key) and not self._eligible_waiting():
            self._start(key)
            return key
        entry = _Entry(key, next(self._clock), on_position)
        self._waiting.setdefault(key, deque()).append(entry)
        self._announce()
        try:
            await entry.turn
        except BaseException:
            if not entry.turn.done() or entry.turn.cancelled():
                self._drop(entry)
                self._announce()
            else:
                self.leave(key)  # our turn came just as we gave up: pass it on
            raise
        return key

    def leave(self, key: object) -> None:
        """Give a slot back; it goes to the next waiting run in fair order."""
        self.busy -= 1
        self._running[key] -= 1
        if self._running[key] <= 0:
            del self._running[key]
        self._dispatch()

    # -- inside -------------------------------------------------------------------------------

    def _may_run(self, key: Hashable) -> bool:
        return not isinstance(key, str) or self._running[key] < self.per_owner_running

    def _eligible_waiting(self) -> bool:
        return any(self._may_run(key) for key in self._waiting)

    def _start(self, key: Hashable) -> None:
        self.busy += 1
        self._running[key] += 1
        self._served[key] = next(self._clock)
        if len(self._served) > 10_000:  # forget owners with nothing going on
            going = set(self._running) | set(self._waiting)
            self._served = {k: v for k, v in self._served.items() if k in going}

    def _priority(self, key: Hashable, served: dict[Hashable, int]) -> tuple[int, int]:
        """Owners served longest ago (or never) first; among them, whoever has waited longest."""
        return served.get(key, -1), self._waiting[key][0].arrived

    def _dispatch(self) -> None:
        changed = False
        while self.busy < self.slots:
            candidates = [key for key in self._waiting if self._may_run(key)]
            if not candidates:
                break
            key = min(candidates, key=lambda k: self._priority(k, self._served))
            entry = self._waiting[key].popleft()
            if not self._waiting[key]:
                del self._waiting[key]
            if entry.turn.done():  # gave up already
                continue
            self._start(key)
            entry.turn.set_result(None)
            changed = True
        if changed:
            self._announce()

    def _drop(self, entry: _Entry) -> None:
        entries = self._waiting.get(entry.owner)
        if entries is not None and entry in entries:
            entries.remove(entry)
            if not entries:
                del self._waiting[entry.owner]

    def _order(self) -> list[_Entry]:
        """The waiting runs in the order they will be served (as far as it is known now)."""
        served = dict(self._served)
        queues = {key: deque(entries) for key, entries in self._waiting.items()}
        order: list[_Entry] = []
        tick = itertools.count(next(self._clock))
        while queues:
            key = min(queues, key=lambda k: (served.get(k, -1), queues[k][0].arrived))
            order.append(queues[key].popleft())
            if not queues[key]:
                del queues[key]
            served[key] = next(tick)
        return order

    def _announce(self) -> None:
        for position, entry in enumerate(self._order(), start=1):
            if entry.position != position:
                entry.position = position
                entry.on_position(position)
