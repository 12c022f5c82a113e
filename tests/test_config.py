from __future__ import annotations

from pathlib import Path

import pytest

from voicekit import config
from voicekit.errors import ConfigError


def test_default_yaml_matches_dataclass_defaults() -> None:
    """configs/default.yaml is generated: run scripts/write_default_config.py after a change."""
    text = (config.CONFIG_DIR / "default.yaml").read_text(encoding="utf-8")
    assert text == config.HEADER + config.render_yaml(config.Config())
    assert config.load() == config.Config()


def test_unknown_key_names_valid_keys(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("segment:\n  max_seconds: 3\n")
    with pytest.raises(ConfigError) as err:
        config.load(bad)
    assert "segment.max_seconds" in err.value.message
    assert "max_s" in (err.value.fix or "")


def test_set_overrides_and_types() -> None:
    conf = config.load(None, ["segment.max_s=12", "ingest.sample_rate=16000"])
    assert conf.segment.max_s == 12.0
    assert conf.ingest.sample_rate == 16000
    with pytest.raises(ConfigError, match="expected an integer"):
        config.load(None, ["ingest.sample_rate=fast"])
    with pytest.raises(ConfigError, match="unknown config key 'nonsense'"):
        config.load(None, ["nonsense.key=1"])
    with pytest.raises(ConfigError, match="expected key=value"):
        config.load(None, ["segment.max_s"])


def test_fingerprint_leaves_out_non_output_knobs() -> None:
    base = config.load()
    other = config.load(None, ["ingest.block_s=5"])
    assert config.fingerprint(base.ingest) == config.fingerprint(other.ingest)
    changed = config.load(None, ["ingest.sample_rate=16000"])
    assert config.fingerprint(base.ingest) != config.fingerprint(changed.ingest)


def test_speak_section_loads_and_checks_the_gate():
    conf = config.load(None, ["speak.assembly.paragraph_pause=1.2", "speak.gate.asr=null"])
    assert conf.speak.assembly.paragraph_pause == 1.2 and conf.speak.gate.asr is None
    with pytest.raises(ConfigError, match="retakes"):
        config.load(None, ["speak.gate.retakes=-1"])


@pytest.mark.parametrize(
    ("override", "message"),
    [("train.batch_size=-1", "train.batch_size -1: must be 0 or more"),
     ("train.seed=-1", "train.seed -1: must be 0 or more"),
     ("train.seed=4294967296", "must be under 2**32"),
     ("train.keep_checkpoints=0", "train.keep_checkpoints 0: must be 1 or more"),
     ("train.eval_every=-3", "train.eval_every -3: must be 0 or more")],
)  # fmt: skip
def test_train_section_refuses_values_training_cannot_use(override: str, message: str) -> None:
    # these reached torch (an internal error once the model was built) or were taken silently
    with pytest.raises(ConfigError) as err:
        config.load(None, [override])
    assert message in err.value.message
    highest = config.load(None, ["train.seed=4294967295", "train.batch_size=0"])
    assert highest.train.seed == 2**32 - 1
