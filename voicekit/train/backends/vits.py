"""The default backend: voicekit's own coqui VITS training (``voicekit.train.loop``)."""

from __future__ import annotations

from voicekit.train.backends.base import Options, Outcome, Plan
from voicekit.workspace import Workspace

SCRATCH = "no pretrained weights: the voice is trained from your data only"
INIT = (
    "the --init checkpoint's own licence (coqui's tts_models/en/ljspeech/vits: Apache-2.0; "
    "check any other checkpoint's model card)"
)


class VitsBackend:
    name = "vits"

    def prepare(self, ws: Workspace, options: Options) -> Plan:
        """Nothing to prepare outside the loop (it loads and checks the data itself)."""
        from voicekit.train.loop import RUN_DIR

        return Plan(self.name, INIT if options.init else SCRATCH, RUN_DIR)

    def run(self, ws: Workspace, plan: Plan, options: Options) -> Outcome:
        from voicekit.train.loop import train

        result = train(
            ws, options.conf, steps=options.steps, epochs=options.epochs, init=options.init,
            resume=options.resume, hours=options.hours,
        )  # fmt: skip
        resumed = f"resumed at step {result.start_step}, " if result.start_step else ""
        summary = (
            f"{resumed}trained to step {result.end_step} in {result.seconds / 60:.1f} min "
            f"(batch {result.batch_size})\ncheckpoint: {result.checkpoint}\n"
            f"run:        {result.run_dir}\nreport:     {result.eval_dir / 'report.html'}"
        )
        return Outcome(self.name, result.run_dir, (result.checkpoint,), summary)
