"""GPT-SoVITS (v2) fine-tuning through the user's own GPT-SoVITS checkout.

The steps are those of GPT-SoVITS's webui.py (tabs 1A "dataset formatting" and 1B "fine-tuned
training", RVC-Boss/GPT-SoVITS): ``GPT_SoVITS/prepare_datasets/1-get-text.py``,
``2-get-hubert-wav32k.py`` and ``3-get-semantic.py``, configured by environment variables
(inp_text, inp_wav_dir, exp_name, opt_dir, i_part, all_parts, bert_pretrained_dir,
cnhubert_base_dir, pretrained_s2G, s2config_path, is_half), the merge of their part files,
then ``GPT_SoVITS/s2_train.py --config S2.json`` (SoVITS) and ``GPT_SoVITS/s1_train.py
--config_file S1.yaml`` (GPT), whose configs are the checkout's ``configs/s2.json`` and
``configs/s1longer-v2.yaml`` with the fields the webui sets. Every output goes under the
workspace's ``train/gptsovits/``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
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

DIR_VARIABLE = "VOICEKIT_GPTSOVITS_DIR"  # the GPT-SoVITS checkout
PYTHON_VARIABLE = "VOICEKIT_GPTSOVITS_PYTHON"  # its interpreter (default: python on PATH)
OUTPUT = "train/gptsovits"
EXPERIMENT = "voicekit"
PRETRAINED = "GPT_SoVITS/pretrained_models"
V2 = f"{PRETRAINED}/gsv-v2final-pretrained"
S2_TEMPLATE = "GPT_SoVITS/configs/s2.json"
S1_TEMPLATE = "GPT_SoVITS/configs/s1longer-v2.yaml"
SOVITS_EPOCHS = 8  # the webui's defaults
GPT_EPOCHS = 15
LICENCE = (
    "GPT-SoVITS v2 pretrained weights (lj1995/GPT-SoVITS): MIT, like the code; the Chinese "
    "BERT and HuBERT feature models they use are Apache-2.0"
)


class GptSovitsBackend:
    name = "gptsovits"

    def prepare(self, ws: Workspace, options: Options) -> Plan:
        listing = dataset_file(ws, "gptsovits.list", self.name)
        checkout = tool_dir(DIR_VARIABLE)
        if checkout is not None and not (checkout / "GPT_SoVITS" / "s2_train.py").is_file():
            checkout = None
        python = _python()
        base = checkout or Path()  # unknown: commands relative to the checkout
        out = ws.path(OUTPUT)
        opt = out / "logs" / EXPERIMENT
        half = options.conf.mixed_precision and _has_gpu()
        env = {
            "inp_text": str(listing), "inp_wav_dir": "", "exp_name": EXPERIMENT,
            "opt_dir": str(opt), "i_part": "0", "all_parts": "1", "_CUDA_VISIBLE_DEVICES": "0",
            "is_half": str(half), "version": "v2",
            "bert_pretrained_dir": str(base / PRETRAINED / "chinese-roberta-wwm-ext-large"),
            "cnhubert_base_dir": str(base / PRETRAINED / "chinese-hubert-base"),
            "pretrained_s2G": str(base / V2 / "s2G2333k.pth"),
            "s2config_path": str(base / S2_TEMPLATE),
            # the webui puts these on sys.path (users.pth); the scripts import from them
            "PYTHONPATH": os.pathsep.join(str(base / p) for p in ("", "GPT_SoVITS", "tools")),
        }  # fmt: skip
        py = str(python or "python")
        prep = "GPT_SoVITS/prepare_datasets"
        steps = (
            Step("text", (py, "-s", f"{prep}/1-get-text.py"), checkout, env),
            Step("hubert", (py, "-s", f"{prep}/2-get-hubert-wav32k.py"), checkout, env),
            Step("semantic", (py, "-s", f"{prep}/3-get-semantic.py"), checkout, env),
            Step("merge", (sys.executable, "-m", __name__, str(opt))),
            Step("sovits", (py, "-s", "GPT_SoVITS/s2_train.py", "--config", str(out / "s2.json")),
                 checkout, {"PYTHONPATH": env["PYTHONPATH"]}),
            Step("gpt", (py, "-s", "GPT_SoVITS/s1_train.py", "--config_file",
                         str(out / "s1.yaml")), checkout,
                 {"PYTHONPATH": env["PYTHONPATH"], "_CUDA_VISIBLE_DEVICES": "0", "hz": "25hz"}),
        )  # fmt: skip
        missing = None
        if checkout is None:
            missing = f"${DIR_VARIABLE} does not name a GPT-SoVITS checkout"
        elif python is None:
            missing = f"no python on PATH: set ${PYTHON_VARIABLE} to GPT-SoVITS's interpreter"
        notes = (
            "run the commands in your GPT-SoVITS checkout",
            f"s2.json and s1.yaml are the checkout's {S2_TEMPLATE} and {S1_TEMPLATE} with the "
            "fields the webui sets; voicekit writes them when it runs the plan",
            "or use the webui: training list = " + str(listing) + ", audio folder left empty",
        )
        return Plan(self.name, LICENCE, OUTPUT, steps, missing, notes=notes)

    def run(self, ws: Workspace, plan: Plan, options: Options) -> Outcome:
        checkout = plan.steps[0].cwd
        if checkout is None:
            raise InputError(f"${DIR_VARIABLE} is not set")
        out = ws.record(OUTPUT, "checkpoint")
        out.mkdir(parents=True, exist_ok=True)
        half = plan.steps[0].env["is_half"] == "True"
        _write_configs(checkout, out, options.epochs, options.conf.batch_size, half)
        output = run_steps(ws, plan)
        models = tuple(sorted(p for p in (output / "weights").rglob("*") if p.suffix in
                              (".pth", ".ckpt")))  # fmt: skip
        return Outcome(self.name, output, models, f"GPT-SoVITS weights: {output / 'weights'}")


def _write_configs(checkout: Path, out: Path, epochs: int | None, batch: int, half: bool) -> None:
    """s2.json and s1.yaml: the checkout's templates with the fields webui.py sets."""
    import yaml

    opt = out / "logs" / EXPERIMENT
    s2 = json.loads((checkout / S2_TEMPLATE).read_text(encoding="utf-8"))
    s2["train"].update(
        batch_size=batch or 4, epochs=epochs or SOVITS_EPOCHS, text_low_lr_rate=0.4,
        pretrained_s2G=str(checkout / V2 / "s2G2333k.pth"),
        pretrained_s2D=str(checkout / V2 / "s2D2333k.pth"), if_save_latest=True,
        if_save_every_weights=True, save_every_epoch=epochs or SOVITS_EPOCHS, gpu_numbers="0",
    )  # fmt: skip
    if not half:
        s2["train"]["fp16_run"] = False
    s2.setdefault("model", {})["version"] = "v2"
    s2["data"]["exp_dir"] = s2["s2_ckpt_dir"] = str(opt)
    s2.update(save_weight_dir=str(out / "weights" / "sovits"), name=EXPERIMENT, version="v2")
    (out / "s2.json").write_text(json.dumps(s2, indent=1), encoding="utf-8")

    s1 = yaml.safe_load((checkout / S1_TEMPLATE).read_text(encoding="utf-8"))
    s1["train"].update(
        batch_size=batch or 6, epochs=epochs or GPT_EPOCHS, precision="16-mixed" if half else "32",
        save_every_n_epoch=epochs or GPT_EPOCHS, if_save_every_weights=True,
        if_save_latest=True, if_dpo=False, half_weights_save_dir=str(out / "weights" / "gpt"),
        exp_name=EXPERIMENT,
    )  # fmt: skip
    s1.update(
        pretrained_s1=str(checkout / V2 / "s1bert25hz-5kh-longer-epoch=12-step=369668.ckpt"),
        train_semantic_path=str(opt / "6-name2semantic.tsv"),
        train_phoneme_path=str(opt / "2-name2text.txt"), output_dir=str(opt / "logs_s1"),
    )  # fmt: skip
    (out / "s1.yaml").write_text(yaml.safe_dump(s1, allow_unicode=True), encoding="utf-8")


def merge_parts(opt: Path) -> None:
    """Join the prepare scripts' part files as the webui does (one part: i_part 0)."""
    text = opt / "2-name2text-0.txt"
    (opt / "2-name2text.txt").write_text(text.read_text(encoding="utf-8"), encoding="utf-8")
    semantic = (opt / "6-name2semantic-0.tsv").read_text(encoding="utf-8")
    (opt / "6-name2semantic.tsv").write_text(
        "item_name\tsemantic_audio\n" + semantic, encoding="utf-8"
    )


def _python() -> Path | None:
    named = os.environ.get(PYTHON_VARIABLE, "").strip()
    if named:
        return Path(named) if Path(named).is_file() else None
    found = shutil.which("python") or shutil.which("python3")
    return Path(found) if found else None


def _has_gpu() -> bool:
    from voicekit.train.gpu import free_gpu_bytes

    return free_gpu_bytes() is not None


if __name__ == "__main__":
    merge_parts(Path(sys.argv[1]))
