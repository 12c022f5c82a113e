"""report.html: one self-contained page (inline CSS, JS and SVG; audio files referenced).

Reading order follows the questions a person has: how much of the target was kept, why the
rest was not (with examples to listen to), where in each film the speech came from, how the
clips are distributed, then every clip in sortable tables, and the configuration last.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from voicekit.manifest import Segment
from voicekit.report import plots
from voicekit.report.data import ReportData, audio_src, metric, threshold

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans CJK SC",sans-serif;
 margin:0 auto;max-width:1180px;padding:16px 24px;color:#222}
h1{font-size:22px;margin:4px 0}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #ddd}
.muted{color:#777}.lead{font-size:16px;margin:6px 0 14px}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #ddd;border-radius:6px;
 padding:8px 14px;min-width:130px}.card b{display:block;font-size:22px}
.card.kept b{color:#2e7d32}.card.rej b{color:#e65100}
table{border-collapse:collapse;width:100%}th,td{padding:4px 6px;border-bottom:1px solid #eee;
 text-align:left;vertical-align:middle}th{background:#fafafa;position:sticky;top:0}
table.sortable th{cursor:pointer;user-select:none}th.asc::after{content:" ▲"}
th.desc::after{content:" ▼"}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.text{max-width:420px}audio{height:28px;width:210px}.bar{background:#e65100;height:10px}
.hists{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}figure{margin:0}
figcaption{font-weight:600}svg text{font-size:11px;fill:#333}svg text.tick{font-size:10px;fill:#666}
.legend span{display:inline-block;width:12px;height:10px;margin:0 4px 0 12px}
input.filter{margin:4px 0 8px;padding:4px 8px;width:320px}
details pre{background:#f7f7f7;padding:8px;overflow:auto;max-height:420px}
@media (max-width:900px){.hists{grid-template-columns:repeat(2,1fr)}}
"""

# click a header to sort (numbers by data-v), type to filter rows; no libraries
SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function(t){
 t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){
  var asc=!th.classList.contains('asc');t.querySelectorAll('th').forEach(function(h){
   h.classList.remove('asc','desc')});th.classList.add(asc?'asc':'desc');
  var rows=Array.from(t.tBodies[0].rows);rows.sort(function(a,b){
   var x=a.cells[i].dataset.v,y=b.cells[i].dataset.v;var nx=parseFloat(x),ny=parseFloat(y);
   var c=(isNaN(nx)||isNaN(ny))?String(x).localeCompare(String(y)):nx-ny;return asc?c:-c});
  rows.forEach(function(r){t.tBodies[0].appendChild(r)})})})});
document.querySelectorAll('input.filter').forEach(function(box){box.addEventListener('input',
 function(){var q=box.value.toLowerCase(),t=document.getElementById(box.dataset.table);
  Array.from(t.tBodies[0].rows).forEach(function(r){
   r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':''})})});
"""

HISTOGRAMS = (
    ("Clip duration", "duration", " s"),
    ("Speech-to-noise ratio", "snr_db", " dB"),
    ("Similarity to the target", "similarity", ""),
    ("Speaking rate (chars/s)", "cps", ""),
)


def _num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return '<td class="num muted" data-v="">–</td>'
    return f'<td class="num" data-v="{value:.6g}">{value:.{digits}f}</td>'


def _audio(seg: Segment, data: ReportData, dataset: Path) -> tuple[str, str]:
    """(player html, sort value) for a clip."""
    src, note = audio_src(seg, dataset, Path(data.workspace))
    if src is None:
        return f'<span class="muted">{escape(note)}</span>', ""
    small = f'<br><small class="muted">{escape(note)}</small>' if note else ""
    return f'<audio controls preload="none" src="{escape(src)}"></audio>{small}', src


def _player(seg: Segment, data: ReportData, dataset: Path) -> str:
    inner, value = _audio(seg, data, dataset)
    return f'<td data-v="{escape(value)}">{inner}</td>'


def _where(seg: Segment, names: dict[str, str]) -> str:
    film = names.get(seg.recording_id, seg.recording_id)
    return (f'<td data-v="{escape(seg.recording_id)} {seg.start:012.2f}" title="{escape(seg.id)}">'
            f"{escape(film)} <span class=muted>{plots.clock(seg.start)}</span></td>")


def _text(seg: Segment) -> str:
    text = seg.custom.get("text_export") or seg.text or ""
    return f'<td class="text" data-v="{escape(text)}">{escape(text) or "<i>no text</i>"}</td>'


def summary_section(data: ReportData) -> str:
    s = data.summary()
    share = 100 * s["kept_minutes"] / s["clip_minutes"] if s["clip_minutes"] else 0.0
    top = data.reasons[0].filter if data.reasons else None
    lead = (f"Kept <b>{s['kept_minutes']:.1f} min</b> of the target's speech in "
            f"<b>{s['kept_clips']}</b> clips from {s['films']} film(s) "
            f"({s['hours_in']:.2f} h of audio in). ")
    if s["rejected_clips"]:
        were = "clip was" if s["rejected_clips"] == 1 else "clips were"
        lead += (f"{s['rejected_clips']} {were} rejected, most often by "
                 f"<b>{escape(str(top))}</b>.")
    cards = [
        ("n-films", "films", s["films"], ""),
        ("n-hours-in", "hours of audio in", f"{s['hours_in']:.2f}", ""),
        ("n-target-minutes", "minutes of target speech found", f"{s['target_minutes']:.1f}", ""),
        ("n-kept-minutes", f"minutes kept ({share:.0f}% of clip time)",
         f"{s['kept_minutes']:.1f}", "kept"),
        ("n-kept-clips", "clips kept", s["kept_clips"], "kept"),
        ("n-rejected-clips", "clips rejected", s["rejected_clips"], "rej"),
        ("n-splits", "train / val / held-out clips",
         " / ".join(str(s["splits"][k]) for k in ("train", "val", "heldout")), ""),
    ]
    html = [f'<p class="lead">{lead}</p><div class="cards">']
    html += [f'<div class="card {cls}" id="{key}"><b>{escape(str(value))}</b>{escape(label)}</div>'
             for key, label, value, cls in cards]
    html.append("</div>")
    return "".join(html)


def reasons_section(data: ReportData, dataset: Path) -> str:
    if not data.reasons:
        return "<h2>Why clips were rejected</h2><p>No clip was rejected.</p>"
    most = max(r.count for r in data.reasons)
    rows = []
    for reason in data.reasons:
        examples = [c for c in data.rejected if c.rejected and c.rejected.filter == reason.filter]
        players = "".join(f"<div>{_audio(c, data, dataset)[0]}</div>" for c in examples[:2])
        rows.append(
            f'<tr data-filter="{escape(reason.filter)}"><td><b>{escape(reason.filter)}</b><br>'
            f'<small class="muted">{escape(reason.example)}</small></td>'
            f'<td class="num count" data-v="{reason.count}">{reason.count}</td>'
            f'<td class="num" data-v="{reason.seconds:.3f}">{reason.seconds / 60:.1f}</td>'
            f'<td style="width:160px"><div class="bar" '
            f'style="width:{100 * reason.count / most:.0f}%"></div></td><td>{players}</td></tr>')
    return ("<h2>Why clips were rejected</h2><table><thead><tr><th>filter (typical reason)</th>"
            "<th>clips</th><th>minutes</th><th></th><th>listen</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def timeline_section(data: ReportData) -> str:
    legend = "".join(f'<span style="background:{c}"></span>{escape(n)}' for n, c in (
        ("target", plots.TARGET), ("other speakers", plots.OTHER), ("overlap", plots.OVERLAP),
        ("kept clip", plots.KEPT), ("rejected clip", plots.REJECTED)))
    parts = [f'<h2>Who speaks when</h2><p class="legend muted">{legend}</p>']
    for film in data.films:
        context = [s for s in data.context if s.recording_id == film.recording_id]
        clips = [c for c in data.clips if c.recording_id == film.recording_id]
        parts.append(f"<h3>{escape(film.name)} <small class=muted>{plots.clock(film.duration)}"
                     "</small></h3>")
        parts.append(plots.timeline(film.duration, context, clips))
    return "".join(parts)


def histograms_section(data: ReportData) -> str:
    figures = []
    for title, name, unit in HISTOGRAMS:
        kept = [v for c in data.kept if (v := metric(c, name)) is not None]
        rejected = [v for c in data.rejected if (v := metric(c, name)) is not None]
        figures.append(plots.histogram(title, kept, rejected, unit=unit,
                                       line=threshold(data, name)))
    return ('<h2>Clips at a glance</h2><p class="legend muted">'
            f'<span style="background:{plots.KEPT}"></span>kept'
            f'<span style="background:{plots.REJECTED}"></span>rejected · dashed line: threshold'
            f'</p><div class="hists">{"".join(figures)}</div>')


def clips_table(data: ReportData, dataset: Path, *, kept: bool) -> str:
    names = {f.recording_id: f.name for f in data.films}
    table_id = "kept" if kept else "rejected"
    segs = data.kept if kept else data.rejected
    head = ["listen", "film / time", "split" if kept else "filter", *([] if kept else ["reason"]),
            "s", "text", "similarity", "SNR dB", "chars/s"]
    rows = []
    for seg in segs:
        if kept:
            middle = f'<td>{escape(str(seg.custom.get("split", "")))}</td>'
        else:
            reject = seg.rejected
            middle = (f"<td>{escape(reject.filter if reject else '')}</td>"
                      f"<td>{escape(reject.reason if reject else '')}</td>")
        rows.append("<tr>" + _player(seg, data, dataset) + _where(seg, names) + middle
                    + _num(seg.duration, 1) + _text(seg) + _num(metric(seg, "similarity"))
                    + _num(metric(seg, "snr_db"), 1) + _num(metric(seg, "cps"), 1) + "</tr>")
    title = "Kept clips" if kept else "Rejected clips"
    return (f"<h2>{title} ({len(segs)})</h2>"
            f'<input class="filter" data-table="{table_id}" placeholder="filter rows…">'
            f'<table class="sortable" id="{table_id}"><thead><tr>'
            + "".join(f"<th>{escape(h)}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def candidates_section(data: ReportData) -> str:
    if not data.candidates:
        return ""
    items = []
    for cand in data.candidates:
        if isinstance(cand, dict):
            text = ", ".join(f"{k}: {_plain(v)}" for k, v in cand.items())
        else:
            text = _plain(cand)
        items.append(f"<li>{escape(text)}</li>")
    return ('<section id="candidates"><h2>Candidate speakers</h2><p>No enrolment clips were '
            "given, so the speaker with the most speech was taken as the target. If that is the "
            "wrong voice, re-run with <code>--target CLUSTER</code> (or give <code>--ref</code> "
            f"clips). Candidates, most speech first:</p><ul>{''.join(items)}</ul></section>")


def _plain(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return " + ".join(str(v) for v in value)
    return str(value)


def render(data: ReportData, dataset: Path) -> str:
    """The whole page as a string."""
    summary = json.dumps(data.summary(), ensure_ascii=False).replace("</", "<\\/")
    config = json.dumps(data.config, indent=1, ensure_ascii=False)
    body = [
        "<h1>voicekit dataset report</h1>",
        f'<p class="muted">workspace <code>{escape(data.workspace)}</code></p>',
        summary_section(data),
        reasons_section(data, dataset),
        candidates_section(data),
        timeline_section(data),
        histograms_section(data),
        clips_table(data, dataset, kept=True),
        clips_table(data, dataset, kept=False),
        f"<h2>Configuration used</h2><details><summary>config.json</summary>"
        f"<pre>{escape(config)}</pre></details>",
    ]
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>voicekit report</title><style>{STYLE}</style></head><body>"
            + "".join(body)
            + f'<script type="application/json" id="voicekit-summary">{summary}</script>'
            + f"<script>{SCRIPT}</script></body></html>\n")
