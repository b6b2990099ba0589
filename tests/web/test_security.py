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


MiB = 1024 * 1024


def _post_from_the_course(app, path: str, chunks: int, chunk: bytes, headers: dict[str, str]):
    """POST `chunks` copies of `chunk` from the course's own pages; the response, and how many
    chunks the server pulled."""
    pulled = 0

    async def body():
        nonlocal pulled
        for _ in range(chunks):
            pulled += 1
            yield chunk

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as browser:
            await browser.get("/health")
            sent = {"x-csrf-token": browser.cookies["deepdive_csrf"], "origin": BASE_URL}
            return await browser.post(path, content=body(), headers={**sent, **headers})

    return asyncio.run(send()), pulled


def test_a_body_declared_over_16_mib_is_refused_before_any_of_it_is_read(app):
    size = 16 * MiB + 1
    response, pulled = _post_from_the_course(
        app,
        "/api/runs",
        1,
        b"x" * size,
        {"content-type": "application/json", "content-length": str(size)},
    )
    assert response.status_code == 413
    assert response.json()["error"] == "Request too large"
    assert "16,777,217 bytes, over 16 MiB" in response.json()["message"]
    assert "nothing was changed" in response.json()["message"]
    assert pulled <= 1


def test_a_chunked_body_is_cut_off_once_it_passes_16_mib(app):
    response, pulled = _post_from_the_course(
        app, "/api/runs", 64, b"x" * MiB, {"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "larger than 16 MiB" in response.json()["message"]
    assert pulled <= 18, f"{pulled} MiB were read, past the 16 MiB limit"


def test_an_oversized_progress_file_is_refused_in_words_the_page_shows(app):
    boundary = "limit"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="progress.json"\r\nContent-Type: application/json\r\n\r\n'
    ).encode()
    response, pulled = _post_from_the_course(
        app,
        "/api/progress/import",
        1,
        head + b"x" * (17 * MiB),
        {"content-type": f"multipart/form-data; boundary={boundary}", "hx-request": "true"},
    )
    assert response.status_code == 413
    assert "text/html" in response.headers["content-type"]
    assert "larger than 16 MiB, the most the course takes" in response.text
    assert pulled <= 1


def test_a_body_under_the_limit_still_reaches_its_route(app):
    # 15 MiB of text that is not JSON: the route reads all of it and says what is wrong with it.
    response, pulled = _post_from_the_course(
        app, "/api/runs", 15, b"x" * MiB, {"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "JSON" in response.json()["message"]
    assert pulled == 15
