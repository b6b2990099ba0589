"""Hidden tests: orders are answered at once; a receipt that fails is recorded and logged."""

import ast
import random
import secrets
import time

# Drawn for every check, so only a service that records what really happened to each receipt
# passes: good addresses, a bad one (no @, and never the no-at-sign tried before), an item and
# an order id that does not exist.
GOOD = f"ann{secrets.token_hex(2)}@example.com"
ALSO_GOOD = f"bo{secrets.token_hex(2)}@example.com"
BAD = f"{random.choice(('ann', 'bo', 'cy'))}.{secrets.token_hex(3)}.example.com"
ITEM = random.choice(("tea", "coffee", "cocoa", "mate"))
MISSING = random.randint(1_000, 999_999)


def _wait_for_receipt(client, order_id):
    for _ in range(40):
        receipt = client.get(f"/orders/{order_id}").json()["receipt"]
        if receipt != "pending":
            return receipt
        time.sleep(0.025)
    return "pending"


def _order(client, email):
    return client.post("/orders", json={"item": ITEM, "email": email})


def test_an_order_is_answered_with_201(client):
    response = _order(client, GOOD)
    assert response.status_code == 201, f"POST /orders answered {response.status_code}"
    assert _wait_for_receipt(client, response.json()["id"]) == "sent", (
        "The receipt of an order to a good address was not sent"
    )


def test_a_failed_receipt_is_recorded(client):
    response = _order(client, BAD)
    assert response.status_code == 201, (
        f"An order with the bad e-mail address {BAD} answered {response.status_code}: the order "
        "itself is fine, only its receipt fails"
    )
    receipt = _wait_for_receipt(client, response.json()["id"])
    assert receipt == "failed", (
        f"The receipt to the bad address {BAD} is still {receipt!r} a second later: record that "
        "it failed"
    )


def test_the_failure_is_logged_with_its_traceback(source):
    calls = [
        node
        for node in ast.walk(ast.parse(source["app.py"]))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and (node.func.attr == "exception" or any(k.arg == "exc_info" for k in node.keywords))
    ]
    assert calls


def test_only_mail_errors_are_caught(source):
    tree = ast.parse(source["app.py"])
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler):
            caught = ast.unparse(node.type) if node.type else "everything"
            assert caught not in ("Exception", "BaseException", "everything")


def test_orders_can_be_read_back(client):
    order_id = _order(client, ALSO_GOOD).json()["id"]
    assert client.get(f"/orders/{order_id}").json()["item"] == ITEM
    assert client.get(f"/orders/{MISSING}").status_code == 404
