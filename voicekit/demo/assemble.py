"""Scene assembly: place clips on a timeline, mix, write film + stems + subtitles + truth json.

Both demo sets (TTS voices, real recordings) describe a scene as a `SceneSpec` and call
`build_scene`; everything random draws from one generator seeded per scene.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from voicekit.demo import film, mixing, timeline
from voicekit.demo.timeline import Turn

SR = 48000
TAIL_S = 1.5  # silence after the last turn (reverb and music tail)
ISO639_2 = {"en": "eng", "zh": "chi"}
SUB_CODEC = {"srt": "subrip", "ass": "ass", "mov_text": "mov_text"}

# Returns the stereo background (2, n) for a film of the given seconds, and its effect events.
BackgroundFn = Callable[[float, np.random.Generator], tuple[np.ndarray, list[dict[str, object]]]]


@dataclass(frozen=True)
class Clip:
    """One utterance's audio (mono float at `SR`) with who says what."""

    speaker: str
    text: str
    language: str
    audio: np.ndarray


@dataclass(frozen=True)
class TrackSpec:
    """One audio track: its language, its clips in speaking order, how it is encoded."""

    language: str
    clips: tuple[Clip, ...]
    layout: str
    codec: str
    default: bool


@dataclass(frozen=True)
class SubSpec:
    """A subtitle to ship: `embedded` (fmt srt/ass in mkv, mov_text in mp4) or `sidecar`.

    `language` picks the track whose turns it transcribes; `shift` moves every cue; `condensed`
    shortens, merges and garbles some cues the way real subtitles do.
    """

    where: str
    fmt: str
    language: str
    shift: float = 0.0
    condensed: bool = False


@dataclass
class SceneSpec:
    """Everything that defines one film; the truth track is the one in `language`."""

    name: str
    container: str
    target: str
    language: str
    tracks: tuple[TrackSpec, ...]
    background: BackgroundFn
    snr_db: float
    reverb: bool
    refs: dict[str, list[str]]
    speakers: dict[str, dict[str, str]]
    subtitles: tuple[SubSpec, ...] = ()
    overlap_ratio: float = 0.2
    centre_music: float = 0.0  # background share in a 5.1 centre (see mixing.lay_out)
    notes: list[str] = field(default_factory=list)


def place_effects(
    bed: np.ndarray, effects: Sequence[tuple[str, np.ndarray]], sr: int, rng: np.random.Generator
) -> list[dict[str, object]]:
    """Add each (name, stereo audio) effect into `bed` at a random time; return the events."""
    seconds = bed.shape[1] / sr
    events: list[dict[str, object]] = []
    for name, audio in effects:
        start = float(rng.uniform(0.5, max(0.6, seconds - audio.shape[1] / sr - 0.5)))
        level = float(rng.uniform(0.5, 1.0))
        mixing.add_at(bed, audio * level, start, sr)
        end = min(seconds, start + audio.shape[1] / sr)
        events.append({"effect": name, "start": round(start, 3), "end": round(end, 3)})
    return events


def subtitle_cues(turns: Sequence[Turn], shift: float, condensed: bool) -> list[film.Cue]:
    """Cues from turns; `condensed` shortens every 4th+1 cue, garbles every 4th+3, merges pairs."""
    cues = [film.Cue(t.start + shift, t.end + shift, t.text) for t in turns]
    if not condensed:
        return cues
    out: list[film.Cue] = []
    for i, cue in enumerate(cues):
        spaced = " " in cue.text
        words = cue.text.split() if spaced else list(cue.text)
        joiner = " " if spaced else ""
        text = cue.text
        if i % 4 == 1 and len(words) > 3:
            text = joiner.join(words[: max(2, int(len(words) * 0.6))]) + "..."
        elif i % 4 == 3 and len(words) > 2:
            longest = max(range(len(words)), key=lambda k: len(words[k]))
            words[longest] = "something" if spaced else "那个"
            text = joiner.join(words)
        if i % 6 == 5 and out and cue.start - out[-1].end < 1.0:
            out[-1] = film.Cue(out[-1].start, cue.end, out[-1].text + "\n" + text)
        else:
            out.append(film.Cue(cue.start, cue.end, text))
    return out


def _render(
    clips: Sequence[Clip], turns: Sequence[Turn], target: str, n: int, ir: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    dialogue = np.zeros(n)
    target_only = np.zeros(n)
    for clip, turn in zip(clips, turns, strict=True):
        audio = mixing.apply_reverb(clip.audio, ir) if ir is not None else clip.audio
        mixing.add_at(dialogue, audio, turn.start, SR)
        if clip.speaker == target:
            mixing.add_at(target_only, audio, turn.start, SR)
    return dialogue, target_only


def _write_wav(path: Path, audio: np.ndarray, subtype: str) -> None:
    import soundfile as sf

    sf.write(path, np.clip(audio.T, -1.0, 1.0), SR, subtype=subtype)


def build_scene(spec: SceneSpec, out_dir: Path, seed: int) -> Path:
    """Render and write one film with its stems, subtitles and `<name>.truth.json`.

    Returns:
        The path of the truth json.
    """
    rng = np.random.default_rng(seed)
    ir = mixing.reverb_ir(SR, rng) if spec.reverb else None
    all_turns: list[list[Turn]] = []
    for track in spec.tracks:
        lengths = [len(c.audio) / SR for c in track.clips]
        starts = timeline.start_times(lengths, rng, spec.overlap_ratio)
        all_turns.append(
            [
                Turn(c.speaker, s, s + d, c.text, c.language)
                for c, s, d in zip(track.clips, starts, lengths, strict=True)
            ]
        )
    duration = round(max(t.end for turns in all_turns for t in turns) + TAIL_S, 2)
    n = round(duration * SR)
    primary = next(i for i, t in enumerate(spec.tracks) if t.language == spec.language)
    rendered = [
        _render(t.clips, turns, spec.target, n, ir)
        for t, turns in zip(spec.tracks, all_turns, strict=True)
    ]
    background, events = spec.background(duration, rng)
    background = background[:, :n] * mixing.background_gain(
        rendered[primary][0], background[:, :n], spec.snr_db
    )
    mixes = [
        mixing.lay_out(t.layout, d, tgt, background, SR, spec.centre_music)
        for t, (d, tgt) in zip(spec.tracks, rendered, strict=True)
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    film_path = out_dir / f"{spec.name}.{spec.container}"
    audio_tracks = []
    for k, (track, mix) in enumerate(zip(spec.tracks, mixes, strict=True)):
        wav = out_dir / f".{spec.name}.a{k}.wav"
        _write_wav(wav, mix.channels, "FLOAT")
        lang = ISO639_2[track.language]
        audio_tracks.append(film.AudioTrack(wav, track.layout, track.codec, lang, track.default))
    turns_by_lang = {t.language: turns for t, turns in zip(spec.tracks, all_turns, strict=True)}
    embedded = [s for s in spec.subtitles if s.where == "embedded"]
    sub_tracks = [
        film.SubtitleTrack(
            tuple(subtitle_cues(turns_by_lang[s.language], s.shift, s.condensed)),
            s.fmt,
            ISO639_2[s.language],
        )
        for s in embedded
    ]
    try:
        film.write_film(film_path, duration, audio_tracks, sub_tracks)
    finally:
        for track_file in audio_tracks:
            track_file.wav.unlink(missing_ok=True)
    mix = mixes[primary]
    centre = spec.centre_music
    stems = {"dialogue": mix.dialogue, "target": mix.target, "background": mix.background}
    for stem, audio in stems.items():
        _write_wav(out_dir / f"{spec.name}.{stem}.wav", audio, "PCM_16")
    sidecars = []
    for sub in spec.subtitles:
        if sub.where == "sidecar":
            name = f"{spec.name}.{sub.language}.{sub.fmt}"
            cues = subtitle_cues(turns_by_lang[sub.language], sub.shift, sub.condensed)
            film.write_subtitle_file(out_dir / name, cues)
            sidecars.append(name)
    turns = all_turns[primary]
    speech = sum(t.end - t.start for t in turns)
    target_speech = sum(t.end - t.start for t in turns if t.speaker == spec.target)
    truth = {
        "film": film_path.name,
        "duration": duration,
        "sample_rate": SR,
        "target": spec.target,
        "language": spec.language,
        "turns": [t.as_json() for t in turns],
        "overlaps": timeline.overlap_regions(turns),
        "overlap_turn_ratio": round(_cut_ins(turns) / len(turns), 3) if turns else 0.0,
        "target_speech_ratio": round(target_speech / speech, 3) if speech else 0.0,
        "refs": spec.refs,
        "stems": {stem: f"{spec.name}.{stem}.wav" for stem in stems},
        "subtitles": {
            "embedded": [_sub_json(k, s) for k, s in enumerate(embedded)],
            "sidecar": sidecars,
            "sidecar_details": [_sub_json(None, s) for s in spec.subtitles if s.where == "sidecar"],
        },
        "layout": spec.tracks[primary].layout,
        "snr_db": round(spec.snr_db, 2),
        # how much of the background stem the dialogue channel carries (stereo: its mid)
        "dialogue_channel_music": centre if spec.tracks[primary].layout == "5.1" else 1.0,
        "reverb": spec.reverb,
        "audio_tracks": [
            {
                "index": k,
                "language": ISO639_2[t.language],
                "layout": t.layout,
                "codec": t.codec,
                "default": t.default,
                "truth": k == primary,
                **({} if k == primary else {"turns": [x.as_json() for x in all_turns[k]]}),
            }
            for k, t in enumerate(spec.tracks)
        ],
        "speakers": spec.speakers,
        "effects": events,
        "seed": seed,
        "notes": spec.notes,
    }
    truth_path = out_dir / f"{spec.name}.truth.json"
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return truth_path


def _cut_ins(turns: Sequence[Turn]) -> int:
    """Turns that start before the previous one ends (the interjections)."""
    return sum(1 for a, b in itertools.pairwise(turns) if b.start < a.end)


def _sub_json(index: int | None, sub: SubSpec) -> dict[str, object]:
    entry: dict[str, object] = {
        "format": SUB_CODEC[sub.fmt],
        "language": ISO639_2[sub.language],
        "shift_s": sub.shift,
        "condensed": sub.condensed,
    }
    if index is not None:
        entry["index"] = index  # order among the film's subtitle streams
    return entry
