"""Disguised apps: a new text every time, the same behaviour and the same names for tests."""

from __future__ import annotations

import random
import types

import pytest
from fastapi.testclient import TestClient

from deepdive.course.disguise import disguise

APPS = (
    "tasks/filter_bug.py",
    "tasks/filter_bug_disguised.py",
    "tasks/filter_fixed_disguised.py",
    "tasks/delete_bug.py",
    "tasks/delete_bug_disguised.py",
    "tasks/delete_fixed_disguised.py",
    "examples/bookshelf.py",
    "examples/bookshelf_fixed.py",
)


def _load(source: str) -> types.ModuleType:
    module = types.ModuleType("app")
    exec(compile(source, "app.py", "exec"), module.__dict__)
    return module


def _behaviour(module: types.ModuleType) -> list[object]:
    """What the app answers to the requests the lesson's tasks are about, on a shelf of its own
    put in place the way the learner's tests do it."""
    shelf = module.Shelf()
    module.app.dependency_overrides[module.get_shelf] = lambda: shelf
    seen: list[object] = []
    with TestClient(module.app) as client:
        for title, year in (("Dune", 1965), ("Ubik", 1969), ("Emma", 1815), ("Old", 500)):
            response = client.post("/books", json={"title": title, "year": year})
            seen.append((response.status_code, response.json()))
        for before in (1815, 1965, 1969, 1970, None):
            params = {} if before is None else {"published_before": before}
            response = client.get("/books", params=params)
            seen.append((response.status_code, response.json()))
        for method, path in (("GET", "/books/2"), ("DELETE", "/books/2"), ("DELETE", "/books/2")):
            response = client.request(method, path)
            seen.append((response.status_code, response.text))
        seen.append(client.get("/books/abc").status_code)
    module.app.dependency_overrides.clear()
    return seen


@pytest.mark.parametrize("path", APPS)
def test_a_disguised_app_answers_every_request_as_the_original(course, path):
    source = course.lesson("testing").sources[path]
    expected = _behaviour(_load(source))
    texts = set()
    for seed in range(12):
        text = disguise(source, random.Random(seed))
        texts.add(text)
        assert text != source
        module = _load(text)
        for name in ("app", "get_shelf", "Shelf", "BookIn", "Book", "ShelfDep"):
            assert hasattr(module, name), name
        assert _behaviour(module) == expected, text
    assert len(texts) == 12


def test_without_a_seed_each_disguise_is_new(course):
    source = course.lesson("testing").sources["tasks/filter_bug.py"]
    assert len({disguise(source) for _ in range(20)}) == 20


def test_routes_of_one_method_keep_their_order_and_middleware_stays_in_place():
    source = (
        "from fastapi import FastAPI\n"
        "app = FastAPI()\n"
        "@app.get('/books/featured')\n"
        "def featured():\n    return 'featured'\n"
        "@app.post('/books')\n"
        "def create():\n    return 'created'\n"
        "@app.get('/books/{book_id}')\n"
        "def read(book_id: str):\n    return book_id\n"
        "@app.middleware('http')\n"
        "async def first(request, call_next):\n    return await call_next(request)\n"
        "@app.delete('/books/{book_id}')\n"
        "def delete(book_id: str):\n    return 'deleted'\n"
    )
    for seed in range(30):
        text = disguise(source, random.Random(seed))
        assert text.index("def featured") < text.index("def read") < text.index("async def first")
        assert text.index("async def first") < text.index("def delete")
        with TestClient(_load(text).app) as client:
            assert client.get("/books/featured").json() == "featured"
            assert client.get("/books/7").json() == "7"
