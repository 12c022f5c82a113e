"""Demo films: streams, stems, timing, refs, subtitles and determinism against the truth json."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from conftest import tone

from voicekit.audio.subtitles import Cue, parse_srt, srt_text
from voicekit.demo import mixing, timeline
from voicekit.demo.joined import joined_film, scene_films
from voicekit.demo.real import build_real_set
from voicekit.demo.scenes import build_tts_set
from voicekit.errors import InputError

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CHANNELS = {"mono": 1, "stereo": 2, "5.1": 6}

pytestmark = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("espeak-ng") is None,
    reason="demo films need ffmpeg and espeak-ng (apt-get install ffmpeg espeak-ng flite)",
)


@pytest.fixture(scope="module")
def tts_set(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build_tts_set(tmp_path_factory.mktemp("films"), seed=0)


def _truth(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _streams(film: Path) -> list[dict[str, Any]]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(film)],
        check=True,
        capture_output=True,
        text=True,
    )
    return list(json.loads(out.stdout)["streams"])


def _decode(film: Path, audio_index: int, channels: int) -> np.ndarray:
    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(film),
            "-map",
            f"0:a:{audio_index}",
            "-ac",
            str(channels),
            "-f",
            "f32le",
            "-",
        ],
        check=True,
        capture_output=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.float32).reshape(-1, channels).T.astype(np.float64)


def _residual_db(decoded: np.ndarray, expected: np.ndarray, sr: int) -> float:
    """Signal-to-residual ratio after aligning by the codec delay (found by cross-correlation)."""
    from scipy.signal import correlate

    probe = decoded[5 * sr : 10 * sr]
    window = expected[5 * sr - 4096 : 10 * sr + 4096]
    lag = int(np.argmax(correlate(window, probe, mode="valid"))) - 4096
    n = min(len(decoded), len(expected)) - abs(lag) - 1
    a = decoded[max(0, -lag) : max(0, -lag) + n]
    b = expected[max(0, lag) : max(0, lag) + n]
    return float(10 * np.log10(np.sum(b**2) / np.sum((a - b) ** 2)))


def test_streams_match_truth(tts_set: list[Path]) -> None:
    assert [p.name for p in tts_set] == [f"scene0{i}.truth.json" for i in (1, 2, 3)]
    layouts = set()
    for truth_path in tts_set:
        truth = _truth(truth_path)
        film = truth_path.parent / truth["film"]
        streams = _streams(film)
        audio = [s for s in streams if s["codec_type"] == "audio"]
        subs = [s for s in streams if s["codec_type"] == "subtitle"]
        assert next(s["codec_type"] for s in streams) == "video"
        assert len(audio) == len(truth["audio_tracks"])
        for stream, track in zip(audio, truth["audio_tracks"], strict=True):
            assert stream["channels"] == CHANNELS[track["layout"]]
            assert stream["tags"]["language"] == track["language"]
            assert stream["disposition"]["default"] == int(track["default"])
            assert stream["sample_rate"] == str(truth["sample_rate"])
            layouts.add(track["layout"])
        assert [s["codec_name"] for s in subs] == [
            e["format"] for e in truth["subtitles"]["embedded"]
        ]
        assert [s["tags"]["language"] for s in subs] == [
            e["language"] for e in truth["subtitles"]["embedded"]
        ]
        for sidecar in truth["subtitles"]["sidecar"]:
            assert (truth_path.parent / sidecar).is_file()
        probed = float(
            json.loads(
                subprocess.run(
                    ["ffprobe", "-v", "error", "-show_format", "-of", "json", str(film)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )["format"]["duration"]
        )
        assert abs(probed - truth["duration"]) < 0.2
    assert layouts == {"stereo", "5.1"}


def test_two_language_tracks(tts_set: list[Path]) -> None:
    truth = _truth(tts_set[2])
    assert truth["language"] == "zh" and truth["target"] == "espeak-zh-m1"
    tracks = {t["language"]: t for t in truth["audio_tracks"]}
    assert set(tracks) == {"eng", "chi"}
    assert tracks["eng"]["default"] and not tracks["chi"]["default"]
    assert tracks["chi"]["truth"] and "turns" in tracks["eng"]
    assert {t["language"] for t in truth["turns"]} >= {"zh"}
    assert all(t["language"] == "en" for t in tracks["eng"]["turns"])


def test_stems_add_up_to_the_film(tts_set: list[Path]) -> None:
    for truth_path in tts_set:
        truth = _truth(truth_path)
        sr = truth["sample_rate"]
        track = next(t for t in truth["audio_tracks"] if t["truth"])
        decoded = _decode(
            truth_path.parent / truth["film"], track["index"], CHANNELS[track["layout"]]
        )
        stems = {k: sf.read(truth_path.parent / v)[0] for k, v in truth["stems"].items()}
        assert all(len(s) == round(truth["duration"] * sr) for s in stems.values())
        lossless = track["codec"] == "flac"
        floor = 40.0 if lossless else 25.0
        if track["layout"] == "stereo":
            expected = stems["dialogue"] + stems["background"]
            assert _residual_db(decoded.mean(axis=0), expected, sr) > floor
        else:  # 5.1: dialogue alone in FC, background in the front pair
            assert _residual_db(decoded[2], stems["dialogue"], sr) > floor
            assert _residual_db(decoded[:2].mean(axis=0), stems["background"], sr) > floor - 10
        rms = {k: float(np.sqrt(np.mean(v**2))) for k, v in stems.items()}
        assert 20 * np.log10(rms["dialogue"] / rms["background"]) == pytest.approx(
            truth["snr_db"], abs=1.0
        )


def test_turns_overlaps_and_target_stem(tts_set: list[Path]) -> None:
    for truth_path in tts_set:
        truth = _truth(truth_path)
        turns = truth["turns"]
        assert all(0 < t["start"] < t["end"] <= truth["duration"] for t in turns)
        assert [t["start"] for t in turns] == sorted(t["start"] for t in turns)
        assert {t["speaker"] for t in turns} >= {truth["target"]} and len(
            {t["speaker"] for t in turns}
        ) >= 3
        cut_ins = sum(1 for a, b in itertools.pairwise(turns) if b["start"] < a["end"])
        assert 0.1 <= cut_ins / len(turns) <= 0.3
        assert truth["overlap_turn_ratio"] == round(cut_ins / len(turns), 3)
        assert len(truth["overlaps"]) == cut_ins
        for start, end in truth["overlaps"]:
            active = [t for t in turns if t["start"] < end and t["end"] > start]
            assert len({t["speaker"] for t in active}) == 2
        assert 0.3 <= truth["target_speech_ratio"] <= 0.55
        sr = truth["sample_rate"]
        target = sf.read(truth_path.parent / truth["stems"]["target"])[0]
        mask = np.zeros(len(target), dtype=bool)
        for t in turns:
            if t["speaker"] == truth["target"]:
                mask[int((t["start"] - 0.005) * sr) : int((t["end"] + 0.6) * sr)] = (
                    True  # + reverb tail
                )
        assert np.sum(target[mask] ** 2) > 0 and np.sum(target[~mask] ** 2) == 0


def test_refs_exist_and_are_not_cut_from_the_film(tts_set: list[Path]) -> None:
    import soxr
    from scipy.signal import correlate

    for truth_path in tts_set:
        truth = _truth(truth_path)
        refs = truth["refs"][truth["target"]]
        assert len(refs) == 3
        stem, sr = sf.read(truth_path.parent / truth["stems"]["target"])
        stem16 = soxr.resample(stem, sr, 16000)
        for rel in refs:
            ref, rate = sf.read(truth_path.parent / rel)
            assert rate == 16000 and len(ref) > rate
            # Normalised cross-correlation: a span copied from the film would score ~1.
            corr = correlate(stem16, ref, mode="valid", method="fft")
            power = np.concatenate([[0.0], np.cumsum(stem16**2)])
            energy = np.sqrt(np.maximum(power[len(ref) :] - power[: -len(ref)], 0.0))
            loud = energy > 0.05 * energy.max()  # silent windows only carry FFT round-off
            score = np.max(np.abs(corr[loud]) / (energy[loud] * np.linalg.norm(ref)))
            assert score < 0.8


def _srt_cues(text: str) -> list[tuple[float, float, str]]:
    stamp = r"(\d+):(\d+):(\d+)[,.](\d+)"
    cues = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        m = re.match(rf"{stamp} --> {stamp}", lines[1])
        assert m, block
        g = [int(x) for x in m.groups()]
        start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
        end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
        cues.append((start, end, "\n".join(lines[2:])))
    return cues


def test_subtitles_exact_and_shifted(tts_set: list[Path]) -> None:
    exact = _truth(tts_set[0])
    sidecar = (tts_set[0].parent / exact["subtitles"]["sidecar"][0]).read_text(encoding="utf-8")
    cues = _srt_cues(sidecar)
    assert [c[2] for c in cues] == [t["text"] for t in exact["turns"]]
    assert all(abs(c[0] - t["start"]) < 0.002 for c, t in zip(cues, exact["turns"], strict=True))
    shifted = _truth(tts_set[1])
    (embedded,) = shifted["subtitles"]["embedded"]
    assert embedded["shift_s"] == 0.3 and embedded["condensed"]
    srt = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(tts_set[1].parent / shifted["film"]),
            "-map",
            "0:s:0",
            "-f",
            "srt",
            "-",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    cues = _srt_cues(srt)
    assert cues[0][0] == pytest.approx(shifted["turns"][0]["start"] + 0.3, abs=0.01)
    texts = {t["text"] for t in shifted["turns"]}
    wrong = [c for c in cues if c[2] not in texts]
    assert 0 < len(wrong) < len(cues) and len(cues) < len(shifted["turns"])


def test_same_seed_same_truth(tmp_path: Path) -> None:
    first = build_tts_set(tmp_path / "a", seed=5, turns_per_film=3)
    again = build_tts_set(tmp_path / "b", seed=5, turns_per_film=3)
    other = build_tts_set(tmp_path / "c", seed=6, turns_per_film=3)
    for a, b, c in zip(first, again, other, strict=True):
        assert a.read_bytes() == b.read_bytes()
        assert a.read_bytes() != c.read_bytes()
        stem = _truth(a)["stems"]["dialogue"]
        assert (a.parent / stem).read_bytes() == (b.parent / stem).read_bytes()


def test_timeline_keeps_overlaps_pairwise() -> None:
    rng = np.random.default_rng(1)
    durations = list(rng.uniform(0.6, 5.0, size=60))
    starts = timeline.start_times(durations, rng, overlap_ratio=0.25)
    turns = [
        timeline.Turn(str(i % 3), s, s + d, "", "en")
        for i, (s, d) in enumerate(zip(starts, durations, strict=True))
    ]
    cut_ins = sum(1 for a, b in itertools.pairwise(turns) if b.start < a.end)
    assert cut_ins == round(0.25 * 59)
    for start, end in timeline.overlap_regions(turns):
        mid = (start + end) / 2
        assert sum(1 for t in turns if t.start < mid < t.end) == 2


def test_next_speaker_when_the_only_other_just_spoke() -> None:
    rng = np.random.default_rng(0)
    picks = {timeline.next_speaker("b", "t", ["b"], 9.0, 10.0, 0.45, rng) for _ in range(20)}
    assert picks == {"t"}


def test_music_in_the_centre_channel() -> None:
    rng = np.random.default_rng(0)
    dialogue, bed = rng.standard_normal(4800), rng.standard_normal((2, 4800))
    plain = mixing.lay_out("5.1", dialogue, dialogue, bed, 48000)
    bleed = mixing.lay_out("5.1", dialogue, dialogue, bed, 48000, centre_bg=0.5)
    gain = bleed.dialogue[0] / dialogue[0]
    assert np.allclose(plain.channels[2], plain.dialogue)
    assert np.allclose(bleed.channels[2], gain * (dialogue + 0.5 * bed.mean(axis=0)))
    assert np.allclose(bleed.background, gain * bed.mean(axis=0))


def test_real_set_refuses_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not supported"):
        build_real_set(tmp_path / "out", tmp_path, lang="fr")
    with pytest.raises(InputError, match="inside"):
        build_real_set(tmp_path / "out", tmp_path, lang="en")
    with pytest.raises(InputError, match="no speech manifest"):
        build_real_set(tmp_path / "out", tmp_path / "data", lang="en")


@pytest.mark.skipif(
    not (SHARED_DATA / "speech" / "en" / "utterances.tsv").is_file(),
    reason=f"no real recordings at {SHARED_DATA} (the shared dev data set is not on this machine)",
)
def test_real_scene(tmp_path: Path) -> None:
    (truth_path,) = build_real_set(
        tmp_path, SHARED_DATA, lang="zh", n_scenes=1, seed=2, scene_seconds=(30.0, 35.0)
    )
    truth = _truth(truth_path)
    assert truth["target"] == "aishell_S0252" and truth["language"] == "zh"
    assert any("only one Mandarin speaker" in n for n in truth["notes"])
    turns = truth["turns"]
    assert all(0 < t["start"] < t["end"] <= truth["duration"] for t in turns)
    assert {t["language"] for t in turns} == {"zh", "en"}
    assert 2 <= len(truth["speakers"]) <= 5
    refs = truth["refs"]["aishell_S0252"]
    assert len(refs) == 3 and all((tmp_path / r).is_file() for r in refs)
    manifest = (SHARED_DATA / "speech" / "zh" / "utterances.tsv").read_text(encoding="utf-8")
    ref_texts = {
        line.split("\t")[6]
        for line in manifest.splitlines()
        if any(line.split("\t")[0] in r for r in refs)
    }
    assert ref_texts.isdisjoint({t["text"] for t in turns})
    streams = _streams(tmp_path / truth["film"])
    assert [s["channels"] for s in streams if s["codec_type"] == "audio"] == [2]


def _plain_scene(folder: Path, name: str, seconds: float, target: str, freq: float) -> Path:
    """A scene in the real set's truth format: target, dialogue and background stems, a sidecar
    SRT."""
    rate = 48000
    sf.write(folder / f"{name}.dialogue.wav", tone(seconds, rate, freq), rate)
    sf.write(folder / f"{name}.target.wav", 0.5 * tone(seconds, rate, freq), rate)
    noise = 0.05 * np.random.default_rng(1).standard_normal(int(seconds * rate))
    sf.write(folder / f"{name}.background.wav", noise, rate)
    (folder / f"{name}.zh.srt").write_text(srt_text([Cue(0.2, 0.8, name)]), encoding="utf-8")
    truth = {"film": f"{name}.mkv", "duration": seconds, "target": target, "layout": "stereo",
             "turns": [{"speaker": target, "start": 0.2, "end": 0.8, "text": name}],
             "overlaps": [[0.5, 0.6]], "refs": {target: [f"refs/{target}/a.wav"]},
             "stems": {"dialogue": f"{name}.dialogue.wav", "target": f"{name}.target.wav",
                       "background": f"{name}.background.wav"},
             "subtitles": {"embedded": [], "sidecar": [f"{name}.zh.srt"]}}
    path = folder / f"{name}.truth.json"
    path.write_text(json.dumps(truth), encoding="utf-8")
    return path


def test_scenes_joined_as_one_51_film_keep_their_truth(tmp_path: Path) -> None:
    scenes = tmp_path / "scenes"
    scenes.mkdir()
    first = _plain_scene(scenes, "a", 1.5, "T", 220.0)
    second = _plain_scene(scenes, "b", 2.0, "T", 330.0)
    truth_path = joined_film([first, second], tmp_path / "joined", "zh")
    truth = _truth(truth_path)
    assert truth["duration"] == pytest.approx(3.5)
    assert [(t["start"], t["end"]) for t in truth["turns"]] == [(0.2, 0.8), (1.7, 2.3)]
    assert truth["overlaps"] == [[0.5, 0.6], [2.0, 2.1]]
    ref = truth_path.parent / truth["refs"]["T"][0]
    assert ref.resolve() == (scenes / "refs" / "T" / "a.wav").resolve()
    sidecar = truth_path.parent / truth["subtitles"]["sidecar"][0]
    cues = parse_srt(sidecar.read_text(encoding="utf-8"))
    assert [(c.start, c.end, c.text) for c in cues] == [(0.2, 0.8, "a"), (1.7, 2.3, "b")]
    film = truth_path.parent / truth["film"]
    assert _streams(film)[0]["channels"] == 6
    decoded = _decode(film, 0, 6)  # FL FR FC LFE SL SR
    dialogue = np.concatenate([tone(1.5, 48000, 220.0), tone(2.0, 48000, 330.0)])
    n = len(dialogue) - 2048
    best = max(np.corrcoef(decoded[2][lag : lag + n], dialogue[:n])[0, 1] for lag in range(2048))
    assert best > 0.9  # the dialogue is the centre channel (AC3 delays it a little)
    assert np.abs(decoded[0]).max() > 0.01  # the background is in the other channels
    # the stems go with it, joined the same way; the centre holds no music
    assert truth["dialogue_channel_music"] == 0.0
    stem, _ = sf.read(truth_path.parent / truth["stems"]["target"])
    assert np.abs(stem - 0.5 * dialogue).max() < 1e-3
    assert set(truth["stems"]) == {"target", "dialogue", "background"}
    split = scene_films([first, second], tmp_path / "split", "zh")
    assert [_truth(p)["duration"] for p in split] == [1.5, 2.0]
    other = _plain_scene(scenes, "c", 1.0, "U", 440.0)
    with pytest.raises(InputError, match="different targets"):
        joined_film([first, other], tmp_path / "bad", "zh")
