"""Shared rule of the PATCH schemas: a field that is sent as null must be one that may be empty."""

from __future__ import annotations

from pydantic import BaseModel


def refuse_nulls(model: BaseModel, *, nullable: frozenset[str] = frozenset()) -> None:
    """Raise ValueError naming every field that was explicitly set to null but may not be."""
    cleared = sorted(
        name
        for name in model.model_fields_set
        if getattr(model, name) is None and name not in nullable
    )
    if cleared:
        raise ValueError(f"{', '.join(cleared)} cannot be null (leave the field out instead)")
