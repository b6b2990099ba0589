"""Awards a learner brings in with a progress file show as imported in the instructor view (the
table, the learner's page, the CSV) until the learner solves the item here, which makes the
award earned without counting its XP twice."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from tests.hosted.instructor_world import World

from deepdive.course.grading import reference_code

pytestmark = pytest.mark.usefixtures("hosted_app")


def _progress_file(keys: list[str]) -> dict[str, tuple[str, str, str]]:
    """A hand-written export claiming the `keys`, as anyone could write one."""
    exported = {
        "format": "deepdive-progress",
        "version": 1,
        "exported_at": "2026-01-02T00:00:00Z",
        "xp": 0,
        "lessons": [],
        "awards": [{"key": key, "xp": 1, "awarded_at": "2026-01-01T00:00:00Z"} for key in keys],
        "drafts": [],
    }
    return {"file": ("progress.json", json.dumps(exported), "application/json")}


def _imported_cell(page: str, learner: str) -> str:
    row = re.search(rf'<tr data-learner="{learner}">(.*?)</tr>', page, re.S)
    assert row, learner
    cell = re.search(r'data-column="imported">(.*?)</td>', row.group(1), re.S)
    assert cell
    return re.sub(r"<[^>]+>", "", cell.group(1)).strip()


def _csv(world: World) -> dict[tuple[str, str], dict[str, str]]:
    response = world.client("ines").get(f"/cohorts/{world.cohort_a}/export.csv")
    assert response.status_code == 200
    return {
        (row["username"], row["item_id"]): row for row in csv.DictReader(io.StringIO(response.text))
    }


def test_imported_awards_are_shown_apart_until_solved_here(world, course):
    lesson = course.lessons[0]
    interactive = lesson.meta.interactives[0]
    task = interactive.tasks[0]
    task_key = lesson.task_key(interactive, task)
    question = lesson.quiz.questions[0]
    quiz_key = lesson.quiz_key(question)
    other_key = lesson.quiz_key(lesson.quiz.questions[1])
    cyd = world.client("cyd")
    imported = cyd.post(
        "/api/progress/import", files=_progress_file([task_key, quiz_key, other_key])
    )
    assert imported.status_code == 200, imported.text
    assert "imported until you solve" in imported.json()["message"]
    claimed = lesson.award_keys[task_key] + lesson.award_keys[quiz_key]
    claimed += lesson.award_keys[other_key]
    assert cyd.get("/api/progress").json()["xp"] == claimed

    table = world.client("ines").get(f"/cohorts/{world.cohort_a}").text
    assert _imported_cell(table, "cyd") == f"{claimed} XP (3 imported)"
    assert _imported_cell(table, "ana") == "—"
    page = world.client("ines").get(f"/cohorts/{world.cohort_a}/learners/{world.ids['cyd']}")
    assert f"<strong>{claimed} XP</strong> (3 awards) came from an imported" in page.text
    assert f'data-item="{task_key}" data-solved="yes" data-imported="yes"' in page.text
    rows = _csv(world)
    assert rows[("cyd", task_key)]["first_solve_imported"] == "yes"
    assert rows[("cyd", quiz_key)]["first_solve_imported"] == "yes"
    assert rows[("cyd", lesson.quiz_key(lesson.quiz.questions[2]))]["first_solve_imported"] == ""

    # cyd now solves the task in the sandbox and answers the question: the same XP, now earned.
    url = f"/api/lessons/{lesson.slug}/tasks/{interactive.id}/{task.id}"
    answer = {"code": reference_code(lesson, interactive, task)}
    if task.solution_tests:
        answer["tests"] = lesson.sources[task.solution_tests]
    assert cyd.post(url, json=answer).json()["passed"]
    assert cyd.post(
        f"/api/lessons/{lesson.slug}/quiz/{question.id}",
        json={"answer": sorted(question.correct_indexes)},
    ).json()["correct"]
    assert cyd.get("/api/progress").json()["xp"] == claimed

    table = world.client("ines").get(f"/cohorts/{world.cohort_a}").text
    left = lesson.award_keys[other_key]
    assert _imported_cell(table, "cyd") == f"{left} XP (1 imported)"
    page = world.client("ines").get(f"/cohorts/{world.cohort_a}/learners/{world.ids['cyd']}")
    assert f'data-item="{task_key}" data-solved="yes" data-imported="no"' in page.text
    assert f'data-item="{other_key}" data-solved="yes" data-imported="yes"' in page.text
    rows = _csv(world)
    assert rows[("cyd", task_key)]["first_solve_imported"] == "no"
    assert rows[("cyd", quiz_key)]["first_solve_imported"] == "no"
    assert rows[("cyd", other_key)]["first_solve_imported"] == "yes"
    assert rows[("cyd", task_key)]["xp"] == str(lesson.award_keys[task_key])
    # Importing the file again changes nothing: the solved awards stay earned.
    cyd.post("/api/progress/import", files=_progress_file([task_key, quiz_key, other_key]))
    assert _csv(world)[("cyd", task_key)]["first_solve_imported"] == "no"
    assert cyd.get("/api/progress").json()["xp"] == claimed


def test_the_imported_column_sorts_the_table(world, course):
    lesson = course.lessons[0]
    key = lesson.quiz_key(lesson.quiz.questions[0])
    world.client("ben").post("/api/progress/import", files=_progress_file([key]))
    page = world.client("ines").get(f"/cohorts/{world.cohort_a}?sort=imported&order=desc").text
    assert re.findall(r'<tr data-learner="([^"]+)">', page)[0] == "ben"
