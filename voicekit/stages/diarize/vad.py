"""Voice activity from the Silero VAD packaged in the silero-vad wheel (ONNX, CPU)."""

from __future__ import annotations

import numpy as np

from voicekit.errors import DependencyError

RATE = 16000
FRAME = 512  # samples per Silero frame at 16 kHz (32 ms)
FRAME_S = FRAME / RATE


def speech_probabilities(wav: np.ndarray) -> np.ndarray:
    """Speech probability per 32 ms frame of a 16 kHz mono signal (streaming, stateful)."""
    try:
        import torch

        threads = torch.get_num_threads()
        from silero_vad import load_silero_vad
    except ImportError as err:
        raise DependencyError(
            "silero-vad is not installed", "pip install 'voicekit[embedded]'"
        ) from err
    # silero_vad pins torch to one thread on import; give the speaker encoder its threads back
    torch.set_num_threads(threads)
    model = load_silero_vad(onnx=True)
    n = len(wav) // FRAME
    probs = np.zeros(n, dtype=np.float32)
    frames = torch.from_numpy(np.ascontiguousarray(wav[: n * FRAME], dtype=np.float32))
    frames = frames.reshape(n, FRAME)
    for i in range(n):
        probs[i] = float(model(frames[i : i + 1], RATE))
    return probs


def speech_regions(
    probs: np.ndarray,
    threshold: float = 0.5,
    min_speech_s: float = 0.25,
    min_silence_s: float = 0.15,
    pad_s: float = 0.03,
) -> list[tuple[float, float]]:
    """Speech regions (seconds) from frame probabilities, with hysteresis like Silero's own."""
    low = max(threshold - 0.15, 0.01)
    regions: list[tuple[float, float]] = []
    start: float | None = None
    silent_since: float | None = None
    for i, p in enumerate(probs):
        t = i * FRAME_S
        if start is None:
            if p >= threshold:
                start, silent_since = t, None
            continue
        if p >= low:
            silent_since = None
        elif silent_since is None:
            silent_since = t
        elif t - silent_since >= min_silence_s:
            regions.append((start, silent_since))
            start, silent_since = None, None
    if start is not None:
        regions.append((start, silent_since if silent_since is not None else len(probs) * FRAME_S))
    total = len(probs) * FRAME_S
    return [
        (max(0.0, s - pad_s), min(total, e + pad_s)) for s, e in regions if e - s >= min_speech_s
    ]
