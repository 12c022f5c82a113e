"""The sync-free segment and spline: the same values, random draws and gradients as coqui's,
and a VITS training step that no longer reads GPU values back once per clip."""

from __future__ import annotations

from collections import Counter
from contextlib import nullcontext
from typing import Any

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

pytest.importorskip("TTS")

from TTS.tts.layers.vits import transforms
from TTS.tts.utils import helpers

from voicekit.train import fastpath
from voicekit.train.model import TINY_ARGS

# ops that make the host wait for a GPU: reading a value, or picking elements by a mask
READS = {"_local_scalar_dense", "is_nonzero", "nonzero", "masked_select"}
# ops that only make a new view of a tensor: no kernel runs
VIEWS = {"view", "_unsafe_view", "as_strided", "expand", "slice", "select", "unsqueeze",
         "squeeze", "permute", "transpose", "t", "unbind", "split", "alias", "detach"}  # fmt: skip


class HostReads(TorchDispatchMode):
    """Counts the ops that read GPU values back on the host (here on the CPU, the same ops),
    and the ops that run a kernel."""

    def __init__(self) -> None:
        super().__init__()
        self.count: Counter[str] = Counter()
        self.kernels = 0

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        name = func.overloadpacket.__name__
        indices = args[1] if name in ("index", "index_put", "index_put_") else ()
        by_mask = any(isinstance(i, torch.Tensor) and i.dtype == torch.bool for i in indices)
        if name in READS or by_mask:
            self.count[name] += 1
        elif name not in VIEWS:
            self.kernels += 1
        return func(*args, **(kwargs or {}))


def _grad(fn: Any, *tensors: torch.Tensor) -> tuple[list[torch.Tensor], HostReads]:
    """Outputs and input gradients of ``fn``, and the ops its forward and backward ran."""
    leaves = [t.detach().clone().requires_grad_(True) for t in tensors]
    with HostReads() as ops:
        out = fn(*leaves)
        out = out if isinstance(out, tuple) else (out,)
        sum(o.square().sum() for o in out).backward()
    return [*(o.detach() for o in out), *(leaf.grad for leaf in leaves)], ops


def test_segment_and_rand_segments_equal_coquis() -> None:
    x = torch.randn(5, 3, 40)
    starts = torch.tensor([0, 7, 30, 35, 39])  # the last three run past the end: zero-padded
    for ours, theirs in zip(
        _grad(lambda t: fastpath.segment(t, starts, 8, pad_short=True), x)[0],
        _grad(lambda t: helpers.segment(t, starts, 8, pad_short=True), x)[0],
        strict=True,
    ):
        torch.testing.assert_close(ours, theirs, rtol=0, atol=0)

    lengths = torch.tensor([40, 12, 5, 33, 20])  # one shorter than the window
    torch.manual_seed(3)
    ours = fastpath.rand_segments(x, lengths, 8, let_short_samples=True, pad_short=True)
    torch.manual_seed(3)
    theirs = helpers.rand_segments(x, lengths, 8, let_short_samples=True, pad_short=True)
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    starts = ours[1].tolist()
    assert starts[2] == 0  # the short one starts at 0
    assert all(s <= n - 8 for s, n in zip(starts, lengths.tolist(), strict=True) if n >= 8)


@pytest.mark.parametrize("inverse", [False, True])
def test_spline_equals_coquis_inside_and_outside_the_interval(inverse: bool) -> None:
    gen = torch.Generator().manual_seed(0)
    inputs = 7 * torch.randn(2, 1, 300, generator=gen)  # tail bound 5: ~half outside
    widths, heights = torch.randn(2, 2, 1, 300, 10, generator=gen)
    derivatives = torch.randn(2, 1, 300, 9, generator=gen)
    assert (inputs.abs() > 5).float().mean() > 0.3

    def ours(*t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return fastpath.spline_transform(*t, inverse=inverse, tails="linear", tail_bound=5.0)

    def theirs(*t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return transforms.piecewise_rational_quadratic_transform(
            *t, inverse=inverse, tails="linear", tail_bound=5.0
        )

    got, our_ops = _grad(ours, inputs, widths, heights, derivatives)
    want, their_ops = _grad(theirs, inputs, widths, heights, derivatives)
    for a, b in zip(got, want, strict=True):
        assert torch.isfinite(a).all()
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    # not the identity: the spline moved the inputs inside the interval
    assert (got[0] - inputs).abs().max() > 0.1
    # nothing read back, and fewer kernels forward and backward (183 against 268 when written)
    assert not our_ops.count and their_ops.count
    assert our_ops.kernels < 0.75 * their_ops.kernels, (our_ops.kernels, their_ops.kernels)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_alignment_equals_coquis(dtype: torch.dtype) -> None:
    from monotonic_alignment_search import maximum_path

    gen = torch.Generator().manual_seed(5)
    text = torch.tensor([30, 12, 1, 30, 25])
    frames = torch.tensor([90, 40, 7, 20, 61])  # the fourth has fewer frames than symbols
    value = (10 * torch.randn(5, 30, 90, generator=gen)).to(dtype)
    mask = (torch.arange(30)[None, :, None] < text[:, None, None]) & (
        torch.arange(90)[None, None, :] < frames[:, None, None]
    )
    mask = mask.to(dtype)
    before = value.clone()
    with HostReads() as ops:
        ours = fastpath.maximum_path(value, mask)
    theirs = maximum_path(value, mask)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    torch.testing.assert_close(ours, theirs, rtol=0, atol=0)
    assert torch.equal(value, before)  # the search works on a copy
    assert ours.sum() == frames.sum()  # every frame of every clip has its symbol
    assert not ops.count


def _vits_step(batch_size: int, model: Any) -> tuple[dict[str, float], dict[str, Any]]:
    """One discriminator and one generator step of a tiny VITS on random clips, as coqui's
    trainer runs them: the losses, the gradients each optimizer steps with (the
    discriminator's after its backward, which the trainer then clears; the generator's after
    its own), the discriminator's gradients left after the generator's backward, the host
    reads and the kernels of the generator's step."""
    torch.manual_seed(11)
    seconds = [1.0 + 0.4 * i for i in range(batch_size)]
    longest = int(max(seconds) * 22050)
    wav = torch.zeros(batch_size, 1, longest)
    for i, s in enumerate(seconds):
        n = int(s * 22050)
        wav[i, 0, :n] = 0.3 * torch.sin(torch.arange(n) * (0.05 + 0.01 * i))
    tokens = torch.randint(1, 20, (batch_size, 12))
    batch: dict[str, Any] = {
        "tokens": tokens, "token_lens": torch.full((batch_size,), 12), "waveform": wav,
        "waveform_rel_lens": torch.tensor([s / max(seconds) for s in seconds]),
        "d_vectors": None, "speaker_ids": None, "language_ids": None,
    }  # fmt: skip
    model.zero_grad(set_to_none=True)
    reads, generator = HostReads(), HostReads()
    criteria = model.get_criterion()
    steps, grads = [], {}
    with reads:
        batch = model.format_batch_on_device(batch)
        for idx in (0, 1):
            with generator if idx == 1 else nullcontext():
                _, loss = model.train_step(batch, criteria[idx], idx)
                loss["loss"].backward()
            steps.append(loss)
            stepped = model.disc if idx == 0 else model
            grads.update(
                {f"{idx}:{n}": p.grad.clone() for n, p in stepped.named_parameters()
                 if p.grad is not None and not n.startswith("disc.")}
            )  # fmt: skip
            if idx == 0:
                model.disc.zero_grad(set_to_none=True)
    losses = {k: float(torch.as_tensor(v).detach()) for loss in steps for k, v in loss.items()}
    unused = [n for n, p in model.disc.named_parameters() if p.grad is not None]
    return losses, {
        "grads": grads, "unused": unused, "reads": sum(reads.count.values()),
        "generator_kernels": generator.kernels,
    }  # fmt: skip


@pytest.fixture(scope="module")
def tiny_vits() -> Any:
    from TTS.config.shared_configs import BaseAudioConfig
    from TTS.tts.configs.vits_config import VitsConfig
    from TTS.tts.models.vits import Vits, VitsArgs

    torch.manual_seed(0)
    config = VitsConfig(model_args=VitsArgs(**TINY_ARGS), audio=BaseAudioConfig(sample_rate=22050))
    model = Vits(config)
    model.train()
    return model


def test_training_step_is_the_same_and_reads_nothing_back_per_clip(tiny_vits: Any) -> None:
    losses, coqui = _vits_step(4, tiny_vits)
    with fastpath.installed():
        same, ours = _vits_step(4, tiny_vits)
        _, ours_more = _vits_step(8, tiny_vits)
    _, coqui_more = _vits_step(8, tiny_vits)

    assert losses.keys() == same.keys()
    for key, value in losses.items():
        assert same[key] == pytest.approx(value, rel=1e-5, abs=1e-6), key
    assert coqui["grads"].keys() == ours["grads"].keys()
    for name, grad in coqui["grads"].items():
        torch.testing.assert_close(ours["grads"][name], grad, rtol=1e-4, atol=1e-6)

    assert len(ours["grads"]) > 100  # both steps' gradients compared
    assert any(k.startswith("0:") for k in ours["grads"])
    # the generator's backward no longer computes the discriminator's weight gradients
    assert coqui["unused"] and not ours["unused"]
    assert all(p.requires_grad for p in tiny_vits.disc.parameters())  # and they train again
    assert ours["generator_kernels"] < coqui["generator_kernels"] - 2 * len(coqui["unused"])

    # coqui reads back 3 times per clip in each of 3 segment calls, and 11 times per spline call
    assert coqui_more["reads"] - coqui["reads"] >= 4 * 9
    assert ours_more["reads"] == ours["reads"]  # nothing per clip any more
    assert ours["reads"] <= coqui["reads"] - 4 * 9 - 8 * 11
    # left: 24 reads of a CPU tensor in coqui's WaveNet and 8 of mask lengths and range checks
    # (the discriminator losses are read with the others after the step)
    assert ours["reads"] <= 32


def test_optimizers_step_every_parameter_in_one_fused_kernel(tmp_path: Any) -> None:
    from TTS.tts.models.vits import Vits

    from voicekit.train.config import TrainConfig
    from voicekit.train.model import vits_config

    config = vits_config(
        TrainConfig(size="tiny"), sample_rate=22050, output=str(tmp_path), gpu=False,
        has_val=False, batch=4,
    )  # fmt: skip
    model = Vits(config)
    for optimizer in model.get_optimizer():
        params = [p for group in optimizer.param_groups for p in group["params"]]
        for p in params:
            p.grad = torch.full_like(p, 1e-3)
        optimizer.step()  # the first step creates the moments
        before = [p.detach().clone() for p in params]
        with HostReads() as ops:
            optimizer.step()
        # torch's per-parameter AdamW runs ~10 ops and a read per parameter
        assert len(params) > 20 and not ops.count and ops.kernels < 10, (len(params), ops.kernels)
        assert all(not torch.equal(p, b) for p, b in zip(params, before, strict=True))


def test_parts_can_be_left_out_for_side_by_side_timings() -> None:
    from TTS.tts.models import vits

    coquis = vits.maximum_path, vits.segment, vits.Vits.train_step
    with fastpath.installed(leave_out=("maximum_path",)):
        assert vits.maximum_path is coquis[0]
        assert vits.segment is fastpath.segment
        assert vits.Vits.train_step is not coquis[2]
    assert (vits.maximum_path, vits.segment, vits.Vits.train_step) == coquis
    typo = fastpath.installed(leave_out=("maximum_paths",))
    with pytest.raises(ValueError, match="no fastpath part maximum_paths"), typo:
        pass
