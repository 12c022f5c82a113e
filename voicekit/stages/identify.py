"""The identify stage: which speaker turns are the target, pooled across all recordings.

One item ("all") covers every recording, because the target's profile is pooled across films.
The profile starts from the enrolment clips (`--ref`), or from a cluster the user picked
(`--target recording:S1`), or, without either, from the speaker with the most speech across
all films (with a warning and the top candidates stored for the report). It is then adapted
in-domain: enrolment clips are usually cleaner and differently recorded than the films, so the
clusters that match the enrolment best in each film are pooled into the profile. Diarization
sometimes splits one voice into two clusters (reverberant scenes): a second cluster close to
both the enrolment and the best cluster is the target too, and the "overlaps" the diarizer then
marks between the target's own clusters are scored like turns and become target turns when they
pass the threshold.

Comparisons happen in each recording's centred space: a recording's speech-weighted mean turn
embedding is subtracted from its turns and from the enrolment profile. GE2E embeddings of one
film share a large component (channel, language, the cast's common accent), so raw cosines of
different speakers sit at 0.75-0.9; what is left after centring is what tells them apart.

The decision threshold is calibrated per run, not fixed: acted film speech is out of domain for
the encoder and similarities sit in a narrow band that shifts per scene. Turns of the chosen
clusters and turns of all other clusters form two classes; the threshold sits between them,
no lower than the other class's high tail. Every turn carries its similarity and the threshold.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicekit.errors import ConfigError, InputError
from voicekit.hashing import file_sha256
from voicekit.knob import knob
from voicekit.manifest import Segment
from voicekit.pipeline.stage import Context, Item, Output, Stage

log = logging.getLogger("voicekit")

TARGET = "target"


@dataclass(frozen=True)
class IdentifyConfig:
    min_ref_s: float = knob(1.0, "enrolment clips shorter than this (speech seconds) are refused")
    min_cluster_similarity: float = knob(
        0.65, "a film's best cluster below this cosine to the enrolment is not the target"
    )
    other_quantile: float = knob(
        0.95, "the threshold is at least this quantile of other speakers' turn similarities"
    )
    ref_weight: float = knob(
        0.3, "weight of the enrolment embedding in the pooled profile (rest: matched clusters)"
    )
    split_similarity: float = knob(
        0.2,
        "a film's other clusters at least this close (centred cosine) to both the enrolment and "
        "its best cluster are the target too: one voice diarization split in two (reverb)",
    )
    group_similarity: float = knob(
        0.6, "without enrolment, clusters of different films this close are one speaker"
    )
    candidates: int = knob(3, "speakers listed as candidates when no enrolment is given")


@dataclass
class Turn:
    """A diarized turn with its embedding, in manifest order (`centred` set by `centre`)."""

    index: int
    segment: Segment
    embedding: np.ndarray
    centred: np.ndarray | None = None

    @property
    def cluster(self) -> str:
        return f"{self.segment.recording_id}:{self.segment.speaker}"


def load_turns(segments: list[Segment], ctx: Context) -> list[Turn]:
    """Turns of the diarize manifest with their stored whole-turn embeddings."""
    cache: dict[str, np.ndarray] = {}
    turns = []
    for index, seg in enumerate(segments):
        if seg.custom.get("role") != "turn" or "embedding" not in seg.custom:
            continue
        rel = str(seg.custom["embedding"])
        if rel not in cache:
            cache[rel] = np.load(ctx.workspace.path(rel))
        turns.append(Turn(index, seg, cache[rel][int(seg.custom["embedding_row"])]))
    return turns


def _unit(x: np.ndarray) -> np.ndarray:
    return x / (np.linalg.norm(x) + 1e-12)


def centre(turns: list[Turn]) -> dict[str, np.ndarray]:
    """Set each turn's centred embedding; returns each recording's mean (speech-weighted)."""
    sums: dict[str, np.ndarray] = {}
    for t in turns:
        rec = t.segment.recording_id
        sums[rec] = sums.get(rec, np.zeros_like(t.embedding)) + t.segment.duration * t.embedding
    means = {rec: v / sum(t.segment.duration for t in turns if t.segment.recording_id == rec)
             for rec, v in sums.items()}
    for t in turns:
        t.centred = _unit(t.embedding - means[t.segment.recording_id])
    return means


def centroids(turns: list[Turn], centred: bool = False) -> dict[str, tuple[np.ndarray, float]]:
    """Duration-weighted centroid and total seconds of each (recording, speaker) cluster."""
    sums: dict[str, np.ndarray] = {}
    secs: dict[str, float] = {}
    for t in turns:
        vec = t.centred if centred and t.centred is not None else t.embedding
        sums[t.cluster] = sums.get(t.cluster, np.zeros_like(vec)) + t.segment.duration * vec
        secs[t.cluster] = secs.get(t.cluster, 0.0) + t.segment.duration
    return {c: (_unit(v), secs[c]) for c, v in sums.items()}


def ref_profile(refs: list[Path], min_speech_s: float, device: str) -> np.ndarray:
    """Mean GE2E embedding of the speech in the enrolment clips (silence trimmed by VAD)."""
    from voicekit.stages.diarize.audio import RATE, load_mono
    from voicekit.stages.diarize.embed import Encoder
    from voicekit.stages.diarize.vad import speech_probabilities, speech_regions

    encoder = Encoder(device)
    rows = []
    for path in refs:
        wav = load_mono(path)
        regions = speech_regions(speech_probabilities(wav))
        parts = [wav[int(a * RATE) : int(b * RATE)] for a, b in regions]
        speech = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        if len(speech) < min_speech_s * RATE:
            log.warning("enrolment clip %s skipped: %.1f s of speech (need %.1f s)",
                        path, len(speech) / RATE, min_speech_s)
            continue
        rows.append(encoder.utterance(speech.astype(np.float32)))
    if not rows:
        raise InputError(
            f"no usable enrolment clip among {len(refs)} (silent or shorter than {min_speech_s} s)",
            "give --ref clips with at least a few seconds of the target speaking alone",
        )
    return _unit(np.mean(rows, axis=0))


def _weighted(cents: dict[str, tuple[np.ndarray, float]], names: list[str]) -> np.ndarray:
    """Speech-weighted mean direction of some clusters' centroids."""
    return _unit(np.sum([cents[c][0] * cents[c][1] for c in names], axis=0))


def group_clusters(
    cents: dict[str, tuple[np.ndarray, float]], threshold: float
) -> list[tuple[list[str], float]]:
    """Link clusters of different films that sound alike; groups sorted by total speech."""
    names = list(cents)
    groups: list[tuple[list[str], float]] = []
    for name in sorted(names, key=lambda c: -cents[c][1]):
        vec, secs = cents[name]
        for members, _ in groups:
            if _unit(np.sum([cents[m][0] for m in members], axis=0)) @ vec >= threshold and not any(
                m.split(":")[0] == name.split(":")[0] for m in members
            ):
                members.append(name)
                break
        else:
            groups.append(([name], secs))
    totals = [(m, sum(cents[c][1] for c in m)) for m, _ in groups]
    return sorted(totals, key=lambda g: -g[1])


class IdentifyStage(Stage):
    name = "identify"
    version = 3

    def items(self, inputs: list[Segment], ctx: Context) -> list[Item]:
        if not inputs:
            return []
        key: dict[str, Any] = {
            "refs": sorted(file_sha256(p) for p in ctx.refs),
            "target": ctx.target,
        }
        seconds = sum(s.duration for s in inputs if s.custom.get("role") == "turn")
        return [Item("all", tuple(inputs), seconds=seconds, key=key)]

    def process(self, item: Item, out: Output, ctx: Context) -> list[Segment]:
        cfg = self.config.identify
        segments = list(item.inputs)
        turns = load_turns(segments, ctx)
        if not turns:
            log.warning("identify: no speaker turns in any recording; nothing to keep")
            return segments
        cents = centroids(turns)
        means = centre(turns)
        centred = centroids(turns, centred=True)
        extra: dict[str, Any] = {}
        if ctx.refs:
            p0 = ref_profile(ctx.refs, cfg.min_ref_s, ctx.device)
            chosen = self._match(cents, centred, p0, means, cfg)
        elif ctx.target:
            if ctx.target not in cents:
                raise ConfigError(f"--target {ctx.target!r} is not a speaker cluster",
                                  f"clusters are: {', '.join(sorted(cents))}")
            p0, chosen = cents[ctx.target][0], [ctx.target]
        else:
            groups = group_clusters(cents, cfg.group_similarity)
            chosen = groups[0][0]
            p0 = _weighted(cents, chosen)
            extra["candidates"] = [
                {"clusters": m, "speech_s": round(s, 1)} for m, s in groups[: cfg.candidates]
            ]
            log.warning(
                "identify: no --ref given; the target is the speaker with the most speech "
                "(%s, %.0f s). Listen to the candidates and re-run with --target CLUSTER: %s",
                ", ".join(chosen), groups[0][1],
                "; ".join(f"{'+'.join(m)} ({s:.0f} s)" for m, s in groups[: cfg.candidates]),
            )
        profiles = {rec: _unit(p0 - mean) for rec, mean in means.items()}
        if chosen:
            pooled = _weighted(centred, chosen)
            profiles = {rec: _unit(cfg.ref_weight * p + (1 - cfg.ref_weight) * pooled)
                        for rec, p in profiles.items()}
        sims = np.array([float(t.centred @ profiles[t.segment.recording_id])
                         for t in turns])
        threshold = self._threshold(turns, sims, set(chosen), cfg)
        log.info("identify: target clusters %s, threshold %.3f", chosen or "none", threshold)
        for t, sim in zip(turns, sims, strict=True):
            seg = t.segment.scored(similarity=round(float(sim), 4),
                                   similarity_threshold=round(threshold, 4))
            custom = {**seg.custom, "cluster": t.cluster, **extra}
            is_target = bool(chosen) and sim >= threshold
            seg = seg.with_(speaker=TARGET if is_target else seg.speaker, custom=custom)
            segments[t.index] = seg
        self._own_overlaps(segments, set(chosen), means, profiles, threshold, ctx)
        return segments

    @staticmethod
    def _own_overlaps(segments: list[Segment], chosen: set[str], means: dict[str, np.ndarray],
                      profiles: dict[str, np.ndarray], threshold: float, ctx: Context) -> None:
        """Overlap regions between the target's own clusters, scored like turns: those at or
        above the threshold become target turns (`custom.from_overlap` names the clusters)."""
        from voicekit.audio import io
        from voicekit.stages.diarize.audio import RATE
        from voicekit.stages.diarize.embed import Encoder

        def clusters(seg: Segment) -> set[str]:
            return {f"{seg.recording_id}:{spk}" for spk in seg.custom.get("speakers", [])}

        own = [i for i, seg in enumerate(segments) if seg.custom.get("role") == "overlap"
               and seg.recording_id in means and len(clusters(seg)) >= 2
               and clusters(seg) <= chosen]
        if not own:
            return
        encoder = Encoder(ctx.device)
        for i in own:
            seg = segments[i]
            audio, _ = io.read(ctx.workspace.path(seg.audio), seg.start, seg.end, sr=RATE)
            vec = _unit(encoder.utterance(audio.astype(np.float32)) - means[seg.recording_id])
            sim = float(vec @ profiles[seg.recording_id])
            seg = seg.scored(similarity=round(sim, 4), similarity_threshold=round(threshold, 4))
            if sim >= threshold:
                speakers = seg.custom.get("speakers", [])
                custom = {k: v for k, v in seg.custom.items() if k != "speakers"}
                seg = seg.with_(speaker=TARGET, custom={**custom, "role": "turn",
                                                        "from_overlap": speakers})
            segments[i] = seg
        log.info("identify: %d of %d overlaps between the target's own clusters became turns",
                 sum(segments[i].speaker == TARGET for i in own), len(own))

    @staticmethod
    def _match(cents: dict[str, tuple[np.ndarray, float]],
               centred: dict[str, tuple[np.ndarray, float]], p0: np.ndarray,
               means: dict[str, np.ndarray], cfg: IdentifyConfig) -> list[str]:
        """Per recording, the cluster nearest the enrolment, when it is near enough, and any
        cluster of that recording close to both (see `IdentifyConfig.split_similarity`).

        Nearest is judged in the recording's centred space (what tells its voices apart);
        near enough on raw cosine, which says whether the enrolled voice is there at all.
        """
        best: dict[str, tuple[str, float]] = {}
        for name, (vec, _) in centred.items():
            rec = name.rsplit(":", 1)[0]
            sim = float(vec @ _unit(p0 - means[rec]))
            if rec not in best or sim > best[rec][1]:
                best[rec] = (name, sim)
        raw = {rec: float(cents[name][0] @ p0) for rec, (name, _) in best.items()}
        chosen = [name for rec, (name, _) in best.items()
                  if raw[rec] >= cfg.min_cluster_similarity]
        for rec, (name, sim) in best.items():
            log.info("identify: %s best cluster %s (cosine %.3f to enrolment, centred %.3f)",
                     rec, name, raw[rec], sim)
        for name, (vec, _) in centred.items():  # a voice split in two: its second cluster
            rec = name.rsplit(":", 1)[0]
            first = best[rec][0]
            if first not in chosen or name == first:
                continue
            to_ref = float(vec @ _unit(p0 - means[rec]))
            to_first = float(vec @ centred[first][0])
            if min(to_ref, to_first) >= cfg.split_similarity and (
                    float(cents[name][0] @ p0) >= cfg.min_cluster_similarity):
                chosen.append(name)
                log.info("identify: %s is the target too (centred cosine %.3f to enrolment, "
                         "%.3f to %s)", name, to_ref, to_first, first)
        if not chosen:
            log.warning("identify: no speaker in any recording matches the enrolment clips "
                        "(best cosine %.3f); nothing is kept", max(raw.values()))
        return chosen

    @staticmethod
    def _threshold(turns: list[Turn], sims: np.ndarray, chosen: set[str],
                   cfg: IdentifyConfig) -> float:
        """Between the chosen clusters' turns and everyone else's, favouring precision."""
        inside = np.array([t.cluster in chosen for t in turns])
        if not inside.any():
            return 1.0
        if inside.all():
            return float(np.quantile(sims, 0.1))
        target, other = sims[inside], sims[~inside]
        middle = 0.5 * (float(np.median(target)) + float(np.median(other)))
        return max(middle, float(np.quantile(other, cfg.other_quantile)))
