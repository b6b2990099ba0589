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
from deepdive.course.grading import judge_task, reference_code, task_run
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
            )
        )
        where = f"{lesson.slug}/{interactive.id}: {walk.description}"
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
    def verdict(code: str):
        return judge_task(run_in_sandbox(task_run(lesson, task, code)))

    where = f"{lesson.slug}/{interactive.id}/{task.id}"
    starter = verdict(lesson.sources[interactive.starter])
    assert not starter.passed, f"{where}: the starter already passes"
    solution = verdict(reference_code(lesson, interactive, task))
    assert solution.passed, f"{where}: the solution fails: {solution}"
    for wrong in task.wrong:
        seen = verdict(lesson.sources[wrong.file])
        assert not seen.passed, f"{where}: {wrong.file} passes"
        said = [line.message for line in seen.checks if not line.passed] + [seen.message]
        assert any(wrong.message in text for text in said), f"{where}: {wrong.file} says {said}"


CHATS = [
    pytest.param(lesson, interactive, id=f"{lesson.slug}/{interactive.id}")
    for lesson in COURSE.lessons
    for interactive in lesson.meta.interactives
    if interactive.kind == "chat"
]


@pytest.mark.parametrize(("lesson", "interactive"), CHATS)
def test_every_chat_echoes_and_its_room_carries_messages_between_clients(
    runner_client, lesson, interactive
):
    """What the chat widget does first, in a real session: echo, then two clients in a room."""
    import asyncio

    from deepdive.sandbox.run_request import SessionCommand

    options = interactive.options
    first, second = options.names
    path = options.room_path.replace("{room}", "walk")

    def room(name: str) -> dict[str, str]:
        return {options.name_param: name, **options.query}

    async def until(session, kind: str, connection: str) -> dict:
        while True:
            event = await asyncio.wait_for(session.receive(), 5)
            assert event is not None, f"the session ended before {kind} on {connection}"
            assert event["kind"] != "error", event
            if event["kind"] == kind and event.get("connection") == connection:
                return event

    async def walk(code: str) -> tuple[str, str]:
        async with runner_client.session(RunRequest(kind="session", code=code)) as session:
            await session.send(SessionCommand(op="connect", connection="e", path=options.echo_path))
            await until(session, "accepted", "e")
            await session.send(SessionCommand(op="send", connection="e", text="ping"))
            echoed = (await until(session, "message", "e"))["text"]
            for name in (first, second):
                command = SessionCommand(op="connect", connection=name, path=path, query=room(name))
                await session.send(command)
                await until(session, "accepted", name)
            await session.send(SessionCommand(op="send", connection=second, text="hello"))
            heard = (await until(session, "message", first))["text"]
            while "hello" not in heard:
                heard = (await until(session, "message", first))["text"]
            await session.end()
        return echoed, heard

    for relative in (interactive.starter, interactive.solution):
        if relative is None:
            continue
        echoed, heard = asyncio.run(walk(lesson.sources[relative]))
        assert "ping" in echoed, f"{lesson.slug}/{interactive.id}: {relative} echoed {echoed!r}"
        assert second in heard, (
            f"{lesson.slug}/{interactive.id}: {relative}: {first} heard {heard!r}"
        )
