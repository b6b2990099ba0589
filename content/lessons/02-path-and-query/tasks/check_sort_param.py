"""Task: a `sort` query parameter that accepts only "title" or "year", "title" by default."""

import random
import string

# An order drawn for every check (six letters: never "title" nor "year"), so only a parameter
# that refuses every value but the two passes.
OTHER_ORDER = "".join(random.choices(string.ascii_lowercase, k=6))


def _sort(client, **params):
    response = client.get("/books/1", params=params)
    return response, response.json() if response.status_code == 200 else None


def test_sort_defaults_to_title(client):
    response, body = _sort(client)
    assert response.status_code == 200, (
        f'GET /books/1 without ?sort answered {response.status_code}: give sort the default "title"'
    )
    assert body.get("sort") == {"value": "title", "type": "str"}, (
        f"GET /books/1 returned sort as {body.get('sort')}; report it like the others, "
        '"sort": _seen(sort), with "title" when the URL has none'
    )


def test_year_is_accepted(client):
    response, body = _sort(client, sort="year")
    assert response.status_code == 200, f"GET /books/1?sort=year answered {response.status_code}"
    assert body.get("sort", {}).get("value") == "year", (
        f"GET /books/1?sort=year returned sort as {body.get('sort')}"
    )


def test_any_other_order_is_refused(client):
    response = client.get("/books/1", params={"sort": OTHER_ORDER})
    assert response.status_code == 422, (
        f"GET /books/1?sort={OTHER_ORDER} answered {response.status_code}; FastAPI should "
        'refuse any value but "title" and "year" with a 422: declare sort as '
        'Literal["title", "year"]'
    )
    locations = [error["loc"] for error in response.json()["detail"]]
    assert ["query", "sort"] in locations, f"the 422 points at {locations}, not at the query's sort"
