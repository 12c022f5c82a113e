"""The segment stage on generated audio: cuts at pauses and word gaps, never inside a word."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voicekit.config import Config
from voicekit.manifest import Segment, Word, segment_id
from voicekit.pipeline.stage import Context, Item, Output
from voicekit.stages.segment import SegmentConfig
from voicekit.stages.segment.stage import SegmentStage
from voicekit.workspace import Workspace

RATE = 16000


def bursts(total_s: float, spans: list[tuple[float, float]], seed: int = 0) -> np.ndarray:
    """Harmonic tone during `spans`, faint noise elsewhere."""
    rng = np.random.default_rng(seed)
    audio = 0.001 * rng.standard_normal(int(total_s * RATE))
    t = np.arange(audio.size) / RATE
    for start, end in spans:
        part = slice(int(start * RATE), int(end * RATE))
        audio[part] += 0.2 * sum(np.sin(2 * np.pi * 180 * k * t[part]) / k for k in range(1, 5))
    return audio.astype(np.float32)


def run(tmp_path: Path, audio: np.ndarray, segments: list[Segment], **cfg: float) -> list[Segment]:
    ws = Workspace(tmp_path / "ws")
    sf.write(ws.path("rec.wav"), audio, RATE)
    config = dataclasses.replace(Config(), segment=SegmentConfig(**cfg))
    stage = SegmentStage(config)
    partial = tmp_path / "ws" / "stages" / "segment" / "k.partial"
    out = Output(partial, "stages/segment/k")
    return stage.process(Item("rec", tuple(segments)), out, Context(ws, config))


def turn(start: float, end: float, speaker: str = "target", **fields: object) -> Segment:
    return Segment(id=f"t{start}", recording_id="rec", start=start, duration=end - start,
                   audio="rec.wav", speaker=speaker, custom={"role": "turn", "embedding_row": 3},
                   **fields)  # type: ignore[arg-type]


def clips_of(segments: list[Segment]) -> list[Segment]:
    return [s for s in segments if s.custom.get("role") == "clip"]


def test_words_never_cut_and_lengths_bounded(tmp_path: Path) -> None:
    # 40 s of speech: words of 0.35 s separated by 0.05 s, a 0.3 s pause after every 7th word
    words, t = [], 0.5
    for i in range(80):
        words.append(Word(f"w{i}", round(t, 3), round(t + 0.35, 3)))
        t += 0.35 + (0.3 if i % 7 == 6 else 0.05)
    audio = bursts(t + 1, [(w.start, w.end) for w in words])
    target = turn(0.5, words[-1].end, text=" ".join(w.text for w in words), language="en",
                  words=tuple(words), scores={"similarity": 0.8, "asr_logprob": -0.3})
    clips = clips_of(run(tmp_path, audio, [target]))
    assert len(clips) >= 3
    for clip in clips:
        assert 1.0 <= clip.duration <= 15.0
        for w in words:  # no word straddles a clip edge
            assert not (w.start < clip.start < w.end or w.start < clip.end < w.end)
        assert clip.text == " ".join(w.text for w in clip.words)
        assert clip.scores == {"similarity": 0.8, "asr_logprob": -0.3}
        assert clip.custom["embedding_row"] == 3 and clip.custom["turns"] == [target.id]
        assert clip.id == segment_id("rec", clip.start, clip.end)
    # every word lands in exactly one clip, in order; clips do not overlap
    assert [w for c in clips for w in c.words] == words
    assert all(a.end <= b.start for a, b in itertools.pairwise(clips))
    # cuts prefer the 0.3 s pauses: each clip ends on a sentence-final word (every 7th)
    assert all(int(c.words[-1].text[1:]) % 7 == 6 for c in clips[:-1])


def test_cuts_at_audio_pauses_without_words(tmp_path: Path) -> None:
    # 30 s of 2.2 s bursts separated by 0.4 s pauses, one turn, no words
    speech = [(0.5 + 2.6 * i, 2.7 + 2.6 * i) for i in range(11)]
    audio = bursts(30.0, speech)
    clips = clips_of(run(tmp_path, audio, [turn(0.5, speech[-1][1])]))
    assert len(clips) >= 2
    for clip in clips:
        assert clip.duration <= 15.0 and clip.text is None
        for start, end in speech:  # edges fall in pauses (or at the turn's outer padding)
            assert not (start + 0.02 < clip.start < end - 0.02)
            assert not (start + 0.02 < clip.end < end - 0.02)


def test_merge_gap_pad_and_other_speaker(tmp_path: Path) -> None:
    audio = bursts(12.0, [(1, 3), (3.3, 5), (6, 7), (7.05, 9.5)])
    other = turn(5.2, 5.9, speaker="S1")
    overlap = dataclasses.replace(turn(9.5, 9.8, speaker=None), custom={"role": "overlap"})
    segments = [turn(1, 3), turn(3.3, 5), other, turn(6, 7), turn(7.4, 9.5), overlap]
    out = run(tmp_path, audio, segments, pad_s=0.1)
    clips = clips_of(out)
    # 1-3 and 3.3-5 merge (0.3 s gap); 6-7 and 7.4-9.5 have the S1 turn before, not between;
    # the overlap region touching 9.5 takes edge_guard_s (0.3 s) off that end, without padding
    assert [(c.start, round(c.end, 3)) for c in clips] == [(0.9, 5.1), (5.9, 9.2)]
    assert clips[1].custom["turns"] == ["t6", "t7.4"]
    assert clips[1].scores == {"edge_guard_end_s": 0.3} and clips[0].scores == {}
    # non-target segments pass through unchanged
    assert other in out and overlap in out


def test_other_speaker_in_gap_prevents_merge(tmp_path: Path) -> None:
    audio = bursts(8.0, [(1, 3), (3.3, 5)])
    other = turn(3.05, 3.25, speaker="S2")
    clips = clips_of(run(tmp_path, audio, [turn(1, 3), other, turn(3.3, 5)]))
    assert [(c.start, round(c.end, 3)) for c in clips] == [(0.9, 3.05), (3.25, 5.1)]


def test_short_fragment_kept_and_long_pause_splits(tmp_path: Path) -> None:
    audio = bursts(10.0, [(1, 1.5), (3.0, 5.0), (6.5, 8.5)])
    clips = clips_of(run(tmp_path, audio, [turn(1, 1.5), turn(3.0, 8.5)], merge_gap_s=0.5))
    # the 0.5 s turn stays a clip (the filters reject it); the 1.5 s pause always cuts
    assert next((c.start, round(c.end, 2)) for c in clips) == (0.9, 1.6)
    assert len(clips) == 3 and clips[1].end <= 5.2 and clips[2].start >= 6.3


def test_chinese_text_joined_without_spaces_and_stable_ids(tmp_path: Path) -> None:
    chars = "今天天气很好我们出去走走吧"
    words = tuple(Word(c, 1 + 0.3 * i, 1.25 + 0.3 * i) for i, c in enumerate(chars))
    audio = bursts(6.0, [(w.start, w.end) for w in words])
    target = turn(1, words[-1].end, text=chars, language="zh", words=words)
    first = clips_of(run(tmp_path / "a", audio, [target]))
    again = clips_of(run(tmp_path / "b", audio, [target]))
    assert [c.text for c in first] == [chars]
    assert [c.id for c in first] == [c.id for c in again]


def test_wordless_text_kept_when_turn_is_whole(tmp_path: Path) -> None:
    audio = bursts(8.0, [(1, 2.5), (4.0, 5.5)])
    target = turn(1, 5.5, text="from the subtitles", language="en")
    clips = clips_of(run(tmp_path, audio, [target]))
    # a 1.5 s pause would cut, but the text has no word times: the turn stays whole
    assert [c.text for c in clips] == ["from the subtitles"]


@pytest.mark.parametrize("max_s", [4.0, 7.0])
def test_no_pause_no_words_cut_at_quietest(tmp_path: Path, max_s: float) -> None:
    audio = bursts(20.0, [(0.5, 19.5)])
    audio[int(8 * RATE):int(8.05 * RATE)] *= 0.05  # a short dip, below min_pause_s
    clips = clips_of(run(tmp_path, audio, [turn(0.5, 19.5)], max_s=max_s))
    assert len(clips) >= 2 and all(c.duration <= max_s for c in clips)


def test_quiet_turn_edges_are_left_out_but_words_are_not(tmp_path: Path) -> None:
    # speech 2-5 s with a music-like residual (30+ dB under the speech) around it; the diarized
    # turns run on 0.5 s either side
    audio = bursts(8.0, [(2.0, 5.0)])
    t = np.arange(audio.size) / RATE
    audio += (0.004 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    clip = clips_of(run(tmp_path, audio, [turn(1.5, 5.5)], pad_s=0.1))
    assert len(clip) == 1
    # loud 2-5 s, one frame and 0.05 s of decay kept, then the 0.1 s pad (not the 0.5 s run-on)
    assert clip[0].start == pytest.approx(1.85, abs=0.04)
    assert clip[0].end == pytest.approx(5.15, abs=0.04)
    # with word times the start stays (Whisper's first word sits at the turn start) and the end
    # never moves before the last word's end
    words = (Word("a", 1.5, 3.0), Word("b", 3.0, 5.3))
    clip = clips_of(run(tmp_path, audio, [turn(1.5, 5.5, text="a b", language="en",
                                                words=words)], pad_s=0.1))
    assert clip[0].start == pytest.approx(1.4)
    assert clip[0].end == pytest.approx(5.4, abs=0.01)


def test_edges_touching_another_speaker_are_guarded_outside_words(tmp_path: Path) -> None:
    # target 2-6 s between an overlap region (1-2 s) and another speaker's turn (6-7 s), both
    # touching: 0.2 s goes at each edge, and a word the cut would fall in goes with it
    words = (Word("a", 2.0, 2.3), Word("b", 2.35, 3.0), Word("c", 3.1, 5.0),
             Word("d", 5.05, 5.85), Word("e", 5.85, 6.0))
    audio = bursts(8.0, [(1.0, 7.0)])
    overlap = dataclasses.replace(turn(1.0, 2.0, speaker=None), custom={"role": "overlap"})
    target = turn(2.0, 6.0, text="a b c d e", language="en", words=words)
    segments = [overlap, target, turn(6.0, 7.0, speaker="S1")]
    clip = clips_of(run(tmp_path, audio, segments, pad_s=0.1, edge_guard_s=0.2))
    assert [(c.start, c.end, c.text) for c in clip] == [(2.3, 5.05, "b c")]
    assert clip[0].scores == {"edge_guard_start_s": 0.3, "edge_guard_end_s": 0.95}
    # without the guard the clip holds every word, up to the other speakers (no padding)
    clip = clips_of(run(tmp_path / "off", audio, segments, pad_s=0.1, edge_guard_s=0.0))
    assert [(c.start, c.end, c.text) for c in clip] == [(2.0, 6.0, "a b c d e")]
    # an edge away from the other speaker is not guarded, and keeps its padding
    clip = clips_of(run(tmp_path / "gap", audio, [overlap, turn(2.3, 6.0, text="b c d e",
                                                                language="en", words=words[1:])],
                        pad_s=0.1, edge_guard_s=0.2))
    assert [(c.start, c.end) for c in clip] == [(2.2, 6.1)] and clip[0].scores == {}


def test_guard_never_makes_a_clip_too_short(tmp_path: Path) -> None:
    # a 1.2 s turn against an overlap region: guarded it would be 0.9 s, under min_s, so it
    # stays whole (the guard would only hand the duration filter a fragment)
    audio = bursts(6.0, [(1.0, 3.5)])
    overlap = dataclasses.replace(turn(2.2, 3.5, speaker=None), custom={"role": "overlap"})
    segments = [turn(1.0, 2.2), overlap]
    clip = clips_of(run(tmp_path, audio, segments, pad_s=0.0, edge_guard_s=0.3))
    assert [(c.start, round(c.end, 3)) for c in clip] == [(1.0, 2.2)] and clip[0].scores == {}
    clip = clips_of(run(tmp_path / "short", audio, segments, pad_s=0.0, edge_guard_s=0.1))
    assert [(c.start, round(c.end, 3)) for c in clip] == [(1.0, 2.1)]


def test_a_turn_the_recogniser_heard_nothing_in_is_not_joined(tmp_path: Path) -> None:
    # two worded turns and, 0.15 s after them, one in which the recogniser found no word (a word
    # it missed): joined, the clip would hold sound its text does not say
    words = (Word("get", 1.0, 1.4), Word("out", 1.5, 2.0), Word("of", 2.2, 2.5),
             Word("the", 2.6, 2.9), Word("car", 3.0, 3.5))
    audio = bursts(8.0, [(1.0, 2.0), (2.2, 3.5), (3.65, 4.4)])
    asr = {"text_source": "asr"}
    first = turn(1.0, 2.0, text="get out", language="en", words=words[:2],
                 scores={"subtitle_agreement": 1.0})
    second = turn(2.2, 3.5, text="of the car", language="en", words=words[2:],
                  scores={"subtitle_agreement": 1.0})
    missed = turn(3.65, 4.4, text="", language="en", scores={"subtitle_agreement": 0.0})
    segments = [dataclasses.replace(t, custom={**t.custom, **asr})
                for t in (first, second, missed)]
    clips = clips_of(run(tmp_path, audio, segments, pad_s=0.1))
    assert [(c.text, c.custom["turns"]) for c in clips] == [
        ("get out of the car", ["t1.0", "t2.2"]), ("", ["t3.65"])
    ]
    assert clips[0].end <= 3.65 and clips[0].scores["subtitle_agreement"] == 1.0
