"""Typed configuration: frozen dataclasses per stage, strict YAML loading, `--set` overrides.

Each stage owns its config dataclass (next to its code); `Config` assembles them. Unknown keys
are errors that name the valid ones. Fields whose metadata says `output=False` (devices,
workers) do not change results and are left out of cache fingerprints.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, TypeVar

from voicekit.errors import ConfigError
from voicekit.knob import knob
from voicekit.speak.config import SpeakConfig
from voicekit.stages.diarize.config import DiarizeConfig
from voicekit.stages.export.config import ExportConfig
from voicekit.stages.filters.config import FiltersConfig
from voicekit.stages.identify import IdentifyConfig
from voicekit.stages.ingest import IngestConfig
from voicekit.stages.segment import SegmentConfig
from voicekit.stages.separate.config import SeparateConfig
from voicekit.stages.transcribe.config import TranscribeConfig
from voicekit.train.config import TrainConfig

T = TypeVar("T")

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
HEADER = (
    "# voicekit default configuration: the offline embedded CPU backends.\n"
    "# Generated from the config dataclasses by scripts/write_default_config.py; every knob is\n"
    "# documented above it. Override with --config FILE or --set stage.key=value.\n"
)


def _coerce(value: Any, kind: Any, where: str) -> Any:
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if is_dataclass(kind) and isinstance(kind, type):
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        return build(kind, value, where)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, where)
            except ConfigError as err:
                errors.append(str(err))
        raise ConfigError(errors[0] if errors else f"{where}: bad value {value!r}")
    if origin is typing.Literal:
        if value not in args:
            raise ConfigError(f"{where}={value!r}: expected one of {', '.join(map(repr, args))}")
        return value
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        inner = args[0] if args else Any
        items = [_coerce(v, inner, f"{where}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        return dict(value)
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        return value
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected text, got {value!r}")
        return value
    return value


def build(cls: type[T], data: dict[str, Any], where: str = "") -> T:
    """Build dataclass `cls` from a mapping, strictly; missing keys keep their defaults."""
    hints = typing.get_type_hints(cls)
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    unknown = [k for k in data if k not in names]
    if unknown:
        key = f"{where}.{unknown[0]}" if where else unknown[0]
        raise ConfigError(f"unknown config key '{key}'", f"valid keys here: {', '.join(names)}")
    values = {k: _coerce(v, hints[k], f"{where}.{k}" if where else k) for k, v in data.items()}
    return cls(**values)


def to_dict(obj: Any) -> Any:
    """Plain nested dict of a config dataclass."""
    return dataclasses.asdict(obj)


def fingerprint(obj: Any) -> dict[str, Any]:
    """The output-affecting part of a config dataclass, as a plain nested dict."""
    out: dict[str, Any] = {}
    for f in fields(obj):
        if not f.metadata.get("output", True):
            continue
        value = getattr(obj, f.name)
        out[f.name] = fingerprint(value) if is_dataclass(value) else value
    return out


def parse_override(text: str) -> tuple[list[str], Any]:
    """`a.b=c` -> (["a", "b"], value), the value parsed as YAML (so 3, 0.5, true, [1,2] work)."""
    import yaml

    if "=" not in text:
        raise ConfigError(f"--set {text!r}: expected key=value", "e.g. --set segment.max_s=12")
    key, raw = text.split("=", 1)
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as err:
        raise ConfigError(f"--set {text!r}: cannot parse value: {err}") from err
    return key.strip().split("."), value


def merge(base: dict[str, Any], path: list[str], value: Any) -> None:
    node = base
    for part in path[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"--set {'.'.join(path)}: '{part}' is not a section")
    node[path[-1]] = value


def deep_update(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_update(base[key], value)
        else:
            base[key] = value
    return base


def read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ConfigError(f"config file not found: {path}") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def load(path: Path | None = None, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """Defaults <- YAML file (default: configs/default.yaml when present) <- `--set` overrides."""
    data: dict[str, Any] = {}
    source = path if path is not None else CONFIG_DIR / "default.yaml"
    if path is not None or source.exists():
        data = read_yaml(source)
    for text in overrides:
        keys, value = parse_override(text)
        merge(data, keys, value)
    return build(Config, data)


@dataclass(frozen=True)
class ModelsConfig:
    dir: str | None = knob(
        None, "extra directory searched for model weights (also VOICEKIT_MODELS)", output=False
    )


@dataclass(frozen=True)
class Config:
    """The whole configuration: the pipeline stages, models, `voicekit train` and `voicekit
    speak` (see configs/default.yaml for every knob)."""

    ingest: IngestConfig = field(default_factory=IngestConfig)
    separate: SeparateConfig = field(default_factory=SeparateConfig)
    diarize: DiarizeConfig = field(default_factory=DiarizeConfig)
    identify: IdentifyConfig = field(default_factory=IdentifyConfig)
    transcribe: TranscribeConfig = field(default_factory=TranscribeConfig)
    segment: SegmentConfig = field(default_factory=SegmentConfig)
    filters: FiltersConfig = field(default_factory=FiltersConfig)
    export: ExportConfig = field(default_factory=ExportConfig)
    models: ModelsConfig = field(default_factory=ModelsConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    speak: SpeakConfig = field(default_factory=SpeakConfig)


def render_yaml(obj: Any, indent: int = 0) -> str:
    """A config dataclass as commented YAML (each knob's doc above it): configs/default.yaml."""
    import yaml

    lines: list[str] = []
    pad = "  " * indent
    for f in fields(obj):
        value = getattr(obj, f.name)
        doc = f.metadata.get("doc")
        if is_dataclass(value):
            if doc:
                lines.append(f"{pad}# {doc}")
            lines.append(f"{pad}{f.name}:")
            lines.append(render_yaml(value, indent + 1).rstrip("\n"))
            continue
        if doc:
            lines.append(f"{pad}# {doc}")
        dumped = yaml.safe_dump(
            {f.name: value}, default_flow_style=True, allow_unicode=True, width=1000
        ).strip()
        if dumped.startswith("{") and dumped.endswith("}"):
            dumped = dumped[1:-1]
        lines.append(f"{pad}{dumped}")
    return "\n".join(lines) + "\n"
