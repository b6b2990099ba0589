"""Hidden tests: orders the stock can cover go through; the others are refused with a 409."""

import random

# Quantities drawn for every check (the desk orders never the 5 and 3 tried before), so only a
# shop that compares each order with its stock gets them right: 3 lamps and 1 desk are in stock.
LAMPS = random.randint(1, 3)
TOO_MANY_DESKS, MORE_DESKS = (random.randint(6, 40) for _ in range(2))


def _order(client, sku, quantity):
    return client.post("/orders", json={"sku": sku, "quantity": quantity})


def test_an_order_in_stock_is_placed(client):
    response = _order(client, "lamp", LAMPS)
    assert response.status_code == 201, (
        f"Ordering {LAMPS} lamp(s) (3 in stock) answered {response.status_code}: {response.text}"
    )
    assert response.json()["left"] == 3 - LAMPS, (
        f"After ordering {LAMPS} of 3 lamps: {response.json()}"
    )


def test_an_order_beyond_the_stock_is_refused(client):
    response = _order(client, "desk", TOO_MANY_DESKS)
    assert response.status_code == 409, (
        f"Ordering {TOO_MANY_DESKS} desks (1 in stock) answered {response.status_code}: "
        f"{response.text}; "
        "it should be refused with a 409"
    )


def test_a_refused_order_takes_nothing(client):
    _order(client, "desk", MORE_DESKS)
    assert client.get("/stock/desk").json() == {"desk": 1}


def test_the_last_item_can_be_sold_then_not_again(client):
    assert _order(client, "desk", 1).status_code == 201
    assert _order(client, "desk", 1).status_code == 409
    assert client.get("/stock/desk").json() == {"desk": 0}


def test_unknown_products_are_refused(client):
    assert _order(client, "sofa", 1).status_code == 409
