"""The real set: film-like scenes from ../shared/data recordings (speech, music, effects).

English scenes: target and 2-4 other speakers from speechocean762 (40 speakers). Mandarin scenes:
the only Mandarin speaker (AISHELL-1 S0252) is the target and the others speak English; the truth
json says so in `notes`. Three target utterances per target are held out as refs (never mixed into
any scene of the set). Scene i cycles: stereo mkv + exact embedded SRT, 5.1 mp4 + mov_text shifted
+0.3 s and condensed, 5.1 mkv (AC3) with a sidecar only; every scene has a sidecar SRT; reverb on
odd scenes. Nothing is written under `data_root`.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicekit.demo import assemble, timeline
from voicekit.demo.assemble import SR, Clip, SceneSpec, SubSpec, TrackSpec
from voicekit.demo.mixing import normalize
from voicekit.demo.voices import trim_silence
from voicekit.errors import InputError

N_REFS = 3
MAX_UTT_S = 8.0
MAX_S_PER_WORD = 0.9  # speechocean762 has a few very slow readers with long inner pauses
MAX_S_PER_CHAR = 0.5
MIN_TARGET_UTTS = 16  # refs + enough turns for a ~2 minute scene
MIN_OTHER_UTTS = 5
TARGET_SHARE = 0.45
AMBIENCE = ("rain", "fire", "cricket", "motor_idle", "jet", "helicopter")  # long, kept quieter
# container, layout, codec, embedded subtitle format (or None), its shift and condensing
SCENE_FORMS: tuple[tuple[str, str, str, str | None, float, bool], ...] = (
    ("mkv", "stereo", "aac", "srt", 0.0, False),
    ("mp4", "5.1", "aac", "mov_text", 0.3, True),
    ("mkv", "5.1", "ac3", None, 0.0, False),
)


@dataclass(frozen=True)
class MusicLevel:
    """How loud the music and effects bed is under the dialogue.

    Attributes:
        snr_db: range the scene's dialogue-to-background ratio (whole film, dB) is drawn from.
        swell_db: the music's slow level swing (+-dB, 1.5 periods per scene), so lines of one
            scene sit under quieter and louder music.
        centre: share of the background in the 5.1 centre channel (0: dialogue only there).
    """

    snr_db: tuple[float, float] = (10.0, 20.0)
    swell_db: float = 4.0
    centre: float = 0.0


# Loud music under the lines and in the centre channel too, so that it reaches the separated
# dialogue: per-line stem SNR from about -10 to +25 dB (the SNR filter's proving ground).
BLEED = MusicLevel(snr_db=(0.0, 12.0), swell_db=10.0, centre=1.0)


@dataclass(frozen=True)
class Utterance:
    """One row of a speech manifest."""

    id: str
    speaker: str
    gender: str
    path: Path
    duration: float
    text: str
    language: str


def read_manifest(data_root: Path, language: str) -> list[Utterance]:
    """Rows of `speech/<language>/utterances.tsv`, with absolute audio paths.

    Raises:
        InputError: the manifest is missing.
    """
    manifest = data_root / "speech" / language / "utterances.tsv"
    if not manifest.is_file():
        raise InputError(f"{manifest}: no speech manifest", "point --real at the shared data root")
    with open(manifest, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [
        Utterance(
            r["id"],
            r["speaker"],
            r["gender"],
            manifest.parent / r["path"],
            float(r["duration_s"]),
            r["text"],
            language,
        )
        for r in rows
    ]


def _usable(utt: Utterance) -> bool:
    """Leave out slow or long readings: their inner pauses would count as speech in the truth."""
    units = len(utt.text) if utt.language == "zh" else len(utt.text.split())
    limit = MAX_S_PER_CHAR if utt.language == "zh" else MAX_S_PER_WORD
    return utt.duration <= MAX_UTT_S and utt.duration / max(1, units) <= limit


def _load(path: Path, rate: int = SR) -> np.ndarray:
    """Decode a file to float mono or stereo (channels first) at `rate`."""
    import soundfile as sf
    import soxr

    audio, source_rate = sf.read(path, dtype="float32", always_2d=True)
    if source_rate != rate:
        audio = soxr.resample(audio, source_rate, rate)
    return np.asarray(audio.T, dtype=np.float64)


def _speech(utt: Utterance, rng: np.random.Generator) -> np.ndarray:
    # The corpora keep their leading/trailing silence: trim it so turn times are tight.
    audio = trim_silence(_load(utt.path)[0], SR, floor_db=-35.0)
    return normalize(audio, -23.0 + float(rng.uniform(-2.0, 2.0)))


def _background(data_root: Path, n_effects: int, swell_db: float) -> assemble.BackgroundFn:
    def make(
        seconds: float, rng: np.random.Generator
    ) -> tuple[np.ndarray, list[dict[str, object]]]:
        n = round(seconds * SR)
        tracks = sorted((data_root / "music").glob("*.ogg"))
        song = _load(tracks[int(rng.integers(0, len(tracks)))]).mean(axis=0)
        offset = int(rng.integers(0, max(1, len(song) - n)))
        mono = np.resize(np.roll(song, -offset), n)  # loops when the scene is longer
        swell = 10 ** (swell_db * np.sin(np.linspace(0, 3 * np.pi, n) + rng.uniform(0, 6)) / 20)
        fade = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / (2.0 * SR))
        mono = mono * swell * fade / (np.abs(mono).max() + 1e-9)
        haas = int(0.007 * SR)  # a slightly delayed right channel for width
        bed = np.stack([mono, np.concatenate([np.zeros(haas), mono[:-haas]])])
        files = sorted((data_root / "sfx").glob("*.ogg"))
        chosen = rng.choice(len(files), size=min(n_effects, len(files)), replace=False)
        effects = []
        for index in sorted(chosen.tolist()):
            sound = _load(files[index])
            if sound.shape[0] == 1:
                pan = float(rng.uniform(0.2, 0.8))
                sound = np.concatenate([sound * (1 - pan), sound * pan])
            level = 0.3 if any(a in files[index].stem for a in AMBIENCE) else 1.0
            effects.append((files[index].stem, sound[:2] * level / (np.abs(sound).max() + 1e-9)))
        return bed, assemble.place_effects(bed, effects, SR, rng)

    return make


def _take_clips(
    pools: dict[str, list[Utterance]], target: str, seconds: float, rng: np.random.Generator
) -> tuple[Clip, ...]:
    """Turns until the scene is long enough or the target runs out of utterances."""
    clips: list[Clip] = []
    others = [s for s in pools if s != target]
    previous: str | None = None
    target_s = total_s = 0.0
    while total_s + 0.6 * len(clips) < seconds and pools[target]:
        speaker = timeline.next_speaker(
            previous, target, others, target_s, total_s, TARGET_SHARE, rng
        )
        if not pools[speaker]:
            others.remove(speaker)
            if not others:
                break
            continue
        # Some turns join two utterances of one speaker, as longer film lines do.
        count = 2 if len(pools[speaker]) > 1 and rng.random() < 0.3 else 1
        utts = [pools[speaker].pop() for _ in range(count)]
        pause = np.zeros(int(float(rng.uniform(0.25, 0.5)) * SR))
        parts = [_speech(u, rng) for u in utts]
        audio = parts[0] if count == 1 else np.concatenate([parts[0], pause, parts[1]])
        sep = "" if utts[0].language == "zh" else " "
        clips.append(Clip(speaker, sep.join(u.text for u in utts), utts[0].language, audio))
        total_s += len(audio) / SR
        target_s += len(audio) / SR if speaker == target else 0.0
        previous = speaker
    return tuple(clips)


def build_real_set(
    out_dir: Path,
    data_root: Path = Path("../shared/data"),
    lang: str = "en",
    n_scenes: int = 3,
    seed: int = 0,
    scene_seconds: tuple[float, float] = (120.0, 240.0),
    music: MusicLevel = MusicLevel(),
) -> list[Path]:
    """Build `n_scenes` films from real recordings into `out_dir`; deterministic per seed.

    Args:
        out_dir: created if missing (never inside `data_root`).
        data_root: the shared data folder (speech/, music/, sfx/).
        lang: `en` (English target) or `zh` (the Mandarin speaker as target).
        n_scenes: number of films (`real_<lang>_01.<ext>`, ...).
        seed: fixes speakers, utterances, timing, music, effects, SNR and reverb.
        scene_seconds: range a scene's speech length is drawn from (English scenes also end
            when the target's 17 non-ref utterances are used up, ~2-3 minutes).
        music: the bed's level (default: 10-20 dB under the dialogue, kept out of the 5.1
            centre; `BLEED` puts loud music in the centre too).

    Returns:
        The truth json paths, in scene order.

    Raises:
        InputError: unknown `lang`, missing data, or `out_dir` inside `data_root`.
    """
    if lang not in ("en", "zh"):
        raise InputError(f"lang '{lang}' is not supported", "use en or zh")
    out_dir, data_root = Path(out_dir).resolve(), Path(data_root).resolve()
    if out_dir.is_relative_to(data_root):
        raise InputError(f"{out_dir} is inside {data_root}", "write demo films elsewhere")
    rng = np.random.default_rng([seed, 0 if lang == "en" else 1])
    english = [u for u in read_manifest(data_root, "en") if _usable(u)]
    target_utts = (
        [u for u in read_manifest(data_root, "zh") if _usable(u)] if lang == "zh" else english
    )
    counts = Counter(u.speaker for u in english)
    en_speakers = sorted(s for s, n in counts.items() if n >= MIN_OTHER_UTTS)
    targets = sorted({u.speaker for u in target_utts})
    if lang == "en":
        able = [s for s in en_speakers if counts[s] >= MIN_TARGET_UTTS]
        targets = [str(s) for s in rng.choice(able, size=n_scenes, replace=n_scenes > len(able))]
    refs = _hold_out_refs(out_dir, target_utts, sorted(set(targets)), rng)
    held = {u.id for picked, _ in refs.values() for u in picked}
    truths = []
    for index in range(n_scenes):
        target = targets[index % len(targets)]
        candidates = [s for s in en_speakers if s != target]
        others = [
            str(s) for s in rng.choice(candidates, size=int(rng.integers(2, 5)), replace=False)
        ]
        pools = {
            spk: [
                u
                for u in (target_utts if spk == target else english)
                if u.speaker == spk and u.id not in held
            ]
            for spk in [target, *others]
        }
        for pool in pools.values():
            rng.shuffle(pool)
        clips = _take_clips(pools, target, float(rng.uniform(*scene_seconds)), rng)
        container, layout, codec, sub_fmt, shift, condensed = SCENE_FORMS[index % len(SCENE_FORMS)]
        embedded = (
            () if sub_fmt is None else (SubSpec("embedded", sub_fmt, lang, shift, condensed),)
        )
        info = {u.speaker: u for u in [*english, *target_utts]}
        spec = SceneSpec(
            name=f"real_{lang}_{index + 1:02d}",
            container=container,
            target=target,
            language=lang,
            tracks=(TrackSpec(lang, clips, layout, codec, True),),
            background=_background(data_root, int(rng.integers(3, 7)), music.swell_db),
            snr_db=float(rng.uniform(*music.snr_db)),
            reverb=index % 2 == 1,
            refs={target: refs[target][1]},
            speakers={
                s: {
                    "source": "aishell1" if s.startswith("aishell") else "speechocean762",
                    "gender": info[s].gender,
                    "language": info[s].language,
                }
                for s in sorted({c.speaker for c in clips})
            },
            subtitles=(*embedded, SubSpec("sidecar", "srt", lang)),
            notes=_notes(lang),
            centre_music=music.centre,
        )
        truths.append(assemble.build_scene(spec, out_dir, seed * 1000 + index))
    return truths


def _hold_out_refs(
    out_dir: Path, utts: list[Utterance], speakers: list[str], rng: np.random.Generator
) -> dict[str, tuple[list[Utterance], list[str]]]:
    """Pick and write N_REFS clean clips per target (16 kHz wav); they are kept out of scenes."""
    import soundfile as sf

    refs = {}
    for speaker in speakers:
        (out_dir / "refs" / speaker).mkdir(parents=True, exist_ok=True)
        own = sorted(
            (u for u in utts if u.speaker == speaker and u.duration >= 2.5), key=lambda u: u.id
        )
        picked = [own[i] for i in sorted(rng.choice(len(own), size=N_REFS, replace=False))]
        paths = []
        for utt in picked:
            rel = f"refs/{speaker}/{utt.id}.wav"
            audio = trim_silence(_load(utt.path, 16000)[0], 16000, floor_db=-35.0)
            sf.write(out_dir / rel, audio, 16000, subtype="PCM_16")
            paths.append(rel)
        refs[speaker] = (picked, paths)
    return refs


def _notes(lang: str) -> list[str]:
    notes = ["real recordings from shared/data (see its ATTRIBUTION.md); test use only"]
    if lang == "zh":
        notes.append(
            "only one Mandarin speaker exists (aishell_S0252): it is the target; the other "
            "speakers are English (speechocean762), their turns have language 'en'"
        )
    return notes
