"""Highlighted code blocks: a `<span>` only where the style sheet gives a token a colour, and the
line numbers as one column beside the code, out of what is copied."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from deepdive.course.render import STYLED_TOKEN_CLASSES, highlight_code
from deepdive.web.assets import STATIC_DIR

SOURCE = """from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
def read_item(item_id: int, q: str | None = None) -> dict[str, object]:
    return {"item_id": item_id, "q": q, "ok": True}
"""


class _Block(HTMLParser):
    """The elements of a block, the text inside its <code> and inside its line-number column."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.in_code: list[str | None] = []  # the class of each element inside <code>
        self.code = ""
        self.numbers = ""
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if "code" in self._open:
            self.in_code.append(attributes.get("class"))
        self._open.append("numbers" if attributes.get("class") == "linenos" else tag)

    def handle_endtag(self, tag: str) -> None:
        self._open.pop()

    def handle_data(self, data: str) -> None:
        if "numbers" in self._open:
            self.numbers += data
        elif "code" in self._open:
            self.code += data


def _parse(html: str) -> _Block:
    block = _Block()
    block.feed(html)
    return block


def test_the_style_sheet_colours_exactly_the_token_classes_that_keep_a_span():
    css = (STATIC_DIR / "css" / "site.css").read_text()
    coloured = set(re.findall(r"\.highlight \.([a-z0-9]+)\b(?=[^{]*\{[^}]*color:)", css))
    assert coloured - {"linenos", "hll"} == STYLED_TOKEN_CLASSES


def test_only_coloured_tokens_get_an_element_and_the_code_is_kept_exactly():
    block = _parse(highlight_code(SOURCE, filename="main.py"))
    spans = block.in_code
    assert set(spans) <= STYLED_TOKEN_CLASSES
    assert {"kn", "nd", "s2", "k", "nf", "nb", "kc"} <= set(spans)
    # Names, brackets, operators and spaces are plain text: far fewer elements than tokens.
    assert len(spans) < 30
    assert block.code == SOURCE


def test_line_numbers_are_one_column_starting_at_the_first_line_and_out_of_the_code():
    html = highlight_code(SOURCE, filename="main.py", first_line=12, highlight_lines=[14])
    block = _parse(html)
    gutters = [attrs for tag, attrs in block.elements if attrs.get("class") == "linenos"]
    assert len(gutters) == 1
    assert gutters[0].get("aria-hidden") == "true"
    assert block.numbers.split("\n") == [str(n) for n in range(12, 12 + SOURCE.count("\n"))]
    assert block.code == SOURCE
    # The highlighted line is the third one (line 14), and the block can be scrolled by keyboard.
    assert '<span class="hll">app = FastAPI()\n</span>' in html
    assert '<pre tabindex="0" class="numbered">' in html


def test_a_block_without_line_numbers_has_no_column():
    block = _parse(highlight_code("x = 1\n", language="python", line_numbers=False))
    assert not [attrs for _, attrs in block.elements if attrs.get("class") == "linenos"]
    assert block.code == "x = 1\n"
