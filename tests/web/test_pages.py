"""The course page, lesson pages and the 404 page, through HTTP."""

from __future__ import annotations

import re
from html import escape

from deepdive.course.models import Course


def test_course_page_shows_every_lesson_in_order_with_intro_example_tip_and_link(
    client, course: Course
):
    html = client.get("/").text
    positions = [html.index(f'id="heading-{lesson.slug}"') for lesson in course.lessons]
    assert positions == sorted(positions)
    for lesson in course.lessons:
        section = html[html.index(f'id="heading-{lesson.slug}"') :]
        assert lesson.intro_html.split("</p>")[0] in section
        assert 'class="code-block"' in section
        assert 'class="tip"' in section
        assert f'href="/lessons/{lesson.slug}"' in section


def test_course_page_has_table_of_contents_with_states_xp_and_level(client, course: Course):
    html = client.get("/").text
    assert 'id="toc"' in html
    for lesson in course.lessons:
        assert f'data-lesson="{lesson.slug}" data-state="not-started"' in html
    assert re.search(r"<strong data-toc-xp>0</strong> XP · Level 1, Newcomer", html)


def _state(client, slug: str) -> str:
    lessons = client.get("/api/progress").json()["lessons"]
    return next(item["state"] for item in lessons if item["slug"] == slug)


def test_lesson_page_shows_full_article_and_quiz_and_changes_nothing(client, course: Course):
    lesson = course.lessons[0]
    html = client.get(f"/lessons/{lesson.slug}").text
    assert f'<h1 id="lesson-title">{escape(lesson.title)}</h1>' in html
    assert html.count('class="quiz-question"') == len(lesson.quiz.questions)
    assert f'data-lesson="{lesson.slug}" data-state="not-started"' in html
    assert _state(client, lesson.slug) == "not-started"


def test_a_page_opened_from_another_site_changes_nothing(client, course: Course):
    for lesson in course.lessons:
        client.get(f"/lessons/{lesson.slug}", headers={"Referer": "http://evil.example/"})
    assert {item["state"] for item in client.get("/api/progress").json()["lessons"]} == {
        "not-started"
    }


def test_saving_code_in_a_lesson_starts_it(client, course: Course):
    lesson = course.lesson("basics")
    response = client.put("/api/drafts/basics/first-endpoint", json={"code": "# mine\n"})
    assert response.status_code == 200
    assert _state(client, lesson.slug) == "in-progress"
    html = client.get(f"/lessons/{lesson.slug}").text
    assert f'data-lesson="{lesson.slug}" data-state="in-progress"' in html


def test_a_wrong_quiz_answer_starts_the_lesson_too(client, course: Course):
    lesson = course.lessons[0]
    question = lesson.quiz.questions[0]
    wrong = next(i for i in range(len(question.options)) if i not in question.correct_indexes)
    response = client.post(
        f"/api/lessons/{lesson.slug}/quiz/{question.id}", json={"answer": [wrong]}
    )
    assert response.json()["correct"] is False
    assert _state(client, lesson.slug) == "in-progress"


def test_running_code_starts_the_lesson(client, course: Course):
    body = {"widget": "basics/first-endpoint", "code": "x = 1\n", "requests": []}
    assert client.post("/api/runs", json=body).status_code == 200
    assert _state(client, "basics") == "in-progress"


def test_a_wrong_challenge_answer_starts_the_lesson(client):
    response = client.post(
        "/api/lessons/dependencies/challenges/settings-calls", json={"answer": 7}
    )
    assert response.json()["correct"] is False
    assert _state(client, "dependencies") == "in-progress"


def test_lesson_page_links_to_neighbours(client, course: Course):
    first = course.lessons[0]
    html = client.get(f"/lessons/{first.slug}").text
    assert 'rel="prev"' not in html
    if len(course.lessons) > 1:
        assert f'href="/lessons/{course.lessons[1].slug}" rel="next"' in html


def test_unknown_lesson_gets_a_friendly_404_page(client):
    response = client.get("/lessons/no-such-lesson")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "no lesson called &#39;no-such-lesson&#39;" in response.text
    assert 'href="/"' in response.text


def test_unknown_api_path_gets_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "Page not found"


def test_every_asset_the_page_references_is_served_locally(client):
    html = client.get("/").text
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert not [r for r in references if r.startswith(("http:", "https:", "//"))]
    for reference in {r for r in references if r.startswith("/static/")}:
        response = client.get(reference)
        assert response.status_code == 200, reference
        assert "immutable" in response.headers["cache-control"]


def test_every_page_waits_for_one_style_sheet_holding_every_widget_kinds_styles(client, course):
    from deepdive.web.assets import STATIC_DIR, stylesheet_parts

    pages = ["/", f"/lessons/{course.lessons[-1].slug}", "/incidents", "/progress"]
    links = {
        path: re.findall(r'<link rel="stylesheet" href="([^"]+)"', client.get(path).text)
        for path in pages
    }
    assert all(len(found) == 1 for found in links.values()), links
    assert len({found[0] for found in links.values()}) == 1  # one file, cached once for the course
    sheet = client.get(links["/"][0])
    assert sheet.headers["content-type"].startswith("text/css")
    assert "immutable" in sheet.headers["cache-control"]
    parts = stylesheet_parts()
    assert parts[:3] == ("css/theme.css", "css/site.css", "css/kit.css")
    kinds = {
        interactive.stylesheet
        for lesson in course.lessons
        for interactive in lesson.meta.interactives
    }
    assert kinds <= set(parts)
    at = [sheet.text.index((STATIC_DIR / part).read_text()) for part in parts]
    assert at == sorted(at)  # each file whole, in cascade order


def test_health_answers_ok(client):
    health = client.get("/health").json()
    assert health["status"] == "ok"


def test_edited_code_is_saved_and_shown_instead_of_the_starter(client, course):
    lesson = next(item for item in course.lessons if item.meta.interactives)
    interactive = lesson.meta.interactives[0]
    edited = "# my version\nfrom fastapi import FastAPI\napp = FastAPI()\n"
    response = client.put(f"/api/drafts/{lesson.slug}/{interactive.id}", json={"code": edited})
    assert response.json() == {"widget": f"{lesson.slug}/{interactive.id}", "saved": True}
    html = client.get(f"/lessons/{lesson.slug}").text
    assert "# my version" in html


def test_draft_for_an_unknown_widget_is_refused(client):
    response = client.put("/api/drafts/basics/no-such-widget", json={"code": "x"})
    assert response.status_code == 404


def test_oversized_draft_is_refused_with_a_message(client, course):
    lesson = next(item for item in course.lessons if item.meta.interactives)
    url = f"/api/drafts/{lesson.slug}/{lesson.meta.interactives[0].id}"
    response = client.put(url, json={"code": "x" * 100_001})
    assert response.status_code == 422
    assert "at most 100000 characters" in response.json()["message"]


def test_every_interactive_kind_has_a_template_and_a_script():
    from deepdive.course.interactives import KINDS, kind_name
    from deepdive.web.assets import STATIC_DIR
    from deepdive.web.templating import TEMPLATES_DIR

    for kind in KINDS:
        name = kind_name(kind)
        assert (TEMPLATES_DIR / "widgets" / f"{name}.html").is_file(), name
        assert (STATIC_DIR / "js" / "widgets" / name / "main.js").is_file(), name
        assert (STATIC_DIR / "css" / "widgets" / f"{name}.css").is_file(), name


def test_a_widget_with_two_editors_saves_each_part(client, course):
    lesson = next(item for item in course.lessons if item.meta.interactives)
    url = f"/api/drafts/{lesson.slug}/{lesson.meta.interactives[0].id}"
    saved = client.put(url, params={"part": "body"}, json={"code": '{"title": "Dune"}'})
    assert saved.json()["widget"].endswith(":body")
    assert client.put(url, params={"part": "../x"}, json={"code": ""}).status_code == 422


def test_concurrent_first_saves_of_a_draft_do_not_collide(live_server, course):
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    lesson = next(item for item in course.lessons if item.meta.interactives)
    url = f"/api/drafts/{lesson.slug}/{lesson.meta.interactives[0].id}"
    with httpx.Client(base_url=live_server.url) as browser:
        browser.get("/")
        headers = {"X-CSRF-Token": browser.cookies["deepdive_csrf"], "Origin": live_server.url}
        cookies = dict(browser.cookies)

    def save(number: int) -> int:
        with httpx.Client(base_url=live_server.url, cookies=cookies) as c:
            return c.put(url, json={"code": f"# version {number}"}, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        assert set(pool.map(save, range(12))) == {200}


def test_the_web_server_does_not_load_the_sandbox_engine_or_isolation():
    import subprocess
    import sys

    runner_side = (
        "deepdive.sandbox.engine",
        "deepdive.sandbox.process",
        "deepdive.sandbox.isolation",
        "deepdive.sandbox.worker.main",
    )
    probe = (
        "import sys\n"
        "import deepdive.web.app, deepdive.web.routes.runs\n"
        f"print([m for m in sys.modules if m.startswith({runner_side!r})])\n"
    )
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert output.returncode == 0, output.stderr
    assert output.stdout.strip() == "[]"


def test_the_course_page_says_which_lessons_exist(client, course: Course):
    intro = client.get("/").text.split('class="course-intro"', 1)[1].split("</p>", 1)[0]
    count = len(course.lessons)
    assert f"{count} lesson{'s' if count != 1 else ''}, from" in intro
    assert escape(course.lessons[0].title, quote=False) in intro
    assert escape(course.lessons[-1].title, quote=False) in intro


def test_the_last_lesson_ends_with_what_was_done_and_what_next(client, course: Course):
    first, last = course.lessons[0], course.lessons[-1]
    assert "The end of the course" not in client.get(f"/lessons/{first.slug}").text
    end = client.get(f"/lessons/{last.slug}").text.split('class="course-end"', 1)[1]
    assert f"0 of {course.total_xp} XP" in end
    assert f'href="/lessons/{first.slug}"' in end  # still open
    assert 'href="/bookstore"' in end
    assert 'href="/progress"' in end
    from tests.conftest import solve_lesson

    solve_lesson(client, first)
    end = client.get(f"/lessons/{last.slug}").text.split('class="course-end"', 1)[1]
    assert f"<strong>1 of {len(course.lessons)}</strong> lessons" in end
    assert f'href="/lessons/{first.slug}"' not in end
    assert f"{sum(first.award_keys.values())} of {course.total_xp} XP" in end


def test_each_tip_on_the_course_page_is_a_landmark_of_its_own(client, course: Course):
    labels = re.findall(r'<aside[^>]*aria-label="([^"]+)"', client.get("/").text)
    assert len(labels) == len(set(labels)) >= len(course.lessons)


def test_lesson_page_outline_links_every_h2_and_h3_anchor_in_order(client, course: Course):
    lesson = course.lesson("basics")
    html = client.get(f"/lessons/{lesson.slug}").text
    outline = html.split('aria-label="On this page"')[1].split("</nav>")[0]
    anchors = re.findall(r'href="#([^"]+)"', outline)
    assert anchors == [section.anchor for section in lesson.sections]
    # The article's headings are the ones with a permalink (widgets have titled headings too).
    article = html.split('id="lesson-title"')[1]
    headings_in_page = re.findall(r'<h[23] id="([^"]+)">[^\n]*?class="header-anchor"', article)
    assert anchors == headings_in_page
    assert "<h2" in outline  # labelled for screen readers


def test_course_page_has_no_lesson_outline(client):
    assert 'aria-label="On this page"' not in client.get("/").text


def test_lesson_page_ends_with_further_reading_links_that_open_outside(client, course: Course):
    lesson = course.lesson("dependencies")
    html = client.get(f"/lessons/{lesson.slug}").text
    reading = html.split('<h2 id="further-reading">Further reading</h2>')[1].split("</section>")[0]
    links = re.findall(r'<a href="([^"]+)" target="_blank" rel="([^"]+)"', reading)
    assert [url for url, _rel in links] == [doc.url for doc in lesson.meta.docs]
    assert all("noopener" in rel.split() and "external" in rel.split() for _url, rel in links)
    assert reading.count("(opens in a new tab)") == len(links)
    # After the article, before the quiz.
    assert html.index("Further reading") > html.index(f'id="{lesson.sections[-1].anchor}"')
    assert html.index("Further reading") < html.index('id="quiz-title"')
