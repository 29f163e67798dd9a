"""The base of every JSON API input object: a field it does not declare is refused (422 naming
it; ``additionalProperties: false`` in the OpenAPI document), so a misspelled field is never
silently dropped, and a JSON array or scalar is refused where an object is expected."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import ConfigDict, model_validator


class StrictIn(Schema):
    """Inherit from this for every request body (and every object nested in one)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # ninja hands a body over wrapped in its DjangoGetter; look at what the client sent
        raw = getattr(data, "_obj", data) if type(data).__name__ == "DjangoGetter" else data
        if not isinstance(raw, dict) and not isinstance(raw, Schema):
            raise ValueError("a JSON object is required")
        return data

