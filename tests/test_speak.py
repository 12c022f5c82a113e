"""voicekit speak: a tiny VITS trained for 2 steps narrates a mixed zh/en script.

The model's audio is noise after 2 steps: these tests check structure (timings, pauses,
subtitles, caching, re-takes, determinism, marks, errors), not speech quality.
"""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from test_train import TINY, _dataset

from voicekit.audio.subtitles import parse_srt
from voicekit.errors import InputError
from voicekit.speak import AssemblyConfig, speak
from voicekit.speak.mark import COMMENT, read_wav_info
from voicekit.speak.narrate import plan
from voicekit.speak.script import read_script
from voicekit.speak.synth import Voice, find_model
from voicekit.train import train
from voicekit.workspace import Workspace

SCRIPT = (
    "Hello there, this is voicekit.\n"
    "今天我们测试 GPT-4 的声音。 [pause 1s] It costs 5 dollars.\n"
    "\n"
    "# The second paragraph starts here.\n"
)


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
    result = speak(ws, script, seed=3)

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
    side = json.loads(result.sidecar.read_text(encoding="utf-8"))
    assert side["synthetic"] is True and side["model"].endswith(".pth")
    ledger = {e.path: e.kind for e in ws.ledger()}
    for path in (result.audio, result.srt, result.timings, result.sidecar):
        assert ledger[ws.rel(path)] == "narration"

    # --only 2 re-takes line 2 with a new seed; the other sentences' audio is byte-identical
    cached = _cache(ws)
    retake = speak(ws, script, only=2)
    assert retake.synthesized == 2
    assert [t.seed for t in retake.sentences] == [3, 4, 4, 3]
    after_retake = _cache(ws)
    assert set(cached) < set(after_retake) and len(after_retake) == len(cached) + 2
    assert all(after_retake[name] == data for name, data in cached.items())
    again = speak(ws, script)  # a plain re-run keeps the re-take and synthesises nothing
    assert again.synthesized == 0 and [t.seed for t in again.sentences] == [3, 4, 4, 3]


def test_same_seed_same_audio_and_out_outside_the_workspace(ws: Workspace, tmp_path: Path) -> None:
    voice = Voice(find_model(ws, None))
    codes = plan(read_script(_write(tmp_path, "Good morning.")), AssemblyConfig())[0][0].codes
    first = voice.synthesize(codes, 11)
    assert np.array_equal(first, voice.synthesize(codes, 11))
    assert not np.array_equal(first, voice.synthesize(codes, 12))

    out = tmp_path / "mine" / "narration.flac"
    result = speak(ws, _write(tmp_path, "Good morning."), out=out, seed=5)
    assert result.audio == out and out.is_file() and (tmp_path / "mine" / "narration.srt").is_file()
    assert sf.info(str(out)).format == "FLAC"
    assert not any(e.path.endswith("narration.flac") for e in ws.ledger())


def test_bad_encodings_and_empty_scripts_are_refused(ws: Workspace, tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("今天天气很好。\n".encode("gbk"))
    with pytest.raises(InputError, match="GBK") as err:
        speak(ws, gbk)
    assert err.value.fix is not None and "--encoding gbk" in err.value.fix
    assert "iconv -f GBK -t UTF-8" in err.value.fix
    assert read_script(gbk, encoding="gbk")[0].parts == ("今天天气很好。",)
    utf16 = tmp_path / "u16.txt"
    utf16.write_bytes("Hello.\n".encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        read_script(utf16)
    with pytest.raises(InputError, match="nothing to speak"):
        speak(ws, _write(tmp_path, "\n  \n[pause 1s]\n"))
    with pytest.raises(InputError, match=r"line 1: .*cannot be spoken"):
        speak(ws, _write(tmp_path, "Smile 🙂 please."))
    with pytest.raises(InputError, match="--only 5"):
        speak(ws, _write(tmp_path, "One.\nTwo."), only=5)


def _write(folder: Path, text: str) -> Path:
    path = folder / "script.txt"
    path.write_text(text, encoding="utf-8")
    return path
