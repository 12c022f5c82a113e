"""`voicekit speak`: a narration script in the trained voice, with subtitles."""

from __future__ import annotations

from pathlib import Path

import typer

from voicekit.cli.common import console, errors_to_exit, setup_logging, workspace_option


def speak(
    script: Path = typer.Argument(..., help="UTF-8 script; blank line: paragraph; \\[pause 1.5s]."),
    workspace: Path | None = workspace_option(),
    model: Path | None = typer.Option(
        None, "--model", help="Checkpoint (.pth), run folder or XTTS-v2 folder (default: the "
        "newest trained model).",
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Write the audio (and .srt/.json/.synthetic.json beside it) here instead of "
        "<workspace>/speak/<name>/. Files outside the workspace are yours: they are not in "
        "the ledger and purge will not delete them.",
    ),
    seed: int | None = typer.Option(
        None, "--seed", help="Seed of every sentence (default: each sentence's last take)."
    ),
    only: int | None = typer.Option(
        None, "--only", help="Re-take only this script line (file line number); keep the rest."
    ),
    fmt: str | None = typer.Option(None, "--format", help="wav, flac or mp3 (via ffmpeg)."),
    encoding: str | None = typer.Option(
        None, "--encoding", help="Script encoding when not UTF-8, e.g. gbk or utf-16."
    ),
    lang: str = typer.Option("auto", "--lang", help="zh, en or auto (per sentence)."),
    speed: float = typer.Option(
        1.0, "--speed", help="Speaking rate, 0.5-2 (1.2: 20 % faster; pitch unchanged)."
    ),
    gate: bool = typer.Option(
        True,
        "--gate/--no-gate",
        help="Transcribe each sentence and re-take the ones the ASR mishears.",
    ),
    asr: str | None = typer.Option(
        None, "--asr", help="Whisper model of the quality gate (default speak.gate.asr: base)."
    ),
    max_error: float | None = typer.Option(
        None, "--max-error", help="Re-take sentences whose CER (zh) / WER (en) is above this "
        "(default speak.gate.max_error: 0.4)."
    ),
    retakes: int | None = typer.Option(
        None, "--retakes", help="Extra takes (other seeds) for a sentence that fails "
        "(default speak.gate.retakes: 2)."
    ),
    config: Path | None = typer.Option(
        None, "--config", help="Config YAML (default: configs/default.yaml; section speak)."
    ),
    set_: list[str] = typer.Option([], "--set", help="Override a config key: speak.x.y=value."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log details."),
) -> None:
    """Narrate a script in the trained voice: audio + .srt, marked as synthetic speech."""
    setup_logging(verbose)
    with errors_to_exit():
        from dataclasses import replace

        from rich.progress import Progress

        from voicekit import config as cfg
        from voicekit.speak.narrate import speak as narrate
        from voicekit.workspace import Workspace, default_root

        conf = cfg.load(config, list(set_)).speak
        gate_conf = replace(
            conf.gate,
            asr=None if not gate else asr or conf.gate.asr,
            max_error=conf.gate.max_error if max_error is None else max_error,
            retakes=conf.gate.retakes if retakes is None else retakes,
        )
        ws = Workspace(workspace or default_root(), create=False)
        with (
            ws.claimed("voicekit speak", "speak"),
            Progress(console=console(stderr=True), transient=True) as bar,
        ):
            task = bar.add_task("speak", total=None)

            def tick(done: int, total: int, cached: bool) -> None:
                bar.update(task, completed=done, total=total)

            result = narrate(
                ws, script, model=model, out=out, seed=seed, only=only, fmt=fmt,
                encoding=encoding, lang=lang, speed=speed, progress=tick,
                conf=conf.assembly, gate=gate_conf,
            )  # fmt: skip
        console().print(
            f"{len(result.sentences)} sentences ({result.synthesized} takes synthesised), "
            f"{result.duration:.1f} s\naudio:     {result.audio}\nsubtitles: {result.srt}\n"
            f"mark:      {result.sidecar}",
            soft_wrap=True,
        )
        if result.checked:
            console().print(
                f"quality gate: {result.checked} sentences checked, {len(result.failed)} still "
                f"over {gate_conf.max_error:g}"
                + "".join(f"\n  line {t.line}: {t.text}" for t in result.failed),
                soft_wrap=True,
            )
