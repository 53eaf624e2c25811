"""Command line: ``python -m sim experiment=hook_cash_vs_coupon [key=value ...]``.

A thin Hydra entry point. The overrides are composed and validated once before Hydra
creates a run directory, so a bad value prints one line (key, value, what is allowed)
and exits with status 2, with no traceback and no output folder that looks like a result.
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra import compose, initialize_config_dir
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.compose import build_experiment
from sim.config import register_configs
from sim.errors import given_value, hydra_error_message
from sim.validate import ConfigError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
EXIT_BAD_INPUT, EXIT_INTERRUPTED = 2, 130


def fail(message: str) -> None:
    """Print one error line and exit non-zero."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


def precheck(overrides: list[str]) -> None:
    """Compose and validate the config as Hydra will, failing with one line on bad input."""
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = compose(config_name="config", overrides=overrides)
    except Exception as exc:  # noqa: BLE001 - every composition failure becomes one line
        fail(hydra_error_message(exc, overrides))
    try:
        build_experiment(cfg)
    except ConfigError as exc:
        typed = given_value(exc.key, overrides)
        fail(f"{exc.key}={typed}: {exc.allowed}" if typed is not None else str(exc))


@hydra.main(version_base="1.3", config_path="../configs", config_name="config")
def hydra_entry(cfg: DictConfig) -> float | None:
    """Run the configured experiment into Hydra's run directory."""
    from sim.runner import run_and_report

    try:
        experiment = build_experiment(cfg)
    except ConfigError as exc:
        fail(str(exc))
        return None
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    return run_and_report(experiment, out_dir, OmegaConf.to_yaml(cfg, resolve=True))


def main() -> None:
    register_configs()
    args = sys.argv[1:]
    hydra_flags = [a for a in args if a.startswith("-")]
    if not hydra_flags:  # a plain run; multiruns and --help/--cfg go to Hydra as they are
        precheck(args)
    try:
        hydra_entry()
    except KeyboardInterrupt:
        print("interrupted: the run stopped and wrote no summary", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
