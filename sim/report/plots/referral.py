"""The referral figure: K-factor, fission rate and share completion by strategy, with 95% intervals.

Drawn when the strategies differ in a referral lever (:func:`varies_referral`), e.g. the mechanic (拼团, 助力,
红包) or its immunity; the last panel is the incremental net profit, so that more referrals are read against
what they earn. A panel whose metric is missing for every strategy (share completion when all invite) is left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.config import CONTROL
from sim.report.i18n import t
from sim.report.plots.base import require_columns, style
from sim.report.plots.comparison import plot_metric_intervals
from sim.run.metrics import as_in

REFERRAL_METRICS: tuple[str, ...] = (
    "k_factor",
    "fission_rate",
    "share_completion_rate",
    "incremental_net_profit_12m",
)


def varies_referral(levers: dict[str, dict[str, str]]) -> bool:
    """Whether an experiment's strategies differ in any referral lever (``referral.*`` key -> value by strategy)."""
    return any(key.startswith("referral.") and len(set(values.values())) > 1 for key, values in levers.items())


def referral_figure(summary: pd.DataFrame, lang: str = "en") -> Figure:
    """One panel per metric of :data:`REFERRAL_METRICS` that some strategy has (the control arm left out)."""
    require_columns(summary, ["strategy", "metric", "mean", "ci_low", "ci_high"], "summary")
    summary = summary[summary["strategy"] != CONTROL]
    named = [as_in(m, summary["metric"]) for m in REFERRAL_METRICS]  # named after the run's LTV window
    metrics = [m for m in named if np.isfinite(summary.loc[summary["metric"] == m, "mean"].to_numpy(float)).any()]
    with style(lang) as lang:
        fig = Figure(figsize=(5.0 * len(metrics), 4.5), layout="constrained")
        for i, metric in enumerate(metrics):
            plot_metric_intervals(summary, metric, ax=fig.add_subplot(1, len(metrics), i + 1), lang=lang)
        fig.suptitle(t("fig.referral_title", lang))
    return fig
