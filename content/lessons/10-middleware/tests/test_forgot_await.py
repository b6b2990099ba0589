import gc

import pytest
from fastapi.testclient import TestClient


def test_a_middleware_that_does_not_await_call_next_breaks_every_request(example):
    client = TestClient(example("forgot_await").app, client=("127.0.0.1", 50000))
    with pytest.warns(RuntimeWarning, match="was never awaited"):  # noqa: PT031
        with pytest.raises(AttributeError, match="'coroutine' object has no attribute 'headers'"):
            client.get("/books")
        gc.collect()


def test_the_client_sees_a_bare_500(example):
    app = example("forgot_await").app
    client = TestClient(app, raise_server_exceptions=False, client=("127.0.0.1", 50000))
    with pytest.warns(RuntimeWarning, match="was never awaited"):  # noqa: PT031
        response = client.get("/books")
        gc.collect()
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
