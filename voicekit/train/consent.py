"""The consent notice shown before the first training run on a workspace, and its record.

The record (``train/consent.json``, in the ledger) holds the time and the SHA-256 of the notice
the user acknowledged, so a changed notice is asked for again.
"""

from __future__ import annotations

import hashlib
import json
import time

from voicekit.errors import InputError
from voicekit.workspace import Workspace

RECORD = "train/consent.json"
FLAG = "--i-have-consent"
NOTICE = (
    "voicekit train builds a model of a real person's voice. Use it only with that person's "
    "permission and only for the purpose they agreed to; audio made with it is marked as "
    "synthetic speech."
)


def notice_hash() -> str:
    return hashlib.sha256(NOTICE.encode("utf-8")).hexdigest()


def acknowledged(ws: Workspace) -> bool:
    """True when this workspace holds an acknowledgement of the current notice."""
    path = ws.path(RECORD)
    if not path.is_file():
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("notice_sha256") == notice_hash()


def record(ws: Workspace, how: str) -> None:
    """Write the acknowledgement (``how``: "prompt" or the flag) into the workspace."""
    path = ws.record(RECORD, "log")
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "acknowledged": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "notice_sha256": notice_hash(),
        "notice": NOTICE,
        "how": how,
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def require(ws: Workspace) -> None:
    """Raise unless the workspace's consent acknowledgement is recorded.

    Raises:
        InputError: no acknowledgement of the current notice (one line, naming the flag).
    """
    if not acknowledged(ws):
        raise InputError(
            f"training a voice needs the speaker's consent: confirm it when asked, or pass {FLAG}"
        )
