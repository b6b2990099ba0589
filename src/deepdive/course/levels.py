"""Levels from total XP, on a ladder derived from the XP the whole course offers.

The names and the shape of the ladder live here and nowhere else: each level starts at a fixed
share of the course's total XP, so that finishing everything reaches the top level however
much the course offers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    min_xp: int


# Each level's name and where it starts, as a share of the course's total XP.
_RUNGS: tuple[tuple[str, float], ...] = (
    ("Newcomer", 0.0),
    ("Explorer", 0.05),
    ("Builder", 0.13),
    ("Practitioner", 0.24),
    ("Engineer", 0.37),
    ("Senior engineer", 0.53),
    ("Architect", 0.74),
    ("FastAPI expert", 1.0),
)

Ladder = tuple[Level, ...]


def ladder(total_xp: int) -> Ladder:
    """The levels of a course offering `total_xp`: the last one starts at `total_xp` itself,
    and every level starts at least one XP above the one before."""
    levels: list[Level] = []
    for number, (name, share) in enumerate(_RUNGS, start=1):
        start = round(total_xp * share)
        if levels:
            start = max(start, levels[-1].min_xp + 1)
        levels.append(Level(number, name, start))
    return tuple(levels)


@dataclass(frozen=True)
class LevelProgress:
    level: Level
    next_level: Level | None
    xp: int

    @property
    def percent_to_next(self) -> int:
        """How far (0-100) the learner is from this level's threshold to the next one."""
        if self.next_level is None:
            return 100
        span = self.next_level.min_xp - self.level.min_xp
        return min(100, (self.xp - self.level.min_xp) * 100 // span)


def level_for(xp: int, levels: Ladder) -> LevelProgress:
    reached = [level for level in levels if xp >= level.min_xp]
    current = reached[-1]
    following = levels[current.number] if current.number < len(levels) else None
    return LevelProgress(level=current, next_level=following, xp=xp)
