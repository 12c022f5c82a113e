"""XTTS-v2 fine-tuning (its GPT part) through coqui-tts, from weights the user has locally.

Follows coqui's recipe recipes/ljspeech/xtts_v2/train_gpt_xtts.py (idiap/coqui-ai-TTS): the
GPTArgs, audio config and optimiser settings are the recipe's, the data is the export's
LJSpeech ``metadata.csv`` / ``metadata_val.csv`` (coqui's ``ljspeech`` formatter). The recipe
downloads the weights; voicekit never does: they must be in ``--init DIR``, the models home's
``xtts-v2`` folder or coqui's own model folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from voicekit.errors import ModelNotFoundError, StageError
from voicekit.models.registry import XTTS_FILES
from voicekit.train.backends.base import Options, Outcome, Plan, dataset_file
from voicekit.workspace import Workspace

# model.pth (GPT + decoder), vocab.json (tokenizer), dvae.pth and mel_stats.pth (audio codes
# for training), config.json (for synthesis afterwards): the files of coqui/XTTS-v2
FILES = XTTS_FILES
NAME = "xtts-v2"
OUTPUT = "train/xtts"
DEFAULT_EPOCHS = 10  # more passes over the clips per run when --epochs is not given
MANIFEST = "voicekit.json"  # in OUTPUT: the base weights folder, for `voicekit speak`
LICENCE = "XTTS-v2 weights: Coqui Public Model License 1.0.0, non-commercial use only"
FIX = (
    f"voicekit models fetch {NAME} (needs internet; accept the CPML on huggingface.co first), "
    "or download model.pth, config.json, vocab.json, dvae.pth and mel_stats.pth from "
    "huggingface.co/coqui/XTTS-v2 and pass the folder with --init"
)


def weights_folder(init: Path | None) -> Path:
    """The first folder holding all of ``FILES``: ``init`` (a folder, or the name "xtts-v2"
    for the known places).

    Raises:
        ModelNotFoundError: none does; names the files and every folder looked in.
    """
    from voicekit.models import store
    from voicekit.models.resolve import find

    if init is not None and str(init) != NAME:
        places = [init.expanduser()]
    else:  # the models home (voicekit models fetch/import), Hugging Face's cache, coqui's
        found = find(NAME, None)
        places = [*([found[0]] if found else []), store.home(None) / NAME, _coqui_folder()]
    for place in places:
        if all((place / f).is_file() for f in FILES):
            return place
    raise ModelNotFoundError(f"{NAME} ({', '.join(FILES)})", [str(p) for p in places], FIX)


def _coqui_folder() -> Path:
    """Where coqui's own `tts --model_name ...xtts_v2` download puts the model."""
    from voicekit.models.resolve import coqui_models

    return coqui_models() / "tts_models--multilingual--multi-dataset--xtts_v2"


def language(metadata: Path) -> str:
    """XTTS's language code for the clips: zh-cn when most texts hold Han characters."""
    lines = [ln for ln in metadata.read_text(encoding="utf-8").splitlines() if ln.strip()]
    han = sum(any("\u4e00" <= ch <= "\u9fff" for ch in ln) for ln in lines)
    return "zh-cn" if han * 2 > len(lines) else "en"


# the model's shape, taken from the weights' config.json (the recipe writes XTTS-v2's values)
ARCHITECTURE = (
    "gpt_layers", "gpt_n_model_channels", "gpt_n_heads", "gpt_number_text_tokens",
    "gpt_start_text_token", "gpt_stop_text_token", "gpt_max_audio_tokens", "gpt_max_text_tokens",
    "gpt_max_prompt_tokens", "gpt_code_stride_len", "gpt_num_audio_tokens",
    "gpt_start_audio_token", "gpt_stop_audio_token", "gpt_use_perceiver_resampler",
    "decoder_input_dim", "d_vector_dim", "cond_d_vector_in_each_upsampling_layer",
    "input_sample_rate", "output_sample_rate", "output_hop_length",
)  # fmt: skip


def architecture(weights: Path) -> dict[str, Any]:
    """The shape of the model in ``weights`` as its config.json states it."""
    args = json.loads((weights / "config.json").read_text(encoding="utf-8")).get("model_args")
    return {key: args[key] for key in ARCHITECTURE if key in (args or {})}


def gpt_config(dataset: Path, weights: Path, output: Path, options: Options) -> Any:
    """The coqui GPTTrainerConfig of the recipe for this dataset and these weights."""
    from TTS.config.shared_configs import BaseDatasetConfig
    from TTS.tts.configs.xtts_config import XttsAudioConfig
    from TTS.tts.layers.xtts.trainer.gpt_trainer import GPTArgs, GPTTrainerConfig

    lang = language(dataset / "metadata.csv")
    data = BaseDatasetConfig(
        formatter="ljspeech", dataset_name="voicekit", path=str(dataset),
        meta_file_train="metadata.csv", meta_file_val="metadata_val.csv", language=lang,
    )  # fmt: skip
    recipe: dict[str, Any] = dict(
        max_conditioning_length=132300, min_conditioning_length=66150,
        debug_loading_failures=False, max_wav_length=255995, max_text_length=200,
        mel_norm_file=str(weights / "mel_stats.pth"), dvae_checkpoint=str(weights / "dvae.pth"),
        xtts_checkpoint=str(weights / "model.pth"), tokenizer_file=str(weights / "vocab.json"),
        gpt_num_audio_tokens=1026, gpt_start_audio_token=1024, gpt_stop_audio_token=1025,
        gpt_use_masking_gt_prompt_approach=True, gpt_use_perceiver_resampler=True,
    )  # fmt: skip
    args = GPTArgs(**{**recipe, **architecture(weights)})
    batch = options.conf.batch_size or 3
    return GPTTrainerConfig(
        output_path=str(output), model_args=args, run_name="xtts", project_name="voicekit",
        datasets=[data], dashboard_logger="tensorboard",
        audio=XttsAudioConfig(sample_rate=22050, dvae_sample_rate=22050,
                              output_sample_rate=24000),
        batch_size=batch, batch_group_size=48, eval_batch_size=batch,
        num_loader_workers=max(options.conf.loader_workers, 0), print_step=50, plot_step=100,
        log_model_step=1000, save_step=options.conf.save_step,
        save_n_checkpoints=options.conf.keep_checkpoints, save_checkpoints=True,
        print_eval=False, optimizer="AdamW", optimizer_wd_only_on_weights=True,
        optimizer_params={"betas": [0.9, 0.96], "eps": 1e-8, "weight_decay": 1e-2}, lr=5e-06,
        lr_scheduler="MultiStepLR",
        lr_scheduler_params={"milestones": [50000 * 18, 150000 * 18, 300000 * 18],
                             "gamma": 0.5, "last_epoch": -1},
        epochs=options.epochs or DEFAULT_EPOCHS,
    )  # fmt: skip


class XttsBackend:
    name = "xtts"

    def prepare(self, ws: Workspace, options: Options) -> Plan:
        dataset_file(ws, "metadata.csv", self.name)
        dataset_file(ws, "metadata_val.csv", self.name)
        weights_folder(options.init)  # raises before anything is built
        return Plan(self.name, LICENCE, OUTPUT)

    def run(self, ws: Workspace, plan: Plan, options: Options) -> Outcome:
        from trainer import Trainer, TrainerArgs
        from TTS.tts.datasets import load_tts_samples
        from TTS.tts.layers.xtts.trainer.gpt_trainer import GPTTrainer

        from voicekit.train import checkpoints, consent
        from voicekit.train.clips import read_clips_with_soundfile
        from voicekit.train.interrupt import interruptible, stop_error, terminate_as_interrupt
        from voicekit.train.loop import resumable_run, run_name

        consent.require(ws)
        read_clips_with_soundfile()
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        weights = weights_folder(options.init)
        output = ws.record(plan.output, "checkpoint")
        output.mkdir(parents=True, exist_ok=True)
        # `voicekit speak` loads the fine-tuned GPT with the base model's config and vocabulary
        manifest = ws.record(f"{plan.output}/{MANIFEST}", "log")
        manifest.write_text(json.dumps({"weights": str(weights.resolve())}) + "\n", "utf-8")
        config = gpt_config(ws.path("dataset"), weights, output, options)
        config.run_name = run_name("xtts", output)
        train, val = load_tts_samples(config, eval_split=True)
        model = GPTTrainer(config)
        previous = resumable_run(ws, plan.output) if options.resume else None
        # the recipe's effective batch: batch * accumulation >= 252
        with checkpoints.resumed_by_name():
            trainer = interruptible(Trainer)(
                TrainerArgs(
                    continue_path=str(previous or ""), restore_path="",
                    grad_accum_steps=max(1, 252 // config.batch_size),
                ),
                config, output_path=str(output), model=model, train_samples=train,
                eval_samples=val, parse_command_line_args=False,
            )  # fmt: skip
        trainer.config.epochs = trainer.epochs_done + (options.epochs or DEFAULT_EPOCHS)
        try:
            with terminate_as_interrupt():
                trainer.fit()
        except SystemExit as stop:  # coqui's fit() turns every failure into sys.exit(1)
            raise StageError(
                f"XTTS training failed (exit {stop.code})", f"see the log under {output}"
            ) from None
        ended = stop_error(trainer, Path(trainer.output_path), config.batch_size)
        if ended is None:
            trainer.save_checkpoint()  # coqui saves only every save_step: the next run resumes here
        for path in sorted(p for p in output.rglob("*") if p.is_file()):
            ws.record(ws.rel(path), "checkpoint" if path.suffix == ".pth" else "log")
        if ended is not None:
            raise ended
        models = tuple(sorted(output.rglob("best_model*.pth")) or sorted(output.rglob("*.pth")))
        return Outcome(
            self.name,
            output,
            models,
            f"XTTS run: {output} (`voicekit speak` uses its newest checkpoint with the base "
            f"model's config.json and vocab.json in {weights})",
        )
