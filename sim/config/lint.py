"""Checks of the command line as typed, before Hydra composes it: characters, booleans, names and config files.

Hydra reports these either not at all (``channel.card=2`` is read as true) or in a way that does not
say what is wrong (a full-width letter in a key is "malformed", a config file saved with a byte-order
mark or in GBK fails with a decoding error naming no file). Each function returns the one line to
print, or None when the input is fine.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

from sim.config.errors import ROOT, field_type
from sim.config.paths import CONFIG_DIR

# letters that look like ASCII ones (Cyrillic, Greek) and are easy to type by accident on another keyboard layout
LOOKALIKES = {
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y",
    "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ο": "o", "α": "a", "ν": "v", "ρ": "p", "τ": "t",
}  # fmt: skip
BOOL_WORDS = ("true", "false")
NAME = re.compile(r"^[^\W][\w.-]{0,63}$")  # letters (any script), digits, _ . -; no spaces, slashes or controls


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, f"U+{ord(ch):04X}")
    ascii_form = unicodedata.normalize("NFKC", ch)
    suggestion = ascii_form if ascii_form.isascii() and ascii_form != ch else LOOKALIKES.get(ch.lower())
    what = f"'{ch}' ({name.lower()}, U+{ord(ch):04X})"
    return f"{what}; type the ASCII '{suggestion}' instead" if suggestion else f"{what}; type it in ASCII"


def non_ascii_key(override: str) -> str | None:
    """A key (the part before ``=``) with a character that is not plain ASCII, or a space or line break in it; or a
    number typed with full-width digits: which character, and what to type instead."""
    key, _, value = override.partition("=")
    bad = next((ch for ch in key if not ch.isascii() or not ch.isprintable() or ch.isspace()), None)
    if bad is not None and bad.isascii():
        return f"{key!r}: the key contains {bad!r}; keys have no spaces, tabs or line breaks"
    if bad is not None:
        return f"{key}: the key contains {_describe(bad)}"
    if _schema_type(key.lstrip("+~")) in (int, float):
        odd = next((ch for ch in value if not ch.isascii()), None)
        if odd is not None:
            return f"{key}={value}: the number contains {_describe(odd)}"
    return None


def _schema_type(key: str) -> object:
    schema: object = ROOT
    for part in key.split("."):
        if isinstance(schema, dict):
            schema = schema.get(part)
        else:
            schema = field_type(schema, part)
        if schema is None:
            return None
    return schema


def loose_boolean(override: str) -> str | None:
    """A true/false setting given something else (``channel.card=2``), which Hydra would quietly read as true."""
    key, _, value = override.lstrip("+").partition("=")
    if override.startswith("~") or not value or _schema_type(key) is not bool:
        return None
    if value.strip().lower() in BOOL_WORDS:
        return None
    return f"{key}={value}: must be true or false"


def bad_name(key: str, name: object) -> str | None:
    """Why ``name`` cannot name an experiment or a strategy (it names files, folders and table rows), or None."""
    text = str(name)
    if not text.strip():
        return "must not be blank"
    if ".." in text or not NAME.match(text):
        return "must be letters, digits, '_', '-' or '.' (at most 64, no spaces, slashes or '..'), e.g. cash_5"
    return None


def _config_dirs(overrides: list[str]) -> list[Path]:
    dirs = [CONFIG_DIR]
    for override in overrides:
        key, _, value = override.lstrip("+").partition("=")
        if key == "hydra.searchpath":
            dirs += [Path(p.strip().strip("'\"")[len("file://") :]) for p in value.strip("[]").split(",") if p]
    return dirs


def config_file_problem(overrides: list[str]) -> str | None:
    """A config file chosen on the command line (``experiment=NAME``) that is not plain UTF-8 YAML: a byte-order
    mark, another encoding, or a key given twice (YAML keeps the last silently)."""
    for override in overrides:
        group, _, option = override.lstrip("+").partition("=")
        if not option or "." in group or override.startswith("~"):
            continue
        for root in _config_dirs(overrides):
            path = root / group / f"{option}.yaml"
            if path.is_file():
                problem = _file_problem(path)
                if problem is not None:
                    return f"{group}={option}: {path}: {problem}"
                break
    return None


class _NoDuplicates(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                line = key_node.start_mark.line + 1
                raise ValueError(f"the key {key!r} is given twice (line {line}); keep one")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _file_problem(path: Path) -> str | None:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return "starts with a byte-order mark (BOM); save it as UTF-8 without BOM"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            raw.decode("gb18030")
            guess = " (it looks like GBK/GB18030)"
        except UnicodeDecodeError:
            guess = ""
        return f"not UTF-8{guess} at byte {exc.start}; save it as UTF-8"
    try:
        yaml.load(text, Loader=_NoDuplicates)  # noqa: S506 - a SafeLoader subclass
    except ValueError as exc:
        return str(exc)
    except yaml.YAMLError:
        return None  # Hydra reports malformed YAML with its line and column
    return None
