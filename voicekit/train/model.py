"""The coqui VITS config for a size preset, over voicekit's symbol inventory."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from voicekit.train.config import TrainConfig

if TYPE_CHECKING:
    from TTS.tts.configs.vits_config import VitsConfig

# Fixed sentences synthesised at each evaluation, one per language.
SAMPLE_SENTENCES: tuple[tuple[str, str], ...] = (
    ("en", "The quick brown fox jumps over the lazy dog."),
    ("zh", "今天天气很好。"),
)

# The CPU smoke-test model: ~16 M parameters, ~193 MB checkpoints. One discriminator period
# because the discriminator widths are fixed and five periods make even this model 49 M.
TINY_ARGS: dict[str, Any] = {
    "hidden_channels": 64,
    "hidden_channels_ffn_text_encoder": 128,
    "num_layers_text_encoder": 2,
    "num_layers_posterior_encoder": 4,
    "num_layers_flow": 2,
    "upsample_initial_channel_decoder": 64,
    "resblock_type_decoder": "2",
    "resblock_kernel_sizes_decoder": [3],
    "resblock_dilation_sizes_decoder": [[1, 3]],
    "spec_segment_size": 16,
    "periods_multi_period_discriminator": [2],
}


def vits_config(
    conf: TrainConfig, *, sample_rate: int, output: str, gpu: bool, has_val: bool, batch: int
) -> VitsConfig:
    """A VitsConfig that tokenises inventory code points one per token, nothing else."""
    from TTS.config.shared_configs import BaseAudioConfig
    from TTS.tts.configs.shared_configs import CharactersConfig
    from TTS.tts.configs.vits_config import VitsConfig
    from TTS.tts.models.vits import VitsArgs

    from voicekit.text import INVENTORY, encode

    args = VitsArgs(**TINY_ARGS) if conf.size == "tiny" else VitsArgs()
    workers = conf.loader_workers if conf.loader_workers >= 0 else (4 if gpu else 0)
    config = VitsConfig(
        model_args=args,
        audio=BaseAudioConfig(sample_rate=sample_rate),
        run_name="vits",
        output_path=output,
        batch_size=batch,
        eval_batch_size=batch,
        num_loader_workers=workers,
        num_eval_loader_workers=workers,
        run_eval=has_val,
        test_delay_epochs=0 if conf.sample_every_epoch else 10**9,
        epochs=1,
        mixed_precision=gpu and conf.mixed_precision,
        use_phonemes=False,
        text_cleaner="no_cleaners",
        characters=CharactersConfig(
            characters_class="TTS.tts.models.vits.VitsCharacters",
            characters=INVENTORY.characters,
            punctuations="",
            pad="<PAD>",
            eos="<EOS>",
            bos="<BOS>",
            blank="<BLNK>",
            phonemes=None,
        ),
        test_sentences=[[encode(text, lang).codes] for lang, text in SAMPLE_SENTENCES],
        save_step=conf.save_step,
        # coqui saves inside a step under the step's index (checkpoint_1000 after 1001 steps,
        # the final save after 1000 steps also as 1000) and adds one when it restores:
        # voicekit saves at the step's end, named by the steps done (loop._trainer_class)
        save_checkpoints=False,
        save_n_checkpoints=conf.keep_checkpoints,
        save_best_after=conf.best_after,
        save_all_best=True,  # voicekit keeps the newest train.keep_best of them (loop._keep_best)
        save_on_interrupt=True,
        print_step=100,  # coqui's loss table; voicekit's progress line runs every 30 s
        print_eval=False,
        dashboard_logger="tensorboard",
        training_seed=conf.seed,
        cudnn_benchmark=gpu and conf.cudnn_benchmark,
    )
    # AdamW as one fused kernel over all parameters: torch's default on a GPU ("foreach") reads
    # every parameter's step count back on the host, 838 of them in the full generator
    config.optimizer_params = {**config.optimizer_params, "fused": True}
    return config


def vits(config: VitsConfig) -> Any:
    """coqui's ``Vits`` for ``config``, without coqui's warning that it initialises "with
    English for text processing" when a config names no language: voicekit encodes every text
    itself (Mandarin and English), coqui only maps the codes to ids."""
    from TTS.tts.models.vits import Vits

    languages = logging.getLogger("TTS.tts.utils.languages")
    level = languages.level
    languages.setLevel(logging.ERROR)
    try:
        return Vits(config)
    finally:
        languages.setLevel(level)
