"""Task: an unhandled exception is logged with the request id; the client gets an envelope."""

import ast
import secrets

# Drawn for every check, so only an app that hands back the id it is sent passes.
SENT_ID = f"check-{secrets.token_hex(4)}"


def _logs_with_request_id(source: str) -> bool:
    """A logging call that records the traceback (`.exception(...)`, or `exc_info=`) and whose
    arguments mention the request id."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method = node.func.attr
        keeps_trace = method == "exception" or any(k.arg == "exc_info" for k in node.keywords)
        arguments = " ".join(ast.unparse(a) for a in [*node.args, *node.keywords])
        if keeps_trace and method != "print" and "request_id" in arguments.replace(".", "_"):
            return True
    return False


def test_the_crash_is_a_json_envelope(client):
    response = client.get("/report", headers={"X-Request-ID": SENT_ID})
    assert response.status_code == 500, (
        f"GET /report answered {response.status_code}; keep it a 500"
    )
    assert "json" in response.headers.get("content-type", ""), (
        f"GET /report answered {response.text!r}: register a handler for Exception that "
        "returns a JSON envelope"
    )
    body = response.json()
    assert body.get("error") == "internal_error", (
        f'GET /report gave {body}; use the code "internal_error"'
    )


def test_the_client_sees_no_stack_trace(client):
    text = client.get("/report", headers={"X-Request-ID": SENT_ID}).text
    for clue in ("Traceback", "ZeroDivisionError", "division by zero", 'File "'):
        assert clue not in text, (
            f"GET /report shows {clue!r} to the client: keep the traceback in the log only"
        )


def test_the_request_id_reaches_the_client(client):
    response = client.get("/report", headers={"X-Request-ID": SENT_ID})
    body = response.json() if "json" in response.headers.get("content-type", "") else {}
    assert body.get("request_id") == SENT_ID, (
        f"GET /report sent with X-Request-ID: {SENT_ID} answered {body}: put the request "
        "id in the body as request_id"
    )
    assert response.headers.get("x-request-id") == SENT_ID, (
        "The 500 has no X-Request-ID header: the Exception handler runs outside your "
        "middleware, so set the header in the handler itself"
    )


def test_ordinary_responses_carry_a_request_id(client):
    response = client.post("/withdraw", json={"amount": 30})
    assert response.headers.get("x-request-id"), (
        "POST /withdraw has no X-Request-ID header: a middleware should add one to every response"
    )


def test_the_log_records_the_traceback_with_the_request_id(source):
    assert _logs_with_request_id(source["app.py"]), (
        "Nothing logs the exception with its traceback and the request id: call "
        "logger.exception(...) in the handler, passing the request id"
    )
