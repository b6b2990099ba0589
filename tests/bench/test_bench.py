"""`deepdive bench`: reading wrk's report, and what the command does without wrk."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from deepdive.bench.core import BenchSettings, parse_wrk

REPORT = """Running 1s test @ http://127.0.0.1:40215/hello
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.53ms    1.41ms  18.00ms   88.32%
    Req/Sec     2.91k   125.42     3.06k    80.00%
  Latency Distribution
     50%    5.21ms
     75%    5.74ms
     90%    6.86ms
     99%   11.09ms
  2897 requests in 1.00s, 421.59KB read
  Non-2xx or 3xx responses: 3
Requests/sec:   2893.14
Transfer/sec:    421.02KB
"""


def test_wrk_report_is_read_for_requests_latency_and_errors():
    assert parse_wrk(REPORT) == (2897, 1.0, 5.21, 11.09, 3)


@pytest.mark.parametrize(
    ("line", "p99"),
    [("     99%  850.00us", 0.85), ("     99%    1.20s", 1200.0), ("     99%   11.09ms", 11.09)],
)
def test_latency_units_are_converted_to_milliseconds(line, p99):
    report = REPORT.replace("     99%   11.09ms", line)
    assert parse_wrk(report)[3] == pytest.approx(p99)


def test_a_report_without_a_request_count_is_an_error():
    with pytest.raises(RuntimeError, match="no request count"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_the_presets_stay_within_their_time_budgets():
    assert BenchSettings.preset(quick=True).estimated_seconds < 30
    assert BenchSettings.preset(quick=False).estimated_seconds < 120


def test_without_wrk_the_command_says_how_to_install_it(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path), "DEEPDIVE_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-c", "from deepdive.cli import main; main()", "bench", "--quick"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "apt install wrk" in done.stderr
