"""Where the config files are: ``configs/`` at the repository root in a checkout, ``sim/configs`` in a wheel."""

from __future__ import annotations

from pathlib import Path


def _config_dir() -> Path:
    installed = Path(__file__).resolve().parents[1] / "configs"  # sim/configs, in an installed wheel
    return installed if installed.is_dir() else Path(__file__).resolve().parents[2] / "configs"


CONFIG_DIR = _config_dir()
