"""The WeCom accounts figure: friends filling the accounts, accounts used, and add requests lost to the caps."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.report.i18n import count, t
from sim.report.plots.base import mean_curve, set_takeaway, strategies_in, strategy_colours, style


def accounts_relevant(accounts: pd.DataFrame | None, levers: dict[str, dict[str, str]]) -> bool:
    """Whether a run's report shows the accounts: the strategies differ in their accounts, or some account filled."""
    if accounts is None or accounts.empty:
        return False
    if any(len(set(values.values())) > 1 for values in levers.values()):
        return True
    means = accounts.set_index(["strategy", "quantity"])["mean"]
    used = means.xs("used", level="quantity")
    initial = means.xs("initial", level="quantity")
    lost = means.xs("lost_to_caps", level="quantity")
    return bool((used > initial).any() or (lost > 0).any())


def accounts_figure(
    curves: pd.DataFrame, accounts: pd.DataFrame, baseline: str | None = None, lang: str = "en"
) -> Figure:
    """Friends on the WeCom accounts against what the initial accounts hold, accounts used, and cumulative requests
    lost to full accounts, by day of the horizon."""
    friends = mean_curve(curves, "wecom_friends").dropna(subset=["mean"])
    used = mean_curve(curves, "wecom_accounts").dropna(subset=["mean"])
    capped = curves[curves["curve"] == "lost_to_caps_daily"].copy()
    capped = capped.sort_values(["strategy", "replication", "x"], kind="stable")
    capped["value"] = capped.groupby(["strategy", "replication"], sort=False)["value"].cumsum()
    lost = mean_curve(capped, "lost_to_caps_daily").dropna(subset=["mean"])
    means = accounts.set_index(["strategy", "quantity"])["mean"]
    colours = strategy_colours(strategies_in(curves))
    with style(lang) as lang:
        fig = Figure(figsize=(12, 10), layout="constrained")
        axes = fig.subplots(3, 1, sharex=True)
        for ax, data in ((axes[0], friends), (axes[1], used), (axes[2], lost)):
            for s in strategies_in(data):
                d = data[data["strategy"] == s]
                ax.plot(d["x"].to_numpy(dtype=float), d["mean"].to_numpy(dtype=float), color=colours[s], label=s)
        for s in strategies_in(friends):
            if (s, "capacity") in means.index:
                axes[0].axhline(float(means[(s, "capacity")]), color=colours[s], linestyle="--", linewidth=1)
        axes[0].set_ylabel(t("fig.friends", lang))
        axes[1].set_ylabel(t("fig.accounts_used", lang))
        axes[2].set_ylabel(t("fig.lost_to_caps", lang))
        axes[2].set_xlabel(t("fig.days", lang))
        axes[0].legend(loc="upper left")
        strategies = strategies_in(friends)
        full = {s: float(means.get((s, "first_full_day"), np.nan)) for s in strategies}
        filled = [s for s in strategies if np.isfinite(full[s])]
        if filled:
            first = min(filled, key=lambda s: full[s])
            text = t("take.accounts_full", lang, strategy=first, day=int(full[first]))
        else:
            text = t("take.accounts_room", lang)
        set_takeaway(axes[0], text)
        end_used = used.groupby("strategy", sort=False)["mean"].last()
        if not end_used.empty:
            most = str(end_used.idxmax())
            set_takeaway(axes[1], t("take.accounts_used", lang, strategy=most, a=count(float(end_used[most]), lang)))
        end_lost = lost.groupby("strategy", sort=False)["mean"].last()
        if not end_lost.empty:
            worst = str(end_lost.idxmax())
            set_takeaway(axes[2], t("take.accounts_lost", lang, strategy=worst, a=count(float(end_lost[worst]), lang)))
    return fig
