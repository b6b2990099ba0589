"""Requests that use values from earlier responses of the same run.

A request keeps values from its response with `capture`, naming where each comes from:

    capture: {token: json.access_token, request_id: header.x-request-id}

Sources: `status`, `body` (the text), `json` (the whole JSON value), `json.a.b.0` (a key or index
path into it), `header.<name>`. A later request uses a value as `{{token}}` in its path, query,
headers, body, JSON body or form. A JSON body string that is exactly one placeholder takes the
value with its JSON type (a number stays a number); anywhere else it is written as text.

A placeholder may pass the value through filters, `{{token|jwt_claim:sub=mallory}}`:

* `jwt_claim:NAME=VALUE` – the token with one payload claim changed (VALUE read as JSON when it
  is JSON, else as text); header and signature are kept, so the signature no longer matches;
* `jwt_alg_none` – the token re-written with `{"alg": "none"}` and no signature;
* `jwt_sign:SECRET` – the same header and payload signed with another secret, by the token's
  own HMAC algorithm (HS256, HS384 or HS512; HS256 when the token names another).

A request can also move the sandbox's clock to one second past a captured token's `exp`
(`advance_clock_past: token`), so that "later" means "expired" whatever lifetime the app gives.

This module is pure (no I/O): the web layer and the content loader use it to validate requests,
the sandbox to perform them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*((?:\|\s*[a-z_]+(?::[^|}]*)?\s*)*)\}\}")
CAPTURE_SOURCE = r"^(status|body|json(\.[^.\s]+)*|header\.[A-Za-z0-9_-]+)$"
CAPTURE_NAME = r"^[A-Za-z_]\w{0,39}$"


class ChainError(ValueError):
    """A value could not be produced; the message says why, for the learner."""


# -- reading placeholders --------------------------------------------------------------------


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


def _parts_of(fields: dict[str, Any]) -> list[str]:
    keys = ("path", "query", "headers", "json_body", "body", "form")
    return [text for key in keys for text in _texts(fields.get(key))]


def uses(fields: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """Each placeholder in a request (given as its fields): (name, [filter names])."""
    found = []
    for text in _parts_of(fields):
        for match in PLACEHOLDER.finditer(text):
            filters = [_split_filter(f)[0] for f in _filters_of(match.group(2))]
            found.append((match.group(1), filters))
    return found


def _filters_of(text: str) -> list[str]:
    return [part.strip() for part in text.split("|") if part.strip()]


def _split_filter(spec: str) -> tuple[str, str | None]:
    name, colon, argument = spec.partition(":")
    return name.strip(), argument if colon else None


# -- capturing -------------------------------------------------------------------------------


def capture(source: str, status: int, headers: list[tuple[str, str]], body: str, data: Any) -> Any:
    """The value `source` names in a response; raises ChainError when it is not there.

    `data` is the parsed JSON body, or `_NO_JSON` when the body is not JSON."""
    if source == "status":
        return status
    if source == "body":
        return body
    if source.startswith("header."):
        wanted = source.removeprefix("header.").lower()
        for name, value in headers:
            if name.lower() == wanted:
                return value
        raise ChainError(f"the response has no {wanted} header")
    if data is NO_JSON:
        raise ChainError("the response body is not JSON")
    value = data
    for key in source.split(".")[1:]:
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            raise ChainError(f"the JSON body has no {source.removeprefix('json.')}")
    return value


NO_JSON = object()


# -- substituting ----------------------------------------------------------------------------


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _resolve(match: re.Match[str], values: dict[str, Any]) -> Any:
    name = match.group(1)
    if name not in values:
        raise ChainError(f"{{{{{name}}}}} has no value")
    value = values[name]
    for spec in _filters_of(match.group(2)):
        filter_name, argument = _split_filter(spec)
        value = FILTERS[filter_name](_as_text(value), argument)
    return value


def _fill(text: str, values: dict[str, Any], *, keep_type: bool = False) -> Any:
    whole = PLACEHOLDER.fullmatch(text.strip()) if keep_type else None
    if whole is not None:
        return _resolve(whole, values)
    return PLACEHOLDER.sub(lambda match: _as_text(_resolve(match, values)), text)


def _fill_json(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return _fill(value, values, keep_type=True)
    if isinstance(value, list):
        return [_fill_json(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _fill_json(item, values) for key, item in value.items()}
    return value


def fill(fields: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A request's fields with every placeholder replaced; raises ChainError if one cannot be."""
    filled = dict(fields)
    filled["path"] = _fill(fields["path"], values)
    filled["query"] = _fill_fields(fields.get("query", {}), values)
    filled["headers"] = {key: _fill(v, values) for key, v in fields.get("headers", {}).items()}
    if fields.get("body") is not None:
        filled["body"] = _fill(fields["body"], values)
    if fields.get("json_body") is not None:
        filled["json_body"] = _fill_json(fields["json_body"], values)
    if fields.get("form") is not None:
        filled["form"] = _fill_fields(fields["form"], values)
    return filled


def _fill_fields(
    fields: dict[str, str | list[str]], values: dict[str, Any]
) -> dict[str, str | list[str]]:
    """Query or form fields filled in: a value, or the values of a repeated field."""
    return {
        key: [_fill(v, values) for v in item] if isinstance(item, list) else _fill(item, values)
        for key, item in fields.items()
    }


# -- filters: tampering with a JWT, the way an attacker would ----------------------------------


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    pieces = token.split(".")
    if len(pieces) != 3:
        raise ChainError("the value is not a JWT (three parts separated by dots)")
    try:
        header = json.loads(_b64decode(pieces[0]))
        payload = json.loads(_b64decode(pieces[1]))
    except (ValueError, UnicodeDecodeError) as error:
        raise ChainError("the value is not a JWT (its parts are not base64url JSON)") from error
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ChainError("the value is not a JWT (header and payload must be JSON objects)")
    return header, payload, pieces[2]


def _encode_part(value: dict[str, Any]) -> str:
    return _b64encode(json.dumps(value, separators=(",", ":")).encode())


def _jwt_claim(token: str, argument: str | None) -> str:
    name, equals, raw = (argument or "").partition("=")
    if not name or not equals:
        raise ChainError("jwt_claim needs NAME=VALUE, e.g. jwt_claim:sub=mallory")
    _, payload, signature = _jwt_parts(token)
    try:
        payload[name] = json.loads(raw)
    except ValueError:
        payload[name] = raw
    return f"{token.split('.')[0]}.{_encode_part(payload)}.{signature}"


def _jwt_alg_none(token: str, argument: str | None) -> str:
    header, payload, _ = _jwt_parts(token)
    return f"{_encode_part({**header, 'alg': 'none'})}.{_encode_part(payload)}."


_HMAC = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def _jwt_sign(token: str, argument: str | None) -> str:
    if not argument:
        raise ChainError("jwt_sign needs a secret, e.g. jwt_sign:not-the-real-secret")
    header, payload, _ = _jwt_parts(token)
    algorithm = header.get("alg") if header.get("alg") in _HMAC else "HS256"
    signing_input = f"{_encode_part({**header, 'alg': algorithm})}.{_encode_part(payload)}"
    digest = hmac.new(argument.encode(), signing_input.encode(), _HMAC[algorithm]).digest()
    return f"{signing_input}.{_b64encode(digest)}"


FILTERS: dict[str, Callable[[str, str | None], str]] = {
    "jwt_claim": _jwt_claim,
    "jwt_alg_none": _jwt_alg_none,
    "jwt_sign": _jwt_sign,
}


def check(requests: list[dict[str, Any]], *, concurrent: bool) -> list[str]:
    """Problems with the placeholders of a run's requests (given as their fields)."""
    problems = []
    captured: set[str] = set()
    for index, fields in enumerate(requests):
        for name, filters in uses(fields):
            if concurrent:
                problems.append(
                    f"request {index + 1} uses {{{{{name}}}}}, but requests sent all at once "
                    "cannot use each other's values"
                )
            elif name not in captured:
                problems.append(
                    f"request {index + 1} uses {{{{{name}}}}}, which no earlier request captures"
                )
            problems.extend(
                f"request {index + 1}: unknown filter {unknown!r} (known: "
                f"{', '.join(sorted(FILTERS))})"
                for unknown in filters
                if unknown not in FILTERS
            )
        past = fields.get("advance_clock_past")
        if past and concurrent:
            problems.append(
                f"request {index + 1} moves the clock past {{{{{past}}}}}, but requests sent all "
                "at once cannot use each other's values"
            )
        elif past and past not in captured:
            problems.append(
                f"request {index + 1} moves the clock past {{{{{past}}}}}, which no earlier "
                "request captures"
            )
        captured.update(fields.get("capture") or {})
    return problems


def seconds_past_expiry(token: Any, now: float) -> float:
    """How far the clock must move so that `token` (a JWT) is one second past its `exp`.

    Zero when it already is; raises ChainError when the value is no JWT or has no numeric exp."""
    _, payload, _ = _jwt_parts(_as_text(token))
    expiry = payload.get("exp")
    if isinstance(expiry, bool) or not isinstance(expiry, int | float):
        raise ChainError("the token has no numeric exp claim, so it never expires")
    return max(0.0, float(expiry) + 1 - now)
