"""report.html: numbers equal the manifests, players point at real files, no network, and the
page loads in headless Chromium without console errors (skipped, with the reason, when no
Chromium is installed)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from export_helpers import Built, build, run_export

from voicekit.errors import InputError, WorkspaceError
from voicekit.report.render import render_report
from voicekit.workspace import Workspace

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Page(HTMLParser):
    """Collects the text of elements with an id, table rows by filter, and audio sources."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, str] = {}
        self.filter_counts: dict[str, int] = {}
        self.audio: list[str] = []
        self.urls: list[str] = []
        self._open: list[tuple[str, str | None]] = []  # (tag, id) stack
        self._filter: str | None = None
        self._in_count = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key):
                self.urls.append(str(a[key]))
        if tag == "audio":
            self.audio.append(str(a["src"]))
        if tag == "tr" and a.get("data-filter"):
            self._filter = a["data-filter"]
        self._in_count = tag == "td" and "count" in (a.get("class") or "").split()
        if tag not in ("br", "input", "meta", "source"):
            self._open.append((tag, a.get("id")))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break
        if tag == "td":
            self._in_count = False

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open:
            if element_id:
                self.by_id[element_id] = self.by_id.get(element_id, "") + data
        if self._in_count and self._filter:
            self.filter_counts[self._filter] = int(data)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text("utf-8"))
    return page


def records(dataset: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (dataset / name).read_text("utf-8").splitlines()]


def card_number(page: Page, element_id: str) -> float:
    found = re.match(r"[\d.]+", page.by_id[element_id].strip())
    assert found, element_id
    return float(found.group(0))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, Path]:
    built = build(tmp_path_factory.mktemp("report") / "ws")
    run_export(built)
    return built, built.ws.root / "dataset"


def test_summary_numbers_equal_the_manifests(exported) -> None:
    _, dataset = exported
    kept = records(dataset, "manifest.jsonl")
    rejected = records(dataset, "rejected.jsonl")
    page = parse(dataset / "report.html")
    assert card_number(page, "n-films") == len({r["recording_id"] for r in kept + rejected})
    assert card_number(page, "n-kept-clips") == len(kept)
    assert card_number(page, "n-rejected-clips") == len(rejected)
    kept_min = sum(r["duration"] for r in kept) / 60
    assert card_number(page, "n-kept-minutes") == pytest.approx(kept_min, abs=0.05)
    assert card_number(page, "n-hours-in") == pytest.approx(2 * 40 / 3600, abs=0.005)
    assert page.filter_counts == dict(Counter(r["filter"] for r in rejected))
    splits = Counter(r["split"] for r in kept)
    assert page.by_id["n-splits"].split("train")[0].split(" / ") == [
        str(splits[s]) for s in ("train", "val", "heldout")
    ]
    embedded = json.loads(page.by_id["voicekit-summary"])
    assert embedded["kept_clips"] == len(kept) and embedded["rejected_clips"] == len(rejected)


def test_players_point_at_files_and_nothing_at_the_network(exported) -> None:
    _, dataset = exported
    page = parse(dataset / "report.html")
    kept = records(dataset, "manifest.jsonl")
    assert {r["audio"] for r in kept} <= set(page.audio)
    for src in page.audio:
        path = dataset / unquote(src.split("#", 1)[0])
        assert path.is_file(), src
    # rejected clips without a wav play their span of the separated track
    assert any(re.search(r"#t=\d+\.\d+,\d+\.\d+$", src) for src in page.audio)
    assert not [u for u in page.urls if re.match(r"(https?:)?//", u)]
    assert "speaker: S1" in page.by_id["candidates"]  # identify's candidate is listed


def test_render_report_rerenders_the_same_page_without_recomputing(exported) -> None:
    built, dataset = exported
    report = dataset / "report.html"
    original = report.read_bytes()
    wav_times = {p: p.stat().st_mtime_ns for p in (dataset / "wavs").rglob("*.wav")}
    report.unlink()
    assert render_report(built.ws.root) == report
    assert report.read_bytes() == original
    assert {p: p.stat().st_mtime_ns for p in wav_times} == wav_times


def test_render_report_needs_an_exported_workspace(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(WorkspaceError):
        render_report(tmp_path / "plain")
    Workspace(tmp_path / "empty")
    with pytest.raises(InputError):
        render_report(tmp_path / "empty")


def chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args],
        capture_output=True, text=True, timeout=90, check=False,
    )


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_report_loads_in_chromium_without_console_errors(exported, tmp_path: Path) -> None:
    _, dataset = exported
    url = (dataset / "report.html").as_uri()
    artefacts = Path(os.environ.get("VOICEKIT_TEST_ARTIFACTS", tmp_path))
    artefacts.mkdir(parents=True, exist_ok=True)
    shot = artefacts / "report.png"
    run = chromium(["--window-size=1280,2400", f"--screenshot={shot}", url], tmp_path / "p1")
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.stat().st_size > 10_000
    assert console_lines(run.stderr) == []

    dom = chromium(["--dump-dom", url], tmp_path / "p2")
    assert console_lines(dom.stderr) == []
    kept = records(dataset, "manifest.jsonl")
    assert f"<b>{len(kept)}</b>clips kept" in dom.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_clicking_a_header_sorts_the_table(exported, tmp_path: Path) -> None:
    _, dataset = exported
    probe = dataset / "sort-probe.html"
    # click "similarity" twice (descending) after the page's own script has run
    click = ("<script>var th=document.querySelectorAll('#kept th')[5];th.click();th.click();"
             "</script></body>")
    probe.write_text((dataset / "report.html").read_text("utf-8").replace("</body>", click),
                     encoding="utf-8")
    try:
        dom = chromium(["--dump-dom", probe.as_uri()], tmp_path / "p")
    finally:
        probe.unlink()
    assert console_lines(dom.stderr) == []
    table = dom.stdout.split('id="kept"', 1)[1].split("</table>", 1)[0]
    values = [float(v) for v in re.findall(r'<td class="num" data-v="([\d.]+)">\d\.\d\d<', table)]
    assert len(values) == len(records(dataset, "manifest.jsonl"))
    assert values == sorted(values, reverse=True) and values != sorted(values)
