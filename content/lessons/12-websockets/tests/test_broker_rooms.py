from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.routing import Mount


def _two_workers(example, shared: bool) -> TestClient:
    """Two copies of the app, as two worker processes would run it, under /a and /b (one
    event loop serves both, as the broker's queues need)."""
    module = example("broker_rooms")
    first = module.LocalBroker()
    second = first if shared else module.LocalBroker()
    workers = Starlette(
        routes=[Mount("/a", module.create_app(first)), Mount("/b", module.create_app(second))]
    )
    return TestClient(workers)


def test_with_one_broker_per_worker_messages_stay_in_their_worker(example):
    with (
        _two_workers(example, shared=False) as client,
        client.websocket_connect("/a/rooms/books?name=ada") as ada,
        client.websocket_connect("/b/rooms/books?name=bob") as bob,
    ):
        bob.send_text("hello?")
        assert bob.receive_text() == "bob: hello?"
        ada.send_text("ping")
        # Ada's first message is her own: Bob's never reached her worker.
        assert ada.receive_text() == "ada: ping"


def test_a_shared_broker_carries_messages_between_workers(example):
    with (
        _two_workers(example, shared=True) as client,
        client.websocket_connect("/a/rooms/books?name=ada") as ada,
    ):
        with client.websocket_connect("/b/rooms/books?name=bob") as bob:
            bob.send_text("hello ada")
            assert ada.receive_text() == "bob: hello ada"
            assert bob.receive_text() == "bob: hello ada"
        assert ada.receive_text() == "bob left"
