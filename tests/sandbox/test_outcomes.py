"""Every outcome a run can have, with the line of the learner's code it points to."""

from __future__ import annotations

from deepdive.sandbox.run_request import HttpRequest, LimitOverrides, RunRequest

HEADER = "from fastapi import FastAPI\napp = FastAPI()\n"


def app_run(code: str, *paths: str, **limits: float) -> RunRequest:
    return RunRequest(
        code=code,
        requests=[HttpRequest(path=p) for p in paths],
        limits=LimitOverrides(**limits),
    )


def test_working_app_is_ok(run_in_sandbox):
    code = HEADER + "@app.get('/')\ndef root():\n    return {'ok': True}\n"
    result = run_in_sandbox(app_run(code, "/"))
    assert result.outcome == "ok"
    assert result.message == "Your app answered 1 request."
    assert result.error is None


def test_syntax_error_points_at_its_line_and_column(run_in_sandbox):
    code = HEADER + "\n@app.get('/')\ndef root(:\n    return 1\n"
    result = run_in_sandbox(app_run(code, "/"))
    assert result.outcome == "syntax_error"
    assert (result.error.file, result.error.line) == ("app.py", 5)
    assert result.error.column is not None
    assert "line 5 of app.py" in result.message
    assert result.responses == []


def test_indentation_error_is_a_syntax_error(run_in_sandbox):
    code = HEADER + "@app.get('/')\ndef root():\nreturn 1\n"
    result = run_in_sandbox(app_run(code))
    assert result.outcome == "syntax_error"
    assert result.error.type == "IndentationError"
    assert 4 <= result.error.line <= 10  # a busy thread, or the main thread waiting for it


def test_a_nul_byte_pasted_into_the_code_is_a_syntax_error_on_its_line(run_in_sandbox):
    result = run_in_sandbox(RunRequest(code="from fastapi import FastAPI\napp = FastAPI()\x00\n"))
    assert result.outcome == "syntax_error"
    assert (result.error.file, result.error.line) == ("app.py", 2)


def test_missing_module_is_an_import_error_on_the_import_line(run_in_sandbox):
    code = "import json\nimport requests_that_do_not_exist\n" + HEADER
    result = run_in_sandbox(app_run(code))
    assert result.outcome == "import_error"
    assert result.error.type == "ModuleNotFoundError"
    assert (result.error.file, result.error.line) == ("app.py", 2)
    assert "requests_that_do_not_exist" in result.message


def test_exception_at_import_is_a_runtime_error_on_its_line(run_in_sandbox):
    code = HEADER + "settings = {}\nport = settings['port']\n"
    result = run_in_sandbox(app_run(code))
    assert result.outcome == "runtime_error"
    assert result.error.type == "KeyError"
    assert (result.error.file, result.error.line) == ("app.py", 4)
    assert result.error.frames[-1].code == "port = settings['port']"


def test_exception_in_an_endpoint_gives_500_and_the_learners_frames(run_in_sandbox):
    code = HEADER + (
        "def ratio(a, b):\n"
        "    return a / b\n"
        "@app.get('/ratio')\n"
        "def endpoint():\n"
        "    return {'r': ratio(1, 0)}\n"
    )
    result = run_in_sandbox(app_run(code, "/ratio"))
    assert result.outcome == "runtime_error"
    response = result.responses[0]
    assert response.status == 500
    assert [(f.function, f.line) for f in response.error.frames] == [("endpoint", 7), ("ratio", 4)]
    assert (result.error.line, result.error.type) == (4, "ZeroDivisionError")
    assert "fastapi" not in response.error.traceback.lower()
    assert result.message.startswith("GET /ratio failed with ZeroDivisionError on line 4")


def test_text_outside_latin_1_in_a_header_says_where_such_text_can_go(run_in_sandbox):
    code = HEADER + (
        "from fastapi import Response\n"
        "@app.get('/h')\n"
        "def h(response: Response):\n"
        "    response.headers['X-Name'] = 'Zo\u00eb \u2603'\n"
        "    return {}\n"
        "@app.get('/d')\n"
        "def d():\n"
        "    return {}['missing']\n"
    )
    result = run_in_sandbox(app_run(code, "/h", "/d"))
    assert result.outcome == "runtime_error"
    assert (result.error.type, result.error.line) == ("UnicodeEncodeError", 6)
    assert "sent as Latin-1 bytes" in result.message
    assert "urllib.parse.quote" in result.message
    other = result.responses[1].error
    assert other.type == "KeyError"
    assert "Latin-1" not in other.message


def test_an_app_that_is_missing_is_explained(run_in_sandbox):
    result = run_in_sandbox(app_run("from fastapi import FastAPI\napi = FastAPI()\n", "/"))
    assert result.outcome == "runtime_error"
    assert "defines no `app`" in result.message


def test_an_app_that_is_no_asgi_app_says_what_it_is_instead(run_in_sandbox):
    cases = {
        "from fastapi import FastAPI\napp = FastAPI\n": "is the class FastAPI itself",
        "def app():\n    return {}\n": "is a function that is not `async`",
        "app = 42\n": "is an int, not an app",
    }
    for code, said in cases.items():
        result = run_in_sandbox(app_run(code, "/"))
        assert result.outcome == "runtime_error"
        assert result.error.type == "TypeError"
        assert said in result.message
    wrapped = HEADER + (
        "from starlette.middleware.cors import CORSMiddleware\n"
        "@app.get('/')\ndef root():\n    return {'ok': True}\n"
        "inner = app\napp = CORSMiddleware(inner, allow_origins=['*'])\n"
    )
    plain = HEADER.replace("app = FastAPI()", "api = FastAPI()") + (
        "async def app(scope, receive, send):\n    await api(scope, receive, send)\n"
    )
    for code in (wrapped, plain):
        assert run_in_sandbox(app_run(code, "/")).outcome == "ok"


def test_uvicorn_run_at_the_top_of_a_module_is_refused_at_once_on_its_line(run_in_sandbox):
    served = HEADER + "@app.get('/')\ndef root():\n    return {'ok': True}\n"
    unguarded = "import uvicorn\n" + served + "uvicorn.run(app, port=8000)\n"
    result = run_in_sandbox(app_run(unguarded, "/"))
    assert result.outcome == "runtime_error"
    assert (result.error.file, result.error.line) == ("app.py", 7)
    assert 'under `if __name__ == "__main__":`' in result.message
    assert result.usage.wall_ms < 5000  # refused, not waited on until the wall-clock limit
    guarded = "import uvicorn\n" + served + "if __name__ == '__main__':\n    uvicorn.run(app)\n"
    result = run_in_sandbox(app_run(guarded, "/"))
    assert result.outcome == "ok"
    assert result.responses[0].json_body == {"ok": True}


def test_endless_loop_is_stopped_at_the_wall_limit_near_its_line(run_in_sandbox):
    code = HEADER + "@app.get('/')\ndef root():\n    n = 0\n    while True:\n        n += 1\n"
    result = run_in_sandbox(app_run(code, "/", wall_seconds=1, cpu_seconds=5))
    assert result.outcome == "timeout"
    assert result.message.startswith("Your code ran for more than 1 s and was stopped.")
    assert result.error.line in (6, 7)
    assert "near line" in result.message


def test_cpu_limit_counts_every_thread(run_in_sandbox):
    # Four threads hashing (the GIL is released) use processor time faster than the clock
    # runs, so the CPU limit strikes first even on a busy machine.
    code = (
        "import hashlib, threading\n"
        "data = b'x' * (16 * 1024 * 1024)\n"
        "def burn():\n"
        "    while True:\n"
        "        hashlib.sha256(data).digest()\n"
        "threads = [threading.Thread(target=burn, daemon=True) for _ in range(4)]\n"
        "for thread in threads:\n"
        "    thread.start()\n"
        "for thread in threads:\n"
        "    thread.join()\n"
    ) + HEADER
    result = run_in_sandbox(app_run(code, cpu_seconds=1))
    assert result.outcome == "timeout"
    assert "processor time" in result.message
    assert 4 <= result.error.line <= 10  # a busy thread, or the main thread waiting for it


def test_sleeping_past_the_wall_limit_is_a_timeout(run_in_sandbox):
    code = "import time\ntime.sleep(30)\n" + HEADER
    result = run_in_sandbox(app_run(code, wall_seconds=1))
    assert result.outcome == "timeout"
    assert result.error.line == 2
    assert result.usage.wall_ms < 2500


def test_a_long_sleep_is_called_waiting_not_an_endless_loop(run_in_sandbox):
    code = HEADER + "import time\n\n@app.get('/')\ndef root():\n    time.sleep(30)\n"
    result = run_in_sandbox(app_run(code, "/", wall_seconds=2))
    assert result.outcome == "timeout"
    assert "It was waiting, not computing" in result.message
    assert "loop that never ends" not in result.message
    assert "near line" in result.message
    assert result.error.line == code.count("\n")


def test_a_stream_that_never_ends_keeps_the_answers_before_it_and_is_named(run_in_sandbox):
    code = HEADER + (
        "import asyncio\n"
        "from fastapi.responses import StreamingResponse\n\n"
        "@app.get('/')\n"
        "def root():\n"
        "    return {'ok': True}\n\n"
        "@app.get('/ticks')\n"
        "async def ticks():\n"
        "    async def tick():\n"
        "        while True:\n"
        "            await asyncio.sleep(0.05)\n"
        "            yield 'tick\\n'\n"
        "    return StreamingResponse(tick(), media_type='text/plain')\n"
    )
    result = run_in_sandbox(app_run(code, "/", "/ticks", "/", wall_seconds=2))
    assert result.outcome == "timeout"
    assert "It was waiting, not computing" in result.message
    assert "GET /ticks never got a complete answer" in result.message
    assert "a streamed body that never ends" in result.message
    assert [(r.path, r.status) for r in result.responses] == [("/", 200)]
    assert result.responses[0].json_body == {"ok": True}


LIFESPAN = (
    "import asyncio\n"
    "from contextlib import asynccontextmanager\n"
    "from fastapi import FastAPI\n\n"
    "@asynccontextmanager\n"
    "async def lifespan(app):\n"
    "    {before}\n"
    "    yield\n"
    "    {after}\n\n"
    "app = FastAPI(lifespan=lifespan)\n\n"
    "@app.get('/')\n"
    "def root():\n"
    "    return {{'ok': True}}\n"
)


def test_a_startup_that_never_finishes_is_named(run_in_sandbox):
    code = LIFESPAN.format(before="await asyncio.Event().wait()", after="pass")
    result = run_in_sandbox(app_run(code, "/", wall_seconds=2))
    assert result.outcome == "timeout"
    assert "the app's startup never finished" in result.message
    assert "lifespan function (up to its yield)" in result.message
    assert result.responses == []


def test_a_shutdown_that_fails_is_reported_after_the_answers(run_in_sandbox):
    code = LIFESPAN.format(before="pass", after="raise RuntimeError('the pool would not close')")
    result = run_in_sandbox(app_run(code, "/"))
    assert result.outcome == "runtime_error"
    assert "the app's shutdown failed: the pool would not close" in result.message
    assert result.error.line == 9
    assert [r.status for r in result.responses] == [200]


def test_a_process_left_computing_is_counted_when_time_runs_out(run_in_sandbox):
    # PID 1 waits while the process it forked spins: RUSAGE_CHILDREN counts nothing for a
    # child not yet reaped, so without counting it the run would look idle.
    code = HEADER + (
        "import os, time\n\n"
        "@app.get('/')\n"
        "def root():\n"
        "    if os.fork() == 0:\n"
        "        while True:\n"
        "            pass\n"
        "    time.sleep(30)\n"
    )
    result = run_in_sandbox(app_run(code, "/", wall_seconds=2))
    assert result.outcome == "timeout"
    assert "The processes it started kept computing" in result.message
    assert "waiting" not in result.message
    assert "while it was at line 10 of app.py" in result.message
    assert result.usage.cpu_ms > 250


def test_a_fork_bomb_is_an_endless_loop_not_waiting(run_in_sandbox):
    code = HEADER + (
        "import os\n\n"
        "@app.get('/')\n"
        "def root():\n"
        "    while True:\n"
        "        try:\n"
        "            os.fork()\n"
        "        except OSError:\n"
        "            pass\n"
    )
    result = run_in_sandbox(app_run(code, "/", wall_seconds=2))
    assert result.outcome == "timeout"
    # The children it forks leave the loop that forks them little of the processor.
    assert "loop" in result.message
    assert "waiting" not in result.message


def test_allocating_too_much_is_a_memory_limit(run_in_sandbox):
    code = HEADER + "@app.get('/')\ndef root():\n    blob = bytearray(1024 * 1024 * 1024)\n"
    result = run_in_sandbox(app_run(code, "/"))
    assert result.outcome == "memory_limit"
    assert 4 <= result.error.line <= 10  # a busy thread, or the main thread waiting for it
    assert "256 MiB" in result.message


def test_printing_without_end_is_an_output_limit(run_in_sandbox):
    code = "while True:\n    print('spam ' * 20)\n" + HEADER
    result = run_in_sandbox(app_run(code))
    assert result.outcome == "output_limit"
    assert result.stdout_truncated
    assert result.stdout.startswith("spam spam")
    assert "[output truncated: showing the first 64 KiB" in result.stdout
    assert len(result.stdout.encode()) < 64 * 1024 + 200
    assert "It was printing near line 2" in result.message
    assert result.error.line == 2


def test_segfault_is_a_crash_with_an_explanation(run_in_sandbox):
    code = "import ctypes\nctypes.string_at(0)\n" + HEADER
    result = run_in_sandbox(app_run(code))
    assert result.outcome == "crashed"
    assert "segmentation fault" in result.message


def test_os_exit_is_a_crash_naming_the_status(run_in_sandbox):
    result = run_in_sandbox(app_run("import os\nos._exit(3)\n" + HEADER))
    assert result.outcome == "crashed"
    assert "exit status 3" in result.message


def test_sys_exit_at_import_is_a_runtime_error(run_in_sandbox):
    result = run_in_sandbox(app_run("import sys\nsys.exit(2)\n" + HEADER))
    assert result.outcome == "runtime_error"
    assert "sys.exit(2)" in result.message


def test_file_named_like_a_standard_module_is_refused(run_in_sandbox):
    request = RunRequest(code=HEADER, filename="json.py")
    result = run_in_sandbox(request)
    assert result.outcome == "import_error"
    assert "Rename json.py" in result.message


def test_tightened_limits_are_reported_in_the_result(run_in_sandbox):
    result = run_in_sandbox(app_run(HEADER, wall_seconds=2, memory_mib=64, output_kib=1))
    assert result.outcome == "ok", result.message
    assert (result.limits.wall_seconds, result.limits.memory_mib) == (2, 64)
    assert result.limits.output_kib == 1


def test_limits_cannot_be_raised_by_a_request(run_in_sandbox):
    result = run_in_sandbox(app_run(HEADER, wall_seconds=60, cpu_seconds=60, memory_mib=4096))
    assert (result.limits.wall_seconds, result.limits.cpu_seconds) == (10, 5)
    assert result.limits.memory_mib == 256


def test_a_refused_response_is_said_in_words_and_marked_on_the_return(run_in_sandbox):
    code = (
        "from fastapi import FastAPI\n"
        "app = FastAPI()\n"
        "\n"
        "@app.get('/health')\n"
        "def health() -> dict[str, str]:\n"
        "    status = 200\n"
        "    return {'status': status}\n"
    )
    result = run_in_sandbox(app_run(code, "/health"))
    assert result.outcome == "runtime_error"
    error = result.responses[0].error
    assert error.type == "ResponseValidationError"
    assert error.line == 7  # the return, not the decorator on line 4
    assert "health() returned a value that its declared response type does not allow" in (
        error.message
    )
    assert "status: Input should be a valid string (it was 200)" in error.message
    for raw in ("{'type'", "/sandbox/", "('response'"):
        assert raw not in result.message
        assert raw not in error.traceback
    assert error.traceback.count("ResponseValidationError") == 1


def test_the_app_is_imported_while_its_loop_runs_as_uvicorn_imports_it(run_in_sandbox):
    code = HEADER + (
        "import asyncio\n"
        "ticks = []\n"
        "async def tick():\n"
        "    while True:\n"
        "        ticks.append(1)\n"
        "        await asyncio.sleep(0.001)\n"
        "task = asyncio.create_task(tick())\n"
        "loop = asyncio.get_running_loop()\n"
        "@app.get('/')\n"
        "async def root():\n"
        "    await asyncio.sleep(0.02)\n"
        "    return {'ticked': len(ticks) > 1, 'same': asyncio.get_running_loop() is loop}\n"
    )
    result = run_in_sandbox(app_run(code, "/"))
    assert result.outcome == "ok", result.message
    assert result.responses[0].json_body == {"ticked": True, "same": True}
    # A module that closes every descriptor (the loop's too) still gets its requests.
    closed = "import os\nos.closerange(3, 4096)\n" + HEADER
    closed += "@app.get('/')\ndef r():\n    return 1\n"
    result = run_in_sandbox(app_run(closed, "/"))
    assert result.responses[0].status == 200
