"""Each filter rejects a clip built to fail it, keeps a clean one, and explains itself."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr

from voicekit.config import Config
from voicekit.errors import ConfigError
from voicekit.manifest import Segment
from voicekit.pipeline.stage import Context, Output
from voicekit.stages.filters.asr import repetition
from voicekit.stages.filters.config import FiltersConfig
from voicekit.stages.filters.stage import FiltersStage
from voicekit.stages.segment import SegmentConfig
from voicekit.workspace import Workspace

RATE = 16000
GOOD = {"similarity": 0.8, "similarity_threshold": 0.6, "asr_logprob": -0.3,
        "no_speech_prob": 0.05, "compression_ratio": 1.3}


def speech(seconds: float, seed: int = 0, amp: float = 0.1) -> np.ndarray:
    """Speech-like audio: 0.2 s harmonic syllables of varying pitch, 0.1 s pauses, faint hiss."""
    rng = np.random.default_rng(seed)
    audio = 1e-4 * rng.standard_normal(int(seconds * RATE))
    t = np.arange(int(0.2 * RATE)) / RATE
    envelope = np.hanning(t.size)
    for start in np.arange(0.05, seconds - 0.25, 0.3):
        f0 = rng.uniform(110, 240)
        syllable = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 8))
        first = int(start * RATE)
        audio[first:first + t.size] += amp * envelope * syllable
    return audio.astype(np.float32)


class Run:
    """A workspace with audio files, and the filters stage run over segments made in it."""

    def __init__(self, root: Path, **filters: object) -> None:
        self.ws = Workspace(root / "ws")
        self.config = dataclasses.replace(Config(), filters=FiltersConfig(**filters))  # type: ignore[arg-type]
        self.segments: list[Segment] = []

    def clip(self, audio: np.ndarray, *, rec: str = "rec", start: float = 0.0,
             text: str | None = "a clean line of dialogue", **fields: object) -> Segment:
        """A clip over `audio` written as its own file (times from `start`)."""
        name = f"{rec}.wav"
        path = self.ws.path(name)
        full = sf.read(path, dtype="float32")[0] if path.exists() else np.zeros(0, np.float32)
        first = int(start * RATE)
        full = np.concatenate([full, np.zeros(max(0, first + audio.size - full.size), np.float32)])
        full[first:first + audio.size] = audio
        sf.write(path, full, RATE)
        values: dict[str, object] = {"scores": dict(GOOD), "language": "en", **fields}
        seg = Segment(id=f"{rec}_{start}", recording_id=rec, start=start,
                      duration=audio.size / RATE, audio=name, speaker="target", text=text,
                      custom={"role": "clip"}, **values)  # type: ignore[arg-type]
        self.segments.append(seg)
        return seg

    def add(self, seg: Segment) -> None:
        self.segments.append(seg)

    def run(self, lang: str = "auto") -> list[Segment]:
        stage = FiltersStage(self.config)
        ctx = Context(self.ws, self.config, lang=lang)
        (item,) = stage.items(self.segments, ctx)
        out = Output(self.ws.root / "stages" / "filters" / "k.partial", "stages/filters/k")
        return stage.process(item, out, ctx)


def judged(segments: list[Segment]) -> dict[str, Segment]:
    return {s.id: s for s in segments if s.custom.get("role") == "clip"}


def test_clean_clip_kept_with_every_score(tmp_path: Path) -> None:
    run = Run(tmp_path)
    seg = run.clip(speech(3.0))
    (out,) = run.run()
    assert out.kept, out.rejected
    for name in ("overlap_s", "overlap_fraction", "rms_dbfs", "clipped_fraction", "snr_db",
                 "repetition", *GOOD):
        assert name in out.scores
    assert out.scores["snr_db"] > 25 and -35 < out.scores["rms_dbfs"] < -15
    assert (out.id, out.start, out.duration, out.text) == (seg.id, seg.start, seg.duration,
                                                             seg.text)


@pytest.mark.parametrize(
    ("make", "filter_name", "words"),
    [
        (lambda: np.clip(speech(3.0) * 30, -1, 1), "clipping", "% of samples at full scale"),
        (lambda: speech(3.0) + 0.1 * np.random.default_rng(5).standard_normal(3 * RATE),
         "snr", "music or noise under the speech: SNR"),
        (lambda: np.zeros(3 * RATE), "quiet", "too quiet: -120.0 dBFS RMS"),
        (lambda: speech(0.5), "duration", "too short: 0.50 s (minimum 1 s)"),
        (lambda: speech(16.0), "duration", "too long: 16.0 s"),
    ],
)
def test_audio_filters_reject(tmp_path: Path, make, filter_name: str, words: str) -> None:  # type: ignore[no-untyped-def]
    run = Run(tmp_path)
    run.clip(speech(3.0), rec="clean")
    run.clip(np.asarray(make(), dtype=np.float32), rec="bad")
    out = judged(run.run())
    assert out["clean_0.0"].kept
    rejected = out["bad_0.0"].rejected
    assert rejected is not None and rejected.filter == filter_name
    assert words in rejected.reason


def test_snr_measures_the_bed_between_lines(tmp_path: Path) -> None:
    """Music that goes on between the lines is noise; speech without pauses is not."""
    rng = np.random.default_rng(3)
    t = np.arange(20 * RATE) / RATE
    bed = 0.02 * np.sin(2 * np.pi * 220 * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.5 * t))
    bed = (bed + 0.005 * rng.standard_normal(t.size)).astype(np.float32)
    # syllables every 0.1 s: no pauses, so the clip's quietest frames are speech too
    line = speech(4.0, seed=1)
    line = line + np.roll(line, RATE // 10) + np.roll(line, RATE // 5)
    for rec, under in (("music", bed), ("clean", 0 * bed)):
        film = under.copy()
        film[8 * RATE:12 * RATE] += line  # the recording: 20 s of bed, one 4 s line in it
        run = Run(tmp_path / rec)
        run.clip(film, rec=rec)
        run.segments.clear()
        run.clip(film[8 * RATE:12 * RATE], rec=rec, start=8.0)
        (out,) = run.run()
        snr = out.scores["snr_db"]
        if rec == "music":
            assert snr < 15 and out.rejected is not None and out.rejected.filter == "snr", snr
        else:
            assert snr > 25, snr


def music(seconds: float, seed: int = 0) -> np.ndarray:
    """Music-like bed: a new chord of harmonic notes every 0.4 s and noisy drum hits, RMS 1."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    out = np.zeros(n)
    beat = int(0.4 * RATE)
    t = np.arange(beat) / RATE
    decay = np.exp(-3 * t)
    for first in range(0, n, beat):
        chord = sum(np.sin(2 * np.pi * f * k * t) / k for f in rng.uniform(110, 880, 3)
                    for k in range(1, 5))
        hit = rng.standard_normal(beat) * np.exp(-40 * t)
        out[first:first + beat] = (chord * decay + 2 * hit)[:n - first]
    return (out / np.sqrt(np.mean(out**2))).astype(np.float32)


@pytest.mark.parametrize("between_lines", [True, False])
def test_snr_tells_loud_music_bleed_from_clean_speech(tmp_path: Path, between_lines: bool) -> None:
    """Speech under music at a true SNR of 0-8 dB is rejected; 30 dB under it, kept.

    The estimate must also order the clips by their true SNR. With `between_lines` the clip
    sits in 20 s of the same music (the bed is read in the gaps); without, the clip is alone.
    """
    line = speech(4.0, seed=1)
    line_power = float(np.mean(line.astype(np.float64) ** 2))
    estimates = {}
    for true_db in (0.0, 4.0, 8.0, 30.0):
        bed = music(20.0, seed=7) * np.float32(np.sqrt(line_power / 10 ** (true_db / 10)))
        film = bed.copy()
        film[8 * RATE:12 * RATE] += line
        rec = f"music{true_db:g}"
        run = Run(tmp_path / rec)
        if between_lines:
            run.clip(film, rec=rec)
            run.segments.clear()
        run.clip(film[8 * RATE:12 * RATE], rec=rec, start=8.0 if between_lines else 0.0)
        (out,) = run.run()
        estimates[true_db] = out.scores["snr_db"]
        if true_db < 10:
            assert out.rejected is not None and out.rejected.filter == "snr", estimates
        else:
            assert out.kept, estimates
    assert list(estimates.values()) == sorted(estimates.values()), estimates
    assert estimates[30.0] > 25, estimates  # clean speech reads clean, not just above the floor


@pytest.mark.parametrize("mix_rate", [RATE, 2 * RATE])  # the recording may be at another rate
def test_snr_sees_music_bleed_through_the_separator(tmp_path: Path, mix_rate: int) -> None:
    """A stereo scene with music 3 dB under the line (delayed right channel, as demo films mix
    it): after the embedded separator the clip still holds music 8 dB under the speech (by
    projection on the line) and must be rejected; over music 30 dB down (35 dB after) it is kept.
    The separator takes 10 dB off the music between the lines but only ~5 dB under the line, so
    the bed between the lines reads 18.7 dB; what it removed from the mix under the line shows
    the music."""
    from voicekit.stages.separate.config import EmbeddedSeparateConfig
    from voicekit.stages.separate.embedded import separate_block

    line = speech(4.0, seed=1)
    line_power = float(np.mean(line.astype(np.float64) ** 2))
    delay = int(0.007 * RATE)
    estimates = {}
    for true_db in (3.0, 30.0):
        bed = music(20.0, seed=7) * np.sqrt(line_power / 10 ** (true_db / 10))
        dialogue = np.zeros(bed.size)
        dialogue[8 * RATE:12 * RATE] = line
        stereo = np.stack([dialogue + bed, dialogue + np.roll(bed, delay)], axis=1)
        film = separate_block(stereo, RATE, EmbeddedSeparateConfig())
        rec = f"stereo{true_db:g}"
        run = Run(tmp_path / rec)
        run.clip(film, rec=rec)
        run.segments.clear()
        seg = run.clip(film[8 * RATE:12 * RATE], rec=rec, start=8.0)
        mix = stereo if mix_rate == RATE else soxr.resample(stereo, RATE, mix_rate)
        sf.write(run.ws.path(f"{rec}.mix.wav"), mix, mix_rate)  # the recording separate read
        run.segments[-1] = seg.with_(custom={**seg.custom, "mix": f"{rec}.mix.wav"})
        (out,) = run.run()
        estimates[true_db] = out.scores["snr_db"]
    assert estimates[3.0] < 15 and estimates[30.0] > 25, estimates


def test_snr_cap_is_for_the_embedded_separator_only(tmp_path: Path) -> None:
    """A learned separator (demucs) took music 3 dB under a line out completely: the stem is
    clean, and the clip is kept; read as the embedded separator's stem (which only gates the
    music), the same removed energy is bleed and the clip is rejected."""
    line = speech(4.0, seed=1)
    bed = music(20.0, seed=7)[: line.size] * np.sqrt(
        float(np.mean(line.astype(np.float64) ** 2)) / 10 ** 0.3)
    verdicts = {}
    for backend in ("demucs", "embedded"):
        run = Run(tmp_path / backend)
        run.config = dataclasses.replace(
            run.config, separate=dataclasses.replace(run.config.separate, backend=backend))
        seg = run.clip(line, rec="film")
        sf.write(run.ws.path("film.mix.wav"), np.stack([line + bed] * 2, axis=1), RATE)
        run.segments[-1] = seg.with_(custom={**seg.custom, "mix": "film.mix.wav"})
        (out,) = run.run()
        verdicts[backend] = out
    assert verdicts["demucs"].kept and verdicts["demucs"].scores["snr_db"] > 25
    rejected = verdicts["embedded"].rejected
    assert rejected is not None and rejected.filter == "snr"


def test_snr_of_a_stereo_line_the_separator_left_alone_is_read_from_what_it_removed() -> None:
    """A line without pauses over a faint hiss: the in-clip estimate counts the speech as noise;
    on a stereo film the separator removed almost nothing from under it, which says it is
    clean. A 5.1 centre (mono) keeps the lower reading: there the separator only gates."""
    from voicekit.stages.filters import snr
    from voicekit.stages.filters.base import ClipAudio

    rng = np.random.default_rng(3)
    t = np.arange(4 * RATE) / RATE
    line = (0.1 * np.sin(2 * np.pi * 180 * t) * (1 + 0.9 * np.sin(2 * np.pi * 3 * t))
            + 0.01 * rng.standard_normal(t.size)).astype(np.float32)
    mix = line + 0.002 * rng.standard_normal(t.size).astype(np.float32)
    readings = {}
    for channels in (2, 1):
        seg = Segment("c", "film", 0.0, 4.0, "film.wav", custom={"channels": channels})
        clip = ClipAudio(seg, line, RATE, mix=lambda a, b: mix[int(a * RATE):int(b * RATE)])
        readings[channels] = snr.estimate(clip, 3.0, 0.5)
    removed = snr.removed_db(ClipAudio(seg, line, RATE, mix=lambda a, b: mix))
    alone = snr.snr_db(line, RATE)
    assert removed is not None and alone is not None
    assert removed >= snr.CLEAN_REMOVED_DB and alone < 15  # the case the rule is for
    assert readings[2] == pytest.approx(removed - snr.REMOVED_BIAS_DB)
    assert readings[1] == pytest.approx(min(alone, removed))


def continuous_line(seconds: float, seed: int = 3) -> np.ndarray:
    """A line without pauses (a voiced tone swelling three times a second) over a faint hiss:
    its quietest frames are still speech, so the clip alone reads it under 15 dB."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.1 * np.sin(2 * np.pi * 180 * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))
            + 0.001 * rng.standard_normal(t.size)).astype(np.float32)


def fronts_of(bed: np.ndarray) -> np.ndarray:
    """Front left and right of a film's music: the bed, and the bed 7 ms later and quieter."""
    return np.stack([bed, 0.7 * np.roll(bed, int(0.007 * RATE))], axis=1).astype(np.float32)


def test_snr_of_a_51_centre_is_read_against_its_front_channels() -> None:
    """The music in a 5.1 centre is the music of the fronts: fitted by them per band, it reads
    the true SNR within 3 dB (0-20 dB), and a line without pauses over no music reads clean
    however loud the fronts are (the clip alone reads it under 15 dB)."""
    from voicekit.stages.filters import snr
    from voicekit.stages.filters.base import ClipAudio

    line = continuous_line(4.0)
    power = float(np.mean(line.astype(np.float64) ** 2))
    bed = music(4.0, seed=7)
    fronts = fronts_of(bed)
    centre_bed = 0.5 * (fronts[:, 0] + fronts[:, 1])  # what the mix puts in the centre
    seg = Segment("c", "film", 0.0, 4.0, "film.wav", custom={"channels": 1})
    readings = {}
    for true_db in (0.0, 5.0, 10.0, 20.0, None):
        scale = 0.0 if true_db is None else np.sqrt(
            power / 10 ** (true_db / 10) / float(np.mean(centre_bed ** 2)))
        centre = (line + scale * centre_bed).astype(np.float32)
        clip = ClipAudio(seg, centre, RATE, fronts=lambda a, b: fronts[int(a * RATE):int(b * RATE)])
        readings[true_db] = snr.estimate(clip, 3.0, 0.5)
    for true_db, value in readings.items():
        if true_db is not None:
            assert value == pytest.approx(true_db, abs=3.0), readings
    clean = readings[None]
    assert clean is not None and clean > 25, readings
    alone = snr.snr_db(line, RATE)
    assert alone is not None and alone < 15  # what the clip alone said of the clean line
    # silent fronts say nothing: the other readings decide
    quiet = ClipAudio(seg, line, RATE, fronts=lambda a, b: np.zeros((int((b - a) * RATE), 2)))
    assert snr.fronts_db(quiet) is None and snr.estimate(quiet, 3.0, 0.5) == pytest.approx(alone)


def test_snr_filter_reads_the_fronts_a_51_film_was_ingested_with(tmp_path: Path) -> None:
    """Through the stage: the clip's `custom["fronts"]` file (at another rate) is read beside
    it; the clean line without pauses is kept, the same line over the fronts' music rejected."""
    line = continuous_line(4.0)
    fronts = fronts_of(music(4.0, seed=7))
    verdicts = {}
    for name, bed in (("clean", 0.0), ("music", 0.05)):
        run = Run(tmp_path / name)
        sf.write(run.ws.path("fronts.wav"), soxr.resample(fronts, RATE, 48000), 48000)
        seg = run.clip(line + bed * fronts.mean(axis=1), rec=name)
        run.segments[-1] = seg.with_(custom={**seg.custom, "fronts": "fronts.wav"})
        (verdicts[name],) = run.run()
    assert verdicts["clean"].kept and verdicts["clean"].scores["snr_db"] > 25, verdicts
    rejected = verdicts["music"].rejected
    assert rejected is not None and rejected.filter == "snr", verdicts


def test_fronts_that_carry_the_dialogue_are_not_read_as_music(tmp_path: Path) -> None:
    """A mix that spreads the dialogue into the front channels: they are far louder during the
    lines than between them, so the SNR filter leaves them out and the clean line is kept (read
    against them, the line itself would be the bed)."""
    from voicekit.stages.filters import snr

    rng = np.random.default_rng(5)
    film = np.zeros(20 * RATE, np.float32)
    lines = [(2.0, 5.0), (8.0, 11.0), (14.0, 17.0)]
    for i, (a, b) in enumerate(lines):
        film[int(a * RATE):int(b * RATE)] = speech(b - a, seed=i)
    fronts = np.stack([0.5 * film, 0.4 * film], axis=1) + 1e-4 * rng.standard_normal((film.size, 2))
    run = Run(tmp_path)
    sf.write(run.ws.path("fronts.wav"), fronts.astype(np.float32), RATE)
    for a, b in lines:
        seg = run.clip(film[int(a * RATE):int(b * RATE)], rec="film", start=a, text=f"line {a}")
        custom = {**seg.custom, "fronts": "fronts.wav", "recording_duration": 20.0}
        run.segments[-1] = seg.with_(custom=custom)
    for out in run.run():
        assert out.kept and out.scores["snr_db"] > 25, out
    louder = snr.fronts_speech_db(lambda a, b: fronts[int(a * RATE):int(b * RATE)], lines, 20.0)
    assert louder is not None and louder > snr.DIALOGUE_IN_FRONTS_DB
    # music that goes on between the lines is not louder during them, even while it swells by
    # 20 dB over the scene
    swell = 10 ** (np.linspace(-10, 10, film.size) / 20)[:, None]
    bed = fronts_of(music(20.0, seed=7)) * swell
    steady = snr.fronts_speech_db(lambda a, b: bed[int(a * RATE):int(b * RATE)], lines, 20.0)
    assert steady is not None and abs(steady) < 3, steady


def test_overlap_with_another_speaker(tmp_path: Path) -> None:
    run = Run(tmp_path)
    run.clip(speech(2.0), start=0.0)
    run.clip(speech(2.0, seed=1), start=3.0)
    overlap = Segment(id="ov", recording_id="rec", start=1.2, duration=0.8, audio="rec.wav",
                      custom={"role": "overlap", "speakers": ["S0", "target"]})
    other = Segment(id="s1", recording_id="rec", start=4.9, duration=1.0, audio="rec.wav",
                    speaker="S1", custom={"role": "turn"})
    run.add(overlap)
    run.add(other)
    segments = run.run()
    assert overlap in segments and other in segments  # non-clips pass through unchanged
    out = judged(segments)
    first, second = out["rec_0.0"], out["rec_3.0"]
    assert first.rejected is not None and first.rejected.filter == "overlap"
    assert first.rejected.reason == "overlaps another speaker for 0.80 s (40 %)"
    assert first.scores["overlap_fraction"] == pytest.approx(0.4)
    assert second.kept and second.scores["overlap_s"] == pytest.approx(0.1)  # at the limit


def test_speaker_similarity_below_threshold(tmp_path: Path) -> None:
    run = Run(tmp_path)
    run.clip(speech(2.0), rec="good")
    run.clip(speech(2.0), rec="bad", scores={**GOOD, "similarity": 0.41})
    out = judged(run.run())
    assert out["good_0.0"].kept
    rejected = out["bad_0.0"].rejected
    assert rejected is not None and rejected.filter == "speaker" and rejected.score == 0.41
    assert rejected.reason == "speaker similarity 0.41 below the calibrated threshold 0.60"


def test_asr_confidence_and_repetition_loop(tmp_path: Path) -> None:
    run = Run(tmp_path)
    run.clip(speech(2.0), rec="loop", text="001, 001, 001, 001, 001, 001")
    run.clip(speech(2.0), rec="unsure", scores={**GOOD, "asr_logprob": -1.6})
    run.clip(speech(2.0), rec="empty", text=" ")
    run.clip(speech(2.0), rec="fine", text="No, no, no. I said tomorrow.")
    out = judged(run.run())
    assert out["fine_0.0"].kept
    reasons = {k: v.rejected.reason for k, v in out.items() if v.rejected}
    assert reasons["loop_0.0"] == "repetition loop: 100 % of the text repeats one phrase"
    assert reasons["unsure_0.0"] == "ASR unsure: mean log-probability -1.60 (minimum -1)"
    assert reasons["empty_0.0"] == "ASR found no words"
    assert repetition("我我我我我们走吧", "zh") == pytest.approx(5 / 8)


def test_subtitle_disagreement_with_a_lower_floor_for_chinese(tmp_path: Path) -> None:
    run = Run(tmp_path)
    run.clip(speech(2.0), rec="en_low", scores={**GOOD, "subtitle_agreement": 0.3})
    run.clip(speech(2.0, seed=1), rec="zh_low", language="zh", text="今天我们去公园",
             scores={**GOOD, "subtitle_agreement": 0.3})
    run.clip(speech(2.0, seed=2), rec="zh_wrong", language="zh", text="明天他们回学校",
             scores={**GOOD, "subtitle_agreement": 0.1})
    out = judged(run.run())
    assert out["zh_low_0.0"].kept
    expected = {"en_low_0.0": "0.30 (minimum 0.4)", "zh_wrong_0.0": "0.10 (minimum 0.2)"}
    for name, value in expected.items():
        rejected = out[name].rejected
        assert rejected is not None and rejected.filter == "subtitles"
        assert rejected.reason == f"disagrees with the subtitles: agreement {value}"


def test_duplicates_by_text_and_by_audio(tmp_path: Path) -> None:
    run = Run(tmp_path)
    line = "We have to leave before the storm reaches the harbour."
    run.clip(speech(2.0, seed=1), rec="a", text=line)
    run.clip(speech(2.0, seed=2), rec="b", text=line.upper() + "!")
    run.clip(speech(2.0, seed=3), rec="c", text="Yes.")
    run.clip(speech(2.0, seed=4), rec="d", text="Yes.")  # short lines repeat in real speech
    echo = speech(2.5, seed=7)
    run.clip(echo, rec="e", text=None)
    noise = 3e-3 * np.random.default_rng(9).standard_normal(echo.size)
    run.clip(echo + noise.astype(np.float32), rec="f", text=None)  # the same audio, re-encoded
    out = judged(run.run())
    assert [k for k, v in out.items() if v.kept] == ["a_0.0", "c_0.0", "d_0.0", "e_0.0"]
    assert out["b_0.0"].rejected.reason == "duplicate of a_0.0 (same text)"  # type: ignore[union-attr]
    assert out["f_0.0"].rejected.reason.startswith("duplicate of e_0.0 (audio similarity")  # type: ignore[union-attr]
    assert out["d_0.0"].scores["duplicate_similarity"] < 0.85


def test_speaking_rate_tukey_fence(tmp_path: Path) -> None:
    run = Run(tmp_path)
    letters = "thequickbrownfoxjumpsoverthelazydog"
    for i in range(12):  # 2 s clips of 22-27 letters: 11-13.5 letters per second
        run.clip(speech(2.0, seed=i), start=3.0 * i, text=(letters * 2)[i:i + 22 + i % 6])
    run.clip(speech(2.0, seed=50), start=40.0, text="this is far too much text for two seconds "
             "of audio and cannot be right")
    out = judged(run.run())
    fast = out["rec_40.0"]
    assert fast.rejected is not None and fast.rejected.filter == "rate"
    assert fast.rejected.reason.startswith("speaking rate 28.0 chars/s outside this recording's")
    assert sum(c.kept for c in out.values()) == 12


def test_speaking_rate_fence_is_never_narrower_than_half_the_median(tmp_path: Path) -> None:
    run = Run(tmp_path)
    letters = "thequickbrownfoxjumpsoverthelazydog"
    for i in range(12):  # quartiles 11.5 and 13 letters/s: Tukey alone fences 9.25-15.25
        run.clip(speech(2.0, seed=i), start=3.0 * i, text=(letters * 2)[i:i + 22 + i % 6])
    run.clip(speech(2.0, seed=60), start=40.0, text=letters[:16])  # 8 letters/s: a slow line
    run.clip(speech(2.0, seed=61), start=44.0, text=(letters * 2)[:40])  # 20 letters/s
    out = judged(run.run())
    assert out["rec_40.0"].kept  # inside median 12.25 +- 50 %
    rejected = out["rec_44.0"].rejected
    assert rejected is not None and rejected.reason.endswith("range 6.1–18.4")


def test_few_clips_are_not_fenced(tmp_path: Path) -> None:
    run = Run(tmp_path)
    for i in range(3):
        run.clip(speech(2.0, seed=i), start=3.0 * i, text="x" * (10 + 40 * i))
    assert all(c.kept for c in judged(run.run()).values())


def test_language_against_lang_and_majority(tmp_path: Path) -> None:
    run = Run(tmp_path)
    for i in range(4):
        run.clip(speech(2.0, seed=i), start=3.0 * i, language="zh", text="我们明天早上出发")
    run.clip(speech(2.0, seed=9), start=20.0, language="en")
    out = judged(run.run())
    assert out["rec_20.0"].rejected.reason == (  # type: ignore[union-attr]
        "language 'en' differs from the dataset's main language 'zh' (80 % of clip time)")
    out = judged(run.run(lang="en"))
    assert out["rec_20.0"].kept and not out["rec_0.0"].kept


def test_first_failure_wins_and_later_ones_are_kept(tmp_path: Path) -> None:
    run = Run(tmp_path)
    run.clip(np.zeros(RATE // 2, np.float32), scores={**GOOD, "similarity": 0.1})
    (out,) = run.run()
    assert out.rejected is not None and out.rejected.filter == "duration"
    assert [r["filter"] for r in out.custom["also_rejected"]] == ["speaker", "quiet"]


def test_disable_and_unknown_filter(tmp_path: Path) -> None:
    run = Run(tmp_path, disable=("quiet",))
    run.clip(np.zeros(2 * RATE, np.float32), text=None)
    (out,) = run.run()
    assert out.kept and "rms_dbfs" not in out.scores
    unknown = Run(tmp_path / "x", disable=("loud",))
    unknown.clip(speech(2.0))
    with pytest.raises(ConfigError, match="loud"):
        unknown.run()


def test_cache_key_follows_segment_limits() -> None:
    base = FiltersStage(Config()).fingerprint()
    longer = dataclasses.replace(Config(), segment=SegmentConfig(max_s=20.0))
    assert FiltersStage(longer).fingerprint() != base


def test_segment_then_filters_through_the_runner(tmp_path: Path) -> None:
    from voicekit.manifest import Word
    from voicekit.pipeline.runner import Runner
    from voicekit.stages.segment.stage import SegmentStage

    run = Run(tmp_path)
    sf.write(run.ws.path("rec.wav"), np.concatenate([speech(6.0), speech(0.6, seed=3)]), RATE)
    words = tuple(Word(f"w{i}", 0.05 + 0.3 * i, 0.25 + 0.3 * i) for i in range(20))
    turns = [
        Segment("t1", "rec", 0.0, 6.0, "rec.wav", "target", "", "en", words, dict(GOOD),
                custom={"role": "turn"}),
        Segment("t2", "rec", 6.05, 0.5, "rec.wav", "S0", custom={"role": "turn"}),
    ]
    stages = [SegmentStage(run.config), FiltersStage(run.config)]
    runner = Runner(stages, Context(run.ws, run.config))
    clips, _ = runner.run_stage(stages[0], turns)
    judged_once, report = runner.run_stage(stages[1], clips)
    again, cached = runner.run_stage(stages[1], clips)
    assert (report.computed, cached.cached) == (1, 1) and again == judged_once
    (clip,) = [s for s in judged_once if s.custom.get("role") == "clip"]
    assert clip.kept and clip.text == " ".join(w.text for w in words)
    assert clip.end <= 6.05  # padding stops at the other speaker's turn
