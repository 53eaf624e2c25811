"""The report section of ``python -m sim.plan abtest`` (``abtest.md``), in English or Chinese.

Built from the command's tables only (``abtest.csv``, ``mde.csv``, ``holdout.csv``, ``power_check.csv``);
every word comes from :mod:`sim.report.labels` (keys ``abtest.*``).
"""

from __future__ import annotations

import math

import pandas as pd

from sim.report.i18n import metric_name, money, number, pct, t


def _metric(metric: str, lang: str) -> str:
    return t("abtest.metric.revenue_90d_cny", lang) if metric == "revenue_90d_cny" else metric_name(metric, lang)


def _value(metric: str, value: float, lang: str) -> str:
    return money(value, lang) if metric == "revenue_90d_cny" else pct(value, lang, digits=None)


def _diff(metric: str, value: float, lang: str) -> str:
    """A difference of shares in percentage points; of revenue in CNY."""
    if metric == "revenue_90d_cny" or not math.isfinite(value):
        return money(value, lang)
    return t("abtest.pp", lang, pp=f"{100.0 * value:+.2f}")


def _count(value: float, lang: str) -> str:
    return f"{value:,.0f}" if math.isfinite(value) else t("report.missing", lang)


def _name(strategy: str, names_zh: dict[str, str], lang: str) -> str:
    return names_zh.get(strategy, strategy) if lang == "zh" else strategy


def _days(value: float, lang: str) -> str:
    return t("abtest.days", lang, days=number(value, lang)) if math.isfinite(value) else t("report.missing", lang)


def abtest_markdown(tables: dict[str, pd.DataFrame], lang: str = "en", names_zh: dict[str, str] | None = None) -> str:
    """The section as markdown."""
    names = names_zh or {}
    design, mde, holdout, checks = (tables[k] for k in ("abtest.csv", "mde.csv", "holdout.csv", "power_check.csv"))
    metric = str(design["metric"].iloc[0])
    unit = t(f"abtest.unit.{design['unit'].iloc[0]}", lang)
    first = design.iloc[0]
    lines = [f"## {t('abtest.title', lang)}", ""]
    lines.append(
        t(
            "abtest.intro",
            lang,
            metric=_metric(metric, lang),
            unit=unit,
            alpha=pct(float(first["alpha"]), lang),
            power=pct(float(first["power"]), lang),
            test=t(f"abtest.test.{'share' if first['effect_size_kind'] == 'cohen_h' else 'mean'}", lang),
        )
    )
    lines += ["", "| " + " | ".join(t(f"abtest.col.{c}", lang) for c in _DESIGN_COLS) + " |"]
    lines.append("|" + "---|" * len(_DESIGN_COLS))
    for row in design.itertuples(index=False):
        cells = [
            f"{_name(row.strategy_a, names, lang)} → {_name(row.strategy_b, names, lang)}",
            _value(metric, row.mean_a, lang),
            _value(metric, row.mean_b, lang),
            f"{_diff(metric, row.effect, lang)} [{_diff(metric, row.effect_ci_low, lang)}, "
            f"{_diff(metric, row.effect_ci_high, lang)}]",
            _count(row.n_per_arm, lang),
            _days(row.days_needed, lang),
            money(row.test_cost_cny, lang),
            f"{pct(row.empirical_power, lang)} ± {pct(1.96 * row.empirical_power_se, lang)}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    for row in design.itertuples(index=False):
        if row.note:
            lines += ["", t("abtest.note", lang, a=row.strategy_a, b=row.strategy_b, note=row.note)]
    lines += ["", f"### {t('abtest.mde.title', lang)}", ""]
    for row in mde.itertuples(index=False):
        lines.append(
            "- "
            + t(
                "abtest.mde.line",
                lang,
                budget=money(row.budget_cny, lang),
                a=_name(row.strategy_a, names, lang),
                b=_name(row.strategy_b, names, lang),
                n_a=_count(row.n_a, lang),
                n_b=_count(row.n_b, lang),
                unit=unit,
                mde=_diff(metric, row.mde, lang),
                relative=pct(row.mde_relative, lang),
                days=_days(row.days_needed, lang),
                verdict=t("abtest.mde.yes" if row.detectable else "abtest.mde.no", lang),
            )
        )
    lines += ["", f"### {t('abtest.holdout.title', lang)}", "", t("abtest.holdout.formula", lang), ""]
    for row in holdout.itertuples(index=False):
        if math.isfinite(row.holdout_buyers):
            text = t("abtest.holdout.ok", lang, n=_count(row.holdout_buyers, lang), share=pct(row.holdout_share, lang))
        else:
            text = t("abtest.holdout.none", lang, best=pct(row.best_margin_in_horizon, lang))
        lines.append(
            "- "
            + t(
                "abtest.holdout.line",
                lang,
                strategy=_name(row.strategy, names, lang),
                value=pct(row.value, lang),
                margin=pct(row.margin, lang),
                result=text,
                buyers=_count(row.buyers_needed_50_50, lang),
                horizons=number(row.horizons_needed_50_50, lang),
            )
        )
    lines += ["", f"### {t('abtest.check.title', lang)}", ""]
    done = checks[checks["empirical_power"].notna()] if not checks.empty else checks
    within = int(done["within_3_points"].sum()) if not done.empty else 0
    lines.append(t("abtest.check.summary", lang, within=within, total=len(done), reps=int(first["check_reps"])))
    lines.append("")
    for row in done.itertuples(index=False):
        lines.append(
            "- "
            + t(
                "abtest.check.line",
                lang,
                design=t(f"abtest.design.{row.design}", lang),
                factor=number(row.size_factor, lang),
                n_a=_count(row.n_a, lang),
                n_b=_count(row.n_b, lang),
                nominal=pct(row.nominal_power, lang),
                empirical=pct(row.empirical_power, lang),
                se=pct(row.se, lang),
                verdict=t("abtest.check.ok" if row.within_3_points else "abtest.check.off", lang),
            )
        )
    size = design[design["empirical_size"].notna()]
    for row in size.itertuples(index=False):
        lines.append(
            "- " + t("abtest.check.size", lang, rate=pct(row.empirical_size, lang), se=pct(row.empirical_size_se, lang))
        )
    lines += ["", "![](abtest_power.png)", ""]
    return "\n".join(lines)


_DESIGN_COLS = ("pair", "mean_a", "mean_b", "effect", "n_per_arm", "days", "cost", "empirical")
