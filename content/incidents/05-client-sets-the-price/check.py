"""Hidden tests: the charge comes from the catalog, whatever the client says the price is."""


def _checkout(client, **line):
    return client.post("/checkout", json=line)


def test_an_honest_cart_is_charged_the_catalog_price(client):
    response = _checkout(client, sku="keyboard", quantity=2)
    assert response.status_code == 200, (
        f"Checking out 2 keyboards (no price sent) answered {response.status_code}: {response.text}"
    )
    assert response.json()["charged"] == 98.0, f"2 keyboards at 49.0 were charged {response.json()}"


def test_a_price_sent_by_the_client_changes_nothing(client):
    response = _checkout(client, sku="monitor", quantity=1, unit_price=0.01)
    charged = response.json().get("charged") if response.status_code == 200 else None
    assert response.status_code in (200, 422), f"Checkout answered {response.status_code}"
    assert charged in (None, 189.0), (
        f"A monitor sent with unit_price 0.01 was charged {charged}; the price must come from "
        "the catalog"
    )


def test_a_plausible_fake_price_is_not_charged(client):
    response = _checkout(client, sku="monitor", quantity=2, unit_price=150.0)
    if response.status_code == 200:
        assert response.json()["charged"] == 378.0


def test_unknown_products_are_404(client):
    assert _checkout(client, sku="cable", quantity=1).status_code == 404


def test_the_quantity_is_still_validated(client):
    assert _checkout(client, sku="keyboard", quantity=0).status_code == 422
    assert _checkout(client, sku="keyboard", quantity=3).json()["charged"] == 147.0
