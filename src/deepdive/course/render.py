"""Markdown to HTML for lessons: code included from files, highlighted on the server.

Two directives extend Markdown, each on a line of its own:

- `{* examples/app.py lines=4-9 highlight=6 *}` shows a file of the lesson as a code block;
- `{! interactive ID !}` marks where an interactive goes.

Links may point into the reference Bookstore API:
`[the books router](bookstore:api/routes/books.py#L44)`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from pygments import format as format_tokens
from pygments import lex
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import STANDARD_TYPES, Text
from pygments.util import ClassNotFound

_INCLUDE = re.compile(r"^\{\*\s+(?P<path>\S+)(?P<options>(?:\s+\w+=\S+)*)\s*\*\}\s*$")
_INTERACTIVE = re.compile(r"^\{!\s+interactive\s+(?P<id>[a-z0-9-]+)\s*!\}\s*$")
# `{! component benchmark !}`: a part of the page the course itself provides (see COMPONENTS).
_COMPONENT = re.compile(r"^\{!\s+component\s+(?P<name>[a-z0-9-]+)\s*!\}\s*$")
COMPONENTS = frozenset({"benchmark", "recommender", "final-challenge"})
_OPTION = re.compile(r"(\w+)=(\S+)")
_ENV_KEY = "deepdive"
BOOKSTORE_SCHEME = "bookstore:"
_WORD = re.compile(r"[A-Za-z0-9][\w'’.-]*")
# The token classes the site's style sheet colours (`.highlight .k` and so on in site.css). Every
# other token (names, punctuation, operators, spaces) is drawn like plain text, so it is written
# as plain text: a `<span>` per token made the course page hold thousands of elements.
_COLOURED_TOKENS = {
    "keyword": "k kn kd kr kt ow kp",
    "number": "kc m mi mf mh mo mb",
    "string": "s s1 s2 sa sb sc sd se sh si sx sr ss dl",
    "comment": "c c1 cm ch cs cp cpf",
    "function": "nf fm",
    "class": "nc ne",
    "decorator": "nd",
    "builtin": "nb bp",
    "property": "nt na",
    "prompt and output": "gp go",
    "error": "err",
}
STYLED_TOKEN_CLASSES = frozenset(c for group in _COLOURED_TOKENS.values() for c in group.split())


@dataclass(frozen=True)
class SourceLinks:
    """Where `bookstore:` links lead: the folder of the Bookstore's source, and the URL of the
    course's page that shows it."""

    root: Path
    url: str = "/bookstore"


@dataclass
class RenderProblem:
    line: int
    message: str


@dataclass
class RenderEnv:
    """What the renderer needs from the loader, and what it reports back.

    `first_line` is the line number, in lesson.md, of the first line of the rendered text.
    """

    lesson_dir: Path
    first_line: int
    links: SourceLinks | None = None
    problems: list[RenderProblem] = field(default_factory=list)
    included: set[str] = field(default_factory=set)
    interactives: list[tuple[str, int]] = field(default_factory=list)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(RenderProblem(self.first_line + line, message))


@dataclass(frozen=True)
class RenderedMarkdown:
    """HTML split at interactive placeholders: html, (id,), html, ("component", name), html ..."""

    chunks: list[str | tuple[str] | tuple[str, str]]
    paragraphs: int
    words: int


def _parse_ranges(spec: str) -> list[tuple[int, int]]:
    ranges = []
    for part in spec.split(","):
        start, _, end = part.partition("-")
        first = int(start)
        last = int(end) if end else first
        if first < 1 or last < first:
            raise ValueError(part)
        ranges.append((first, last))
    return ranges


def focusable(block: str) -> str:
    """A highlighted block whose `<pre>` can take keyboard focus, so that a reader without a
    mouse can scroll a long line sideways."""
    return re.sub(r"<pre(?=[ >])", '<pre tabindex="0"', block, count=1)


def _with_line_numbers(block: str, first: int, count: int) -> str:
    """The line numbers of a highlighted block as one column beside the code (one element, not
    one per line); screen readers and copying skip them."""
    numbers = "\n".join(str(n) for n in range(first, first + count))
    gutter = f'<span class="linenos" aria-hidden="true">{numbers}</span>'
    return block.replace("<pre><span></span><code>", f'<pre class="numbered">{gutter}<code>', 1)


def highlight_code(
    source: str,
    *,
    filename: str | None = None,
    language: str | None = None,
    first_line: int = 1,
    highlight_lines: list[int] | None = None,
    line_numbers: bool = True,
) -> str:
    """A highlighted code block with a caption (file name) and a copy button."""
    try:
        if language:
            lexer = get_lexer_by_name(language)
        elif filename:
            lexer = get_lexer_for_filename(filename)
        else:
            lexer = get_lexer_by_name("text")
    except ClassNotFound:
        lexer = get_lexer_by_name("text")
    formatter = HtmlFormatter(
        cssclass="highlight",
        wrapcode=True,
        hl_lines=[n - first_line + 1 for n in highlight_lines or []],
    )
    tokens = [
        (ttype if STANDARD_TYPES.get(ttype) in STYLED_TOKEN_CLASSES else Text, value)
        for ttype, value in lex(source, lexer)
    ]
    body = format_tokens(tokens, formatter)
    if line_numbers:
        body = _with_line_numbers(body, first_line, sum(value.count("\n") for _, value in tokens))
    body = focusable(body)
    label = html.escape(filename) if filename else html.escape(lexer.name)
    return (
        '<figure class="code-block">'
        f'<figcaption><span class="code-name">{label}</span>'
        '<button type="button" class="copy-code" data-copy-code>Copy</button></figcaption>'
        f"{body}</figure>\n"
    )


def _directive_rule(name: str, pattern: re.Pattern[str]) -> Callable[..., bool]:
    """A block rule turning a line that matches `pattern` into a `name` token; its named groups
    (and the 0-based line) go into `token.meta`."""

    def rule(state: StateBlock, start: int, _end: int, silent: bool) -> bool:
        line = state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[start]]
        match = pattern.match(line)
        if not match:
            return False
        if not silent:
            token = state.push(name, "", 0)
            token.meta = {**match.groupdict(), "line": start}
            token.map = [start, start + 1]
        state.line = start + 1
        return True

    return rule


def _render_include(tokens: list[Token], index: int, env: RenderEnv) -> str:
    meta = tokens[index].meta
    relative, line = meta["path"], meta["line"]
    path = (env.lesson_dir / relative).resolve()
    if not path.is_relative_to(env.lesson_dir.resolve()) or not path.is_file():
        env.problem(line, f"included file {relative!r} does not exist in the lesson folder")
        return ""
    source = path.read_text(encoding="utf-8")
    total = len(source.splitlines())
    options = dict(_OPTION.findall(meta["options"].strip()))
    unknown = set(options) - {"lines", "highlight"}
    if unknown:
        env.problem(line, f"unknown include option(s): {', '.join(sorted(unknown))}")
        return ""
    try:
        shown = _parse_ranges(options["lines"])[0] if "lines" in options else (1, total)
        marked = _parse_ranges(options.get("highlight", "")) if "highlight" in options else []
    except ValueError as error:
        env.problem(line, f"bad line range {error} (write e.g. lines=3-9 highlight=5,7-8)")
        return ""
    first, last = shown
    wanted = [n for a, b in marked for n in range(a, b + 1)]
    if last > total or any(not first <= n <= last for n in wanted):
        env.problem(
            line, f"line range outside {relative!r} (it has {total} lines; shown {first}-{last})"
        )
        return ""
    env.included.add(relative)
    snippet = "\n".join(source.splitlines()[first - 1 : last]) + "\n"
    return highlight_code(
        snippet, filename=relative.rsplit("/", 1)[-1], first_line=first, highlight_lines=wanted
    )


def _render_fence(tokens: list[Token], index: int) -> str:
    token = tokens[index]
    language = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else None
    return highlight_code(token.content, language=language or "text", line_numbers=False)


def make_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
        ["table", "strikethrough"]
    )
    md.use(anchors_plugin, min_level=2, max_level=3, permalink=True, permalinkSymbol="#")
    md.block.ruler.before("paragraph", "include", _directive_rule("include", _INCLUDE))
    md.block.ruler.before("paragraph", "interactive", _directive_rule("interactive", _INTERACTIVE))
    md.block.ruler.before("paragraph", "component", _directive_rule("component", _COMPONENT))
    rules: dict[str, Callable[..., str]] = {
        "include": lambda _self, tokens, idx, _options, env: _render_include(
            tokens, idx, env[_ENV_KEY]
        ),
        "interactive": lambda *_args: "",
        "component": lambda *_args: "",
        "fence": lambda _self, tokens, idx, _options, _env: _render_fence(tokens, idx),
        "code_block": lambda _self, tokens, idx, _options, _env: _render_fence(tokens, idx),
    }
    for name, rule in rules.items():
        md.add_render_rule(name, rule)
    return md


def _resolve_source_links(tokens: list[Token], env: RenderEnv) -> None:
    """Turn `bookstore:PATH#LINE` link targets into links to the course's Bookstore source view,
    reporting targets that do not exist (so a lesson can never link to a file that moved)."""
    for block in tokens:
        for token in block.children or []:
            href = token.attrGet("href") if token.type == "link_open" else None
            if not isinstance(href, str) or not href.startswith(BOOKSTORE_SCHEME):
                continue
            relative, _, anchor = href.removeprefix(BOOKSTORE_SCHEME).partition("#")
            line = block.map[0] if block.map else 0
            if env.links is None:
                env.problem(line, f"link to {href!r}: no Bookstore source to link to")
                continue
            root = env.links.root
            target = (root / relative).resolve()
            if not target.is_relative_to(root) or not target.is_file():
                env.problem(line, f"link to {href!r}: src/bookstore/{relative} does not exist")
                continue
            total = len(target.read_text(encoding="utf-8").splitlines())
            if anchor and not (anchor[1:].isdigit() and 1 <= int(anchor[1:]) <= total):
                env.problem(line, f"link to {href!r}: write #L<line> with a line of the file")
                continue
            line_anchor = f"#L-{anchor[1:]}" if anchor else ""  # the source view's line ids
            token.attrSet("href", f"{env.links.url}/{relative}{line_anchor}")


def render_markdown(md: MarkdownIt, text: str, env: RenderEnv) -> RenderedMarkdown:
    md_env = {_ENV_KEY: env}
    tokens = md.parse(text, md_env)
    _resolve_source_links(tokens, env)
    chunks: list[str | tuple[str] | tuple[str, str]] = []
    start = 0
    for index, token in enumerate(tokens):
        if token.type == "interactive":
            chunks.append(md.renderer.render(tokens[start:index], md.options, md_env))
            chunks.append((token.meta["id"],))
            env.interactives.append((token.meta["id"], env.first_line + token.meta["line"]))
            start = index + 1
        elif token.type == "component":
            chunks.append(md.renderer.render(tokens[start:index], md.options, md_env))
            name = token.meta["name"]
            if name not in COMPONENTS:
                known = ", ".join(sorted(COMPONENTS))
                env.problem(token.meta["line"], f"no component {name!r} (there are: {known})")
            chunks.append(("component", name))
            start = index + 1
    chunks.append(md.renderer.render(tokens[start:], md.options, md_env))
    paragraphs = sum(1 for t in tokens if t.type == "paragraph_open" and t.level == 0)
    words = sum(len(_WORD.findall(t.content)) for t in tokens if t.type == "inline")
    return RenderedMarkdown(chunks=chunks, paragraphs=paragraphs, words=words)


def render_inline(md: MarkdownIt, text: str) -> str:
    return md.renderInline(text)
