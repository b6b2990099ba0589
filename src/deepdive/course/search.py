"""Full-text search over the course: lesson titles, section headings, article prose and examples.

The index is SQLite FTS5 in memory, built from the loaded course when the app starts (the course
is fixed while serving, so a restart after editing content rebuilds it). What a learner types is
never passed to FTS5 as query syntax: it is cut into words, each searched as a quoted prefix, so
quotes, stars, `AND`, `NEAR(` or a page of text are only ever words, never a syntax error.
"""

from __future__ import annotations

import html
import re
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup

from deepdive.course.models import Course
from deepdive.course.sections import split_sections

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
_WORD = re.compile(r"\w+")
# Words too common to narrow anything down; FTS5's operators are among them, so a query of only
# `AND` or `NOT` finds nothing instead of everything.
_STOP_WORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it"}
    | {"near", "not", "of", "on", "or", "the", "to", "with"}
)
# Private-use characters mark the matched words in snippets: they cannot occur in the course,
# and survive HTML escaping, after which they become <mark> tags.
_OPEN, _CLOSE = "\ue000", "\ue001"
# bm25 weights of the columns: lesson title, heading, text.
_WEIGHTS = (8.0, 4.0, 1.0)


@dataclass(frozen=True)
class SearchHit:
    url: str
    lesson_title: str
    # The section's heading, the example's file name, or "" for the lesson itself (escaped, marked).
    heading: Markup
    kind: str  # "lesson", "section" or "example"
    snippet: Markup  # escaped text with the matched words in <mark>


@dataclass(frozen=True)
class SearchResult:
    query: str
    terms: tuple[str, ...]
    hits: tuple[SearchHit, ...]

    @property
    def message(self) -> str:
        """What to tell the learner when there is nothing to show."""
        if self.hits:
            return ""
        if not self.query.strip():
            return "Type a word to search the lessons, their sections and examples."
        if not self.terms:
            return (
                f"Nothing to search for in “{self.query[:60]}”: type words such as "
                "“dependency” or “response model”."
            )
        return f"No lesson, section or example mentions {' '.join(self.terms)}."


def query_terms(query: str) -> tuple[str, ...]:
    """The words of a query that are worth searching for, in order, without repeats."""
    words = _WORD.findall(query[:MAX_QUERY_CHARS].casefold())
    kept = [word for word in dict.fromkeys(words) if word not in _STOP_WORDS]
    return tuple(kept[:MAX_TERMS])


def _mark(text: str) -> Markup:
    escaped = html.escape(text, quote=False)
    return Markup(escaped.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>"))  # noqa: S704


class SearchIndex:
    def __init__(self, course: Course) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE entry USING fts5("
            "lesson_title, heading, body, url UNINDEXED, kind UNINDEXED, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        self._db.executemany(
            "INSERT INTO entry (lesson_title, heading, body, url, kind) VALUES (?, ?, ?, ?, ?)",
            list(_entries(course)),
        )
        self._db.commit()

    def search(self, query: str, limit: int = 20) -> SearchResult:
        terms = query_terms(query)
        if not terms:
            return SearchResult(query, terms, ())
        # Every term must match (implicit AND); each is a quoted string followed by a prefix star.
        match = " ".join('"' + term.replace('"', '""') + '"*' for term in terms)
        with self._lock:
            rows = self._db.execute(
                "SELECT url, lesson_title, kind, highlight(entry, 1, ?, ?), "
                "snippet(entry, 2, ?, ?, '…', 24) FROM entry WHERE entry MATCH ? "
                "ORDER BY bm25(entry, ?, ?, ?) LIMIT ?",
                (_OPEN, _CLOSE, _OPEN, _CLOSE, match, *_WEIGHTS, limit),
            ).fetchall()
        hits = tuple(
            SearchHit(url, title, _mark(heading), kind, _mark(snippet))
            for url, title, kind, heading, snippet in rows
        )
        return SearchResult(query, terms, hits)

    def close(self) -> None:
        self._db.close()


def _entries(course: Course) -> Iterator[tuple[str, str, str, str, str]]:
    for lesson in course.lessons:
        url = f"/lessons/{lesson.slug}"
        lead, _sections = split_sections(lesson.intro_html)
        yield lesson.title, "", f"{lesson.meta.summary} {lead}", url, "lesson"
        for section in lesson.sections:
            yield lesson.title, section.heading, section.text, f"{url}#{section.anchor}", "section"
        for example in sorted((lesson.directory / "examples").glob("*.py")):
            yield lesson.title, example.name, example.read_text(encoding="utf-8"), url, "example"
