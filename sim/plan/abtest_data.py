"""What the simulation predicts for one A/B test unit: each strategy's per-unit mean, variance, volume and cost.

An A/B test randomises *units*, and each metric has its own:

=====================  ===================  ==========================================================
metric                 unit                 per-unit outcome
=====================  ===================  ==========================================================
``capture_rate_card``  a package card sent  1 if it brought a member (the engine's card capture rate)
``capture_rate_sms``   an SMS sent          1 if it brought a member
``first_order_rate``   a new member         1 if the member placed a first private order
``revenue_90d_cny``    a new member         private order value (GMV, CNY) in the member's first 90 days
=====================  ===================  ==========================================================

Members are all members acquired, referred friends included, as in the engine's ``first_order_rate``.
Every replication runs every strategy on the same buyers (common random numbers: one platform per
replication, as :mod:`sim.run.experiment` does), and the worker returns only small summaries plus one
float32 per member (the 90-day revenue, which is heavy-tailed and is resampled, not approximated).

For the holdout (:func:`sim.plan.abtest_stats.holdout_size`) the worker also returns, per strategy, the
per-buyer mean and variance of platform orders within the horizon with capture (the treated arm: the
platform layer's orders less the buyer's cannibalised private orders, as ``brand_orders`` counts them)
and without it (the holdout: the platform layer's orders), and private orders per buyer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config import Experiment
from sim.model.funnel import RunRecord, simulate
from sim.model.ledger import ACQUISITION_LINES
from sim.model.population import Platform, build_platform
from sim.model.streams import Streams
from sim.run.metrics import compute_metrics
from sim.run.workers import map_in_workers

REVENUE_WINDOW_DAYS = 90
BINARY_METRICS: dict[str, str] = {  # metric -> its unit
    "capture_rate_card": "card",
    "capture_rate_sms": "sms",
    "first_order_rate": "member",
}
METRIC_UNITS: dict[str, str] = {**BINARY_METRICS, "revenue_90d_cny": "member"}
ABTEST_METRICS: tuple[str, ...] = tuple(METRIC_UNITS)


@dataclass(frozen=True)
class ReplicationUnits:
    """One strategy on one replication: the metric values, unit counts (of the simulated sample), ledger amounts
    that price a unit, the members' 90-day revenue, and per-buyer platform order moments for the holdout."""

    strategy: str
    replication: int
    metrics: dict[str, float]  # the four A/B metrics of this replication
    units: dict[str, float]  # card, sms, member: units of the sample
    cost_cny: dict[str, float]  # card, sms, member: spend of the sample attributed to those units
    revenue_90d_cny: np.ndarray  # one value per member (float32)
    holdout: dict[str, float]  # n_buyers, mean/var of platform orders treated and holdout, private orders per buyer


def revenue_in_window(rec: RunRecord, window_days: float = REVENUE_WINDOW_DAYS) -> np.ndarray:
    """Each member's private order value (CNY) in the ``window_days`` after joining (numpy, no loop)."""
    n = len(rec.members)
    if n == 0 or rec.orders.empty:
        return np.zeros(n, dtype=np.float32)
    member = rec.orders["member"].to_numpy()
    age = rec.orders["day"].to_numpy() - rec.members["join_day"].to_numpy()[member]
    inside = age < window_days
    return np.bincount(member[inside], weights=rec.orders["spend_cny"].to_numpy()[inside], minlength=n).astype(
        np.float32
    )


def _holdout_moments(rec: RunRecord, platform: Platform) -> dict[str, float]:
    """Per-buyer platform orders in the horizon, without capture (holdout) and with it (treated)."""
    n = platform.n_buyers
    platform_orders = np.bincount(platform.parcel_buyer, minlength=n).astype(float)
    orders = rec.orders
    horizon = orders["day"].to_numpy() < rec.horizon_days
    replaced = orders["replaced_platform_order"].to_numpy() & horizon
    buyer = rec.members["buyer"].to_numpy()[orders["member"].to_numpy()[replaced]]
    buyer = buyer[buyer < n]  # referred friends are nobody's platform buyer
    treated = platform_orders - np.bincount(buyer, minlength=n)
    return {
        "n_buyers": float(n),
        "holdout_mean": float(platform_orders.mean()) if n else float("nan"),
        "holdout_var": float(platform_orders.var(ddof=1)) if n > 1 else float("nan"),
        "treated_mean": float(treated.mean()) if n else float("nan"),
        "treated_var": float(treated.var(ddof=1)) if n > 1 else float("nan"),
        "private_per_buyer": float(horizon.sum()) / n if n else float("nan"),
    }


def replication_units(experiment: Experiment, replication: int) -> list[ReplicationUnits]:
    """Every strategy of ``experiment`` on one replication's buyers (common random numbers)."""
    shared = experiment.shared
    platform = build_platform(
        shared.population, shared.run.horizon_days, Streams(shared.run.seed, replication), shared.platform
    )
    out = []
    for name, strategy in experiment.strategies.items():
        rec = simulate(strategy, shared, replication, platform)
        engine = compute_metrics(rec)
        revenue = revenue_in_window(rec)
        channel = rec.members["channel"].to_numpy()
        card_members, sms_members = float((channel == "card").sum()), float((channel == "sms").sum())
        captured = card_members + sms_members
        led = rec.ledger
        hook = float(led["hook"].sum())
        acquisition = float(led[list(ACQUISITION_LINES)].to_numpy().sum())
        out.append(
            ReplicationUnits(
                strategy=name,
                replication=replication,
                metrics={
                    **{m: engine[m] for m in BINARY_METRICS},
                    "revenue_90d_cny": float(revenue.mean()) if revenue.size else float("nan"),
                },
                units={"card": float(rec.cards_sent), "sms": float(rec.sms_sent), "member": float(len(rec.members))},
                cost_cny={  # the hook is shared between card and SMS members in proportion to each
                    "card": float(led["cards"].sum()) + (hook * card_members / captured if captured else 0.0),
                    "sms": float(led["sms"].sum()) + (hook * sms_members / captured if captured else 0.0),
                    "member": acquisition + float(led["first_order_subsidy"].sum()),
                },
                revenue_90d_cny=revenue,
                holdout=_holdout_moments(rec, platform) | {"cannibalisation_rate": engine["cannibalisation_rate"]},
            )
        )
    return out


@dataclass(frozen=True)
class ArmPrediction:
    """What the simulation predicts for one strategy's arm on one metric."""

    strategy: str
    metric: str
    unit: str
    mean: float  # mean over replications of the per-replication metric
    mean_by_replication: np.ndarray
    var_per_unit: float  # p(1 - p) for a share; the pooled per-member variance for revenue
    units_per_day: float  # of the whole population (divided by the sample share), over the horizon
    cost_per_unit_cny: float
    values: np.ndarray | None  # revenue: every member's 90-day revenue over all replications (for resampling)


def collect(experiment: Experiment, n_jobs: int = -1) -> list[ReplicationUnits]:
    """Every replication of every strategy, in order (replication, strategy); serial = parallel."""
    reps = range(experiment.shared.run.n_replications)
    parts = map_in_workers(replication_units, [(experiment, r) for r in reps], n_jobs)
    return [item for part in parts for item in part]


def arm_prediction(
    runs: list[ReplicationUnits], strategy: str, metric: str, horizon_days: int, sample_share: float
) -> ArmPrediction:
    """Pool one strategy's replications into its per-unit prediction for ``metric``."""
    mine = [r for r in runs if r.strategy == strategy]
    unit = METRIC_UNITS[metric]
    by_rep = np.array([r.metrics[metric] for r in mine], dtype=float)
    finite = by_rep[np.isfinite(by_rep)]
    mean = float(finite.mean()) if finite.size else float("nan")
    units = float(sum(r.units[unit] for r in mine))
    cost = float(sum(r.cost_cny[unit] for r in mine))
    values = None
    if metric in BINARY_METRICS:
        var = mean * (1.0 - mean)
    else:
        values = np.concatenate([r.revenue_90d_cny for r in mine]).astype(np.float64)
        var = float(values.var(ddof=1)) if values.size > 1 else float("nan")
    per_day = units / len(mine) / sample_share / horizon_days if mine else float("nan")
    return ArmPrediction(
        strategy=strategy,
        metric=metric,
        unit=unit,
        mean=mean,
        mean_by_replication=by_rep,
        var_per_unit=var,
        units_per_day=per_day,
        cost_per_unit_cny=cost / units if units > 0 else float("nan"),
        values=values,
    )
