"""Batched against one-at-a-time Whisper in the transcribe stage's backend: speed and error.

Transcribes the same real utterances from ../shared/data (each under 30 s, as the spans
`transcribe.batch_size` batches) with `WhisperBackend.transcribe` one at a time (temperature
fallback on) and with `WhisperBackend.transcribe_batch` (`--batch` pieces at once, temperature 0
only), and prints seconds, the ratio, and the corpus WER (en) / CER (zh) of each side by side.

    python benchmarks/whisper_batch.py --data ../shared/data --model base --count 48
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import date
from pathlib import Path

import numpy as np

from voicekit import models
from voicekit.audio import io
from voicekit.config import Config
from voicekit.demo.real import read_manifest
from voicekit.eval.asr import error_rate
from voicekit.stages.transcribe.whisper import SAMPLE_RATE, WhisperBackend


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--model", default="base")
    parser.add_argument("--count", type=int, default=48, help="utterances per language")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--langs", nargs="+", default=["en", "zh"])
    args = parser.parse_args()
    path = models.resolve(models.whisper_name(args.model), Config())
    backend = WhisperBackend(path, device=args.device, compute_type="auto", threads=0)
    print(f"Whisper {args.model}, {args.device} ({platform.processor() or platform.machine()}), "
          f"{date.today()}, batch {args.batch}")
    print(f"{'lang':5} {'clips':>5} {'audio s':>8} {'one s':>7} {'batch s':>8} {'speed-up':>9} "
          f"{'err one':>8} {'err batch':>10}")
    for lang in args.langs:
        rows = [u for u in read_manifest(args.data, lang) if u.duration <= 29.0][: args.count]
        pieces = [io.read(u.path, sr=SAMPLE_RATE)[0].astype(np.float32) for u in rows]
        refs = [u.text for u in rows]
        start = time.perf_counter()
        one = [backend.transcribe(p, lang, beam_size=5, vad_filter=False).text for p in pieces]
        one_s = time.perf_counter() - start
        start = time.perf_counter()
        batched: list[str] = []
        for i in range(0, len(pieces), args.batch):
            batched += [r.text for r in backend.transcribe_batch(pieces[i:i + args.batch], lang,
                                                                  beam_size=5)]
        batch_s = time.perf_counter() - start
        audio_s = sum(len(p) for p in pieces) / SAMPLE_RATE
        print(f"{lang:5} {len(rows):5d} {audio_s:8.0f} {one_s:7.1f} {batch_s:8.1f} "
              f"{one_s / batch_s:9.2f} {error_rate(refs, one, lang):8.3f} "
              f"{error_rate(refs, batched, lang):10.3f}")
    backend.close()


if __name__ == "__main__":
    main()
