"""Scenes of the real set re-mixed as 5.1 films: one per scene, or all back to back as one film.

A film is 45-120 minutes of scenes whose rooms and mixes differ; the real set's scenes are 2-4
minutes each. Joining them gives a long recording with the same ground truth, so the same audio
can be scored as one film and as separate films. Every version uses the usual film mix: the
dialogue stem in the centre channel, the scene's music and effects in the others (5.1 AC3 in
mkv, a sidecar SRT), so only the length differs between them. The stems go with each film
(target, dialogue, background; `dialogue_channel_music` 0: the centre holds no music), so its
clips' true SNR, SI-SDR and speech are scored as for the scenes.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from voicekit.audio.subtitles import Cue, parse_srt, srt_text
from voicekit.errors import InputError


def five_one(dialogue: np.ndarray, background: np.ndarray) -> np.ndarray:
    """FL FR FC LFE SL SR: the dialogue in the centre, the background in the others."""
    out = np.zeros((len(dialogue), 6), np.float32)
    out[:, 0] = out[:, 1] = 0.7 * background
    out[:, 2] = dialogue
    out[:, 4] = out[:, 5] = 0.5 * background
    return out


def write_film(path: Path, audio: np.ndarray, rate: int) -> None:
    """A 5.1 AC3 mkv of ``audio`` (scaled down only if it would clip)."""
    audio = audio / max(1.0, float(np.abs(audio).max()) / 0.98)
    wav = path.with_suffix(".six.wav")
    sf.write(wav, audio, rate, subtype="FLOAT")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-af",
                    "channelmap=channel_layout=5.1", "-c:a", "ac3", "-b:a", "448k", str(path)],
                   check=True)  # fmt: skip
    wav.unlink()


def _mono(path: Path, length: int) -> np.ndarray:
    audio, _ = sf.read(path, dtype="float32", always_2d=True)
    audio = audio.mean(1)
    return np.pad(audio, (0, max(0, length - len(audio))))[:length]


STEMS = ("target", "dialogue", "background")


def _scene(truth_path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray], int, str]:
    """A scene's truth, its mono stems (`STEMS`, one length), sample rate and sidecar SRT."""
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    base = truth_path.parent
    rate = int(sf.info(base / truth["stems"]["dialogue"]).samplerate)
    length = max(sf.info(base / truth["stems"][stem]).frames for stem in STEMS)
    stems = {stem: _mono(base / truth["stems"][stem], length) for stem in STEMS}
    srt = (base / truth["subtitles"]["sidecar"][0]).read_text(encoding="utf-8")
    return truth, stems, rate, srt


def _write(out_dir: Path, name: str, truth: dict[str, Any], stems: dict[str, np.ndarray],
           rate: int, srt: str, lang: str, scenes_dir: Path) -> Path:
    """The film, its stems, its sidecar and its truth (enrolment clips re-rooted to
    ``out_dir``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    write_film(out_dir / f"{name}.mkv", five_one(stems["dialogue"], stems["background"]), rate)
    for stem, audio in stems.items():
        sf.write(out_dir / f"{name}.{stem}.wav", audio, rate, subtype="PCM_16")
    (out_dir / f"{name}.{lang}.srt").write_text(srt, encoding="utf-8")
    refs = {who: [os.path.relpath(scenes_dir / r, out_dir) for r in paths]
            for who, paths in truth.get("refs", {}).items()}
    own = {**truth, "film": f"{name}.mkv", "layout": "5.1", "refs": refs,
           "stems": {stem: f"{name}.{stem}.wav" for stem in stems}, "dialogue_channel_music": 0.0,
           "subtitles": {"embedded": [], "sidecar": [f"{name}.{lang}.srt"]}}  # fmt: skip
    path = out_dir / f"{name}.truth.json"
    path.write_text(json.dumps(own, ensure_ascii=False), encoding="utf-8")
    return path


def scene_films(truths: list[Path], out_dir: Path, lang: str) -> list[Path]:
    """Each scene as its own 5.1 film in ``out_dir``; returns the new truth files."""
    paths = []
    for truth_path in truths:
        truth, stems, rate, srt = _scene(truth_path)
        name = truth_path.name.removesuffix(".truth.json")
        paths.append(_write(out_dir, name, truth, stems, rate, srt, lang, truth_path.parent))
    return paths


def joined_film(truths: list[Path], out_dir: Path, lang: str, name: str = "film") -> Path:
    """All scenes back to back as one 5.1 film in ``out_dir``; returns its truth file.

    Raises:
        InputError: the scenes have different targets (one film has one truth target).
    """
    pieces: dict[str, list[np.ndarray]] = {stem: [] for stem in STEMS}
    turns, overlaps, cues = [], [], []
    offset, rate = 0.0, 0
    first: dict[str, Any] = {}
    for truth_path in truths:
        truth, stems, rate, srt = _scene(truth_path)
        first = first or truth
        if truth["target"] != first["target"]:
            raise InputError(f"scenes with different targets cannot be one film: "
                             f"{truth_path.name} has {truth['target']}, the first "
                             f"{first['target']}",
                             "join scenes of one target (the Mandarin set has one)")
        for stem, audio in stems.items():
            pieces[stem].append(audio)
        turns += [{**t, "start": t["start"] + offset, "end": t["end"] + offset}
                  for t in truth["turns"]]  # fmt: skip
        overlaps += [[a + offset, b + offset] for a, b in truth["overlaps"]]
        cues += [Cue(c.start + offset, c.end + offset, c.text) for c in parse_srt(srt)]
        offset += len(stems["dialogue"]) / rate
    joined = {**first, "duration": offset, "turns": turns, "overlaps": overlaps}
    return _write(out_dir, name, joined, {k: np.concatenate(v) for k, v in pieces.items()},
                  rate, srt_text(cues), lang, truths[0].parent)
