"""The whole course, walked: every page renders, and every interactive runs in the sandbox.

For each interactive, its kind lists the runs its widget makes (the starter and the solution with
every preset, each variant with its requests, ...); each is run for real with the instruments the
widget reads. A run must load the learner's code, answer every request, and hand the widget
every instrument's data valid against its documented model. A content change that breaks a
widget fails here, with the lesson, the interactive and the run named.
"""

from __future__ import annotations

import pytest
from tests.conftest import CONTENT_DIR

from deepdive.course.challenges import check_run, judge
from deepdive.course.grading import judge_task_runs, reference_code, reference_tests, task_runs
from deepdive.course.incident_grading import judge_incident
from deepdive.course.loader import load_course
from deepdive.sandbox import RunRequest, instruments

COURSE = load_course(CONTENT_DIR)
INTERACTIVES = [
    pytest.param(lesson, interactive, id=f"{lesson.slug}/{interactive.id}")
    for lesson in COURSE.lessons
    for interactive in lesson.meta.interactives
]
CHALLENGES = [
    pytest.param(lesson, challenge, id=f"{lesson.slug}/{challenge.id}")
    for lesson in COURSE.lessons
    for challenge in lesson.meta.challenges
]
TASKS = [
    pytest.param(lesson, interactive, task, id=f"{lesson.slug}/{interactive.id}/{task.id}")
    for lesson in COURSE.lessons
    for interactive in lesson.meta.interactives
    for task in interactive.tasks
]
# What a widget can draw: the run loaded the code and got as far as the requests.
DRAWABLE = {"ok", "runtime_error"}


def test_every_page_renders_with_each_of_its_interactives(client):
    assert client.get("/").status_code == 200
    course_page = client.get("/").text
    for lesson, interactive in COURSE.course_page_interactives:
        assert f'id="interactive-{interactive.id}"' in course_page, lesson.slug
    for lesson in COURSE.lessons:
        page = client.get(f"/lessons/{lesson.slug}")
        assert page.status_code == 200, lesson.slug
        for interactive in lesson.meta.interactives:
            assert f'data-widget-id="{lesson.slug}/{interactive.id}"' in page.text
    for path in ("/progress", "/bookstore"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(("lesson", "interactive"), INTERACTIVES)
def test_every_interactive_offers_at_least_two_checked_tasks_with_hints(lesson, interactive):
    where = f"{lesson.slug}/{interactive.id}"
    assert len(interactive.tasks) >= 2, f"{where} has {len(interactive.tasks)} task(s)"
    for task in interactive.tasks:
        assert task.hints, f"{where}/{task.id} has no hints"
        assert task.wrong, f"{where}/{task.id} has no known wrong answer"


def test_interactive_ids_are_unique_on_the_course_page():
    ids = [interactive.id for _, interactive in COURSE.course_page_interactives]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(("lesson", "interactive"), INTERACTIVES)
def test_every_run_of_the_interactive_gives_its_widget_what_it_reads(
    run_in_sandbox, lesson, interactive
):
    runs = interactive.walk(lesson.sources)
    assert runs, "an interactive has at least one run"
    for walk in runs:
        result = run_in_sandbox(
            RunRequest(
                code=walk.code,
                requests=walk.requests,
                instruments=walk.instruments,
                concurrent=walk.concurrent,
                files=walk.files,
                kind=walk.kind,
                tests=walk.tests,
            )
        )
        where = f"{lesson.slug}/{interactive.id}: {walk.description}"
        if walk.kind == "test":
            assert result.outcome == "ok", f"{where}: {result.outcome}: {result.message}"
            failing = [case.nodeid for case in result.tests if case.outcome != "passed"]
            assert result.tests, f"{where}: pytest found no tests"
            assert not failing, f"{where}: {failing}"
        assert result.outcome in DRAWABLE, f"{where}: {result.outcome}: {result.message}"
        assert len(result.responses) == len(walk.requests), where
        assert all(not r.skipped for r in result.responses), where
        for name in walk.instruments:
            data = result.instrumentation.get(name)
            assert isinstance(data, dict), f"{where}: no {name} data"
            assert "error" not in data, f"{where}: {name}: {data.get('error')}"
            instruments.result_model(name).model_validate(data)


@pytest.mark.parametrize(("lesson", "challenge"), CHALLENGES)
def test_every_challenge_can_be_checked_by_a_real_run(run_in_sandbox, lesson, challenge):
    result = run_in_sandbox(check_run(lesson, challenge))
    verdict = judge(challenge, 0, result)
    assert verdict.measured >= 0
    assert judge(challenge, verdict.measured, result).correct


@pytest.mark.parametrize(("lesson", "interactive", "task"), TASKS)
def test_every_task_refuses_the_starter_and_each_wrong_answer_and_passes_its_solution(
    run_in_sandbox, lesson, interactive, task
):
    def verdict(code: str, tests: str | None = None):
        runs = task_runs(lesson, interactive, task, code, tests)
        return judge_task_runs(task, [run_in_sandbox(run) for run in runs])

    def text(relative: str | None) -> str | None:
        return lesson.sources[relative] if relative else None

    where = f"{lesson.slug}/{interactive.id}/{task.id}"
    starter = verdict(lesson.sources[interactive.starter], text(interactive.starter_tests()))
    assert not starter.passed, f"{where}: the starter already passes"
    solution = verdict(reference_code(lesson, interactive, task), reference_tests(lesson, task))
    assert solution.passed, f"{where}: the solution fails: {solution}"
    for wrong in task.wrong:
        seen = verdict(lesson.sources[wrong.file], text(wrong.tests))
        assert not seen.passed, f"{where}: {wrong.file} passes"
        said = [line.message for line in seen.checks if not line.passed] + [seen.message]
        assert any(wrong.message in text for text in said), f"{where}: {wrong.file} says {said}"


INCIDENTS = [
    pytest.param(incident, id=f"incident/{incident.slug}") for incident in COURSE.incidents
]


@pytest.mark.parametrize("incident", INCIDENTS)
def test_every_incident_fails_broken_passes_its_fix_and_refuses_each_wrong_fix(
    run_in_sandbox, incident
):
    def verdict(code: str):
        return judge_incident(incident, run_in_sandbox(incident.grade_run(code)))

    broken = verdict(incident.service)
    assert not broken.refused, f"{incident.slug}: the broken service was not judged: {broken}"
    assert broken.score < broken.total, f"{incident.slug}: the broken service passes every test"
    fixed = verdict(incident.fix)
    assert fixed.solved, f"{incident.slug}: the reference fix fails: {fixed}"
    for file, code in incident.wrong.items():
        seen = verdict(code)
        assert not seen.refused, f"{incident.slug}: {file} was not judged: {seen.message}"
        assert not seen.solved, f"{incident.slug}: the wrong fix {file} passes every test"


@pytest.mark.parametrize("incident", INCIDENTS)
def test_every_incident_shows_evidence_measured_on_its_broken_service(run_in_sandbox, incident):
    run = incident.evidence_run()
    result = run_in_sandbox(run)
    assert result.outcome in DRAWABLE, f"{incident.slug}: {result.outcome}: {result.message}"
    assert len(result.responses) == len(run.requests), incident.slug
    timeline = result.instrumentation.get("timeline")
    assert isinstance(timeline, dict), incident.slug
    assert "error" not in timeline, f"{incident.slug}: {timeline.get('error')}"
    assert len(timeline["requests"]) == len(run.requests), incident.slug
