"""Faster versions of parts of coqui's VITS training step: the same values and gradients,
fewer waits for the GPU and fewer kernel launches.

Reading a GPU tensor's value on the host (``.item()``, ``if tensor``, boolean-mask indexing,
slicing with a 0-d tensor) makes the host wait until the GPU has run everything queued; the GPU
then idles until the host queues new work. coqui's VITS step does that 469 times at batch 32:

- ``segment`` slices each clip of the batch with its start index as a GPU tensor, one clip at a
  time (three reads per clip, three calls a step: 288 at batch 32, plus a copy per clip);
- the stochastic duration predictor's rational-quadratic spline picks the inputs inside its
  interval by boolean masks and checks its domain with ``torch.min``/``max`` (11 per call, 8
  calls a step, whatever the batch);
- the discriminator loss reads each sub-discriminator's loss for the log between the forward
  and the backward pass (12 a step);
- the alignment search copies the scores and their mask to the host and the path back, three
  tensors of batch × text × frames (126 MB at batch 32 with 300 × 1100), while the GPU idles.

The versions here compute the same values (the segment by one ``gather`` over the zero-padded
batch; the spline for every element with the inputs clamped into the interval, then
``torch.where``; the logged losses left on the GPU until the trainer reads all losses after
the step; the alignment by the same compiled search from the scores alone, sending back only
how many frames each symbol got), draw the same random numbers and give the same gradients,
reading back only the scores the alignment needs (whose search also spends less time on the
host: benchmarks/alignment.py). And in its own step the discriminator runs each of its
sub-discriminators once over the real and the generated audio together instead of twice (half
the launches of that pass; it has no batch statistics), and in the generator's step its
weights get no gradients: coqui's backward computed them there only for the trainer to clear
them unused after the step. `installed` swaps them into coqui's classes and modules while
training runs.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F


def segment(
    x: torch.Tensor, segment_indices: torch.Tensor, segment_size: int = 4, pad_short: bool = False
) -> torch.Tensor:
    """``x[b, :, i_b : i_b + segment_size]`` for every b, zero-padded past the end when
    ``pad_short`` (coqui's ``segment``)."""
    if pad_short:
        x = F.pad(x, (0, segment_size))
    span = segment_indices.long()[:, None] + torch.arange(segment_size, device=x.device)
    return x.gather(2, span[:, None, :].expand(-1, x.size(1), -1))


def rand_segments(
    x: torch.Tensor,
    x_lengths: torch.Tensor,
    segment_size: int = 4,
    let_short_samples: bool = False,
    pad_short: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A random ``segment_size`` window of each sample within its length, and the starts
    (coqui's ``rand_segments``; the starts come from the same CPU random draw)."""
    if not let_short_samples:  # coqui asserts every sample is long enough: a wait, and rare
        from TTS.tts.utils import helpers

        result: tuple[torch.Tensor, torch.Tensor] = helpers.rand_segments(
            x, x_lengths, segment_size, let_short_samples, pad_short
        )
        return result
    if pad_short and x.size(2) < segment_size:
        x = F.pad(x, (0, segment_size - x.size(2)))
    slack = (x_lengths - segment_size).clamp_min(0)
    starts = (torch.rand([x.size(0)]).type_as(x) * (slack + 1)).long()
    return segment(x, starts, segment_size, pad_short=pad_short), starts


def spline_transform(
    inputs: torch.Tensor,
    unnormalized_widths: torch.Tensor,
    unnormalized_heights: torch.Tensor,
    unnormalized_derivatives: torch.Tensor,
    inverse: bool = False,
    tails: str | None = None,
    tail_bound: float = 1.0,
    min_bin_width: float = 1e-3,
    min_bin_height: float = 1e-3,
    min_derivative: float = 1e-3,
) -> tuple[torch.Tensor, torch.Tensor]:
    """coqui's ``piecewise_rational_quadratic_transform`` with linear tails: a monotonic spline
    on [-tail_bound, tail_bound], the identity outside; returns (outputs, log|det|)."""
    if tails != "linear" or min_bin_width != min_bin_height:  # the duration predictor: never
        from TTS.tts.layers.vits import transforms

        coqui = transforms.piecewise_rational_quadratic_transform
        result: tuple[torch.Tensor, torch.Tensor] = coqui(
            inputs, unnormalized_widths, unnormalized_heights, unnormalized_derivatives,
            inverse, tails, tail_bound, min_bin_width, min_bin_height, min_derivative,
        )  # fmt: skip
        return result
    inside = (inputs >= -tail_bound) & (inputs <= tail_bound)
    constant = math.log(math.exp(1 - min_derivative) - 1)  # slope 1 at both ends
    outputs, logabsdet = _spline(
        inputs.clamp(-tail_bound, tail_bound),
        torch.stack([unnormalized_widths, unnormalized_heights], dim=-2),
        F.pad(unnormalized_derivatives, pad=(1, 1), value=constant),
        inverse, tail_bound, min_bin_width, min_derivative,
    )  # fmt: skip
    # coqui writes the spline's results into tensors of the inputs' dtype (fp16 under autocast)
    outputs, logabsdet = outputs.to(inputs.dtype), logabsdet.to(inputs.dtype)
    return torch.where(inside, outputs, inputs), torch.where(inside, logabsdet, 0.0)


def _spline(
    inputs: torch.Tensor,
    unnormalized_sizes: torch.Tensor,
    unnormalized_derivatives: torch.Tensor,
    inverse: bool,
    bound: float,
    min_bin: float,
    min_derivative: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The rational-quadratic spline of nflows (Durkan et al. 2019) on [-bound, bound]² as
    coqui computes it, for inputs already inside the interval, without the domain checks.
    Bin widths and heights come stacked (``[..., 2, bins]``) and every per-element parameter
    is picked by one gather: the same arithmetic in fewer kernels."""
    bins = unnormalized_sizes.shape[-1]
    sizes = min_bin + (1 - min_bin * bins) * F.softmax(unnormalized_sizes, dim=-1)
    inner = 2 * bound * torch.cumsum(sizes, dim=-1)[..., :-1] - bound
    knots = F.pad(F.pad(inner, (1, 0), value=-bound), (0, 1), value=bound)  # [..., 2, bins + 1]
    sizes = knots[..., 1:] - knots[..., :-1]
    derivatives = min_derivative + F.softplus(unnormalized_derivatives)
    delta = sizes[..., 1, :] / sizes[..., 0, :]
    # the bin of each input: knots at or below it, less one (the last knot is never below)
    idx = torch.sum(inputs[..., None] >= knots[..., 1 if inverse else 0, :-1], dim=-1) - 1
    table = torch.cat(
        [knots[..., :-1], sizes, delta[..., None, :],
         derivatives[..., None, :-1], derivatives[..., None, 1:]], dim=-2,
    )  # fmt: skip
    picked = table.gather(-1, idx[..., None, None].expand(*idx.shape, 7, 1))[..., 0]
    x0, y0, w, h, d, d0, d1 = picked.unbind(-1)
    curve = d0 + d1 - 2 * d
    if inverse:
        a = (inputs - y0) * curve + h * (d - d0)
        b = h * d0 - (inputs - y0) * curve
        c = -d * (inputs - y0)
        theta = (2 * c) / (-b - torch.sqrt(b.pow(2) - 4 * a * c))
        outputs = theta * w + x0
    else:
        theta = (inputs - x0) / w
    theta_one_minus_theta = theta * (1 - theta)
    denominator = d + curve * theta_one_minus_theta
    derivative_numerator = d.pow(2) * (
        d1 * theta.pow(2) + 2 * d * theta_one_minus_theta + d0 * (1 - theta).pow(2)
    )
    logabsdet = torch.log(derivative_numerator) - 2 * torch.log(denominator)
    if inverse:
        return outputs, -logabsdet
    numerator = h * (d * theta.pow(2) + d0 * theta_one_minus_theta)
    return y0 + numerator / denominator, logabsdet


def maximum_path(value: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """coqui's ``maximum_path``: the most likely monotonic alignment of ``value`` [b, text,
    frames] within ``mask``, as 0/1 of ``value``'s dtype, by monotonic_alignment_search's
    compiled search on the host.

    Only the scores travel to the host (into pinned memory on a GPU; the search reads nothing
    outside each clip's lengths, so they need no masking), and only the frames each symbol got
    come back: every frame of a clip belongs to exactly one symbol, in order, so the frame's
    symbol is the number of symbols that ended at or before it."""
    from monotonic_alignment_search.core import maximum_path_c

    lengths = torch.stack([mask[:, :, 0].sum(1), mask[:, 0, :].sum(1)]).int()
    scores = value.detach().float().to("cpu", non_blocking=True, copy=True)
    lengths = lengths.to("cpu", non_blocking=True)
    if value.is_cuda:  # the copies above were only queued
        torch.cuda.current_stream(value.device).synchronize()
    scores_np = np.ascontiguousarray(scores.numpy())
    path = np.zeros(scores_np.shape, dtype=np.int32)
    text_lengths, frame_lengths = lengths.numpy()
    maximum_path_c(path, scores_np, text_lengths, frame_lengths)
    frames = torch.from_numpy(path.sum(2)).to(value.device, non_blocking=True)
    b, text, length = value.shape
    frame = torch.arange(length, device=value.device).repeat(b, 1)
    # the symbol of each frame: how many symbols ended at or before it
    symbol = torch.searchsorted(frames.cumsum(1), frame, right=True).clamp_max(text - 1)
    dtype = torch.promote_types(value.dtype, mask.dtype)
    in_clip = (mask[:, :1, :] != 0).to(dtype)  # frames past a clip's end get no symbol
    out = torch.zeros(b, text, length, dtype=dtype, device=value.device)
    return out.scatter_(1, symbol[:, None, :], in_clip)


def discriminate(
    self: Any, x: torch.Tensor, x_hat: torch.Tensor | None = None
) -> tuple[list[torch.Tensor], list[list[torch.Tensor]], Any, Any]:
    """coqui's ``VitsDiscriminator.forward``: scores and features of ``x`` and of ``x_hat``,
    each sub-discriminator run once over both in the discriminator's own step. Not in the
    generator's, where only the generated audio's gradient is needed: one pass over both would
    also run the backward over the real audio."""
    separate = x_hat is None or x_hat.shape != x.shape or x.requires_grad or x_hat.requires_grad
    both = x if separate or x_hat is None else torch.cat([x, x_hat])
    together = both is not x
    n = x.size(0)
    x_scores, x_feats = [], []
    x_hat_scores: list[torch.Tensor] | None = None if x_hat is None else []
    x_hat_feats: list[list[torch.Tensor]] | None = None if x_hat is None else []
    for net in self.nets:
        scores, feats = net(both)
        x_scores.append(scores[:n])
        x_feats.append([f[:n] for f in feats])
        if x_hat_scores is not None and x_hat_feats is not None:
            hat_scores, hat_feats = (scores[n:], [f[n:] for f in feats]) if together else net(x_hat)
            x_hat_scores.append(hat_scores)
            x_hat_feats.append(hat_feats)
    return x_scores, x_feats, x_hat_scores, x_hat_feats


def discriminator_loss(
    scores_real: list[torch.Tensor], scores_fake: list[torch.Tensor]
) -> tuple[Any, list[torch.Tensor], list[torch.Tensor]]:
    """coqui's ``VitsDiscriminatorLoss.discriminator_loss`` (least squares), with the
    per-discriminator losses it returns for logging left on the GPU: the trainer reads them
    with the other losses at the end of the step, not between its forward and backward pass."""
    loss: Any = 0
    real_losses, fake_losses = [], []
    for dr, dg in zip(scores_real, scores_fake, strict=True):
        real_loss = torch.mean((1 - dr.float()) ** 2)
        fake_loss = torch.mean(dg.float() ** 2)
        loss += real_loss + fake_loss
        real_losses.append(real_loss.detach())
        fake_losses.append(fake_loss.detach())
    return loss, real_losses, fake_losses


def without_discriminator_gradients(train_step: Any) -> Any:
    """coqui's ``Vits.train_step`` whose generator step (``optimizer_idx`` 1) records no
    gradients for the discriminator's weights: its backward still runs through the
    discriminator to the generated audio but skips each layer's weight gradient. Those were
    never used (the generator's optimizer steps only the generator, and the trainer clears every
    gradient after the step), so the generator's gradients are the same."""

    def step(self: Any, batch: Any, criterion: Any, optimizer_idx: int | None = None) -> Any:
        frozen = []
        if optimizer_idx == 1 and getattr(self, "disc", None) is not None:
            frozen = [p for p in self.disc.parameters() if p.requires_grad]
        for p in frozen:  # the graph built meanwhile leaves them out; the backward runs later
            p.requires_grad_(False)
        try:
            return train_step(self, batch, criterion, optimizer_idx)
        finally:
            for p in frozen:
                p.requires_grad_(True)

    return step


@contextmanager
def installed(leave_out: Collection[str] = ()) -> Iterator[None]:
    """While inside, coqui's VITS training uses the versions above, all but the parts named in
    ``leave_out`` (for side by side timings: discriminator_gradients, discriminate,
    discriminator_loss, segment, rand_segments, maximum_path, spline)."""
    from TTS.tts.layers.losses import VitsDiscriminatorLoss
    from TTS.tts.layers.vits import stochastic_duration_predictor as sdp
    from TTS.tts.layers.vits.discriminator import VitsDiscriminator
    from TTS.tts.models import vits

    swaps: dict[str, tuple[Any, str, Any]] = {
        "discriminator_gradients": (
            vits.Vits, "train_step", without_discriminator_gradients(vits.Vits.train_step)
        ),
        "discriminate": (VitsDiscriminator, "forward", discriminate),
        "discriminator_loss": (
            VitsDiscriminatorLoss, "discriminator_loss", staticmethod(discriminator_loss)
        ),
        "segment": (vits, "segment", segment),
        "rand_segments": (vits, "rand_segments", rand_segments),
        "maximum_path": (vits, "maximum_path", maximum_path),
        "spline": (sdp, "piecewise_rational_quadratic_transform", spline_transform),
    }  # fmt: skip
    unknown = set(leave_out) - swaps.keys()
    if unknown:
        raise ValueError(f"no fastpath part {', '.join(sorted(unknown))} (parts: {list(swaps)})")
    chosen = [swap for part, swap in swaps.items() if part not in leave_out]
    saved = [(owner, name, vars(owner)[name]) for owner, name, _ in chosen]  # staticmethod too
    for owner, name, replacement in chosen:
        setattr(owner, name, replacement)
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
