"""Running learner code from the page: POST /api/runs goes to the real sandbox runner."""

from __future__ import annotations

import asyncio
import json
import statistics
import threading
import time

import httpx
import pytest
from tests.conftest import BASE_URL, CourseClient

from deepdive.db.migrate import open_database
from deepdive.web.app import create_app

WIDGET = "basics/first-endpoint"
HEADER = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"  # five lines


def _starter(course) -> str:
    lesson = course.lesson("basics")
    return lesson.sources[lesson.interactive("first-endpoint").starter]


def _run(client, code: str, *requests: dict, **headers: str):
    body = {"widget": WIDGET, "code": code, "requests": list(requests), "instruments": ["openapi"]}
    return client.post("/api/runs", json=body, headers=headers)


def test_the_starter_app_answers_health_for_real(client, course):
    response = _run(client, _starter(course), {"method": "GET", "path": "/health"})
    assert response.status_code == 200
    data = response.json()
    result = data["result"]
    assert result["outcome"] == "ok"
    assert result["responses"][0]["status"] == 200
    assert result["responses"][0]["json_body"] == {"status": "ok"}
    assert data["attempts"] == 1
    assert set(result["instrumentation"]["openapi"]["schema"]["paths"]) == {"/", "/health"}


def test_a_route_added_by_the_learner_is_served_and_documented(client, course):
    code = _starter(course) + (
        '\n\n@app.get("/version")\ndef version() -> dict[str, str]:\n    return {"version": "2"}\n'
    )
    result = _run(client, code, {"method": "GET", "path": "/version"}).json()["result"]
    assert result["responses"][0]["json_body"] == {"version": "2"}
    assert "/version" in result["instrumentation"]["openapi"]["schema"]["paths"]


def test_progress_streams_as_json_lines_ending_with_the_result(client, course):
    response = _run(
        client, _starter(course), {"method": "GET", "path": "/"}, accept="application/x-ndjson"
    )
    assert response.headers["content-type"].startswith("application/x-ndjson")
    events = [json.loads(line) for line in response.text.splitlines() if line]
    kinds = [event["event"] for event in events]
    assert kinds[-1] == "result"
    assert "started" in kinds
    assert events[-1]["result"]["responses"][0]["json_body"] == {"message": "Hello from FastAPI"}


def test_a_syntax_error_is_reported_on_the_learners_line(client):
    code = HEADER + "@app.get('/')\ndef root(:\n    return {}\n"
    result = _run(client, code, {"method": "GET", "path": "/"}).json()["result"]
    assert result["outcome"] == "syntax_error"
    assert result["error"]["line"] == 7
    assert result["responses"] == []


def test_an_exception_in_an_endpoint_points_at_its_line(client):
    code = HEADER + "@app.get('/')\ndef root():\n    return 1 / 0\n"
    result = _run(client, code, {"method": "GET", "path": "/"}).json()["result"]
    response = result["responses"][0]
    assert response["status"] == 500
    assert response["error"]["type"] == "ZeroDivisionError"
    assert response["error"]["line"] == 8


def test_each_run_saves_the_code_and_counts_an_attempt(client, course):
    code = _starter(course) + "\n# edited\n"
    _run(client, code, {"method": "GET", "path": "/"})
    second = _run(client, code, {"method": "GET", "path": "/"}).json()
    assert second["attempts"] == 2
    assert "# edited" in client.get("/lessons/basics").text


def test_the_solution_is_revealed_only_after_a_first_run(client, course):
    url = "/api/widgets/basics/first-endpoint/solution"
    refused = client.get(url)
    assert refused.status_code == 403
    assert "at least once" in refused.json()["message"]
    _run(client, _starter(course), {"method": "GET", "path": "/"})
    revealed = client.get(url)
    assert revealed.status_code == 200
    assert '@app.get("/version")' in revealed.json()["code"]


def test_unknown_widget_and_oversized_code_are_refused_with_messages(client):
    assert (
        _run(client, "x", {"method": "GET", "path": "/"}).status_code == 200
    )  # sanity: valid widget
    unknown = client.post("/api/runs", json={"widget": "basics/nope", "code": "", "requests": []})
    assert unknown.status_code == 404
    huge = client.post("/api/runs", json={"widget": WIDGET, "code": "x" * 100_001, "requests": []})
    assert huge.status_code == 422
    assert "at most 100000 characters" in huge.json()["message"]


def test_runs_without_the_csrf_token_are_refused(client, course):
    response = client.request(
        "POST",
        "/api/runs",
        json={"widget": WIDGET, "code": _starter(course), "requests": []},
        headers={"Origin": BASE_URL},
        csrf=False,
    )
    assert response.status_code == 403


def test_runs_beyond_the_per_minute_limit_get_429_with_retry_after(settings, course):
    limited = settings.model_copy(update={"sandbox_runs_per_minute": 2})
    open_database(limited.database_url or "").dispose()
    with CourseClient(create_app(limited, course), base_url=BASE_URL) as client:
        codes = [
            _run(client, _starter(course), {"method": "GET", "path": "/"}).status_code
            for _ in range(3)
        ]
        third = _run(client, _starter(course), {"method": "GET", "path": "/"})
    assert codes[:2] == [200, 200]
    assert third.status_code == 429
    assert int(third.headers["retry-after"]) >= 1
    assert "times a minute" in third.json()["message"]


def test_without_a_runner_the_learner_is_told_how_to_fix_it(settings, course):
    no_runner = settings.model_copy(update={"runner_url": None})
    open_database(no_runner.database_url or "").dispose()
    with CourseClient(create_app(no_runner, course), base_url=BASE_URL) as client:
        response = _run(client, "x", {"method": "GET", "path": "/"})
    assert response.status_code == 503
    assert "make run" in response.json()["message"]


@pytest.mark.parametrize(
    "hostile",
    [
        "while True:\n    pass\n",
        "blocks = []\nwhile True:\n    blocks.append(bytearray(50 * 1024 * 1024))\n",
    ],
)
def test_a_hostile_run_gets_a_clear_outcome(client, hostile):
    result = _run(client, hostile, {"method": "GET", "path": "/"}).json()["result"]
    assert result["outcome"] in {"timeout", "memory_limit"}
    assert result["message"]


def test_health_stays_fast_while_two_hostile_runs_execute(live_server):
    with httpx.Client(base_url=live_server.url) as browser:
        browser.get("/")
        headers = {"X-CSRF-Token": browser.cookies["deepdive_csrf"], "Origin": live_server.url}
        cookies = dict(browser.cookies)

    def hostile(code: str) -> None:
        with httpx.Client(base_url=live_server.url, cookies=cookies, timeout=30) as c:
            c.post(
                "/api/runs",
                headers=headers,
                json={"widget": WIDGET, "code": code, "requests": [{"method": "GET", "path": "/"}]},
            )

    attacks = [
        threading.Thread(target=hostile, args=("while True:\n    pass\n",)),
        threading.Thread(
            target=hostile, args=("x = []\nwhile True:\n    x.append(bytearray(10**7))\n",)
        ),
    ]

    def probe_health(until) -> list[float]:
        timings = []
        with httpx.Client(base_url=live_server.url) as probe:
            while until() and len(timings) < 40:
                started = time.perf_counter()
                assert probe.get("/health").status_code == 200
                timings.append((time.perf_counter() - started) * 1000)
                time.sleep(0.05)
        return timings

    # A baseline from the same machine in the same run: CI machines are shared and noisy.
    quiet = probe_health(lambda: True)[:20]
    for attack in attacks:
        attack.start()
    time.sleep(0.3)  # the first run is inside a sandbox, the second waits for its turn
    timings = probe_health(lambda: any(attack.is_alive() for attack in attacks))
    for attack in attacks:
        attack.join()
    assert len(timings) >= 5, "the hostile runs ended too quickly to measure anything"
    # The server keeps answering as it does when idle: the typical answer is about as fast, and
    # no answer waits for a run (a run lasts seconds).
    assert statistics.median(timings) < 3 * statistics.median(quiet) + 20, (quiet, timings)
    assert max(timings) < 1000, timings


def test_a_test_run_streams_each_test_as_it_finishes_then_the_result(client, course):
    tests = (
        "from fastapi.testclient import TestClient\nfrom app import app\n\n"
        "def test_health():\n"
        "    assert TestClient(app).get('/health').json() == {'status': 'ok'}\n\n"
        "def test_wrong():\n    assert TestClient(app).get('/health').status_code == 404\n"
    )
    body = {"widget": WIDGET, "kind": "test", "code": _starter(course), "tests": tests}
    response = client.post("/api/runs", json=body, headers={"accept": "application/x-ndjson"})
    events = [json.loads(line) for line in response.text.splitlines() if line]
    cases = [event["case"] for event in events if event["event"] == "case"]
    assert [(case["name"], case["outcome"]) for case in cases] == [
        ("test_health", "passed"),
        ("test_wrong", "failed"),
    ]
    assert events[-1]["event"] == "result"
    assert events[-1]["result"]["message"] == "pytest ran 2 tests: 1 passed, 1 failed."
    # The test module is kept as the draft of the widget's `tests` editor.
    from deepdive.course.progress import load_draft

    state = client.app.state
    with state.session_factory() as session:
        draft = load_draft(session, state.local_learner_id, f"{WIDGET}:tests")
        assert draft is not None
        assert "def test_wrong" in draft.code


def test_a_chained_run_through_the_web_uses_a_value_from_an_earlier_response(client):
    code = HEADER + (
        "@app.post('/items', status_code=201)\ndef create():\n    return {'id': 41}\n\n"
        "@app.get('/items/{item_id}')\ndef read(item_id: int):\n    return {'id': item_id}\n"
    )
    first = {"method": "POST", "path": "/items", "capture": {"item": "json.id"}}
    second = {"method": "GET", "path": "/items/{{item}}"}
    result = _run(client, code, first, second).json()["result"]
    assert [r["status"] for r in result["responses"]] == [201, 200]
    assert result["responses"][1]["json_body"] == {"id": 41}
    assert result["responses"][1]["sent_request"]["path"] == "/items/41"


def test_concurrent_requests_through_the_web_overlap_and_each_is_timed(client):
    code = HEADER + (
        "import asyncio\n\n@app.get('/wait')\nasync def wait():\n"
        "    await asyncio.sleep(0.3)\n    return {'ok': True}\n"
    )
    body = {
        "widget": WIDGET,
        "code": code,
        "requests": [{"method": "GET", "path": "/wait"}] * 5,
        "concurrent": True,
        "instruments": ["timeline"],
    }
    result = client.post("/api/runs", json=body).json()["result"]
    timeline = result["instrumentation"]["timeline"]
    assert len(timeline["requests"]) == 5
    starts = [entry["start_ms"] for entry in timeline["requests"]]
    assert max(starts) - min(starts) < 150
    assert 300 <= timeline["total_ms"] < 5 * 300  # overlapping, not one after the other


def test_a_request_using_a_value_no_request_captures_is_refused(client, course):
    body = {
        "widget": WIDGET,
        "code": _starter(course),
        "requests": [{"method": "GET", "path": "/items/{{item}}"}],
    }
    response = client.post("/api/runs", json=body)
    assert response.status_code == 422
    assert "which no earlier request captures" in response.json()["message"]


def test_a_run_through_the_web_can_move_the_clock_between_requests(client):
    code = HEADER + "import time\n\n@app.get('/now')\ndef now():\n    return {'now': time.time()}\n"
    requests = [{"path": "/now"}, {"path": "/now", "advance_clock": 3600}]
    result = _run(client, code, *requests).json()["result"]
    first, second = (response["json_body"]["now"] for response in result["responses"])
    assert 3600 <= second - first < 3600 + 5


def test_a_learner_with_a_run_going_and_one_waiting_is_asked_to_wait(live_server):
    slow = "import time\nfrom fastapi import FastAPI\ntime.sleep(1.5)\napp = FastAPI()\n"

    async def three_at_once() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as browser:
            await browser.get("/")
            headers = {"X-CSRF-Token": browser.cookies["deepdive_csrf"], "Origin": live_server.url}
            body = {"widget": WIDGET, "code": slow, "requests": []}

            async def one(delay: float) -> httpx.Response:
                await asyncio.sleep(delay)
                return await browser.post("/api/runs", json=body, headers=headers)

            return await asyncio.gather(*(one(0.1 * n) for n in range(3)))

    responses = asyncio.run(three_at_once())
    assert [r.status_code for r in responses] == [200, 200, 429]
    refused = responses[2]
    assert "Wait for one to finish" in refused.json()["message"]
    assert int(refused.headers["retry-after"]) >= 1
    assert [r.json()["result"]["outcome"] for r in responses[:2]] == ["ok", "ok"]


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("accept", ["application/json", "application/x-ndjson"])
@pytest.mark.parametrize("depth", [300, 100_000])
def test_deeply_nested_json_is_refused_before_anything_is_recorded(client, course, depth, accept):
    request = {"method": "POST", "path": "/", "json_body": "NESTED"}
    body = {"widget": WIDGET, "code": _starter(course), "requests": [request]}
    raw = json.dumps(body).replace('"NESTED"', _nested(depth))
    response = client.post(
        "/api/runs",
        content=raw,
        headers={"content-type": "application/json", "accept": accept},
    )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/json")
    if depth < 1000:
        assert "nested more than 64 levels deep" in response.json()["message"]
    solution = client.get("/api/widgets/basics/first-endpoint/solution")
    assert solution.status_code == 403, "the refused run was counted as an attempt"


def test_json_nested_64_levels_deep_is_still_sent(client):
    code = "from fastapi import FastAPI, Request\napp = FastAPI()\n" + (
        "@app.post('/')\nasync def echo(request: Request):\n    return await request.json()\n"
    )
    body = json.loads(_nested(64))
    result = _run(client, code, {"method": "POST", "path": "/", "json_body": body}).json()["result"]
    assert result["outcome"] == "ok", result["message"]
    assert result["responses"][0]["json_body"] == body


def test_an_answer_nested_too_deeply_to_carry_as_json_is_shown_as_text(client):
    code = HEADER + (
        "from fastapi.responses import Response\n"
        "@app.get('/')\n"
        "def deep():\n"
        f"    return Response('{_nested(300)}', media_type='application/json')\n"
    )
    result = _run(client, code, {"method": "GET", "path": "/"}).json()["result"]
    assert result["outcome"] == "ok", result["message"]
    response = result["responses"][0]
    assert response["is_json"] is False
    assert response["body"] == _nested(300)


@pytest.mark.parametrize("accept", ["application/json", "application/x-ndjson"])
def test_an_unknown_instrument_is_a_422_that_names_it(client, course, accept):
    body = {"widget": WIDGET, "code": _starter(course), "requests": [], "instruments": ["mind"]}
    response = client.post("/api/runs", json=body, headers={"accept": accept})
    assert response.status_code == 422
    message = response.json()["message"]
    assert "no instrument called 'mind'" in message
    assert "openapi" in message.split("available: ", 1)[1]
    solution = client.get("/api/widgets/basics/first-endpoint/solution")
    assert solution.status_code == 403, "the refused run was counted as an attempt"


def test_an_upload_over_five_mib_is_refused_before_any_run(client, course):
    import base64

    big = base64.b64encode(bytes(5 * 1024 * 1024 + 1)).decode()
    request = {
        "method": "POST",
        "path": "/",
        "files": [{"filename": "huge.bin", "content_base64": big}],
    }
    response = _run(client, _starter(course), request)
    assert response.status_code == 422
    message = response.json()["message"]
    assert "'huge.bin' is 5,242,881 bytes" in message
    assert "5 MiB at most, so nothing was sent" in message
    solution = client.get("/api/widgets/basics/first-endpoint/solution")
    assert solution.status_code == 403, "the refused run was counted as an attempt"


def test_a_file_whose_content_is_not_base64_is_named_by_its_field(client, course):
    request = {
        "method": "POST",
        "path": "/",
        "files": [{"filename": "a.txt", "content_base64": "#!"}],
    }
    response = _run(client, _starter(course), request)
    assert response.status_code == 422
    assert response.json()["message"] == (
        "requests.0.files.0.content_base64: a file's content is given in base64"
    )
