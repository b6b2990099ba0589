"""Hidden tests: the charge comes from the catalog, whatever the client says the price is."""

import random

# Quantities drawn for every check, so only a service that multiplies the catalog price by the
# quantity sent gets them right.
KEYBOARDS, MONITORS, MORE_KEYBOARDS = (random.randint(2, 10) for _ in range(3))


def _checkout(client, **line):
    return client.post("/checkout", json=line)


def test_an_honest_cart_is_charged_the_catalog_price(client):
    response = _checkout(client, sku="keyboard", quantity=KEYBOARDS)
    assert response.status_code == 200, (
        f"Checking out {KEYBOARDS} keyboards (no price sent) answered {response.status_code}: "
        f"{response.text}"
    )
    assert response.json()["charged"] == round(49.0 * KEYBOARDS, 2), (
        f"{KEYBOARDS} keyboards at 49.0 were charged {response.json()}"
    )


def test_a_price_sent_by_the_client_changes_nothing(client):
    response = _checkout(client, sku="monitor", quantity=1, unit_price=0.01)
    charged = response.json().get("charged") if response.status_code == 200 else None
    assert response.status_code in (200, 422), f"Checkout answered {response.status_code}"
    assert charged in (None, 189.0), (
        f"A monitor sent with unit_price 0.01 was charged {charged}; the price must come from "
        "the catalog"
    )


def test_a_plausible_fake_price_is_not_charged(client):
    response = _checkout(client, sku="monitor", quantity=MONITORS, unit_price=150.0)
    if response.status_code == 200:
        assert response.json()["charged"] == round(189.0 * MONITORS, 2)


def test_unknown_products_are_404(client):
    assert _checkout(client, sku="cable", quantity=1).status_code == 404


def test_the_quantity_is_still_validated(client):
    assert _checkout(client, sku="keyboard", quantity=0).status_code == 422
    charged = _checkout(client, sku="keyboard", quantity=MORE_KEYBOARDS).json()["charged"]
    assert charged == round(49.0 * MORE_KEYBOARDS, 2)
