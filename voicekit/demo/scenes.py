"""The TTS demo set: three short films from offline TTS voices, any machine, ~40 s each.

- scene01.mkv: en, stereo FLAC, no reverb, SNR 15 dB; embedded SRT (eng) + scene01.en.srt.
- scene02.mp4: en, 5.1 AAC (dialogue in FC), reverb, SNR 10 dB; embedded mov_text shifted
  +0.3 s and condensed (some cues shortened, garbled or merged).
- scene03.mkv: eng stereo AAC (default) + chi 5.1 AC3 (not default; the truth track), SNR 18 dB;
  embedded ASS (chi) + scene03.en.srt (for the eng track).

The target is `piper-joe` in English films and `espeak-zh-m1` (Mandarin, espeak-ng
`cmn-latn-pinyin` fed pypinyin tone-number text) in scene03's Mandarin track. Speakers are
labelled by voice name, so the same voice has the same label in every film.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicekit.demo import music, texts, timeline
from voicekit.demo.assemble import (
    SR,
    BackgroundFn,
    Clip,
    SceneSpec,
    SubSpec,
    TrackSpec,
    build_scene,
    place_effects,
)
from voicekit.demo.mixing import normalize
from voicekit.demo.voices import VOICES, synthesize

REF_RATE = 16000
TARGET_SHARE = 0.42  # target's share of speech time
DIALOGUE_RMS_DB = -23.0  # every line at one level, as a dialogue editor would


@dataclass(frozen=True)
class _TrackPlan:
    language: str
    target: str
    others: tuple[str, ...]
    layout: str
    codec: str
    default: bool


@dataclass(frozen=True)
class _FilmPlan:
    name: str
    container: str
    language: str
    tracks: tuple[_TrackPlan, ...]
    snr_db: float
    reverb: bool
    effects: tuple[str, ...]
    subtitles: tuple[SubSpec, ...]


FILMS = (
    _FilmPlan(
        "scene01",
        "mkv",
        "en",
        (
            _TrackPlan(
                "en", "piper-joe", ("flite-slt", "flite-awb", "espeak-f3"), "stereo", "flac", True
            ),
        ),
        15.0,
        False,
        ("door", "burst"),
        (SubSpec("embedded", "srt", "en"), SubSpec("sidecar", "srt", "en")),
    ),
    _FilmPlan(
        "scene02",
        "mp4",
        "en",
        (
            _TrackPlan(
                "en", "piper-joe", ("flite-rms", "espeak-m3", "flite-slt"), "5.1", "aac", True
            ),
        ),
        10.0,
        True,
        ("rain", "door"),
        (SubSpec("embedded", "mov_text", "en", shift=0.3, condensed=True),),
    ),
    _FilmPlan(
        "scene03",
        "mkv",
        "zh",
        (
            _TrackPlan("en", "piper-joe", ("flite-awb", "espeak-f3"), "stereo", "aac", True),
            _TrackPlan("zh", "espeak-zh-m1", ("espeak-zh-f3", "flite-rms"), "5.1", "ac3", False),
        ),
        18.0,
        False,
        ("burst",),
        (SubSpec("embedded", "ass", "zh"), SubSpec("sidecar", "srt", "en")),
    ),
)


class _LinePool:
    """Lines of one language in a seeded order, refilled (reshuffled) when used up."""

    def __init__(self, language: str, rng: np.random.Generator) -> None:
        self._all = texts.lines(language)
        self._rng = rng
        self._queue: list[str] = []

    def take(self) -> str:
        if not self._queue:
            self._queue = [self._all[i] for i in self._rng.permutation(len(self._all))]
        return self._queue.pop()


def _track_clips(
    plan: _TrackPlan, n_turns: int, pools: dict[str, _LinePool], rng: np.random.Generator
) -> tuple[Clip, ...]:
    clips: list[Clip] = []
    previous: str | None = None
    target_s = total_s = 0.0
    for _ in range(n_turns):
        speaker = timeline.next_speaker(
            previous, plan.target, plan.others, target_s, total_s, TARGET_SHARE, rng
        )
        voice = VOICES[speaker]
        text = pools[voice.language].take()
        audio = normalize(synthesize(voice, text, SR), DIALOGUE_RMS_DB)
        clips.append(Clip(speaker, text, voice.language, audio))
        seconds = len(audio) / SR
        total_s += seconds
        target_s += seconds if speaker == plan.target else 0.0
        previous = speaker
    return tuple(clips)


def _background(effect_kinds: tuple[str, ...]) -> BackgroundFn:
    def make(
        seconds: float, rng: np.random.Generator
    ) -> tuple[np.ndarray, list[dict[str, object]]]:
        bed = music.music(seconds, SR, rng)
        effects = [(kind, music.effect(kind, SR, rng)) for kind in effect_kinds]
        return bed, place_effects(bed, effects, SR, rng)

    return make


def write_refs(out_dir: Path, voice_name: str) -> list[str]:
    """Synthesize the held-out reference lines for `voice_name` into `out_dir/refs/<voice>/`.

    Returns:
        Paths relative to `out_dir` (`refs/<voice>/ref_<k>.wav`, 16 kHz mono).
    """
    import soundfile as sf

    voice = VOICES[voice_name]
    (out_dir / "refs" / voice_name).mkdir(parents=True, exist_ok=True)
    paths = []
    for k, line in enumerate(texts.ref_lines(voice.language), start=1):
        rel = f"refs/{voice_name}/ref_{k}.wav"
        sf.write(out_dir / rel, synthesize(voice, line, REF_RATE), REF_RATE, subtype="PCM_16")
        paths.append(rel)
    return paths


def build_tts_set(out_dir: Path, seed: int = 0, turns_per_film: int = 12) -> list[Path]:
    """Build the three TTS demo films into `out_dir`; deterministic for a given seed.

    Args:
        out_dir: created if missing; films, stems, subtitles, refs/ and truth json go here.
        seed: fixes line choice, speaker order, timing, music, effects and reverb.
        turns_per_film: turns per audio track (12 gives ~35-45 s films).

    Returns:
        The `<film>.truth.json` paths, in film order.
    """
    out_dir = Path(out_dir)
    rng = np.random.default_rng(seed)
    pools = {lang: _LinePool(lang, rng) for lang in ("en", "zh")}
    refs: dict[str, list[str]] = {}
    truths = []
    for index, plan in enumerate(FILMS):
        tracks = []
        for track in plan.tracks:
            clips = _track_clips(track, turns_per_film, pools, rng)
            tracks.append(
                TrackSpec(track.language, clips, track.layout, track.codec, track.default)
            )
        truth_track = next(t for t in plan.tracks if t.language == plan.language)
        target = truth_track.target
        if target not in refs:
            refs[target] = write_refs(out_dir, target)
        voices = {c.speaker for t in tracks for c in t.clips}
        speakers = {
            v: {
                "source": f"tts:{VOICES[v].engine}:{VOICES[v].arg or v}",
                "language": VOICES[v].language,
            }
            for v in sorted(voices)
        }
        spec = SceneSpec(
            name=plan.name,
            container=plan.container,
            target=target,
            language=plan.language,
            tracks=tuple(tracks),
            background=_background(plan.effects),
            snr_db=plan.snr_db,
            reverb=plan.reverb,
            refs={target: refs[target]},
            speakers=speakers,
            subtitles=plan.subtitles,
            notes=_notes(plan),
        )
        truths.append(build_scene(spec, out_dir, seed * 1000 + index))
    return truths


def _notes(plan: _FilmPlan) -> list[str]:
    notes = ["synthetic TTS voices; music and effects synthesized"]
    if len(plan.tracks) > 1:
        notes.append(
            f"two audio tracks; truth describes the '{plan.language}' track (not the default): "
            "pick it by language tag; the other track's turns are in audio_tracks[].turns"
        )
    if plan.language == "zh":
        notes.append(
            "zh target voice is espeak-ng cmn-latn-pinyin; some other voices speak English"
        )
    return notes
