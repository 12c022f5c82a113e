"""The pyannote.audio 4 diarization backend (`diarize.backend: pyannote`), offline only.

The pipeline is found on this machine: `diarize.pyannote.path`, else a folder path given as
`diarize.pyannote.pipeline`, else `<models home>/<short name>/`, else the Hugging Face cache
(never the network: hub look-ups are switched to offline mode while it loads). It is fed the
16 kHz waveform in memory, so ffmpeg's libraries are not needed.

pyannote returns two annotations: `speaker_diarization` (speakers may overlap) and
`exclusive_speaker_diarization` (one speaker at a time). voicekit keeps both: where two or more
speakers are active the region is an overlap span (the exclusive speaker recorded with it); the
rest of the exclusive diarization gives the turns. Each turn gets a GE2E embedding, the same
encoder identify uses for the enrolment clips, so identify works unchanged.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from voicekit.errors import ModelNotFoundError
from voicekit.hashing import file_sha256, key
from voicekit.stages.diarize.turns import Span

if TYPE_CHECKING:
    from voicekit.config import Config
    from voicekit.stages.diarize.config import PyannoteConfig
    from voicekit.stages.diarize.embed import Encoder
    from voicekit.stages.diarize.embedded import Diarization

log = logging.getLogger("voicekit")

RATE = 16000
CONFIG_FILE = "config.yaml"
# voicekit's short names (the models-home folder and `voicekit models fetch` name)
SHORT_NAMES = {"pyannote/speaker-diarization-community-1": "pyannote-community-1"}
MIN_PIECE_S = 0.01  # pieces shorter than this come from float rounding between the annotations


@dataclass(frozen=True)
class OverlapSpan(Span):
    """An overlap span that also records the speaker the exclusive diarization keeps there."""

    exclusive: int = -1


def short_name(pipeline: str) -> str:
    """voicekit's name for a hub pipeline ("pyannote/speaker-diarization-community-1" ->
    "pyannote-community-1"; others: the part after the slash)."""
    return SHORT_NAMES.get(pipeline, pipeline.rsplit("/", 1)[-1])


def _is_path(text: str) -> bool:
    """True when `pipeline` names a local folder or file rather than a hub repository."""
    return (text.startswith((".", "~", "/")) or text.endswith((".yaml", ".yml"))
            or Path(text).expanduser().exists())


def _local(path: Path) -> Path | None:
    """The pipeline's config.yaml inside `path` (a folder or the file itself), if present."""
    if path.is_dir():
        path = path / CONFIG_FILE
    return path if path.is_file() else None


def _hub_cache(repo: str) -> Path | None:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        folder = Path(snapshot_download(repo, local_files_only=True))
    except LocalEntryNotFoundError:
        return None
    return _local(folder)


def find_pipeline(cfg: PyannoteConfig, config: Config | None) -> Path:
    """The config.yaml of the configured pipeline, found without the network.

    Raises:
        ModelNotFoundError: nothing found; names where voicekit looked and how to get it.
    """
    from voicekit.models import store

    explicit = cfg.path or (cfg.pipeline if _is_path(cfg.pipeline) else "")
    if explicit:
        folder = Path(explicit).expanduser()
        found = _local(folder)
        if found is None:
            raise ModelNotFoundError(
                explicit, [str(folder)],
                f"give a pyannote pipeline folder holding {CONFIG_FILE} (or the file itself)")
        return found
    name = short_name(cfg.pipeline)
    home = store.home(config) / name
    found = _local(home) or _hub_cache(cfg.pipeline)
    if found is not None:
        return found
    from huggingface_hub import constants

    raise ModelNotFoundError(
        cfg.pipeline,
        [str(home), f"Hugging Face cache {constants.HF_HUB_CACHE} ({cfg.pipeline})"],
        f"on a machine with internet, accept the model's terms at "
        f"https://huggingface.co/{cfg.pipeline}, set HF_TOKEN and run "
        f"`voicekit models fetch {name}`; or copy the pipeline folder here and set "
        f"diarize.pyannote.path to it",
    )


_SHA: dict[tuple[str, int, int], str] = {}


def pipeline_fingerprint(cfg: PyannoteConfig, config: Config | None) -> dict[str, str]:
    """Pipeline name and a checksum over every file of its folder (each file hashed once per
    process): other weights or other hyper-parameters invalidate the cache."""
    config_yaml = find_pipeline(cfg, config)
    folder = config_yaml.parent
    sums = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".cache" not in p.parts):
        stat = path.stat()  # follows the hub cache's symlinks to the blobs
        memo = (str(path), stat.st_size, stat.st_mtime_ns)
        if memo not in _SHA:
            _SHA[memo] = file_sha256(path)
        sums.append((path.relative_to(folder).as_posix(), _SHA[memo]))
    return {"pipeline": cfg.pipeline, "sha256": key(sums)}


@contextlib.contextmanager
def _hub_offline() -> Iterator[None]:
    """Hub look-ups made while the pipeline loads read the cache only (a local config may name
    hub models for its parts); huggingface_hub reads this flag on every request."""
    from huggingface_hub import constants

    saved = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = saved


def import_pyannote() -> Any:
    """`pyannote.audio` with its telemetry off (voicekit sends nothing anywhere)."""
    os.environ["PYANNOTE_METRICS_ENABLED"] = "0"  # read when pyannote is first imported
    import pyannote.audio

    return pyannote.audio


def load_pipeline(config_yaml: Path, cfg: PyannoteConfig, device: str) -> Any:
    """The pyannote pipeline from a local config.yaml, on `device`.

    Raises:
        ModelNotFoundError: a part the config names is not on this machine.
    """
    import torch
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    audio = import_pyannote()
    try:
        with _hub_offline():
            pipeline = audio.Pipeline.from_pretrained(config_yaml)
    except (HfHubHTTPError, LocalEntryNotFoundError, FileNotFoundError) as err:
        raise ModelNotFoundError(
            str(config_yaml.parent), [str(config_yaml.parent)],
            f"a part of this pipeline is missing ({type(err).__name__}: {err}); copy the "
            f"complete pipeline folder",
        ) from err
    if pipeline is None:
        raise ModelNotFoundError(str(config_yaml.parent), [str(config_yaml)],
                                 "the pipeline could not be loaded; copy the complete folder")
    pipeline.segmentation_batch_size = cfg.segmentation_batch
    pipeline.embedding_batch_size = cfg.embedding_batch
    return pipeline.to(torch.device(device))


class _Sweep:
    """Which (start, end, speaker) tracks cover a time, for times asked in increasing order."""

    def __init__(self, tracks: list[tuple[float, float, int]]) -> None:
        self.tracks = tracks  # sorted by start
        self.next = 0
        self.open: list[tuple[float, float, int]] = []

    def at(self, t: float) -> list[int]:
        while self.next < len(self.tracks) and self.tracks[self.next][0] <= t:
            self.open.append(self.tracks[self.next])
            self.next += 1
        self.open = [track for track in self.open if track[1] > t]
        return [speaker for _, _, speaker in self.open]


def build_spans(full: Any, exclusive: Any, duration: float = float("inf")) -> list[Span]:
    """Turns and overlaps from pyannote's two annotations, in time order, within `duration`.

    Speakers are numbered in `full.labels()` order. A stretch where two or more speakers are
    active in `full` is an overlap (`OverlapSpan`, with the speaker `exclusive` keeps there);
    elsewhere the `exclusive` speaker (else the one active speaker) has a turn. pyannote's last
    window is padded, so its output can run past the end of the audio: that part is cut.
    """
    index = {label: i for i, label in enumerate(full.labels())}
    tracks = sorted((seg.start, seg.end, index[label])
                    for seg, _, label in full.itertracks(True))
    only = sorted((seg.start, seg.end, index.get(label, -1))
                  for seg, _, label in exclusive.itertracks(True))
    cuts = sorted({min(max(t, 0.0), duration) for a, b, _ in tracks + only for t in (a, b)})
    live = _Sweep(tracks)
    live_only = _Sweep(only)
    pieces: list[tuple[float, float, int, tuple[int, ...], int]] = []
    for a, b in itertools.pairwise(cuts):
        if b - a < MIN_PIECE_S:
            continue
        mid = (a + b) / 2
        active = tuple(sorted(set(live.at(mid))))
        kept = next((s for s in live_only.at(mid) if s >= 0), -1)
        if len(active) >= 2:
            piece = (a, b, -1, active, kept)
        elif kept >= 0 or active:
            piece = (a, b, kept if kept >= 0 else active[0], (), -1)
        else:
            continue
        last = pieces[-1] if pieces else None
        if last is not None and last[2:] == piece[2:] and a - last[1] < MIN_PIECE_S:
            pieces[-1] = (last[0], b, *piece[2:])
        else:
            pieces.append(piece)
    return [
        OverlapSpan(a, b, -1, active, kept) if speaker < 0 else Span(a, b, speaker)
        for a, b, speaker, active, kept in pieces
    ]


def _regions(spans: list[Span]) -> list[tuple[float, float]]:
    """Speech regions: touching spans joined."""
    regions: list[tuple[float, float]] = []
    for span in spans:
        if regions and span.start - regions[-1][1] < MIN_PIECE_S:
            regions[-1] = (regions[-1][0], span.end)
        else:
            regions.append((span.start, span.end))
    return regions


class PyannoteDiarizer:
    """A loaded pyannote pipeline plus the GE2E encoder for per-turn embeddings."""

    def __init__(self, cfg: PyannoteConfig, config: Config | None, device: str) -> None:
        self.cfg = cfg
        self.pipeline = load_pipeline(find_pipeline(cfg, config), cfg, device)

    def diarize(self, wav: np.ndarray, encoder: Encoder) -> Diarization:
        """Diarize a 16 kHz mono signal (float32)."""
        import torch

        from voicekit.stages.diarize.embedded import Diarization

        bounds = {}
        if self.cfg.min_speakers > 0:
            bounds["min_speakers"] = self.cfg.min_speakers
        if self.cfg.max_speakers > 0:
            bounds["max_speakers"] = self.cfg.max_speakers
        waveform = torch.from_numpy(np.ascontiguousarray(wav, dtype=np.float32))[None]
        output = self.pipeline({"waveform": waveform, "sample_rate": RATE}, **bounds)
        spans = build_spans(output.speaker_diarization, output.exclusive_speaker_diarization,
                            len(wav) / RATE)
        rows = [encoder.utterance(wav[int(s.start * RATE) : int(s.end * RATE)])
                for s in spans if s.speaker >= 0]
        embeddings = np.stack(rows) if rows else np.zeros((0, 256), np.float32)
        return Diarization(spans, embeddings, _regions(spans))

    def free(self) -> None:
        """Drop the pipeline and release cached GPU memory."""
        import torch

        del self.pipeline
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
