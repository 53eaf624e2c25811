"""The budget command's run: compose the trials, search with Optuna, confirm the best mix on a fresh seed, write.

See :mod:`sim.plan.budget` for what is searched and how a mix is scored.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.config import Experiment
from sim.plan.budget import (
    BEST,
    CANDIDATE,
    WAVE,
    WAVE_OFF,
    Constraints,
    allocation_table,
    best_mix_yaml,
    comparison_table,
    evaluate,
    frontier,
    levers,
    marginal_return,
    strategy_settings,
    trial_row,
)


def _flow(settings: dict[str, Any], start_date: str) -> str:
    return yaml.safe_dump(strategy_settings(settings, start_date), default_flow_style=True, width=10_000).strip()


def _with_strategy(cfg: Any, overrides: list[str], name: str, settings: dict[str, Any], extra: list[str]) -> Experiment:
    """The experiment of ``cfg`` with the strategy ``name`` set to the levers ``settings`` and ``extra`` overrides
    applied."""
    from sim.config.compose import build_experiment
    from sim.config.overrides import variant_config
    from sim.plan.variants import chained_config

    cfg, changed = chained_config(cfg, overrides, dict(item.split("=", 1) for item in extra))
    flow = _flow(settings, str(cfg.population.start_date))
    return build_experiment(variant_config(cfg, changed, f"experiment.strategies.{name}", flow, add=True))


def strategy_levers(experiment: Experiment, name: str) -> dict[str, Any]:
    """A strategy's values of the searched levers (numbers clipped to the searched ranges). Its first SMS wave gives
    the wave levers (a later wave cannot be searched: the mix holds one), none the audience ``off``."""
    strategy = experiment.strategies[name]
    touch = strategy.touch
    values: dict[str, Any] = {
        "hook.type": strategy.hook.type.value,
        "hook.value_cny": strategy.hook.value_cny,
        "offer.name": strategy.offer.name,
        "referral.enabled": strategy.referral.enabled,
        "channel.sms": strategy.channel.sms,
        "onboarding.agents": strategy.onboarding.agents,
    }
    for segment, policy in touch.segments.items():
        per_week = policy.touches_per_week if policy.touches_per_week is not None else touch.touches_per_week
        values[f"touch.segments.{segment}.touches_per_week"] = per_week
    values |= _wave_levers(experiment, name)
    out = {}
    for lever in levers(experiment.shared.run.horizon_days):
        value = values[lever.key]
        if not lever.choices:
            value = min(max(value, lever.low), lever.high)
            value = int(value) if lever.integer else float(value)
        out[lever.key] = value
    return out


def _wave_levers(experiment: Experiment, name: str) -> dict[str, Any]:
    """The wave levers of the strategy's first SMS wave (audience ``off`` and the other levers' defaults without
    one); a segment is ``rfm`` when the wave targets by RFM at all."""
    from sim.model.calendar import first_day

    waves = experiment.strategies[name].sms.waves
    if not waves:
        return {
            f"{WAVE}audience": WAVE_OFF,
            f"{WAVE}segment": "everyone",
            f"{WAVE}send_hour": 10,
            f"{WAVE}hook": "none",
            f"{WAVE}day": 0,
        }
    w = waves[0]
    everyone = w.rfm.max_recency_days >= 3650.0 and w.rfm.min_orders <= 1 and w.rfm.min_order_value_cny <= 0.0
    return {
        f"{WAVE}audience": w.audience.value,
        f"{WAVE}segment": "everyone" if everyone else "rfm",
        f"{WAVE}send_hour": round(w.send_hour),
        f"{WAVE}hook": w.hook.type.value,
        f"{WAVE}day": first_day(w.date, experiment.shared.population.start_date),
    }


def run_budget(args: Any, overrides: list[str], limits: dict[str, float], stamp: str) -> int:
    """Search, confirm and write; returns the exit status."""
    import optuna

    from sim.config.cli import EXIT_BAD_INPUT
    from sim.plan.variants import load, only

    cfg, experiment = load(overrides)
    lang = str(getattr(cfg.report.lang, "value", cfg.report.lang))
    baseline = experiment.baseline
    n_jobs = experiment.shared.run.n_jobs
    share = experiment.shared.population.sample_share * args.search_share
    search = [f"run.n_replications={args.search_replications}", f"population.sample_share={share!r}"]
    out = args.out or Path("outputs") / "budget" / f"{experiment.name}_{stamp}"

    base_levers = strategy_levers(experiment, baseline)
    base_search = only(_with_strategy(cfg, overrides, CANDIDATE, base_levers, search), [baseline])
    base_reps, _ = evaluate(base_search, n_jobs)
    baseline_spend = float(base_reps.loc[base_reps["metric"] == "spend_cny", "value"].mean())
    budget = args.budget_cny if args.budget_cny is not None else baseline_spend
    constraints = Constraints(budget, limits, args.churn_ceiling)
    print(f"budget CNY {budget:,.0f} ({'given' if args.budget_cny else f'the spend of {baseline}'}); searching")

    rows: list[dict[str, Any]] = []

    searched = levers(experiment.shared.run.horizon_days)

    def objective(trial: Any) -> float:
        mix = {lever.key: lever.suggest(trial) for lever in searched}
        candidate = only(_with_strategy(cfg, overrides, CANDIDATE, mix, search), [CANDIDATE])
        reps, lines = evaluate(candidate, n_jobs)
        row = trial_row(trial.number, mix, reps, lines, constraints)
        rows.append(row)
        state = "within" if row["feasible"] else "over a limit"
        print(
            f"trial {trial.number + 1}/{args.trials}: profit CNY {row['objective_mean']:,.0f}, "
            f"spend CNY {row['spend_cny']:,.0f} ({state})",
            file=sys.stderr,
        )
        return float(row["score"])

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(
            seed=experiment.shared.run.seed,
            n_startup_trials=min(10, args.trials // 2),
            multivariate=True,
            warn_independent_sampling=False,
        )
        study = optuna.create_study(direction="maximize", sampler=sampler)
        study.enqueue_trial(base_levers)  # the baseline's own levers: the search starts from what is done today
        study.optimize(objective, n_trials=args.trials)
    trials = pd.DataFrame(rows)
    spend_columns = [c for c in trials.columns if c.startswith("spend.")]
    trials[spend_columns] = trials[spend_columns].fillna(0.0)
    curve = frontier(trials, constraints)
    feasible = trials[trials["feasible"]]
    if feasible.empty:
        print(
            f"error: no mix of the {len(trials)} tried is within the budget, limits and churn ceiling", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    best = feasible.loc[feasible["objective_mean"].idxmax()]
    best_mix = {lever.key: _plain(best[lever.key]) for lever in searched}

    fresh = [f"run.seed={experiment.shared.run.seed + 1}"]
    confirm = only(_with_strategy(cfg, overrides, BEST, best_mix, fresh), [BEST, baseline])
    reps, lines = evaluate(confirm, n_jobs)
    comparison = comparison_table(reps, baseline)
    allocation = allocation_table(lines, limits)
    step = marginal_return(curve, budget)
    from sim.report.budget import BudgetResult, console_lines

    result = BudgetResult(
        trials, curve, comparison, allocation, budget, args.budget_cny is None, step, int(best["trial"])
    )
    write_budget(out, result, best_mix_yaml(experiment, best_mix, budget), experiment.name, lang)
    for line in console_lines(result):
        print(line)
    print(f"files in {out}")
    return 0


def _plain(value: Any) -> Any:
    """A trial's lever value as plain Python (pandas gives numpy scalars)."""
    return value.item() if hasattr(value, "item") else value


def write_budget(out: Path, result: Any, best_yaml: str, name: str, lang: str) -> None:
    """Write the tables, the best mix, the figure and the report section, all at once at the end (or none)."""
    from sim.report.budget import budget_section
    from sim.report.plots.budget import budget_figure
    from sim.report.writers import staged, write_figure, write_table, write_text

    with staged(out) as stage:
        write_table(stage / "budget_trials.csv", result.trials)
        write_table(stage / "budget_frontier.csv", result.curve)
        write_table(stage / "budget_allocation.csv", result.allocation)
        write_text(stage / "budget_best.yaml", best_yaml)
        write_figure(stage, "budget", budget_figure(result, lang))
        write_text(stage / "budget.md", budget_section(result, name, lang))
        write_table(stage / "budget_comparison.csv", result.comparison)
