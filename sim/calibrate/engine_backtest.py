"""The holdout forecast through the engine: the calibrated customers' future orders drawn by its platform layer.

Instead of BG/NBD's closed-form conditional expectation, each calibration customer's
holdout is simulated with :func:`sim.model.population.platform_orders`, the function that
draws every platform buyer's repeat orders in the engine, from traits drawn out of the
customer's BG/NBD posterior given the history (x, t_x, T):

- alive at T with probability P(alive | x, t_x, T) (FHL 2005); a customer who dropped out
  buys nothing more;
- given alive, the likelihood of the history is (1 - p)^x λ^x e^(-λT), so the posterior
  is exact and independent: λ ~ Gamma(r + x, α + T) and p ~ Beta(a, b + x);
- spend per order as the engine draws it, Gamma(p, ν), with ν from the Gamma-Gamma
  posterior Gamma(q + p x, γ + x m_x) (the prior Gamma(q, γ) for x = 0).

An alive customer's next purchase is exponential from T whatever happened before (the
process is memoryless), so the engine starts each one at day 0 of the holdout and counts
the repeat orders it places in it. Every draw is by inversion at a named uniform keyed by
the customer's row (:mod:`sim.model.streams`), so a replication is reproducible and the
customers' luck does not depend on one another. The mean over replications estimates
the conditional expectation, and its standard error comes from the spread of the
replications' totals.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from sim.calibrate.fit import DAYS_PER_WEEK, RFM, Fit, prob_alive
from sim.model.population import Traits, platform_orders
from sim.model.quantiles import beta_quantile, gamma_from_uniform, gamma_quantile
from sim.model.streams import Streams

MODEL = "bgnbd_engine"
DEFAULT_REPLICATIONS = 50
DEFAULT_SEED = 18


@dataclass(frozen=True)
class EngineForecast:
    """Simulated holdout of every calibration customer, averaged over replications."""

    repeats: np.ndarray  # per customer: mean repeat orders in the holdout
    revenue: np.ndarray  # per customer: mean spend in the holdout
    weekly_cumulative: np.ndarray  # mean repeat orders of all customers by the end of each holdout week
    total_per_replication: np.ndarray  # repeat orders of all customers, one value per replication
    revenue_per_replication: np.ndarray

    @property
    def replications(self) -> int:
        return int(self.total_per_replication.size)

    def total_se(self) -> float:
        """Standard error of the mean total repeat orders over replications."""
        return float(self.total_per_replication.std(ddof=1) / np.sqrt(self.replications))


def posterior_traits(rfm: RFM, bgnbd: Fit, spend: Fit, streams: Streams) -> tuple[np.ndarray, Traits]:
    """Rows of the customers alive at T, and their traits (rate per day, dropout, spend rate) from the posterior."""
    r, alpha, a, b = (bgnbd.params[k] for k in ("r", "alpha", "a", "b"))
    p, q, gamma = (spend.params[k] for k in ("p", "q", "gamma"))
    row = np.arange(len(rfm))
    alive = streams.uniform("backtest.alive", row) < prob_alive(rfm.x, rfm.t_x, rfm.T, r, alpha, a, b)
    row = row[alive]
    x, age = rfm.x[row], rfm.T[row]
    seen = np.where(x > 0, np.nan_to_num(rfm.mean_repeat_spend[row]), 0.0)
    u_rate, u_drop, u_spend = (streams.uniform(f"backtest.{name}", row) for name in ("rate", "dropout", "spend_rate"))
    rate_per_week, dropout, spend_rate = np.empty(row.size), np.empty(row.size), np.empty(row.size)
    for k in np.unique(x):  # one quantile table per posterior shape: a loop over repeat counts, not customers
        sel = x == k
        rate_per_week[sel] = gamma_quantile(r + k, u_rate[sel]) / (alpha + age[sel])
        dropout[sel] = beta_quantile(a, b + k, u_drop[sel])
        spend_rate[sel] = gamma_quantile(q + p * k, u_spend[sel]) / (gamma + k * seen[sel])
    zeros = np.zeros(row.size, dtype=np.float32)
    traits = Traits(**{f.name: zeros for f in fields(Traits)})
    traits.rate_per_day = (rate_per_week / DAYS_PER_WEEK).astype(np.float32)
    traits.dropout_prob = dropout.astype(np.float32)
    traits.spend_rate = spend_rate.astype(np.float32)
    return row, traits


def simulate_holdout(
    rfm: RFM,
    bgnbd: Fit,
    spend: Fit,
    holdout_weeks: float,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
) -> EngineForecast:
    """Every calibration customer's holdout repeat orders and spend, simulated ``replications`` times."""
    horizon_days = holdout_weeks * DAYS_PER_WEEK
    n = len(rfm)
    week_ends = np.append(np.arange(1, int(np.ceil(holdout_weeks))), holdout_weeks) * DAYS_PER_WEEK
    repeats, revenue = np.zeros(n), np.zeros(n)
    weekly = np.zeros(week_ends.size)
    totals, revenues = np.empty(replications), np.empty(replications)
    for rep in range(replications):
        streams = Streams(seed, rep)
        row, traits = posterior_traits(rfm, bgnbd, spend, streams)
        buyer, day, index = platform_orders(np.zeros(row.size), traits, horizon_days, streams)
        later = index > 0  # index 0 is the start of the holdout, not an order
        buyer, day, index = buyer[later], day[later], index[later]
        luck = streams.uniform("backtest.spend", row[buyer], index)
        scale = 1.0 / traits.spend_rate[buyer].astype(np.float64)
        amount = gamma_from_uniform(spend.params["p"], scale, luck)
        count = np.bincount(row[buyer], minlength=n)
        spent = np.bincount(row[buyer], weights=amount, minlength=n)
        repeats += count
        revenue += spent
        weekly += np.searchsorted(np.sort(day), week_ends, side="right")
        totals[rep], revenues[rep] = count.sum(), spent.sum()
    return EngineForecast(
        repeats=repeats / replications,
        revenue=revenue / replications,
        weekly_cumulative=weekly / replications,
        total_per_replication=totals,
        revenue_per_replication=revenues,
    )
