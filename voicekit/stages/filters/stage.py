"""The filters stage: every clip scored by every filter and rejected with a reason, never dropped.

One item holds the whole run ("all"): duplicates and the main language are questions about the
whole dataset. Clip audio is read one clip at a time, so memory stays bounded on long films.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from functools import partial
from typing import Any, ClassVar

import numpy as np

from voicekit.errors import InputError
from voicekit.manifest import Segment
from voicekit.pipeline.stage import Context, Item, Output, Stage, recording_seconds
from voicekit.stages.filters import duplicate, registry, snr
from voicekit.stages.filters.base import ClipAudio, SetContext, Verdict
from voicekit.workspace import Workspace

log = logging.getLogger("voicekit")
PROBE_RATE = 8000  # enough to compare the fronts' power during and between lines


def is_clip(seg: Segment) -> bool:
    return seg.custom.get("role") == "clip"


def apply(seg: Segment, name: str, verdict: Verdict) -> Segment:
    """Record a filter's scores on a clip and its rejection, if any."""
    if verdict.scores:
        seg = seg.scored(**verdict.scores)
    if verdict.reason is not None:
        seg = seg.reject(name, verdict.reason, verdict.score)
    return seg


def others_by_recording(segments: list[Segment]) -> dict[str, list[tuple[float, float]]]:
    """Where someone other than the target speaks, per recording (sorted)."""
    out: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for s in segments:
        role = s.custom.get("role")
        if role == "overlap" or (role == "turn" and s.speaker != "target"):
            out[s.recording_id].append((s.start, s.end))
    return {rid: sorted(ranges) for rid, ranges in out.items()}


def speech_by_recording(segments: list[Segment]) -> dict[str, list[tuple[float, float]]]:
    """Where anyone speaks (turns, overlaps, clips), per recording (sorted)."""
    out: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for s in segments:
        if s.custom.get("role") in ("turn", "overlap", "clip"):
            out[s.recording_id].append((s.start, s.end))
    return {rid: sorted(ranges) for rid, ranges in out.items()}


class FiltersStage(Stage):
    """Scores and judges every clip (`custom.role == "clip"`); other segments pass through."""

    name: ClassVar[str] = "filters"
    # 2: snr reads what the separator removed; 3: rate fence; 4: snr; 5: snr by the fronts
    version: ClassVar[int] = 5

    def fingerprint(self) -> dict[str, Any]:
        # the duration filter judges by the segment stage's limits: they are part of our key
        seg = self.config.segment
        return {**super().fingerprint(), "segment": {"min_s": seg.min_s, "max_s": seg.max_s}}

    def items(self, inputs: list[Segment], ctx: Context) -> list[Item]:
        if not inputs:
            return []
        recordings: dict[str, list[Segment]] = defaultdict(list)
        for seg in inputs:
            recordings[seg.recording_id].append(seg)
        seconds = sum(recording_seconds(segs) for segs in recordings.values())
        return [Item("all", tuple(inputs), seconds=seconds, key={"lang": ctx.lang})]

    def process(self, item: Item, out: Output, ctx: Context) -> list[Segment]:
        clip_filters, set_filters = registry.enabled(self.config.filters.disable)
        segments = list(item.inputs)
        index = [i for i, s in enumerate(segments) if is_clip(s)]
        others = others_by_recording(segments)
        speech = speech_by_recording(segments)
        prints: list[np.ndarray | None] = []
        want_prints = any(name == "duplicate" for name, _ in set_filters)
        total = sum(segments[i].duration for i in index)
        done = 0.0
        with _ClipReader(ctx.workspace) as reader:
            fronts = (usable_fronts(reader, [segments[i] for i in index], speech)
                      if any(name == "snr" for name, _ in clip_filters) else set())
            for i in index:
                seg = segments[i]
                samples, rate = reader.read(seg.audio, seg.start, seg.end)
                audio = ClipAudio(seg, samples, rate, others.get(seg.recording_id, []),
                                  speech.get(seg.recording_id, []),
                                  partial(reader.mono, seg.audio), mix_reader(reader, seg, rate),
                                  fronts_reader(reader, seg, rate, fronts))
                for name, check in clip_filters:
                    seg = apply(seg, name, check(audio, self.config))
                segments[i] = seg
                prints.append(duplicate.fingerprint(samples, rate) if want_prints else None)
                done += seg.duration
                ctx.progress(self.name, item.id, done, total)
        clips = [segments[i] for i in index]
        context = SetContext(ctx.lang, prints)
        for name, check_all in set_filters:
            verdicts = check_all(clips, self.config, context)
            clips = [apply(c, name, v) for c, v in zip(clips, verdicts, strict=True)]
        for i, judged in zip(index, clips, strict=True):
            segments[i] = judged
        kept = sum(c.kept for c in clips)
        log.info("filters: %d of %d clips kept", kept, len(clips))
        return segments


def mix_reader(reader: _ClipReader, seg: Segment,
               rate: int) -> partial[np.ndarray] | None:
    """Reads the clip's pre-separation recording at `rate`, None when there is no other one."""
    mix = seg.custom.get("mix")
    if not isinstance(mix, str) or mix == seg.audio:
        return None
    return partial(reader.mono, mix, rate=rate)


def usable_fronts(reader: _ClipReader, clips: list[Segment],
                  speech: dict[str, list[tuple[float, float]]]) -> set[str]:
    """The front-channel files the SNR filter may read: those that do not carry the dialogue
    (`snr.fronts_speech_db` under `snr.DIALOGUE_IN_FRONTS_DB`, or unknown)."""
    found = {(c.recording_id, c.custom["fronts"], float(c.custom.get("recording_duration", c.end)))
             for c in clips if isinstance(c.custom.get("fronts"), str)}
    usable = set()
    for rid, fronts, duration in sorted(found):
        louder = snr.fronts_speech_db(partial(reader.channels, fronts, rate=PROBE_RATE),
                                      speech.get(rid, []), duration)
        if louder is not None and louder >= snr.DIALOGUE_IN_FRONTS_DB:
            log.warning("filters: %s: the front channels carry the dialogue (%.1f dB louder "
                        "while someone speaks); its SNR is read without them", rid, louder)
            continue
        usable.add(fronts)
    return usable


def fronts_reader(reader: _ClipReader, seg: Segment, rate: int,
                  usable: set[str]) -> partial[np.ndarray] | None:
    """Reads the film's front left and right channels at `rate`, None when it has none (or
    they are not `usable`)."""
    fronts = seg.custom.get("fronts")
    if not isinstance(fronts, str) or fronts not in usable:
        return None
    return partial(reader.channels, fronts, rate=rate)


class _ClipReader:
    """Reads clips from their audio files, keeping each file open while it is used."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.files: dict[str, Any] = {}

    def __enter__(self) -> _ClipReader:
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self.files.values():
            handle.close()

    def read(self, audio: str, start: float, end: float) -> tuple[np.ndarray, int]:
        """Mono samples of `audio` from `start` to `end` seconds (clamped), and the rate."""
        data, rate = self._frames(audio, start, end)
        return data.mean(axis=1), rate

    def channels(self, audio: str, start: float, end: float, rate: int) -> np.ndarray:
        """(samples, channels) of `audio` from `start` to `end`, resampled to `rate`."""
        from voicekit.audio.io import resample

        data, have = self._frames(audio, start, end)
        return resample(data, have, rate)

    def _frames(self, audio: str, start: float, end: float) -> tuple[np.ndarray, int]:
        import soundfile as sf

        handle = self.files.get(audio)
        if handle is None:
            path = self.workspace.path(audio)
            try:
                handle = self.files[audio] = sf.SoundFile(path)
            except (OSError, RuntimeError) as err:  # LibsndfileError is a RuntimeError
                raise InputError(f"cannot read audio {path}: {err}") from err
        rate = int(handle.samplerate)
        first = min(max(0, round(start * rate)), handle.frames)
        handle.seek(first)
        data = handle.read(max(0, round(end * rate) - first), dtype="float32", always_2d=True)
        return data, rate

    def mono(self, audio: str, start: float, end: float, rate: int | None = None) -> np.ndarray:
        """Mono samples of `audio` from `start` to `end`, resampled to `rate` if given."""
        from voicekit.audio.io import resample

        samples, have = self.read(audio, start, end)
        return samples if rate is None else resample(samples, have, rate)
