"""Task: a `pagination` dependency gives GET /books a `limit` (1-50, 10) and an `offset` (>= 0)."""

import random

KEY = {"X-API-Key": "let-me-in"}
# A page drawn for every check, so only a dependency that reads the query passes.
LIMIT = random.choice([n for n in range(1, 51) if n not in (5, 10)])
OFFSET = random.randint(1, 10_000)


def test_the_defaults_are_reported(client):
    response = client.get("/books", headers=KEY)
    assert response.status_code == 200, f"GET /books with the key answered {response.status_code}"
    page = response.json().get("page")
    assert page == {"limit": 10, "offset": 0}, (
        f'GET /books returned page {page}; it should return "page": {{"limit": 10, "offset": 0}} '
        "when the URL says nothing"
    )


def test_the_query_sets_the_page(client):
    params = {"limit": str(LIMIT), "offset": str(OFFSET)}
    page = client.get("/books", params=params, headers=KEY).json()
    assert page.get("page") == {"limit": LIMIT, "offset": OFFSET}, (
        f"GET /books?limit={LIMIT}&offset={OFFSET} returned page {page.get('page')}: "
        "return the limit and offset the query sends"
    )


def test_out_of_range_values_are_refused(client):
    for params, where in (
        ({"limit": "0"}, "limit"),
        ({"limit": "51"}, "limit"),
        ({"offset": "-1"}, "offset"),
    ):
        response = client.get("/books", params=params, headers=KEY)
        assert response.status_code == 422, (
            f"GET /books?{where}={params[where]} answered {response.status_code}; it should be "
            "refused with a 422: bound the parameters with Query(ge=..., le=...)"
        )
        locations = [error["loc"] for error in response.json()["detail"]]
        assert ["query", where] in locations, f"the 422 points at {locations}"


def test_the_key_is_still_required(client):
    status = client.get("/books", params={"limit": "5"}).status_code
    assert status == 401, f"GET /books without the key answered {status}; it should stay 401"
