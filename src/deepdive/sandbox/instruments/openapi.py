"""`openapi`: the learner app's own OpenAPI document, for a "Docs" tab to render."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from deepdive.sandbox.instruments import Instrument, ResultShape, register


class OpenAPIResult(ResultShape):
    available: bool = Field(description="Whether the app produced a schema")
    schema_: dict[str, Any] | None = Field(
        default=None, alias="schema", description="The OpenAPI document, when available"
    )
    reason: str | None = Field(default=None, description="Why there is none, when unavailable")


@register
class OpenAPI(Instrument):
    """Calls `app.openapi()` at the end of the run (routes added at startup are included)."""

    name = "openapi"
    result_model = OpenAPIResult

    def after_import(self, app: Any) -> None:
        self._app = app

    def result(self) -> Any:
        app = getattr(self, "_app", None)
        if app is None:
            return {"available": False, "reason": "the app could not be loaded"}
        build = getattr(app, "openapi", None)
        if not callable(build):
            return {
                "available": False,
                "reason": f"{type(app).__name__} has no OpenAPI schema (FastAPI apps do)",
            }
        try:
            schema = build()
        except Exception as exc:
            return {
                "available": False,
                "reason": f"building the schema failed: {type(exc).__name__}: {exc}",
            }
        return {"available": True, "schema": schema}
