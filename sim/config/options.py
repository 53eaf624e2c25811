"""A strategy that switches a group's kind inline gets that kind's own settings, as choosing the option would.

``hook: {type: physical}`` written in an experiment file (or on the command line) must cost the
same as ``hook=physical``: the option sets ``shipping_cost_cny: 4`` and the inline form used to
leave it at 0. For the groups whose options are named after a discriminating field
(:data:`KINDS`: ``hook.type``, ``offer.name``, ``card.design``), when a strategy sets that field to
another kind than the base strategy's, every setting that differs between the two kinds' option
files is taken from the new kind's file, unless the strategy sets it itself or the base's value
was changed from its own option's (a command-line ``hook.shipping_cost_cny=6`` stays). Settings the
options share (``hook.value_cny: 5`` in every hook file) keep the base's value, so
``hook.value_cny=10`` on the command line still applies to every strategy.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import yaml

from sim.config.paths import CONFIG_DIR
from sim.config.strategy import CardConfig, HookConfig, OfferConfig

KINDS: dict[str, tuple[str, type]] = {
    "hook": ("type", HookConfig),
    "offer": ("name", OfferConfig),
    "card": ("design", CardConfig),
}


@functools.lru_cache(maxsize=64)
def _option_file(group: str, name: str) -> dict[str, Any]:
    """The settings an option file sets, following its ``defaults`` within the group (schema entries skipped)."""
    path = CONFIG_DIR / group / f"{name}.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, Any] = {}
    for parent in data.pop("defaults", []) or []:
        if isinstance(parent, str) and not parent.endswith("_schema"):
            out.update(_option_file(group, parent))
    out.update(data)
    return out


def _plain(value: Any) -> Any:
    """A dataclass default or enum as plain YAML data, for comparison with an option file's values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return getattr(value, "value", value)


def option_settings(group: str, name: str) -> dict[str, Any]:
    """Every setting of option ``name`` of ``group``: the schema's defaults overlaid with the option file's."""
    _, schema = KINDS[group]
    return _plain(schema()) | _option_file(group, name)


def with_kind_settings(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` (one strategy's settings) completed with the settings of every kind it switches to."""
    out = dict(override)
    for group, (field, _) in KINDS.items():
        given = out.get(group)
        if not isinstance(given, dict) or field not in given:
            continue
        old_kind, new_kind = str(_plain(base[group][field])), str(_plain(given[field]))
        if new_kind == old_kind:
            continue
        old, new = option_settings(group, old_kind), option_settings(group, new_kind)
        filled = dict(given)
        for key, value in new.items():
            untouched = _plain(base[group].get(key)) == old.get(key)
            if key not in given and untouched and value != old.get(key):
                filled[key] = value
        out[group] = filled
    return out
