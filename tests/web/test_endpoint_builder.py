"""Lesson 2's "Build an endpoint" over HTTP: the page it draws, and its runs of each route order."""

from __future__ import annotations

import json
import re
from html import unescape

from markupsafe import escape

WIDGET = "path-and-query/endpoint-builder"


def _interactive(course):
    lesson = course.lesson("path-and-query")
    return lesson, lesson.interactive("endpoint-builder")


def _run(client, widget: str, code: str, *requests: dict) -> dict:
    body = {"widget": widget, "code": code, "requests": list(requests), "instruments": ["routing"]}
    response = client.post("/api/runs", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_lesson_page_carries_the_starter_both_route_orders_and_the_presets(client, course):
    lesson, interactive = _interactive(course)
    html = client.get("/lessons/path-and-query").text
    assert 'data-widget="endpoint-builder"' in html
    assert str(escape(lesson.sources[interactive.starter])) in html
    order = interactive.options.model_dump(mode="json")["route_order"]
    for name in ("template_first", "fixed_first"):
        assert order[name] in interactive.files
        assert str(escape(lesson.sources[order[name]])) in html
    presets = re.search(r"<script type=\"application/json\" data-presets>(.*?)</script>", html)
    assert presets is not None
    labels = [preset["label"] for preset in json.loads(unescape(presets.group(1)))]
    assert labels == [preset.label for preset in interactive.requests]


def test_the_form_defaults_describe_the_starter(course):
    lesson, interactive = _interactive(course)
    starter = lesson.sources[interactive.starter]
    form = interactive.options.model_dump(mode="json")["form"]
    route = form["route"] + "".join(
        f"/{{{p['name']}}}" for p in form["params"] if p["location"] == "path"
    )
    assert f'@app.get("{route}")' in starter
    for param in form["params"]:
        assert f'"{param["name"]}": _seen({param["name"]})' in starter


def test_each_route_order_runs_for_real_and_names_the_function_that_answered(client, course):
    lesson, interactive = _interactive(course)
    order = interactive.options.model_dump(mode="json")["route_order"]
    outcomes = {}
    for part in ("template_first", "fixed_first"):
        code = lesson.sources[order[part]]
        widget = f"{WIDGET}:{part.replace('_', '-')}"
        result = _run(client, widget, code, *order["requests"])["result"]
        featured = result["responses"][0]
        seen = result["instrumentation"]["routing"]["requests"][0]
        outcomes[part] = (featured["status"], seen["route"]["function"])
    assert outcomes == {
        "template_first": (422, "read_book"),
        "fixed_first": (200, "featured_books"),
    }


def test_a_run_of_one_editor_saves_its_code_as_that_part_only(client, course):
    lesson, interactive = _interactive(course)
    code = lesson.sources[interactive.options.route_order.template_first] + "# mine\n"
    first = _run(client, f"{WIDGET}:template-first", code, {"method": "GET", "path": "/books/3"})
    assert first["attempts"] == 1
    again = _run(client, f"{WIDGET}:template-first", code, {"method": "GET", "path": "/books/3"})
    assert again["attempts"] == 2
    html = client.get("/lessons/path-and-query").text
    assert "# mine" in html
    # The main editor still shows the starter: no draft was saved under the widget itself.
    starter = lesson.sources[interactive.starter]
    # Once, in its editor: a starter needs no second copy for Reset while it is the code shown.
    assert html.count(str(escape(starter))) == 1


def test_a_part_name_that_is_not_a_plain_word_is_refused(client):
    body = {"widget": f"{WIDGET}:../x", "code": "", "requests": []}
    assert client.post("/api/runs", json=body).status_code == 422
    body = {"widget": "path-and-query/nope:part", "code": "", "requests": []}
    assert client.post("/api/runs", json=body).status_code == 404
