"""Inline SVG plots: a speaker timeline per film and small histograms.

Hand-written SVG rather than matplotlib: the page stays small and self-contained, text stays
selectable, hover titles work, and the report needs no plotting library at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from voicekit.manifest import Segment

KEPT = "#2e7d32"
REJECTED = "#e65100"
TARGET = "#1565c0"
OTHER = "#9e9e9e"
OVERLAP = "#c62828"


def clock(seconds: float) -> str:
    """1:02:03 or 2:03 (what a film player shows)."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _tick_step(duration: float, max_ticks: int = 10) -> float:
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if duration / step <= max_ticks:
            return float(step)
    return 3600.0 * math.ceil(duration / 3600 / max_ticks)


def timeline(duration: float, context: Sequence[Segment], clips: Sequence[Segment],
             width: int = 960) -> str:
    """Who speaks when in one recording: a row per speaker, overlaps, kept and rejected clips."""
    speakers = sorted({s.speaker for s in context if s.speaker and s.speaker != "target"})
    rows: list[tuple[str, str, list[Segment]]] = []
    # the segment stage replaces the target's turns by clips: both show the target's speech
    target = [s for s in [*context, *clips] if s.speaker == "target"]
    if target:
        rows.append(("target", TARGET, target))
    rows += [(name, OTHER, [s for s in context if s.speaker == name]) for name in speakers]
    overlaps = [s for s in context if s.custom.get("role") == "overlap"]
    if overlaps:
        rows.append(("overlap", OVERLAP, overlaps))
    rows.append(("kept clips", KEPT, [c for c in clips if c.kept]))
    rows.append(("rejected clips", REJECTED, [c for c in clips if not c.kept]))

    label_w, row_h, top = 104, 18, 6
    plot_w = width - label_w - 12
    height = top + row_h * len(rows) + 22
    scale = plot_w / max(duration, 1e-6)
    parts = [f'<svg class="timeline" viewBox="0 0 {width} {height}" width="100%" '
             f'role="img" aria-label="speaker timeline">']
    for index, (label, colour, segs) in enumerate(rows):
        y = top + index * row_h
        weight = ' font-weight="bold"' if label == "target" else ""
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end"{weight}>'
                     f"{escape(label)}</text>")
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{plot_w}" height="{row_h - 4}" '
                     'fill="#f3f3f3"/>')
        for seg in segs:
            x = label_w + seg.start * scale
            w = max(seg.duration * scale, 0.8)  # keep very short turns visible
            why = f" — {seg.rejected.reason}" if seg.rejected else ""
            tip = escape(f"{label} {clock(seg.start)}–{clock(seg.end)}{why}")
            parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 4}" '
                         f'fill="{colour}"><title>{tip}</title></rect>')
    axis_y = top + row_h * len(rows) + 4
    step = _tick_step(duration)
    tick = 0.0
    while tick <= duration + 1e-6:
        x = label_w + tick * scale
        anchor = "end" if x > width - 30 else "middle"  # keep the last label inside the svg
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}" stroke="#ccc" '
                     'stroke-width="0.5"/>')
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 12}" text-anchor="{anchor}" '
                     f'class="tick">{clock(tick)}</text>')
        tick += step
    parts.append("</svg>")
    return "".join(parts)


def histogram(title: str, kept: Sequence[float], rejected: Sequence[float], *,
              unit: str = "", line: float | None = None, bins: int = 20,
              width: int = 300, height: int = 170) -> str:
    """Stacked histogram of kept (green) over rejected (orange) clips, with a threshold line."""
    values = [*kept, *rejected]
    head = f'<figure class="hist"><figcaption>{escape(title)}</figcaption>'
    if not values:
        return head + '<p class="muted">no values recorded</p></figure>'
    low, high = min(values), max(values)
    if line is not None:
        low, high = min(low, line), max(high, line)
    if high - low < 1e-9:
        low, high = low - 0.5, high + 0.5
    span = (high - low) / bins

    def counts(data: Sequence[float]) -> list[int]:
        out = [0] * bins
        for v in data:
            out[min(int((v - low) / span), bins - 1)] += 1
        return out

    k, r = counts(kept), counts(rejected)
    peak = max(a + b for a, b in zip(k, r, strict=True)) or 1
    left, bottom, plot_h = 30, height - 22, height - 34
    bar_w = (width - left - 6) / bins
    parts = [head, f'<svg viewBox="0 0 {width} {height}" width="100%" role="img">']
    for i in range(bins):
        x = left + i * bar_w
        lo_edge = low + i * span
        for count, base, colour, what in ((k[i], 0, KEPT, "kept"), (r[i], k[i], REJECTED,
                                                                   "rejected")):
            if not count:
                continue
            h = count / peak * plot_h
            y = bottom - (base / peak * plot_h) - h
            tip = escape(f"{what}: {count} clips, {lo_edge:.3g}–{lo_edge + span:.3g}{unit}")
            parts.append(f'<rect x="{x + 0.5:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" '
                         f'height="{h:.1f}" fill="{colour}"><title>{tip}</title></rect>')
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{width - 6}" y2="{bottom}" stroke="#555"/>')
    parts.append(f'<text x="{left - 4}" y="{bottom - plot_h + 8}" text-anchor="end" '
                 f'class="tick">{peak}</text>')
    for frac, anchor in ((0.0, "start"), (0.5, "middle"), (1.0, "end")):
        x = left + frac * (width - left - 6)
        parts.append(f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="{anchor}" class="tick">'
                     f"{low + frac * (high - low):.3g}{escape(unit)}</text>")
    if line is not None:
        x = left + (line - low) / (high - low) * (width - left - 6)
        parts.append(f'<line x1="{x:.1f}" y1="{bottom - plot_h}" x2="{x:.1f}" y2="{bottom}" '
                     'stroke="#000" stroke-dasharray="3,2"><title>threshold '
                     f"{line:.3g}{escape(unit)}</title></line>")
    parts.append("</svg></figure>")
    return "".join(parts)
