from pathlib import Path

import numpy as np
import soundfile as sf
from voices import RATE, conversation

from voicekit.config import Config
from voicekit.eval.metrics import si_sdr
from voicekit.manifest import Segment
from voicekit.pipeline.stage import Context, Item, Output
from voicekit.stages.separate import SeparateStage
from voicekit.stages.separate.config import EmbeddedSeparateConfig
from voicekit.stages.separate.embedded import centre_gain, noise_gain, separate_file
from voicekit.workspace import Workspace


def _music(n: int, rate: int) -> np.ndarray:
    """Chords with a beat: harmonic and non-stationary, like a film score."""
    t = np.arange(n) / rate
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6, 440.0, 659.3))
    beat = 0.6 + 0.4 * (np.sin(2 * np.pi * 2.0 * t) > 0)
    return (chord * beat).astype(np.float32)


def _stereo_scene(tmp_path: Path) -> tuple[Path, np.ndarray]:
    speech, _ = conversation(turns=2)
    n = len(speech)
    music = _music(n, RATE)
    music *= np.sqrt(np.mean(speech**2)) / np.sqrt(np.mean(music**2))  # 0 dB against dialogue
    hiss = np.random.default_rng(1).standard_normal((n, 2)).astype(np.float32) * 0.01
    left = speech + music + hiss[:, 0]  # music hard-panned left
    right = speech + hiss[:, 1]
    path = tmp_path / "mix.wav"
    sf.write(path, np.stack([left, right], axis=1), RATE)
    return path, speech


def test_centre_extraction_improves_si_sdr(tmp_path: Path):
    src, speech = _stereo_scene(tmp_path)
    dst = tmp_path / "vocals.wav"
    rate, _ = separate_file(src, dst, EmbeddedSeparateConfig(block_s=4.0))
    out, out_rate = sf.read(dst, dtype="float32")
    assert out_rate == rate == RATE
    assert out.ndim == 1 and len(out) == len(speech)
    mix = sf.read(src, dtype="float32")[0].mean(axis=1)
    gain = si_sdr(out, speech) - si_sdr(mix, speech)
    assert gain > 3.0, gain  # measured 4.5 dB with the defaults


def test_blocks_do_not_change_the_result(tmp_path: Path):
    src, _ = _stereo_scene(tmp_path)
    small, large = tmp_path / "a.wav", tmp_path / "b.wav"
    # the noise floor is estimated per block, so allow small differences, not seams
    separate_file(src, small, EmbeddedSeparateConfig(block_s=3.0, denoise=False))
    separate_file(src, large, EmbeddedSeparateConfig(block_s=60.0, denoise=False))
    a, b = sf.read(small)[0], sf.read(large)[0]
    assert si_sdr(a, b) > 30


def test_mono_is_denoised_not_centred(tmp_path: Path):
    speech, _ = conversation(turns=2)
    noisy = speech + np.random.default_rng(2).standard_normal(len(speech)).astype(np.float32) * 0.03
    src, dst = tmp_path / "mono.wav", tmp_path / "out.wav"
    sf.write(src, noisy, RATE)
    separate_file(src, dst, EmbeddedSeparateConfig())
    out = sf.read(dst, dtype="float32")[0]
    assert si_sdr(out, speech) > si_sdr(noisy, speech) + 2.0


def test_stage_writes_mono_stem_and_keeps_custom(tmp_path: Path):
    ws = Workspace(tmp_path / "ws")
    src, _ = _stereo_scene(tmp_path)
    rec_rel = "stages/ingest/x/audio.wav"
    ws.path(rec_rel).parent.mkdir(parents=True)
    ws.path(rec_rel).write_bytes(src.read_bytes())
    seg = Segment("r1", "r1", 0.0, 5.0, rec_rel, custom={"role": "recording", "layout": "stereo"})
    stage = SeparateStage(Config())
    partial = tmp_path / "ws" / "stages" / "separate" / "k.partial"
    out = Output(partial, "stages/separate/k")
    [result] = stage.process(Item("r1", (seg,)), out, Context(ws, Config()))
    assert result.audio == "stages/separate/k/vocals.wav"
    assert result.custom["mix"] == rec_rel and result.custom["layout"] == "stereo"
    assert sf.info(partial / "vocals.wav").channels == 1


def test_gains_stay_finite_after_loud_passages():
    """Moving averages of float64 powers leave tiny negatives after loud passages; the gains
    must not turn them into NaN (which PCM16 writes as full-scale -1)."""
    cfg = EmbeddedSeparateConfig()
    rng = np.random.default_rng(0)
    left = (rng.standard_normal((64, 400)) + 1j * rng.standard_normal((64, 400))) * 1e4
    right = rng.standard_normal((64, 400)) * 1e4 + 0j
    left[:, 200:] = 0
    right[:, 200:] = 0
    assert np.isfinite(centre_gain(left, right, cfg)).all()
    assert np.isfinite(noise_gain(np.abs(left) ** 2, cfg)).all()
