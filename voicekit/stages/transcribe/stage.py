"""The transcribe stage: text and word times for the target's turns.

Target turns (`speaker == "target"`, `custom.role == "turn"`) are transcribed from their
separated stem, consecutive ones closer than `join_gap_s` as one span whose words are then
handed back to each turn (`spans`); every other segment passes through unchanged. The language
is `--lang`, or is detected once per recording on the target's speech and then fixed. Subtitle
cues overlapping a turn give `scores.subtitle_agreement`; without an ASR model, subtitle text
stands in (marked `custom.text_source = "subtitles"`) or the text stays null, with a warning
naming the fix.
"""

from __future__ import annotations

import gc
import logging
import shutil
from typing import TYPE_CHECKING, Any

import numpy as np

from voicekit import manifest, models
from voicekit.audio import io
from voicekit.errors import ConfigError, ModelNotFoundError
from voicekit.eval.asr import convert_script, is_cjk_language
from voicekit.manifest import Segment, Word
from voicekit.pipeline.stage import Context, Item, Output, Stage
from voicekit.stages.segment.stage import blockers
from voicekit.stages.transcribe import spans, subtitles
from voicekit.stages.transcribe.whisper import SAMPLE_RATE, WINDOW_S, WhisperBackend

if TYPE_CHECKING:
    from voicekit.config import Config

log = logging.getLogger("voicekit")


CHUNKS = "chunks"


def is_target_turn(seg: Segment) -> bool:
    return seg.speaker == "target" and seg.custom.get("role") == "turn"


def _resume(out: Output) -> dict[str, Segment]:
    """Turns finished by an earlier, interrupted run of this item (its chunk checkpoints)."""
    folder = out.partial / CHUNKS
    done: dict[str, Segment] = {}
    if folder.is_dir():
        for chunk in sorted(folder.glob("*.jsonl")):
            done.update({seg.id: seg for seg in manifest.read(chunk)})
    return done


def _batches(todo: list[spans.Span], size: int) -> list[list[spans.Span]]:
    """Spans in decoding order: up to `size` spans of at most 30 s together, longer spans
    (Whisper slides its window over them) alone."""
    out: list[list[spans.Span]] = []
    for span in todo:
        if size > 1 and span.end - span.start <= WINDOW_S and out and len(out[-1]) < size and (
                out[-1][0].end - out[-1][0].start <= WINDOW_S):
            out[-1].append(span)
        else:
            out.append([span])
    return out


def _checkpoint(out: Output, batch: list[Segment]) -> None:
    number = len(list(out.path(CHUNKS).glob("*.jsonl")))
    name = f"{CHUNKS}/{number:05d}.jsonl"
    tmp = out.path(name + ".tmp")
    manifest.write(tmp, batch)
    out.commit_chunk(tmp, name)


class TranscribeStage(Stage):
    name = "transcribe"
    version = 3

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.backend: WhisperBackend | None = None
        self.missing: ModelNotFoundError | None = None
        self._identity: dict[str, Any] | None = None

    # -- model ------------------------------------------------------------------------------

    @property
    def model_name(self) -> str:
        model = str(self.config.transcribe.model)
        return model if models.is_path(model) else models.whisper_name(model)

    def model_identity(self) -> dict[str, Any]:
        """Model name and sha256 of its weights (None when absent), found without writing."""
        if self._identity is None:
            name = self.model_name
            sha: str | None = None
            if models.is_path(name):
                try:
                    sha = models.model_sha256(models.resolve(name, self.config))
                except ModelNotFoundError:
                    sha = None
            else:
                sha = models.info(name, self.config).sha256
            self._identity = {"model": name, "sha256": sha}
        return self._identity

    def fingerprint(self) -> dict[str, Any]:
        """Config plus, for the whisper backend, the model's checksum: new weights re-run."""
        base = super().fingerprint()
        if self.config.transcribe.backend == "whisper":
            base["weights"] = self.model_identity()
        return base

    def items(self, inputs: list[Segment], ctx: Context) -> list[Item]:
        # --lang changes the transcript, so it belongs to every item's key
        return [Item(i.id, i.inputs, i.seconds, {**i.key, "lang": ctx.lang})
                for i in super().items(inputs, ctx)]

    def open(self, ctx: Context) -> None:
        cfg = self.config.transcribe
        if cfg.backend != "whisper":
            return
        try:
            path = models.resolve(self.model_name, self.config, ctx.workspace)
        except ModelNotFoundError as err:
            if cfg.fallback == "error":
                raise
            self.missing = err
            use = ("subtitle text where subtitles exist, else no text" if cfg.fallback ==
                   "subtitles" else "no text (null)")
            log.warning("transcribe: no ASR model: %s. Target turns get %s. To get a model: %s",
                        err.message, use, err.fix)
            return
        log.info("transcribe: loading %s from %s", self.model_name, path)
        self.backend = WhisperBackend(path, device=ctx.device, compute_type=cfg.compute_type,
                                      threads=cfg.threads)
        if ctx.lang not in ("auto", "en") and not self.backend.multilingual:
            self.close()
            raise ConfigError(f"transcribe.model={cfg.model} is English-only but --lang is "
                              f"{ctx.lang}", "use a multilingual model, e.g. --set "
                              "transcribe.model=base")

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close()
            self.backend = None
            gc.collect()

    # -- processing -------------------------------------------------------------------------

    def process(self, item: Item, out: Output, ctx: Context) -> list[Segment]:
        segs = list(item.inputs)
        targets = [s for s in segs if is_target_turn(s)]
        if not targets:
            return segs
        carrier = next((s for s in segs if s.custom.get("subtitles")), targets[0])
        tracks = subtitles.load_tracks(ctx.workspace, carrier.custom)
        if self.backend is not None:
            done = self._asr(self.backend, item, segs, targets, tracks, out, ctx)
        else:
            done = self._from_subtitles(item, segs, targets, tracks, ctx)
        return [done.get(s.id, s) for s in segs]

    def _language(self, backend: WhisperBackend, targets: list[Segment],
                  ctx: Context) -> tuple[str, float | None]:
        """--lang, or the language detected on up to `detect_s` of the target's speech."""
        if ctx.lang != "auto":
            return ctx.lang, None
        if not backend.multilingual:
            return "en", None
        pieces, total = [], 0.0
        for seg in targets:
            take = min(seg.duration, self.config.transcribe.detect_s - total)
            if take <= 0:
                break
            pieces.append(self._audio(seg, ctx, seg.start, seg.start + take))
            total += take
        if total <= 0:
            fallback = targets[0].language or "en"
            log.warning("transcribe: no target audio to detect the language on; using %s "
                        "(set --lang)", fallback)
            return fallback, None
        language, prob = backend.detect_language(np.concatenate(pieces))
        log.info("transcribe: detected language %s (p=%.2f) on %.0f s", language, prob, total)
        return language, prob

    @staticmethod
    def _audio(seg: Segment, ctx: Context, start: float, end: float) -> np.ndarray:
        audio, _ = io.read(ctx.workspace.path(seg.audio), start, end, sr=SAMPLE_RATE)
        return audio

    def _asr(self, backend: WhisperBackend, item: Item, segs: list[Segment],
             targets: list[Segment], tracks: list[subtitles.Track], out: Output,
             ctx: Context) -> dict[str, Segment]:
        """Transcribe the target's turns span by span (see `spans`), checkpointing finished
        turns every `checkpoint_s` of audio so that a crash on a long film resumes there."""
        cfg = self.config.transcribe
        language, prob = self._language(backend, targets, ctx)
        track = subtitles.choose(tracks, language)
        done = _resume(out)
        if done:
            log.info("transcribe: %s: resuming after %d checkpointed turns", item.id, len(done))
        batch: list[Segment] = []
        todo = [span for span in spans.group(targets, blockers(segs), cfg.join_gap_s,
                                             cfg.context_s)
                if any(t.id not in done for t in span.turns)]
        for group in _batches(todo, cfg.batch_size):
            pieces = [self._audio(span.turns[0], ctx, span.start, span.end) for span in group]
            if len(group) == 1:
                results = [backend.transcribe(pieces[0], language, beam_size=cfg.beam_size,
                                              vad_filter=cfg.vad_filter)]
            else:
                results = backend.transcribe_batch(pieces, language, beam_size=cfg.beam_size)
            for span, result in zip(group, results, strict=True):
                for turn, heard in zip(span.turns, spans.split(span, result), strict=True):
                    if turn.id not in done:
                        done[turn.id] = self._asr_segment(turn, heard, language, prob, track)
                        batch.append(done[turn.id])
            if sum(s.duration for s in batch) >= cfg.checkpoint_s:
                _checkpoint(out, batch)
                batch = []
            ctx.progress(self.name, item.id, group[-1].turns[-1].end, item.seconds)
        shutil.rmtree(out.path(CHUNKS), ignore_errors=True)  # the manifest now holds it all
        return done

    def _asr_segment(self, seg: Segment, heard: spans.TurnAsr, language: str,
                     language_prob: float | None, track: subtitles.Track | None) -> Segment:
        script = self.config.transcribe.zh_script
        words = tuple(Word(convert_script(w.text, script), w.start, w.end, round(w.prob, 4))
                      for w in heard.words)
        text = ("" if is_cjk_language(language) else " ").join(w.text for w in words)
        scores: dict[str, float] = {}
        if heard.avg_logprob is not None:
            scores["asr_logprob"] = heard.avg_logprob
        if heard.no_speech_prob is not None:
            scores["no_speech_prob"] = heard.no_speech_prob
        if heard.compression_ratio is not None:
            scores["compression_ratio"] = heard.compression_ratio
        if language_prob is not None:
            scores["language_prob"] = language_prob
        custom = {**seg.custom, "text_source": "asr", "asr_model": self.model_name}
        if track is not None:
            slack = self.config.transcribe.subtitle_slack_s
            cues = subtitles.overlapping(track.cues, seg.start, seg.end, slack)
            if cues:
                scores["subtitle_agreement"] = subtitles.agreement(text, cues, language,
                                                                   seg.start, seg.end, slack)
                custom["subtitle_text"] = subtitles.join(cues)
        return seg.with_(text=text, language=language, words=words,
                         scores={**seg.scores, **scores}, custom=custom)

    def _from_subtitles(self, item: Item, segs: list[Segment], targets: list[Segment],
                        tracks: list[subtitles.Track], ctx: Context) -> dict[str, Segment]:
        cfg = self.config.transcribe
        if cfg.backend == "none" or (self.missing is not None and cfg.fallback == "none"):
            return {}
        language = None if ctx.lang == "auto" else ctx.lang
        track = subtitles.choose(tracks, language)
        if track is None:
            fix = self.missing.fix if self.missing else "use --set transcribe.backend=whisper"
            log.warning("transcribe: %s: no ASR model and no subtitles%s: %d target turns keep "
                        "no text (%s)", item.id, f" in {language}" if language else "",
                        len(targets), fix)
            return {}
        turns = [s for s in segs if s.custom.get("role") in ("turn", "overlap")]
        assigned = subtitles.assign(track.cues, turns, cfg.subtitle_slack_s)
        done: dict[str, Segment] = {}
        for seg in targets:
            cues = assigned.get(seg.id)
            if cues:
                text = convert_script(subtitles.join(cues), cfg.zh_script)
                inside = sum(max(0.0, min(c.end, seg.end) - max(c.start, seg.start)) for c in cues)
                share = inside / max(1e-9, sum(c.end - c.start for c in cues))
                done[seg.id] = seg.with_(
                    text=text, language=track.language or language,
                    scores={**seg.scores, "subtitle_overlap": share},
                    custom={**seg.custom, "text_source": "subtitles"},
                )
            ctx.progress(self.name, item.id, seg.end, item.seconds)
        return done
