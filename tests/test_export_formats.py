"""The export stage: every training format read back the way its tool reads it, clip audio
levels and fades, the split, and nothing dropped."""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf
from export_helpers import Built, build, run_export, speechlike

from voicekit.config import Config
from voicekit.config import build as build_config
from voicekit.manifest import Segment
from voicekit.stages.export import clips, split
from voicekit.stages.export.text import normalise_text, spoken_form

TARGET_LUFS = -20.0


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, list[Segment], Path]:
    built = build(tmp_path_factory.mktemp("export") / "ws")
    out = run_export(built)
    return built, out, built.ws.root / "dataset"


def manifest_records(dataset: Path, name: str = "manifest.jsonl") -> list[dict]:
    return [json.loads(line) for line in (dataset / name).read_text("utf-8").splitlines()]


def test_coqui_ljspeech_formatter_reads_train_and_val(exported) -> None:
    formatters = pytest.importorskip("TTS.tts.datasets.formatters")
    _, _, dataset = exported
    records = {r["audio"]: r for r in manifest_records(dataset)}
    for meta, split_name in (("metadata.csv", "train"), ("metadata_val.csv", "val")):
        items = formatters.ljspeech(str(dataset), meta)
        expected = [r for r in records.values() if r["split"] == split_name]
        assert len(items) == len(expected) > 0
        for item in items:
            wav = Path(item["audio_file"])
            assert wav.is_file()
            record = records[wav.relative_to(dataset).as_posix()]
            assert item["text"].strip() == record["normalized_text"]


def test_piper_csv_reader_finds_audio_and_text(exported) -> None:
    _, _, dataset = exported
    records = {r["audio"]: r for r in manifest_records(dataset)}
    with open(dataset / "metadata.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="|"))
    assert rows and all(len(row) == 3 for row in rows)
    for row in rows:
        wav = dataset / "wavs" / f"{row[0]}.wav"  # piper: wav_dir / f"{utt_id}.wav"
        assert wav.is_file()
        assert row[-1] == records[wav.relative_to(dataset).as_posix()]["normalized_text"]


def test_gptsovits_list_has_four_fields_absolute_paths_and_no_heldout(exported) -> None:
    _, _, dataset = exported
    records = {r["audio"]: r for r in manifest_records(dataset)}
    lines = (dataset / "gptsovits.list").read_text("utf-8").strip("\n").split("\n")
    trainable = [r for r in records.values() if r["split"] != "heldout"]
    assert len(lines) == len(trainable)
    for line in lines:
        wav_name, speaker, language, text = line.split("|")  # as GPT-SoVITS unpacks it
        path = Path(wav_name)
        assert path.is_absolute() and path.is_file()
        record = records[path.relative_to(dataset).as_posix()]
        assert (speaker, language) == ("target", record["language"])
        assert text == record["text"]
    assert any(line.endswith("|他说好") for line in lines)  # a "|" in the transcript is gone


def test_f5tts_prepare_script_layout(exported) -> None:
    _, _, dataset = exported
    folder = dataset / "f5tts"
    # prepare_csv_wavs.is_csv_wavs_format
    assert (folder / "metadata.csv").is_file() and (folder / "wavs").is_dir()
    with open(folder / "metadata.csv", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter="|")
        assert next(reader) == ["audio_file", "text"]
        pairs = [(folder / row[0].strip(), row[1].strip()) for row in reader if len(row) >= 2]
    records = manifest_records(dataset)
    assert len(pairs) == sum(r["split"] != "heldout" for r in records)
    for path, text in pairs:
        assert sf.info(str(path)).duration > 0 and text


def test_manifest_and_rejected_cover_every_clip(exported) -> None:
    built, out, dataset = exported
    kept = manifest_records(dataset)
    rejected = manifest_records(dataset, "rejected.jsonl")
    assert {r["id"] for r in kept} == {c.id for c in built.clips if c.kept}
    assert {r["id"] for r in rejected} == {c.id for c in built.clips if not c.kept}
    first = next(r for r in kept if r["id"] == "film_a_000001.00-000004.00")
    assert first["raw_text"] == "這是第1個測試, 好嗎?"
    assert first["text"] == "这是第1个测试，好吗？"
    assert first["normalized_text"] == "这是第一个测试，好吗？"
    assert first["words"][0]["start"] == pytest.approx(1.1)
    assert first["scores"]["snr_db"] == 20.0 and first["source"] == "/films/film_a.mkv"
    assert all(r["filter"] and r["reason"] and r["audio"] is None for r in rejected)
    # the stage returns every clip, kept ones pointing at their wav
    assert len(out) == len(built.clips)
    for seg in out:
        assert seg.kept == bool(seg.custom.get("clip"))
        if seg.kept:
            assert (dataset / seg.custom["clip"]).is_file()
    # the resolved config loads back into the same Config
    saved = json.loads((dataset / "config.json").read_text("utf-8"))
    assert build_config(Config, saved) == Config()


def test_clips_are_loud_enough_unclipped_and_faded(exported) -> None:
    _, _, dataset = exported
    wavs = sorted((dataset / "wavs" / "target").glob("*.wav"))
    assert len(wavs) == len(manifest_records(dataset))
    for wav in wavs:
        info = sf.info(str(wav))
        assert (info.samplerate, info.channels, info.subtype) == (24000, 1, "PCM_16")
        ints, rate = sf.read(str(wav), dtype="int16")
        assert np.abs(ints.astype(np.int32)).max() < 32767
        samples = ints / 32768.0
        loud = pyloudnorm.Meter(rate).integrated_loudness(samples)
        assert abs(loud - TARGET_LUFS) <= 1.0, (wav.name, loud)
        edge = int(0.002 * rate)  # first/last 2 ms sit inside the 10 ms fade
        middle_peak = np.abs(samples[rate // 2 : rate]).max()
        assert np.abs(samples[:edge]).max() < 0.2 * middle_peak
        assert np.abs(samples[-edge:]).max() < 0.2 * middle_peak
    # the quiet film needed a large gain, the loud one an attenuation
    gains = {r["recording_id"]: r["gain_db"] for r in manifest_records(dataset)}
    assert gains["film_a"] > 20 and gains["film_b"] < 0


def test_limiter_keeps_loudness_without_clipping() -> None:
    rate = 24000
    speech = speechlike(3.0, rate, 0.05, seed=7)
    speech[rate::rate // 2][:4] = 0.9  # isolated full-level clicks: a gain would clip them
    result = clips.process(speech, rate, target_lufs=TARGET_LUFS, peak_dbfs=-1.0,
                           max_gain_db=30.0, fade_s=0.01)
    assert result.limited
    assert np.abs(result.samples).max() <= 10 ** (-1 / 20) + 1e-6
    assert abs(clips.loudness(result.samples, rate) - TARGET_LUFS) <= 1.0


def test_silence_is_not_amplified() -> None:
    rate = 24000
    result = clips.process(np.zeros(rate * 2, np.float32), rate, target_lufs=TARGET_LUFS,
                           peak_dbfs=-1.0, max_gain_db=30.0, fade_s=0.01)
    assert result.gain_db == 0.0 and not result.samples.any()


def fake_clips(count: int = 120, seed: int = 3) -> list[Segment]:
    """Clips of three recordings, in runs of neighbours separated by pauses of 0.2 s to 8 s."""
    rng = random.Random(seed)
    out = []
    for rid in ("r1", "r2", "r3"):
        t = 0.0
        for _ in range(count // 3):
            duration = rng.uniform(1.5, 9.0)
            out.append(Segment(f"{rid}_{t:.2f}", rid, t, duration, "x.wav"))
            t += duration + rng.choice([0.2, 0.5, 1.0, 4.0, 8.0])
    return out


def test_split_is_deterministic_and_keeps_neighbours_together() -> None:
    segs = fake_clips()
    first = split.assign(segs, val_fraction=0.1, heldout_fraction=0.05, gap_s=3.0)
    shuffled = segs[:]
    random.Random(1).shuffle(shuffled)
    assert split.assign(shuffled, val_fraction=0.1, heldout_fraction=0.05, gap_s=3.0) == first
    by_id = {s.id: s for s in segs}
    for a in segs:
        for b in segs:
            if a.recording_id == b.recording_id and first[a.id] != first[b.id]:
                gap = max(a.start, b.start) - min(a.end, b.end)
                assert gap >= 3.0, (a.id, b.id)
    seconds: dict[str, float] = defaultdict(float)
    for clip_id, name in first.items():
        seconds[name] += by_id[clip_id].duration
    total = sum(seconds.values())
    assert 0.05 <= seconds["val"] / total <= 0.2
    assert 0.02 <= seconds["heldout"] / total <= 0.1


def test_split_never_gives_a_single_block_away() -> None:
    one_run = [Segment(f"r_{i}", "r", i * 3.0, 2.9, "x.wav") for i in range(10)]
    result = split.assign(one_run, val_fraction=0.05, heldout_fraction=0.05, gap_s=3.0)
    assert set(result.values()) == {"train"}


def test_exported_split_has_no_leak(exported) -> None:
    _, _, dataset = exported
    records = manifest_records(dataset)
    gap = Config().export.split_gap_s
    for a in records:
        for b in records:
            if a["recording_id"] == b["recording_id"] and a["split"] != b["split"]:
                assert max(a["start"], b["start"]) - min(a["end"], b["end"]) >= gap
    lists = {n: (dataset / "splits" / f"{n}.txt").read_text("utf-8").split() for n in split.SPLITS}
    listed = sorted(p for paths in lists.values() for p in paths)
    assert listed == sorted(r["audio"] for r in records)
    assert lists["val"] and lists["heldout"]


@pytest.mark.parametrize(
    ("text", "language", "script", "expected"),
    [
        ("這是 一個 測試, 價格是1,000元.", "zh", "simplified", "这是一个测试，价格是1,000元。"),
        ("這是測試.", "zh", "keep", "這是測試。"),
        ("ＡＢＣ１２３　好!", "zh", "simplified", "ABC123好！"),
        ("Hello，world。 Fine？", "en", "simplified", "Hello, world. Fine?"),
        ("我说...好吧", None, "simplified", "我说…好吧"),
    ],
)
def test_text_normalisation(text: str, language: str | None, script: str, expected: str) -> None:
    assert normalise_text(text, language, script) == expected


def test_spoken_form_spells_numbers() -> None:
    assert spoken_form("价格是1,000元", "zh") == "价格是一千元"
    assert spoken_form("See you at 3.", "en") == "See you at three."


def test_keep_rejected_audio_and_clips_export_cannot_use(tmp_path: Path) -> None:
    built = build(tmp_path / "ws")
    broken = built.clips[0].with_(audio="stages/separate/fake/missing.wav")
    silent = built.clips[1].with_(text=None)
    changed = {broken.id: broken, silent.id: silent}
    built.segments = [changed.get(s.id, s) for s in built.segments]
    conf = build_config(Config, {"export": {"keep_rejected_audio": True}})
    out = run_export(built, conf)
    dataset = built.ws.root / "dataset"
    by_id = {s.id: s for s in out}
    for seg, why in ((broken, "audio not readable"), (silent, "no transcript")):
        reject = by_id[seg.id].rejected
        assert reject is not None and reject.filter == "export" and why in reject.reason
    rejected = manifest_records(dataset, "rejected.jsonl")
    assert broken.id in {r["id"] for r in rejected}
    with_audio = [r for r in rejected if r["audio"]]
    assert len(with_audio) == len(rejected) - 1  # all but the unreadable one
    assert all((dataset / r["audio"]).is_file() for r in with_audio)
