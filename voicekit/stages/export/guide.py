"""The dataset folder's README: which file each training tool reads, and how."""

from __future__ import annotations

GUIDE = """\
voicekit dataset
================

{wavs:<25}clips: {rate} Hz mono {subtype}, {lufs:g} LUFS, peaks <= {peak:g} dBFS
manifest.jsonl           every kept clip: source, times, text, words, scores, split
rejected.jsonl           every rejected clip: filter, reason, scores{rejected_audio}
splits/*.txt             train / val / heldout wav lists (heldout = never trained on,
                         for judging the trained voice against real speech)
config.json              the configuration this dataset was made with
report.html              open in a browser: what was kept, what was rejected and why

Coqui TTS / XTTS    formatter "ljspeech", path = this folder,
                    meta_file_train = "metadata.csv", meta_file_val = "metadata_val.csv"
Piper (piper_train) --dataset-format ljspeech --single-speaker --input-dir <this folder>
Piper (piper.train) --data.csv_path <this folder>/metadata.csv --data.audio_dir <this folder>/wavs
GPT-SoVITS          training list = <this folder>/gptsovits.list, audio folder left empty
                    (paths are absolute; if you move the folder, set the audio folder to
                    <new place>/wavs/{speaker})
F5-TTS              python src/f5_tts/train/datasets/prepare_csv_wavs.py <this folder>/f5tts OUT

metadata.csv = train split; metadata_val.csv = validation split. Lists for tools without a
validation set (GPT-SoVITS, F5-TTS) hold train + validation. Held-out clips are in no list.
"""


def render(
    *, speaker: str, rate: int, subtype: str, lufs: float, peak: float, rejected_audio: bool
) -> str:
    extra = " (their audio under rejected/)" if rejected_audio else ""
    return GUIDE.format(
        wavs=f"wavs/{speaker}/*.wav",
        speaker=speaker,
        rate=rate,
        subtype=subtype,
        lufs=lufs,
        peak=peak,
        rejected_audio=extra,
    )
