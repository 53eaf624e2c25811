"""Strategy search: which levers maximise an objective under a churn ceiling, and does the winner beat the baseline?

``python -m sim -m experiment=hook_cash_vs_coupon hparams_search=optuna`` runs Hydra's Optuna
sweeper over the levers in ``configs/hparams_search/optuna.yaml`` (hook type and value, touches
per week per lifecycle segment, the new-member offer, referral on or off). Each trial is one
point of the sweep: the *base* strategy (the top-level groups) with the trial's levers, run
alone as the strategy ``candidate`` on the experiment's seed, so every trial sees the same
buyers and luck (common random numbers) and trials differ only by their levers.

A trial scores its objective's mean (``incremental_net_profit_12m`` by default, or any metric, signed so that higher is
better) when the mean of ``churn_metric`` is at most ``churn_ceiling``; otherwise it scores
:data:`INFEASIBLE` minus the excess, below every trial within the ceiling. The settings live in
the search callback's config (``hydra.callbacks.search``), which also, when the multirun ends:

- writes ``search_trials.csv`` (one row per trial: levers, objective mean and 95% interval,
  churn, whether it met the ceiling, score) and ``search_history.png``;
- writes ``best_strategy.yaml``: an experiment config holding the experiment's strategies plus
  ``best`` (the best trial's levers as overrides of the base), ready to copy into
  ``configs/experiment/`` and run;
- confirms the best trial against the experiment's baseline on a *fresh* seed
  (``run.seed + confirm_seed_offset``), so the selection's luck does not flatter it: a full
  run in ``best_vs_baseline/`` and the paired differences in ``search_best.csv``.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.config import STRATEGY_GROUPS
from sim.run.metrics import as_in
from sim.run.objectives import DEFAULT_OBJECTIVE, NET_PROFIT, metric_info, paired_table

CALLBACK_TARGET = "sim.plan.search.SearchCallback"
CANDIDATE = "candidate"
INFEASIBLE = -1e12  # score of a trial over the churn ceiling, minus its excess
REPORT_METRICS: tuple[str, ...] = (
    DEFAULT_OBJECTIVE,
    NET_PROFIT,
    "incremental_ltv_to_cac",
    "ltv_to_cac",
    "incremental_ltv",
    "cac",
    "members_acquired",
    "monthly_churn",
)


@dataclass(frozen=True)
class SearchSettings:
    """What the search maximises and under which constraint (``hydra.callbacks.search``)."""

    objective: str = DEFAULT_OBJECTIVE
    churn_metric: str = "monthly_churn"
    churn_ceiling: float | None = 0.35
    confirm_seed_offset: int = 1
    confirm_replications: int | None = None  # None: the search's run.n_replications
    best_name: str = "best"

    def __post_init__(self) -> None:
        metric_info(self.objective)
        metric_info(self.churn_metric)
        if self.churn_ceiling is not None and not 0.0 < float(self.churn_ceiling) <= 1.0:
            raise ValueError(f"churn_ceiling={self.churn_ceiling}: must be in (0, 1], or null for no ceiling")
        if self.confirm_replications is not None and int(self.confirm_replications) < 2:
            raise ValueError(f"confirm_replications={self.confirm_replications}: must be at least 2 (or null)")

    @classmethod
    def from_node(cls, node: Any) -> SearchSettings:
        """Settings from the callback's config (a mapping with ``_target_``); unknown keys are an error."""
        data = {str(k): v for k, v in dict(node).items() if k != "_target_"}
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - fields)
        if unknown:
            raise ValueError(f"unknown setting {unknown[0]!r}; allowed: {', '.join(sorted(fields))}")
        return cls(**data)


def settings_from_callbacks(callbacks: Any) -> SearchSettings | None:
    """The search settings if one of Hydra's callbacks is the search callback, else None."""
    for node in (callbacks or {}).values():
        if node is not None and node.get("_target_") == CALLBACK_TARGET:
            return SearchSettings.from_node(node)
    return None


# --------------------------------------------------------------------------- scoring trials


def trial_result(replications: pd.DataFrame, settings: SearchSettings, strategy: str = CANDIDATE) -> dict[str, Any]:
    """Objective (mean, 95% interval), churn, status and score of one strategy of a run.

    ``status`` is ``ok``, ``over_churn_ceiling``, ``objective_missing`` (its denominator was zero in
    every replication) or ``churn_missing``; only ``ok`` trials can win, the others score below them.
    """
    from sim.run.compare import summarise

    summary = summarise(replications[replications["strategy"] == strategy]).set_index("metric")
    objective = summary.loc[settings.objective] if settings.objective in summary.index else None
    mean = float(objective["mean"]) if objective is not None else math.nan
    churn = float(summary.loc[settings.churn_metric, "mean"]) if settings.churn_metric in summary.index else math.nan
    ceiling = settings.churn_ceiling
    if not np.isfinite(mean):
        status = "objective_missing"
    elif ceiling is not None and not np.isfinite(churn):
        status = "churn_missing"
    elif ceiling is not None and churn > ceiling:
        status = "over_churn_ceiling"
    else:
        status = "ok"
    excess = max(0.0, churn - ceiling) if ceiling is not None and np.isfinite(churn) else 0.0
    signed = metric_info(settings.objective).direction * mean
    return {
        "objective_mean": mean,
        "objective_ci_low": float(objective["ci_low"]) if objective is not None else math.nan,
        "objective_ci_high": float(objective["ci_high"]) if objective is not None else math.nan,
        "churn_mean": churn,
        "status": status,
        "feasible": status == "ok",
        "score": float(signed if status == "ok" else INFEASIBLE - excess),
    }


def trial_score(out_dir: Path, settings: SearchSettings) -> float:
    """The score a finished trial returns to the sweeper (always maximised)."""
    return trial_result(pd.read_parquet(out_dir / "replications.parquet"), settings)["score"]


def search_trials(sweep_dir: Path, settings: SearchSettings, keys: Sequence[str] = ()) -> pd.DataFrame:
    """One row per finished trial: its levers, objective, churn, feasibility and score."""
    from sim.plan.sweep import finished_points, setting_values, swept_keys

    points = finished_points(sweep_dir)
    columns = swept_keys(sweep_dir, points, keys)
    rows = []
    for point in points:
        result = trial_result(pd.read_parquet(point / "replications.parquet"), settings)
        trial = int(point.name) if point.name.isdigit() else point.name
        rows.append({"trial": trial, **setting_values(point, columns), **result})
    return pd.DataFrame(rows, columns=["trial", *columns, *trial_result_columns()])


def trial_result_columns() -> list[str]:
    return ["objective_mean", "objective_ci_low", "objective_ci_high", "churn_mean", "status", "feasible", "score"]


# --------------------------------------------------------------------------- the best strategy


def strategy_overrides(strategy: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The lever groups of ``strategy`` where they differ from ``base``, as a nested mapping of overrides."""

    def diff(a: Any, b: Any) -> Any:
        if isinstance(a, dict) and isinstance(b, dict):
            out = {k: diff(v, b.get(k)) for k, v in a.items() if k not in b or v != b[k]}
            return {k: v for k, v in out.items() if v != {}}
        return a

    return {g: d for g in STRATEGY_GROUPS if (d := diff(strategy.get(g, {}), base.get(g, {})))}


def _shared_overrides(task_overrides: Sequence[str]) -> list[str]:
    """The search command's overrides that a run of the best strategy should repeat."""
    skip = ("experiment=", "hparams_search=", "+hparams_search=", "run.n_jobs=")
    return [o for o in task_overrides if not o.startswith(skip)]


def searched_overrides(best_cfg: dict[str, Any], base_cfg: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    """The best trial's strategy as overrides of the base: what differs, plus every searched lever spelt out."""
    overrides = strategy_overrides(best_cfg, base_cfg)
    for key in keys:
        parts = key.split(".")
        if parts[0] not in STRATEGY_GROUPS:
            continue
        if len(parts) == 1:  # a group option (offer=none): its whole content
            overrides[key] = best_cfg.get(key, {})
            continue
        value: Any = best_cfg
        for part in parts:
            value = value.get(part) if isinstance(value, dict) else None
        node = overrides.setdefault(parts[0], {})
        for part in parts[1:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return {g: overrides[g] for g in STRATEGY_GROUPS if g in overrides}


def best_experiment(
    base_cfg: dict[str, Any], best_cfg: dict[str, Any], settings: SearchSettings, keys: Sequence[str] = ()
) -> dict[str, Any]:
    """The experiment config: the search experiment's strategies plus the best trial's levers as ``best``."""
    experiment = dict(base_cfg["experiment"])
    strategies = dict(experiment.get("strategies") or {})
    if not strategies:
        strategies = {str(experiment["baseline"]): {}}
    name = settings.best_name
    while name in strategies:
        name = f"{name}_"
    strategies[name] = searched_overrides(best_cfg, base_cfg, keys)
    return {
        "name": f"{experiment['name']}_best",
        "question": f"Does the strategy found by the search beat {experiment['baseline']}?",
        "baseline": str(experiment["baseline"]),
        "strategies": strategies,
        "best": name,
    }


def best_strategy_yaml(
    experiment: dict[str, Any], trial: pd.Series, settings: SearchSettings, shared: list[str]
) -> str:
    """The best strategy as an experiment config file (``# @package _global_``), with how to run it."""
    body = {k: v for k, v in experiment.items() if k != "best"}
    stem = experiment["name"]
    lines = [
        "# @package _global_",
        f"# The {best_word(settings, float(trial['objective_mean']))} strategy ({experiment['best']}) found by the "
        f"strategy search (trial {trial['trial']}):",
        f"# {settings.objective} = {trial['objective_mean']:.6g} "
        f"[{trial['objective_ci_low']:.6g}, {trial['objective_ci_high']:.6g}] on the search's seed, "
        f"{settings.churn_metric} = {trial['churn_mean']:.4g}"
        + (f" (ceiling {settings.churn_ceiling:g})." if settings.churn_ceiling is not None else "."),
        "# Its strategy holds only what differs from the base (the top-level groups); the other strategies",
        "# are the search experiment's own. To use it: copy this file to configs/experiment/" + f"{stem}.yaml and run",
        f"#   python -m sim experiment={stem} " + " ".join(shared),
        yaml.safe_dump({"experiment": body}, sort_keys=False, allow_unicode=True).rstrip(),
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class SearchResult:
    """What the search found and how the best trial compares with the baseline on a fresh seed."""

    trials: pd.DataFrame
    best: pd.Series | None
    comparison: pd.DataFrame  # metric, best/baseline means and intervals, paired difference, prob_better


def write_search(sweep_dir: Path, config: Any, settings: SearchSettings, keys: Sequence[str] = ()) -> SearchResult:
    """Write the trials, the best strategy and its confirmation against the baseline into ``sweep_dir``."""
    from omegaconf import OmegaConf

    from sim.config.compose import build_experiment
    from sim.report.runner import run_and_report
    from sim.report.sweep_plots import search_figure
    from sim.report.writers import write_figure, write_table, write_text

    trials = search_trials(sweep_dir, settings, keys)
    write_table(sweep_dir / "search_trials.csv", trials)
    if trials.empty:
        print("search: no finished trial", file=sys.stderr)
        return SearchResult(trials, None, pd.DataFrame())
    write_figure(sweep_dir, "search_history", search_figure(trials, settings.objective))
    feasible = trials[trials["feasible"]]
    if feasible.empty:
        counts = trials["status"].value_counts().to_dict()
        print(f"search: no trial can win: {counts} (churn ceiling {settings.churn_ceiling})", file=sys.stderr)
        return SearchResult(trials, None, pd.DataFrame())
    best = feasible.loc[feasible["score"].idxmax()]
    best_dir = sweep_dir / str(best["trial"])
    best_cfg = yaml.safe_load((best_dir / "config_resolved.yaml").read_text(encoding="utf-8"))

    whole: dict[str, Any] = OmegaConf.to_container(config, resolve=False)  # type: ignore[assignment]
    task = {k: v for k, v in whole.items() if k != "hydra"}
    base_cfg: dict[str, Any] = OmegaConf.to_container(OmegaConf.create(task), resolve=True)  # type: ignore[assignment]
    levers = [c for c in trials.columns if c not in ("trial", *trial_result_columns())]
    experiment = best_experiment(base_cfg, best_cfg, settings, levers)
    shared = _shared_overrides(list(config.hydra.overrides.task))
    write_text(sweep_dir / "best_strategy.yaml", best_strategy_yaml(experiment, best, settings, shared))

    confirm = dict(base_cfg)
    confirm["experiment"] = {k: v for k, v in experiment.items() if k != "best"}
    run = dict(confirm["run"])
    run["seed"] = int(run["seed"]) + int(settings.confirm_seed_offset)
    run["n_replications"] = int(settings.confirm_replications or run["n_replications"])
    run["n_jobs"] = -1
    confirm["run"] = run
    confirm_cfg = OmegaConf.create(confirm)
    out = sweep_dir / "best_vs_baseline"
    out.mkdir(parents=True, exist_ok=True)
    run_and_report(build_experiment(confirm_cfg), out, OmegaConf.to_yaml(confirm_cfg), show=True)
    reps = pd.read_parquet(out / "replications.parquet")
    hand_made = best_hand_made(reps, experiment["best"], settings)
    references = list(dict.fromkeys(r for r in (experiment["baseline"], hand_made) if r is not None))
    comparison = comparison_table(reps, experiment["best"], references, settings)
    write_table(sweep_dir / "search_best.csv", comparison)
    for line in confirmation_lines(comparison, best, settings, run["n_replications"]):
        print(f"search: {line}", file=sys.stderr)
    print(f"search: files in {sweep_dir}", file=sys.stderr)
    return SearchResult(trials, best, comparison)


def best_word(settings: SearchSettings, objective_mean: float) -> str:
    """'best', or 'smallest loss' when the objective is money and even the best trial loses it."""
    loses = metric_info(settings.objective).unit == "CNY" and objective_mean < 0.0
    return "smallest loss" if loses else "best"


def best_hand_made(reps: pd.DataFrame, best: str, settings: SearchSettings) -> str | None:
    """The experiment's own strategy with the best objective on the confirmation seed (under the churn ceiling)."""
    from sim.config import CONTROL

    scores = {}
    for strategy in reps["strategy"].unique():
        if strategy in (best, CONTROL):
            continue
        result = trial_result(reps, settings, strategy)
        if result["feasible"]:
            scores[str(strategy)] = result["score"]
    return max(scores, key=lambda k: scores[k]) if scores else None


def confirmation_lines(comparison: pd.DataFrame, best: pd.Series, settings: SearchSettings, n: int) -> list[str]:
    """What the fresh-seed confirmation says: the winner against each reference, and whether the ceiling holds."""
    objective = comparison[comparison["metric"] == settings.objective]
    if objective.empty:
        return [f"{settings.objective} is missing on the fresh seed: no comparison"]
    name = str(objective["best"].iloc[0])
    word = best_word(settings, float(objective["best_mean"].iloc[0]))
    lines = [f"{word}: trial {best['trial']} ({name}), confirmed on a fresh seed with {n} replications"]
    for row in objective.itertuples(index=False):
        verdict = (
            "no clear difference"
            if not (row.diff_ci_low > 0 or row.diff_ci_high < 0)
            else ("better" if (row.diff_ci_low > 0) == (metric_info(settings.objective).direction > 0) else "worse")
        )
        lines.append(
            f"{settings.objective} {name} - {row.against} ({row.role}) = {row.mean_diff:.6g} "
            f"[{row.diff_ci_low:.6g}, {row.diff_ci_high:.6g}]: {verdict}"
        )
    churn = comparison[comparison["metric"] == settings.churn_metric]
    if settings.churn_ceiling is not None and not churn.empty:
        value = float(churn["best_mean"].iloc[0])
        holds = "holds" if value <= settings.churn_ceiling else "is BROKEN on the fresh seed"
        lines.append(f"{settings.churn_metric} {value:.4g} against the ceiling {settings.churn_ceiling:g}: {holds}")
    return lines


def comparison_table(
    reps: pd.DataFrame, best: str, references: Sequence[str], settings: SearchSettings
) -> pd.DataFrame:
    """The best trial against each reference strategy (the baseline, then the best hand-made one) per metric: both
    means with 95% intervals and the paired difference."""
    from sim.run.compare import summarise

    shown = [as_in(m, reps["metric"]) for m in REPORT_METRICS]  # named after the run's LTV window
    metrics = list(dict.fromkeys([settings.objective, settings.churn_metric, *shown]))
    summary = summarise(reps[reps["metric"].isin(metrics)]).set_index(["strategy", "metric"])
    rows = []
    for i, reference in enumerate(references):
        role = "baseline" if i == 0 else "best hand-made strategy"
        diffs = paired_table(reps[reps["strategy"].isin([best, reference])], reference, metrics).set_index("metric")
        for metric in metrics:
            if metric not in diffs.index:
                continue
            b, a = summary.loc[(best, metric)], summary.loc[(reference, metric)]
            d = diffs.loc[metric]
            rows.append(
                {
                    "metric": metric,
                    "best": best,
                    "best_mean": b["mean"],
                    "best_ci_low": b["ci_low"],
                    "best_ci_high": b["ci_high"],
                    "against": reference,
                    "role": role,
                    "against_mean": a["mean"],
                    "against_ci_low": a["ci_low"],
                    "against_ci_high": a["ci_high"],
                    "mean_diff": d["mean_diff"],
                    "diff_ci_low": d["ci_low"],
                    "diff_ci_high": d["ci_high"],
                    "prob_better": d["prob_better"],
                    "n_replications": int(b["n_replications"]),
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- Hydra callback


try:
    from hydra.experimental.callback import Callback
except ImportError:  # pragma: no cover - hydra-core is a dependency
    Callback = object  # type: ignore[misc,assignment]


class SearchCallback(Callback):  # type: ignore[misc]
    """Hydra callback (``configs/hparams_search/optuna.yaml``): report the search when the multirun ends."""

    def __init__(self, **settings: Any) -> None:
        self.settings = SearchSettings(**settings)

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        from omegaconf import OmegaConf

        from sim.plan.sweep import sweep_keys_from_config

        params = config.hydra.sweeper.get("params")
        keys = sweep_keys_from_config(
            list(config.hydra.overrides.task), OmegaConf.to_container(params) if params else None
        )
        write_search(Path(str(config.hydra.sweep.dir)), config, self.settings, keys)
