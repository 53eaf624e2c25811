"""The one-page report as blocks (headings, paragraphs, tables, figures), rendered as Markdown and HTML.

:func:`build_report` orders what a planner reads: the question, the headline comparison with
95% intervals, the incremental value against the control arm, the strategies side by side,
the figures, every metric, and the assumptions with their sources. :func:`render_markdown`
and :func:`render_html` (self-contained: figures embedded as data URIs) write nothing.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from sim.config import CONTROL
from sim.report.headline import desk_warnings, headline
from sim.report.i18n import count, metric_name, metric_value, money, number, option_value, pct, t
from sim.report.tables import RunTables
from sim.run.kpis import gmv_decomposition
from sim.run.metrics import METRICS, SMS_MARKS_HOURS, as_in, definition

HEADLINE_ROWS: tuple[str, ...] = (  # incremental first; gross values stay, labelled as gross
    "incremental_net_profit_12m",
    "net_profit_12m",
    "payback_day",
    "members_acquired",
    "cac",
    "incremental_ltv",
    "ltv_12m",
    "incremental_ltv_to_cac",
    "ltv_to_cac",
    "incremental_roi",
    "roi",
    "monthly_churn",
)
INCREMENTAL_ROWS: tuple[str, ...] = (
    "brand_orders",
    "private_orders",
    "cannibalised_orders",
    "cannibalisation_rate",
    "incremental_margin",
    "incremental_ltv",
    "incremental_ltv_to_cac",
    "incremental_roi",
)
KEY_LEVERS: tuple[str, ...] = (
    "channel.card",
    "channel.sms",
    "hook.type",
    "hook.value_cny",
    "card.design",
    "card.cost_per_card_cny",
    "sms.cost_per_message_cny",
    "onboarding.unlimited",
    "onboarding.agents",
    "offer.name",
    "offer.subsidy_cny",
    "touch.touches_per_week",
    "touch.cap_per_week",
    "referral.enabled",
    "membership.enabled",
)


@dataclass(frozen=True)
class Block:
    """One piece of the report: a heading, a paragraph, a table or a figure."""

    kind: str  # "h1", "h2", "p", "table", "figure"
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    name: str = ""  # figure file name without extension


def _interval(metric: str, mean: float, low: float, high: float, lang: str) -> str:
    unit = definition(metric).unit
    value = metric_value(metric, unit, mean, lang)
    if pd.isna(low) or pd.isna(high):
        return value
    return f"{value} [{metric_value(metric, unit, low, lang)}, {metric_value(metric, unit, high, lang)}]"


def _signed(metric: str, value: float, lang: str) -> str:
    unit = definition(metric).unit
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    if unit.startswith("share"):
        return f"{sign}{number(abs(value) * 100.0, lang)} {t('report.pp', lang)}"
    return sign + metric_value(metric, unit, abs(value), lang)


def _diff(metric: str, row: pd.Series, lang: str) -> str:
    if pd.isna(row["mean_diff"]):
        return t("report.missing", lang)
    text = _signed(metric, float(row["mean_diff"]), lang)
    if pd.isna(row["ci_low"]) or pd.isna(row["ci_high"]):
        return text
    return f"{text} [{_signed(metric, float(row['ci_low']), lang)}, {_signed(metric, float(row['ci_high']), lang)}]"


def _prob(value: float, lang: str) -> str:
    return t("report.missing", lang) if pd.isna(value) else f"{float(value):.2f}"


def _column_name(run: RunTables, strategy: str, lang: str) -> str:
    if strategy == run.baseline:
        return t("report.baseline_suffix", lang, name=strategy)
    return t("report.control", lang) if strategy == CONTROL else strategy


def _metric_table(
    run: RunTables, metrics: Sequence[str], lang: str, *, with_differences: bool, control: bool = False
) -> Block:
    """Mean [95% interval] of each metric per strategy (and the control arm's, with ``control``), then the
    paired differences against the baseline."""
    metrics = [as_in(m, run.summary["metric"]) for m in metrics]  # named after the run's LTV window
    names = [*run.strategy_names, CONTROL] if control else run.strategy_names
    by = run.summary.set_index(["strategy", "metric"])
    diff = run.differences.set_index(["strategy", "metric"]) if not run.differences.empty else None
    others = [s for s in names if s != run.baseline] if with_differences and diff is not None else []
    header = [t("report.col.metric", lang)]
    header += [_column_name(run, s, lang) for s in names]
    for s in others:
        header += [t("report.col.diff", lang, strategy=s, baseline=run.baseline), t("report.col.prob", lang)]
    rows = []
    for metric in metrics:
        cells = [metric_name(metric, lang, run.ltv_months)]
        for s in names:
            r = by.loc[(s, metric)]
            cells.append(_interval(metric, r["mean"], r["ci_low"], r["ci_high"], lang))
        for s in others:
            assert diff is not None
            d = diff.loc[(s, metric)]
            cells += [_diff(metric, d, lang), _prob(d["prob_better"], lang)]
        rows.append(tuple(cells))
    return Block("table", header=tuple(header), rows=tuple(rows))


def _differences_table(run: RunTables, metrics: Sequence[str], lang: str) -> Block:
    metrics = [as_in(m, run.summary["metric"]) for m in metrics]  # named after the run's LTV window
    diff = run.differences.set_index(["strategy", "metric"])
    header = (
        t("report.col.metric", lang),
        t("report.col.strategy", lang),
        t("report.col.difference", lang, baseline=run.baseline),
        t("report.col.prob", lang),
    )
    rows = []
    for s in [s for s in run.strategy_names if s != run.baseline]:
        for metric in metrics:
            d = diff.loc[(s, metric)]
            name = metric_name(metric, lang, run.ltv_months)
            rows.append((name, s, _diff(metric, d, lang), _prob(d["prob_better"], lang)))
    return Block("table", header=header, rows=tuple(rows))


def _strategies_table(run: RunTables, lang: str) -> Block:
    names = run.strategy_names
    table = run.strategies.set_index("lever")
    differing = [k for k in table.index if table.loc[k, names].nunique() > 1] if len(names) > 1 else []
    keys = list(KEY_LEVERS) + [k for k in differing if k not in KEY_LEVERS]
    header = (
        t("report.col.lever", lang),
        *[t("report.baseline_suffix", lang, name=s) if s == run.baseline else s for s in names],
    )
    rows = []
    for key in keys:
        if key not in table.index:
            continue
        label = t(f"lever.{key}", lang) if f"lever.{key}" in _lever_keys() else key
        values = [option_value(str(table.loc[key, s]), lang) for s in names]
        if key in differing:
            values = [f"**{v}**" if v else "—" for v in values]
        rows.append((f"{label} (`{key}`)" if label != key else f"`{key}`", *values))
    return Block("table", header=header, rows=tuple(rows))


def _mean_and_interval(part: pd.DataFrame, quantity: str, fmt: Callable[[float], str], lang: str) -> str:
    row = part[part["quantity"] == quantity]
    if row.empty or pd.isna(row["mean"].iloc[0]):
        return t("report.missing", lang)
    mean, low, high = (float(row[c].iloc[0]) for c in ("mean", "ci_low", "ci_high"))
    return fmt(mean) if pd.isna(low) or pd.isna(high) else f"{fmt(mean)} [{fmt(low)}, {fmt(high)}]"


def _means(part: pd.DataFrame) -> dict[str, float]:
    return {str(q): float(v) for q, v in zip(part["quantity"], part["mean"], strict=True)}


def _wave_blocks(run: RunTables, lang: str) -> list[Block]:
    """The SMS waves: per strategy and wave, what was sent, what it brought, what it cost and earned."""
    if run.waves is None or run.waves.empty:
        return []
    header = (
        t("report.col.strategy", lang),
        t("report.col.wave", lang),
        t("report.col.hook", lang),
        t("report.col.sent_at", lang),
        t("report.col.messages", lang),
        t("report.col.delivered", lang),
        t("report.col.adds_marks", lang),
        t("report.col.members", lang),
        t("report.col.first_orders", lang),
        t("report.col.opted_out", lang),
        t("report.col.cost", lang),
        t("report.col.cost_per_member", lang),
        t("report.col.incremental_profit", lang),
    )
    rows = []
    keys = ["strategy", "wave", "hook", "send_day", "send_hour"]
    for (strategy, wave, hook, day, hour), part in run.waves.groupby(keys, sort=False):
        m = _means(part)
        kind, _, value = str(hook).partition(" ")
        sent_at = t("report.day_hour", lang, day=int(float(day)), hour=int(float(hour)))
        if m.get("filtered", 0.0) > 0:
            sent_at += " " + t("report.filtered", lang, share=pct(m["filtered"], lang, digits=0))
        rows.append(
            (
                str(strategy),
                str(wave),
                option_value(kind, lang) + (f" {value}" if value else ""),
                sent_at,
                count(m["sent"], lang),
                count(m["delivered"], lang),
                " / ".join(count(m[f"adds_{h}h"], lang) for h in SMS_MARKS_HOURS),
                count(m["members"], lang),
                count(m["first_orders"], lang),
                count(m["opted_out"], lang),
                money(m["cost_cny"], lang),
                money(m["cost_per_member_cny"], lang),
                _mean_and_interval(part, "incremental_profit_cny", lambda v: money(v, lang), lang),
            )
        )
    return [
        Block("h2", t("report.waves", lang)),
        Block("p", t("report.waves_note", lang, months=run.ltv_months)),
        Block("table", header=header, rows=tuple(rows)),
    ]


def _campaign_blocks(run: RunTables, lang: str) -> list[Block]:
    """The campaign calendar: per strategy and campaign, members added, spend, profit and the desk's busiest day."""
    if run.campaigns is None or run.campaigns.empty:
        return []
    header = (
        t("report.col.strategy", lang),
        t("report.col.campaign", lang),
        t("report.col.windows", lang),
        t("report.col.members", lang),
        t("report.col.first_orders", lang),
        t("report.col.spend", lang),
        t("report.col.incremental_profit", lang),
        t("report.col.peak", lang),
    )
    rows = []
    for (strategy, campaign, windows, _), part in run.campaigns.groupby(
        ["strategy", "campaign", "windows", "days"], sort=False
    ):
        m = _means(part)
        parts = str(windows).split(";")
        shown = ", ".join(parts[:3]) + (f", … ({len(parts)})" if len(parts) > 3 else "")
        peak = t("report.missing", lang)
        if pd.notna(m.get("peak_day", float("nan"))):
            busiest = [
                count(m["peak_requests"], lang),
                pct(m["peak_load"], lang, digits=0),
                count(m["peak_lost"], lang),
            ]
            peak = f"{t('report.day', lang, day=int(m['peak_day']))}: {', '.join(busiest)}"
        rows.append(
            (
                str(strategy),
                str(campaign),
                shown,
                count(m["members"], lang),
                count(m["first_orders"], lang),
                money(m["spend_cny"], lang),
                _mean_and_interval(part, "incremental_profit_cny", lambda v: money(v, lang), lang),
                peak,
            )
        )
    return [
        Block("h2", t("report.campaigns", lang)),
        Block("p", t("report.campaigns_note", lang, months=run.ltv_months)),
        Block("table", header=header, rows=tuple(rows)),
    ]


def _account_blocks(run: RunTables, lang: str) -> list[Block]:
    """The WeCom accounts, when they matter: the strategies differ in them, or some account filled."""
    from sim.report.plots.accounts import accounts_relevant

    if run.accounts is None or not accounts_relevant(run.accounts, run.account_levers()):
        return []
    header = (
        t("report.col.strategy", lang),
        t("report.col.accounts_start", lang),
        t("report.col.accounts_used", lang),
        t("report.col.capacity", lang),
        t("report.col.friends", lang),
        t("report.col.lost_to_caps", lang),
        t("report.col.first_full", lang),
    )
    rows = []
    for strategy, part in run.accounts.groupby("strategy", sort=False):
        m = _means(part)
        rows.append(
            (
                str(strategy),
                count(m["initial"], lang),
                count(m["used"], lang),
                count(m["capacity"], lang),
                count(m["friends"], lang),
                _mean_and_interval(part, "lost_to_caps", lambda v: count(v, lang), lang),
                t("report.never", lang) if pd.isna(m["first_full_day"]) else count(m["first_full_day"], lang),
            )
        )
    return [
        Block("h2", t("report.accounts", lang)),
        Block("p", t("report.accounts_note", lang)),
        Block("table", header=header, rows=tuple(rows)),
    ]


KPI_ROWS: tuple[str, ...] = ("k_factor", "fission_rate", "response_time_hours", "repurchase_cycle_days")


def _kpi_blocks(run: RunTables, lang: str) -> list[Block]:
    """The KPIs operators report (K-factor, fission rate, response time, repurchase cycle) and the private-domain
    GMV formula's factors per strategy (:func:`sim.run.kpis.gmv_decomposition`)."""
    blocks = [Block("h2", t("report.kpis", lang)), Block("p", t("report.kpis_note", lang))]
    blocks.append(_metric_table(run, KPI_ROWS, lang, with_differences=len(run.strategy_names) == 2))
    gmv = gmv_decomposition(run.replications).set_index("strategy")
    header = (t("report.col.gmv.factor", lang), *(_column_name(run, str(s), lang) for s in gmv.index))
    formats: dict[str, Callable[[float, str], str]] = {
        "traffic": count,
        "conversion_rate": pct,
        "fission_multiplier": number,
        "orders_per_member": number,
        "aov_cny": money,
        "private_gmv_cny": money,
    }
    rows = tuple((t(f"report.col.gmv.{c}", lang), *(fmt(v, lang) for v in gmv[c])) for c, fmt in formats.items())
    return [*blocks, Block("p", t("report.gmv_note", lang)), Block("table", header=header, rows=rows)]


def _lever_keys() -> set[str]:
    from sim.report.labels import TEXT

    return {k for k in TEXT if k.startswith("lever.")}


def build_report(run: RunTables, figures: Sequence[str], lang: str, run_dir: str = "RUN_DIR") -> list[Block]:
    """The report as blocks, in the order they are read."""
    blocks = [Block("h1", t("report.title", lang, name=run.name))]
    blocks.append(
        Block("p", f"**{headline(run.replications, run.summary, lang, predictive=run.parameter_uncertainty)}**")
    )
    blocks += [Block("p", f"*{line}*") for line in desk_warnings(run.summary, lang)]
    blocks += [Block("h2", t("report.question", lang)), Block("p", run.question)]
    blocks.append(Block("h2", t("report.headline", lang)))
    n = int(run.summary["n_replications"].max()) if len(run.summary) else 0
    blocks.append(Block("p", t("report.headline_note", lang, n=n, baseline=run.baseline)))
    if run.parameter_uncertainty:
        blocks.append(Block("p", t("uncertainty.note", lang)))
    two = len(run.strategy_names) == 2
    blocks.append(_metric_table(run, HEADLINE_ROWS, lang, with_differences=two))
    if len(run.strategy_names) > 2 and not run.differences.empty:
        blocks.append(_differences_table(run, HEADLINE_ROWS, lang))
    if CONTROL in set(run.summary["strategy"]):
        blocks += [Block("h2", t("report.incremental", lang)), Block("p", t("report.incremental_note", lang))]
        blocks.append(_metric_table(run, INCREMENTAL_ROWS, lang, with_differences=False, control=True))
    blocks += _kpi_blocks(run, lang)
    blocks += [Block("h2", t("report.strategies", lang)), Block("p", t("report.strategies_note", lang))]
    blocks.append(_strategies_table(run, lang))
    blocks += _wave_blocks(run, lang) + _campaign_blocks(run, lang) + _account_blocks(run, lang)
    blocks.append(Block("h2", t("report.figures", lang)))
    for name in figures:
        blocks.append(Block("figure", text=t(f"caption.{name}", lang, months=run.ltv_months), name=name))
    blocks += [Block("h2", t("report.all_metrics", lang)), Block("p", t("report.missing_note", lang))]
    blocks.append(_metric_table(run, list(METRICS), lang, with_differences=two))
    blocks += [Block("h2", t("report.assumptions", lang)), Block("p", t("report.assumptions_note", lang))]
    rows = tuple(
        (t(f"assume.{r['id']}", lang), f"`{r['values']}`", t(f"source.{r['source_id']}", lang))
        for _, r in run.assumptions.iterrows()
    )
    blocks.append(
        Block(
            "table",
            header=(t("report.col.quantity", lang), t("report.col.value", lang), t("report.col.source", lang)),
            rows=rows,
        )
    )
    blocks += [Block("h2", t("report.files", lang)), Block("p", t("report.files_note", lang, run_dir=run_dir))]
    return blocks


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(blocks: Sequence[Block]) -> str:
    """The report as Markdown; figures are linked as the PNG files beside it."""
    out: list[str] = []
    for b in blocks:
        if b.kind == "h1":
            out.append(f"# {b.text}")
        elif b.kind == "h2":
            out.append(f"## {b.text}")
        elif b.kind == "p":
            out.append(b.text)
        elif b.kind == "table":
            out.append("| " + " | ".join(_md_cell(h) for h in b.header) + " |")
            out.append("|" + "|".join("---" for _ in b.header) + "|")
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows]
        elif b.kind == "figure":
            out.append(f"![{b.name}]({b.name}.png)\n\n*{b.text}* ([SVG]({b.name}.svg))")
        out.append("")
    return "\n".join(out)


_INLINE = (
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"`(.+?)`"), r"<code>\1</code>"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"<em>\1</em>"),
)


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    for pattern, repl in _INLINE:
        out = pattern.sub(repl, out)
    return out


_CSS = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", -apple-system,
       "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.5; }
h1 { border-bottom: 2px solid #0072B2; padding-bottom: .2em; }
h2 { margin-top: 1.8em; color: #0072B2; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f2f6fa; }
td code { font-size: 0.85em; word-break: break-word; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; margin-top: .3em; }
"""

# After loading, count the figures that decoded (naturalWidth > 0): a browser test reads the attribute.
_SCRIPT = """
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var loaded = images.filter(function (img) { return img.complete && img.naturalWidth > 0; }).length;
  document.body.setAttribute("data-figures-loaded", loaded + "/" + images.length);
});
"""


def render_html(blocks: Sequence[Block], images: dict[str, bytes], lang: str) -> str:
    """The report as one self-contained HTML page: figures embedded as PNG data URIs, no external resources."""
    title = next((b.text for b in blocks if b.kind == "h1"), "report")
    body: list[str] = []
    for b in blocks:
        if b.kind in ("h1", "h2"):
            body.append(f"<{b.kind}>{_inline(b.text)}</{b.kind}>")
        elif b.kind == "p":
            body.append(f"<p>{_inline(b.text)}</p>")
        elif b.kind == "table":
            head = "".join(f"<th>{_inline(h)}</th>" for h in b.header)
            rows = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in b.rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif b.kind == "figure":
            data = base64.b64encode(images[b.name]).decode("ascii")
            body.append(
                f'<figure id="fig-{b.name}"><img src="data:image/png;base64,{data}" alt="{html.escape(b.text)}">'
                f"<figcaption>{_inline(b.text)}</figcaption></figure>"
            )
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n<script>{_SCRIPT}</script>\n</head>\n"
        f"<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
