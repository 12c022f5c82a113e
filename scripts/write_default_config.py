"""Regenerate configs/default.yaml from the config dataclasses (their defaults and docs)."""

from voicekit import config

if __name__ == "__main__":
    path = config.CONFIG_DIR / "default.yaml"
    path.write_text(config.HEADER + config.render_yaml(config.Config()), encoding="utf-8")
    print(f"wrote {path}")
