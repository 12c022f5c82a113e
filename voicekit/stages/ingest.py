"""The ingest stage: find media under the sources, decode each dialogue track into the workspace.

One item per source file; the cache key is the file's content hash, so renaming a folder or
touching a file re-uses the decoded audio, and a changed film is decoded again. For 5.1/7.1 the
centre channel is taken (film dialogue lives there), and its front left and right channels are
kept beside it (`custom["fronts"]`: where the music plays, for the SNR filter); stereo stays
stereo for the separate stage. Embedded text subtitle tracks and sidecar subtitle files are
converted to cue lists: free text and timings for transcription.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicekit import atomic
from voicekit.audio import ffmpeg, io, subtitles
from voicekit.errors import InputError
from voicekit.hashing import file_sha256
from voicekit.knob import knob
from voicekit.manifest import Segment
from voicekit.pipeline.stage import Context, Item, Output, Stage

log = logging.getLogger("voicekit")

MEDIA_SUFFIXES = {
    ".mkv",
    ".mp4",
    ".m4v",
    ".mov",
    ".avi",
    ".webm",
    ".ts",
    ".m2ts",
    ".mts",
    ".wav",
    ".flac",
    ".mp3",
    ".m4a",
    ".aac",
    ".opus",
    ".ogg",
}
FRONTS = "fronts.wav"
SILENCE_PEAK = 10 ** (-80 / 20)  # -80 dBFS: a track this quiet holds no dialogue


@dataclass(frozen=True)
class IngestConfig:
    sample_rate: int = knob(24000, "sample rate of decoded recordings in the workspace (Hz)")
    subtitles: bool = knob(True, "extract embedded subtitle tracks and sidecar subtitle files")
    block_s: float = knob(60.0, "seconds read at a time when scanning long audio", output=False)


def find_media(sources: list[Path], leave_out: Collection[Path] = ()) -> list[Path]:
    """Media files under the sources (recursive, sorted), but for the files in ``leave_out``
    (the enrolment clips: a clip kept beside the films is not a film). Other files are skipped
    with a warning (one line for all of a folder's)."""
    left_out = {p.resolve() for p in leave_out}
    found: list[Path] = []
    for source in sources:
        if not source.exists():
            raise InputError(f"source not found: {source}")
        if source.is_file():
            candidates = [source]
        else:
            candidates = sorted(p for p in source.rglob("*") if p.is_file())
        skipped = []
        for path in candidates:
            suffix = path.suffix.lower()
            if path.resolve() in left_out:
                log.info("%s is an enrolment clip, not a film: left out", path)
            elif suffix in MEDIA_SUFFIXES:
                found.append(path)
            elif suffix not in subtitles.SIDECAR_SUFFIXES:
                skipped.append(path)
        if len(skipped) == 1:
            log.warning("skipping %s: not a media file", skipped[0])
        elif skipped:
            names = ", ".join(p.name for p in skipped[:3]) + (", ..." if len(skipped) > 3 else "")
            log.warning("skipping %d files in %s that are not media or subtitles (%s)",
                        len(skipped), source, names)  # fmt: skip
    if not found:
        names = ", ".join(str(s) for s in sources)
        raise InputError(
            f"no media files found in {names}",
            f"voicekit reads {', '.join(sorted(s.lstrip('.') for s in MEDIA_SUFFIXES))}",
        )
    return found


def recording_id(path: Path, sha256: str) -> str:
    """ASCII id from the file name plus a content-hash prefix (unique, stable, file-name safe)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "_", path.stem).strip("_")[:40] or "rec"
    return f"{slug}-{sha256[:8]}"


class HashCache:
    """Source content hashes, remembered by (path, size, mtime): a resume does not re-read films."""

    def __init__(self, ctx: Context) -> None:
        self.path = ctx.workspace.record("cache/source-hashes.json", "cache")
        try:
            self.data: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {}

    def sha256(self, path: Path) -> str:
        stat = path.stat()
        key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
        if key not in self.data:
            self.data[key] = file_sha256(path)
        return self.data[key]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(self.path, json.dumps(self.data, indent=0))


class IngestStage(Stage):
    name = "ingest"
    version = 2  # 2: the front channels of a stream with a centre
    ledger_kind = "ingest"

    def items(self, inputs: list[Segment], ctx: Context) -> list[Item]:
        hashes = HashCache(ctx)
        items: list[Item] = []
        seen: dict[str, Path] = {}
        for path in find_media(ctx.sources):
            ctx.workspace.record_source(path)
            if path.stat().st_size == 0:
                log.warning("skipping %s: empty file", path)
                continue
            sha = hashes.sha256(path)
            if sha in seen:
                log.warning("skipping %s: same content as %s", path, seen[sha])
                continue
            seen[sha] = path
            key: dict[str, Any] = {"sha256": sha, "path": str(path.absolute()), "lang": ctx.lang}
            if self.config.ingest.subtitles:
                key["sidecars"] = [[p.name, hashes.sha256(p)] for p, _ in subtitles.sidecars(path)]
            items.append(Item(str(path), seconds=_guess_seconds(path), key=key))
        hashes.save()
        return items

    def process(self, item: Item, out: Output, ctx: Context) -> list[Segment]:
        path = Path(item.id)
        sha = str(item.key["sha256"])
        info = ffmpeg.probe(path)
        if not info.audio:
            raise InputError(f"{path.name}: no audio stream")
        stream = ffmpeg.choose_stream(info.audio, ctx.lang)
        wav = out.path("audio.wav")
        fronts = out.path(FRONTS)
        channels = ffmpeg.decode(
            path,
            stream,
            wav,
            self.config.ingest.sample_rate,
            progress=lambda s: ctx.progress(self.name, item.id, min(s, item.seconds), item.seconds),
            fronts=fronts,
        )
        rate, _, duration = io.info(wav)
        if duration <= 0:
            raise InputError(f"{path.name}: zero-length audio")
        if _peak(wav, self.config.ingest.block_s) < SILENCE_PEAK:
            raise InputError(f"{path.name}: the audio track is silent")
        rid = recording_id(path, sha)
        subs = self._subtitles(path, info, out) if self.config.ingest.subtitles else []
        custom: dict[str, Any] = {
            "role": "recording",
            "source": str(path.absolute()),
            "source_sha256": sha,
            "stream": stream.index,
            "codec": stream.codec,
            "language_tag": stream.language,
            "channels_in": stream.channels,
            "layout": stream.layout,
            "channels": channels,
            "sample_rate": rate,
            "recording_duration": duration,
            "subtitles": subs,
        }
        if fronts.exists():
            custom["fronts"] = out.rel(FRONTS)
        language = ctx.lang if ctx.lang != "auto" else _tag_language(stream.language)
        return [
            Segment(rid, rid, 0.0, duration, out.rel("audio.wav"), language=language, custom=custom)
        ]

    def _subtitles(self, path: Path, info: ffmpeg.Probe, out: Output) -> list[dict[str, Any]]:
        tracks: list[tuple[int | None, Path, str | None, str]] = [
            (s.index, path, s.language, "embedded")
            for s in info.subtitles
            if s.codec in ffmpeg.TEXT_SUBTITLE_CODECS
        ]
        tracks += [(None, p, lang, "sidecar") for p, lang in subtitles.sidecars(path)]
        found = []
        for number, (index, src, lang, origin) in enumerate(tracks):
            srt = out.path(f"subtitles/{number}.srt")
            try:
                ffmpeg.extract_subtitle(src, index, srt)
            except InputError as err:
                log.warning("%s", err)
                continue
            cues = subtitles.parse_srt(srt.read_text(encoding="utf-8", errors="replace"))
            cue_file = out.path(f"subtitles/{number}.json")
            cue_file.write_text(
                json.dumps([c.__dict__ for c in cues], ensure_ascii=False), encoding="utf-8"
            )
            found.append(
                {
                    "path": out.rel(f"subtitles/{number}.json"),
                    "language": lang,
                    "origin": origin,
                    "file": src.name,
                    "cues": len(cues),
                }
            )
        return found


def _tag_language(tag: str | None) -> str | None:
    for lang in ffmpeg.LANGUAGE_TAGS:
        if ffmpeg.language_matches(tag, lang):
            return lang
    return None


def _guess_seconds(path: Path) -> float:
    """Duration for progress bars; 0 when the container does not say."""
    try:
        return ffmpeg.probe(path).duration or 0.0
    except InputError:
        return 0.0


def _peak(wav: Path, block_s: float) -> float:
    peak = 0.0
    for _, block, _ in io.blocks(wav, block_s):
        if block.size:
            peak = max(peak, float(np.abs(block).max()))
    return peak
