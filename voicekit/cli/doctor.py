"""`voicekit doctor`: what this machine has for voicekit, and the exact fix for what is missing."""

from __future__ import annotations

import importlib.util
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import typer

from voicekit.cli.common import console, errors_to_exit, setup_logging
from voicekit.models.doctor import Check

PACKAGES = (
    ("numpy", "numpy", "core"),
    ("soundfile", "soundfile", "core"),
    ("torch", "torch", "embedded + gpu backends"),
    ("silero_vad", "silero-vad", "embedded diarize (VAD)"),
    ("resemblyzer", "resemblyzer", "embedded diarize/identify (speaker encoder)"),
    ("sklearn", "scikit-learn", "embedded diarize (clustering)"),
    ("noisereduce", "noisereduce", "embedded separate"),
    ("faster_whisper", "faster-whisper", "transcribe"),
    ("demucs", "demucs", "gpu separate"),
    ("pyannote.audio", "pyannote.audio", "gpu diarize"),
    ("matplotlib", "matplotlib", "report plots"),
    ("TTS", "coqui-tts", "train, speak"),
)


def _version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False)
    except OSError:
        return ""
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else ""


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def system_checks() -> list[Check]:
    checks = [
        Check(
            "python",
            sys.version_info >= (3, 11),
            platform.python_version(),
            "voicekit needs Python 3.11 or newer",
        )
    ]
    for tool in ("ffmpeg", "ffprobe"):
        path = shutil.which(tool)
        checks.append(
            Check(
                tool,
                path is not None,
                _version([tool, "-version"]) if path else "missing",
                "sudo apt-get install ffmpeg",
            )
        )
    espeak = shutil.which("espeak-ng")
    checks.append(
        Check(
            "espeak-ng",
            espeak is not None,
            "present" if espeak else "missing (demo films, train)",
            "sudo apt-get install espeak-ng",
        )
    )
    for module, package, use in PACKAGES:
        present = _installed(module)
        checks.append(
            Check(
                f"{package}",
                present,
                f"{'installed' if present else 'missing'} ({use})",
                f"pip install {package}  (or `make install`)",
            )
        )
    return checks


def torch_checks() -> list[Check]:
    if not _installed("torch"):
        return []
    import torch

    cuda = torch.cuda.is_available()
    if not cuda:
        return [
            Check("torch", True, f"{torch.__version__}, CUDA build {torch.version.cuda or 'none'}"),
            Check(
                "gpu",
                False,
                "no CUDA GPU visible: the embedded CPU backends will be used",
                "GPU backends need an NVIDIA GPU with driver >= 580 (see README, Hardware)",
            ),
        ]
    name = torch.cuda.get_device_name(0)
    free, total = torch.cuda.mem_get_info(0)
    return [
        Check("torch", True, f"{torch.__version__}, CUDA {torch.version.cuda}"),
        Check("gpu", True, f"{name}, {free / 2**30:.1f} of {total / 2**30:.1f} GiB free"),
        cublas_check(),
    ]


def cublas_check() -> Check:
    """faster-whisper on the GPU needs CUDA 12's cuBLAS beside torch's CUDA 13."""
    from voicekit.errors import DependencyError
    from voicekit.stages.transcribe.cuda import load_cublas12

    name = "faster-whisper on GPU"
    try:
        return Check(name, True, f"libcublas.so.12 from {load_cublas12()}")
    except DependencyError as err:
        return Check(name, False, err.message + "; Whisper runs on the CPU", err.fix or "")


def workspace_check(root: Path) -> Check:
    target = root if root.exists() else root.absolute().parent
    usage = shutil.disk_usage(target)
    return Check(
        "workspace", True, f"{root.absolute()} ({usage.free / 2**30:.0f} GiB free on its disk)"
    )


def doctor(
    workspace: Path | None = typer.Option(None, "--workspace", help="Workspace folder to check."),
    config: Path | None = typer.Option(None, "--config", help="Config YAML."),
) -> None:
    """Report Python, ffmpeg, torch/GPU, each backend's packages and model weights."""
    setup_logging()
    with errors_to_exit():
        from rich.table import Table

        from voicekit import config as cfg
        from voicekit.models import doctor_checks
        from voicekit.workspace import default_root

        conf = cfg.load(config)
        checks = system_checks() + torch_checks()
        checks += doctor_checks(conf)
        checks.append(workspace_check(workspace or default_root()))
        table = Table(show_edge=False, show_header=True)
        for column in ("", "check", "status", "fix"):
            table.add_column(column)
        for c in checks:
            table.add_row(
                "[green]ok[/]" if c.ok else "[red]--[/]", c.name, c.detail, "" if c.ok else c.fix
            )
        console().print(table)
