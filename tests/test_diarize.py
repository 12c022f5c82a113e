
import numpy as np
import pytest
from voices import RATE, conversation, write

from voicekit.config import Config
from voicekit.manifest import Segment
from voicekit.pipeline.stage import Context, Item, Output
from voicekit.stages.diarize import DiarizeStage
from voicekit.stages.diarize.cluster import cluster
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
    owner = {}
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
    labels, centroids = cluster(x, threshold=0.5)
    assert len(centroids) == 2
    assert set(labels[:30]) == {0} and set(labels[30:50]) == {1}
