"""What a lesson is made of, as validated data.

These models check the authored files (`lesson.md` front matter, `quiz.yaml`); the loader turns
their errors into messages with file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
RelativeFile = Annotated[str, StringConstraints(pattern=r"^[\w.-]+(/[\w.-]+)*$")]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

# Interactive widgets the platform knows how to draw; a lesson may only use these. A kind exists
# when its template web/templates/widgets/<kind>.html does; it comes with a script
# web/static/js/widgets/<kind>.js and a style sheet web/static/css/widgets/<kind>.css.
_WIDGET_TEMPLATES = Path(__file__).resolve().parents[1] / "web" / "templates" / "widgets"
INTERACTIVE_KINDS = frozenset(path.stem for path in _WIDGET_TEMPLATES.glob("*.html"))


def _require_unique(what: str, ids: list[str]) -> None:
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"{what} ids must be unique; repeated: {', '.join(repeated)}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RequestPreset(_Strict):
    """A request the learner can send with one click."""

    label: str = Field(min_length=1, max_length=60)
    method: HttpMethod = "GET"
    path: str = Field(pattern=r"^/", max_length=500)
    query: dict[str, str] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    json_body: Any = Field(default=None, alias="json")
    body: str | None = None

    @model_validator(mode="after")
    def _one_body(self) -> RequestPreset:
        if self.json_body is not None and self.body is not None:
            raise ValueError("give either `json` or `body`, not both")
        return self


class Interactive(_Strict):
    id: Slug
    kind: str
    title: str = Field(min_length=1, max_length=120)
    starter: RelativeFile
    solution: RelativeFile | None = None
    requests: list[RequestPreset] = Field(default_factory=list)
    try_this: list[str] = Field(default_factory=list)
    # Further files of the lesson that the widget shows or runs (variants, helper modules).
    files: list[RelativeFile] = Field(default_factory=list)
    # Settings particular to the widget kind (read by that widget only).
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_kind(self) -> Interactive:
        if self.kind not in INTERACTIVE_KINDS:
            known = ", ".join(sorted(INTERACTIVE_KINDS))
            raise ValueError(f"unknown interactive kind {self.kind!r} (known: {known})")
        return self


class DependencyCallsCheck(_Strict):
    """The answer is a number: how many times `dependency` runs while `app` handles `request`.

    Checked by running `app` in the sandbox with the `resolution` instrument and counting.
    """

    kind: Literal["dependency-calls"]
    app: RelativeFile
    request: RequestPreset
    dependency: str = Field(pattern=r"^[A-Za-z_][\w.]*$", max_length=100)


# How a challenge's answer is checked; each kind of check is one model, chosen by `kind`.
ChallengeCheck = Annotated[DependencyCallsCheck, Field(discriminator="kind")]


class Challenge(_Strict):
    """A question worth XP whose answer the server checks by running code, never from a list."""

    id: Slug
    title: str = Field(min_length=3, max_length=120)
    prompt: str = Field(min_length=10, max_length=600)
    xp: int = Field(default=50, ge=0, le=500)
    check: ChallengeCheck
    explanation: str = Field(min_length=10, max_length=1500)


class XpValues(_Strict):
    quiz_question: int = Field(default=10, ge=0, le=500)


class LessonMeta(_Strict):
    """The YAML front matter of `lesson.md`."""

    title: str = Field(min_length=3, max_length=120)
    slug: Slug
    order: int = Field(ge=1, le=99)
    summary: str = Field(min_length=10, max_length=300)
    tip: str = Field(min_length=10, max_length=600)
    main_example: RelativeFile
    xp: XpValues = Field(default_factory=XpValues)
    interactives: list[Interactive] = Field(default_factory=list)
    # Each challenge is presented by the interactive whose `options.challenge` names it.
    challenges: list[Challenge] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_interactive_ids(self) -> LessonMeta:
        _require_unique("interactive", [interactive.id for interactive in self.interactives])
        _require_unique("challenge", [challenge.id for challenge in self.challenges])
        return self

    @model_validator(mode="after")
    def _every_challenge_presented_once(self) -> LessonMeta:
        ids = {challenge.id for challenge in self.challenges}
        shown = [i.options["challenge"] for i in self.interactives if "challenge" in i.options]
        unknown = sorted(str(s) for s in shown if s not in ids)
        if unknown:
            raise ValueError(f"options.challenge names no challenge: {', '.join(unknown)}")
        _require_unique("presented challenge", [str(s) for s in shown])
        missing = sorted(ids - set(shown))
        if missing:
            raise ValueError(
                f"challenge {', '.join(missing)} is not presented: name it in an interactive's "
                "options.challenge"
            )
        return self


class QuizOption(_Strict):
    text: str = Field(min_length=1)
    correct: bool = False
    why: str = Field(min_length=10)


class QuizQuestion(_Strict):
    id: Slug
    type: Literal["single", "multiple"]
    prompt: str = Field(min_length=5)
    options: list[QuizOption] = Field(min_length=2, max_length=8)
    xp: int | None = Field(default=None, ge=0, le=500)

    @model_validator(mode="after")
    def _right_number_of_correct_options(self) -> QuizQuestion:
        correct = sum(option.correct for option in self.options)
        if self.type == "single" and correct != 1:
            raise ValueError(
                f"a single-choice question needs exactly 1 correct option, has {correct}"
            )
        if self.type == "multiple" and correct < 1:
            raise ValueError("a multiple-choice question needs at least 1 correct option")
        return self

    @property
    def correct_indexes(self) -> frozenset[int]:
        return frozenset(i for i, option in enumerate(self.options) if option.correct)


class Quiz(_Strict):
    questions: list[QuizQuestion] = Field(min_length=5)

    @model_validator(mode="after")
    def _unique_question_ids(self) -> Quiz:
        _require_unique("question", [question.id for question in self.questions])
        return self


@dataclass(frozen=True)
class ArticlePart:
    """A run of rendered HTML, or the place where an interactive goes."""

    html: str = ""
    interactive: Interactive | None = None


@dataclass(frozen=True)
class Lesson:
    """A loaded, validated and rendered lesson."""

    meta: LessonMeta
    directory: Path
    quiz: Quiz
    intro_html: str
    article: tuple[ArticlePart, ...]
    main_example_html: str
    tip_html: str
    word_count: int
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.meta.slug

    @property
    def title(self) -> str:
        return self.meta.title

    def question_xp(self, question: QuizQuestion) -> int:
        return question.xp if question.xp is not None else self.meta.xp.quiz_question

    def question(self, question_id: str) -> QuizQuestion | None:
        return next((q for q in self.quiz.questions if q.id == question_id), None)

    def interactive(self, interactive_id: str) -> Interactive | None:
        return next((i for i in self.meta.interactives if i.id == interactive_id), None)

    def challenge(self, challenge_id: str) -> Challenge | None:
        return next((c for c in self.meta.challenges if c.id == challenge_id), None)

    @property
    def interactive_kinds(self) -> list[str]:
        """The widget kinds this lesson uses, each once, in order of appearance."""
        return list(dict.fromkeys(i.kind for i in self.meta.interactives))

    @property
    def award_keys(self) -> dict[str, int]:
        """Every XP award this lesson can give, with its value."""
        keys = {quiz_award_key(self.slug, q.id): self.question_xp(q) for q in self.quiz.questions}
        keys.update({challenge_award_key(self.slug, c.id): c.xp for c in self.meta.challenges})
        return keys


def quiz_award_key(lesson_slug: str, question_id: str) -> str:
    return f"quiz:{lesson_slug}:{question_id}"


def challenge_award_key(lesson_slug: str, challenge_id: str) -> str:
    return f"challenge:{lesson_slug}:{challenge_id}"


@dataclass(frozen=True)
class Course:
    lessons: tuple[Lesson, ...]

    def lesson(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        index = self.lessons.index(lesson)
        previous = self.lessons[index - 1] if index > 0 else None
        following = self.lessons[index + 1] if index + 1 < len(self.lessons) else None
        return previous, following

    @property
    def course_page_kinds(self) -> list[str]:
        """Widget kinds shown on the course page (each lesson's first interactive)."""
        kinds = (
            lesson.meta.interactives[0].kind for lesson in self.lessons if lesson.meta.interactives
        )
        return list(dict.fromkeys(kinds))

    @property
    def award_keys(self) -> dict[str, int]:
        keys: dict[str, int] = {}
        for lesson in self.lessons:
            keys.update(lesson.award_keys)
        return keys

    def widget(self, widget_id: str) -> tuple[Lesson, Interactive] | None:
        """Find an interactive by its course-wide id `<lesson-slug>/<interactive-id>`."""
        slug, _, interactive_id = widget_id.partition("/")
        lesson = self.lesson(slug)
        interactive = lesson.interactive(interactive_id) if lesson else None
        return (lesson, interactive) if lesson and interactive else None
