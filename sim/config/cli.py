"""Argument parsing for the commands besides ``python -m sim``: a bad argument is one line, like every bad input.

argparse prints a usage block and the error on two or more lines; :class:`ArgumentParser` prints only
``error: ...`` and exits with status 2. ``--help`` is unchanged.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

EXIT_BAD_INPUT = 2


class ArgumentParser(argparse.ArgumentParser):
    """argparse with one-line errors (``error: MESSAGE``, exit 2)."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {message}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
