"""Lesson 4's response-filter widget: its page, its declared variants, and real runs behind it."""

from __future__ import annotations

import html
import re

from fastapi import status

from deepdive.course.models import Course

SLUG = "response-models"
WIDGET = f"{SLUG}/response-filter"
INSTRUMENTS = ["returned_values", "openapi"]


def _interactive(course: Course):
    lesson = course.lesson(SLUG)
    return lesson, lesson.interactive("response-filter")


def _variants(course: Course) -> list[dict]:
    _, interactive = _interactive(course)
    groups = interactive.options.model_dump(mode="json")["groups"]
    return [variant for group in groups for variant in group["variants"]]


def _source(course: Course, variant_id: str) -> str:
    lesson, _ = _interactive(course)
    variant = next(v for v in _variants(course) if v["id"] == variant_id)
    return lesson.sources[variant["file"]]


def _run(client, code: str, *requests: dict) -> dict:
    body = {"widget": WIDGET, "code": code, "requests": list(requests), "instruments": INSTRUMENTS}
    response = client.post("/api/runs", json=body)
    assert response.status_code == 200, response.text
    return response.json()["result"]


def _returned_fields(result: dict, index: int = 0) -> dict[str, str]:
    entry = result["instrumentation"]["returned_values"]["requests"][index]
    (call,) = entry["calls"]
    return {field["name"]: field["value"]["repr"] for field in call["value"]["fields"]}


def test_every_variant_names_a_lesson_file_and_requests_that_exist(course):
    lesson, interactive = _interactive(course)
    labels = {preset.label for preset in interactive.requests}
    variants = _variants(course)
    assert variants[0]["file"] == interactive.starter
    assert len({variant["id"] for variant in variants}) == len(variants)
    for variant in variants:
        assert variant["file"] in lesson.sources, variant["id"]
        assert re.fullmatch(r"[a-z0-9-]{1,40}", variant["id"]), "ids are draft part names"
        for entry in variant["requests"]:
            spec = entry if isinstance(entry, dict) else {"send": entry}
            assert {spec["send"], *spec.get("after", [])} <= labels, variant["id"]


def test_the_lesson_page_carries_every_variant_and_the_status_choices(client, course):
    page = client.get(f"/lessons/{SLUG}").text
    assert 'data-widget="response-filter"' in page
    for variant in _variants(course):
        assert f'<option value="{variant["id"]}">' in page
        assert f'data-variant-source="{variant["id"]}"' in page
    assert html.escape("class UserCard(BaseModel):", quote=False) in page
    choices = re.findall(r'<option value="(\d{3})" data-constant="(\w+)">', page)
    assert len(choices) >= 5
    for code, constant in choices:
        assert getattr(status, constant) == int(code)


def test_the_widget_is_on_the_course_page_too(client):
    assert 'data-widget="response-filter"' in client.get("/").text


def test_each_variant_keeps_its_own_saved_code(client):
    url = f"/api/drafts/{WIDGET}"
    client.put(url, params={"part": "user-out"}, json={"code": "# my UserOut version\n"})
    client.put(url, json={"code": "# my UserOut version\n"})
    page = client.get(f"/lessons/{SLUG}").text
    saved = re.search(r'<template data-variant-draft="user-out">([^<]*)</template>', page)
    assert saved is not None
    assert saved.group(1) == "# my UserOut version\n"
    assert "<template data-current-draft># my UserOut version" in page
    assert 'data-variant-draft="no-model"' not in page


def test_the_recorded_value_holds_the_hash_that_only_the_leaky_variant_sends(client, course):
    alice = {"method": "GET", "path": "/users/1"}
    leaky = _run(client, _source(course, "no-model"), alice)
    public = _run(client, _source(course, "user-out"), alice)
    for result in (leaky, public):
        assert _returned_fields(result)["hashed_password"].startswith("'$argon2id$")
    assert "hashed_password" in leaky["responses"][0]["json_body"]
    assert "hashed_password" not in public["responses"][0]["json_body"]
    schemas = public["instrumentation"]["openapi"]["schema"]["components"]["schemas"]
    assert "UserInDB" not in schemas


def test_the_status_code_variant_creates_and_deletes_within_the_sandbox_limits(client, course):
    carol = {
        "method": "POST",
        "path": "/users",
        "json_body": {
            "username": "carol",
            "email": "carol@example.com",
            "password": "correct horse battery staple",
        },
    }
    result = _run(
        client, _source(course, "status-codes"), carol, {"method": "DELETE", "path": "/users/1"}
    )
    assert result["outcome"] == "ok", result["message"]
    created, deleted = result["responses"]
    assert (created["status"], deleted["status"], deleted["body"]) == (201, 204, "")
    assert dict(created["headers"])["location"] == "/users/1"
    assert _returned_fields(result)["hashed_password"].startswith("'$argon2id$")
    assert "hashed_password" not in created["json_body"]
