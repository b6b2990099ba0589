"""Hidden tests: a new id for every request, one id throughout a request."""

from concurrent.futures import ThreadPoolExecutor


def _pay(client):
    response = client.post("/payments")
    return response.headers.get("x-request-id"), response.json().get("request_id")


def test_every_request_gets_its_own_id(client):
    ids = [_pay(client)[0] for _ in range(3)]
    assert len(set(ids)) == 3, f"Three payments were given the ids {ids}: each needs its own"


def test_the_header_and_the_body_carry_the_same_id(client):
    header, body = _pay(client)
    assert header == body, (
        f"One payment answered X-Request-ID {header} but request_id {body} in its body: within "
        "one request every part must see the same id"
    )


def test_ids_are_fresh_uuids(client):
    header, _ = _pay(client)
    assert header is not None
    assert len(header) == 32
    int(header, 16)


def test_concurrent_requests_get_distinct_ids(client):
    with ThreadPoolExecutor(4) as pool:
        pairs = list(pool.map(lambda _: _pay(client), range(8)))
    assert len({header for header, _ in pairs}) == 8
    assert all(header == body for header, body in pairs)
