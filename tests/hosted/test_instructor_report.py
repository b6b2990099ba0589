"""The instructor view's reports, from what learners really did through the API: the learners ×
lessons table, item statistics, a learner's page and the CSV export."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime

import pytest
from tests.conftest import solve_lesson
from tests.hosted.instructor_world import World

from deepdive.course.models import quiz_award_key
from deepdive.instructor.items import course_items

pytestmark = pytest.mark.usefixtures("hosted_app")


def _first_lesson(course):
    return course.lessons[0]


def _act(world: World, course) -> dict[str, object]:
    """ana solves lesson 1; ben answers one question right and one wrong, submits a known wrong
    answer of a task and saves code; cyd does nothing."""
    lesson = _first_lesson(course)
    solve_lesson(world.client("ana"), lesson)
    ben = world.client("ben")
    right, wrong = lesson.quiz.questions[0], lesson.quiz.questions[1]
    assert ben.post(
        f"/api/lessons/{lesson.slug}/quiz/{right.id}",
        json={"answer": sorted(right.correct_indexes)},
    ).json()["correct"]
    wrong_index = next(i for i in range(len(wrong.options)) if i not in wrong.correct_indexes)
    assert not ben.post(
        f"/api/lessons/{lesson.slug}/quiz/{wrong.id}", json={"answer": [wrong_index]}
    ).json()["correct"]
    interactive = lesson.meta.interactives[0]
    task = interactive.tasks[0]
    known_wrong = task.wrong[0]
    checked = ben.post(
        f"/api/lessons/{lesson.slug}/tasks/{interactive.id}/{task.id}",
        json={"code": lesson.sources[known_wrong.file]},
    ).json()
    assert not checked["passed"]
    failure = next(line["message"] for line in checked["checks"] if not line["passed"])
    draft = "# ben's own attempt\nfrom fastapi import FastAPI\napp = FastAPI()  # BEN-MARKER\n"
    saved = ben.put(f"/api/drafts/{lesson.slug}/{interactive.id}", json={"code": draft})
    assert saved.status_code == 200, saved.text
    return {
        "lesson": lesson,
        "right": right,
        "wrong": wrong,
        "wrong_choice": wrong.options[wrong_index].text,
        "interactive": interactive,
        "task": task,
        "failure": failure,
        "draft": draft,
    }


def _cells(html: str) -> dict[tuple[str, str], tuple[str, int]]:
    """(learner, lesson slug) -> (state, XP) from the table's data attributes."""
    cells = {}
    for row in re.finditer(r'<tr data-learner="([^"]+)">(.*?)</tr>', html, re.S):
        for cell in re.finditer(
            r'data-lesson="([^"]+)" data-state="([^"]+)".*?</span>\s*(\d+)<', row.group(2), re.S
        ):
            cells[(row.group(1), cell.group(1))] = (cell.group(2), int(cell.group(3)))
    return cells


def _column(html: str, learner: str, column: str) -> str:
    row = re.search(rf'<tr data-learner="{learner}">(.*?)</tr>', html, re.S)
    assert row, f"{learner} is not in the table"
    cell = re.search(rf'data-column="{column}">([^<]*)<', row.group(1))
    assert cell, column
    return cell.group(1).strip()


def _order(html: str) -> list[str]:
    return re.findall(r'<tr data-learner="([^"]+)">', html)


def test_the_table_shows_each_learners_state_and_xp_lesson_by_lesson(world, course):
    acted = _act(world, course)
    lesson = acted["lesson"]
    page = world.client("ines").get(f"/cohorts/{world.cohort_a}")
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store, private"
    cells = _cells(page.text)
    available = sum(lesson.award_keys.values())
    assert cells[("ana", lesson.slug)] == ("done", available)
    first_xp = lesson.question_xp(acted["right"])
    assert cells[("ben", lesson.slug)] == ("in-progress", first_xp)
    assert cells[("cyd", lesson.slug)] == ("not-started", 0)
    assert cells[("ana", course.lessons[1].slug)] == ("not-started", 0)
    # Totals: ana's tasks are every task of lesson 1, ben tried 3 items once each.
    tasks = sum(len(i.tasks) for i in lesson.meta.interactives)
    assert _column(page.text, "ana", "tasks") == str(tasks)
    assert _column(page.text, "ana", "xp") == str(available)
    assert _column(page.text, "ana", "done") == "1"
    assert _column(page.text, "ben", "attempts") == "3"
    assert _column(page.text, "cyd", "active") == "—"
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", _column(page.text, "ben", "active"))
    # Learners of the other cohort and instructors are not rows.
    assert set(_order(page.text)) == {"ana", "ben", "cyd"}


def test_the_table_sorts_and_filters_with_query_parameters(world, course):
    acted = _act(world, course)
    slug = acted["lesson"].slug
    ines = world.client("ines")
    base = f"/cohorts/{world.cohort_a}"
    assert _order(ines.get(base).text) == ["ana", "ben", "cyd"]
    assert _order(ines.get(base + "?sort=name&order=desc").text) == ["cyd", "ben", "ana"]
    assert _order(ines.get(base + "?sort=xp&order=desc").text) == ["ana", "ben", "cyd"]
    assert _order(ines.get(base + "?sort=xp&order=asc").text) == ["cyd", "ben", "ana"]
    assert _order(ines.get(base + "?sort=attempts&order=desc").text)[0] in ("ana", "ben")
    assert _order(ines.get(base + f"?sort=lesson:{slug}&order=asc").text) == ["cyd", "ben", "ana"]
    assert _order(ines.get(base + f"?lesson={slug}&state=in-progress").text) == ["ben"]
    assert _order(ines.get(base + f"?lesson={slug}&state=not-started").text) == ["cyd"]
    assert _order(ines.get(base + "?q=BEN").text) == ["ben"]
    assert _order(ines.get(base + "?q=Cyrus").text) == ["cyd"]  # display name
    empty = ines.get(base + "?q=nobody")
    assert _order(empty.text) == []
    assert "No learner matches." in empty.text
    # The sort headers link to the other order, and say which column sorts.
    page = ines.get(base + "?sort=xp&order=desc").text
    assert 'aria-sort="descending"' in page
    assert "?sort=xp&amp;order=asc" in page


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("?sort=password_hash", "cannot be sorted by 'password_hash'"),
        ("?sort=lesson:no-such-lesson", "cannot be sorted by"),
        ("?lesson=no-such-lesson&state=done", "There is no lesson 'no-such-lesson'"),
        ("?state=done", "Choose the lesson"),
        ("?order=sideways", "order"),
        ("?state=finished&lesson=01-basics", "state"),
    ],
)
def test_a_bad_sort_or_filter_is_a_clear_422(world, query, says):
    page = world.client("ines").get(f"/cohorts/{world.cohort_a}{query}")
    assert page.status_code == 422
    assert says in html.unescape(page.text)
    assert "data-learner" not in page.text


def test_item_stats_count_solvers_attempts_and_the_most_common_failure(world, course):
    acted = _act(world, course)
    lesson, interactive, task = acted["lesson"], acted["interactive"], acted["task"]
    # cyd fails the same task with the same known wrong answer: that failure has 2 learners.
    wrong = {"code": lesson.sources[task.wrong[0].file]}
    url = f"/api/lessons/{lesson.slug}/tasks/{interactive.id}/{task.id}"
    assert not world.client("cyd").post(url, json=wrong).json()["passed"]
    page = world.client("ines").get(f"/cohorts/{world.cohort_a}/items")
    assert page.status_code == 200
    task_key = lesson.task_key(interactive, task)
    row = re.search(rf'<tr data-item="{re.escape(task_key)}">(.*?)</tr>', page.text, re.S)
    assert row
    text = row.group(1)
    assert re.search(r'data-column="solved">1<', text)  # ana
    assert re.search(r'data-column="tried">3<', text)  # ana, ben, cyd
    failure = acted["failure"]
    escaped = failure.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace('"', "&#34;").replace("'", "&#39;")
    assert escaped in text
    assert "(2 learners)" in text
    quiz_key = quiz_award_key(lesson.slug, acted["wrong"].id)
    quiz_row = re.search(rf'<tr data-item="{re.escape(quiz_key)}">(.*?)</tr>', page.text, re.S)
    assert quiz_row
    assert re.search(r'data-column="attempts">2<', quiz_row.group(1))
    # Every item of the course has its row, incidents included.
    assert page.text.count("<tr data-item=") == len(course_items(course))


def test_a_learners_page_shows_their_code_and_their_results(world, course):
    acted = _act(world, course)
    page = world.client("ines").get(f"/cohorts/{world.cohort_a}/learners/{world.ids['ben']}")
    assert page.status_code == 200, page.text
    assert "BEN-MARKER" in page.text
    assert 'class="highlight"' in page.text
    assert f'data-widget="{acted["lesson"].slug}/{acted["interactive"].id}"' in page.text
    task_key = acted["lesson"].task_key(acted["interactive"], acted["task"])
    assert f'data-item="{task_key}" data-solved="no"' in page.text
    right_key = quiz_award_key(acted["lesson"].slug, acted["right"].id)
    assert f'data-item="{right_key}" data-solved="yes"' in page.text
    assert "data-reset-link" in page.text
    # ana's code is not on ben's page.
    assert (
        "BEN-MARKER"
        not in world.client("ines")
        .get(f"/cohorts/{world.cohort_a}/learners/{world.ids['ana']}")
        .text
    )


def test_the_csv_has_a_row_per_learner_per_item(world, course):
    acted = _act(world, course)
    lesson, interactive, task = acted["lesson"], acted["interactive"], acted["task"]
    incident = course.incidents[0]
    fix = world.client("cyd").post(
        f"/api/incidents/{incident.slug}/fix", json={"code": incident.service}
    )
    assert fix.status_code == 200, fix.text
    response = world.client("ines").get(f"/cohorts/{world.cohort_a}/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert re.fullmatch(r'attachment; filename="spring-cohort-results-\d{8}\.csv"', disposition)
    rows = list(csv.DictReader(io.StringIO(response.text)))
    items = course_items(course)
    assert len(rows) == 3 * len(items)
    by = {(row["username"], row["item_id"]): row for row in rows}
    assert {row["username"] for row in rows} == {"ana", "ben", "cyd"}
    for item in items:  # ana solved every item of lesson 1, nothing else
        row = by[("ana", item.key)]
        assert row["item_kind"] == item.kind
        assert row["max_score"] == str(item.max_score)
        assert row["lesson"] == (item.lesson_slug or "")
        if item.lesson_slug == lesson.slug:
            assert row["score"] == str(item.xp)
            assert row["xp"] == str(item.xp)
            stamp = datetime.fromisoformat(row["first_solved_at"].replace("Z", "+00:00"))
            assert stamp.utcoffset().total_seconds() == 0
            assert row["attempts"] == "1"
        else:
            assert (row["score"], row["attempts"], row["first_solved_at"]) == ("0", "0", "")
    task_row = by[("ben", lesson.task_key(interactive, task))]
    assert (task_row["score"], task_row["attempts"], task_row["first_solved_at"]) == ("0", "1", "")
    right = by[("ben", quiz_award_key(lesson.slug, acted["right"].id))]
    assert right["score"] == right["max_score"] == str(lesson.question_xp(acted["right"]))
    assert right["first_solved_at"].endswith("Z")
    assert by[("cyd", items[0].key)]["display_name"] == "Cyrus"
    # An incident is scored in its tests' points: the best score so far, of all its points.
    scored = by[("cyd", incident.award_key)]
    assert scored["item_kind"] == "incident"
    assert scored["lesson"] == ""
    assert scored["score"] == str(fix.json()["best_score"])
    assert scored["max_score"] == str(incident.total_points)
    assert (scored["attempts"], scored["xp"]) == ("1", "0")


def test_the_csv_cannot_carry_a_formula_into_a_spreadsheet(world, course):
    world.rename("cyd", display_name='=HYPERLINK("http://evil","x")')
    world.rename("ben", display_name="@SUM(A1)")
    world.rename("ana", display_name="-2+3")
    rows = list(
        csv.DictReader(
            io.StringIO(world.client("ines").get(f"/cohorts/{world.cohort_a}/export.csv").text)
        )
    )
    names = {row["username"]: row["display_name"] for row in rows}
    assert names == {
        "cyd": '\'=HYPERLINK("http://evil","x")',
        "ben": "'@SUM(A1)",
        "ana": "'-2+3",
    }
    assert not any(value[:1] in "=+-@" for row in rows for value in row.values() if value)


def test_reset_link_button_posts_to_the_learners_reset_route(world, course):
    page = world.client("ines").get(f"/cohorts/{world.cohort_a}/learners/{world.ids['cyd']}")
    assert (
        f'hx-post="/cohorts/{world.cohort_a}/learners/{world.ids["cyd"]}/reset-link"' in page.text
    )
