"""'What are you building?': every combination of answers gets a recommendation with reasons that
link to lessons of the course, the answers that clearly point one way get that framework, and
the loader reports mistakes in recommender.yaml with file and line."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from tests.conftest import CONTENT_DIR

from deepdive.course.loader import ContentError, load_course
from deepdive.course.recommender import AnswerError, Questionnaire
from deepdive.course.yaml_source import parse_yaml

LESSON = "choosing-a-framework"
YAML = next((CONTENT_DIR / "lessons").glob(f"*-{LESSON}")) / "recommender.yaml"
# Read here (not from the course) so that each combination is a test of its own.
QUESTIONNAIRE = Questionnaire.model_validate(parse_yaml(YAML.read_text()).data)
IDS = [question.id for question in QUESTIONNAIRE.questions]
EVERY_COMBINATION = [
    dict(zip(IDS, combination, strict=True))
    for combination in itertools.product(
        *[[option.id for option in question.options] for question in QUESTIONNAIRE.questions]
    )
]


@pytest.fixture(scope="module")
def questionnaire(course) -> Questionnaire:
    lesson = course.lesson(LESSON)
    assert lesson is not None
    assert lesson.recommender is not None
    assert lesson.recommender == QUESTIONNAIRE
    return lesson.recommender


def test_the_questionnaire_asks_the_six_questions():
    assert IDS == ["project", "team", "pages", "concurrency", "consumers", "deadline"]
    assert len(EVERY_COMBINATION) == QUESTIONNAIRE.combinations() > 500


@pytest.mark.parametrize(
    "answers", EVERY_COMBINATION, ids=["-".join(a.values()) for a in EVERY_COMBINATION]
)
def test_every_combination_is_recommended_with_reasons_from_the_course(
    answers, questionnaire, course
):
    result = questionnaire.recommend(answers)
    totals = {
        f.id: sum(
            questionnaire.questions[i].option(answers[q]).points[f.id].points
            for i, q in enumerate(IDS)
        )
        for f in questionnaire.frameworks
    }
    assert result.winner.points == max(totals.values()) == totals[result.winner.id]
    assert result.runner_up.id != result.winner.id
    assert result.runner_up.points == sorted(totals.values())[-2]
    assert result.reasons, "a recommendation without a reason"
    assert {reason.framework for reason in result.reasons} == {result.winner.id}
    assert sum(reason.points for reason in result.reasons) == result.winner.points
    everything = [*result.reasons, *result.runner_up_reasons]
    everything += [r for trade in result.trade_offs for r in (trade.given_up, trade.better)]
    for reason in everything:
        lesson = course.lesson(reason.lesson)
        assert lesson is not None, f"{reason.text} links to {reason.lesson}, not in the course"
        assert reason.url == f"/lessons/{lesson.slug}"
    for trade in result.trade_offs:
        assert trade.given_up.framework == result.winner.id
        assert trade.better.points > trade.given_up.points


def _matching(**fixed: str | tuple[str, ...]) -> list[dict[str, str]]:
    def fits(answers: dict[str, str], wanted: str | tuple[str, ...]) -> bool:
        return answers in wanted if isinstance(wanted, tuple) else answers == wanted

    return [a for a in EVERY_COMBINATION if all(fits(a[q], w) for q, w in fixed.items())]


# Answers that point one way, whatever else is answered (within the limits written here).
CLEAR_CASES = [
    (
        "an internal tool with an admin, without heavy async I/O, for a team new to FastAPI",
        dict(
            project="internal-tool",
            pages="admin",
            concurrency=("some", "none"),
            team=("new", "django", "flask"),
        ),
        "drf",
    ),
    (
        "many concurrent calls and a public API that needs docs, for a team that is not Django's",
        dict(concurrency="heavy", consumers="public", team=("new", "flask", "fastapi")),
        "fastapi",
    ),
    (
        "a server-rendered site by a Flask team with a tight deadline and no async, no admin",
        dict(
            project="website",
            team="flask",
            deadline="tight",
            concurrency="none",
            pages=("templates", "neither"),
        ),
        "flask",
    ),
    (
        "a Django team building an internal tool with an admin",
        dict(team="django", project="internal-tool", pages="admin"),
        "drf",
    ),
    (
        "a typed-Python team writing a JSON-only API",
        dict(team="fastapi", project=("json-api", "small-service"), pages="neither"),
        "fastapi",
    ),
]


@pytest.mark.parametrize(("case", "fixed", "winner"), CLEAR_CASES, ids=[c[0] for c in CLEAR_CASES])
def test_clear_answers_get_the_framework_they_point_to(case, fixed, winner, questionnaire):
    matching = _matching(**fixed)
    assert matching, case
    wrong = [a for a in matching if questionnaire.recommend(a).winner.id != winner]
    assert not wrong, f"{case}: {len(wrong)} of {len(matching)} differ, e.g. {wrong[0]}"


def test_the_examples_of_the_lesson(questionnaire):
    admin_tool = questionnaire.recommend(
        dict(
            project="internal-tool",
            team="new",
            pages="admin",
            concurrency="none",
            consumers="own-frontend",
            deadline="tight",
        )
    )
    assert admin_tool.winner.name == "Django REST Framework"
    assert any("admin" in reason.text for reason in admin_tool.reasons)
    # A team new to web frameworks has more to learn with Django: said, and not hidden.
    assert [t.given_up.question for t in admin_tool.trade_offs] == ["team"]

    public_async = questionnaire.recommend(
        dict(
            project="json-api",
            team="django",
            pages="neither",
            concurrency="heavy",
            consumers="public",
            deadline="months",
        )
    )
    assert public_async.winner.name == "FastAPI"
    assert public_async.runner_up.name == "Django REST Framework"
    # What the Django team gives up by choosing FastAPI is named, with the lesson about it.
    assert [t.better.framework for t in public_async.trade_offs] == ["drf"]
    assert public_async.trade_offs[0].given_up.url.startswith("/lessons/")

    flask_site = questionnaire.recommend(
        dict(
            project="website",
            team="flask",
            pages="templates",
            concurrency="none",
            consumers="browsers",
            deadline="tight",
        )
    )
    assert flask_site.winner.name == "Flask"
    assert not flask_site.close_call
    assert flask_site.reasons[0].points == 3  # the team's experience weighs most


def test_missing_and_unknown_answers_are_each_named(questionnaire):
    with pytest.raises(AnswerError) as caught:
        questionnaire.recommend({"project": "spaceship", "team": "flask", "colour": "blue"})
    named = dict(caught.value.problems)
    assert "'spaceship' is not an answer" in named["project"]
    assert "json-api" in named["project"]
    assert set(named) == {"project", "pages", "concurrency", "consumers", "deadline", "colour"}


# The loader: a copy of the first lesson, made to place the recommender.

RECOMMENDER = """\
frameworks:
  - {id: fastapi, name: FastAPI, docs: "https://fastapi.tiangolo.com/"}
  - {id: flask, name: Flask, docs: "https://flask.palletsprojects.com/"}
questions:
  - id: project
    prompt: What kind of project is it?
    options:
      - id: api
        label: An API
        points:
          fastapi: {points: 2, reason: Types become validation and docs., lesson: basics}
          flask: {points: 1, reason: Flask returns JSON too., lesson: basics}
      - id: site
        label: A website
        points:
          fastapi: {points: 0, reason: No forms or sessions are built in., lesson: basics}
          flask: {points: 2, reason: Jinja2 templates are built in., lesson: basics}
"""


@pytest.fixture
def lesson_copy(tmp_path: Path) -> Path:
    first = sorted(p for p in (CONTENT_DIR / "lessons").iterdir() if p.name[:2].isdigit())[0]
    target = tmp_path / "content" / "lessons" / first.name
    shutil.copytree(first, target, ignore=shutil.ignore_patterns("__pycache__"))
    with (target / "lesson.md").open("a") as lesson_md:
        lesson_md.write("\n{! component recommender !}\n")
    (target / "recommender.yaml").write_text(RECOMMENDER)
    return target


def _problems(lesson: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_course(lesson.parents[1])
    return [str(problem) for problem in caught.value.problems]


def test_a_placed_recommender_loads_and_recommends(lesson_copy):
    lesson = load_course(lesson_copy.parents[1]).lessons[0]
    assert lesson.recommender is not None
    assert lesson.recommender.recommend({"project": "site"}).winner.name == "Flask"


def test_a_link_to_a_lesson_not_in_the_course_names_file_and_line(lesson_copy):
    file = lesson_copy / "recommender.yaml"
    file.write_text(
        RECOMMENDER.replace(
            "Jinja2 templates are built in., lesson: basics",
            "Jinja2 templates are built in., lesson: templates",
        )
    )
    line = next(i for i, text in enumerate(RECOMMENDER.splitlines(), 1) if "Jinja2" in text)
    assert _problems(lesson_copy) == [
        f"{file}:{line}: questions.0.options.1.points.flask.lesson: links to lesson 'templates', "
        "which is not in the course (there are: basics)"
    ]


def test_an_option_without_points_for_a_framework_is_reported(lesson_copy):
    file = lesson_copy / "recommender.yaml"
    lines = RECOMMENDER.splitlines(keepends=True)
    dropped = next(i for i, text in enumerate(lines) if "Flask returns JSON" in text)
    file.write_text("".join(lines[:dropped] + lines[dropped + 1 :]))
    points_line = dropped - 1  # the `points:` line (1-based: dropped - 2 + 1)
    assert _problems(lesson_copy) == [
        f"{file}:{points_line}: questions.0.options.0.points: no points for flask"
    ]


def test_a_reason_of_more_than_one_sentence_is_reported_on_its_line(lesson_copy):
    file = lesson_copy / "recommender.yaml"
    file.write_text(
        RECOMMENDER.replace("Flask returns JSON too.", "Flask returns JSON too. Easily")
    )
    line = next(i for i, text in enumerate(RECOMMENDER.splitlines(), 1) if "Flask returns" in text)
    problems = _problems(lesson_copy)
    assert len(problems) == 1
    assert problems[0].startswith(f"{file}:{line}: questions.0.options.0.points.flask.reason:")


def test_the_component_without_its_file_and_the_file_without_the_component(lesson_copy):
    file = lesson_copy / "recommender.yaml"
    file.unlink()
    assert _problems(lesson_copy) == [
        f"{file}:0: {{! component recommender !}} needs this file: the questions and their points"
    ]
    file.write_text(RECOMMENDER)
    lesson_md = lesson_copy / "lesson.md"
    lesson_md.write_text(lesson_md.read_text().replace("{! component recommender !}", ""))
    assert _problems(lesson_copy) == [
        f"{file}:1: lesson.md does not place {{! component recommender !}}, so nothing uses this"
    ]
