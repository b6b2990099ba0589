"""Load the course from `content/`, validate every file, and render it once.

Every problem is reported as `file:line: what is wrong`, all of them at once, so an author can fix a
lesson in one pass.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from markdown_it import MarkdownIt
from pydantic import BaseModel, ValidationError

from deepdive.course import recommender
from deepdive.course.incidents import Incident, IncidentMeta, check_test_names
from deepdive.course.models import ArticlePart, Course, Lesson, LessonMeta, Quiz
from deepdive.course.render import (
    RenderEnv,
    SourceLinks,
    highlight_code,
    make_markdown,
    render_inline,
    render_markdown,
)
from deepdive.course.sections import split_sections
from deepdive.course.yaml_source import YamlDocument, YamlSyntaxError, parse_yaml

_FOLDER = re.compile(r"^(?P<order>\d{2})-(?P<slug>[a-z0-9-]+)$")
_MORE = "<!-- more -->"
MIN_WORDS, MAX_WORDS = 1000, 2500
_Model = TypeVar("_Model", bound=BaseModel)


@dataclass(frozen=True)
class ContentProblem:
    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContentError(Exception):
    """The content has mistakes; `problems` lists each with its file and line."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class _Problems:
    def __init__(self) -> None:
        self.items: list[ContentProblem] = []

    def add(self, file: Path, line: int, message: str) -> None:
        self.items.append(ContentProblem(file, line, message))


def bookstore_source() -> SourceLinks:
    """The reference Bookstore API's source, found where it is installed (not imported)."""
    spec = importlib.util.find_spec("bookstore")
    if spec is None or spec.origin is None:
        raise ContentError([ContentProblem(Path("bookstore"), 0, "the Bookstore is not installed")])
    return SourceLinks(root=Path(spec.origin).resolve().parent, url="/bookstore")


def load_course(content_dir: Path, bookstore: SourceLinks | None = None) -> Course:
    """Load every lesson under `content_dir/lessons`, or raise ContentError listing all problems.

    `bookstore:` links in lessons point into `bookstore` (by default, the installed Bookstore)."""
    links = bookstore or bookstore_source()
    problems = _Problems()
    lessons_dir = content_dir / "lessons"
    if not lessons_dir.is_dir():
        raise ContentError([ContentProblem(lessons_dir, 0, "the lessons folder does not exist")])
    md = make_markdown()
    lessons: list[Lesson] = []
    for directory in sorted(p for p in lessons_dir.iterdir() if p.is_dir()):
        if directory.name.startswith((".", "_")) or directory.name == "__pycache__":
            continue
        lesson = _load_lesson(directory, md, problems, links)
        if lesson is not None:
            lessons.append(lesson)
    _check_course(lessons, problems)
    incidents = _load_incidents(content_dir / "incidents", problems)
    if problems.items:
        raise ContentError(problems.items)
    ordered = tuple(sorted(lessons, key=lambda lesson: lesson.meta.order))
    return Course(lessons=ordered, bookstore=links, incidents=incidents)


def _load_incidents(directory: Path, problems: _Problems) -> tuple[Incident, ...]:
    """Every incident under `directory` (optional), checked file by file."""
    if not directory.is_dir():
        return ()
    incidents: list[Incident] = []
    for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
        if folder.name.startswith((".", "_")) or folder.name == "__pycache__":
            continue
        incident = _load_incident(folder, problems)
        if incident is not None:
            incidents.append(incident)
    _check_unique(
        [(i.meta.order, i.slug, i.directory, i.directory / "incident.yaml", 1) for i in incidents],
        problems,
    )
    return tuple(sorted(incidents, key=lambda incident: incident.meta.order))


def _load_incident(folder: Path, problems: _Problems) -> Incident | None:
    meta_file = folder / "incident.yaml"
    if not meta_file.is_file():
        problems.add(meta_file, 0, "every incident needs an incident.yaml")
        return None
    parsed = _parse_model(
        IncidentMeta, meta_file.read_text(encoding="utf-8"), 1, meta_file, problems
    )
    if parsed is None:
        return None
    meta, document = parsed
    match = _FOLDER.match(folder.name)
    if match is None or match["slug"] != meta.slug or int(match["order"]) != meta.order:
        problems.add(
            meta_file,
            document.line_of(("slug",)),
            f"the folder should be named {meta.order:02d}-{meta.slug}",
        )
    named = [(("service",), "app.py"), (("check",), "check.py"), (("fix",), meta.fix)]
    named += [(("wrong", index, "file"), wrong.file) for index, wrong in enumerate(meta.wrong)]
    texts: dict[str, str] = {}
    for location, relative in named:
        path = folder / relative
        if not path.is_file():
            problems.add(meta_file, document.line_of(location), f"file {relative!r} does not exist")
            continue
        texts[relative] = path.read_text(encoding="utf-8")
    if len(texts) < len(named):
        return None
    try:
        defined = check_test_names(texts["check.py"])
    except SyntaxError as error:
        problems.add(
            folder / "check.py", error.lineno or 0, f"check.py does not parse: {error.msg}"
        )
        return None
    declared = [test.name for test in meta.tests]
    for missing in sorted(set(declared) - set(defined)):
        problems.add(meta_file, document.line_of(("tests",)), f"tests: check.py has no {missing}")
    for undeclared in sorted(set(defined) - set(declared)):
        problems.add(
            folder / "check.py",
            1,
            f"{undeclared} is not in incident.yaml's tests: give it points and a visibility",
        )
    return Incident(
        meta=meta,
        directory=folder,
        service=texts["app.py"],
        check=texts["check.py"],
        fix=texts[meta.fix],
        wrong={wrong.file: texts[wrong.file] for wrong in meta.wrong},
        document=document,
    )


def _check_unique(items: list[tuple[int, str, Path, Path, int]], problems: _Problems) -> None:
    """Each (order, slug, folder, file, line) must use an order and a slug no other one uses."""
    seen: dict[tuple[str, object], Path] = {}
    for order, slug, folder, file, line in items:
        for key in (("order", order), ("slug", slug)):
            other = seen.setdefault(key, folder)
            if other != folder:
                problems.add(file, line, f"{key[0]} {key[1]!r} is already used by {other.name}")


def _check_course(lessons: list[Lesson], problems: _Problems) -> None:
    _check_unique(
        [(x.meta.order, x.slug, x.directory, x.directory / "lesson.md", 2) for x in lessons],
        problems,
    )
    slugs = {lesson.slug for lesson in lessons}
    for lesson in lessons:
        if lesson.recommender and lesson.recommender_document:
            file = lesson.directory / recommender.FILE_NAME
            for location, message in lesson.recommender.problems(slugs):
                where = ".".join(str(part) for part in location)
                line = lesson.recommender_document.line_of(location)
                problems.add(file, line, f"{where}: {message}")
    # The course page shows interactives of every lesson together, so their ids (the element
    # ids of the page) must differ across lessons, not only within one.
    owners: dict[str, Lesson] = {}
    for lesson in lessons:
        for index, interactive in enumerate(lesson.meta.interactives):
            other = owners.setdefault(interactive.id, lesson)
            if other is not lesson:
                problems.add(
                    lesson.directory / "lesson.md",
                    lesson.line_of(("interactives", index, "id")),
                    f"interactives.{index}.id: {interactive.id!r} is already the id of an "
                    f"interactive in {other.directory.name}; ids are unique in the whole course",
                )


def _validate(
    model: type[_Model], document: YamlDocument, file: Path, problems: _Problems
) -> _Model | None:
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        for detail in error.errors():
            location = _data_location(detail["loc"], document.data)
            if detail["type"] in ("union_tag_invalid", "union_tag_not_found"):
                location = (*location, str(detail["ctx"]["discriminator"]).strip("'"))
            where = ".".join(str(part) for part in location) or "(top level)"
            message = detail["msg"].removeprefix("Value error, ")
            problems.add(file, document.line_of(location), f"{where}: {message}")
        return None


def _data_location(loc: tuple[int | str, ...], data: object) -> tuple[int | str, ...]:
    """`loc` without the parts Pydantic adds that are not in the YAML: the tag of a union
    member (an interactive's `kind`, or the type tried in `str | Model`)."""
    kept: list[int | str] = []
    node = data
    for part in loc:
        inside_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if (isinstance(node, dict) and part in node) or inside_list:
            node = node[part]  # type: ignore[index]
        elif isinstance(node, dict | list) and _is_union_tag(part, node):
            continue
        else:
            node = None  # a missing key or a value below which nothing is written
        kept.append(part)
    return tuple(kept)


def _is_union_tag(part: int | str, node: object) -> bool:
    if not isinstance(part, str):
        return False
    if isinstance(node, dict) and node.get("kind") == part:
        return True
    return part[:1].isupper() or part in {"str", "int", "float", "bool"} or "[" in part


def _split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line number where the body starts) or None."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "".join(lines[1:number]), "".join(lines[number + 1 :]), number + 2
    return None


def _load_lesson(
    directory: Path, md: MarkdownIt, problems: _Problems, links: SourceLinks
) -> Lesson | None:
    lesson_file = directory / "lesson.md"
    quiz_file = directory / "quiz.yaml"
    folder = _FOLDER.match(directory.name)
    if not folder:
        problems.add(directory, 0, "a lesson folder is named NN-slug, e.g. 01-basics")
        return None
    if not lesson_file.is_file():
        problems.add(lesson_file, 0, "every lesson folder needs a lesson.md")
        return None
    count_before = len(problems.items)
    text = lesson_file.read_text(encoding="utf-8")
    split = _split_front_matter(text)
    if split is None:
        problems.add(
            lesson_file, 1, "lesson.md must start with YAML front matter between --- lines"
        )
        return None
    front, body, body_line = split
    parsed = _parse_model(LessonMeta, front, 2, lesson_file, problems)
    quiz = _load_quiz(quiz_file, problems)
    if parsed is None:
        return None
    meta, front_document = parsed
    if int(folder["order"]) != meta.order or folder["slug"] != meta.slug:
        problems.add(
            lesson_file,
            2,
            f"folder {directory.name!r} must match order and slug: {meta.order:02d}-{meta.slug}",
        )
    sources = _read_sources(directory, meta, front_document, lesson_file, problems)
    _check_interactives(meta, sources, front_document, lesson_file, problems)
    _check_example_tests(directory, problems)

    intro_text, more, rest = body.partition(_MORE)
    if not more:
        problems.add(lesson_file, body_line, f"the introduction must end with a {_MORE} line")
    intro_env = RenderEnv(directory, body_line, links)
    intro = render_markdown(md, intro_text, intro_env)
    rest_line = body_line + intro_text.count("\n")
    article_env = RenderEnv(directory, rest_line, links)
    article = render_markdown(md, rest, article_env)
    for env in (intro_env, article_env):
        for problem in env.problems:
            problems.add(lesson_file, problem.line, problem.message)
    if not 2 <= intro.paragraphs <= 4:
        problems.add(
            lesson_file, body_line, f"the introduction has {intro.paragraphs} paragraphs; write 2-4"
        )
    words = intro.words + article.words
    if not MIN_WORDS <= words <= MAX_WORDS:
        problems.add(
            lesson_file, body_line, f"the article has {words} words; write {MIN_WORDS}-{MAX_WORDS}"
        )
    interactives = {i.id: i for i in meta.interactives}
    for interactive_id, line in intro_env.interactives + article_env.interactives:
        if interactive_id not in interactives:
            problems.add(
                lesson_file, line, f"no interactive {interactive_id!r} in the front matter"
            )

    if quiz is None:
        return None
    components = [
        chunk[1] for chunk in article.chunks if isinstance(chunk, tuple) and len(chunk) == 2
    ]
    finals = [question for question in quiz.questions if question.final]
    if finals and "final-challenge" not in components:
        problems.add(
            lesson_file,
            body_line,
            f"the quiz's final challenge {finals[0].id!r} needs {{! component final-challenge !}} "
            "in the article",
        )
    if "final-challenge" in components and not finals:
        problems.add(
            lesson_file,
            body_line,
            "{! component final-challenge !} needs a question with final: true",
        )
    questionnaire = _load_recommender(directory, "recommender" in components, problems)
    if quiz is None or len(problems.items) != count_before:
        return None
    placed = {i for i, _line in article_env.interactives}
    parts = [
        ArticlePart(html=chunk)
        if isinstance(chunk, str)
        else ArticlePart(component=chunk[1])
        if len(chunk) == 2
        else ArticlePart(interactive=interactives[chunk[0]])
        for chunk in article.chunks
    ]
    parts += [ArticlePart(interactive=i) for i in meta.interactives if i.id not in placed]
    _lead, sections = split_sections("".join(part.html for part in parts))
    return Lesson(
        meta=meta,
        directory=directory,
        quiz=quiz,
        intro_html="".join(c for c in intro.chunks if isinstance(c, str)),
        article=tuple(
            part for part in parts if part.html.strip() or part.interactive or part.component
        ),
        main_example_html=highlight_code(
            sources[meta.main_example], filename=meta.main_example.rsplit("/", 1)[-1]
        ),
        tip_html=render_inline(md, meta.tip),
        word_count=words,
        sources=sources,
        sections=sections,
        front=front_document,
        recommender=questionnaire[0] if questionnaire else None,
        recommender_document=questionnaire[1] if questionnaire else None,
    )


def _load_recommender(
    directory: Path, placed: bool, problems: _Problems
) -> tuple[recommender.Questionnaire, YamlDocument] | None:
    """The lesson's recommender.yaml, when lesson.md places `{! component recommender !}`."""
    file = directory / recommender.FILE_NAME
    if not placed:
        if file.is_file():
            problems.add(
                file,
                1,
                "lesson.md does not place {! component recommender !}, so nothing uses this",
            )
        return None
    if not file.is_file():
        problems.add(
            file, 0, "{! component recommender !} needs this file: the questions and their points"
        )
        return None
    return _parse_model(
        recommender.Questionnaire, file.read_text(encoding="utf-8"), 1, file, problems
    )


def _parse_model(
    model: type[_Model], text: str, first_line: int, file: Path, problems: _Problems
) -> tuple[_Model, YamlDocument] | None:
    try:
        document = parse_yaml(text, first_line)
    except YamlSyntaxError as error:
        problems.add(file, error.line, str(error))
        return None
    value = _validate(model, document, file, problems)
    return None if value is None else (value, document)


def _load_quiz(quiz_file: Path, problems: _Problems) -> Quiz | None:
    if not quiz_file.is_file():
        problems.add(quiz_file, 0, "every lesson needs a quiz.yaml")
        return None
    parsed = _parse_model(Quiz, quiz_file.read_text(encoding="utf-8"), 1, quiz_file, problems)
    return parsed[0] if parsed else None


def _read_sources(
    directory: Path,
    meta: LessonMeta,
    front: YamlDocument,
    lesson_file: Path,
    problems: _Problems,
) -> dict[str, str]:
    """Files the front matter names (main example, starters, solutions, extras, challenge apps)."""
    named: list[tuple[tuple[str | int, ...], str]] = [(("main_example",), meta.main_example)]
    for index, interactive in enumerate(meta.interactives):
        for location, relative in interactive.named_files():
            named.append((("interactives", index, *location), relative))
    for index, challenge in enumerate(meta.challenges):
        named.append((("challenges", index, "check", "app"), challenge.check.app))
    sources: dict[str, str] = {}
    for location, relative in named:
        path = directory / relative
        if path.is_file():
            sources[relative] = path.read_text(encoding="utf-8")
        else:
            where = ".".join(str(part) for part in location)
            problems.add(
                lesson_file, front.line_of(location), f"{where}: file {relative!r} does not exist"
            )
    return sources


def _check_interactives(
    meta: LessonMeta,
    sources: dict[str, str],
    front: YamlDocument,
    lesson_file: Path,
    problems: _Problems,
) -> None:
    """The cross-references of each interactive that need the lesson's files."""
    for index, interactive in enumerate(meta.interactives):
        if any(relative not in sources for _, relative in interactive.named_files()):
            continue  # already reported as a missing file
        for location, message in interactive.check(sources):
            where = ("interactives", index, *location)
            dotted = ".".join(str(part) for part in where)
            problems.add(lesson_file, front.line_of(where), f"{dotted}: {message}")


def _check_example_tests(directory: Path, problems: _Problems) -> None:
    for example in sorted((directory / "examples").glob("*.py")):
        test = directory / "tests" / f"test_{example.name}"
        if not test.is_file():
            problems.add(example, 1, f"every example needs a test: create tests/{test.name}")
