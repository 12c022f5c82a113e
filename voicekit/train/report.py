"""The training report: loss curves, voice scores per evaluation and the samples, one HTML page.

Drawn from ``losses.jsonl`` and the ``step_<N>.json`` files of a run's eval folder, as inline
SVG in the style of the dataset report (no plotting library).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from voicekit.report.plots import KEPT, OTHER, OVERLAP, REJECTED, TARGET
from voicekit.workspace import Workspace

LOSSES = "losses.jsonl"
REPORT = "report.html"
Series = tuple[str, str, list[tuple[float, float]]]  # label, colour, (x, y) points


def load(folder: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(per-step loss rows, evaluation results by step) of a run's eval folder."""
    rows = []
    path = folder / LOSSES
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue  # a torn last line after a kill
    evals = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("step_*.json"))]
    return rows, sorted(evals, key=lambda e: int(e["step"]))


def write_report(ws: Workspace, rel_dir: str) -> Path:
    """(Re)write ``<rel_dir>/report.html`` and return its path."""
    folder = ws.path(rel_dir)
    rows, evals = load(folder)
    path = ws.record(f"{rel_dir}/{REPORT}", "report")
    path.write_text(render(rows, evals, folder.name), encoding="utf-8")
    return path


def _points(items: Sequence[dict[str, Any]], key: str, sub: str | None = None
            ) -> list[tuple[float, float]]:  # fmt: skip
    out = []
    for item in items:
        value = item.get(key)
        if sub is not None:
            value = value.get(sub) if isinstance(value, dict) else None
        if isinstance(value, (int, float)):
            out.append((float(item["step"]), float(value)))
    return out


def render(rows: list[dict[str, Any]], evals: list[dict[str, Any]], run: str) -> str:
    from voicekit.report.html import STYLE

    # coqui's VITS has two optimizers: loss_0 is the discriminator's, loss_1 the generator's
    train = [("generator", TARGET, _points(rows, "loss_1")),
             ("mel", KEPT, _points(rows, "loss_mel")),
             ("discriminator", OTHER, _points(rows, "loss_0"))]  # fmt: skip
    val = [("val generator", TARGET, _points(evals, "validation_loss", "loss_1")),
           ("val mel", KEPT, _points(evals, "validation_loss", "loss_mel")),
           ("val discriminator", OTHER, _points(evals, "validation_loss", "loss_0"))]  # fmt: skip
    voice = [("similarity to target", TARGET, _points(evals, "similarity")),
             ("margin over non-target", KEPT, _points(evals, "margin"))]  # fmt: skip
    asr = [("CER (zh)", REJECTED, _points(evals, "cer")),
           ("WER (en)", OVERLAP, _points(evals, "wer"))]  # fmt: skip
    charts = "".join(
        line_chart(title, series)
        for title, series in (("training loss per step", train), ("validation loss", val),
                              ("speaker similarity", voice), ("intelligibility", asr))
    )  # fmt: skip
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>training {escape(run)}</title>'
        f"<style>{STYLE}.charts{{display:grid;grid-template-columns:repeat(2,1fr);gap:14px}}"
        f"</style></head><body><h1>voicekit training: {escape(run)}</h1>"
        f'<p class="lead">{len(rows)} steps logged, {len(evals)} evaluations. Similarity is the '
        "GE2E cosine to the held-out real clips; the margin is over the closest non-target "
        "voice (positive: more like the target than another voice is).</p>"
        f'<div class="charts">{charts}</div><h2>Evaluations</h2>{_table(evals)}</body></html>'
    )


def _num(value: Any, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) else "–"


def _table(evals: list[dict[str, Any]]) -> str:
    head = ("<table><tr><th>step</th><th>val loss (gen)</th><th>similarity</th><th>margin</th>"
            "<th>CER</th><th>WER</th><th>samples</th></tr>")  # fmt: skip
    body = []
    for e in reversed(evals):
        val = e.get("validation_loss") or {}
        players = " ".join(
            f'<audio controls preload="none" src="{escape(Path(s["audio"]).parent.name)}/'
            f'{escape(Path(s["audio"]).name)}" title="{escape(s["text"])}"></audio>'
            for s in e.get("samples", [])
        )
        body.append(
            f'<tr><td class="num">{e["step"]}</td><td class="num">{_num(val.get("loss_1"))}</td>'
            f'<td class="num">{_num(e.get("similarity"))}</td>'
            f'<td class="num">{_num(e.get("margin"))}</td><td class="num">{_num(e.get("cer"))}</td>'
            f'<td class="num">{_num(e.get("wer"))}</td><td>{players}</td></tr>'
        )
    return head + "".join(body) + "</table>"


def line_chart(title: str, series: Sequence[Series], width: int = 520, height: int = 220) -> str:
    """An SVG line chart of one or more series over training steps, with a legend."""
    head = f"<figure><figcaption>{escape(title)}</figcaption>"
    drawn = [s for s in series if s[2]]
    if not drawn:
        return head + '<p class="muted">nothing recorded yet</p></figure>'
    xs = [x for _, _, pts in drawn for x, _ in pts]
    ys = [y for _, _, pts in drawn for _, y in pts]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y0, y1 = min(ys), max(ys) if max(ys) > min(ys) else min(ys) + 1
    left, right, top, bottom = 44, 8, 8, height - 22

    def sx(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * (width - left - right)

    def sy(y: float) -> float:
        return bottom - (y - y0) / (y1 - y0) * (bottom - top)

    parts = [head, f'<svg viewBox="0 0 {width} {height}" width="100%" role="img">',
             f'<line x1="{left}" y1="{bottom}" x2="{width - right}" y2="{bottom}" stroke="#555"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#555"/>']  # fmt: skip
    for value, y in ((y1, top + 8), (y0, bottom)):
        parts.append(f'<text x="{left - 4}" y="{y}" text-anchor="end" class="tick">'
                     f"{value:.3g}</text>")  # fmt: skip
    for value, anchor in ((x0, "start"), (x1, "end")):
        parts.append(f'<text x="{sx(value):.1f}" y="{bottom + 14}" text-anchor="{anchor}" '
                     f'class="tick">step {value:.0f}</text>')  # fmt: skip
    for label, colour, pts in drawn:
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                     f'stroke-width="1.5"><title>{escape(label)}</title></polyline>')  # fmt: skip
        if len(pts) < 30:  # few points (evaluations): mark each one
            parts += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{colour}">'
                      f"<title>{escape(label)} {y:.4g} at step {x:.0f}</title></circle>"
                      for x, y in pts]  # fmt: skip
    parts.append("</svg>")
    legend = "".join(f'<span style="background:{c}"></span>{escape(n)}' for n, c, _ in drawn)
    return "".join(parts) + f'<div class="legend">{legend}</div></figure>'
