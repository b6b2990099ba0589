"""Sorting and filtering the learners × lessons table, as the page's query parameters ask."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from deepdive.course.models import Course
from deepdive.course.progress import LessonState
from deepdive.instructor.report import LearnerRow

_STATE_ORDER = {LessonState.NOT_STARTED: 0, LessonState.IN_PROGRESS: 1, LessonState.DONE: 2}
_NEVER = datetime.min.replace(tzinfo=UTC)

# The columns a table sorts by, with what a row is compared on. A lesson's column sorts by
# "lesson:<slug>" (its state, then the XP earned in it).
COLUMNS: dict[str, Callable[[LearnerRow], object]] = {
    "name": lambda row: (row.member.name.casefold(), row.member.username),
    "xp": lambda row: row.progress.xp,
    "imported": lambda row: row.imported_xp,
    "done": lambda row: row.lessons_done,
    "tasks": lambda row: row.tasks_done,
    "incidents": lambda row: row.incidents_solved,
    "attempts": lambda row: row.attempts,
    "active": lambda row: row.last_active or _NEVER,
}


class TableQueryError(ValueError):
    """A sort or filter that names no column or lesson; the message says what exists."""


@dataclass(frozen=True)
class TableQuery:
    sort: str = "name"
    descending: bool = False
    search: str = ""  # part of a username or display name
    lesson: str | None = None  # with `state`: only learners in that state in that lesson
    state: LessonState | None = None

    def check(self, course: Course) -> None:
        lessons = {lesson.slug for lesson in course.lessons}
        column, _, slug = self.sort.partition(":")
        if column == "lesson" and slug in lessons:
            pass
        elif self.sort not in COLUMNS:
            names = ", ".join([*COLUMNS, "lesson:<lesson slug>"])
            raise TableQueryError(f"The table cannot be sorted by {self.sort!r}; use {names}.")
        if self.lesson is not None and self.lesson not in lessons:
            raise TableQueryError(f"There is no lesson {self.lesson!r} to filter by.")
        if self.state is not None and self.lesson is None:
            raise TableQueryError("Choose the lesson whose state to filter by.")

    def apply(self, rows: list[LearnerRow]) -> list[LearnerRow]:
        needle = self.search.casefold().strip()
        if needle:
            rows = [
                row
                for row in rows
                if needle in row.member.username.casefold()
                or needle in row.member.display_name.casefold()
            ]
        if self.lesson is not None and self.state is not None:
            rows = [row for row in rows if row.cells[self.lesson].state is self.state]
        # By name first, so rows that tie on the sorted column keep a stable, readable order.
        rows = sorted(rows, key=COLUMNS["name"])
        return sorted(rows, key=self._key, reverse=self.descending)

    def _key(self, row: LearnerRow) -> object:
        column, _, slug = self.sort.partition(":")
        if column == "lesson":
            cell = row.cells[slug]
            return (_STATE_ORDER[cell.state], cell.xp)
        return COLUMNS[self.sort](row)

    def link(self, **changes: object) -> str:
        """The query string of this table with some parameters changed (for sort headers)."""
        values = {
            "sort": self.sort,
            "order": "desc" if self.descending else "asc",
            "q": self.search,
            "lesson": self.lesson or "",
            "state": self.state.value if self.state else "",
        }
        values.update({key: str(value) for key, value in changes.items()})
        return "?" + urlencode({key: value for key, value in values.items() if value})

    def sort_link(self, column: str) -> str:
        """Sorting by `column`: ascending first, or the other way round if already sorted by it.
        Numbers start with the largest, names with A."""
        if self.sort == column:
            return self.link(order="asc" if self.descending else "desc")
        return self.link(sort=column, order="asc" if column == "name" else "desc")

    def aria_sort(self, column: str) -> str:
        if self.sort != column:
            return "none"
        return "descending" if self.descending else "ascending"
