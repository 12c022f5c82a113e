"""Randomly initialised models of the real GPU-backend architectures, saved the way voicekit
loads real weights: a demucs repository bag and a pyannote pipeline folder.

No model hub is reachable where voicekit is developed, so the tests (tiny sizes) and the GPU
benchmark (full sizes, for honest timings) build these. Their outputs are meaningless.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

PYANNOTE_RATE = 16000

# htdemucs as published (demucs's conf: 7.8 s segments, a 512-channel transformer bottom)
HTDEMUCS = dict(sources=["drums", "bass", "other", "vocals"], samplerate=44100, audio_channels=2,
                segment=7.8, bottom_channels=512)
# a tiny HTDemucs for tests: 8 channels, no transformer
TINY_HTDEMUCS = dict(sources=["drums", "bass", "other", "vocals"], samplerate=44100,
                     audio_channels=2, channels=8, t_layers=0, segment=2)


def demucs_repo(folder: Path, name: str, kwargs: dict[str, Any], seed: int = 0,
                file: str = "a1b2c3d4.th") -> Path:
    """Write a one-model bag `name` (`<name>.yaml` + `file`, named `<signature>.th` or
    `<signature>-<hash prefix>.th` as demucs names them) of a random HTDemucs."""
    import torch
    from demucs.htdemucs import HTDemucs
    from demucs.states import get_state

    torch.manual_seed(seed)
    model = HTDemucs(**kwargs)
    folder.mkdir(parents=True, exist_ok=True)
    package = {"klass": HTDemucs, "args": (), "kwargs": kwargs, "state": get_state(model, None)}
    torch.save(package, folder / file)
    signature = file.removesuffix(".th").split("-")[0]
    (folder / f"{name}.yaml").write_text(f"models: ['{signature}']\n", encoding="utf-8")
    return folder


def _save_lightning(model: Any, path: Path) -> None:
    """A checkpoint as pyannote's `Model.from_pretrained` reads it (lightning's layout)."""
    import lightning
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    ckpt = {"state_dict": model.state_dict(), "hyper_parameters": dict(model.hparams),
            "pytorch-lightning_version": lightning.__version__}
    model.on_save_checkpoint(ckpt)
    torch.save(ckpt, path)


def pyannote_pipeline(root: Path, full: bool, step: float) -> Path:
    """Write a random-weight pyannote pipeline folder in the layout of
    speaker-diarization-community-1 (config.yaml, segmentation/, embedding/, plda/).

    `full`: the published sizes (PyanNet with a 4-layer 128-unit LSTM over 10 s windows, a
    128-dimensional PLDA); else a small LSTM over 5 s windows. The segmentation classifier's
    bias makes speakers 1 and 2 active everywhere, so the embedding and clustering steps do
    their usual amount of work. `step`: the segmentation window step (share of a window).
    """
    import torch
    import yaml

    from voicekit.stages.diarize.pyannote import import_pyannote

    import_pyannote()
    from pyannote.audio.core.task import Problem, Resolution, Specifications
    from pyannote.audio.models.embedding import WeSpeakerResNet34
    from pyannote.audio.models.segmentation import PyanNet

    torch.manual_seed(0)
    if full:
        seg = PyanNet(sample_rate=PYANNOTE_RATE)
        duration, dim, lda = 10.0, 256, 128
    else:
        seg = PyanNet(sincnet={"stride": 10}, lstm={"hidden_size": 32, "num_layers": 1},
                      linear={"hidden_size": 32, "num_layers": 1}, sample_rate=PYANNOTE_RATE)
        duration, dim, lda = 5.0, 256, 16
    seg.specifications = Specifications(
        problem=Problem.MONO_LABEL_CLASSIFICATION, resolution=Resolution.FRAME, duration=duration,
        classes=["spk1", "spk2", "spk3"], powerset_max_classes=2, permutation_invariant=True)
    seg.build()
    with torch.no_grad():  # powerset classes: {}, {1}, {2}, {3}, {1,2}, {1,3}, {2,3}
        seg.classifier.bias.copy_(torch.tensor([-6.0, 1.0, 1.0, -6.0, 1.0, -6.0, -6.0]))
    _save_lightning(seg, root / "segmentation" / "pytorch_model.bin")
    emb = WeSpeakerResNet34(sample_rate=PYANNOTE_RATE)
    emb.specifications = Specifications(problem=Problem.REPRESENTATION,
                                        resolution=Resolution.CHUNK, duration=duration)
    _save_lightning(emb, root / "embedding" / "pytorch_model.bin")
    rng = np.random.default_rng(0)
    (root / "plda").mkdir(parents=True, exist_ok=True)
    np.savez(root / "plda" / "xvec_transform.npz", mean1=np.zeros(dim), mean2=np.zeros(lda),
             lda=rng.standard_normal((dim, lda)) * 0.1)
    np.savez(root / "plda" / "plda.npz", mu=np.zeros(lda), tr=np.eye(lda),
             psi=np.linspace(2.0, 0.5, lda))
    config = {
        "dependencies": {"pyannote.audio": "4.0.0"},
        "pipeline": {"name": "pyannote.audio.pipelines.SpeakerDiarization", "params": {
            "clustering": "VBxClustering", "embedding": "$model/embedding",
            "embedding_exclude_overlap": True, "plda": "$model/plda",
            "segmentation": "$model/segmentation", "segmentation_step": step}},
        "params": {"clustering": {"Fa": 0.07, "Fb": 0.8, "threshold": 0.6},
                   "segmentation": {"min_duration_off": 0.0}},
    }
    (root / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return root


# Whisper's language tokens in the published order (their ids follow it, so it is not sorted)
_WHISPER_LANGUAGES = (
    "en", "zh", "de", "es", "ru", "ko", "fr", "ja", "pt", "tr", "pl", "ca", "nl", "ar", "sv", "it",
    "id", "hi", "fi", "vi", "he", "uk", "el", "ms", "cs", "ro", "da", "hu", "ta", "no", "th", "ur",
    "hr", "bg", "lt", "la", "mi", "ml", "cy", "sk", "te", "fa", "lv", "bn", "sr", "az", "sl", "kn",
    "et", "mk", "br", "eu", "is", "hy", "ne", "mn", "bs", "kk", "sq", "sw", "gl", "mr", "pa", "si",
    "km", "sn", "yo", "so", "af", "oc", "ka", "be", "tg", "sd", "gu", "am", "yi", "lo", "uz", "fo",
    "ht", "ps", "tk", "nn", "mt", "sa", "lb", "my", "bo", "tl", "mg", "as", "tt", "haw", "ln",
    "ha", "ba", "jw", "su", "yue",
)
_WHISPER_TEXT_TOKENS = 50257  # <|endoftext|> follows them, as in the multilingual vocabulary

# Whisper sizes (transformers WhisperConfig fields): a tiny test model and large-v3 as published
TINY_WHISPER: dict[str, Any] = dict(
    num_mel_bins=80, d_model=64, encoder_layers=2, encoder_attention_heads=2, decoder_layers=2,
    decoder_attention_heads=2, encoder_ffn_dim=128, decoder_ffn_dim=128)
LARGE_V3_WHISPER: dict[str, Any] = dict(
    num_mel_bins=128, d_model=1280, encoder_layers=32, encoder_attention_heads=20,
    decoder_layers=32, decoder_attention_heads=20, encoder_ffn_dim=5120, decoder_ffn_dim=5120)


def whisper_model(folder: Path, dims: dict[str, Any] | None = None,
                  quantization: str = "int8") -> Path:
    """Write a random Whisper of `dims` (default `TINY_WHISPER`: 2+2 layers, d_model 64) as a
    CTranslate2 folder that faster-whisper loads offline, stored as `quantization`, and return
    `folder`.

    The tokenizer is a small byte-level BPE padded with unused tokens so the special tokens sit
    at the multilingual Whisper ids (51,866 tokens, zh and en language tokens included);
    tokenizer.json is copied into the folder, without it faster-whisper goes to the hub.
    CTranslate2 reports `is_multilingual=False` for this model, so faster-whisper forces any
    language (zh included) to en and cannot detect one. Its transcripts are random tokens.
    """
    import json
    import tempfile

    import torch
    from ctranslate2.converters import TransformersConverter
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import (
        GenerationConfig,
        PreTrainedTokenizerFast,
        WhisperConfig,
        WhisperForConditionalGeneration,
    )

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    corpus = ["the quick brown fox jumps over the lazy dog", "你好，这是语音工具包的测试。"]
    tok.train_from_iterator(corpus * 10, trainers.BpeTrainer(
        vocab_size=400, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False))
    tok.add_special_tokens([f"<|unused{i}|>"
                            for i in range(_WHISPER_TEXT_TOKENS - tok.get_vocab_size())])
    tok.add_special_tokens(
        ["<|endoftext|>", "<|startoftranscript|>", *(f"<|{c}|>" for c in _WHISPER_LANGUAGES),
         "<|translate|>", "<|transcribe|>", "<|startoflm|>", "<|startofprev|>", "<|nospeech|>",
         "<|notimestamps|>", *(f"<|{i * 0.02:.2f}|>" for i in range(1501))])
    ids = tok.get_vocab()
    eot, sot = ids["<|endoftext|>"], ids["<|startoftranscript|>"]
    dims = dims or TINY_WHISPER
    config = WhisperConfig(
        vocab_size=tok.get_vocab_size(), **dims, max_source_positions=1500,
        max_target_positions=448, pad_token_id=eot, bos_token_id=eot, eos_token_id=eot,
        decoder_start_token_id=sot)
    torch.manual_seed(0)
    model = WhisperForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        decoder_start_token_id=sot, eos_token_id=eot, pad_token_id=eot, suppress_tokens=[],
        begin_suppress_tokens=[eot], max_length=448, alignment_heads=[[1, 0], [1, 1]],
        no_timestamps_token_id=ids["<|notimestamps|>"],
        lang_to_id={f"<|{c}|>": ids[f"<|{c}|>"] for c in _WHISPER_LANGUAGES})
    with tempfile.TemporaryDirectory() as hf:
        model.save_pretrained(hf)
        PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>",
                                eos_token="<|endoftext|>", unk_token="<|endoftext|>",
                                pad_token="<|endoftext|>").save_pretrained(hf)
        TransformersConverter(hf, copy_files=["tokenizer.json"]).convert(
            str(folder), quantization=quantization, force=True)
    # faster-whisper's feature extractor settings for the model's mel bins
    (folder / "preprocessor_config.json").write_text(json.dumps(
        {"feature_size": dims["num_mel_bins"], "sampling_rate": 16000, "hop_length": 160,
         "chunk_length": 30, "n_fft": 400}), encoding="utf-8")
    return folder
