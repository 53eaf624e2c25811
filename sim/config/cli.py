"""Argument parsing for the commands besides ``python -m sim``: a bad argument is one line, like every bad input.

argparse prints a usage block and the error on two or more lines; :class:`ArgumentParser` prints only
``error: ...`` and exits with status 2. ``--help`` is unchanged.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

EXIT_BAD_INPUT = 2


class ArgumentParser(argparse.ArgumentParser):
    """argparse with one-line errors (``error: MESSAGE``, exit 2)."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {message}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)

    def parse_with_overrides(self, argv: Sequence[str] | None = None) -> tuple[argparse.Namespace, list[str]]:
        """The command's own arguments, and the rest as config overrides (``key=value``); anything else is an
        error line."""
        args, overrides = self.parse_known_args(argv)
        bad = [o for o in overrides if o.startswith("-") or "=" not in o]
        if bad:
            self.error(f"unrecognised argument {bad[0]!r}; config overrides are written key=value")
        return args, overrides
