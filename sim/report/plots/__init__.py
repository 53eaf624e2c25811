"""Figures for planning decks. Each ``plot_*`` draws on an Axes and returns it; nothing here saves or shows.

Every ``plot_*`` takes a run's tidy table (``summary``, ``differences``, ``funnel``,
``curves`` or a dose-response table), validates it, draws the mean over replications and
titles the Axes with the takeaway computed from the same numbers. The ``*_figure``
functions lay those Axes out into the figures the report uses. One style
(:func:`~sim.report.plots.base.style`) holds for all of them; colours are the Okabe-Ito
palette, which stays distinguishable with colour-blindness, given to strategies in the order
they first appear in the data. Words come from :mod:`sim.report.i18n`: ``lang="zh"`` writes
every label in Chinese. One module per figure; this package re-exports their public names.
"""

from sim.report.plots.accounts import accounts_figure, accounts_relevant
from sim.report.plots.base import (
    OKABE_ITO,
    mean_curve,
    pick_best,
    require_columns,
    set_takeaway,
    strategies_in,
    strategy_colours,
    style,
    wrap,
)
from sim.report.plots.calendar import calendar_figure, wave_days, windows_of
from sim.report.plots.channels import (
    CHANNEL_METRICS,
    channels_figure,
    plot_channel_orders,
    plot_group_activity,
    varies_channels,
)
from sim.report.plots.comparison import (
    HEADLINE_METRICS,
    comparison_figure,
    distinct_pair,
    plot_metric_intervals,
    plot_paired_differences,
)
from sim.report.plots.dose import (
    DOSE_METRICS,
    dose_response_figure,
    dose_table,
    plot_dose_response,
    varies_touch_frequency,
)
from sim.report.plots.funnel import (
    funnel_figure,
    funnel_means,
    plot_funnel,
)
from sim.report.plots.profit import (
    payback_from_curve,
    plot_profit,
    profit_figure,
)
from sim.report.plots.referral import REFERRAL_METRICS, referral_figure, varies_referral
from sim.report.plots.response import (
    CARD_WITHIN_SHARE,
    has_curve,
    plot_card_adds,
    plot_sms_response,
    response_figure,
)
from sim.report.plots.survival import (
    CHURN_STYLES,
    SURVIVAL_TAKEAWAY_DAYS,
    plot_survival,
    survival_figure,
)
from sim.report.plots.waterfall import line_label, plot_waterfall, waterfall_figure
from sim.report.plots.waves import plot_wave_profit, plot_wave_response, wave_label, wave_table, waves_figure

__all__ = [
    "CHANNEL_METRICS",
    "channels_figure",
    "plot_channel_orders",
    "plot_group_activity",
    "varies_channels",
    "REFERRAL_METRICS",
    "referral_figure",
    "varies_referral",
    "accounts_figure",
    "accounts_relevant",
    "calendar_figure",
    "plot_wave_profit",
    "plot_wave_response",
    "wave_days",
    "wave_label",
    "wave_table",
    "waves_figure",
    "windows_of",
    "line_label",
    "plot_waterfall",
    "waterfall_figure",
    "CHURN_STYLES",
    "DOSE_METRICS",
    "HEADLINE_METRICS",
    "CARD_WITHIN_SHARE",
    "OKABE_ITO",
    "SURVIVAL_TAKEAWAY_DAYS",
    "comparison_figure",
    "distinct_pair",
    "dose_response_figure",
    "dose_table",
    "funnel_figure",
    "funnel_means",
    "has_curve",
    "mean_curve",
    "payback_from_curve",
    "pick_best",
    "plot_card_adds",
    "plot_dose_response",
    "plot_funnel",
    "plot_metric_intervals",
    "plot_paired_differences",
    "plot_profit",
    "plot_sms_response",
    "plot_survival",
    "profit_figure",
    "require_columns",
    "response_figure",
    "set_takeaway",
    "strategies_in",
    "strategy_colours",
    "style",
    "survival_figure",
    "varies_touch_frequency",
    "wrap",
]
