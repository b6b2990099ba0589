"""Hidden tests: orders the stock can cover go through; the others are refused with a 409."""


def _order(client, sku, quantity):
    return client.post("/orders", json={"sku": sku, "quantity": quantity})


def test_an_order_in_stock_is_placed(client):
    response = _order(client, "lamp", 1)
    assert response.status_code == 201, (
        f"Ordering 1 lamp (3 in stock) answered {response.status_code}: {response.text}"
    )
    assert response.json()["left"] == 2, f"After ordering 1 of 3 lamps: {response.json()}"


def test_an_order_beyond_the_stock_is_refused(client):
    response = _order(client, "desk", 5)
    assert response.status_code == 409, (
        f"Ordering 5 desks (1 in stock) answered {response.status_code}: {response.text}; "
        "it should be refused with a 409"
    )


def test_a_refused_order_takes_nothing(client):
    _order(client, "desk", 3)
    assert client.get("/stock/desk").json() == {"desk": 1}


def test_the_last_item_can_be_sold_then_not_again(client):
    assert _order(client, "desk", 1).status_code == 201
    assert _order(client, "desk", 1).status_code == 409
    assert client.get("/stock/desk").json() == {"desk": 0}


def test_unknown_products_are_refused(client):
    assert _order(client, "sofa", 1).status_code == 409
