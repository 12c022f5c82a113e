"""F5-TTS fine-tuning through the user's own F5-TTS checkout (``pip install -e .`` of it).

Command lines from SWivid/F5-TTS: ``src/f5_tts/train/datasets/prepare_csv_wavs.py INPUT
OUTPUT`` (fine-tune mode copies the pretrained vocab.txt) and the ``f5-tts_finetune-cli``
entry point (``src/f5_tts/train/finetune_cli.py``: --exp_name, --dataset_name, --finetune,
--pretrain, --tokenizer, --epochs, --save_per_updates, --last_per_updates,
--keep_last_n_checkpoints). That CLI reads ``<checkout>/data/<dataset>_<tokenizer>/`` and
writes ``<checkout>/ckpts/<dataset>/`` (paths relative to the installed package), so both
are symlinks into the workspace: data and checkpoints stay where purge finds them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from voicekit.errors import InputError
from voicekit.train.backends.base import (
    Options,
    Outcome,
    Plan,
    Step,
    dataset_file,
    run_steps,
    tool_dir,
)  # fmt: skip
from voicekit.workspace import Workspace

CLI = "f5-tts_finetune-cli"
DIR_VARIABLE = "VOICEKIT_F5TTS_DIR"  # the F5-TTS git checkout
PYTHON_VARIABLE = "VOICEKIT_F5TTS_PYTHON"  # its interpreter (default: the one beside the CLI)
PREPARE = "src/f5_tts/train/datasets/prepare_csv_wavs.py"
OUTPUT = "train/f5tts"
EXPERIMENT = "F5TTS_v1_Base"
TOKENIZER = "pinyin"  # the pretrained Emilia_ZH_EN vocabulary (zh and en)
DEFAULT_EPOCHS = 100  # finetune_cli's default
LICENCE = (
    "F5-TTS pretrained weights (F5TTS_v1_Base, trained on Emilia): CC-BY-NC-4.0, "
    "non-commercial use only (F5-TTS code: MIT)"
)


class F5Backend:
    name = "f5tts"

    def prepare(self, ws: Workspace, options: Options) -> Plan:
        if options.steps is not None:
            raise InputError("the f5tts backend counts epochs", "use --epochs N, not --steps")
        source = dataset_file(ws, "f5tts/metadata.csv", self.name).parent
        checkout = _checkout()
        cli = shutil.which(CLI)
        python = _python(cli)
        name = f"voicekit_{hashlib.sha256(str(ws.root).encode()).hexdigest()[:8]}"
        data = ws.path(OUTPUT) / "data" / f"{name}_{TOKENIZER}"
        ckpts = ws.path(OUTPUT) / "ckpts" / name
        base = checkout or Path()  # unknown: commands relative to the checkout
        finetune = [
            cli or CLI, "--exp_name", EXPERIMENT, "--dataset_name", name, "--finetune",
            "--tokenizer", TOKENIZER, "--epochs", str(options.epochs or DEFAULT_EPOCHS),
            "--keep_last_n_checkpoints", str(options.conf.keep_checkpoints),
        ]  # fmt: skip
        if options.init is not None:
            if not options.init.is_file():
                raise InputError(f"--init {options.init}: no such checkpoint file")
            finetune += ["--pretrain", str(options.init.absolute())]
        steps = (
            Step("prepare", (str(python or "python"), PREPARE, str(source), str(data)), checkout),
            Step("finetune", tuple(finetune), cwd=ws.path(OUTPUT)),
        )  # fmt: skip
        missing = None
        if checkout is None:
            missing = f"${DIR_VARIABLE} does not name an F5-TTS checkout"
        elif cli is None:
            missing = f"{CLI} is not on PATH (pip install -e {checkout})"
        elif python is None:
            missing = f"no python beside {cli}: set ${PYTHON_VARIABLE}"
        notes: tuple[str, ...] = (
            ("run the commands in your F5-TTS checkout",) if not checkout else ()
        )
        if options.init is None:
            notes += ("without --init, F5-TTS downloads F5TTS_v1_Base from Hugging Face",)
        return Plan(
            self.name, LICENCE, OUTPUT, steps, missing,
            links=((base / "data" / data.name, data), (base / "ckpts" / name, ckpts)),
            notes=notes,
        )  # fmt: skip

    def run(self, ws: Workspace, plan: Plan, options: Options) -> Outcome:
        output = run_steps(ws, plan)
        ckpts = plan.links[1][1]
        models = tuple(sorted(p for p in ckpts.glob("model_*.pt*") if p.is_file()))
        summary = f"F5-TTS checkpoints: {ckpts}" + ("" if models else " (none written)")
        return Outcome(self.name, output, models, summary)


def _checkout() -> Path | None:
    found = tool_dir(DIR_VARIABLE)
    return found if found is not None and (found / PREPARE).is_file() else None


def _python(cli: str | None) -> Path | None:
    """The interpreter F5-TTS is installed in: the variable, else the python beside its CLI."""
    named = os.environ.get(PYTHON_VARIABLE, "").strip()
    if named:
        return Path(named) if Path(named).is_file() else None
    if cli is None:
        return None
    beside = Path(cli).parent / "python"
    return beside if beside.is_file() else None
