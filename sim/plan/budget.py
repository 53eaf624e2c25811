"""Budget split: the lever mix that earns the most incremental profit for a given spend, under a churn ceiling.

``python -m sim.plan budget experiment=hook_cash_vs_coupon [--budget-cny 400000] [--limit onboarding_staff=300000]``

*Spend* is the money the levers cost within the horizon (the ``horizon`` basis of ``costs.csv``):
every acquisition line (cards, SMS, hook payouts by type, referral rewards, onboarding staff) plus
first-order subsidies, touches (the touch team included) and membership discounts. Private order fulfilment (shipping,
payment fees, service) and the platform contribution lost are not spend: they follow the orders.
The default budget is the experiment's baseline strategy's mean spend, so the question is "what
would the same money earn, spent better?".

The search (Optuna's TPE sampler, seeded, one trial at a time) tries lever mixes (:func:`levers`:
hook type and value, touches per week by lifecycle segment, the new-member offer, referral on or
off, the routine SMS on or off, agents, and one dated SMS wave, :data:`WAVE_LEVERS`) as a strategy
``candidate``, each on the experiment's seed (common random
numbers, so trials differ only by their levers) at ``--search-replications`` replications and
``--search-share`` of the buyers (``population.sample_share``: totals scaled back, so the answer
does not change with the share). A trial scores its mean incremental net profit if its mean spend is
within the budget and every ``--limit`` and its mean monthly churn is at most the ceiling;
otherwise :data:`INFEASIBLE` minus its relative excess. The best feasible mix is then run against the
baseline on a fresh seed (``run.seed + 1``) at the experiment's own replications and share, and
the paired difference says whether it beats the baseline.

The profit-vs-budget curve is the best feasible trial found at or below each spend level (churn and
limits met), from the same trials; the marginal return of the next CNY 10,000 is read off it at the
budget. It is the frontier of what the search tried, so it rises in steps and is only as good as
the search.

**The SMS wave.** The wave levers describe at most one dated wave (``sms.waves`` of the candidate is set to it,
or emptied): its audience (``off``: no wave; ``base``: the existing customers, ``population.base``;
``new_buyers``; ``all``), its segment (``everyone``, or ``rfm``: bought within a year and at least twice, the
segment of ``configs/experiment/sms_recall_existing_base.yaml``), its send day (a day of the horizon, turned into
the wave's ``MM-DD`` from ``population.start_date``) and hour, and its hook (none, or a CNY 3 coupon, sample gift
with CNY 4 shipping, or cash packet, as in that experiment). Its messages are booked on the ``sms`` line and its
hooks on ``wave_hook``, so they count as spend like the routine SMS.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.config import Experiment
from sim.config.cli import EXIT_BAD_INPUT, ArgumentParser
from sim.model.ledger import ACQUISITION_LINES
from sim.run.compare import interval, paired_differences, summarise
from sim.run.experiment import run_replication_tables
from sim.run.metrics import as_in
from sim.run.objectives import DEFAULT_OBJECTIVE, metric_info
from sim.run.workers import map_in_workers

CANDIDATE = "candidate"
BEST = "best_mix"
CHURN = "monthly_churn"
INFEASIBLE = -1e12
STEP_CNY = 10_000.0  # the marginal return is that of the next CNY 10,000
RETENTION_SPEND_LINES: tuple[str, ...] = ("first_order_subsidy", "touches", "touch_team", "membership_discount")
SEGMENTS: tuple[str, ...] = ("new", "active", "at_risk", "high_value")
REPORT_METRICS: tuple[str, ...] = (DEFAULT_OBJECTIVE, "members_acquired", "cac", "incremental_ltv", CHURN)


@dataclass(frozen=True)
class Lever:
    """One searched setting: a choice among ``choices``, or a number in [low, high] (``integer``: whole)."""

    key: str
    choices: tuple[Any, ...] = ()
    low: float = 0.0
    high: float = 0.0
    integer: bool = False

    def suggest(self, trial: Any) -> Any:
        if self.choices:
            return trial.suggest_categorical(self.key, list(self.choices))
        if self.integer:
            return trial.suggest_int(self.key, int(self.low), int(self.high))
        return trial.suggest_float(self.key, self.low, self.high)


LEVERS: tuple[Lever, ...] = (
    Lever("hook.type", choices=("cash", "physical", "coupon", "virtual")),
    Lever("hook.value_cny", low=1.0, high=20.0),  # DOMAIN.md: CNY 3-20 typical
    *(Lever(f"touch.segments.{s}.touches_per_week", low=0.0, high=5.0) for s in SEGMENTS),
    Lever("offer.name", choices=("none", "new_member_coupon", "trial_9_9")),
    Lever("referral.enabled", choices=(True, False)),
    Lever("channel.sms", choices=(True, False)),
    Lever("onboarding.agents", low=1, high=8, integer=True),
)
WAVE = "sms.wave."  # the prefix of the wave levers: they become one entry of sms.waves, not settings of their own
WAVE_OFF = "off"
WAVE_NAME = "budget_wave"
WAVE_LEVERS: tuple[Lever, ...] = (
    Lever(f"{WAVE}audience", choices=(WAVE_OFF, "base", "new_buyers", "all")),
    Lever(f"{WAVE}segment", choices=("everyone", "rfm")),
    Lever(f"{WAVE}send_hour", low=8, high=22, integer=True),
    Lever(f"{WAVE}hook", choices=("none", "coupon", "physical", "cash")),
)
WAVE_RFM = {"max_recency_days": 365.0, "min_orders": 2}  # sms_recall_existing_base's segment
WAVE_HOOK_VALUE_CNY, WAVE_SHIPPING_CNY = 3.0, 4.0  # sms_recall_existing_base's coupon and sample gift


def levers(horizon_days: int) -> tuple[Lever, ...]:
    """Every searched lever: :data:`LEVERS`, the wave's (:data:`WAVE_LEVERS`) and its send day within the horizon."""
    return (*LEVERS, *WAVE_LEVERS, Lever(f"{WAVE}day", low=0, high=horizon_days - 1, integer=True))


def wave_settings(levers: dict[str, Any], start_date: str) -> list[dict[str, Any]]:
    """The wave levers as ``sms.waves``: one wave, or none when the audience is ``off``."""
    audience = levers[f"{WAVE}audience"]
    if audience == WAVE_OFF:
        return []
    when = dt.date.fromisoformat(start_date) + dt.timedelta(days=int(levers[f"{WAVE}day"]))
    month_day = "02-28" if (when.month, when.day) == (2, 29) else when.strftime("%m-%d")  # a date every year has
    hook_type = levers[f"{WAVE}hook"]
    hook: dict[str, Any] = {"type": hook_type}
    if hook_type != "none":
        hook["value_cny"] = WAVE_HOOK_VALUE_CNY
    if hook_type == "physical":
        hook["shipping_cost_cny"] = WAVE_SHIPPING_CNY
    wave: dict[str, Any] = {
        "name": WAVE_NAME,
        "date": month_day,
        "send_hour": float(levers[f"{WAVE}send_hour"]),
        "audience": audience,
        "hook": hook,
    }
    if levers[f"{WAVE}segment"] == "rfm":
        wave["rfm"] = dict(WAVE_RFM)
    return [wave]


def strategy_settings(levers: dict[str, Any], start_date: str) -> dict[str, Any]:
    """The levers as a strategy's nested settings: ``{"hook": {"type": "cash", ...}, "touch": {...}}``; the wave
    levers, when present, as ``{"sms": {"waves": [...]}}`` (:func:`wave_settings`)."""
    out: dict[str, Any] = {}
    for key, value in levers.items():
        if key.startswith(WAVE):
            continue
        node = out
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = float(value) if isinstance(value, float) else value
    if any(key.startswith(WAVE) for key in levers):
        out.setdefault("sms", {})["waves"] = wave_settings(levers, start_date)
    return out


def spend_lines(costs: pd.DataFrame) -> pd.DataFrame:
    """Spend by line (positive CNY) per strategy and replication: ``strategy, replication, line, spend_cny``."""
    horizon = costs[costs["basis"] == "horizon"]
    acquisition = horizon["line"].isin(ACQUISITION_LINES) | horizon["line"].str.startswith("hook_")
    keep = horizon[(horizon["section"] == "acquisition") | acquisition | horizon["line"].isin(RETENTION_SPEND_LINES)]
    out = keep[["strategy", "replication", "line"]].copy()
    out["spend_cny"] = -keep["amount_cny"].to_numpy(dtype=float)
    return out.reset_index(drop=True)


def total_spend(lines: pd.DataFrame) -> pd.DataFrame:
    """Total spend per strategy and replication, as rows of the metric ``spend_cny`` (tidy, like the metrics)."""
    total = lines.groupby(["strategy", "replication"], sort=False)["spend_cny"].sum().reset_index()
    return total.rename(columns={"spend_cny": "value"}).assign(metric="spend_cny")[
        ["strategy", "replication", "metric", "value"]
    ]


def _tables(experiment: Experiment, replication: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    tables = run_replication_tables(experiment, replication)
    return tables.replications, tables.costs


def evaluate(experiment: Experiment, n_jobs: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every replication of ``experiment``: (metric rows with ``spend_cny`` added, spend by line)."""
    jobs = [(experiment, r) for r in range(experiment.shared.run.n_replications)]
    parts = map_in_workers(_tables, jobs, n_jobs)
    reps = pd.concat([p[0] for p in parts], ignore_index=True).astype({"value": float})
    lines = spend_lines(pd.concat([p[1] for p in parts], ignore_index=True))
    return pd.concat([reps, total_spend(lines)], ignore_index=True), lines


@dataclass(frozen=True)
class Constraints:
    """What a feasible mix respects: total spend, spend per line, and the churn ceiling (means over replications)."""

    budget_cny: float
    limits_cny: dict[str, float]
    churn_ceiling: float | None

    def excess(self, spend_cny: float, line_spend_cny: dict[str, float], churn: float) -> float:
        """How far a mix is from feasible, as a sum of relative excesses (0: feasible)."""
        total = max(0.0, spend_cny - self.budget_cny) / max(self.budget_cny, 1.0)
        for line, limit in self.limits_cny.items():
            total += max(0.0, line_spend_cny.get(line, 0.0) - limit) / max(limit, 1.0)
        if self.churn_ceiling is not None:
            total += max(0.0, churn - self.churn_ceiling) / self.churn_ceiling if math.isfinite(churn) else 1.0
        return total


def trial_row(
    number: int, levers: dict[str, Any], reps: pd.DataFrame, lines: pd.DataFrame, constraints: Constraints
) -> dict[str, Any]:
    """One trial: its levers, objective with interval, churn, spend (total and by line), excess and score."""

    def values(metric: str) -> np.ndarray:
        return reps.loc[reps["metric"] == metric, "value"].to_numpy(dtype=float)

    mean, low, high, _ = interval(values(as_in(DEFAULT_OBJECTIVE, reps["metric"])))
    churn = interval(values(CHURN))[0]
    spend = interval(values("spend_cny"))[0]
    by_line = lines.groupby("line", sort=False)["spend_cny"].mean().to_dict()
    excess = constraints.excess(spend, by_line, churn)
    feasible = excess == 0.0 and math.isfinite(mean)
    return {
        "trial": number,
        **levers,
        "objective_mean": mean,
        "objective_ci_low": low,
        "objective_ci_high": high,
        "churn_mean": churn,
        "spend_cny": spend,
        **{f"spend.{line}": v for line, v in by_line.items()},
        "excess": excess,
        "feasible": feasible,
        "score": mean if feasible else INFEASIBLE - excess,
    }


def frontier(trials: pd.DataFrame, constraints: Constraints, n_points: int = 25) -> pd.DataFrame:
    """The best objective among trials that meet the churn ceiling and line limits, at or below each spend level."""
    free = Constraints(math.inf, constraints.limits_cny, constraints.churn_ceiling)
    ok = trials[
        [free.excess(row.spend_cny, _line_spend(row), row.churn_mean) == 0.0 for row in trials.itertuples(index=False)]
    ]
    ok = ok[np.isfinite(ok["objective_mean"].to_numpy(dtype=float)) & np.isfinite(ok["spend_cny"].to_numpy(float))]
    columns = ["budget_cny", "best_objective_mean", "trial", "spend_cny"]
    if ok.empty:
        return pd.DataFrame(columns=columns)
    levels = np.unique(np.concatenate([np.linspace(ok["spend_cny"].min(), ok["spend_cny"].max(), n_points)]))
    levels = np.unique(np.append(levels, [constraints.budget_cny, constraints.budget_cny + STEP_CNY]))
    rows = []
    for level in levels:
        within = ok[ok["spend_cny"] <= level]
        if within.empty:
            continue
        best = within.loc[within["objective_mean"].idxmax()]
        rows.append(
            {
                "budget_cny": float(level),
                "best_objective_mean": float(best["objective_mean"]),
                "trial": int(best["trial"]),
                "spend_cny": float(best["spend_cny"]),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _line_spend(row: Any) -> dict[str, float]:
    return {k.removeprefix("spend."): v for k, v in row._asdict().items() if k.startswith("spend.")}


def marginal_return(curve: pd.DataFrame, budget_cny: float) -> float:
    """The frontier's gain from ``budget_cny`` to ``budget_cny + STEP_CNY`` (NaN when the frontier has no point)."""
    if curve.empty:
        return float("nan")
    at = curve[curve["budget_cny"] <= budget_cny + 1e-9]
    above = curve[curve["budget_cny"] <= budget_cny + STEP_CNY + 1e-9]
    if at.empty:
        return float("nan")
    return float(above["best_objective_mean"].max() - at["best_objective_mean"].max())


def allocation_table(lines: pd.DataFrame, limits: dict[str, float]) -> pd.DataFrame:
    """Mean spend per line for each strategy (columns), the difference best minus baseline, and the line's limit."""
    table = lines.groupby(["line", "strategy"], sort=False)["spend_cny"].mean().unstack("strategy").fillna(0.0)
    table = table.reset_index()
    table["limit_cny"] = [limits.get(line, float("nan")) for line in table["line"]]
    return table


def parse_limit(text: str) -> tuple[str, float]:
    """``line=CNY`` (e.g. ``onboarding_staff=300000``); a ValueError says what is wrong."""
    line, sep, value = text.partition("=")
    allowed = (*ACQUISITION_LINES, *RETENTION_SPEND_LINES)
    if not sep:
        raise ValueError(f"--limit {text}: write line=CNY, e.g. onboarding_staff=300000")
    if line not in allowed and not line.startswith("hook_"):
        raise ValueError(f"--limit {text}: unknown line {line!r}; allowed: {', '.join(allowed)}, hook_<type>")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"--limit {text}: {value!r} is not a number") from None
    if not (math.isfinite(number) and number >= 0.0):
        raise ValueError(f"--limit {text}: must be a finite amount >= 0")
    return line, number


def best_mix_yaml(experiment: Experiment, levers: dict[str, Any], budget_cny: float) -> str:
    """The best mix as an experiment file (``# @package _global_``) against the experiment's baseline."""
    body = {
        "name": f"{experiment.name}_budget",
        "question": f"Does the budget mix beat {experiment.baseline} at a spend of at most CNY {budget_cny:,.0f}?",
        "baseline": experiment.baseline,
        "strategies": {BEST: strategy_settings(levers, experiment.shared.population.start_date)},
    }
    return (
        "# @package _global_\n# The lever mix found by python -m sim.plan budget.\n"
        "# It needs the baseline strategy too: add it under strategies (copy it from the experiment file).\n"
        + yaml.safe_dump({"experiment": body}, sort_keys=False, allow_unicode=True)
    )


def main(argv: Sequence[str] | None = None) -> int:
    from sim.plan.budget_run import run_budget

    parser = ArgumentParser(
        prog="python -m sim.plan budget",
        description="The lever mix that earns the most incremental net profit for a budget, under a churn ceiling, "
        "confirmed against the experiment's baseline on a fresh seed. Other arguments are config overrides, as "
        "for python -m sim (e.g. experiment=hook_cash_vs_coupon).",
    )
    parser.add_argument("--budget-cny", type=float, default=None, help="spend ceiling (default: the baseline's)")
    parser.add_argument("--limit", action="append", default=[], help="a line's ceiling, line=CNY (repeatable)")
    parser.add_argument("--churn-ceiling", type=float, default=0.35, help="mean monthly churn ceiling (0, 1]")
    parser.add_argument("--trials", type=int, default=40, help="mixes to try (default: %(default)s)")
    parser.add_argument("--search-replications", type=int, default=4, help="replications per trial (default: 4)")
    parser.add_argument("--search-share", type=float, default=0.25, help="population.sample_share of the trials")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: outputs/budget/...)")
    args, overrides = parser.parse_with_overrides(argv)
    problem = _check_numbers(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        limits = dict(parse_limit(text) for text in args.limit)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    return run_budget(args, overrides, limits, stamp)


def _check_numbers(args: Any) -> str | None:
    if args.budget_cny is not None and not (math.isfinite(args.budget_cny) and args.budget_cny > 0):
        return f"--budget-cny {args.budget_cny}: must be a finite amount > 0"
    if not (math.isfinite(args.churn_ceiling) and 0.0 < args.churn_ceiling <= 1.0):
        return f"--churn-ceiling {args.churn_ceiling}: must be in (0, 1]"
    if not 2 <= args.trials <= 10_000:
        return f"--trials {args.trials}: must be from 2 to 10000"
    if not 2 <= args.search_replications <= 1000:
        return f"--search-replications {args.search_replications}: must be from 2 to 1000"
    if not (math.isfinite(args.search_share) and 0.0 < args.search_share <= 1.0):
        return f"--search-share {args.search_share}: must be in (0, 1]"
    return None


def comparison_table(reps: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """The best mix and the baseline on the report's metrics and spend: each one's mean and 95% interval, and the
    paired difference (best minus baseline) with its interval."""
    metrics = [*(as_in(m, reps["metric"]) for m in REPORT_METRICS), "spend_cny"]  # named after the LTV window
    part = reps[reps["metric"].isin(metrics)]
    diffs = paired_differences(part, baseline, direction=lambda m: -1 if m == "spend_cny" else metric_info(m).direction)
    means = summarise(part).pivot(index="metric", columns="strategy", values=["mean", "ci_low", "ci_high"])
    rows = []
    for row in diffs.itertuples(index=False):
        rows.append(
            {
                "metric": row.metric,
                "strategy": row.strategy,
                "baseline": baseline,
                "strategy_mean": means.loc[row.metric, ("mean", row.strategy)],
                "baseline_mean": means.loc[row.metric, ("mean", baseline)],
                "mean_diff": row.mean_diff,
                "ci_low": row.ci_low,
                "ci_high": row.ci_high,
                "prob_better": row.prob_better,
            }
        )
    order = {m: i for i, m in enumerate(metrics)}
    table = pd.DataFrame(rows)
    return table.sort_values("metric", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)


if __name__ == "__main__":
    sys.exit(main())
