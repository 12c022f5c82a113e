"""Progress is reported in seconds of audio through a hook; the CLI renders it."""

from __future__ import annotations

from typing import Protocol


class ProgressHook(Protocol):
    def __call__(
        self, stage: str, item: str, completed_s: float, total_s: float, cached: bool = False
    ) -> None: ...


def silent(stage: str, item: str, completed_s: float, total_s: float, cached: bool = False) -> None:
    """A hook that ignores progress (library default)."""
