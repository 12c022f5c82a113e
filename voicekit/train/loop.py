"""Run coqui's trainer on the workspace's dataset: fresh, fine-tuned (--init) or resumed."""

from __future__ import annotations

import logging
import math
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from voicekit.errors import InputError, StageError
from voicekit.train import checkpoints, consent, data
from voicekit.train.batches import Batches
from voicekit.train.clips import read_clips_with_soundfile
from voicekit.train.config import TrainConfig
from voicekit.train.evaluate import Evaluator
from voicekit.train.gpu import free_gpu_bytes
from voicekit.train.interrupt import interruptible, stop_error, terminate_as_interrupt
from voicekit.train.model import vits, vits_config
from voicekit.train.pace import Pace
from voicekit.workspace import Workspace

log = logging.getLogger("voicekit")
progress = logging.getLogger("voicekit.progress")  # shown without --verbose

RUN_DIR = "train/run"
DEFAULT_STEPS = 100_000
SCRATCH_WARNING = (
    "training from scratch: a VITS voice needs on the order of 100k-300k steps (1-3 GPU-days) "
    "and more than an hour of speech to become reliably intelligible; fine-tuning a pretrained "
    "checkpoint with --init is recommended"
)


@dataclass(frozen=True)
class TrainResult:
    run_dir: Path
    start_step: int  # the step restored from (0 for a new run)
    end_step: int
    checkpoint: Path  # the checkpoint a resume or `speak` starts from
    seconds: float
    batch_size: int
    losses: dict[str, float]  # the last step's losses
    eval_dir: Path  # step_<N>.json, samples and report.html of this run


def train(
    ws: Workspace,
    conf: TrainConfig,
    *,
    steps: int | None = None,
    epochs: int | None = None,
    init: Path | None = None,
    resume: bool = True,
    hours: float | None = None,
) -> TrainResult:
    """Train (or continue) the target's VITS voice under ``<workspace>/train/run/``.

    Args:
        ws: the workspace holding ``dataset/`` from ``voicekit dataset``.
        conf: size preset and training knobs.
        steps: train this many more steps (default 100k when ``epochs`` is not given).
        epochs: or this many more passes over the training clips.
        init: a coqui VITS checkpoint to fine-tune from (new runs only); weights whose shape
            differs (the text embedding of another symbol set) start fresh.
        resume: continue the latest run of this workspace when it has a checkpoint.
        hours: also stop (with a checkpoint) once training has run this long.

    Raises:
        InputError: no recorded consent (see ``consent``), bad or too little data, an
            unreadable --init, both steps and epochs.
        StageError: coqui's trainer failed, the GPU ran out of memory (a checkpoint was saved
            first) or the disk filled.
        Interrupted: Ctrl-C or SIGTERM stopped training (a checkpoint was saved first).
    """
    consent.require(ws)
    if steps is not None and epochs is not None:
        raise InputError("give --steps or --epochs, not both")
    if (steps is not None and steps < 1) or (epochs is not None and epochs < 1):
        raise InputError("--steps and --epochs must be at least 1")
    if hours is not None and hours <= 0:
        raise InputError("--hours must be more than 0")
    if init is not None and not init.is_file():
        raise InputError(f"--init {init}: no such checkpoint file")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing here may reach the network
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    dataset = data.load(ws)
    if dataset.minutes < conf.min_minutes:
        raise InputError(
            f"only {dataset.minutes:.1f} min of training speech (minimum {conf.min_minutes:g})",
            "collect more clips of the target, or lower the train min_minutes knob",
        )
    previous = resumable_run(ws) if resume else None
    if previous is not None:
        _check_resume_rate(previous, dataset.sample_rate)
    if previous is not None and init is not None:
        log.warning("resuming %s; --init applies to new runs only (use --no-resume)", previous)
    if previous is None and init is None:
        log.warning(SCRATCH_WARNING)
    if previous is None and init is not None:
        _check_init_rate(init, dataset.sample_rate)
    return _fit(ws, conf, dataset, previous, None if previous else init, steps, epochs, hours)


def latest_run(ws: Workspace, folder: str = RUN_DIR) -> Path | None:
    """The newest coqui run folder under ``folder`` with a config and a checkpoint, or None."""
    root = ws.path(folder)
    runs = [
        p
        for p in root.glob("*/")
        if (p / "config.json").is_file() and any(p.glob("checkpoint_*.pth"))
    ]
    return max(runs, key=lambda p: p.stat().st_mtime) if runs else None


def resumable_run(ws: Workspace, folder: str = RUN_DIR) -> Path | None:
    """`latest_run` once the checkpoints a crash left unfinished are removed from it (only a
    command that holds the workspace's data, as training does, may remove them: a speak
    beside a training would see the checkpoint being written as unfinished)."""
    run = latest_run(ws, folder)
    if run is not None and checkpoints.drop_incomplete(run):
        run = latest_run(ws, folder)
    return run


def run_name(prefix: str, output: Path) -> str:
    """A name for a new coqui run folder in ``output``. coqui names run folders by name,
    minute and git commit: numbered, two new runs in one minute never share one."""
    return f"{prefix}{sum(1 for p in output.iterdir() if p.is_dir()) + 1:03d}"


def _fit(
    ws: Workspace,
    conf: TrainConfig,
    dataset: data.Dataset,
    previous: Path | None,
    init: Path | None,
    steps: int | None,
    epochs: int | None,
    hours: float | None,
) -> TrainResult:
    import torch
    from trainer import TrainerArgs

    from voicekit.train import fastpath

    gpu = torch.cuda.is_available()
    batch = conf.batch(free_gpu_bytes(), dataset.longest)
    output = ws.record(RUN_DIR, "checkpoint")  # before coqui writes anything below it
    output.mkdir(parents=True, exist_ok=True)
    config = vits_config(
        conf,
        sample_rate=dataset.sample_rate,
        output=str(output),
        gpu=gpu,
        has_val=bool(dataset.val),
        batch=batch,
    )
    config.run_name = run_name("vits", output)
    _seed(conf.seed)  # coqui seeds only in Trainer(), after the weights were initialised
    read_clips_with_soundfile()
    model = vits(config)
    _check_vocabulary(model, dataset)
    kept = conf.keep_checkpoints + conf.keep_best
    checkpoints.check_space(output, checkpoints.size(model), kept, previous)
    args = TrainerArgs(
        continue_path=str(previous) if previous else "", restore_path=str(init) if init else ""
    )
    started = time.monotonic()
    with checkpoints.resumed_by_name(), _without_git():
        trainer = _trainer_class()(
            args,
            config,
            str(output),
            model=model,
            train_samples=[c.sample() for c in dataset.train],
            eval_samples=[c.sample() for c in dataset.val],
            parse_command_line_args=False,
        )
    trainer.c_logger = _Console(trainer.c_logger)
    start_step = trainer.total_steps_done
    run_dir = Path(trainer.output_path)
    evaluator = Evaluator(ws, conf, run_dir.name, dataset.references)
    trainer.evaluator = evaluator
    trainer.keep_best = conf.keep_best
    trainer.callbacks.callbacks_on_train_step_end.append(evaluator.on_step_end)
    with _without_length_bars():
        loader = Batches(
            trainer.get_train_dataloader(trainer.train_samples, verbose=False),
            batch, conf.seed, trainer.epochs_done, config.num_loader_workers, gpu,
        )  # fmt: skip
        if trainer.eval_samples:
            # made now, not at the first evaluation: building it draws from the random
            # generators, so a run that evaluates more often would otherwise train differently
            trainer.eval_loader = trainer.get_eval_dataloader(trainer.eval_samples, verbose=False)
    per_epoch = loader.per_epoch
    todo = per_epoch * epochs if epochs is not None else steps or DEFAULT_STEPS
    # duck-typed loader: coqui only iterates it and takes its len()
    deadline = started + hours * 3600 if hours is not None else None
    trainer.train_loader = _Limited(loader, trainer, start_step + todo, deadline)
    trainer.pace = Pace(start_step, start_step + todo, deadline)
    trainer.config.epochs = trainer.epochs_done + math.ceil(todo / per_epoch)
    progress.info(
        "training %s VITS on %s %s step %d for %d steps (%d per epoch, batch %d), %d clips, "
        "%.1f min", conf.size, "GPU" if gpu else "CPU",
        f"resuming {run_dir.name} at" if start_step else "from", start_step, todo, per_epoch,
        batch, len(dataset.train), dataset.minutes,
    )  # fmt: skip
    try:
        with terminate_as_interrupt(), fastpath.installed():
            trainer.fit()
    except SystemExit as stop:  # coqui's fit() turns every failure into sys.exit(1)
        raise StageError(
            f"coqui training failed (exit {stop.code})",
            f"see {run_dir / 'trainer_0_log.txt'}",
        ) from None
    finally:
        loader.close()
    ended = stop_error(trainer, run_dir, batch)
    if ended is not None:
        _record_outputs(ws, run_dir)
        raise ended
    if trainer.train_loader.timed_out:
        progress.info("--hours %g reached at step %d", hours, trainer.total_steps_done)
    trainer.save_checkpoint()  # saves come every save_step: keep the final state too
    evaluator.finish(trainer)
    _record_outputs(ws, run_dir)
    checkpoint = max(run_dir.glob("checkpoint_*.pth"), key=_step_of)
    return TrainResult(
        run_dir, start_step, trainer.total_steps_done, checkpoint, time.monotonic() - started,
        batch, trainer.last_losses, ws.path(evaluator.dir),
    )  # fmt: skip


def _trained_rate(folder: Path) -> int | None:
    """The sample rate in the coqui config.json of a run or checkpoint folder, if any."""
    import json

    config = folder / "config.json"
    if not config.is_file():
        return None
    rate = json.loads(config.read_text(encoding="utf-8")).get("audio", {}).get("sample_rate")
    return int(rate) if rate else None


def _check_init_rate(init: Path, rate: int) -> None:
    """Warn when the --init model was trained at another sample rate than the dataset's
    (its coqui config.json sits next to the checkpoint): its decoder then makes every sound at
    the wrong pitch until fine-tuning has unlearnt it."""
    trained = _trained_rate(init.parent)
    if trained and trained != rate:
        log.warning(
            "the --init model was trained on %s Hz audio, the dataset is %d Hz: export it at "
            "%s Hz (voicekit dataset ... --set export.sample_rate=%s) to fine-tune closer",
            trained, rate, trained, trained,
        )  # fmt: skip


def _check_resume_rate(run: Path, rate: int) -> None:
    """Refuse to continue a run on clips of another sample rate than it was trained on: coqui
    keeps the run's rate and reads the clips without resampling, so every sound would come out
    at the wrong pitch and speed."""
    trained = _trained_rate(run)
    if trained and trained != rate:
        raise InputError(
            f"the run {run.name} was trained on {trained} Hz clips and the dataset is now "
            f"{rate} Hz",
            f"export the dataset at {trained} Hz (voicekit dataset ... --set "
            f"export.sample_rate={trained}), or start a new run with --no-resume",
        )


def _seed(seed: int) -> None:
    import random

    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@contextmanager
def _without_length_bars() -> Iterator[None]:
    """While inside, coqui's datasets measure their clips' lengths without a tqdm bar (one per
    loader, on the terminal at every start; voicekit's own line says what the run does)."""
    from functools import partial
    from types import SimpleNamespace

    from TTS.tts.datasets import dataset

    saved = dataset.tqdm
    dataset.tqdm = SimpleNamespace(tqdm=partial(saved.tqdm, disable=True))
    try:
        yield
    finally:
        dataset.tqdm = saved


@contextmanager
def _without_git() -> Iterator[None]:
    """While inside, coqui's trainer runs no git in the current folder: it named a new run's
    folder after the commit checked out there and recorded the branch in the run's config,
    and outside a repository git printed "fatal: not a git repository" into the output."""
    from trainer import generic_utils
    from trainer import trainer as coqui

    saved = generic_utils.get_commit_hash, coqui.get_git_branch
    generic_utils.get_commit_hash = lambda: "0000000"  # what coqui writes without git
    coqui.get_git_branch = lambda: "unknown"
    try:
        yield
    finally:
        generic_utils.get_commit_hash, coqui.get_git_branch = saved


def _trainer_class() -> Any:
    """coqui's Trainer that hands every step's losses to the evaluator (for the curves) and
    to the progress line, validates (and keeps the best model) only when the evaluator asks,
    not after every epoch, saves a checkpoint every ``save_step`` steps done and on
    Ctrl-C/SIGTERM (and returns), each named by the steps done and restored at that count,
    and, once the train loader ran out of time (--hours), lets the epochs coqui still loops
    over pass without logging."""
    from trainer import Trainer

    class _Trainer(interruptible(Trainer)):  # type: ignore[misc]
        evaluator: Evaluator | None = None
        validating = False  # set by the evaluator around its validation pass
        keep_best = 1  # best models kept (train.keep_best)
        pace: Pace | None = None  # the progress line
        last_losses: dict[str, float] = {}  # noqa: RUF012 (replaced per step, never mutated)
        saved_at = -1  # the steps done in the newest checkpoint of this run

        def restore_model(self) -> None:
            super().restore_model()
            if self.continue_run:  # coqui adds one to the saved step; ours is the steps done
                self.total_steps_done -= 1
                self.saved_at = self.total_steps_done

        def save_checkpoint(self) -> None:
            """Once per step count: the final save, Ctrl-C or a full GPU right after a periodic
            save (the latter two mid-step, with part of the step applied) keep that one."""
            if self.saved_at != self.total_steps_done:
                super().save_checkpoint()
                self.saved_at = self.total_steps_done

        def _over(self) -> bool:
            over = bool(getattr(self.train_loader, "timed_out", False))
            if over:
                self.c_logger = cast(Any, _Console(None, keep=()))  # the epochs left: unlogged
            return over

        def train_epoch(self) -> None:
            if not self._over():
                super().train_epoch()

        def eval_epoch(self) -> None:
            if self.validating:
                super().eval_epoch()

        def test_run(self) -> None:
            if not self._over():
                super().test_run()

        def save_best_model(self) -> None:
            if self.validating:
                _save_best(Path(self.output_path), self.keep_best, super().save_best_model)

        def train_step(self, *args: Any, **kwargs: Any) -> Any:
            outputs, losses = super().train_step(*args, **kwargs)
            if losses is not None:
                self.last_losses = {k: float(v) for k, v in losses.items() if k.startswith("loss")}
                if self.evaluator is not None:
                    # coqui counted the step already: this is the step number just finished
                    self.evaluator.on_step(self.total_steps_done, self.last_losses)
                if self.pace is not None:
                    self.pace(self.total_steps_done, self.last_losses)
            if self.total_steps_done % self.config.save_step == 0:
                self.save_checkpoint()
            return outputs, losses

    return _Trainer


class _Console:
    """coqui's console logger printing only ``keep`` (by default its loss table every
    ``print_step`` steps): the headers it prints every epoch (an epoch can be a few seconds)
    say nothing the progress line does not."""

    def __init__(self, logger: Any, keep: tuple[str, ...] = ("print_train_step",)) -> None:
        self.logger, self.keep = logger, keep

    def __getattr__(self, name: str) -> Any:
        if name in self.keep:
            return getattr(self.logger, name)
        return lambda *args, **kwargs: None


class _Limited:
    """The train loader coqui iterates once per epoch: ``per_epoch`` batches of the stream,
    ending early once the trainer reaches ``stop_at`` steps or the monotonic clock passes
    ``deadline`` (then ``timed_out`` is set).

    coqui-tts-trainer 0.4 counts only epochs; this ends the last epoch early so ``--steps``
    is exact and the final checkpoint is at the requested step. A deadline can fall in any
    epoch: the trainer then skips the rest of its fixed epoch loop (see `_trainer_class`).
    """

    def __init__(
        self, batches: Batches, trainer: Any, stop_at: int, deadline: float | None
    ) -> None:
        self.batches = batches
        self.trainer = trainer
        self.stop_at = stop_at
        self.deadline = deadline
        self.timed_out = False

    def __len__(self) -> int:
        return max(0, min(self.batches.per_epoch, self.stop_at - self.trainer.total_steps_done))

    def __iter__(self) -> Iterator[Any]:
        for _ in range(self.batches.per_epoch):
            if self.trainer.total_steps_done >= self.stop_at:
                return
            if self.deadline is not None and time.monotonic() >= self.deadline:
                self.timed_out = True
                return
            yield self.batches.next()


def _save_best(run_dir: Path, keep: int, save: Callable[[], None]) -> None:
    """Run coqui's ``save`` of a best model, then keep the ``keep`` newest
    ``best_model_<step>.pth`` (coqui saves one only when the validation loss improved, so they
    are the ``keep`` best) and make ``best_model.pth`` a hard link to the newest: coqui writes
    a copy, a second ~1 GB file of the full model.

    The link is removed before ``save``: coqui's copy would otherwise write the new weights
    through it into the older best file. Where links are not possible the copy is made.
    """
    best = run_dir / "best_model.pth"
    best.unlink(missing_ok=True)
    save()
    steps = sorted(run_dir.glob("best_model_*.pth"), key=_step_of)
    for old in steps[: -max(keep, 1)]:
        old.unlink()
    if not steps or (best.is_file() and best.samefile(steps[-1])):
        return
    staged = best.with_name(best.name + ".link")
    staged.unlink(missing_ok=True)
    try:
        os.link(steps[-1], staged)
    except OSError:
        shutil.copyfile(steps[-1], staged)
    os.replace(staged, best)


def _check_vocabulary(model: Any, dataset: data.Dataset) -> None:
    """Fail if coqui's tokenizer would drop any character of a training text."""
    vocab = set(model.tokenizer.characters.vocab)
    for clip in dataset.train + dataset.val:
        missing = sorted(set(clip.codes) - vocab)
        if missing:
            shown = ", ".join(f"U+{ord(c):04X}" for c in missing)
            raise InputError(
                f"clip {clip.id}: characters not in the model's vocabulary: {shown}",
                "the symbol inventory and the coqui characters config disagree",
            )


def _record_outputs(ws: Workspace, run_dir: Path) -> None:
    for path in sorted(p for p in run_dir.rglob("*") if p.is_file()):
        kind = "checkpoint" if path.suffix == ".pth" else "log"
        ws.record(ws.rel(path), kind)


def _step_of(path: Path) -> int:
    return int(path.stem.rsplit("_", 1)[1])
