"""The SNR-filter evaluation: true SNR from stems, binned against the filter's verdicts."""

from __future__ import annotations

import numpy as np
import pytest

from voicekit.eval.snr_truth import ClipSnr, format_summary, separated_snr, summary


def test_separated_snr_counts_music_not_other_speakers() -> None:
    rng = np.random.default_rng(0)
    target, other, music = (rng.standard_normal(16000) for _ in range(3))
    clip = 0.8 * target + 2.0 * other + 0.08 * music  # a gain on the target, music 20 dB under
    assert separated_snr(clip, target, other) == pytest.approx(20.0, abs=0.3)
    assert separated_snr(0.8 * target + 0.8 * music, target, other) == pytest.approx(0.0, abs=0.3)


def test_summary_bins_by_true_snr() -> None:
    clips = [ClipSnr("f", 0, 1, stem, stem, est, rej, not rej)
             for stem, est, rej in ((2.0, 9.0, True), (7.0, 18.0, False), (25.0, 30.0, False))]
    rows = {r["bin"]: r for r in summary(clips)}
    assert (rows["<5"]["clips"], rows["<5"]["snr_rejected"]) == (1, 1)
    assert (rows["5-10"]["clips"], rows["5-10"]["snr_rejected"]) == (1, 0)
    assert rows[">=20"]["median_estimate_db"] == 30.0 and rows["10-15"]["clips"] == 0
    assert "estimate vs stem SNR r=" in format_summary(clips)
