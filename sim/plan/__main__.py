"""``python -m sim.plan COMMAND ...``: one planning question per subcommand.

Each subcommand is a module of :mod:`sim.plan` with ``main(argv) -> int``; its arguments and
config overrides follow the subcommand's name (``python -m sim.plan risk experiment=hook_cash_vs_coupon``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from sim.config.cli import EXIT_BAD_INPUT

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "risk": ("sim.plan.risk", "chance a plan loses money or misses a target, and its downside case"),
    "budget": ("sim.plan.budget", "the lever mix that earns the most for a budget, under a churn ceiling"),
    "staffing": ("sim.plan.staffing", "least-cost agents and WeCom accounts under loss and delay targets"),
    "abtest": ("sim.plan.abtest", "sample size, days, budget MDE and holdout of the real A/B test"),
    "breakeven": ("sim.plan.breakeven", "the lever value at which a metric crosses a target"),
    "sensitivity": ("sim.plan.sensitivity", "each assumption at its low and high value (tornado)"),
    "sweep": ("sim.plan.sweep", "summarise a Hydra multirun over a grid of levers"),
}


def usage() -> str:
    width = max(map(len, SUBCOMMANDS))
    lines = [f"  {name:<{width}}  {about}" for name, (_, about) in SUBCOMMANDS.items()]
    return "usage: python -m sim.plan COMMAND [arguments] [config overrides]\n\ncommands:\n" + "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(usage())
        return 0 if args else EXIT_BAD_INPUT
    name, rest = args[0], args[1:]
    if name not in SUBCOMMANDS:
        print(f"error: command {name!r}: allowed: {', '.join(SUBCOMMANDS)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    module = importlib.import_module(SUBCOMMANDS[name][0])
    result: int = module.main(rest)
    return result


if __name__ == "__main__":
    sys.exit(main())
