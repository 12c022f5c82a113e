"""The export stage: kept clips -> `<workspace>/dataset/` (wavs, training lists, report).

One item covers every clip: the split and the lists need all of them at once. The runner
writes into `dataset.partial/` and renames it to `dataset/` when everything, report included,
is written, so a crash never leaves a dataset that looks complete.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from voicekit.errors import InputError
from voicekit.manifest import Segment
from voicekit.pipeline.stage import Context, Item, Output, Stage
from voicekit.stages.export import clips as clip_audio
from voicekit.stages.export import f5tts, gptsovits, guide, jsonl, ljspeech, split
from voicekit.stages.export.config import ExportConfig
from voicekit.stages.export.records import ExportedClip, file_name
from voicekit.stages.export.text import normalise_text, spoken_form

log = logging.getLogger("voicekit")

DATASET = "dataset"
SPEAKER = "target"  # the speaker folder and label in every list (identify's label)


def is_clip(seg: Segment) -> bool:
    return seg.custom.get("role") == "clip"


class ExportStage(Stage):
    """Writes the dataset folder and returns the clips with `custom.clip` = their wav."""

    name = "export"
    version = 3  # 2: clip peaks limited by voicekit.audio.limit; 3: "2025 年" read as a year
    ledger_kind = "dataset"
    publish_to = DATASET

    def items(self, inputs: list[Segment], ctx: Context) -> list[Item]:
        seconds = sum(s.duration for s in inputs if is_clip(s) and s.kept)
        # the absolute dataset path is written into gptsovits.list
        key = {"dataset": str(ctx.workspace.path(DATASET))}
        return [Item("all", tuple(inputs), seconds=seconds, key=key)]

    def process(self, item: Item, out: Output, ctx: Context) -> list[Segment]:
        cfg: ExportConfig = self.config.export
        dataset = out.partial
        speaker = SPEAKER
        clips = [s for s in item.inputs if is_clip(s)]
        names = _unique_names(clips)

        written: dict[str, tuple[str, dict[str, Any]]] = {}  # id -> (wav, loudness info)
        failed: dict[str, str] = {}
        done_s = 0.0
        for seg in clips:
            if not seg.kept:
                continue
            if not normalise_text(seg.text or "", seg.language, cfg.zh_script):
                # every training format pairs audio with text: a clip without any is unusable
                failed[seg.id] = "no transcript"
                continue
            wav = f"wavs/{speaker}/{names[seg.id]}.wav"
            try:
                written[seg.id] = (wav, self._write_clip(seg, ctx, dataset / wav))
            except InputError as err:
                log.warning("export: %s not written: %s", seg.id, err)
                failed[seg.id] = f"audio not readable: {err}"
            done_s += seg.duration
            ctx.progress(self.name, item.id, done_s, item.seconds)

        # a clip that cannot be exported is rejected here, never silently dropped
        clips = [s.reject("export", failed[s.id]) if s.id in failed else s for s in clips]
        kept = [s for s in clips if s.kept]
        splits = split.assign(
            kept,
            val_fraction=cfg.val_fraction,
            heldout_fraction=cfg.heldout_fraction,
            gap_s=cfg.split_gap_s,
        )
        exported = [self._record(s, written[s.id], speaker, splits[s.id]) for s in kept]
        rejected = [(s, self._rejected_audio(s, ctx, dataset, names[s.id]))
                    for s in clips if not s.kept]

        final = ctx.workspace.path(out.final_rel)
        ljspeech.write(dataset, exported)
        jsonl.write(dataset, exported, rejected)
        gptsovits.write(dataset, exported, final)
        f5tts.write(dataset, exported)
        split.write_lists(dataset, splits, {c.segment.id: c.wav for c in exported})
        self._write_info(dataset, ctx, speaker)

        results = [_result(c) for c in exported] + [
            s.with_(custom={**s.custom, "clip": audio} if audio else s.custom)
            for s, audio in rejected
        ]
        results.sort(key=lambda s: (s.recording_id, s.start, s.id))
        from voicekit.report.render import write_report

        context = [s for s in item.inputs if not is_clip(s)]
        write_report(dataset, results, context, ctx.workspace.root)
        return results

    def _write_clip(self, seg: Segment, ctx: Context, path: Path) -> dict[str, Any]:
        cfg: ExportConfig = self.config.export
        samples, rate = clip_audio.read_span(ctx.workspace.path(seg.audio), seg.start, seg.duration)
        samples = clip_audio.resample(samples, rate, cfg.sample_rate)
        result = clip_audio.process(
            samples,
            cfg.sample_rate,
            target_lufs=cfg.loudness_lufs,
            peak_dbfs=cfg.peak_dbfs,
            max_gain_db=cfg.max_gain_db,
            fade_s=cfg.fade_ms / 1000,
        )
        clip_audio.write(path, result, cfg.subtype)
        return {
            "loudness_in": round(result.loudness_in, 2),
            "loudness_out": round(result.loudness_out, 2),
            "gain_db": round(result.gain_db, 2),
            "limited": result.limited,
        }

    def _rejected_audio(self, seg: Segment, ctx: Context, dataset: Path, name: str) -> str | None:
        if not self.config.export.keep_rejected_audio:
            return None
        wav = f"rejected/{name}.wav"
        try:
            self._write_clip(seg, ctx, dataset / wav)
        except InputError as err:
            log.warning("export: rejected clip %s not written: %s", seg.id, err)
            return None
        return wav

    def _record(
        self, seg: Segment, written: tuple[str, dict[str, Any]], speaker: str, split_name: str
    ) -> ExportedClip:
        cfg: ExportConfig = self.config.export
        text = normalise_text(seg.text or "", seg.language, cfg.zh_script)
        wav, audio = written
        return ExportedClip(seg, wav, speaker, text, spoken_form(text, seg.language), split_name,
                            audio)

    def _write_info(self, dataset: Path, ctx: Context, speaker: str) -> None:
        from voicekit.config import to_dict

        cfg: ExportConfig = self.config.export
        (dataset / "config.json").write_text(
            json.dumps(to_dict(ctx.config), indent=1, ensure_ascii=False), encoding="utf-8"
        )
        (dataset / "README.txt").write_text(
            guide.render(
                speaker=speaker,
                rate=cfg.sample_rate,
                subtype=cfg.subtype,
                lufs=cfg.loudness_lufs,
                peak=cfg.peak_dbfs,
                rejected_audio=cfg.keep_rejected_audio,
            ),
            encoding="utf-8",
        )


def _unique_names(clips: list[Segment]) -> dict[str, str]:
    """Clip id -> file name; ids that only differ in unsafe characters get a hash suffix."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for seg in clips:
        name = file_name(seg.id)
        if name in used:
            name = f"{name}_{hashlib.sha256(seg.id.encode()).hexdigest()[:8]}"
        used.add(name)
        names[seg.id] = name
    return names


def _result(clip: ExportedClip) -> Segment:
    seg = clip.segment
    return seg.with_(
        custom={
            **seg.custom,
            "clip": clip.wav,
            "split": clip.split,
            "text_export": clip.text,
            **clip.audio,
        }
    )
