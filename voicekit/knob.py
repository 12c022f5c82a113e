"""`knob`: a documented config field."""

from __future__ import annotations

from dataclasses import field
from typing import Any


def knob(default: Any, doc: str, *, output: bool = True) -> Any:
    """A config field with a doc string; `output=False` keeps it out of cache keys."""
    meta = {"doc": doc, "output": output}
    if isinstance(default, (list, dict, set)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)
