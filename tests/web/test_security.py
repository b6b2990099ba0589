"""Host checking, CSRF and security headers."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from tests.conftest import BASE_URL


@pytest.mark.parametrize(
    "path", ["/", "/lessons/no-such-lesson", "/health", "/static/css/site.css"]
)
def test_every_response_carries_a_strict_csp_and_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src-elem"] == "'self'"
    assert "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["referrer-policy"] == "same-origin"


def test_pages_contain_no_inline_script_or_style(client, course):
    for path in ["/", f"/lessons/{course.lessons[0].slug}", "/progress"]:
        html = client.get(path).text
        assert "<script>" not in html
        assert '<script type="module">' not in html
        assert " style=" not in html
        assert "<style" not in html
        assert not re.search(r"<[^>]*\son[a-z]+\s*=", html), "inline event handler"


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.nip.io:8000", "attacker:8000"])
def test_requests_for_another_host_name_are_refused(client, host):
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 400
    assert "does not answer to the host name" in response.text


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "localhost", "[::1]:8000"])
def test_loopback_host_names_are_served(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 200


def test_state_change_without_csrf_token_is_refused(client, course):
    lesson = course.lessons[0]
    question = lesson.quiz.questions[0]
    response = client.request(
        "POST",
        f"/api/lessons/{lesson.slug}/quiz/{question.id}",
        json={"answer": [0]},
        headers={"Origin": BASE_URL},
        csrf=False,
    )
    assert response.status_code == 403
    assert "security token" in response.json()["message"]


def test_state_change_from_another_origin_is_refused_even_with_the_token(client, course):
    lesson = course.lessons[0]
    question = lesson.quiz.questions[0]
    headers = client.csrf_headers() | {"Origin": "http://evil.example"}
    response = client.post(
        f"/api/lessons/{lesson.slug}/quiz/{question.id}", json={"answer": [0]}, headers=headers
    )
    assert response.status_code == 403
    assert client.get("/api/progress").json()["xp"] == 0


def test_a_forged_csrf_cookie_is_not_accepted(client, course):
    lesson = course.lessons[0]
    question = lesson.quiz.questions[0]
    client.cookies.set("deepdive_csrf", "made-up.0000")
    response = client.request(
        "POST",
        f"/api/lessons/{lesson.slug}/quiz/{question.id}",
        json={"answer": [0]},
        headers={"X-CSRF-Token": "made-up.0000", "Origin": BASE_URL},
        csrf=False,
    )
    assert response.status_code == 403


def test_a_referer_from_the_same_origin_is_accepted_without_origin(client, course):
    lesson = course.lessons[0]
    question = lesson.quiz.questions[0]
    token = client.csrf_headers()["X-CSRF-Token"]
    response = client.request(
        "POST",
        f"/api/lessons/{lesson.slug}/quiz/{question.id}",
        json={"answer": [0]},
        headers={"X-CSRF-Token": token, "Referer": f"{BASE_URL}/lessons/{lesson.slug}"},
        csrf=False,
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("origin", "with_token"),
    [("http://evil.example", True), (BASE_URL, False), (None, True)],
    ids=["foreign-origin", "no-token", "no-origin"],
)
@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/progress/import", "multipart/form-data; boundary=xyz"),
        ("/api/runs", "application/json"),
    ],
)
def test_a_cross_site_body_is_refused_before_any_of_it_is_read(
    app, origin, with_token, path, content_type
):
    pulled = 0

    async def upload():
        nonlocal pulled
        for _ in range(64):  # 4 MiB, should anyone read it
            pulled += 1
            yield b"x" * 65536

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as browser:
            await browser.get("/health")
            headers = {"content-type": content_type}
            if with_token:
                headers["x-csrf-token"] = browser.cookies["deepdive_csrf"]
            if origin:
                headers["origin"] = origin
            return await browser.post(path, content=upload(), headers=headers)

    response = asyncio.run(send())
    assert response.status_code == 403
    assert response.json()["error"] == "Request refused for your safety"
    assert pulled <= 1, f"{pulled} chunks of the body were read before the refusal"
