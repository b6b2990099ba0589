"""Hostile code: every attack gets the right outcome, and the runner keeps answering.

Each case is real learner code run in a real sandbox. After each one the runner is pinged; a
case that leaves processes behind is also checked from the host's side.
"""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
import time
from pathlib import Path

import pytest
from tests.sandbox.conftest import APP

import deepdive
from deepdive.sandbox.run_request import HttpRequest, RunRequest
from deepdive.sandbox.run_result import IsolationReport, Limits, RunResult

MARK = "ddleftover"


def _leftovers() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == MARK:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _assert_no_leftovers() -> None:
    deadline = time.monotonic() + 3
    while _leftovers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _leftovers() == []


NAME_MYSELF = f"open('/proc/self/comm', 'w').write('{MARK}')\n"


# -- CPU ----------------------------------------------------------------------------------


def test_busy_loop_at_import_times_out(attack):
    result = attack("while True:\n    pass", cpu_seconds=1)
    assert result.outcome == "timeout"
    assert result.error.line in (1, 2)


def test_busy_loop_in_a_sync_endpoint_times_out_at_its_line(attack):
    code = "@app.get('/')\ndef spin():\n    x = 0\n    while True:\n        x += 1\n"
    result = attack(code, "/", app_first=True, wall_seconds=1)
    assert result.outcome == "timeout"
    assert result.error.line in (6, 7)


def test_catastrophic_regex_is_stopped(attack):
    result = attack("import re\nre.match(r'(a+)+$', 'a' * 64 + 'b')", wall_seconds=1)
    assert result.outcome == "timeout"


def test_loop_that_swallows_every_exception_is_still_stopped(attack):
    code = (
        "while True:\n"
        "    try:\n"
        "        while True:\n"
        "            pass\n"
        "    except BaseException:\n"
        "        pass"
    )
    started = time.monotonic()
    result = attack(code, wall_seconds=1)
    assert result.outcome == "timeout"
    assert result.error.line in (3, 4)  # reported before the hard kill
    assert time.monotonic() - started < 5


def test_ignoring_the_limit_signals_does_not_help(attack):
    code = (
        "import signal\n"
        "for s in (signal.SIGALRM, signal.SIGPROF, signal.SIGXCPU):\n"
        "    signal.signal(s, signal.SIG_IGN)\n"
        "while True:\n"
        "    pass"
    )
    result = attack(code, wall_seconds=1)
    assert result.outcome == "timeout"


# -- memory -------------------------------------------------------------------------------


def test_one_huge_allocation_is_a_memory_limit(attack):
    result = attack("blob = bytearray(8 * 1024 ** 3)")
    assert result.outcome == "memory_limit"
    assert result.error.line == 1


def test_allocation_bomb_is_a_memory_limit(attack):
    result = attack("hoard = []\nwhile True:\n    hoard.append('x' * 1024 * 1024)")
    assert result.outcome == "memory_limit"
    assert "memory" in result.message
    # Python's MemoryError names the line; when the run's memory cgroup stops the sandbox first
    # (pages it copied from the runner count there, not in its address space), no line is known.
    if result.error is not None:
        assert result.error.line == 3


def test_memory_bomb_in_an_endpoint_is_a_memory_limit(attack):
    code = "@app.get('/')\ndef grow():\n    return 'x' * (4 * 1024 ** 3)\n"
    result = attack(code, "/", app_first=True)
    assert result.outcome == "memory_limit"


def test_memory_files_count_against_the_runs_limit(attack):
    # Memory files are page cache, not address space: a per-process limit never sees them.
    code = (
        "import os\n"
        "chunk = b'm' * (8 * 1024 * 1024)\n"
        "held = []\n"
        "for _ in range(100):\n"
        "    fd = os.memfd_create('hoard')\n"
        "    os.write(fd, chunk)\n"
        "    held.append(fd)\n"
        "print('held', len(held))"
    )
    result = attack(code)
    assert result.outcome == "memory_limit", result.message
    assert "held" not in result.stdout
    assert result.usage.max_memory_mib <= result.limits.memory_mib + 64


def test_detached_shared_memory_counts_against_the_runs_limit(attack):
    code = (
        "import ctypes\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "libc.shmat.restype = ctypes.c_void_p\n"
        "size = 8 * 1024 * 1024\n"
        "for _ in range(100):\n"
        "    segment = libc.shmget(0, size, 0o1600)\n"
        "    address = libc.shmat(segment, None, 0)\n"
        "    ctypes.memset(address, 1, size)\n"
        "    libc.shmdt(ctypes.c_void_p(address))\n"
        "print('held 800 MiB')"
    )
    result = attack(code)
    assert result.outcome == "memory_limit", result.message
    assert "held" not in result.stdout


def test_forked_children_share_one_memory_limit(attack):
    code = (
        "import os, time\n"
        "children = []\n"
        "for _ in range(6):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        block = b'c' * (200 * 1024 * 1024)\n"
        "        time.sleep(3)\n"
        "        os._exit(0)\n"
        "    children.append(pid)\n"
        "statuses = [os.waitpid(pid, 0)[1] for pid in children]\n"
        "print('killed:', sum(os.WIFSIGNALED(s) for s in statuses))"
    )
    result = attack(code)
    assert result.outcome == "memory_limit", result.message
    assert "together" in result.message
    assert result.usage.max_memory_mib <= result.limits.memory_mib + 64


def test_memory_used_is_measured_for_the_whole_run(attack):
    code = (
        "import os\n"
        "if os.fork() == 0:\n"
        "    block = b'k' * (150 * 1024 * 1024)\n"
        "    os._exit(0)\n"
        "os.wait()"
    )
    result = attack(code)
    assert result.outcome == "ok", result.message
    assert 150 <= result.usage.max_memory_mib < 200


# -- processes ------------------------------------------------------------------------------


def test_fork_bomb_is_contained_and_cleaned_up(attack):
    code = (
        NAME_MYSELF + "import os\n"
        "while True:\n"
        "    try:\n"
        "        os.fork()\n"
        "    except OSError:\n"
        "        pass"
    )
    result = attack(code, wall_seconds=1)
    assert result.outcome == "timeout"
    _assert_no_leftovers()


def test_fork_bomb_hits_the_process_limit(attack):
    result = attack("import os, time\nwhile True:\n    if os.fork() == 0:\n        time.sleep(30)")
    assert result.outcome == "runtime_error"
    assert result.error.type == "BlockingIOError"
    _assert_no_leftovers()


def test_thread_bomb_hits_the_process_limit(attack):
    code = (
        "import threading, time\n"
        "while True:\n"
        "    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()"
    )
    result = attack(code)
    assert result.outcome == "runtime_error"
    assert "can't start new thread" in result.error.message


def test_background_process_does_not_survive_the_run(attack):
    code = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        " + NAME_MYSELF + "        time.sleep(300)\n"
        "    os._exit(0)"
    )
    result = attack(code)
    assert result.outcome == "ok"
    _assert_no_leftovers()


def test_child_program_left_running_is_killed(attack):
    code = "import subprocess\nsubprocess.Popen(['/bin/sleep', '300'])\n" + NAME_MYSELF
    result = attack(code)
    assert result.outcome == "ok"
    _assert_no_leftovers()


# -- output and disk ----------------------------------------------------------------------


def test_print_flood_is_an_output_limit(attack):
    result = attack("while True:\n    print('flood' * 100)")
    assert result.outcome == "output_limit"
    assert result.stdout_truncated


def test_stderr_flood_is_an_output_limit(attack):
    result = attack("import sys\nwhile True:\n    sys.stderr.write('x' * 4096)")
    assert result.outcome == "output_limit"
    assert result.stderr_truncated


def test_flood_on_the_raw_descriptor_is_capped(attack):
    result = attack("import os\nfor _ in range(1000):\n    os.write(1, b'y' * 4096)")
    assert result.outcome == "output_limit"
    assert result.stdout.startswith("yyyy")
    assert len(result.stdout) < 65 * 1024


def test_one_huge_file_is_stopped_by_the_file_size_limit(attack):
    code = "with open('big.bin', 'wb') as f:\n    f.write(b'0' * (64 * 1024 * 1024))"
    result = attack(code)
    assert result.outcome == "runtime_error"
    assert "File too large" in result.error.message


def test_filling_the_work_directory_runs_out_of_space(attack):
    code = (
        "for i in range(100):\n"
        "    with open(f'part{i}.bin', 'wb') as f:\n"
        "        f.write(b'0' * (7 * 1024 * 1024))"
    )
    result = attack(code)
    assert result.outcome == "runtime_error"
    assert "No space left" in result.error.message


@pytest.mark.parametrize(
    "path", ["/usr/lib/evil.py", "/etc/passwd", "/evil", "/proc/sysrq-trigger"]
)
def test_writing_outside_the_work_directory_is_refused(attack, path):
    result = attack(f"open({path!r}, 'w').write('x')")
    assert result.outcome == "runtime_error"
    assert result.error.type in ("PermissionError", "OSError", "FileNotFoundError")


# -- network ------------------------------------------------------------------------------


def test_cannot_reach_the_platform_on_localhost(attack):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.2)
        port = server.getsockname()[1]
        result = attack(f"import socket\nsocket.create_connection(('127.0.0.1', {port}))")
        with pytest.raises(TimeoutError):
            server.accept()
    assert result.outcome == "runtime_error"
    assert result.error.type == "PermissionError"


def test_cannot_resolve_names(attack):
    result = attack("import socket\nsocket.getaddrinfo('example.com', 443)")
    assert result.outcome == "runtime_error"
    assert result.error.type == "gaierror"


def test_cannot_call_out_with_httpx(attack):
    result = attack("import httpx\nhttpx.get('http://1.1.1.1/', timeout=2)")
    assert result.outcome == "runtime_error"
    assert result.error.type == "ConnectError"


@pytest.mark.parametrize("family", ["AF_PACKET", "AF_NETLINK", "AF_INET6"])
def test_other_socket_families_are_refused(attack, family):
    result = attack(f"import socket\nsocket.socket(socket.{family}, socket.SOCK_RAW)")
    assert result.outcome == "runtime_error"
    assert result.error.type == "PermissionError"


def test_cannot_reach_the_runners_socket(attack, runner_url):
    path = runner_url.removeprefix("unix://")
    code = f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect({path!r})"
    result = attack(code)
    assert result.outcome == "runtime_error"
    assert result.error.type == "FileNotFoundError"


# -- filesystem ---------------------------------------------------------------------------


def test_platform_files_are_invisible(attack, sandbox_settings):
    data_dir = sandbox_settings.data_dir
    (data_dir / "deepdive.sqlite3").write_bytes(b"SQLite format 3\0 learners")
    (data_dir / "secret_key").write_text("top-secret\n")
    targets = [
        str(data_dir / "deepdive.sqlite3"),
        str(data_dir / "secret_key"),
        "/etc/shadow",
        deepdive.__file__,
        str(Path(deepdive.__file__).parents[2] / "pyproject.toml"),
        str(Path.home() / ".bashrc"),
    ]
    code = (
        f"found = {{}}\nfor path in {targets!r}:\n"
        "    try:\n"
        "        found[path] = open(path, 'rb').read(20)\n"
        "    except OSError as error:\n"
        "        found[path] = type(error).__name__\n"
        "print(found)"
    )
    result = attack(code)
    assert result.outcome == "ok"
    for target in targets:
        assert f"'{target}': 'FileNotFoundError'" in result.stdout, result.stdout


def test_listing_the_root_shows_only_the_sandbox(attack):
    result = attack("import os\nprint(sorted(os.listdir('/')))")
    listed = eval(result.stdout)
    assert "sandbox" in listed
    assert not {"home", "var", "srv", "opt", "boot"} & set(listed)


def test_files_a_run_leaves_are_gone_in_the_next_run(attack):
    leave = (
        "import os\n"
        "for d in ('/tmp', '/sandbox'):\n"
        "    open(os.path.join(d, 'left-behind'), 'w').write('x')\n"
    )
    assert attack(leave).outcome == "ok"
    result = attack(
        "import os\nprint([os.path.exists(d + '/left-behind') for d in ('/tmp', '/sandbox')])"
    )
    assert result.stdout.strip() == "[False, False]"


def test_only_the_sandboxs_own_mounts_are_writable(attack):
    code = (
        "writable = []\n"
        "for line in open('/proc/self/mountinfo'):\n"
        "    fields = line.split()\n"
        "    if 'rw' in fields[5].split(','):\n"
        "        writable.append((fields[4], line.split(' - ')[1].split()[0]))\n"
        "print(sorted(writable))"
    )
    result = attack(code)
    writable = dict(eval(result.stdout))
    assert {k: v for k, v in writable.items() if not k.startswith("/dev/")} == {
        "/proc": "proc",
        "/sandbox": "tmpfs",
        "/tmp": "tmpfs",
    }


def test_no_inherited_descriptor_reaches_the_runners_files(attack):
    code = (
        "import os\n"
        "targets = []\n"
        "for fd in os.listdir('/proc/self/fd'):\n"
        "    try:\n"
        "        targets.append(os.readlink('/proc/self/fd/' + fd))\n"
        "    except FileNotFoundError:\n"
        "        pass  # the listing's own descriptor, closed by now\n"
        "print(sorted(targets))"
    )
    result = attack(code)
    assert result.outcome == "ok", result.message
    targets = eval(result.stdout)
    assert targets
    assert not [
        t for t in targets if t.startswith("/") and not t.startswith(("/dev/", "/proc/", "/memfd:"))
    ]


def test_environment_holds_no_secrets(attack):
    code = (
        "import os\n"
        "print(sorted(os.environ))\n"
        "print(b'DEEPDIVE' in open('/proc/self/environ', 'rb').read())"
    )
    result = attack(code)
    names, in_proc = result.stdout.splitlines()
    assert "DEEPDIVE" not in names
    assert in_proc == "False"


def test_standard_library_still_imports_after_the_filesystem_is_hidden(attack):
    result = attack("import json, sqlite3, decimal, zoneinfo, csv, email.mime.text\nprint('ok')")
    assert result.outcome == "ok"
    assert result.stdout == "ok\n"


# -- signals, ptrace, namespaces, privileges ------------------------------------------------


def test_killing_the_runner_from_inside_fails(attack, runner_client):
    runner_pid = asyncio.run(runner_client.ping()).pid
    result = attack(f"import os, signal\nos.kill({runner_pid}, signal.SIGKILL)")
    assert result.outcome == "runtime_error"
    assert result.error.type in ("ProcessLookupError", "PermissionError")


def test_killing_every_process_it_can_see_stays_inside(attack):
    code = (
        "import os, signal\n"
        "try:\n"
        "    os.kill(-1, signal.SIGKILL)\n"
        "except ProcessLookupError:\n"
        "    print('nothing else to kill')\n"
        "print('still here')"
    )
    result = attack(code)
    assert result.outcome == "ok"
    assert result.stdout.endswith("still here\n")


def test_ptrace_is_refused(attack, runner_client):
    runner_pid = asyncio.run(runner_client.ping()).pid
    code = (
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        f"if libc.ptrace(16, {runner_pid}, 0, 0) != 0:\n"
        "    raise PermissionError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))"
    )
    result = attack(code)
    assert result.outcome == "runtime_error"
    assert "Operation not permitted" in result.error.message


LIBC_CALL = (
    "import ctypes, os\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "if {call} != 0:\n"
    "    raise PermissionError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))"
)


@pytest.mark.parametrize(
    "call",
    [
        "libc.unshare(0x10000000)",
        "libc.mount(b'none', b'/tmp', b'tmpfs', 0, None)",
        "libc.chroot(b'/tmp')",
        "libc.setns(0, 0)",
        "libc.syscall(321, 0, 0, 0)",
        "libc.prctl(1, 0, 0, 0, 0)",
    ],
    ids=["unshare", "mount", "chroot", "setns", "bpf", "clear-parent-death-signal"],
)
def test_namespace_and_mount_games_are_refused(attack, call):
    result = attack(LIBC_CALL.format(call=call))
    assert result.outcome == "runtime_error"
    assert result.error.type == "PermissionError"


def test_raising_a_resource_limit_is_refused(attack):
    code = "import resource\nresource.setrlimit(resource.RLIMIT_NPROC, (10**6, 10**6))"
    result = attack(code)
    assert result.outcome == "runtime_error"
    assert result.error.type == "ValueError"


def test_becoming_root_is_refused(attack):
    result = attack("import os\nos.setuid(0)")
    assert result.outcome == "runtime_error"
    assert result.error.type in ("PermissionError", "OSError")  # EINVAL: 0 is not even mapped


# -- the result channel -------------------------------------------------------------------


def test_forged_result_frames_are_ignored(attack):
    code = (
        "import json, os, struct\n"
        "fake = json.dumps({'type': 'done'}).encode()\n"
        "frame = struct.pack('<4sIQ', b'DDR1', 0, 2) + b'{}'\n"
        "for fd in range(3, 64):\n"
        "    for data in (fake, frame, b'\\x00' * 64):\n"
        "        try:\n"
        "            os.write(fd, data)\n"
        "        except OSError:\n"
        "            pass\n"
        "print('genuine')"
    )
    route = "\n@app.get('/')\ndef root():\n    return {'real': True}\n"
    result = attack(code + route, "/", app_first=True)
    assert result.outcome == "ok", result.message
    assert result.stdout.startswith("genuine\n")  # bytes written to descriptor 1 are output
    assert result.responses[0].json_body == {"real": True}


def test_a_forked_child_cannot_forge_its_runs_result(attack):
    forged = RunResult(
        run_id="",
        kind="app",
        outcome="ok",
        message="forged by a child process",
        isolation=IsolationReport(full=True),
        limits=Limits.model_validate(dict.fromkeys(Limits.model_fields, 1)),
    ).model_dump_json()
    code = (
        "import os, struct\n"
        f"payload = {forged!r}.encode()\n"
        "if os.fork() == 0:\n"
        "    for fd in range(3, 256):\n"
        "        try:\n"
        "            if os.fstat(fd).st_size == 24 * 1024 * 1024:\n"
        "                os.pwrite(fd, payload, 16)\n"
        "                os.pwrite(fd, struct.pack('<4sIQ', b'DDR1', 0, len(payload)), 0)\n"
        "        except OSError:\n"
        "            pass\n"
        "    os._exit(0)\n"
        "os.wait()\n"
        "os._exit(0)"
    )
    result = attack(code)
    assert result.outcome == "crashed"
    assert "forged" not in result.message


def test_printing_something_that_looks_like_a_result_is_just_output(attack):
    code = 'print(\'{"outcome": "ok", "message": "all tests passed"}\')\nraise ValueError(\'real\')'
    result = attack(code)
    assert result.outcome == "runtime_error"
    assert '"all tests passed"' in result.stdout


def test_closing_every_descriptor_does_not_lose_the_result(attack):
    result = attack("import os\nos.closerange(0, 4096)\nx = 1 / 0")
    assert result.outcome == "runtime_error"
    assert result.error.type == "ZeroDivisionError"


def test_os_exit_is_reported_as_a_crash(attack):
    result = attack("import os\nos._exit(0)")
    assert result.outcome == "crashed"
    assert "exit status 0" in result.message


def test_segfault_through_ctypes_is_a_crash(attack):
    result = attack("import ctypes\nctypes.memset(0, 1, 1)")
    assert result.outcome == "crashed"
    assert "segmentation fault" in result.message


def test_endless_recursion_is_a_runtime_error_at_its_line(attack):
    result = attack("def f(n):\n    return f(n + 1)\nf(0)")
    assert result.outcome == "runtime_error"
    assert result.error.type == "RecursionError"
    assert result.error.line == 2


def test_sleeping_past_the_wall_limit_is_a_timeout(attack):
    result = attack("import time\ntime.sleep(60)", wall_seconds=1)
    assert result.outcome == "timeout"
    assert result.error.line == 2


def test_blocking_the_alarm_then_sleeping_is_killed_by_the_runner(attack):
    code = "import signal, time\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\n"
    result = attack(code + "time.sleep(60)", wall_seconds=1)
    assert result.outcome == "timeout"
    assert result.message.startswith("Your code ran for more than 1 s")
    assert result.usage.wall_ms < 4000


def test_the_runner_counts_the_processes_left_computing_when_it_kills_for_time(attack):
    code = (
        "import os, signal, time\n"
        "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\n"
        "if os.fork() == 0:\n"
        "    while True:\n"
        "        pass\n"
        "time.sleep(60)"
    )
    result = attack(code, wall_seconds=1)
    assert result.outcome == "timeout"
    assert "The processes it started kept computing" in result.message
    assert result.usage.cpu_ms > 125


def test_huge_response_body_is_truncated(attack):
    code = "@app.get('/')\ndef big():\n    return 'x' * (5 * 1024 * 1024)\n"
    result = attack(code, "/", app_first=True)
    assert result.outcome == "ok"
    response = result.responses[0]
    assert response.truncated
    assert response.size_bytes > 5 * 1024 * 1024
    assert len(response.body) == 256 * 1024


@pytest.mark.parametrize(
    "headers",
    ["{'x-big': 'h' * (20 * 1024 * 1024)}", "{f'x-{i}': 'h' * 30_000 for i in range(1000)}"],
    ids=["one-huge-header", "many-large-headers"],
)
def test_huge_response_headers_are_capped_like_bodies(attack, headers):
    code = (
        "from fastapi import Response\n"
        "@app.get('/')\n"
        "def big():\n"
        f"    return Response('small body', headers={headers})\n"
    )
    result = attack(code, "/", app_first=True)
    assert result.outcome == "ok", result.message
    response = result.responses[0]
    assert response.headers_truncated
    assert sum(len(name) + len(value) for name, value in response.headers) <= 64 * 1024
    assert response.body == "small body"


def test_runner_still_serves_normal_runs_after_all_of_this(run_in_sandbox):
    code = APP + "@app.get('/')\ndef root():\n    return {'ok': True}\n"
    result = run_in_sandbox(RunRequest(code=code, requests=[HttpRequest(path="/")]))
    assert result.outcome == "ok"
    assert result.isolation.full or os.geteuid() != 0


def _zombies_of(pid: int) -> set[str]:
    zombies = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] == "Z" and int(fields[1]) == pid:
                zombies.add(entry.name)
    return zombies


def test_no_zombies_and_no_scratch_directories_pile_up(runner_client):
    info = asyncio.run(runner_client.ping())
    # A sandbox that has just exited is a zombie until the runner reaps it, an instant later:
    # only one still there after a few seconds has been left behind.
    lingering = _zombies_of(info.pid)
    deadline = time.monotonic() + 5
    while lingering and time.monotonic() < deadline:
        time.sleep(0.05)
        lingering &= _zombies_of(info.pid)
    assert lingering == set()
    # Waiting sandboxes plus those finishing; a finished one's directory goes as it is reaped.
    most = 3 * info.workers
    while _scratch_directories() > most and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _scratch_directories() <= most


def _scratch_directories() -> int:
    return max(
        (
            sum(1 for p in base.iterdir() if p.name.startswith("sandbox-"))
            for base in Path(tempfile.gettempdir()).glob("deepdive-sandbox-*")
        ),
        default=0,
    )
