"""Typed errors. The CLI maps each to one clear line and an exit code."""

from __future__ import annotations


class VoicekitError(Exception):
    """Base class. `fix` is the one-line remedy shown to the user."""

    exit_code = 1

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} ({self.fix})" if self.fix else self.message


class InputError(VoicekitError):
    """Bad input: a file, a path or a manifest line that cannot be used."""

    exit_code = 2


class ConfigError(VoicekitError):
    """A configuration key or value that is not valid."""

    exit_code = 2


class WorkspaceError(VoicekitError):
    """The workspace cannot be used, or a path would leave it."""

    exit_code = 2


class ModelNotFoundError(VoicekitError):
    """A model's weights are not present locally."""

    exit_code = 1

    def __init__(self, model: str, looked: list[str], fix: str) -> None:
        where = ", ".join(looked) if looked else "nowhere"
        super().__init__(f"model '{model}' not found (looked in: {where})", fix)
        self.model = model
        self.looked = looked


class DependencyError(VoicekitError):
    """An optional package or system tool is missing."""

    exit_code = 1


class StageError(VoicekitError):
    """A stage failed at run time."""

    exit_code = 1


class Interrupted(VoicekitError):
    """Ctrl-C or SIGTERM stopped a run after its finished work was saved."""

    exit_code = 130
