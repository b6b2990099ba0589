import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("path", "settings_calls", "same_object"),
    [
        ("/aliases", 1, True),
        ("/fresh-last", 2, False),
        ("/fresh-first", 1, True),
    ],
)
def test_settings_calls_depend_on_where_use_cache_false_sits(
    example, path, settings_calls, same_object
):
    module = example("cache_key")
    response = TestClient(module.app).get(path)
    assert response.status_code == 200
    assert response.json() == {"same_object": same_object}
    assert module.calls == {"get_settings": settings_calls}


def test_one_shared_instance_is_one_cache_entry(example):
    module = example("cache_key")
    response = TestClient(module.app).get("/quota/shared-instance")
    assert response.json() == {"limits": [100, 100]}
    assert module.calls == {"Quota(100)": 1}


def test_two_equal_instances_are_two_cache_entries(example):
    module = example("cache_key")
    response = TestClient(module.app).get("/quota/equal-instances")
    assert response.json() == {"limits": [100, 100]}
    assert module.calls == {"Quota(100)": 2}


def test_a_yield_dependency_used_twice_opens_and_closes_one_session(example):
    module = example("cache_key")
    response = TestClient(module.app).get("/sessions/shared")
    assert response.json() == {"sessions": ["session 1", "session 1"]}
    assert module.calls == {"open_session": 1, "close_session": 1}


def test_use_cache_false_on_a_yield_dependency_opens_and_closes_a_second_session(example):
    module = example("cache_key")
    response = TestClient(module.app).get("/sessions/separate")
    assert response.json() == {"sessions": ["session 1", "session 2"]}
    assert module.calls == {"open_session": 2, "close_session": 2}


def test_cached_dependencies_add_no_parameters_to_openapi(example):
    paths = TestClient(example("cache_key").app).get("/openapi.json").json()["paths"]
    assert len(paths) == 7
    for path, item in paths.items():
        assert "parameters" not in item["get"], path
