"""Responses are compressed, except the run progress stream, whose events must arrive one by one."""

from __future__ import annotations

import gzip
import json
import time

import httpx

WIDGET = "basics/first-endpoint"
GZIP = {"Accept-Encoding": "gzip"}


def test_pages_scripts_and_styles_are_gzipped_when_the_browser_accepts_it(client, course):
    for path in ["/", f"/lessons/{course.lessons[0].slug}", "/search?q=depends"]:
        response = client.get(path, headers=GZIP)
        assert response.headers.get("content-encoding") == "gzip", path
        assert "Accept-Encoding" in response.headers["vary"]
        assert "</html>" in response.text  # httpx decompressed it
    raw = client.get("/", headers=GZIP).text
    # A repeat visit is answered from the page cache, before routing: compressed as well.
    cached = client.get("/", headers=GZIP)
    assert cached.headers["content-encoding"] == "gzip"
    assert cached.text == raw
    script = client.get("/static/vendor/htmx.min.js", headers=GZIP)
    assert script.headers.get("content-encoding") == "gzip"


def test_nothing_is_compressed_for_a_client_that_does_not_ask(client):
    response = client.get("/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in response.headers


def test_compressed_page_is_much_smaller(live_server):
    with httpx.Client(base_url=live_server.url) as browser:
        plain = browser.get("/", headers={"Accept-Encoding": "identity"}).content
        with browser.stream("GET", "/", headers=GZIP) as response:
            wire = b"".join(response.iter_raw())
    assert gzip.decompress(wire) == plain
    assert len(wire) < len(plain) / 3


def test_run_progress_is_not_compressed_and_each_event_arrives_when_it_happens(live_server, course):
    lesson = course.lesson("basics")
    starter = lesson.sources[lesson.interactive("first-endpoint").starter]
    tests = (
        "import time\n\n"
        "def test_quick():\n    assert True\n\n"
        "def test_slow():\n    time.sleep(1.5)\n    assert True\n"
    )
    body = {"widget": WIDGET, "kind": "test", "code": starter, "tests": tests}
    with httpx.Client(base_url=live_server.url, timeout=30) as browser:
        browser.get("/")
        headers = {
            "X-CSRF-Token": browser.cookies["deepdive_csrf"],
            "Origin": live_server.url,
            "Accept": "application/x-ndjson",
            **GZIP,
        }
        arrivals: list[tuple[float, dict]] = []
        with browser.stream("POST", "/api/runs", json=body, headers=headers) as response:
            assert response.headers["content-type"].startswith("application/x-ndjson")
            assert "content-encoding" not in response.headers
            for line in response.iter_lines():
                if line:
                    arrivals.append((time.monotonic(), json.loads(line)))
    events = {event.get("case", {}).get("name", event["event"]): at for at, event in arrivals}
    assert arrivals[-1][1]["event"] == "result"
    # The first test's event was on the wire while the second test was still sleeping.
    assert events["test_slow"] - events["test_quick"] >= 1.0, arrivals
