
import itertools

import numpy as np
import pytest
from voices import RATE, conversation, write

from voicekit.config import Config, load
from voicekit.manifest import Segment
from voicekit.pipeline.stage import Context, Item, Output
from voicekit.stages.diarize import DiarizeStage
from voicekit.stages.diarize.audio import load_mono
from voicekit.stages.diarize.blocks import link, split_blocks
from voicekit.stages.diarize.cluster import cluster
from voicekit.stages.diarize.turns import build_spans, pair_gaps
from voicekit.stages.diarize.vad import speech_probabilities, speech_regions
from voicekit.workspace import Workspace


@pytest.fixture(scope="module")
def diarized(tmp_path_factory: pytest.TempPathFactory):
    """Two voices alternating over six sentences, run through the diarize stage."""
    root = tmp_path_factory.mktemp("diarize")
    wav, truth = conversation(turns=6)
    ws = Workspace(root / "ws")
    rel = "stages/separate/x/vocals.wav"
    write(ws.path(rel), wav)
    rec = Segment("film", "film", 0.0, len(wav) / RATE, rel,
                  custom={"role": "recording", "recording_duration": len(wav) / RATE})
    stage = DiarizeStage(Config())
    ctx = Context(ws, Config())
    stage.open(ctx)
    try:
        out = Output(root / "ws" / "stages" / "diarize" / "k.partial", "stages/diarize/k")
        segments = stage.process(Item("film", (rec,)), out, ctx)
    finally:
        stage.close()
    return segments, truth, out


def test_two_voices_give_two_speakers_with_accurate_boundaries(diarized):
    segments, truth, _ = diarized
    turns = [s for s in segments if s.custom["role"] == "turn"]
    assert {s.speaker for s in turns} == {"S0", "S1"}
    # every true turn is covered mostly by one cluster, and the two voices by different ones
    owner: dict[str, str] = {}
    for voice, start, end in truth:
        covered: dict[str, float] = {}
        for s in turns:
            overlap = min(end, s.end) - max(start, s.start)
            if overlap > 0:
                covered[s.speaker] = covered.get(s.speaker, 0.0) + overlap
        best = max(covered, key=covered.__getitem__)
        assert covered[best] > 0.8 * (end - start), (voice, covered)
        assert owner.setdefault(voice, best) == best
    assert owner["slt"] != owner["rms"]
    # turn edges sit within 0.5 s of the true utterance edges
    for s in turns:
        assert min(abs(s.start - t[1]) for t in truth) < 0.5
        assert min(abs(s.end - t[2]) for t in truth) < 0.5


def test_record_contract(diarized):
    segments, _, out = diarized
    embeddings = np.load(out.partial / "embeddings.npy")
    rows = [s.custom["embedding_row"] for s in segments if s.custom["role"] == "turn"]
    assert rows == list(range(len(embeddings)))
    assert all(s.custom["embedding"] == "stages/diarize/k/embeddings.npy"
               for s in segments if s.custom["role"] == "turn")
    for s in segments:
        assert s.custom["role"] in ("turn", "overlap")
        if s.custom["role"] == "overlap":
            assert s.speaker is None and s.custom["speakers"]
    starts = [s.start for s in segments]
    assert starts == sorted(starts)


def test_silence_and_noise_have_no_speech():
    rng = np.random.default_rng(0)
    silence = np.zeros(RATE * 3, np.float32)
    noise = (rng.standard_normal(RATE * 3) * 0.05).astype(np.float32)
    assert speech_regions(speech_probabilities(silence)) == []
    assert speech_regions(speech_probabilities(noise)) == []


def test_cluster_separates_distinct_groups_and_absorbs_strays():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(256), rng.standard_normal(256)
    x = np.stack([a + 0.3 * rng.standard_normal(256) for _ in range(30)]
                 + [b + 0.3 * rng.standard_normal(256) for _ in range(20)]
                 + [rng.standard_normal(256)])  # a stray window
    labels, centroids = cluster(x)
    assert len(centroids) == 2
    assert set(labels[:30]) == {0} and set(labels[30:50]) == {1}


def test_cluster_counts_voices_that_share_a_large_common_component():
    # GE2E windows of one film: a big shared direction (channel, language, accent) plus a small
    # per-speaker one, so raw cosines between speakers exceed 0.9; sizes differ as in a film
    rng = np.random.default_rng(1)
    common = 4.0 * rng.standard_normal(256)
    voices = [rng.standard_normal(256) for _ in range(4)]
    sizes = [60, 40, 25, 12]
    x = np.concatenate([np.stack([common + v + 0.5 * rng.standard_normal(256) for _ in range(n)])
                        for v, n in zip(voices, sizes, strict=True)])
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    assert (unit[:60] @ unit[60:100].T).mean() > 0.9
    labels, centroids = cluster(x)
    assert len(centroids) == 4
    bounds = np.cumsum([0, *sizes])
    groups = [set(labels[a:b]) for a, b in itertools.pairwise(bounds)]
    assert all(len(g) == 1 for g in groups) and len(set.union(*groups)) == 4
    assert groups[0] == {0}  # labels ranked by size


def test_speaker_changes_without_a_pause_are_marked_overlap_at_the_edges():
    # speaker 0 speaks 0-4 s, speaker 1 takes over at once until 8 s; then a pause, speaker 0
    # again 9-12 s: only the edges at the 4 s change lose `change_trim_s` to an overlap region
    starts = np.arange(0.0, 11.01, 0.25)
    starts = starts[(starts + 1.0 <= 8.0) | (starts >= 9.0)]
    windows = np.stack([starts, starts + 1.0], axis=1)
    mid = windows.mean(axis=1)
    sims = np.where((mid < 4.0) | (mid > 8.5), 1.0, 0.0)[:, None] * np.array([[0.9, 0.2]])
    sims += np.where((mid >= 4.0) & (mid <= 8.5), 1.0, 0.0)[:, None] * np.array([[0.2, 0.9]])
    spans = build_spans([(0.0, 8.0), (9.0, 12.0)], windows, sims, 0.2, 0.5, change_trim_s=0.3)
    turns = [s for s in spans if s.speaker >= 0]
    overlaps = [s for s in spans if s.speaker == -1]
    assert [t.speaker for t in turns] == [0, 1, 0]
    assert turns[0].start == 0.0 and turns[2].end == 12.0  # pauses are not trimmed
    assert len(overlaps) == 1 and overlaps[0].speakers == (0, 1)
    assert overlaps[0].start < 4.0 - 0.25 and overlaps[0].end > 4.0 + 0.25
    assert turns[0].end == overlaps[0].start and turns[1].start == overlaps[0].end
    assert turns[1].end == 8.0 and turns[2].start == 9.0


def test_similar_voices_keep_their_turns_and_their_overlap_is_still_marked():
    # two voices whose centroids are close: each one's windows favour it by only 0.03; 6-9 s
    # both talk (the windows sit halfway). One fixed margin of 0.04 called all of it overlap.
    rng = np.random.default_rng(0)
    starts = np.arange(0.0, 14.01, 0.25)
    windows = np.stack([starts, starts + 1.0], axis=1)
    mid = windows.mean(axis=1)
    own = np.where(mid < 6.0, 0, np.where(mid < 9.0, -1, 1))
    sims = np.full((len(mid), 2), 0.785)
    sims[own == 0] = [0.80, 0.77]
    sims[own == 1] = [0.77, 0.80]
    sims += 0.004 * rng.standard_normal(sims.shape)
    spans = build_spans([(0.0, 15.0)], windows, sims, 0.2, 0.5, change_trim_s=0.0)
    turns = [s for s in spans if s.speaker >= 0]
    overlaps = [s for s in spans if s.speaker == -1]
    assert [t.speaker for t in turns] == [0, 1]
    assert turns[0].start == 0.0 and turns[0].end > 5.0
    assert turns[1].start < 10.0 and turns[1].end == 15.0
    assert len(overlaps) == 1 and overlaps[0].start <= 6.5 and overlaps[0].end >= 8.5
    # the typical gap is the pair's own: the same share of a distinct pair's gap is wider
    distinct = np.where(own[:, None] == 0, [0.9, 0.2], np.where(own[:, None] == 1,
                                                                 [0.2, 0.9], [0.55, 0.55]))
    assert pair_gaps(sims)[0, 1] == pytest.approx(0.03, abs=0.005)
    assert pair_gaps(distinct)[0, 1] == pytest.approx(0.7)


def test_long_recordings_are_cut_into_blocks_at_their_longest_late_pause():
    # 2 s of speech every 3 s (1 s pauses), but a 4 s pause from 22 to 26 s
    regions = [(t, t + 2.0) for t in np.arange(0.0, 21.0, 3.0)]
    regions += [(t, t + 2.0) for t in np.arange(26.0, 60.0, 3.0)]
    blocks = split_blocks(regions, 30.0)
    assert [r for b in blocks for r in b] == regions
    assert blocks[0][-1] == (18.0, 20.0) and blocks[1][0] == (26.0, 28.0)
    assert all(b[-1][1] - b[0][0] <= 30.0 for b in blocks)
    assert split_blocks(regions, 0.0) == [regions] == split_blocks(regions, 100.0)
    assert split_blocks([(0.0, 50.0), (51.0, 52.0)], 30.0) == [[(0.0, 50.0)], [(51.0, 52.0)]]


def test_block_speakers_are_linked_by_voice_never_within_a_block():
    rng = np.random.default_rng(2)
    voices = [v / np.linalg.norm(v) for v in rng.standard_normal((3, 64))]

    def near(v: np.ndarray) -> np.ndarray:
        x = v + 0.15 * rng.standard_normal(64) / 8
        return x / np.linalg.norm(x)

    blocks = [np.stack([near(voices[0]), near(voices[1])]),  # block 0: voices 0 and 1
              np.stack([near(voices[1]), near(voices[2])]),  # block 1: voices 1 and 2
              np.stack([near(voices[0]), near(voices[0])])]  # block 2: voice 0 split in two
    ids = link(blocks, [np.array([50, 10]), np.array([30, 5]), np.array([20, 20])], 0.5)
    assert ids[0][1] == ids[1][0] and len({ids[0][0], ids[0][1], ids[1][1]}) == 3
    assert ids[0][0] in set(ids[2]) and ids[2][0] != ids[2][1]  # one block's stay apart
    assert ids[0][0] == 0  # numbered by speech


def test_the_same_voice_keeps_its_label_across_blocks(tmp_path):
    # blocks of ~35 s (a film's are ~10 min): enough windows per block to cluster
    wav, truth = conversation(turns=24)
    rel = "stages/separate/x/vocals.wav"
    ws = Workspace(tmp_path / "ws")
    write(ws.path(rel), wav)
    rec = Segment("film", "film", 0.0, len(wav) / RATE, rel,
                  custom={"role": "recording", "recording_duration": len(wav) / RATE})
    config = load(overrides=[f"diarize.embedded.block_s={len(wav) / RATE / 3}"])
    stage = DiarizeStage(config)
    out = Output(tmp_path / "ws" / "stages" / "diarize" / "k.partial", "stages/diarize/k")
    ctx = Context(ws, config)
    stage.open(ctx)
    try:
        segments = stage.process(Item("film", (rec,)), out, ctx)
    finally:
        stage.close()
    regions = speech_regions(speech_probabilities(load_mono(ws.path(rel))))
    assert len(split_blocks(regions, config.diarize.embedded.block_s)) >= 3
    owner: dict[str, set[str]] = {}
    for voice, start, end in truth:
        for s in segments:
            if s.custom["role"] == "turn" and min(end, s.end) - max(start, s.start) > 0.5:
                owner.setdefault(voice, set()).add(str(s.speaker))
    assert len(owner["slt"]) == len(owner["rms"]) == 1 and owner["slt"] != owner["rms"]
