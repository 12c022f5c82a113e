"""CUDA 12 cuBLAS for faster-whisper on the GPU.

CTranslate2 4.x (faster-whisper's engine) is built for CUDA 12 and opens `libcublas.so.12` at
its first matrix product; torch's CUDA 13 build ships only `libcublas.so.13`. The
`nvidia-cublas-cu12` wheel provides the library, in a folder the loader does not search, so
voicekit loads it from there by full path before the model runs: a library already loaded
under that name satisfies CTranslate2's later lookup, and no LD_LIBRARY_PATH is needed.
"""

from __future__ import annotations

import ctypes
import importlib.util
from pathlib import Path

from voicekit.errors import DependencyError

CUBLAS = "libcublas.so.12"
FIX = ("pip install nvidia-cublas-cu12 (voicekit loads it from there), or link CUDA 13's "
       "libcublas.so.13 and libcublasLt.so.13 as .so.12 in a folder on LD_LIBRARY_PATH "
       "(README, Hardware)")


def wheel_candidates() -> list[Path]:
    """`libcublas.so.12` inside installed `nvidia-cublas-cu12` packages (may not exist)."""
    spec = importlib.util.find_spec("nvidia")
    if spec is None or spec.submodule_search_locations is None:
        return []
    return [Path(root) / "cublas" / "lib" / CUBLAS for root in spec.submodule_search_locations]


def load_cublas12() -> str:
    """Make `libcublas.so.12` loadable for CTranslate2; returns where it came from.

    Raises:
        DependencyError: neither the system nor an `nvidia-cublas-cu12` wheel has it.
    """
    try:
        ctypes.CDLL(CUBLAS, mode=ctypes.RTLD_GLOBAL)
        return "system library path"
    except OSError:
        pass  # not on the loader's path: look in the wheel next
    for path in wheel_candidates():
        if path.is_file():
            # libcublasLt.so.12 sits beside it and is found through the library's $ORIGIN
            ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
            return str(path)
    raise DependencyError(
        "faster-whisper on the GPU needs CUDA 12's cuBLAS (libcublas.so.12); this machine has "
        "none (torch's CUDA 13 build does not ship it)", FIX)
