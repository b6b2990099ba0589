"""What a lesson is made of, as validated data.

These models check the authored files (`lesson.md` front matter, `quiz.yaml`); the loader turns
their errors into messages with file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from deepdive.course.incidents import Incident
from deepdive.course.interactives import (
    Interactive,
    RelativeFile,
    RequestPreset,
    Slug,
    Strict,
    require_unique,
)
from deepdive.course.interactives.base import InteractiveBase
from deepdive.course.interactives.tasks import Task
from deepdive.course.levels import Ladder, ladder
from deepdive.course.recommender import Questionnaire
from deepdive.course.render import SourceLinks
from deepdive.course.sections import Section
from deepdive.course.yaml_source import YamlDocument


class DependencyCallsCheck(Strict):
    """The answer is a number: how many times `dependency` runs while `app` handles `request`.

    Checked by running `app` in the sandbox with the `resolution` instrument and counting.
    """

    kind: Literal["dependency-calls"]
    app: RelativeFile
    request: RequestPreset
    dependency: str = Field(pattern=r"^[A-Za-z_][\w.]*$", max_length=100)


# How a challenge's answer is checked; each kind of check is one model, chosen by `kind`.
ChallengeCheck = Annotated[DependencyCallsCheck, Field(discriminator="kind")]


class Challenge(Strict):
    """A question worth XP whose answer the server checks by running code, never from a list."""

    id: Slug
    title: str = Field(min_length=3, max_length=120)
    prompt: str = Field(min_length=10, max_length=600)
    xp: int = Field(default=50, ge=0, le=500)
    check: ChallengeCheck
    explanation: str = Field(min_length=10, max_length=1500)


# The official documentation a lesson may send the learner to, by host, with the name shown.
DOC_SITES = {
    "fastapi.tiangolo.com": "FastAPI",
    "docs.pydantic.dev": "Pydantic",
    "www.starlette.io": "Starlette",
    "starlette.dev": "Starlette",
    "docs.sqlalchemy.org": "SQLAlchemy",
    "www.uvicorn.org": "Uvicorn",
    "docs.gunicorn.org": "Gunicorn",
    "docs.pytest.org": "pytest",
    "alembic.sqlalchemy.org": "Alembic",
    "flask.palletsprojects.com": "Flask",
    "www.django-rest-framework.org": "Django REST Framework",
    "pyjwt.readthedocs.io": "PyJWT",
    "docs.python.org": "Python",
}


class DocLink(Strict):
    """A page of official documentation for further reading (opened outside the course)."""

    title: str = Field(min_length=3, max_length=120)
    url: str = Field(max_length=300)

    @field_validator("url")
    @classmethod
    def _official_https_page(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme != "https":
            raise ValueError(f"{url!r}: write the https:// address of the page")
        if parts.hostname not in DOC_SITES or parts.port or parts.username or parts.password:
            known = ", ".join(sorted(DOC_SITES))
            raise ValueError(f"{url!r} is not on a known documentation site; link one of: {known}")
        return url

    @property
    def site(self) -> str:
        return DOC_SITES[urlsplit(self.url).hostname or ""]


class XpValues(Strict):
    quiz_question: int = Field(default=10, ge=0, le=500)


class LessonMeta(Strict):
    """The YAML front matter of `lesson.md`."""

    title: str = Field(min_length=3, max_length=120)
    slug: Slug
    order: int = Field(ge=1, le=99)
    summary: str = Field(min_length=10, max_length=300)
    tip: str = Field(min_length=10, max_length=600)
    main_example: RelativeFile
    xp: XpValues = Field(default_factory=XpValues)
    interactives: list[Interactive] = Field(default_factory=list)
    # Each challenge is presented by the interactive whose `challenge` names it.
    challenges: list[Challenge] = Field(default_factory=list)
    # "Further reading" at the end of the article: pages of the official documentation.
    docs: list[DocLink] = Field(default_factory=list, max_length=12)

    @model_validator(mode="after")
    def _unique_interactive_ids(self) -> LessonMeta:
        require_unique("interactive ids", [interactive.id for interactive in self.interactives])
        require_unique("challenge ids", [challenge.id for challenge in self.challenges])
        return self

    @model_validator(mode="after")
    def _every_challenge_presented_once(self) -> LessonMeta:
        ids = {challenge.id for challenge in self.challenges}
        shown = [i.challenge for i in self.interactives if i.challenge]
        unknown = sorted(s for s in shown if s not in ids)
        if unknown:
            raise ValueError(f"`challenge` names no challenge of this lesson: {', '.join(unknown)}")
        require_unique("presented challenges", shown)
        missing = sorted(ids - set(shown))
        if missing:
            raise ValueError(
                f"challenge {', '.join(missing)} is not presented: name it in an interactive's "
                "`challenge`"
            )
        return self


class QuizOption(Strict):
    text: str = Field(min_length=1)
    correct: bool = False
    why: str = Field(min_length=10)


class QuizQuestion(Strict):
    id: Slug
    type: Literal["single", "multiple"]
    prompt: str = Field(min_length=5)
    options: list[QuizOption] = Field(min_length=2, max_length=8)
    xp: int | None = Field(default=None, ge=0, le=500)
    # A final challenge: shown where the article places `{! component final-challenge !}`,
    # not among the quiz's questions (checked and rewarded like any question).
    final: bool = False

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


class Quiz(Strict):
    questions: list[QuizQuestion] = Field(min_length=5)

    @model_validator(mode="after")
    def _unique_question_ids(self) -> Quiz:
        require_unique("question ids", [question.id for question in self.questions])
        regular = [question for question in self.questions if not question.final]
        if len(regular) < 5:
            raise ValueError(
                f"a quiz needs at least 5 questions besides a final challenge, has {len(regular)}"
            )
        if len(self.questions) - len(regular) > 1:
            raise ValueError("a quiz has at most one final challenge")
        return self

    @property
    def regular(self) -> list[QuizQuestion]:
        return [question for question in self.questions if not question.final]


@dataclass(frozen=True)
class ArticlePart:
    """A run of rendered HTML, or the place where an interactive or a component goes."""

    html: str = ""
    interactive: InteractiveBase | None = None
    # A part the course provides (`{! component NAME !}`): templates/components/NAME.html.
    component: str = ""


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
    # The article's h2/h3 headings with the prose under each (the outline; what search indexes).
    sections: tuple[Section, ...] = ()
    # Where each value of the front matter was written (for content errors found later).
    front: YamlDocument | None = None
    # "What are you building?" (`{! component recommender !}`), from recommender.yaml, and where
    # each of its values was written.
    recommender: Questionnaire | None = None
    recommender_document: YamlDocument | None = None

    @property
    def slug(self) -> str:
        return self.meta.slug

    def line_of(self, location: tuple[str | int, ...]) -> int:
        """The line of lesson.md where the front matter value at `location` is written."""
        return self.front.line_of(location) if self.front else 1

    @property
    def title(self) -> str:
        return self.meta.title

    def question_xp(self, question: QuizQuestion) -> int:
        return question.xp if question.xp is not None else self.meta.xp.quiz_question

    def question(self, question_id: str) -> QuizQuestion | None:
        return next((q for q in self.quiz.questions if q.id == question_id), None)

    def interactive(self, interactive_id: str) -> InteractiveBase | None:
        return next((i for i in self.meta.interactives if i.id == interactive_id), None)

    def challenge(self, challenge_id: str) -> Challenge | None:
        return next((c for c in self.meta.challenges if c.id == challenge_id), None)

    @property
    def widget_scripts(self) -> list[str]:
        """The script of each widget kind this lesson uses, once, in order (their styles are
        in the course's one style sheet)."""
        return _scripts(self.meta.interactives)

    def quiz_key(self, question: QuizQuestion) -> str:
        return quiz_award_key(self.slug, question.id)

    def challenge_key(self, challenge: Challenge) -> str:
        return challenge_award_key(self.slug, challenge.id)

    def task_key(self, interactive: InteractiveBase, task: Task) -> str:
        return task_award_key(self.slug, interactive.id, task.id)

    @property
    def award_keys(self) -> dict[str, int]:
        """Every XP award this lesson can give, with its value."""
        keys = {quiz_award_key(self.slug, q.id): self.question_xp(q) for q in self.quiz.questions}
        keys.update({challenge_award_key(self.slug, c.id): c.xp for c in self.meta.challenges})
        for interactive in self.meta.interactives:
            for task in interactive.tasks:
                keys[task_award_key(self.slug, interactive.id, task.id)] = task.xp
        return keys


def _scripts(interactives: list[InteractiveBase]) -> list[str]:
    return list(dict.fromkeys(i.script for i in interactives))


def quiz_award_key(lesson_slug: str, question_id: str) -> str:
    return f"quiz:{lesson_slug}:{question_id}"


def challenge_award_key(lesson_slug: str, challenge_id: str) -> str:
    return f"challenge:{lesson_slug}:{challenge_id}"


def task_award_key(lesson_slug: str, interactive_id: str, task_id: str) -> str:
    return f"task:{lesson_slug}/{interactive_id}:{task_id}"


@dataclass(frozen=True)
class Course:
    lessons: tuple[Lesson, ...]
    # The reference Bookstore API's source, which lessons link into.
    bookstore: SourceLinks | None = None
    # The production incidents of the debugger (`content/incidents/`), in order.
    incidents: tuple[Incident, ...] = ()

    def incident(self, slug: str) -> Incident | None:
        return next((item for item in self.incidents if item.slug == slug), None)

    def lesson(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        index = self.lessons.index(lesson)
        previous = self.lessons[index - 1] if index > 0 else None
        following = self.lessons[index + 1] if index + 1 < len(self.lessons) else None
        return previous, following

    @property
    def course_page_interactives(self) -> list[tuple[Lesson, InteractiveBase]]:
        """What the course page shows: each lesson's first interactive."""
        lessons = (item for item in self.lessons if item.meta.interactives)
        return [(item, item.meta.interactives[0]) for item in lessons]

    @property
    def widget_scripts(self) -> list[str]:
        """The script of each widget kind on the course page, once, in order."""
        return _scripts([interactive for _, interactive in self.course_page_interactives])

    @property
    def award_keys(self) -> dict[str, int]:
        keys: dict[str, int] = {}
        for lesson in self.lessons:
            keys.update(lesson.award_keys)
        keys.update({incident.award_key: incident.meta.xp for incident in self.incidents})
        return keys

    @cached_property
    def total_xp(self) -> int:
        """All the XP the course offers: what a learner who does everything ends with."""
        return sum(self.award_keys.values())

    @cached_property
    def levels(self) -> Ladder:
        # Read on every request that shows progress; a loaded course never changes.
        return ladder(self.total_xp)

    def widget(self, widget_id: str) -> tuple[Lesson, InteractiveBase] | None:
        """Find an interactive by its course-wide id `<lesson-slug>/<interactive-id>`."""
        slug, _, interactive_id = widget_id.partition("/")
        lesson = self.lesson(slug)
        interactive = lesson.interactive(interactive_id) if lesson else None
        return (lesson, interactive) if lesson and interactive else None
