"""``voicekit speak``: a script in, one marked narration with subtitles out.

Sentences are cached one file each under ``speak/cache/`` (see ``cache``), so a re-run or a
``--only`` re-take synthesises only what changed. The base seed of every sentence (its "take")
is kept in ``takes.json`` next to the output, keyed by the sentence's codes. The quality gate
(``gate``) re-takes sentences the ASR mishears and lists those that still fail.
"""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicekit import atomic
from voicekit.errors import InputError, StageError
from voicekit.speak import mark
from voicekit.speak.assemble import assemble
from voicekit.speak.cache import SentenceCache
from voicekit.speak.config import AssemblyConfig, GateConfig
from voicekit.speak.gate import best_take, open_checker
from voicekit.speak.script import Line, Pause, read_script
from voicekit.speak.srt import Timed, to_json, to_srt
from voicekit.speak.synth import Sentence, check_speed, open_model
from voicekit.workspace import Workspace

log = logging.getLogger("voicekit")

FORMATS = ("wav", "flac", "mp3")
Progress = Callable[[int, int, bool], None]  # (done, total, cached)


@dataclass(frozen=True)
class Planned:
    line: int
    index: int
    text: str
    lang: str  # "zh" or "en": what the quality gate transcribes it as
    codes: str
    gap: float  # seconds of silence before it
    spoken: str  # the spoken form (numbers read out): what XTTS is given

    @property
    def sentence(self) -> Sentence:
        return Sentence(self.codes, self.spoken, self.lang)


@dataclass(frozen=True)
class SpeakResult:
    audio: Path
    srt: Path
    timings: Path
    sidecar: Path
    sentences: list[Timed]
    synthesized: int  # takes synthesised now (the rest came from the cache)
    duration: float
    checked: int = 0  # sentences the quality gate transcribed and scored
    failed: tuple[Timed, ...] = ()  # sentences still over the gate's threshold


def plan(lines: list[Line], conf: AssemblyConfig, lang: str = "auto", max_len: int = 80
         ) -> tuple[list[Planned], float]:  # fmt: skip
    """Sentences with the silence before each, and the silence after the last."""
    from voicekit.text import to_symbols

    out: list[Planned] = []
    explicit: float | None = None
    paragraph = 0
    for line in lines:
        index = 0
        for part in line.parts:
            if isinstance(part, Pause):
                explicit = (explicit or 0.0) + part.seconds
                continue
            try:
                utterances = to_symbols(part, lang, max_len)
            except InputError as err:
                raise InputError(f"line {line.number}: {err.message}", err.fix) from err
            for utt in utterances:
                if explicit is not None:
                    gap = explicit
                elif not out:
                    gap = 0.0
                else:
                    gap = (
                        conf.paragraph_pause if line.paragraph != paragraph else conf.sentence_pause
                    )
                index += 1
                out.append(
                    Planned(line.number, index, utt.text, utt.lang, utt.codes, gap, utt.normalized)
                )
                explicit, paragraph = None, line.paragraph
    return out, explicit or 0.0


def speak(
    ws: Workspace,
    script: Path,
    *,
    model: Path | None = None,
    out: Path | None = None,
    seed: int | None = None,
    only: int | None = None,
    fmt: str | None = None,
    encoding: str | None = None,
    lang: str = "auto",
    conf: AssemblyConfig | None = None,
    speed: float = 1.0,
    gate: GateConfig | None = None,
    progress: Progress | None = None,
) -> SpeakResult:
    """Narrate ``script`` with the trained voice; see the module docstring.

    Args:
        ws: the workspace (model, cache, and the default output folder ``speak/<name>/``).
        script: UTF-8 script (see ``voicekit.speak.script``).
        model: a checkpoint or run folder, or an XTTS-v2 folder; default the workspace's
            newest trained model.
        out: write the audio here instead (not recorded in the ledger: the user's file).
        seed: base seed of every sentence; default: each sentence's last take (0 if new).
        only: re-take this script line (new seed: ``seed`` or the last take + 1), keep the rest.
        fmt: wav, flac or mp3 (default: ``out``'s suffix, else wav).
        encoding: decode the script with this codec instead of UTF-8.
        speed: speaking rate (1.2: 20 % faster), through VITS's duration predictor (XTTS:
            its own speed factor).
        gate: the quality gate's ASR model and threshold (default: Whisper base, on).

    Raises:
        InputError: bad script, encoding, --only line, model, or unspeakable characters.
        StageError: ffmpeg failed to encode FLAC/MP3.
    """
    conf = conf or AssemblyConfig()
    gate = gate or GateConfig()
    check_speed(speed)
    fmt = fmt or (out.suffix.lstrip(".").lower() if out is not None and out.suffix else "wav")
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    raw = script.read_bytes() if script.is_file() else b""
    sentences, tail = plan(read_script(script, encoding), conf, lang)
    if not sentences:
        raise InputError(f"{script}: the script has nothing to speak", "write some text in it")
    numbers = sorted({s.line for s in sentences})
    if only is not None and only not in numbers:
        raise InputError(
            f"--only {only}: line {only} has no speech",
            f"lines with speech: {', '.join(map(str, numbers))}",
        )
    voice = open_model(ws, model)
    for s in sentences:
        voice.check(s.sentence, context=f"line {s.line}: {s.text}")

    name = (out.stem if out is not None else script.stem) or "narration"
    folder = f"speak/{name}"
    takes_rel = f"{folder}/takes.json"
    takes: dict[str, int] = _read_json(ws.path(takes_rel))
    cache = SentenceCache(ws, voice, speed)
    checker = open_checker(gate)
    clips, timed, fresh = [], [], 0
    try:
        for n, s in enumerate(sentences, 1):
            key = hashlib.sha256(s.codes.encode()).hexdigest()[:16]
            base = takes.get(key, 0) if seed is None else seed
            if only is not None and s.line == only and seed is None:
                base = takes.get(key, 0) + 1
            elif only is not None and s.line != only:
                base = takes.get(key, 0)
            takes[key] = base
            take = best_take(cache, s.sentence, s.text, base, checker)
            fresh += take.fresh
            clips.append(take.audio)
            timed.append((base, take))
            if progress is not None:
                progress(n, len(sentences), take.fresh == 0)
    finally:
        if checker is not None:
            checker.close()
    _write_text(ws, takes_rel, json.dumps(takes, indent=1) + "\n", record=True)

    mix, placed = assemble(clips, [s.gap for s in sentences], voice.rate, conf, tail)
    sentences_timed = [
        Timed(s.line, s.index, s.text, round(p.start, 3), round(p.end, 3), b, t.attempt,
              None if t.error is None else round(t.error, 4), t.heard)
        for s, p, (b, t) in zip(sentences, placed, timed, strict=True)
    ]  # fmt: skip
    checked = sum(t.error is not None for t in sentences_timed)
    failed = tuple(
        st for st, (_, t) in zip(sentences_timed, timed, strict=True)
        if t.error is not None and t.error > gate.max_error
    )  # fmt: skip
    report = None if checker is None else _gate_report(gate, checked, failed)
    audio_path, record = (out, False) if out is not None else (Path(f"{folder}/{name}.{fmt}"), True)
    target = _target(ws, audio_path, record)
    _write_audio(target, mix, voice.rate, fmt)
    duration = len(mix) / voice.rate
    srt = _write_text(ws, _sibling(audio_path, ".srt"), to_srt(sentences_timed), record)
    timings = _write_text(
        ws, _sibling(audio_path, ".json"),
        to_json(sentences_timed, target.name, voice.rate, duration, report), record,
    )  # fmt: skip
    side = _write_text(
        ws,
        mark.sidecar(audio_path),
        mark.sidecar_text(str(voice.files.checkpoint), hashlib.sha256(raw).hexdigest(), seed or 0),
        record,
    )
    return SpeakResult(target, srt, timings, side, sentences_timed, fresh, duration, checked,
                       failed)  # fmt: skip


def _gate_report(gate: GateConfig, checked: int, failed: tuple[Timed, ...]) -> dict[str, Any]:
    """The gate's summary for the timings JSON; logs a warning naming each failed sentence."""
    if failed:
        log.warning(
            "quality gate: %d of %d sentences still over %g after %d re-takes: %s",
            len(failed), checked, gate.max_error, gate.retakes,
            "; ".join(f"line {t.line}.{t.index} (error {t.error:.2f}, heard {t.heard!r})"
                      for t in failed),
        )  # fmt: skip
    return {
        "asr": gate.asr,
        "max_error": gate.max_error,
        "retakes": gate.retakes,
        "checked": checked,
        "failed": [
            {"line": t.line, "index": t.index, "text": t.text, "error": t.error, "heard": t.heard}
            for t in failed
        ],
    }


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_suffix(suffix)


def _target(ws: Workspace, path: Path, record: bool) -> Path:
    """Absolute path to write: recorded in the ledger when it is the workspace's."""
    full = ws.record(path, "narration") if record else path
    full.parent.mkdir(parents=True, exist_ok=True)
    return full


def _write_text(ws: Workspace, path: Path | str, text: str, record: bool) -> Path:
    full = _target(ws, Path(path), record)
    atomic.write_text(full, text)
    return full


def _write_audio(target: Path, mix: np.ndarray, rate: int, fmt: str) -> None:
    from voicekit.audio.ffmpeg import tool
    from voicekit.audio.io import write

    wav = target if fmt == "wav" else target.with_name(target.name + ".tmp.wav")
    write(wav, mix, rate)
    mark.mark_wav(wav)
    if fmt == "wav":
        return
    codec = ["-c:a", "flac"] if fmt == "flac" else ["-c:a", "libmp3lame", "-b:a", "192k"]
    cmd = [tool("ffmpeg"), "-nostdin", "-loglevel", "error", "-y", "-i", str(wav), *codec,
           *mark.ffmpeg_tags(), str(target)]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wav.unlink()
    if result.returncode != 0:
        raise StageError(f"ffmpeg could not write {target.name}: {result.stderr.strip()[-300:]}")


def _read_json(path: Path) -> dict[str, int]:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): int(v) for k, v in data.items()}
