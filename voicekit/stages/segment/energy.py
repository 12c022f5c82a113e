"""Frame energy of a stretch of audio: quiet runs (pauses) and the quietest point in a range."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FRAME_S = 0.025
HOP_S = 0.010
# A frame is quiet when its level sits in the lowest quarter of the stretch's dynamic range
# (between the 5th and 95th percentile of frame levels). Relative, because a separated stem's
# pauses hold residual music or hiss at a level that depends on the film.
QUIET_FRACTION = 0.25
# Below this range (dB) the stretch has no audible pauses to find (steady speech or steady noise).
MIN_RANGE_DB = 10.0
# Speech edges: a separated stem's residual music sits above the pause level yet ~30 dB under
# the speech; the demo truth ends turns 35 dB under the utterance's loudest 10 ms frame, which
# lies a few dB above the 95th percentile of 25 ms frames.
EDGE_DB = 30.0


@dataclass(frozen=True)
class Energy:
    """Frame levels (dB) of audio starting at `offset` seconds on the recording's timeline."""

    offset: float
    db: np.ndarray

    @classmethod
    def of(cls, samples: np.ndarray, rate: int, offset: float) -> Energy:
        frame = max(1, round(FRAME_S * rate))
        hop = max(1, round(HOP_S * rate))
        if samples.size < frame:
            return cls(offset, np.zeros(0))
        count = 1 + (samples.size - frame) // hop
        idx = np.arange(frame)[None, :] + hop * np.arange(count)[:, None]
        power = np.mean(np.square(samples[idx], dtype=np.float64), axis=1)
        return cls(offset, 10 * np.log10(power + 1e-12))

    def time(self, index: int) -> float:
        """Centre time of frame `index`."""
        return self.offset + index * HOP_S + FRAME_S / 2

    def _index(self, t: float) -> int:
        return int(np.clip(round((t - self.offset - FRAME_S / 2) / HOP_S), 0, len(self.db)))

    def quiet(self, below_loud_db: float | None = None) -> np.ndarray | None:
        """Per frame: True where quiet; None when the stretch has no audible pauses at all.

        With `below_loud_db`, frames that far below the loud level (95th percentile) count as
        quiet too, whatever the pauses hold.
        """
        if self.db.size == 0:
            return None
        low, high = np.percentile(self.db, [5, 95])
        if high - low < MIN_RANGE_DB:
            return None
        threshold = low + QUIET_FRACTION * (high - low)
        if below_loud_db is not None:
            threshold = max(threshold, high - below_loud_db)
        return np.asarray(self.db < threshold)

    def quiet_runs(self, min_s: float) -> list[tuple[float, float]]:
        """(start, end) of runs of quiet frames lasting at least `min_s` seconds."""
        quiet = self.quiet()
        if quiet is None:
            return []
        edges = np.flatnonzero(np.diff(np.concatenate(([0], quiet.astype(np.int8), [0]))))
        runs = []
        for first, stop in zip(edges[::2], edges[1::2], strict=True):
            start, end = self.time(int(first)) - HOP_S / 2, self.time(int(stop) - 1) + HOP_S / 2
            if end - start >= min_s:
                runs.append((start, end))
        return runs

    def loud_bounds(self, start: float, end: float) -> tuple[float, float] | None:
        """Start of the first and end of the last frame in [start, end] that is speech-loud:
        not quiet, and within `EDGE_DB` of the loud level.

        None when no frame there is loud or the stretch has no pauses (nothing to go by).
        """
        quiet = self.quiet(EDGE_DB)
        if quiet is None:
            return None
        first, stop = self._index(start), self._index(end) + 1
        loud = np.flatnonzero(~quiet[first:stop])
        if loud.size == 0:
            return None
        return (self.time(first + int(loud[0])) - FRAME_S / 2,
                self.time(first + int(loud[-1])) + FRAME_S / 2)

    def quietest(self, start: float, end: float) -> float | None:
        """Time of the quietest frame in [start, end], or None if no frame lies there."""
        first, stop = self._index(start), self._index(end) + 1
        window = self.db[first:stop]
        if window.size == 0:
            return None
        t = self.time(first + int(np.argmin(window)))
        return min(max(t, start), end)
