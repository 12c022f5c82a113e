"""Synthetic-speech watermark: detection under attacks and false positives, on real speech.

Marks real utterances from ../shared/data (one per English speaker plus Mandarin ones), applies
each attack (MP3/AAC 128 kbps via ffmpeg, resampling, crops, music 10 dB under the speech) and
prints the detection rate next to the false-positive rate of the same utterances unmarked and
attacked alike, the mark's SNR, then scores every unmarked utterance and the music alone (with
the real key, and with `--keys` other keys for a larger sample of the no-mark distribution).

    python benchmarks/watermark.py [--data ../shared/data] [--zh 10] [--seed 0] [--keys 12]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf

from voicekit.audio.io import resample
from voicekit.watermark import key
from voicekit.watermark.detect import score
from voicekit.watermark.embed import watermark_signal
from voicekit.watermark.key import THRESHOLD

RATE = 24000  # a typical TTS output rate; voicekit speak writes the model's rate
Attack = Callable[[np.ndarray, int, np.ndarray], tuple[np.ndarray, int]]


def _codec(audio: np.ndarray, rate: int, args: list[str], ext: str) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp, "in.wav"), Path(tmp, f"out.{ext}")
        sf.write(src, audio, rate)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(src), *args, str(dst)],
                       check=True)  # fmt: skip
        raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(dst), "-f", "f32le", "-ac", "1",
                              "-ar", str(rate), "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype=np.float32)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)) + 1e-12))


def _under(music: np.ndarray, db: float) -> Attack:
    def mix(x: np.ndarray, rate: int, bed: np.ndarray) -> tuple[np.ndarray, int]:
        return x + bed * (_rms(x) / _rms(bed)) * 10 ** (-db / 20), rate

    return mix


MP3 = ["-c:a", "libmp3lame", "-b:a", "128k"]
AAC = ["-c:a", "aac", "-b:a", "128k"]


def attacks(music: np.ndarray) -> dict[str, Attack]:
    under = _under(music, 10.0)
    return {
        "none": lambda x, r, b: (x, r),
        "mp3 128k": lambda x, r, b: (_codec(x, r, MP3, "mp3"), r),
        "aac 128k": lambda x, r, b: (_codec(x, r, AAC, "m4a"), r),
        "resample 44.1k": lambda x, r, b: (resample(x, r, 44100), 44100),
        "resample 48k->16k": lambda x, r, b: (resample(resample(x, r, 48000), 48000, 16000),
                                              16000),
        "crop 0.37 s + 0.2 s": lambda x, r, b: (x[int(0.37 * r) : len(x) - int(0.2 * r)], r),
        "music -10 dB": under,
        "music -10 dB + mp3": lambda x, r, b: (_codec(under(x, r, b)[0], r, MP3, "mp3"), r),
        "crop + music + aac": lambda x, r, b: (
            _codec(under(x[int(0.5 * r) :], r, b[int(0.5 * r) :])[0], r, AAC, "m4a"), r),
    }


def utterances(data: Path, lang: str) -> list[tuple[str, Path]]:
    table = data / "speech" / lang / "utterances.tsv"
    with table.open(encoding="utf-8") as handle:
        return [(row["speaker"], table.parent / row["path"])
                for row in csv.DictReader(handle, delimiter="\t")]


def load(path: Path) -> np.ndarray:
    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    return resample(audio.mean(axis=1), rate, RATE)


def measure(clips: list[np.ndarray], music: np.ndarray, names: list[str],
            rng: np.random.Generator) -> dict[str, tuple[float, float]]:
    """Attack name -> (detection rate on the marked clips, flag rate on the same unmarked)."""
    table = {name: attack for name, attack in attacks(music).items() if name in names}
    hits = {name: [0, 0] for name in table}
    for clean in clips:
        marked = np.clip(clean + watermark_signal(clean, RATE), -1, 1)
        start = int(rng.integers(len(music) - len(clean)))
        bed = music[start : start + len(clean)]
        for name, attack in table.items():
            hits[name][0] += score(*attack(marked, RATE, bed)).marked
            hits[name][1] += score(*attack(clean, RATE, bed)).marked
    return {name: (hit / len(clips), false / len(clips)) for name, (hit, false) in hits.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--zh", type=int, default=10, help="Mandarin utterances to mark")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keys", type=int, default=12, help="other keys for the null scores")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    english, mandarin = utterances(args.data, "en"), utterances(args.data, "zh")
    by_speaker: dict[str, list[Path]] = {}
    for speaker, path in english:
        by_speaker.setdefault(speaker, []).append(path)
    picked = [paths[rng.integers(len(paths))] for paths in by_speaker.values()]
    picked += [mandarin[i][1] for i in rng.choice(len(mandarin), args.zh, replace=False)]
    clips = [_peak(load(p)) for p in picked]
    # "narrations": three utterances of one speaker back to back, closer to a speak output
    gap = np.zeros(int(0.3 * RATE), dtype=np.float32)
    longer = [_peak(np.concatenate([x for p in rng.choice(paths, 3, replace=False)
                                    for x in (load(p), gap)])) for paths in by_speaker.values()]
    music = np.concatenate([load(t) for t in sorted((args.data / "music").glob("*.ogg"))])
    snrs = [20 * np.log10(_rms(x) / _rms(watermark_signal(x, RATE))) for x in clips]
    print(f"threshold z >= {THRESHOLD:g}; clips marked at {RATE} Hz; music: both tracks of "
          f"shared/data, a random stretch under each clip")
    print(f"{'attack':<22}{'utterances':>22}{'15 s narrations':>22}")
    print(f"{'':<22}{'detected / false pos.':>22}{'detected / false pos.':>22}")
    short = measure(clips, music, list(attacks(music)), rng)
    long = measure(longer, music, [n for n in short if "music" in n or n == "none"], rng)
    for name, (hit, false) in short.items():
        row = f"{name:<22}{hit:>12.0%} / {false:>6.0%}"
        if name in long:
            row += f"{long[name][0]:>14.0%} / {long[name][1]:>5.0%}"
        print(row)
    print(f"clips: {len(clips)} utterances ({len(clips) - args.zh} English speakers, {args.zh} "
          f"Mandarin, {np.mean([len(x) for x in clips]) / RATE:.1f} s mean); {len(longer)} "
          f"narrations ({np.mean([len(x) for x in longer]) / RATE:.1f} s mean)")
    print(f"mark SNR (mark vs signal): median {np.median(snrs):.1f} dB, min {np.min(snrs):.1f} dB")
    corpus = [load(p) for _, p in english + mandarin]
    null = [score(x, RATE).score for x in corpus]
    chunks = [music[s : s + 4 * RATE] for s in range(0, len(music) - 4 * RATE, 4 * RATE)]
    null_music = [score(c, RATE).score for c in chunks]
    others = []  # other keys on the same audio: more samples of the no-mark distribution
    for seed in range(args.keys):
        key.SEED = 1000 + seed
        key.pattern.cache_clear()
        others += [score(x, RATE).score for x in corpus]
    for label, scores in (("unmarked utterances", null), ("music alone, 4 s chunks", null_music),
                          (f"unmarked utterances x {args.keys} other keys", others)):
        if not scores:
            continue
        values = np.array(scores)
        print(f"{label}: {len(values)}, flagged {np.mean(values >= THRESHOLD):.2%}, "
              f">= 4.5: {np.mean(values >= 4.5):.3%}, median {np.median(values):.1f}, "
              f"99th pct {np.percentile(values, 99):.1f}, max {values.max():.1f}")


def _peak(audio: np.ndarray) -> np.ndarray:
    return np.asarray(audio / (np.abs(audio).max() + 1e-9) * 0.7, dtype=np.float32)


if __name__ == "__main__":
    main()
