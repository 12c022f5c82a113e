import logging
from pathlib import Path

import numpy as np
import pytest
from voices import RATE, SENTENCES, conversation, speak, write

from voicekit.config import Config
from voicekit.errors import InputError
from voicekit.manifest import Segment
from voicekit.pipeline.stage import Context, Item, Output
from voicekit.stages.diarize import DiarizeStage
from voicekit.stages.identify import IdentifyStage, Turn, centre
from voicekit.workspace import Workspace


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory):
    """Two films of slt and rms taking turns, diarized; slt speaks more in film a."""
    root = tmp_path_factory.mktemp("identify")
    ws = Workspace(root / "ws")
    stage = DiarizeStage(Config())
    ctx = Context(ws, Config())
    films = {"a": conversation(("slt", "rms"), turns=5), "b": conversation(("rms", "slt"), turns=4)}
    segments: list[Segment] = []
    stage.open(ctx)
    try:
        for name, (wav, _) in films.items():
            rel = f"stages/separate/{name}/vocals.wav"
            write(ws.path(rel), wav)
            rec = Segment(name, name, 0.0, len(wav) / RATE, rel, custom={"role": "recording"})
            out = Output(ws.path(f"stages/diarize/{name}"), f"stages/diarize/{name}")
            segments += stage.process(Item(name, (rec,)), out, ctx)
    finally:
        stage.close()
    # enrolment: sentences of slt that are not in the films
    refs = [write(root / "refs" / f"slt{i}.wav", speak(SENTENCES[6 + i], "slt")) for i in range(2)]
    return ws, segments, {k: v[1] for k, v in films.items()}, refs


def _run(ws: Workspace, segments: list[Segment], **ctx_args) -> list[Segment]:
    stage = IdentifyStage(Config())
    ctx = Context(ws, Config(), **ctx_args)
    [item] = stage.items(segments, ctx)
    out = Output(ws.path("stages/identify/k.partial"), "stages/identify/k")
    return stage.process(item, out, ctx)


def _voice_at(truth, seg: Segment) -> str:
    mid = 0.5 * (seg.start + seg.end)
    return min(truth, key=lambda t: 0 if t[1] <= mid <= t[2] else min(abs(mid - t[1]),
                                                                       abs(mid - t[2])))[0]


def test_refs_mark_the_enrolled_voice_in_every_film(scene):
    ws, segments, truth, refs = scene
    result = _run(ws, segments, refs=refs)
    assert len(result) == len(segments)
    turns = [s for s in result if s.custom.get("role") == "turn"]
    assert all("similarity" in s.scores and "similarity_threshold" in s.scores for s in turns)
    for film in ("a", "b"):
        voices = {_voice_at(truth[film], s) for s in turns if s.recording_id == film
                  and s.speaker == "target"}
        assert voices == {"slt"}, (film, voices)
    kept = [s for s in turns if s.speaker == "target"]
    rejected = [s for s in turns if s.speaker != "target"]
    assert min(s.scores["similarity"] for s in kept) >= kept[0].scores["similarity_threshold"]
    assert all(s.scores["similarity"] < s.scores["similarity_threshold"] for s in rejected)


def test_item_key_follows_ref_content(scene, tmp_path: Path):
    ws, segments, _, refs = scene
    stage = IdentifyStage(Config())
    key_a = stage.items(segments, Context(ws, Config(), refs=refs))[0].key
    other = write(tmp_path / "r.wav", speak(SENTENCES[0], "rms"))
    key_b = stage.items(segments, Context(ws, Config(), refs=[other]))[0].key
    assert key_a != key_b


def test_without_refs_the_dominant_speaker_is_chosen_with_a_warning(scene, caplog):
    ws, segments, truth, _ = scene
    with caplog.at_level(logging.WARNING, logger="voicekit"):
        result = _run(ws, segments)
    assert "no --ref" in caplog.text
    kept = [s for s in result if s.speaker == "target"]
    assert kept and {_voice_at(truth[s.recording_id], s) for s in kept} == {"slt"}
    assert len(kept[0].custom["candidates"]) >= 2


def test_target_cluster_chosen_by_the_user(scene):
    ws, segments, truth, _ = scene
    rms_cluster = next(f"a:{s.speaker}" for s in segments if s.recording_id == "a"
                       and s.custom.get("role") == "turn"
                       and _voice_at(truth["a"], s) == "rms")
    kept = [s for s in _run(ws, segments, target=rms_cluster) if s.speaker == "target"]
    assert kept and {_voice_at(truth[s.recording_id], s) for s in kept} == {"rms"}


def test_silent_refs_are_refused(scene, tmp_path: Path):
    ws, segments, _, _ = scene
    silent = write(tmp_path / "silent.wav", np.zeros(RATE * 2, np.float32))
    with pytest.raises(InputError, match="enrolment"):
        _run(ws, segments, refs=[silent])


def test_centring_separates_voices_that_share_a_common_component():
    rng = np.random.default_rng(2)
    common = 4.0 * rng.standard_normal(256)
    voices = [rng.standard_normal(256) for _ in range(3)]
    turns = []
    for i in range(30):
        v = i % 3
        emb = common + voices[v] + 0.3 * rng.standard_normal(256)
        seg = Segment(f"t{i}", "film", float(i), 2.0, "a.wav", speaker=f"S{v}")
        turns.append(Turn(i, seg, emb / np.linalg.norm(emb)))
    means = centre(turns)
    raw = np.array([[a.embedding @ b.embedding for b in turns] for a in turns])
    cen = np.array([[a.centred @ b.centred for b in turns] for a in turns])  # type: ignore[operator]
    same = np.array([[a.segment.speaker == b.segment.speaker for b in turns] for a in turns])
    assert raw[~same].min() > 0.85  # raw cosines barely tell the voices apart
    assert cen[~same].max() < 0.2 < 0.6 < cen[same & ~np.eye(30, dtype=bool)].min()
    # an enrolment of voice 0 recorded elsewhere (another channel) is nearest voice 0 once centred
    ref = common + voices[0] + 2.0 * rng.standard_normal(256)
    profile = (ref - means["film"]) / np.linalg.norm(ref - means["film"])
    scores = np.array([t.centred @ profile for t in turns])
    assert scores[0::3].min() > scores[1::3].max() and scores[0::3].min() > scores[2::3].max()


def test_a_voice_split_in_two_clusters_and_its_own_overlaps_are_the_target(scene):
    """Diarization split slt into two clusters (as reverb does) and marked an 'overlap' between
    them: both clusters and that overlap are the target; an overlap with rms stays one."""
    ws, segments, truth, refs = scene
    turns_a = [i for i, s in enumerate(segments) if s.recording_id == "a"
               and s.custom.get("role") == "turn"]
    slt = [i for i in turns_a if _voice_at(truth["a"], segments[i]) == "slt"]
    rms = [i for i in turns_a if _voice_at(truth["a"], segments[i]) == "rms"]
    assert len(slt) >= 3 and rms
    first, rms_cluster = segments[slt[0]].speaker, segments[rms[0]].speaker
    split = list(segments)
    for i in slt[1::2]:  # every other slt turn goes to a new cluster
        split[i] = split[i].with_(speaker="S9")
    overlaps = []
    for i, speakers in ((slt[1], [first, "S9"]), (rms[0], [first, rms_cluster])):
        seg = segments[i]  # an overlap region over this turn's speech, as the diarizer marks one
        custom = {k: v for k, v in seg.custom.items() if not k.startswith("embedding")}
        overlaps.append(seg.with_(id=f"{seg.id}-ov", speaker=None,
                                  custom={**custom, "role": "overlap", "speakers": speakers}))
    result = _run(ws, split + overlaps, refs=refs)
    by_id = {s.id: s for s in result}
    assert {by_id[split[i].id].speaker for i in slt} == {"target"}  # both clusters
    assert all(by_id[split[i].id].speaker != "target" for i in rms)
    own, mixed = by_id[overlaps[0].id], by_id[overlaps[1].id]
    assert own.speaker == "target" and own.custom["role"] == "turn"
    assert own.custom["from_overlap"] == [first, "S9"] and "similarity" in own.scores
    assert mixed.speaker is None and mixed.custom["role"] == "overlap"
