import httpx
import pytest
from fastapi.testclient import TestClient


def test_the_with_block_runs_startup_and_shutdown(example):
    app = example("lifespan_app").app
    with TestClient(app) as client:
        assert client.get("/health").json() == {"catalogue_open": True}
    assert app.state.catalogue == {"open": False}


def test_without_the_with_block_startup_never_ran(example):
    client = TestClient(example("lifespan_app").app)
    with pytest.raises(AttributeError, match="catalogue"):
        client.get("/health")


@pytest.mark.anyio
async def test_async_client_over_asgi_transport(example):
    app = example("lifespan_app").app
    transport = httpx.ASGITransport(app=app)
    # ASGITransport sends requests only: the lifespan is entered by the test itself.
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        response = await client.get("/health")
    assert response.json() == {"catalogue_open": True}
