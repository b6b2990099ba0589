"""Lessons declare challenges in their front matter; a challenge counts towards "done"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.conftest import CONTENT_DIR

from deepdive.course.levels import level_for
from deepdive.course.loader import ContentError, load_course
from deepdive.course.progress import LessonState, Progress


@pytest.fixture
def lesson_md(tmp_path: Path) -> Path:
    """lesson.md of a copy of the dependency-injection lesson, ready to be broken."""
    source = CONTENT_DIR / "lessons" / "05-dependencies"
    target = tmp_path / "content" / "lessons" / source.name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target / "lesson.md"


def _problems(lesson_md: Path, old: str, new: str) -> str:
    text = lesson_md.read_text()
    assert old in text
    lesson_md.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError) as caught:
        load_course(lesson_md.parents[2])
    return "\n".join(str(problem) for problem in caught.value.problems)


def test_challenge_award_counts_towards_the_lesson(course):
    lesson = course.lesson("dependencies")
    assert lesson.award_keys["challenge:dependencies:settings-calls"] == 50
    quiz_only = frozenset(k for k in lesson.award_keys if k.startswith("quiz:"))

    def state(earned: frozenset[str]) -> LessonState:
        return Progress(
            xp=0, level=level_for(0, course.levels), earned=earned, started=frozenset()
        ).state(lesson)

    assert state(quiz_only) is LessonState.IN_PROGRESS
    assert state(frozenset(lesson.award_keys)) is LessonState.DONE


def test_a_challenge_names_an_app_file_that_exists(lesson_md):
    problems = _problems(
        lesson_md, "app: examples/nested_dependencies.py", "app: examples/missing.py"
    )
    assert "challenges.0.check.app: file 'examples/missing.py' does not exist" in problems


def test_an_interactive_cannot_present_an_unknown_challenge(lesson_md):
    problems = _problems(lesson_md, "challenge: settings-calls", "challenge: settings-count")
    assert "`challenge` names no challenge of this lesson: settings-count" in problems


def test_every_challenge_is_presented_by_an_interactive(lesson_md):
    problems = _problems(lesson_md, "    challenge: settings-calls\n", "")
    assert "challenge settings-calls is not presented" in problems


def test_an_unknown_kind_of_check_is_refused(lesson_md):
    problems = _problems(lesson_md, "kind: dependency-calls", "kind: guess")
    assert "does not match any of the expected tags: 'dependency-calls'" in problems
