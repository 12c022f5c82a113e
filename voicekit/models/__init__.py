"""Model weights: the registry of known models and offline resolution.

`resolve(name, config)` finds weights without the network; `list_models`, `import_model`,
`fetch_model` and `doctor_checks` back the `voicekit models` and `voicekit doctor` commands.
"""

from voicekit.models.doctor import Check, doctor_checks
from voicekit.models.fetch import fetch_model
from voicekit.models.registry import KNOWN, KnownModel, known, whisper_name
from voicekit.models.resolve import (
    ModelInfo,
    import_model,
    info,
    is_path,
    list_models,
    resolve,
)
from voicekit.models.store import model_sha256

__all__ = [
    "KNOWN", "Check", "KnownModel", "ModelInfo", "doctor_checks", "fetch_model", "import_model",
    "info", "is_path", "known", "list_models", "model_sha256", "resolve", "whisper_name",
]
