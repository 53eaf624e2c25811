"""``python -m sim.report RUN_DIR [--lang en|zh]``: rebuild a run's figures and report from its files.

Reads the tables a run wrote (:func:`~sim.report.tables.load_run`) and publishes them again,
without re-simulating; a directory without ``summary.csv`` is not a finished run and is refused
with one line.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from sim.config.cli import ArgumentParser
from sim.report.i18n import resolve_lang
from sim.report.publish import publish
from sim.report.tables import load_run

EXIT_BAD_INPUT = 2


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.report RUN_DIR [--lang en|zh]``: rebuild a run's figures and report from its files."""
    import matplotlib

    matplotlib.use("Agg")
    parser = ArgumentParser(
        prog="python -m sim.report",
        description="Rebuild a run's figures, report.md and report.html from its files, without re-simulating.",
    )
    parser.add_argument("run_dir", type=Path, help="a run directory written by python -m sim")
    parser.add_argument("--lang", choices=["en", "zh"], default=None, help="language (default: the run's report.lang)")
    args = parser.parse_args(argv)
    try:
        run = load_run(args.run_dir, lang=args.lang)
        resolve_lang(run.lang)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    paths = publish(args.run_dir, run)
    print(f"wrote {len(paths)} files to {args.run_dir}: report.md, report.html and the figures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
