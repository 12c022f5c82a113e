"""Write a film container with ffmpeg: a small video stream, audio tracks, subtitle tracks.

Audio tracks arrive as float wav files already laid out in their channel order; subtitles as
cue lists that are written to SRT or ASS text and muxed (SRT/ASS in mkv, mov_text in mp4).
Output is bit-exact flagged so the same inputs give the same bytes.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from voicekit.audio.subtitles import Cue, srt_text, stamp
from voicekit.demo.mixing import LAYOUT_CHANNELS
from voicekit.errors import DependencyError, StageError

# ffmpeg layout names; 5.1(side) is FL FR FC LFE SL SR, the order mixing.lay_out writes.
FFMPEG_LAYOUT = {"mono": "mono", "stereo": "stereo", "5.1": "5.1(side)"}
# Lossy bit rates per layout (aac and ac3); lossless codecs (flac, pcm) take none.
LOSSY_BITRATE = {"mono": "96k", "stereo": "192k", "5.1": "448k"}
LOSSLESS = ("flac", "pcm_s16le", "pcm_s24le")


@dataclass(frozen=True)
class AudioTrack:
    """An audio stream to mux: wav path, layout, codec, ISO 639-2 language tag, default flag."""

    wav: Path
    layout: str
    codec: str
    language: str
    default: bool


@dataclass(frozen=True)
class SubtitleTrack:
    """A subtitle stream to mux: cues, format (`srt`, `ass` or `mov_text`), language tag."""

    cues: tuple[Cue, ...]
    fmt: str
    language: str


def ass_text(cues: Sequence[Cue]) -> str:
    """Advanced SubStation Alpha text for `cues` (one default style)."""
    head = (
        "[Script Info]\nScriptType: v4.00+\nPlayResX: 384\nPlayResY: 288\n\n"
        "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, Bold, Italic, "
        "Alignment, MarginL, MarginR, MarginV\n"
        "Style: Default,Arial,18,&H00FFFFFF,0,0,2,10,10,10\n\n"
        "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, "
        "Effect, Text\n"
    )
    lines = [
        f"Dialogue: 0,{stamp(c.start, '.', 2)[1:]},{stamp(c.end, '.', 2)[1:]},Default,,0,0,0,,"
        + c.text.replace("\n", "\\N")
        for c in cues
    ]
    return head + "\n".join(lines) + "\n"


def write_subtitle_file(path: Path, cues: Sequence[Cue]) -> None:
    """Write `cues` as SRT or ASS depending on the suffix of `path` (UTF-8)."""
    text = ass_text(cues) if path.suffix == ".ass" else srt_text(cues)
    path.write_text(text, encoding="utf-8")


def write_film(
    path: Path,
    duration: float,
    audio: Sequence[AudioTrack],
    subtitles: Sequence[SubtitleTrack] = (),
    work_dir: Path | None = None,
) -> None:
    """Mux a film: video stream 0, then `audio` in order, then `subtitles` in order.

    Raises:
        DependencyError: ffmpeg is missing.
        StageError: ffmpeg failed (its last stderr line is in the message).
    """
    if shutil.which("ffmpeg") is None:
        raise DependencyError("'ffmpeg' not found", "apt-get install ffmpeg")
    work = work_dir or path.parent
    cmd = [
        "ffmpeg",
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        f"color=c=0x203040:s=160x90:r=5:d={duration:.3f}",
    ]
    for track in audio:
        cmd += ["-i", str(track.wav)]
    sub_files = []
    for k, sub in enumerate(subtitles):
        sub_path = work / f".{path.stem}.sub{k}.{'ass' if sub.fmt == 'ass' else 'srt'}"
        write_subtitle_file(sub_path, sub.cues)
        sub_files.append(sub_path)
        cmd += ["-i", str(sub_path)]
    cmd += ["-map", "0:v"]
    for k in range(len(audio)):
        cmd += ["-map", f"{k + 1}:a"]
    for k in range(len(subtitles)):
        cmd += ["-map", f"{len(audio) + k + 1}:s"]
    cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "40", "-pix_fmt", "yuv420p"]
    for k, track in enumerate(audio):
        cmd += [f"-c:a:{k}", track.codec, f"-ac:a:{k}", str(LAYOUT_CHANNELS[track.layout])]
        layout = FFMPEG_LAYOUT[track.layout]
        if track.codec == "aac" and layout == "5.1(side)":
            layout = "5.1"  # AAC signals only the back-pair 5.1 (same channel order)
        cmd += [f"-channel_layout:a:{k}", layout]
        if track.codec not in LOSSLESS:
            cmd += [f"-b:a:{k}", LOSSY_BITRATE[track.layout]]
        cmd += [f"-metadata:s:a:{k}", f"language={track.language}"]
        cmd += [f"-disposition:a:{k}", "default" if track.default else "0"]
    for k, sub in enumerate(subtitles):
        cmd += [f"-c:s:{k}", sub.fmt, f"-metadata:s:s:{k}", f"language={sub.language}"]
        cmd += [f"-disposition:s:{k}", "0"]
    cmd += ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact"]
    cmd += ["-flags:a", "+bitexact", "-t", f"{duration:.3f}", str(path)]
    try:
        subprocess.run(cmd, check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as err:
        last = (err.stderr or "").strip().splitlines()[-1:] or ["no output"]
        raise StageError(f"ffmpeg could not write {path.name}: {last[0]}") from err
    finally:
        for sub_path in sub_files:
            sub_path.unlink(missing_ok=True)
