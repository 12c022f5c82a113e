"""``voicekit speak``: a script in, one marked narration with subtitles out.

Sentences are cached one file each under ``speak/cache/`` (key: model, codes, seed), so a
re-run or a ``--only`` re-take synthesises only what changed. The base seed of every sentence
(its "take") is kept in ``takes.json`` next to the output, keyed by the sentence's codes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicekit.errors import InputError, StageError
from voicekit.speak import mark
from voicekit.speak.assemble import AssemblyConfig, assemble
from voicekit.speak.script import Line, Pause, read_script
from voicekit.speak.srt import Timed, to_json, to_srt
from voicekit.speak.synth import Voice, find_model, sentence_seed
from voicekit.workspace import Workspace

log = logging.getLogger("voicekit")

FORMATS = ("wav", "flac", "mp3")
Progress = Callable[[int, int, bool], None]  # (done, total, cached)


@dataclass(frozen=True)
class Planned:
    line: int
    index: int
    text: str
    codes: str
    gap: float  # seconds of silence before it


@dataclass(frozen=True)
class SpeakResult:
    audio: Path
    srt: Path
    timings: Path
    sidecar: Path
    sentences: list[Timed]
    synthesized: int  # sentences synthesised now (the rest came from the cache)
    duration: float


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
                out.append(Planned(line.number, index, utt.text, utt.codes, gap))
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
    progress: Progress | None = None,
) -> SpeakResult:
    """Narrate ``script`` with the trained voice; see the module docstring.

    Args:
        ws: the workspace (model, cache, and the default output folder ``speak/<name>/``).
        script: UTF-8 script (see ``voicekit.speak.script``).
        model: a checkpoint or run folder; default the workspace's latest run.
        out: write the audio here instead (not recorded in the ledger: the user's file).
        seed: base seed of every sentence; default: each sentence's last take (0 if new).
        only: re-take this script line (new seed: ``seed`` or the last take + 1), keep the rest.
        fmt: wav, flac or mp3 (default: ``out``'s suffix, else wav).
        encoding: decode the script with this codec instead of UTF-8.

    Raises:
        InputError: bad script, encoding, --only line, model, or unspeakable characters.
        StageError: ffmpeg failed to encode FLAC/MP3.
    """
    conf = conf or AssemblyConfig()
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
    voice = Voice(find_model(ws, model))
    for s in sentences:
        voice.check(s.codes, context=f"line {s.line}: {s.text}")

    name = (out.stem if out is not None else script.stem) or "narration"
    folder = f"speak/{name}"
    takes_rel = f"{folder}/takes.json"
    takes: dict[str, int] = _read_json(ws.path(takes_rel))
    clips, timed_seeds, fresh = [], [], 0
    for n, s in enumerate(sentences, 1):
        key = hashlib.sha256(s.codes.encode()).hexdigest()[:16]
        base = takes.get(key, 0) if seed is None else seed
        if only is not None and s.line == only and seed is None:
            base = takes.get(key, 0) + 1
        elif only is not None and s.line != only:
            base = takes.get(key, 0)
        takes[key] = base
        audio, cached = _sentence(ws, voice, s.codes, sentence_seed(base, s.codes))
        fresh += not cached
        clips.append(audio)
        timed_seeds.append(base)
        if progress is not None:
            progress(n, len(sentences), cached)
    _write_text(ws, takes_rel, json.dumps(takes, indent=1) + "\n", record=True)

    mix, placed = assemble(clips, [s.gap for s in sentences], voice.rate, conf, tail)
    timed = [
        Timed(s.line, s.index, s.text, round(p.start, 3), round(p.end, 3), b)
        for s, p, b in zip(sentences, placed, timed_seeds, strict=True)
    ]
    audio_path, record = (out, False) if out is not None else (Path(f"{folder}/{name}.{fmt}"), True)
    target = _target(ws, audio_path, record)
    _write_audio(target, mix, voice.rate, fmt)
    duration = len(mix) / voice.rate
    srt = _write_text(ws, _sibling(audio_path, ".srt"), to_srt(timed), record)
    timings = _write_text(
        ws, _sibling(audio_path, ".json"), to_json(timed, target.name, voice.rate, duration), record
    )
    side = _write_text(
        ws,
        mark.sidecar(audio_path),
        mark.sidecar_text(str(voice.files.checkpoint), hashlib.sha256(raw).hexdigest(), seed or 0),
        record,
    )
    return SpeakResult(target, srt, timings, side, timed, fresh, duration)


def _sentence(ws: Workspace, voice: Voice, codes: str, seed: int) -> tuple[np.ndarray, bool]:
    """(audio, came from the cache) for one sentence."""
    import soundfile as sf

    from voicekit.audio.io import write

    key = hashlib.sha256(f"{voice.files.fingerprint}|{seed}|{codes}".encode()).hexdigest()[:24]
    rel = f"speak/cache/{key}.wav"
    path = ws.path(rel)
    if path.is_file():
        audio, _ = sf.read(str(path), dtype="float32")
        return np.asarray(audio, dtype=np.float32), True
    audio = voice.synthesize(codes, seed)
    path = ws.record(rel, "cache")
    path.parent.mkdir(parents=True, exist_ok=True)
    write(path, audio, voice.rate, subtype="FLOAT")
    return audio, False


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_suffix(suffix)


def _target(ws: Workspace, path: Path, record: bool) -> Path:
    """Absolute path to write: recorded in the ledger when it is the workspace's."""
    full = ws.record(path, "narration") if record else path
    full.parent.mkdir(parents=True, exist_ok=True)
    return full


def _write_text(ws: Workspace, path: Path | str, text: str, record: bool) -> Path:
    full = _target(ws, Path(path), record)
    tmp = full.with_name(full.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(full)
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
