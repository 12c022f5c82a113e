"""ffprobe/ffmpeg: probe a container, choose the dialogue stream, decode it, extract subtitles,
read tags and decode short files in memory."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicekit.errors import DependencyError, InputError

# ISO 639 codes seen in stream tags, by the language voicekit calls them.
LANGUAGE_TAGS = {
    "zh": {"zh", "chi", "zho", "cmn", "chs", "cht", "yue"},
    "en": {"en", "eng"},
}
TEXT_SUBTITLE_CODECS = {"subrip", "srt", "ass", "ssa", "mov_text", "webvtt", "text"}


@dataclass(frozen=True)
class AudioStream:
    index: int  # absolute stream index in the container
    codec: str
    channels: int
    layout: str
    sample_rate: int
    language: str | None
    default: bool
    duration: float | None


@dataclass(frozen=True)
class SubtitleStream:
    index: int
    codec: str
    language: str | None


@dataclass(frozen=True)
class Probe:
    path: Path
    format: str
    duration: float | None
    audio: list[AudioStream]
    subtitles: list[SubtitleStream]


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise DependencyError(
            f"{name} is not installed",
            "install it: `sudo apt-get install ffmpeg` (or `make install`)",
        )
    return found


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def probe(path: Path) -> Probe:
    """Streams of a media file; InputError when ffprobe cannot read it."""
    cmd = [
        tool("ffprobe"),
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        str(path),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        reason = _last_line(result.stderr, "unreadable")
        raise InputError(f"{path.name}: not a readable media file ({reason})")
    data = json.loads(result.stdout or "{}")
    audio, subs = [], []
    for stream in data.get("streams", []):
        tags = {k.lower(): v for k, v in (stream.get("tags") or {}).items()}
        language = tags.get("language")
        language = None if language in (None, "und") else str(language).lower()
        kind = stream.get("codec_type")
        if kind == "audio":
            channels = int(stream.get("channels") or 0)
            audio.append(
                AudioStream(
                    index=int(stream["index"]),
                    codec=str(stream.get("codec_name", "?")),
                    channels=channels,
                    layout=str(stream.get("channel_layout") or default_layout(channels)),
                    sample_rate=int(stream.get("sample_rate") or 0),
                    language=language,
                    default=bool((stream.get("disposition") or {}).get("default")),
                    duration=_float(stream.get("duration")),
                )
            )
        elif kind == "subtitle":
            subs.append(
                SubtitleStream(int(stream["index"]), str(stream.get("codec_name", "?")), language)
            )
    fmt = data.get("format") or {}
    return Probe(path, str(fmt.get("format_name", "?")), _float(fmt.get("duration")), audio, subs)


def tag_values(path: Path) -> list[str]:
    """Every tag value of the container and its streams (e.g. a `comment`)."""
    cmd = [tool("ffprobe"), "-v", "error", "-print_format", "json",
           "-show_entries", "format_tags:stream_tags", str(path)]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        reason = _last_line(result.stderr, "unreadable")
        raise InputError(f"{path.name}: not a readable media file ({reason})")
    data = json.loads(result.stdout or "{}")
    tags = [data.get("format", {}).get("tags", {})]
    tags += [s.get("tags", {}) for s in data.get("streams", [])]
    return [str(v) for t in tags for v in t.values()]


def read_mono(path: Path, rate: int) -> Any:
    """The first audio stream as mono float32 samples (numpy) at `rate`, decoded in memory."""
    import numpy as np

    cmd = [*_ffmpeg(), "-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", str(rate),
           "-f", "f32le", "-"]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, check=False)
    if result.returncode != 0:
        reason = _last_line(result.stderr.decode("utf-8", "replace"), "unreadable")
        raise InputError(f"{path.name}: cannot decode audio ({reason})")
    return np.frombuffer(result.stdout, dtype=np.float32)


def _ffmpeg() -> list[str]:
    """ffmpeg with no prompts, no banner, errors only, overwriting its output."""
    return [tool("ffmpeg"), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]


def _last_line(stderr: str, default: str) -> str:
    """The last line ffmpeg printed: its most specific error."""
    return (stderr.strip().splitlines() or [default])[-1]


def default_layout(channels: int) -> str:
    return {1: "mono", 2: "stereo", 6: "5.1", 8: "7.1"}.get(channels, f"{channels}ch")


def language_matches(tag: str | None, lang: str) -> bool:
    return tag is not None and tag in LANGUAGE_TAGS.get(lang, {lang})


def choose_stream(streams: list[AudioStream], lang: str) -> AudioStream:
    """The dialogue stream: the one tagged with `lang`, else the default one, else the first."""
    if lang != "auto":
        for stream in streams:
            if language_matches(stream.language, lang):
                return stream
    for stream in streams:
        if stream.default:
            return stream
    return streams[0]


def has_centre(stream: AudioStream) -> bool:
    """True for layouts with a front-centre channel (5.1, 7.1, ...): film dialogue lives there."""
    return stream.channels >= 3 and stream.layout not in ("stereo", "2.1", "quad")


def decode(
    path: Path,
    stream: AudioStream,
    out: Path,
    rate: int,
    progress: Callable[[float], None] | None = None,
    fronts: Path | None = None,
) -> int:
    """Decode one audio stream to 16-bit WAV at `rate`; returns the output channel count.

    Centre channel for 5.1/7.1 (dialogue), both channels for stereo (the separate stage extracts
    the centre), mono otherwise. With `fronts`, a stream with a centre also gives its front left
    and right channels there (2-channel WAV, same rate: where a film's music plays, which tells
    music in the centre from the dialogue); `fronts` is not written for other layouts.
    """
    wav = ["-ar", str(rate), "-c:a", "pcm_s16le", "-f", "wav"]
    extra: list[str] = []
    if has_centre(stream):
        mapping, channels = ["-af", "pan=mono|c0=FC"], 1
        if fronts is not None:
            extra = ["-map", f"0:{stream.index}", "-vn", "-af", "pan=stereo|c0=FL|c1=FR",
                     "-ac", "2", *wav, str(fronts)]  # fmt: skip
    elif stream.channels == 2:
        mapping, channels = [], 2
    else:
        mapping, channels = [], 1
    cmd = [*_ffmpeg(), "-i", str(path), "-map", f"0:{stream.index}", "-vn", *mapping,
           "-ac", str(channels), *wav, "-progress", "pipe:1", "-nostats", str(out), *extra]
    with tempfile.TemporaryFile("w+") as errors:  # a file, so a chatty stderr cannot block
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            if progress and line.startswith("out_time_us="):
                value = _float(line.split("=", 1)[1])
                if value is not None and value > 0:
                    progress(value / 1e6)
        code = proc.wait()
        errors.seek(0)
        if code != 0:
            reason = _last_line(errors.read(), "decoding failed")
            raise InputError(f"{path.name}: cannot decode audio stream {stream.index} ({reason})")
    return channels


def extract_subtitle(path: Path, index: int | None, out: Path) -> None:
    """Convert a subtitle stream (or a sidecar file when `index` is None) to SRT."""
    mapping = [] if index is None else ["-map", f"0:{index}"]
    cmd = [*_ffmpeg(), "-i", str(path), *mapping, "-f", "srt", str(out)]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        reason = _last_line(result.stderr, "conversion failed")
        raise InputError(f"{path.name}: cannot read subtitles ({reason})")
