"""The risk report section and console lines: P(loss), P(reaching each target) and the downside case per strategy.

Built from the table of :func:`sim.plan.risk.risk_table`; words from :mod:`sim.report.i18n`.
"""

from __future__ import annotations

import math

import pandas as pd

from sim.report.i18n import metric_name, metric_value, pct, t
from sim.run.metrics import metric_key, window_months

PROFIT = "incremental_net_profit_12m"


def _interval(row: object, name: str, lang: str) -> str:
    low, high = getattr(row, f"{name}_ci_low"), getattr(row, f"{name}_ci_high")
    return f"{pct(getattr(row, name), lang)} [{pct(low, lang)}, {pct(high, lang)}]"


def summary_sentences(table: pd.DataFrame, lang: str = "en") -> list[str]:
    """One sentence per strategy: P(loss) with its interval, the downside profit, and each target's chance."""
    out = []
    for strategy, rows in table.groupby("strategy", sort=False):
        parts = []
        for row in rows.itertuples(index=False):
            value = metric_value(row.metric, str(row.unit), float(row.downside), lang)
            if metric_key(row.metric) == PROFIT:  # at any LTV window
                parts.append(t("risk.loss", lang, p=_interval(row, "p_loss", lang), downside=value))
            if math.isfinite(row.target):
                target = metric_value(row.metric, str(row.unit), float(row.target), lang)
                name = metric_name(row.metric, lang, window_months(table["metric"]))
                key = "risk.reach" if row.direction > 0 else "risk.at_most"
                parts.append(t(key, lang, metric=name, target=target, p=_interval(row, "p_target", lang)))
        n = int(rows["n_replications"].max())
        out.append(t("risk.sentence", lang, strategy=strategy, n=n, parts=t("risk.join", lang).join(parts)))
    return out


PARAMETERS = ("fixed", "calibrated", "draws")  # where each replication's parameters came from


def risk_section(table: pd.DataFrame, name: str, lang: str = "en", parameters: str = "fixed") -> str:
    """The markdown section: the sentences, what the chances hold (``parameters``, one of :data:`PARAMETERS`: the
    same in every replication, drawn from the calibration's sampling distribution, or rows of --parameter-draws),
    then one table row per strategy and metric."""
    lines = [f"## {t('risk.heading', lang, name=name)}", ""]
    lines += [f"- {s}" for s in summary_sentences(table, lang)]
    lines += ["", t("risk.method", lang), "", t(f"risk.parameters.{parameters}", lang), ""]
    header = [t(f"risk.col.{c}", lang) for c in ("strategy", "metric", "mean", "median", "downside", "p_target")]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in table.itertuples(index=False):
        unit = str(row.unit)
        cells = [
            str(row.strategy),
            metric_name(row.metric, lang, window_months(table["metric"])),
            metric_value(row.metric, unit, float(row.mean), lang),
            metric_value(row.metric, unit, float(row.median), lang),
            metric_value(row.metric, unit, float(row.downside), lang),
            _interval(row, "p_target", lang) if math.isfinite(row.target) else "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def console_lines(table: pd.DataFrame) -> list[str]:
    """The sentences, in English, for the terminal."""
    return [s.replace("**", "") for s in summary_sentences(table, "en")]
