"""Run an experiment: every strategy on every replication, serially or across cores.

One job is one replication: it draws the platform buyers once and runs every strategy
on them. Every strategy of a replication uses the same random streams, seeded from (seed,
replication) and each stream's name, so strategies differ only where their logic differs
(common random numbers), and the results do not depend on how jobs are spread over processes.
Every experiment also runs the ``control`` arm on the same buyers: the baseline strategy with
no capture channel, so its buyers only ever buy on their platforms. Besides the metric rows, a
job returns the small tidy tables the figures need (funnel counts and curves on fixed grids,
:mod:`sim.run.curves`), computed in the worker so the raw records never leave it. Given a cache directory
(a sweep's), the platform layer and the control arm's rows are shared with the sweep's other points
(:mod:`sim.run.cache`). With ``run.sequential=true`` the replications run in batches until the paired differences
are pinned down (:mod:`sim.run.sequential`). With ``run.parameter_uncertainty=true`` each replication first draws the
calibrated parameters once (:mod:`sim.run.uncertainty`), and all its arms run on that draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from sim.config import CONTROL, ChannelConfig, Experiment, StrategyConfig
from sim.model.funnel import simulate
from sim.model.population import Platform, build_platform
from sim.model.streams import Streams
from sim.run.attribution import ACCOUNT_COLUMNS, CAMPAIGN_COLUMNS, WAVE_COLUMNS, account_row, campaign_rows, wave_rows
from sim.run.cache import ReplicationCache, control_key, platform_key
from sim.run.costs import COST_COLUMNS, cost_frame
from sim.run.curves import CURVE_COLUMNS, FUNNEL_COLUMNS, buyers_with_card, curve_frame, funnel_frame
from sim.run.metrics import compute_metrics, windowed
from sim.run.sequential import StoppingRule, paired_headline
from sim.run.uncertainty import with_drawn_parameters
from sim.run.workers import imap_in_workers


def control_strategy(experiment: Experiment) -> StrategyConfig:
    """The baseline strategy with every capture channel off (and no SMS wave): nobody joins, nothing is spent."""
    base = experiment.strategies[experiment.baseline]
    return replace(base, name=CONTROL, channel=ChannelConfig(card=False, sms=False), sms=replace(base.sms, waves=[]))


@dataclass(frozen=True)
class ExperimentTables:
    """What an experiment produces, per strategy x replication: metric values, funnel counts, curves and the
    amounts by ledger line."""

    replications: pd.DataFrame  # strategy, replication, metric, value
    funnel: pd.DataFrame  # strategy, replication, stage, count
    curves: pd.DataFrame  # strategy, replication, curve, x, value
    costs: pd.DataFrame  # strategy, replication, basis, section, line, amount_cny, per_member_cny
    waves: pd.DataFrame | None = None  # sim.run.attribution.WAVE_COLUMNS: one row per SMS wave
    campaigns: pd.DataFrame | None = None  # CAMPAIGN_COLUMNS: one row per campaign
    accounts: pd.DataFrame | None = None  # ACCOUNT_COLUMNS: the WeCom accounts at the end


def run_replication_tables(
    experiment: Experiment, replication: int, with_control: bool = False, cache_dir: Path | None = None
) -> ExperimentTables:
    """All strategies on one replication: metric rows (the control arm's last), funnel counts, curves and costs;
    with ``cache_dir``, the platform layer and the control arm's rows are read from it when another point built them.

    The control arm has metric rows only: it acquires nobody and spends nothing. With ``run.parameter_uncertainty``
    every arm runs on the replication's one draw of the calibrated parameters.
    """
    shared = with_drawn_parameters(experiment.shared, replication)
    experiment = replace(experiment, shared=shared)

    def platform_layer() -> Platform:
        return build_platform(
            shared.population, shared.run.horizon_days, Streams(shared.run.seed, replication), shared.platform
        )

    def control_rows() -> list[dict[str, object]]:
        control = simulate(control_strategy(experiment), shared, replication, platform)
        return [
            {"strategy": CONTROL, "replication": replication, "metric": metric, "value": value}
            for metric, value in compute_metrics(control).items()
        ]

    cache = None if cache_dir is None else ReplicationCache(cache_dir)
    if cache is None:
        platform = platform_layer()
    else:
        platform = cache.get("platform", platform_key(shared, replication), platform_layer)
    reached_card = buyers_with_card(platform, shared.run.horizon_days + shared.run.followup_days)
    rows: list[dict[str, object]] = []
    funnels, curves, costs, waves, campaigns, accounts = [], [], [], [], [], []
    for name, strategy in experiment.strategies.items():
        record = simulate(strategy, shared, replication, platform)
        for metric, value in compute_metrics(record).items():
            rows.append({"strategy": name, "replication": replication, "metric": metric, "value": value})
        funnels.append(funnel_frame(record, name, replication, reached_card))
        curves.append(curve_frame(record, name, replication))
        costs.append(cost_frame(record, name, replication, strategy.hook.type.value))
        waves.append(wave_rows(record, strategy))
        campaigns.append(campaign_rows(record, strategy))
        accounts.append(account_row(record))
    if with_control and cache is None:
        rows.extend(control_rows())
    elif with_control and cache is not None:
        key = control_key(shared, control_strategy(experiment), replication)
        rows.extend(cache.get("control", key, control_rows))
    return ExperimentTables(
        replications=pd.DataFrame(rows, columns=["strategy", "replication", "metric", "value"]),
        funnel=pd.concat(funnels, ignore_index=True),
        curves=pd.concat(curves, ignore_index=True),
        costs=pd.concat(costs, ignore_index=True),
        waves=_concat(waves, WAVE_COLUMNS),
        campaigns=_concat(campaigns, CAMPAIGN_COLUMNS),
        accounts=_concat(accounts, ACCOUNT_COLUMNS),
    )


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """The non-empty frames one after the other (an empty frame with ``columns`` if there are none)."""
    parts = [f for f in frames if f is not None and not f.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def run_replication(experiment: Experiment, replication: int) -> list[dict[str, object]]:
    """All strategies on one replication; returns tidy rows (strategy, replication, metric, value)."""
    return list(run_replication_tables(experiment, replication).replications.to_dict("records"))


def run_experiment_tables(
    experiment: Experiment,
    on_done: Callable[[], None] | None = None,
    *,
    with_control: bool = False,
    cache_dir: Path | None = None,
) -> ExperimentTables:
    """Run every replication (``with_control``: and the control arm; ``cache_dir``: sharing the platform layer and
    the control arm with a sweep's other points); every table has its rows in a fixed order (replication, strategy,
    ...)."""
    run = experiment.shared.run
    rule = StoppingRule.of(run)
    batches = [range(run.n_replications)] if rule is None else rule.batches()
    headline = windowed("incremental_net_profit_12m", experiment.shared.accounting.ltv_months)
    parts: list[ExperimentTables] = []
    for batch in batches:
        args = [(experiment, r, with_control, cache_dir) for r in batch]
        for part in imap_in_workers(run_replication_tables, args, run.n_jobs):
            parts.append(part)
            if on_done is not None:
                on_done()
        if rule is not None:
            replications = pd.concat([p.replications for p in parts], ignore_index=True)
            if rule.satisfied(paired_headline(replications, experiment.baseline, headline)):
                break

    def joined(name: str, columns: list[str]) -> pd.DataFrame:
        frames = [getattr(p, name) for p in parts]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)

    return ExperimentTables(
        replications=joined("replications", ["strategy", "replication", "metric", "value"]).astype({"value": float}),
        funnel=joined("funnel", FUNNEL_COLUMNS),
        curves=joined("curves", CURVE_COLUMNS),
        costs=joined("costs", COST_COLUMNS),
        waves=_concat([p.waves for p in parts], WAVE_COLUMNS),
        campaigns=_concat([p.campaigns for p in parts], CAMPAIGN_COLUMNS),
        accounts=_concat([p.accounts for p in parts], ACCOUNT_COLUMNS),
    )


def run_experiment(experiment: Experiment, on_done: Callable[[], None] | None = None) -> pd.DataFrame:
    """Run every replication; one row per strategy x replication x metric, in a fixed order."""
    return run_experiment_tables(experiment, on_done).replications
