"""Composing the Hydra config from command-line style overrides, with every failure as one line.

:func:`precheck` composes and validates a run's overrides as Hydra will, before Hydra creates
a run directory; :func:`precheck_sweep` does so for every value of every swept key;
:func:`variant_config` sets one more key on a composed config (break-even, sensitivity), :func:`values_config`
several at once (a replication's parameter draw).
A bad value prints one line (key, value, what is allowed) and exits with status 2
(:func:`fail`), with no traceback and no output folder that looks like a result.

The configs live in ``configs/`` at the repository root in a checkout and in ``sim/configs``
inside an installed package (the wheel carries them); :data:`CONFIG_DIR` is whichever exists.
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.compose import build_experiment
from sim.config.errors import error_line, hydra_error_message, omegaconf_error_message
from sim.config.lint import config_file_problem, loose_boolean, non_ascii_key
from sim.config.paths import CONFIG_DIR
from sim.config.schema import register_configs
from sim.config.validate import ConfigError, UnknownKeyError

EXIT_BAD_INPUT = 2


def compose_experiment(experiment: str | None, overrides: Sequence[str] = ()) -> DictConfig:
    """The composed config for ``experiment=<name>`` plus ``overrides``; Hydra's own errors propagate."""
    register_configs()
    args = ([f"experiment={experiment}"] if experiment else []) + list(overrides)
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(config_name="config", overrides=args)


def fail(message: str) -> NoReturn:
    """Print one error line (a line break in what the user typed is shown as \\n) and exit non-zero."""
    print("error: " + message.replace("\n", "\\n"), file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


def _lint(overrides: list[str]) -> None:
    """What Hydra would misread or report unclearly, as one line: odd characters in keys, loose booleans, config
    files that are not plain UTF-8 YAML."""
    for override in overrides:
        problem = non_ascii_key(override) or loose_boolean(override)
        if problem is not None:
            fail(problem)
    problem = config_file_problem(overrides)
    if problem is not None:
        fail(problem)


def _compose(overrides: list[str], *, with_hydra: bool = False) -> DictConfig:
    _lint(overrides)
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        try:
            return compose(config_name="config", overrides=overrides, return_hydra_config=with_hydra)
        except Exception as exc:  # noqa: BLE001 - every composition failure becomes one line
            fail(hydra_error_message(exc, overrides, _group_options))


def _group_options(group: str) -> list[str]:
    """The options of config group ``group`` (none if it is no group), while Hydra is initialised."""
    from hydra.core.global_hydra import GlobalHydra

    return GlobalHydra.instance().config_loader().get_group_options(group)


def _build(cfg: DictConfig, overrides: list[str]) -> None:
    try:
        build_experiment(cfg)
    except ConfigError as exc:
        values = [o for o in overrides if not _is_group(cfg, o.lstrip("+~").partition("=")[0])]  # not options
        fail(error_line(exc, values, below=isinstance(exc, UnknownKeyError)))


def precheck(overrides: list[str]) -> DictConfig:
    """Compose and validate the config as Hydra will, failing with one line on bad input."""
    cfg = _compose(overrides, with_hydra=True)
    _build(cfg, overrides)
    return cfg


def output_dir(cfg: DictConfig, key: str) -> Path:
    """The folder a run (``hydra.run.dir``) or a sweep (``hydra.sweep.dir``) will write into, checked before Hydra
    creates it: one line when it cannot be resolved, sits on or below a file, is read-only or is a system folder."""
    try:
        text = str(OmegaConf.select(cfg, key, throw_on_missing=True))
    except OmegaConfBaseException as exc:
        fail(f"{key}: cannot be resolved ({_first_line(str(exc))}); set it, e.g. {key}=outputs/my_run")
    path = Path(text).expanduser().absolute()
    if any(path.is_relative_to(system) for system in (Path("/proc"), Path("/sys"), Path("/dev"))):
        fail(f"{key}={text}: a system folder; choose a folder of your own, e.g. {key}=outputs/my_run")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        what = "is a file" if existing == path else f"is below a file ({existing})"
        fail(f"{key}={text}: {what}; choose a folder, e.g. {key}=outputs/my_run")
    if not os.access(existing, os.W_OK | os.X_OK):
        fail(f"{key}={text}: cannot write in {existing} (read-only or no permission); choose another folder")
    return path


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


# --------------------------------------------------------------------------- multiruns


def _sweep_values(override: Any) -> list[str]:
    """The values of a sweep override as strings: every choice or range value, an interval's two ends."""
    from hydra.core.override_parser.types import IntervalSweep

    value = override.value()
    if isinstance(value, IntervalSweep):
        return [repr(value.start), repr(value.end)]
    try:
        return list(override.sweep_string_iterator())
    except Exception:  # noqa: BLE001 - glob sweeps and the like are left to Hydra
        return []


def _parse(overrides: list[str]) -> list[Any]:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        return OverridesParser.create().parse_overrides(overrides)
    except Exception as exc:  # noqa: BLE001
        fail(hydra_error_message(exc, overrides, lambda group: []))
        raise


def _is_group(cfg: DictConfig, key: str) -> bool:
    return "/" in key or key in cfg.hydra.runtime.choices


def variant_config(
    cfg: DictConfig, overrides: list[str], key: str, value: str, *, add: bool = False, index: int | None = None
) -> DictConfig:
    """``cfg`` (composed from ``overrides``) with ``key=value`` set, validated; one error line on bad input.

    ``index`` names the override that ``key=value`` replaces (None: it is appended). Only a
    config group (``offer=none``) is composed again; a value is set on a copy of ``cfg``.
    """
    single = f"{'+' if add else ''}{key}={value}"
    changed = list(overrides)
    if index is None:
        changed.append(single)
    else:
        changed[index] = single
    if _is_group(cfg, key):
        variant = _compose(changed, with_hydra=True)
    else:
        parsed = _parse([single])[0].value()
        variant = copy.deepcopy(cfg)
        try:
            OmegaConf.update(variant, key, parsed, merge=True, force_add=add)
        except OmegaConfBaseException as exc:
            name, shown, allowed = omegaconf_error_message(exc)
            fail(error_line(ConfigError(name or key, shown, allowed), [single], below=True))
    _build(variant, changed)
    return variant


def values_config(cfg: DictConfig, overrides: list[str], settings: Mapping[str, str]) -> DictConfig:
    """``cfg`` (composed from ``overrides``) with every ``key=value`` of ``settings`` set in turn on one copy and
    validated once at the end, not after each key (a config group among them is composed again, as in
    :func:`variant_config`); one error line on bad input, naming the key."""
    changed = list(overrides)
    variant = copy.deepcopy(cfg)
    for key, value in settings.items():
        if _is_group(cfg, key):
            variant = variant_config(variant, changed, key, value)
        else:
            single = f"{key}={value}"
            try:
                OmegaConf.update(variant, key, _parse([single])[0].value(), merge=True)
            except OmegaConfBaseException as exc:
                name, shown, allowed = omegaconf_error_message(exc)
                fail(error_line(ConfigError(name or key, shown, allowed), [single], below=True))
        changed.append(f"{key}={value}")
    _build(variant, changed)
    return variant


def precheck_sweep(overrides: list[str]) -> DictConfig:
    """Validate every value of every swept key (one at a time, the others at their first value).

    Keys swept by the sweeper's params (``hydra.sweeper.params``, as in ``hparams_search=optuna``)
    are checked the same way, on top of the first point. Returns the composed first point.
    """
    parsed = _parse(overrides)
    first: list[str] = []
    sweeps: list[tuple[int | None, Any]] = []
    for i, override in enumerate(parsed):
        values = _sweep_values(override) if override.is_sweep_override() else []
        if values:
            prefix = "+" if override.is_add() else ""
            first.append(f"{prefix}{override.key_or_group}={values[0]}")
            sweeps.append((i, override))
        else:
            first.append(overrides[i])
    cfg = precheck(first)
    params = cfg.hydra.sweeper.get("params") or {}
    for key, expression in params.items():
        sweeps.append((None, _parse([f"{key}={expression}"])[0]))
    for index, override in sweeps:
        values = _sweep_values(override) if override.is_sweep_override() else [str(override.value())]
        for value in values[1:] if index is not None else values:
            variant_config(cfg, first, override.key_or_group, value, add=override.is_add(), index=index)
    return cfg
