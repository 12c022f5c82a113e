"""Periodic evaluation during training: validation loss, samples, similarity, CER/WER.

Every ``eval_every`` steps (and once at the end) the model in training synthesizes the fixed
sentences; the figures go to ``train/eval/<run>/step_<N>.json`` and the run's
``report.html`` is redrawn. Random state is forked around it, so a run with evaluation trains
exactly like one without (python, numpy and torch generators are restored afterwards).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from voicekit.train.config import TrainConfig
from voicekit.train.model import SAMPLE_SENTENCES
from voicekit.train.report import LOSSES, write_report
from voicekit.train.scores import RATE, Sample, Scorer
from voicekit.workspace import Workspace

log = logging.getLogger("voicekit")

EVAL_DIR = "train/eval"
SAMPLE_SEED = 1234  # the same noise for every evaluation: samples differ only by the weights


class Evaluator:
    """Hooked into coqui's trainer; also records every training step's losses."""

    def __init__(self, ws: Workspace, conf: TrainConfig, run: str, heldout: list[Path]) -> None:
        self.ws = ws
        self.conf = conf
        self.dir = f"{EVAL_DIR}/{run}"
        self.scorer = Scorer(heldout, tuple(conf.eval_others), conf.eval_asr_model)
        self.last_step = -1
        self.step_ended: float | None = None  # set by the step-end callback
        self.ws.record(self.dir, "log").mkdir(parents=True, exist_ok=True)
        self.losses = ws.record(f"{self.dir}/{LOSSES}", "log")

    def on_step(self, step: int, losses: dict[str, Any]) -> None:
        """Append one step's losses (one JSON line) to ``losses.jsonl``, timed when the step
        ended (before any evaluation that followed it)."""
        ended = self.step_ended if self.step_ended is not None else time.time()
        self.step_ended = None
        row = {"step": step, "time": round(ended, 3)}
        row.update({k: float(v) for k, v in losses.items() if k.startswith("loss")})
        with self.losses.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")

    def on_step_end(self, trainer: Any) -> None:
        """coqui callback: evaluate every ``eval_every`` steps."""
        self.step_ended = time.time()
        step = int(trainer.total_steps_done)
        if self.conf.eval_every > 0 and step % self.conf.eval_every == 0:
            self.evaluate(trainer)

    def finish(self, trainer: Any) -> None:
        """Evaluate the final weights unless that step was just evaluated."""
        if self.conf.eval_every > 0 and trainer.total_steps_done != self.last_step:
            self.evaluate(trainer)
        self.scorer.close()

    def evaluate(self, trainer: Any) -> dict[str, Any]:
        """Score the current weights; returns what ``step_<N>.json`` holds."""
        step = int(trainer.total_steps_done)
        started = time.monotonic()
        with _random_state_kept():  # loading the encoder alone draws from torch's generator
            val = _validation_loss(trainer)
            samples, files = self._synthesize(trainer, step)
            similarity = self.scorer.similarity(samples)
            intelligibility = self.scorer.intelligibility(samples)
        result: dict[str, Any] = {
            "step": step,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "validation_loss": val,
            "samples": [
                {"lang": s.lang, "text": s.text, "audio": f, "seconds": len(s.audio) / RATE}
                for s, f in zip(samples, files, strict=True)
            ],
            **similarity,
            **intelligibility,
            "unavailable": dict(self.scorer.unavailable),
            "eval_seconds": round(time.monotonic() - started, 2),
        }
        path = self.ws.record(f"{self.dir}/step_{step:07d}.json", "log")
        path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        write_report(self.ws, self.dir)
        self.last_step = step
        log.info("step %d evaluated in %.1f s: %s", step, result["eval_seconds"],
                 {k: result.get(k) for k in ("similarity", "margin", "cer", "wer")})  # fmt: skip
        return result

    def _synthesize(self, trainer: Any, step: int) -> tuple[list[Sample], list[str]]:
        """The fixed sentences in the current voice, saved as ``step_<N>/<lang>.wav``."""
        import torch

        from voicekit.audio import io
        from voicekit.text import encode

        model = trainer._get_model()  # unwraps DDP/accelerate; coqui has no public accessor
        rate = int(trainer.config.audio.sample_rate)
        device = next(model.parameters()).device
        folder = self.ws.record(f"{self.dir}/step_{step:07d}", "sample")
        folder.mkdir(parents=True, exist_ok=True)
        samples, files = [], []
        model.eval()
        try:
            for lang, text in SAMPLE_SENTENCES:
                ids = model.tokenizer.text_to_ids(encode(text, lang).codes)
                x = torch.tensor([ids], dtype=torch.long, device=device)
                torch.manual_seed(SAMPLE_SEED)
                with torch.inference_mode():
                    wav = model.inference(x)["model_outputs"][0, 0].float().cpu().numpy()
                wav = np.ascontiguousarray(wav, dtype=np.float32)
                rel = f"{self.dir}/step_{step:07d}/{lang}.wav"
                io.write(self.ws.record(rel, "sample"), wav, rate)
                samples.append(Sample(lang, text, io.resample(wav, rate, RATE)))
                files.append(rel)
        finally:
            model.train()
        return samples, files


@contextmanager
def _random_state_kept() -> Iterator[None]:
    """Restore python's, numpy's and torch's (CPU and CUDA) random state on exit."""
    import torch

    devices = [torch.cuda.current_device()] if torch.cuda.is_available() else []
    states = random.getstate(), np.random.get_state()
    try:
        with torch.random.fork_rng(devices=devices):
            yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])


def _validation_loss(trainer: Any) -> dict[str, float] | None:
    """Mean losses over the validation clips, without touching coqui's epoch averages; coqui
    then keeps the model as its best one if this loss is the lowest so far (after the
    ``best_after`` steps)."""
    if not trainer.eval_samples:
        return None
    from trainer.generic_utils import KeepAverage

    kept = trainer.keep_avg_eval
    trainer.keep_avg_eval = KeepAverage()
    trainer.validating = True
    try:
        trainer.eval_epoch()
        values = dict(trainer.keep_avg_eval.avg_values)
        trainer.save_best_model()
    finally:
        trainer.validating = False
        trainer.keep_avg_eval = kept
        trainer.model.train()
    return {k.removeprefix("avg_"): float(v) for k, v in values.items() if "loss" in k}
