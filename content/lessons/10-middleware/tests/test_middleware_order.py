from fastapi.testclient import TestClient


def test_the_last_middleware_added_is_entered_first_and_left_last(example):
    module = example("middleware_order")
    module.seen.clear()
    TestClient(module.app).get("/")
    assert module.seen == [
        "second_added in",
        "first_added in",
        "endpoint",
        "first_added out",
        "second_added out",
    ]
