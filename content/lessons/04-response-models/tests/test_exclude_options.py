import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "/settings",
            {"owner": "alice", "channel": "email", "quiet_hours": None, "digest": "weekly"},
        ),
        ("/settings/exclude-unset", {"owner": "alice", "channel": "email", "quiet_hours": None}),
        ("/settings/exclude-defaults", {"owner": "alice"}),
        ("/settings/exclude-none", {"owner": "alice", "channel": "email", "digest": "weekly"}),
    ],
)
def test_each_flag_drops_a_different_set_of_fields(example, path, expected):
    response = TestClient(example("exclude_options").app).get(path)
    assert response.status_code == 200
    assert response.json() == expected


def test_the_flags_do_not_change_the_documented_schema(example):
    paths = TestClient(example("exclude_options").app).get("/openapi.json").json()["paths"]
    assert len(paths) == 4
    for operation in paths.values():
        ok = operation["get"]["responses"]["200"]
        assert ok["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/NotificationSettings"
        }
