"""One-line messages for configuration errors raised by Hydra and OmegaConf.

Hydra reports a bad override or a missing option in several lines with a hint about
stack traces; a planner needs one line naming the key, the value and what is allowed.
These functions find the underlying error and say it that way.
"""

from __future__ import annotations

import dataclasses
import typing
from enum import Enum
from typing import Any

from omegaconf.errors import (
    ConfigAttributeError,
    ConfigKeyError,
    MissingMandatoryValue,
    OmegaConfBaseException,
    ValidationError,
)

from sim.config import Config


def _schema_at(path: list[str], root: type = Config) -> Any:
    """The dataclass (or type) found by following ``path`` from ``root``; None if unknown."""
    node: Any = root
    for part in path:
        if not (isinstance(node, type) and dataclasses.is_dataclass(node)):
            return None
        hints = typing.get_type_hints(node)
        if part not in hints:
            return None
        node = hints[part]
    return node


def allowed_text(schema: Any) -> str:
    """What values a field of this type accepts, for messages."""
    if isinstance(schema, type) and dataclasses.is_dataclass(schema):
        return "allowed keys: " + ", ".join(f.name for f in dataclasses.fields(schema))
    if isinstance(schema, type) and issubclass(schema, Enum):
        return "allowed: " + ", ".join(e.value for e in schema)
    if schema is bool:
        return "must be true or false"
    if schema is int:
        return "must be an integer"
    if schema is float:
        return "must be a number"
    if schema is str:
        return "must be a string"
    return "see the schema in sim/config.py"


def omegaconf_error_message(exc: OmegaConfBaseException, prefix: str, root: type) -> tuple[str, Any, str]:
    """(key, value, allowed) for an OmegaConf error raised while typing the node at ``prefix``."""
    full_key = str(getattr(exc, "full_key", "") or "")
    key = f"{prefix}.{full_key}" if prefix and full_key else (prefix or full_key)
    parts = full_key.split(".") if full_key else []
    if isinstance(exc, (ConfigKeyError, ConfigAttributeError)):
        parent = _schema_at(parts[:-1], root)
        return key, getattr(exc, "value", None) or "<given>", "unknown key; " + allowed_text(parent)
    if isinstance(exc, MissingMandatoryValue):
        return key, "???", "a value is required"
    if isinstance(exc, ValidationError):
        field_type = _schema_at(parts, root)
        value = getattr(exc, "value", None)
        shown = value if value is not None else _first_line(str(exc))
        return key, shown, allowed_text(field_type)
    return key, "<given>", _first_line(str(exc))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "invalid"


def hydra_error_message(exc: BaseException, overrides: list[str]) -> str:
    """One line for an exception raised while Hydra composed the config from ``overrides``."""
    from hydra.errors import MissingConfigException, OverrideParseException

    if isinstance(exc, MissingConfigException):
        group, _, option = (exc.missing_cfg_file or "").partition("/")
        options = ", ".join(sorted(o for o in (exc.options or []) if not o.endswith("_schema")))
        if options:
            return f"{group}={option}: unknown option; allowed options: {options}"
        return f"{exc.missing_cfg_file}: no such config group or option"
    if isinstance(exc, OverrideParseException):
        return f"{_bad_override(str(exc), overrides)}: malformed override; write key=value, e.g. hook.value_cny=10"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, OmegaConfBaseException):
            key, value, allowed = omegaconf_error_message(cause, "", Config)
            given = _given_value(key, overrides)
            if key.startswith("experiment.strategies.") and isinstance(cause, (ConfigKeyError, ConfigAttributeError)):
                return strategy_override_hint(key, given)
            return f"{key}={given if given is not None else value}: {allowed}"
        cause = cause.__cause__ or cause.__context__
    return _first_line(str(exc))


def strategy_override_hint(key: str, given: str | None) -> str:
    """A strategy's overrides hold only what differs from the base: adding a setting needs '+'."""
    base_key = key.split(".", 3)[-1]
    return (
        f"{key}={given}: not among this strategy's overrides; write +{key}={given} to add it, "
        f"or {base_key}={given} to set it for every strategy"
    )


def given_value(key: str, overrides: list[str]) -> str | None:
    """The value typed for ``key`` on the command line, if it was."""
    return _given_value(key, overrides)


def _given_value(key: str, overrides: list[str]) -> str | None:
    for o in overrides:
        k, _, v = o.lstrip("+~").partition("=")
        if k == key:
            return v
    return None


def _bad_override(text: str, overrides: list[str]) -> str:
    for o in overrides:
        if o in text:
            return o
    return overrides[-1] if overrides else "override"
