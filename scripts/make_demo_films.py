r"""Build demo films with ground truth.

    python scripts/make_demo_films.py OUT_DIR [--seed N]
        three short TTS films (offline voices, synthesized music), any machine
    python scripts/make_demo_films.py OUT_DIR --real DATA_ROOT [--lang en|zh] [--scenes N] \
        [--seed N]
        N scenes of 2-4 minutes from real recordings (e.g. ../shared/data)

Each film gets `<film>.truth.json` next to it; see voicekit/demo/assemble.py for the schema.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from voicekit.errors import VoicekitError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--real", type=Path, metavar="DATA_ROOT", help="build from real recordings")
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--scenes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        if args.real is None:
            from voicekit.demo.scenes import build_tts_set

            truths = build_tts_set(args.out_dir, seed=args.seed)
        else:
            from voicekit.demo.real import build_real_set

            truths = build_real_set(
                args.out_dir, args.real, lang=args.lang, n_scenes=args.scenes, seed=args.seed
            )
    except VoicekitError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    for truth in truths:
        film = json.loads(truth.read_text(encoding="utf-8"))["film"]
        print(f"{truth.parent / film}  truth: {truth.name}")
    print(f"{len(truths)} films in {args.out_dir} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
