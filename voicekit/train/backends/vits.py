"""The default backend: voicekit's own coqui VITS training (``voicekit.train.loop``)."""

from __future__ import annotations

from pathlib import Path

from voicekit.train.backends.base import Options, Outcome, Plan
from voicekit.workspace import Workspace

SCRATCH = "no pretrained weights: the voice is trained from your data only"
INIT = (
    "the --init checkpoint's own licence (coqui's tts_models/en/ljspeech/vits, vits-ljspeech "
    "and vits-vctk: Apache-2.0; check any other checkpoint's model card)"
)


def checkpoint(init: Path | None) -> Path | None:
    """The checkpoint ``--init`` names: a file, or a known pretrained VITS by name
    (``vits-ljspeech``, ``vits-vctk``: from ``voicekit models fetch`` or coqui's own download).

    Raises:
        ModelNotFoundError: a known name that is not on this machine (with the fetch command).
    """
    from voicekit.models.registry import KNOWN, VITS_FILES

    entry = KNOWN.get(str(init))
    if init is None or init.exists() or entry is None or entry.kind != "coqui-vits":
        return init
    from voicekit.models.resolve import resolve

    return resolve(entry.name, None, kind=entry.kind) / VITS_FILES[0]


class VitsBackend:
    name = "vits"

    def prepare(self, ws: Workspace, options: Options) -> Plan:
        """Only the --init name is resolved here (the loop loads and checks the data)."""
        from voicekit.train.loop import RUN_DIR

        init = checkpoint(options.init)
        return Plan(self.name, INIT if init else SCRATCH, RUN_DIR)

    def run(self, ws: Workspace, plan: Plan, options: Options) -> Outcome:
        from voicekit.train.loop import train

        result = train(
            ws, options.conf, steps=options.steps, epochs=options.epochs,
            init=checkpoint(options.init), resume=options.resume, hours=options.hours,
        )  # fmt: skip
        resumed = f"resumed at step {result.start_step}, " if result.start_step else ""
        summary = (
            f"{resumed}trained to step {result.end_step} in {result.seconds / 60:.1f} min "
            f"(batch {result.batch_size})\ncheckpoint: {result.checkpoint}\n"
            f"run:        {result.run_dir}\nreport:     {result.eval_dir / 'report.html'}"
        )
        return Outcome(self.name, result.run_dir, (result.checkpoint,), summary)
