"""`voicekit train`: a VITS voice (coqui-tts) from the exported dataset, resumable.

``data`` turns the export into code-point texts of voicekit's symbol inventory and checks them,
``model`` builds the coqui config for a size preset, ``loop`` runs coqui's trainer under the
workspace and resumes a killed run from its last checkpoint (``batches`` draws its batches,
``fastpath`` speeds up its step, ``pace`` shows its progress, ``interrupt`` stops it cleanly),
``evaluate`` (with ``scores`` and ``report``) scores the voice every N steps, ``consent``
records the user's acknowledgement and ``gpu`` sizes the batch to free GPU memory.
"""

from voicekit.train.config import TrainConfig
from voicekit.train.loop import TrainResult, train

__all__ = ["TrainConfig", "TrainResult", "train"]
