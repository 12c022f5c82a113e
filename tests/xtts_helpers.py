"""A tiny randomly initialised XTTS-v2 (the real architecture: 2 GPT layers of width 64, coqui's
tortoise BPE, the full HiFi-GAN decoder) and the files its GPT trainer needs."""

from __future__ import annotations

from pathlib import Path


def tiny_xtts(folder: Path, max_audio_tokens: int = 40) -> Path:
    """model.pth, config.json and vocab.json of a random XTTS in ``folder``."""
    import torch
    import TTS
    from tokenizers import Tokenizer
    from TTS.tts.configs.xtts_config import XttsConfig
    from TTS.tts.layers.xtts.tokenizer import VoiceBpeTokenizer
    from TTS.tts.models.xtts import Xtts, XttsArgs

    folder.mkdir(parents=True)
    # tortoise's English BPE plus the language tokens XTTS puts before every text
    bpe_file = Tokenizer.from_file(
        str(Path(TTS.__file__).parent / "tts/utils/assets/tortoise/tokenizer.json")
    )
    bpe_file.add_special_tokens(["[en]", "[zh-cn]"])
    bpe_file.save(str(folder / "vocab.json"))
    bpe = VoiceBpeTokenizer(vocab_file=str(folder / "vocab.json"))
    args = XttsArgs(
        gpt_layers=2, gpt_n_model_channels=64, gpt_n_heads=2,
        gpt_number_text_tokens=bpe.get_number_tokens(),
        gpt_start_text_token=bpe.tokenizer.token_to_id("[START]"),
        gpt_stop_text_token=bpe.tokenizer.token_to_id("[STOP]"),
        gpt_max_audio_tokens=max_audio_tokens, gpt_max_text_tokens=80, gpt_max_prompt_tokens=70,
        gpt_num_audio_tokens=1026, gpt_start_audio_token=1024, gpt_stop_audio_token=1025,
        decoder_input_dim=64, gpt_use_perceiver_resampler=True,
    )  # fmt: skip  (XTTS-v2's audio codes: 1024 of the DVAE plus start and stop)
    config = XttsConfig(model_args=args, languages=["en", "zh-cn"])
    torch.manual_seed(0)
    torch.save({"model": Xtts(config).state_dict()}, folder / "model.pth")
    config.save_json(str(folder / "config.json"))
    return folder


def training_files(folder: Path) -> None:
    """dvae.pth (a random DVAE of the shape coqui's GPT trainer builds) and mel_stats.pth."""
    import torch
    from TTS.tts.layers.xtts.dvae import DiscreteVAE

    torch.manual_seed(1)
    dvae = DiscreteVAE(channels=80, normalization=None, positional_dims=1, num_tokens=1024,
                       codebook_dim=512, hidden_dim=512, num_resnet_blocks=3, kernel_size=3,
                       num_layers=2, use_transposed_convs=False)  # fmt: skip
    torch.save(dvae.state_dict(), folder / "dvae.pth")
    torch.save(torch.ones(80), folder / "mel_stats.pth")
