"""Ingest on generated media: stream choice, centre channel, subtitles and every bad input."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from conftest import ffmpeg, make_media, tone

from voicekit import config
from voicekit.audio.subtitles import Cue, parse_srt, srt_text, stamp
from voicekit.errors import InputError
from voicekit.manifest import Segment
from voicekit.pipeline.runner import Runner, StageReport
from voicekit.pipeline.stage import Context
from voicekit.stages.ingest import IngestStage
from voicekit.workspace import Workspace


def ingest(
    tmp_path: Path, sources: list[Path], lang: str = "auto", overrides: tuple[str, ...] = ()
) -> tuple[list[Segment], StageReport, Workspace]:
    conf = config.load(None, ["ingest.sample_rate=16000", *overrides])
    ws = Workspace(tmp_path / "ws")
    ctx = Context(ws, conf, sources=sources, lang=lang)
    out, reports = Runner([IngestStage(conf)], ctx).run()
    return out, reports[0], ws


def test_51_takes_the_centre_and_stereo_stays_stereo(tmp_path: Path, media_dir: Path) -> None:
    rate = 48000
    voice, music = tone(2, rate, 200), tone(2, rate, 523, seed=1)
    silent = np.zeros_like(voice)
    other = tone(2, rate, 330, seed=2)
    make_media(
        media_dir / "surround.mkv", [music, other, voice, silent, music, music], rate, layout="5.1"
    )
    make_media(media_dir / "stereo.mp4", [voice, music], rate)
    out, report, ws = ingest(tmp_path, [media_dir])
    assert report.computed == 2
    by_layout = {s.custom["layout"]: s for s in out}
    surround = by_layout.get("5.1(side)") or by_layout["5.1"]
    centre, _ = sf.read(ws.path(surround.audio))
    assert centre.ndim == 1
    expected = voice[::3][: centre.size]
    corr = np.corrcoef(centre[: expected.size], expected)[0, 1]
    assert corr > 0.95  # the centre is the voice, not the music
    # the front left and right are kept beside it, in that order, at the same rate
    fronts, fronts_rate = sf.read(ws.path(surround.custom["fronts"]))
    assert fronts.shape[1] == 2 and fronts_rate == 16000
    for channel, source in enumerate((music, other)):
        n = min(fronts.shape[0], source[::3].size)
        assert np.corrcoef(fronts[:n, channel], source[::3][:n])[0, 1] > 0.95
    stereo = by_layout["stereo"]
    assert "fronts" not in stereo.custom
    assert stereo.custom["channels"] == 2 and stereo.custom["sample_rate"] == 16000
    assert abs(stereo.duration - 2.0) < 0.1


def test_language_track_and_subtitles(tmp_path: Path, media_dir: Path) -> None:
    rate = 16000
    en, zh = media_dir / "en.wav", media_dir / "zh.wav"
    sf.write(en, tone(2, rate, 150), rate)
    sf.write(zh, tone(2, rate, 300, seed=2), rate)
    srt = media_dir / "cues.srt"
    srt.write_text(
        "1\n00:00:00,500 --> 00:00:01,500\n<i>Hello</i> there\n\n"
        "2\n00:00:01,600 --> 00:00:01,900\nBye\n",
        encoding="utf-8",
    )
    film = media_dir / "两种 语言 film.mkv"
    ffmpeg(
        "-i",
        str(en),
        "-i",
        str(zh),
        "-i",
        str(srt),
        "-map",
        "0:a",
        "-map",
        "1:a",
        "-map",
        "2:s",
        "-c:a",
        "flac",
        "-c:s",
        "srt",
        "-metadata:s:a:0",
        "language=eng",
        "-metadata:s:a:1",
        "language=chi",
        "-metadata:s:s:0",
        "language=eng",
        "-disposition:a:0",
        "default",
        str(film),
    )
    for extra in (en, zh, srt):
        extra.unlink()
    (media_dir / "两种 语言 film.zh.srt").write_text(
        "1\n00:00:00,000 --> 00:00:01,000\n你好\n", encoding="utf-8"
    )
    out, _, ws = ingest(tmp_path, [media_dir], lang="zh")
    [rec] = out
    assert rec.custom["language_tag"] == "chi" and rec.language == "zh"
    audio, _ = sf.read(ws.path(rec.audio))
    spectrum = np.abs(np.fft.rfft(audio))
    assert abs(np.argmax(spectrum) / 2 - 300) < 5  # the 300 Hz (zh) track was chosen
    subs = {s["origin"]: s for s in rec.custom["subtitles"]}
    assert subs["embedded"]["cues"] == 2 and subs["sidecar"]["language"] == "zh"
    import json

    cues = json.loads(ws.path(subs["embedded"]["path"]).read_text(encoding="utf-8"))
    assert cues[0] == {"start": 0.5, "end": 1.5, "text": "Hello there"}
    assert rec.recording_id.startswith("film-")  # ASCII id from a Chinese name with spaces
    out_en, _, _ = ingest(tmp_path / "en", [media_dir], lang="en")
    assert out_en[0].custom["language_tag"] == "eng"


def test_odd_rates_and_layouts(tmp_path: Path, media_dir: Path) -> None:
    make_media(media_dir / "phone.wav", [tone(1.5, 8000, 300)], 8000)
    hi = [tone(1.0, 96000, 200 + 50 * i, seed=i) for i in range(8)]
    make_media(media_dir / "hires.mkv", hi, 96000, layout="7.1")
    out, report, ws = ingest(tmp_path, [media_dir])
    assert report.computed == 2 and not report.skipped
    for seg in out:
        rate, channels = (
            sf.info(ws.path(seg.audio)).samplerate,
            sf.info(ws.path(seg.audio)).channels,
        )
        assert rate == 16000 and channels == 1


def test_bad_inputs_are_skipped_with_reasons(
    tmp_path: Path, media_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    make_media(media_dir / "good.flac", [tone(1.0, 16000)], 16000)
    (media_dir / "empty.mp4").write_bytes(b"")
    make_media(media_dir / "silent.wav", [np.zeros(16000, dtype=np.float32)], 16000)
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "anullsrc=r=16000:cl=mono",
        "-t",
        "0",
        "-c:a",
        "pcm_s16le",
        str(media_dir / "zero.wav"),
    )
    good = (media_dir / "good.flac").read_bytes()
    (media_dir / "truncated.flac").write_bytes(good[:200])
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "color=c=black:s=64x64:d=1",
        "-c:v",
        "mpeg4",
        str(media_dir / "noaudio.mp4"),
    )
    (media_dir / "notes.txt").write_text("not media")
    (tmp_path / "elsewhere").mkdir()
    make_media(tmp_path / "elsewhere/linked.wav", [tone(1.0, 16000, 330)], 16000)
    (media_dir / "link.wav").symlink_to(tmp_path / "elsewhere/linked.wav")
    with caplog.at_level(logging.WARNING, logger="voicekit"):
        out, report, _ = ingest(tmp_path, [media_dir])
    assert sorted(s.custom["source"].rsplit("/", 1)[-1] for s in out) == ["good.flac", "link.wav"]
    reasons = " | ".join(reason for _, reason in report.skipped)
    assert "silent.wav: the audio track is silent" in reasons
    assert "noaudio.mp4: no audio stream" in reasons
    assert "truncated.flac" in reasons
    assert "zero.wav" in reasons
    assert "empty.mp4: empty file" in caplog.text
    assert "notes.txt: not a media file" in caplog.text
    assert (tmp_path / "elsewhere/linked.wav").exists()  # sources are only read


def test_no_media_is_a_clear_error(tmp_path: Path, media_dir: Path) -> None:
    (media_dir / "readme.txt").write_text("x")
    with pytest.raises(InputError, match="no media files found"):
        ingest(tmp_path, [media_dir])
    with pytest.raises(InputError, match="source not found"):
        ingest(tmp_path, [media_dir / "missing"])


def test_a_folder_of_films_leaves_out_the_enrolment_clips_and_sums_up_other_files(
    tmp_path: Path, media_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from voicekit.stages.ingest import find_media

    film = media_dir / "film.mkv"
    make_media(film, [tone(1, 16000)], 16000)
    (media_dir / "film.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nhi\n")
    refs = [media_dir / "refs" / f"actor{i}.wav" for i in range(2)]
    refs[0].parent.mkdir()
    for ref in refs:
        sf.write(ref, tone(1, 16000), 16000)
    for junk in ("film.nfo", "poster.jpg", "fanart.jpg", "notes.txt"):
        (media_dir / junk).write_text("x")
    with caplog.at_level(logging.INFO, logger="voicekit"):
        assert find_media([media_dir], leave_out=refs) == [film]
        assert find_media([media_dir]) == [film, *refs]  # without --ref they are media
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        f"skipping 4 files in {media_dir} that are not media or subtitles "
        "(fanart.jpg, film.nfo, notes.txt, ...)"
    ] * 2
    assert sum("enrolment clip, not a film" in r.getMessage() for r in caplog.records) == 2


def test_srt_written_and_read_back() -> None:
    cues = [Cue(0.0, 1.2345, "第一句。"), Cue(3599.9996, 3723.5, "<i>Two</i>\nlines")]
    text = srt_text(cues)
    assert text.startswith("1\n00:00:00,000 --> 00:00:01,234\n第一句。\n")
    assert "2\n01:00:00,000 --> 01:02:03,500\n" in text
    assert parse_srt(text) == [Cue(0.0, 1.234, "第一句。"), Cue(3600.0, 3723.5, "Two lines")]
    assert stamp(-0.5) == "00:00:00,000" and stamp(61.25, ".", 2) == "00:01:01.25"
