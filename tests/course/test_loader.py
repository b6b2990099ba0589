"""The loader accepts the real course and reports each kind of mistake with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from tests.conftest import CONTENT_DIR

from deepdive.course.loader import ContentError, load_course


@pytest.fixture
def lesson_copy(tmp_path: Path) -> Path:
    """A copy of the first lesson in a content folder of its own, ready to be broken."""
    first = sorted(
        p for p in (CONTENT_DIR / "lessons").iterdir() if p.is_dir() and p.name[0].isdigit()
    )[0]
    target = tmp_path / "content" / "lessons" / first.name
    shutil.copytree(first, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _problems(content: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_course(content)
    return [str(p) for p in caught.value.problems]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_the_real_course_loads(course):
    assert course.lessons
    assert [lesson.meta.order for lesson in course.lessons] == sorted(
        item.meta.order for item in course.lessons
    )


def test_the_copy_used_by_these_tests_loads(lesson_copy):
    assert load_course(lesson_copy.parents[1])


def test_missing_front_matter_field_names_file_and_line(lesson_copy):
    lesson_md = lesson_copy / "lesson.md"
    line = _line_of(lesson_md, "summary:")
    lines = lesson_md.read_text().splitlines(keepends=True)
    del lines[line - 1]
    lesson_md.write_text("".join(lines))
    problems = _problems(lesson_copy.parents[1])
    assert any(p.startswith(f"{lesson_md}:") and "summary: Field required" in p for p in problems)


def test_wrong_type_in_front_matter_points_at_its_line(lesson_copy):
    lesson_md = lesson_copy / "lesson.md"
    line = _line_of(lesson_md, "order:")
    _replace(lesson_md, lesson_md.read_text().splitlines()[line - 1], "order: first")
    assert f"{lesson_md}:{line}: order: Input should be a valid integer" in "\n".join(
        _problems(lesson_copy.parents[1])
    )


def test_broken_yaml_in_quiz_names_the_line(lesson_copy):
    quiz = lesson_copy / "quiz.yaml"
    quiz.write_text(quiz.read_text() + "\n  - id: [unclosed\n")
    problems = _problems(lesson_copy.parents[1])
    assert any(p.startswith(f"{quiz}:") and "invalid YAML" in p for p in problems)


def test_single_choice_question_with_two_right_answers_is_rejected(lesson_copy):
    quiz = lesson_copy / "quiz.yaml"
    data = yaml.safe_load(quiz.read_text())
    index = next(i for i, q in enumerate(data["questions"]) if q["type"] == "single")
    for option in data["questions"][index]["options"]:
        option["correct"] = True
    quiz.write_text(yaml.safe_dump(data, sort_keys=False))
    question_id = data["questions"][index]["id"]
    line = _line_of(quiz, f"id: {question_id}")
    assert (
        f"{quiz}:{line}: questions.{index}: a single-choice question needs exactly 1 correct option"
        in "\n".join(_problems(lesson_copy.parents[1]))
    )


def test_include_of_a_missing_file_names_the_directive_line(lesson_copy):
    lesson_md = lesson_copy / "lesson.md"
    lesson_md.write_text(lesson_md.read_text() + "\n{* examples/does_not_exist.py *}\n")
    line = _line_of(lesson_md, "does_not_exist.py")
    assert (
        f"{lesson_md}:{line}: included file 'examples/does_not_exist.py' does not exist"
        in "\n".join(_problems(lesson_copy.parents[1]))
    )


def test_include_with_lines_beyond_the_file_is_rejected(lesson_copy):
    lesson_md = lesson_copy / "lesson.md"
    example = sorted((lesson_copy / "examples").glob("*.py"))[0]
    lesson_md.write_text(
        lesson_md.read_text() + f"\n{{* examples/{example.name} lines=1-9999 *}}\n"
    )
    assert any("line range outside" in p for p in _problems(lesson_copy.parents[1]))


def test_an_example_without_a_test_is_reported(lesson_copy):
    (lesson_copy / "examples" / "orphan.py").write_text("x = 1\n")
    problems = _problems(lesson_copy.parents[1])
    assert any(
        "orphan.py:1: every example needs a test: create tests/test_orphan.py" in p
        for p in problems
    )


def test_missing_more_marker_is_reported(lesson_copy):
    lesson_md = lesson_copy / "lesson.md"
    _replace(lesson_md, "<!-- more -->", "")
    assert any("<!-- more -->" in p for p in _problems(lesson_copy.parents[1]))


def test_unknown_interactive_placeholder_is_reported(lesson_copy):
    lesson_md = lesson_copy / "lesson.md"
    lesson_md.write_text(lesson_md.read_text() + "\n{! interactive nowhere !}\n")
    line = _line_of(lesson_md, "{! interactive nowhere !}")
    assert f"{lesson_md}:{line}: no interactive 'nowhere' in the front matter" in _problems(
        lesson_copy.parents[1]
    )


def test_a_too_short_article_is_reported(lesson_copy):
    lesson_md = lesson_copy / "lesson.md"
    text = lesson_md.read_text()
    lesson_md.write_text(text[: text.index("<!-- more -->") + len("<!-- more -->")] + "\nShort.\n")
    assert any("words; write 1000-2500" in p for p in _problems(lesson_copy.parents[1]))


def test_folder_name_must_match_order_and_slug(lesson_copy):
    renamed = lesson_copy.with_name("42-something-else")
    lesson_copy.rename(renamed)
    assert any("must match order and slug" in p for p in _problems(renamed.parents[1]))
