"""A lesson's article cut at its h2/h3 headings: the outline of the page and what search indexes.

The renderer gives every h2 and h3 an `id` (and a `#` permalink); this reads the rendered HTML back,
so the outline and the search results can only ever link to anchors that exist on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

_SPACE = re.compile(r"\s+")
_HEADINGS = {"h2": 2, "h3": 3}
# Text that is not prose: permalink symbols, line numbers, copy buttons and code blocks (examples
# are indexed from their files instead).
_SKIPPED_CLASSES = {"header-anchor", "linenos", "copy-code", "code-block"}


@dataclass(frozen=True)
class Section:
    """One heading of an article and the prose under it (up to the next h2/h3)."""

    level: int
    anchor: str
    heading: str
    text: str


class _Splitter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = []
        self.lead: list[str] = []  # prose before the first heading
        self._open: list[str] = []  # tags opened since the innermost skipped element
        self._skip_depth = 0
        self._heading: tuple[int, str] | None = None
        self._heading_text: list[str] = []
        self._current: tuple[int, str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "hr", "input", "meta", "link", "wbr"):
            return
        classes = set((dict(attrs).get("class") or "").split())
        if self._skip_depth or classes & _SKIPPED_CLASSES:
            self._skip_depth += 1
            return
        if tag in _HEADINGS:
            self._finish()
            self._heading = (_HEADINGS[tag], dict(attrs).get("id") or "")
            self._heading_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "img", "hr", "input", "meta", "link", "wbr"):
            return
        if self._skip_depth:
            self._skip_depth -= 1
            return
        if tag in _HEADINGS and self._heading is not None:
            level, anchor = self._heading
            self._current = (level, anchor, _clean(self._heading_text))
            self._heading = None
        elif tag in ("p", "li", "td", "th", "div", "h4"):
            self._data(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self._data(data)

    def _data(self, data: str) -> None:
        if self._heading is not None:
            self._heading_text.append(data)
        elif self._current is not None:
            self._text.append(data)
        else:
            self.lead.append(data)

    def _finish(self) -> None:
        if self._current is not None and self._current[1]:
            level, anchor, heading = self._current
            self.sections.append(Section(level, anchor, heading, _clean(self._text)))
        self._current = None
        self._text = []

    def close(self) -> None:
        super().close()
        self._finish()


def _clean(parts: list[str]) -> str:
    return _SPACE.sub(" ", "".join(parts)).strip()


def split_sections(html: str) -> tuple[str, tuple[Section, ...]]:
    """(the prose before the first heading, the sections) of rendered article HTML."""
    splitter = _Splitter()
    splitter.feed(html)
    splitter.close()
    return _clean(splitter.lead), tuple(splitter.sections)
