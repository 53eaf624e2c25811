"""One-line messages for configuration errors raised by Hydra, OmegaConf and YAML.

Hydra reports a bad override or a missing option in several lines with a hint about
stack traces; a planner needs one line naming the key, the value and what is allowed.
These functions find the underlying error and say it that way.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from omegaconf.errors import (
    ConfigAttributeError,
    ConfigKeyError,
    MissingMandatoryValue,
    OmegaConfBaseException,
    ValidationError,
)

from sim.config import (
    GROUP_SCHEMAS,
    CardConfig,
    CardDesign,
    ContentType,
    ExperimentConfig,
    HookType,
    MarketplaceConfig,
    PeakConfig,
    PlatformConfig,
    PopulationConfig,
    Segment,
    SegmentTouchConfig,
    TouchConfig,
    TouchResponseConfig,
)
from sim.config.validate import ConfigError

ROOT: Mapping[str, Any] = GROUP_SCHEMAS  # the composed config: one schema per config group
MALFORMED = "malformed override; write key=value, e.g. hook.value_cny=10"
STRATEGIES_SYNTAX = (
    "strategies are given one setting at a time: +experiment.strategies.NAME.KEY=VALUE, e.g. "
    "python -m sim experiment=compare +experiment.strategies.gift.hook.type=physical "
    "+experiment.strategies.gift.hook.value_cny=8 +experiment.strategies.cash.hook.value_cny=5 experiment.baseline=cash"
)
SCALAR_TEXT = {
    bool: "must be true or false",
    int: "must be an integer",
    float: "must be a number",
    str: "must be a string",
}


def _field_names(schema: type) -> str:
    return ", ".join(f.name for f in dataclasses.fields(schema))


def _keys_text(names: type[Enum]) -> str:
    return "allowed keys: " + ", ".join(e.value for e in names)


# What a field allows when its type does not say: mappings keyed by an enum's values (as sim.config.validate
# checks them), the list of peaks and the strategies of an experiment.
FIELD_TEXT: dict[tuple[type, str], str] = {
    (CardConfig, "design_multiplier"): _keys_text(CardDesign),
    (CardConfig, "hook_response"): _keys_text(HookType),
    (TouchConfig, "mix"): _keys_text(ContentType),
    (TouchConfig, "cost_per_touch_cny"): _keys_text(ContentType),
    (TouchConfig, "segments"): _keys_text(Segment),
    (SegmentTouchConfig, "mix"): "set a segment's mix as a whole, e.g. mix={educational: 0.5, emotional: 0.5}; "
    + _keys_text(ContentType),
    (TouchResponseConfig, "lift"): _keys_text(ContentType),
    (TouchResponseConfig, "delete_risk"): _keys_text(ContentType),
    (PopulationConfig, "peaks"): "must be a list of peaks, each a mapping with keys " + _field_names(PeakConfig),
    (ExperimentConfig, "strategies"): "must map strategy names to their overrides, e.g. {cash: {hook: {type: cash}}}",
    (PlatformConfig, "buyer_share"): "must map platform names (keys of platform.economics, by default "
    + ", ".join(PlatformConfig().economics)
    + ") to buyer shares summing to 1",
    (PlatformConfig, "economics"): "must map platform names to their economics, each a mapping with keys "
    + _field_names(MarketplaceConfig),
}


def _required(hint: Any) -> Any:
    """``hint`` without ``| None``."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return args[0] if len(args) == 1 else Any
    return hint


def _is_record(schema: Any) -> bool:
    return isinstance(schema, type) and dataclasses.is_dataclass(schema)


def field_type(schema: Any, name: str) -> Any:
    """The type of ``name`` inside a value of type ``schema`` (a field, a mapping's value, a list's item).

    ``Any`` below an untyped value; None if ``schema`` has no such key.
    """
    schema = _required(schema)
    if schema is Any:
        return Any
    if isinstance(schema, Mapping):
        return schema.get(name)
    if _is_record(schema):
        return typing.get_type_hints(schema).get(name)
    origin, args = typing.get_origin(schema), typing.get_args(schema)
    if origin is dict:
        return args[1]
    if origin is list and name.isdigit():
        return args[0]
    return None


def container_kind(schema: Any) -> type | None:
    """``dict`` if values of type ``schema`` are mappings, ``list`` if lists, None otherwise (scalars, untyped)."""
    schema = _required(schema)
    if isinstance(schema, Mapping) or _is_record(schema) or typing.get_origin(schema) is dict:
        return dict
    return list if typing.get_origin(schema) is list else None


def _key_parts(key: str) -> list[str]:
    """``population.peaks[0].name`` as ``["population", "peaks", "0", "name"]``."""
    return [p for p in re.split(r"[.\[\]]", key) if p]


def _schema_at(parts: list[str], root: Any) -> Any:
    """The type found by following ``parts`` from ``root``; None if unknown."""
    node = root
    for part in parts:
        node = field_type(node, part)
        if node is None:
            return None
    return node


def allowed_text(schema: Any) -> str:
    """What values a field of this type accepts, for messages."""
    schema = _required(schema)
    if isinstance(schema, Mapping):
        return "allowed keys: " + ", ".join(schema)
    if _is_record(schema):
        return "allowed keys: " + _field_names(schema)
    if isinstance(schema, type) and issubclass(schema, Enum):
        return "allowed: " + ", ".join(e.value for e in schema)
    if schema in SCALAR_TEXT:
        return SCALAR_TEXT[schema]
    origin = typing.get_origin(schema)
    if origin is dict:
        return "must be a mapping of names to values"
    if origin is list:
        return "must be a list"
    return "see the schema in sim/config/"


def _allowed_at(parts: list[str], root: Any) -> str:
    """What the key at ``parts`` below ``root`` allows."""
    if not parts:
        return allowed_text(root)
    parent = _schema_at(parts[:-1], root)
    special = FIELD_TEXT.get((parent, parts[-1])) if isinstance(parent, type) else None
    return special or allowed_text(field_type(parent, parts[-1]))


def omegaconf_error_message(exc: OmegaConfBaseException, prefix: str = "", root: Any = ROOT) -> tuple[str, Any, str]:
    """(key, value or None if unknown, allowed) for an OmegaConf error raised on the node at ``prefix``."""
    full_key = str(exc.full_key or "")
    key = ".".join(k for k in (prefix, full_key) if k)
    parts = _key_parts(full_key)
    if isinstance(exc, (ConfigKeyError, ConfigAttributeError)):
        return key, exc.value, "unknown key; " + _allowed_at(parts[:-1], root)
    if isinstance(exc, MissingMandatoryValue):
        return key, "???", "a value is required"
    if isinstance(exc, ValidationError):
        return key, exc.value, _allowed_at(parts, root)
    return key, exc.value, _first_line(str(exc))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "invalid"


def _cause(exc: BaseException | None, kind: type | tuple[type, ...]) -> Any:
    """The first exception of type ``kind`` in ``exc``'s chain of causes; None if there is none."""
    while exc is not None:
        if isinstance(exc, kind):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def hydra_error_message(exc: BaseException, overrides: list[str], group_options: Callable[[str], list[str]]) -> str:
    """One line for an exception raised while Hydra composed the config from ``overrides``.

    ``group_options`` lists a config group's options (none for a key that is not a group).
    """
    from hydra.errors import MissingConfigException, OverrideParseException

    if isinstance(exc, MissingConfigException):
        group, _, option = (exc.missing_cfg_file or "").partition("/")
        options = _options_text(list(exc.options or []))
        if options:
            return f"{group}={option}: unknown option; {options}"
        return f"{exc.missing_cfg_file}: no such config group or option"
    if isinstance(exc, OverrideParseException):
        return f"{_bad_override(str(exc), overrides)}: {MALFORMED}"
    whole = next(
        (o for o in overrides if o.split("=", 1)[0] in ("experiment.strategies", "~experiment.strategies")), None
    )
    if whole is not None:
        return f"{whole.split('=', 1)[0]}: {STRATEGIES_SYNTAX}"
    problem = _override_problem(overrides, group_options)
    if problem is not None:
        return problem
    if (bad_yaml := _cause(exc, yaml.MarkedYAMLError)) is not None:
        return _yaml_message(bad_yaml, overrides)
    if (cause := _cause(exc, OmegaConfBaseException)) is not None:
        return _omegaconf_line(cause, overrides)
    return _first_line(str(exc))


def list_item_error(
    exc: OmegaConfBaseException, data: Any, schema: Any = ROOT, prefix: str = ""
) -> tuple[str, Any, str] | None:
    """(key, value, allowed) for an error OmegaConf raised inside an item of a list of settings (an SMS wave, a
    campaign), whose key it gives relative to the item; the item is found in ``data`` (plain containers of type
    ``schema`` below ``prefix``) by the bad value. None if the error is not in such an item."""
    parts = _key_parts(str(exc.full_key or ""))
    if not parts:
        return None
    unknown = isinstance(exc, (ConfigKeyError, ConfigAttributeError))
    found = _find_in_items(data, schema, prefix, parts, exc.value, unknown)
    if found is None:
        return None
    where, value, item = found
    if unknown:
        return where, value, "unknown key; " + allowed_text(_schema_at(parts[:-1], item))
    return where, value, _allowed_at(parts, item)


def _find_in_items(
    data: Any, schema: Any, path: str, parts: list[str], value: Any, unknown: bool
) -> tuple[str, Any, Any] | None:
    if isinstance(data, dict):
        for k, v in data.items():
            found = _find_in_items(v, field_type(schema, str(k)), _key(path, k), parts, value, unknown)
            if found is not None:
                return found
    elif isinstance(data, list) and _is_record(field_type(schema, "0")):
        item_schema = field_type(schema, "0")
        for i, item in enumerate(data):
            node: Any = item
            for part in parts:
                node = node.get(part, _ABSENT) if isinstance(node, dict) else _ABSENT
            if node is not _ABSENT and (unknown or str(node) == str(value)):
                return f"{path}[{i}].{'.'.join(parts)}", node, item_schema
    return None


def _key(prefix: str, name: Any) -> str:
    return f"{prefix}.{name}" if prefix else str(name)


_ABSENT = object()


def _list_item_line(exc: OmegaConfBaseException, overrides: list[str]) -> str | None:
    """The line for an error inside an item of a list set whole on the command line (``sms.waves=[{...}]``)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    for override in overrides:
        key, _, text = override.lstrip("+").partition("=")
        if not text.lstrip().startswith("["):
            continue
        try:  # Hydra's grammar, as the run read it: {name:a} is a mapping there, a string key in YAML
            items = OverridesParser.create().parse_override(override).value()
        except OverrideParseException:
            continue
        parts = _key_parts(key)
        data: Any = items
        for part in reversed(parts):
            data = {part: data}
        found = list_item_error(exc, data)
        if found is not None:
            where, value, allowed = found
            return f"{where}={value}: {allowed}"
    return None


def _omegaconf_line(exc: OmegaConfBaseException, overrides: list[str]) -> str:
    """One line for an OmegaConf error raised while Hydra applied ``overrides``."""
    in_item = _list_item_line(exc, overrides)
    if in_item is not None:
        return in_item
    key, value, allowed = omegaconf_error_message(exc)
    unknown = isinstance(exc, (ConfigKeyError, ConfigAttributeError))
    typed = _typed_override(key, overrides, below=unknown)
    in_experiment = key.startswith("experiment.") and _schema_at(_key_parts(key), ROOT) is not None
    if unknown and typed is not None and in_experiment:  # untyped until compose: a missing key needs +
        return _add_hint(*typed)
    return error_line(ConfigError(key, value, allowed), overrides, below=unknown)


def _options_text(options: list[str]) -> str:
    """``allowed options: ...`` without the schemas registered in the same group; "" if there are none."""
    names = sorted(o for o in options if not o.endswith("_schema"))
    return "allowed options: " + ", ".join(names) if names else ""


def _override_problem(overrides: list[str], group_options: Callable[[str], list[str]]) -> str | None:
    """The line for an override Hydra rejects without naming it; None if every override is well formed.

    That is an override without a key (``=3``), several values in a single run (``hook.value_cny=1,2``
    without ``-m``) and a config group set to something other than an option's name (``hook=null``).
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    for text, override in zip(overrides, OverridesParser.create().parse_overrides(overrides), strict=True):
        key, value = override.key_or_group, text.partition("=")[2]
        if not key:
            return f"{text}: {MALFORMED}"
        if override.is_sweep_override():
            return f"{key}={value}: one value expected; sweep over several with -m (--multirun), or write [{value}]"
        options = _options_text(group_options(key))
        if options and not override.is_delete() and not isinstance(override.value(), (str, list, dict)):
            return f"{key}={value}: unknown option; {options}"
    return None


def _yaml_message(exc: yaml.MarkedYAMLError, overrides: list[str]) -> str:
    """One line for a config file that is not valid YAML, naming the override that chose it."""
    mark = exc.problem_mark
    path = Path(mark.name) if mark is not None else Path("config")
    typed = _typed_override(path.parent.name, overrides)
    chosen = f"{typed[0]}={typed[1]}" if typed is not None and typed[1] == path.stem else str(path)
    where = f"line {mark.line + 1}, column {mark.column + 1} of {path}" if mark is not None else str(path)
    return f"{chosen}: not valid YAML ({exc.problem}) at {where}"


def _add_hint(key: str, given: str) -> str:
    """An experiment key its file does not set (a strategy's overrides hold only what differs from the base)."""
    if not key.startswith("experiment.strategies."):
        return f"{key}={given}: not set by the experiment file; write +{key}={given} to add it"
    if key.count(".") == 2:  # a whole strategy
        return f"{key}={given}: no such strategy in the experiment file; write +{key}={given} to add it"
    base_key = key.split(".", 3)[-1]
    return (
        f"{key}={given}: not among this strategy's overrides; write +{key}={given} to add it, "
        f"or {base_key}={given} to set it for every strategy"
    )


def _typed_override(key: str, overrides: list[str], *, below: bool = False) -> tuple[str, str] | None:
    """(key, value) of the override typed for ``key`` (``below``: or for a key under it); None if none was."""
    dotted = re.sub(r"\[(\d+)\]", r".\1", key)
    for override in overrides:
        typed, _, value = override.lstrip("+~").partition("=")
        if typed == dotted or (below and typed.startswith(dotted + ".")):
            return typed, value
    return None


def error_line(error: ConfigError, overrides: list[str], *, below: bool = False) -> str:
    """``KEY=VALUE: ALLOWED`` for ``error``, with the key and value as typed if an override set them.

    ``below``: the error is about the key itself (unknown), so an override of a key under it is its value too.
    """
    typed = _typed_override(error.key, overrides, below=below)
    return str(error) if typed is None else f"{typed[0]}={typed[1]}: {error.allowed}"


def _bad_override(text: str, overrides: list[str]) -> str:
    for o in overrides:
        if o in text:
            return o
    return overrides[-1] if overrides else "override"
