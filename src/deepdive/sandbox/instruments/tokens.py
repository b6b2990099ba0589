"""`tokens`: the JSON Web Tokens of each request, decoded, and what PyJWT said about them.

For every request the engine sent, the result holds:

* `clock`: the wall-clock time the app read when the request was sent (`now`, Unix seconds, as
  moved by `advance_clock` / `advance_clock_past`) and how far the run has moved it (`moved_s`);
* `sent`: the bearer token of the request's `Authorization` header, taken apart without any
  key (header, payload, signature) or, for something that is no JWT, the `problem` in a
  sentence (empty, the wrong number of parts, not base64url, not JSON, too large to decode);
  `scheme` is what the header held instead when it is not `Bearer <token>`;
* `issued`: every token found among the string values of the JSON response, taken apart too;
* `calls`: each `jwt.encode` and `jwt.decode` the app made while handling the request, in
  order: the algorithm(s), the claims, and for a refused token the exception PyJWT raised
  (`ExpiredSignatureError`, `InvalidSignatureError`, `DecodeError`, ...) with its message.

Taking a token apart is what anybody holding it can do: the payload is only base64url, never
encrypted. Whether the token is *valid* is what `calls` report: the app's own `jwt.decode`,
with its key and the algorithms it accepts. `jwt.encode` and `jwt.decode` are wrapped where the
app looks them up (the `jwt` module's attributes, also through `from jwt import decode` done
after the wrap); nothing else of PyJWT is touched.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _datetime
import json
import re
from typing import Any, Literal

from pydantic import Field

from deepdive.sandbox.instruments import Instrument, ResultShape, register
from deepdive.sandbox.run_request import HttpRequest
from deepdive.sandbox.run_result import HttpResponse
from deepdive.sandbox.worker import clock

# A token longer than this is described by its size only: real access tokens are a few
# hundred characters, and a learner's pasted megabyte should not be echoed back.
MAX_DECODED_CHARS = 8 * 1024
PREVIEW_CHARS = 120
MAX_CALLS_PER_REQUEST = 20
_PARTS = ("header", "payload", "signature")
_LOOKS_LIKE_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class TokenView(ResultShape):
    """One token, taken apart without a key."""

    preview: str = Field(description=f"The token's first {PREVIEW_CHARS} characters")
    length: int
    header: dict[str, Any] | None = None
    payload: dict[str, Any] | None = None
    signature: str | None = Field(default=None, description="The third part, as sent")
    expires_at: str | None = Field(default=None, description="exp as an ISO 8601 UTC time")
    issued_at: str | None = Field(default=None, description="iat as an ISO 8601 UTC time")
    problem: str | None = Field(default=None, description="Why this is no readable JWT")


class SentToken(ResultShape):
    """What the request's Authorization header held."""

    header: str | None = Field(description="The Authorization header (shortened), or None")
    scheme: str | None = Field(default=None, description="Its scheme when it is not Bearer")
    token: TokenView | None = None


class TokenCall(ResultShape):
    """One call of `jwt.encode` or `jwt.decode` by the app."""

    function: Literal["encode", "decode"]
    algorithms: list[str] = Field(description="encode: the one used; decode: those accepted")
    verified: bool = Field(default=True, description="decode: whether the signature was checked")
    claims: dict[str, Any] | None = Field(default=None, description="What was signed or read")
    raised: str | None = Field(default=None, description="The exception's class name")
    message: str | None = None


class Clock(ResultShape):
    now: float = Field(description="The wall-clock time the app read, in Unix seconds")
    moved_s: float = Field(description="How far the run has moved the clock forward")


class TokensEntry(ResultShape):
    request: int
    clock: Clock
    sent: SentToken
    issued: list[TokenView]
    calls: list[TokenCall]


class TokensResult(ResultShape):
    requests: list[TokensEntry]


def _b64(part: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", part):
        raise ValueError("has characters that base64url does not use")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("is not valid base64url") from error


def _json_safe(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError, RecursionError):
        return {"unreadable": repr(value)[:200]}


def _when(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        moment = _datetime.datetime.fromtimestamp(value, _datetime.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.isoformat().replace("+00:00", "Z")


def take_apart(token: str) -> dict[str, Any]:
    """A token's header, payload and signature, read without a key, or the problem with it."""
    view: dict[str, Any] = {"preview": token[:PREVIEW_CHARS], "length": len(token)}
    if not token:
        view["problem"] = "The token is empty: nothing follows the word Bearer."
        return view
    if len(token) > MAX_DECODED_CHARS:
        view["problem"] = (
            f"The token is {len(token):,} characters long; real access tokens are a few hundred, "
            "so it is not taken apart here."
        )
        return view
    pieces = token.split(".")
    if len(pieces) != 3:
        view["problem"] = (
            f"A JWT is three base64url parts joined by two dots; this one has {len(pieces)} "
            f"part{'s' if len(pieces) != 1 else ''}."
        )
        return view
    for name, piece in zip(_PARTS[:2], pieces[:2], strict=True):
        if not piece:
            view["problem"] = f"The {name} part is empty."
            return view
        try:
            value = json.loads(_b64(piece))
        except ValueError as error:
            reason = str(error) if "base64" in str(error) else "does not decode to JSON"
            view["problem"] = f"The {name} part {reason}."
            return view
        if not isinstance(value, dict):
            view["problem"] = f"The {name} part is JSON, but not an object."
            return view
        view[name] = _json_safe(value)
    view["signature"] = pieces[2]
    view["expires_at"] = _when(view["payload"].get("exp"))
    view["issued_at"] = _when(view["payload"].get("iat"))
    return view


def _authorization(request: HttpRequest) -> dict[str, Any]:
    value = next(
        (text for name, text in request.headers.items() if name.lower() == "authorization"), None
    )
    if value is None:
        return {"header": None}
    shown = value if len(value) <= PREVIEW_CHARS else value[:PREVIEW_CHARS] + "…"
    scheme, _, param = value.partition(" ")
    if scheme.lower() != "bearer":
        return {"header": shown, "scheme": scheme}
    return {"header": shown, "token": take_apart(param.strip())}


def _strings(value: Any, depth: int = 0) -> list[str]:
    if depth > 3:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item, depth + 1)]
    if isinstance(value, list):
        return [text for item in value[:20] for text in _strings(item, depth + 1)]
    return []


@register
class Tokens(Instrument):
    name = "tokens"
    result_model = TokensResult

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._entries: dict[int, dict[str, Any]] = {}
        self._restore: list[tuple[Any, str, Any]] = []

    def before_import(self) -> None:
        try:
            import jwt
        except ImportError:  # PyJWT missing: the tokens are still taken apart
            return
        for attribute, wrap in (("encode", self._wrap_encode), ("decode", self._wrap_decode)):
            original = getattr(jwt, attribute)
            self._restore.append((jwt, attribute, original))
            setattr(jwt, attribute, wrap(original))

    def before_request(self, index: int, request: HttpRequest) -> None:
        self._entries[index] = {
            "request": index,
            "clock": {"now": clock.now(), "moved_s": clock.offset_seconds()},
            "sent": _authorization(request),
            "issued": [],
            "calls": [],
        }

    def after_request(self, index: int, response: HttpResponse) -> None:
        entry = self._entries.get(index)
        if entry is None or not response.is_json:
            return
        found = [text for text in _strings(response.json_body) if _LOOKS_LIKE_JWT.match(text)]
        entry["issued"] = [take_apart(text) for text in found[:5]]

    def result(self) -> Any:
        for owner, attribute, original in reversed(self._restore):
            setattr(owner, attribute, original)
        self._restore.clear()
        return {"requests": [self._entries[key] for key in sorted(self._entries)]}

    # -- wrappers -----------------------------------------------------------------------------

    def _record(self, call: dict[str, Any]) -> None:
        exchange = self.context.exchange()
        entry = self._entries.get(exchange.index) if exchange is not None else None
        if entry is not None and len(entry["calls"]) < MAX_CALLS_PER_REQUEST:
            entry["calls"].append(call)

    def _wrap_encode(self, original: Any) -> Any:
        def encode(
            payload: Any, key: Any = "", algorithm: Any = "HS256", *a: Any, **kw: Any
        ) -> Any:
            call: dict[str, Any] = {
                "function": "encode",
                "algorithms": [str(algorithm)],
                "claims": _json_safe(payload) if isinstance(payload, dict) else None,
            }
            try:
                return original(payload, key, algorithm, *a, **kw)
            except Exception as exc:
                call.update(raised=type(exc).__name__, message=str(exc)[:500])
                raise
            finally:
                self._record(call)

        encode.__doc__ = original.__doc__
        return encode

    def _wrap_decode(self, original: Any) -> Any:
        def decode(jwt: Any, key: Any = "", *args: Any, **kwargs: Any) -> Any:
            algorithms = kwargs.get("algorithms", args[0] if args else None)
            options = kwargs.get("options") or {}
            call: dict[str, Any] = {
                "function": "decode",
                "algorithms": [str(a) for a in algorithms] if isinstance(algorithms, list) else [],
                "verified": options.get("verify_signature", True) is not False,
            }
            try:
                claims = original(jwt, key, *args, **kwargs)
            except Exception as exc:
                call.update(raised=type(exc).__name__, message=str(exc)[:500])
                raise
            else:
                call["claims"] = _json_safe(claims) if isinstance(claims, dict) else None
                return claims
            finally:
                self._record(call)

        decode.__doc__ = original.__doc__
        return decode
