"""Speaker embeddings from resemblyzer's GE2E encoder (weights ship inside the wheel)."""

from __future__ import annotations

from typing import Any

import numpy as np

from voicekit.errors import DependencyError

RATE = 16000
MEL_HOP = 160  # 10 ms: resemblyzer's mel frame step at 16 kHz


class Encoder:
    """GE2E encoder over log-mel frames; windows are embedded in batches of equal length."""

    def __init__(self, device: str = "cpu") -> None:
        try:
            from resemblyzer import VoiceEncoder
        except ImportError as err:
            raise DependencyError(
                "resemblyzer is not installed",
                "pip install 'voicekit[embedded]' (it needs webrtcvad-wheels and setuptools<81)",
            ) from err
        self.model: Any = VoiceEncoder(device, verbose=False)

    @staticmethod
    def mel(wav: np.ndarray) -> np.ndarray:
        """Log-free mel frames (n_frames, 40) as resemblyzer computes them."""
        from resemblyzer import audio

        return np.asarray(audio.wav_to_mel_spectrogram(wav.astype(np.float32)), dtype=np.float32)

    def embed_frames(self, mels: np.ndarray, batch: int = 64) -> np.ndarray:
        """Embeddings (n, 256) of equal-length mel windows shaped (n, frames, 40)."""
        import torch

        out = []
        with torch.no_grad():
            for i in range(0, len(mels), batch):
                chunk = torch.from_numpy(np.ascontiguousarray(mels[i : i + batch]))
                out.append(self.model(chunk).cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, 256), np.float32)

    def windows(
        self, wav: np.ndarray, regions: list[tuple[float, float]], win_s: float, hop_s: float,
        min_s: float = 0.5,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sliding-window embeddings inside speech regions.

        Returns:
            (spans (n, 2) in seconds, embeddings (n, 256)). A region shorter than a window gets
            one window of its own length if it is at least `min_s` long.
        """
        win = round(win_s * 100)
        hop = max(1, round(hop_s * 100))
        spans: list[tuple[float, float]] = []
        full: list[np.ndarray] = []
        short: list[tuple[tuple[float, float], np.ndarray]] = []
        for start, end in regions:
            a, b = int(start * RATE), int(end * RATE)
            mel = self.mel(wav[a:b])
            n = len(mel)
            if n < win:
                if end - start >= min_s:
                    short.append(((start, end), mel))
                continue
            offsets = list(range(0, n - win + 1, hop))
            if offsets[-1] != n - win:
                offsets.append(n - win)  # cover the region's end
            for o in offsets:
                spans.append((start + o / 100, start + (o + win) / 100))
                full.append(mel[o : o + win])
        emb = self.embed_frames(np.stack(full)) if full else np.zeros((0, 256), np.float32)
        embs = [emb] + [self.embed_frames(m[None]) for _, m in short]
        spans += [s for s, _ in short]
        order = np.argsort([s for s, _ in spans], kind="stable")
        times = np.asarray(spans, dtype=np.float64).reshape(-1, 2)
        return times[order], np.concatenate(embs)[order]

    def utterance(self, wav: np.ndarray) -> np.ndarray:
        """One L2-normalised embedding of a whole stretch of speech (mean of 1.6 s partials)."""
        return np.asarray(self.model.embed_utterance(wav.astype(np.float32)), dtype=np.float32)
