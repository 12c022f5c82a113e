"""Speed of ``voicekit speak``: real-time factor of the tiny and the full-size VITS, side by side.

Builds each architecture from random weights (as ``voicekit train`` would before its first
step; an untrained model's durations are short, but the cost per second of audio is the
architecture's), writes it as a run folder, and narrates a mixed Mandarin/English script with
it: without the quality gate, then with the gate checking every sentence once (Whisper base
from the wheel, a threshold nothing exceeds, so no re-takes). Every run starts with an empty
sentence cache. Prints one table; RTF = wall seconds / seconds of narration (lower is faster).

    python benchmarks/speak.py [--sizes tiny full] [--sentences 12] [--asr base] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from voicekit.speak.config import GateConfig
from voicekit.speak.narrate import speak
from voicekit.train.config import TrainConfig
from voicekit.workspace import Workspace

RATE = 22050
LINES = (
    "The harbour was quiet before the storm, and the boats lay still.",
    "今天的风很大，渔船都回到了港口。",
    "Nobody in the village had seen a sky like that since 1987.",
    "老人说，这样的云他只见过一次。",
    "At 6:30 the first wave reached the pier.",
    "我们用 GPT-4 写了这段旁白，然后用自己的声音读出来。",
)


def build_model(size: str, folder: Path) -> Path:
    """A run folder holding a randomly initialised VITS of ``size`` and its config.json."""
    import torch

    from voicekit.train.model import vits, vits_config

    conf = TrainConfig(size="tiny" if size == "tiny" else "full")
    config = vits_config(conf, sample_rate=RATE, output=str(folder), gpu=False, has_val=False,
                         batch=conf.batch_size or 1)  # fmt: skip
    torch.manual_seed(0)
    model = vits(config)
    folder.mkdir(parents=True, exist_ok=True)
    config.save_json(str(folder / "config.json"))
    torch.save({"model": model.state_dict()}, folder / "checkpoint_0.pth")
    return folder


def narrate(ws: Workspace, script: Path, model: Path, gate: GateConfig) -> dict[str, Any]:
    shutil.rmtree(ws.path("speak"), ignore_errors=True)  # time synthesis, not the cache
    started = time.monotonic()
    result = speak(ws, script, model=model, seed=0, gate=gate)
    wall = time.monotonic() - started
    return {"wall_s": round(wall, 2), "audio_s": round(result.duration, 2),
            "rtf": round(wall / result.duration, 3), "sentences": len(result.sentences),
            "checked": result.checked}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["tiny", "full"], choices=["tiny", "full"])
    parser.add_argument("--sentences", type=int, default=12, help="script sentences")
    parser.add_argument("--asr", default="base", help="Whisper model of the gate run")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="voicekit-speak-bench-") as tmp:
        root = Path(tmp)
        ws = Workspace(root / "ws")
        script = root / "script.txt"
        lines = [LINES[i % len(LINES)] for i in range(args.sentences)]
        script.write_text("\n".join(lines) + "\n", encoding="utf-8")
        for size in args.sizes:
            model = build_model(size, root / f"model-{size}")
            for label, gate in (
                ("no gate", GateConfig(asr=None)),
                (f"gate ({args.asr})", GateConfig(asr=args.asr, max_error=1e9)),
            ):
                row = {"model": size, "run": label, **narrate(ws, script, model, gate)}
                rows.append(row)
                print(f"{size:5} {label:14} {row['wall_s']:7.2f} s wall  {row['audio_s']:7.2f} s "
                      f"audio  RTF {row['rtf']:.3f}  ({row['sentences']} sentences, "
                      f"{row['checked']} checked)", flush=True)  # fmt: skip
            shutil.rmtree(model)
    meta = {"date": date.today().isoformat(), "machine": platform.machine(),
            "python": platform.python_version()}  # fmt: skip
    if args.out is not None:
        args.out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
