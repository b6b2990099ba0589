from fastapi.testclient import TestClient


def test_the_lifespan_raises_the_worker_thread_limit(example):
    with TestClient(example("thread_limit").app) as client:
        assert client.get("/threads").json() == {"limit": 80}
