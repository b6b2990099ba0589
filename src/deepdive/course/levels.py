"""Levels from total XP. The thresholds live here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    min_xp: int


LEVELS: tuple[Level, ...] = (
    Level(1, "Newcomer", 0),
    Level(2, "Explorer", 100),
    Level(3, "Builder", 250),
    Level(4, "Practitioner", 450),
    Level(5, "Engineer", 700),
    Level(6, "Senior engineer", 1000),
    Level(7, "Architect", 1400),
    Level(8, "FastAPI expert", 1900),
)


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


def level_for(xp: int) -> LevelProgress:
    reached = [level for level in LEVELS if xp >= level.min_xp]
    current = reached[-1]
    following = LEVELS[current.number] if current.number < len(LEVELS) else None
    return LevelProgress(level=current, next_level=following, xp=xp)
