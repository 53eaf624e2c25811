"""The run's figures and one-page report, built from the run directory's tables alone.

``python -m sim.report RUN_DIR [--lang en|zh]`` rebuilds every figure, ``report.md`` and a
self-contained ``report.html`` (figures embedded as data URIs) from the files a run wrote,
without re-simulating. A run builds them the same way (:func:`publish`), from the same
:class:`RunTables` it has just written, so the rebuilt report equals the original.

The report holds the question, the strategies side by side, the headline comparison with
95% intervals, the figures, every metric, and the assumptions used with their sources.
Words come from :mod:`sim.i18n`; ``lang="zh"`` writes the report and every figure label in
Chinese, or English with a warning when no CJK font is installed.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import html
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from matplotlib.figure import Figure

from sim import plots
from sim.experiment import Experiment
from sim.i18n import metric_name, metric_value, number, resolve_lang, t
from sim.metrics import CONTROL, METRICS

FIGURES: tuple[str, ...] = ("comparison", "funnel", "profit", "survival", "response", "dose_response")
HEADLINE_ROWS: tuple[str, ...] = (
    "members_acquired",
    "cac",
    "ltv_12m",
    "incremental_ltv",
    "ltv_to_cac",
    "incremental_ltv_to_cac",
    "monthly_churn",
    "payback_day",
    "roi",
    "incremental_roi",
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
TOUCH_LEVER = "touch.touches_per_week"
TABLE_FILES: dict[str, str] = {
    "replications": "replications.parquet",
    "differences": "differences.csv",
    "funnel": "funnel.csv",
    "curves": "curves.parquet",
    "strategies": "strategies.csv",
    "assumptions": "assumptions.csv",
}
EXIT_BAD_INPUT = 2


# --------------------------------------------------------------------------- the run's tables


@dataclass(frozen=True)
class RunTables:
    """Everything the figures and the report are drawn from: a run directory's files, in memory."""

    name: str
    question: str
    baseline: str
    lang: str
    n_replications: int
    seed: int
    horizon_days: int
    summary: pd.DataFrame
    differences: pd.DataFrame
    replications: pd.DataFrame
    funnel: pd.DataFrame | None
    curves: pd.DataFrame | None
    strategies: pd.DataFrame  # lever, then one column per strategy, in the experiment's order
    assumptions: pd.DataFrame  # id, quantity, values, source

    @property
    def strategy_names(self) -> list[str]:
        """The strategies in the experiment's order."""
        return [c for c in self.strategies.columns if c != "lever"]

    def lever(self, key: str) -> dict[str, str]:
        """One lever's value (as text) per strategy; empty if the lever is unknown."""
        rows = self.strategies[self.strategies["lever"] == key]
        if rows.empty:
            return {}
        return {s: str(rows.iloc[0][s]) for s in self.strategy_names}

    def touches_per_week(self) -> dict[str, float]:
        """Touches per week of each strategy."""
        return {s: float(v) for s, v in self.lever(TOUCH_LEVER).items()}


def meta_from_config(config: dict[str, Any]) -> dict[str, Any]:
    """The report's settings and the experiment's identity from a resolved config (``config_resolved.yaml``)."""
    exp, run = config.get("experiment") or {}, config.get("run") or {}
    report = config.get("report") or {}
    return {
        "name": str(exp.get("name", "")),
        "question": str(exp.get("question", "")),
        "baseline": str(exp.get("baseline", "")),
        "lang": str(report.get("lang", "en")),
        "n_replications": int(run.get("n_replications", 0)),
        "seed": int(run.get("seed", 0)),
        "horizon_days": int(run.get("horizon_days", 0)),
    }


def _flatten(value: Any, prefix: str, out: dict[str, str]) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _flatten(getattr(value, f.name), f"{prefix}.{f.name}" if prefix else f.name, out)
    elif isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}", out)
    elif isinstance(value, Enum):
        out[prefix] = str(value.value)
    elif isinstance(value, bool):
        out[prefix] = "true" if value else "false"
    elif value is None:
        out[prefix] = ""
    else:
        out[prefix] = str(value)


def strategy_table(experiment: Experiment) -> pd.DataFrame:
    """Every lever of every strategy, side by side: ``lever`` then one column per strategy (values as text)."""
    flat = {}
    for name, strategy in experiment.strategies.items():
        levers: dict[str, str] = {}
        _flatten(strategy, "", levers)
        levers.pop("name", None)
        flat[name] = levers
    keys = list(next(iter(flat.values())))
    return pd.DataFrame({"lever": keys, **{name: [levers[k] for k in keys] for name, levers in flat.items()}})


def _platform_text(experiment: Experiment) -> str:
    """Buyer shares, each platform's economics, private order costs and the first-order cannibalisation."""
    shared, offer = experiment.shared, experiment.strategies[experiment.baseline].offer
    plat, acc = shared.platform, shared.accounting
    parts = [f"platform.buyer_share={dict(plat.buyer_share)}"]
    for name in plat.buyer_share:
        m = plat.economics[name]
        parts.append(
            f"{name}: commission_rate={m.commission_rate}, ads_cost_per_order_cny={m.ads_cost_per_order_cny}, "
            f"gross_margin_rate={m.gross_margin_rate}, private_share={m.private_share}"
        )
    parts.append(f"accounting.shipping_cost_per_order_cny={acc.shipping_cost_per_order_cny}")
    parts.append(f"accounting.payment_fee_rate={acc.payment_fee_rate}")
    parts.append(f"offer.first_order_cannibalisation={offer.first_order_cannibalisation}")
    return "; ".join(parts)


def assumption_table(experiment: Experiment) -> pd.DataFrame:
    """The assumptions behind the run (shared settings and the baseline strategy), with their sources."""
    from sim.capture import card_add_prob, sms_add_prob

    s = experiment.strategies[experiment.baseline]
    pop, acc = experiment.shared.population, experiment.shared.accounting
    strategies = experiment.strategies.values()
    first_card = "; ".join(f"card_add_prob[{x.name}]={card_add_prob(x.hook, x.card):.2%}" for x in strategies)
    hook_types = list(dict.fromkeys(x.hook.type.value for x in strategies))
    responses = "; ".join(
        f"card.hook_response.{h}: max_add_prob={s.card.hook_response[h].max_add_prob}, "
        f"value_scale_cny={s.card.hook_response[h].value_scale_cny}"
        for h in hook_types
    )
    hooks = "; ".join(
        f"{x.name}: hook.type={x.hook.type.value}, hook.value_cny={x.hook.value_cny:g}" for x in strategies
    )

    def kv(prefix: str, obj: Any, keys: Sequence[str]) -> str:
        return "; ".join(f"{prefix}.{k}={getattr(obj, k)}" for k in keys)

    lift = ", ".join(f"{k} {v:g}" for k, v in pop.touch_response.lift.items())
    risk = ", ".join(f"{k} {v:g}" for k, v in pop.touch_response.delete_risk.items())
    rows = [
        (
            "card_add_rate",
            f"{first_card}; card.floor_add_prob={s.card.floor_add_prob}; {responses}; "
            f"card.design={s.card.design.value} (x{s.card.design_multiplier[s.card.design.value]}); "
            f"card.repeat_card_factor={s.card.repeat_card_factor}",
            "card_add_rate",
        ),
        ("hook", hooks, "hook"),
        (
            "sms",
            f"sms_add_prob={sms_add_prob(s.sms):.2%}; "
            + kv("sms", s.sms, ("click_prob", "intercept_prob", "scene_switch_prob", "cost_per_message_cny")),
            "sms",
        ),
        ("repeat", kv("population.repeat", pop.repeat, ("r", "alpha_days", "a", "b")), "repeat"),
        ("spend", kv("population.spend", pop.spend, ("p", "q", "gamma_cny")), "spend"),
        ("unsubscribe", kv("population.unsubscribe", pop.unsubscribe, ("alpha", "beta", "period_days")), "unsubscribe"),
        (
            "touch_response",
            f"lift: {lift}; delete_risk: {risk}; "
            f"population.touch_tolerance_per_week={pop.touch_tolerance_per_week}; "
            f"touch.touches_per_week={s.touch.touches_per_week}",
            "touch_response",
        ),
        (
            "onboarding",
            kv(
                "onboarding",
                s.onboarding,
                ("agents", "work_start_hour", "work_end_hour", "handling_minutes", "accounts"),
            )
            + f"; onboarding.daily_add_limit_per_account={s.onboarding.daily_add_limit_per_account}"
            + f"; onboarding.cost_per_agent_day_cny={s.onboarding.cost_per_agent_day_cny}"
            + f"; population.patience_hours={pop.patience_hours}",
            "assumption",
        ),
        (
            "first_order",
            kv("offer", s.offer, ("first_order_prob", "first_order_mean_days", "subsidy_cny")),
            "first_order",
        ),
        (
            "referral",
            kv("referral", s.referral, ("enabled", "invite_prob", "friends_per_invite", "accept_prob", "reward_cny")),
            "assumption",
        ),
        (
            "margins",
            kv(
                "accounting",
                acc,
                ("gross_margin_rate", "service_cost_per_order_cny", "discount_rate_annual", "dormancy_window_days"),
            ),
            "assumption",
        ),
        ("volume", f"population.buyers_per_year={pop.buyers_per_year}", "assumption"),
        ("platform", _platform_text(experiment), "assumption"),
    ]
    return pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "quantity": [t(f"assume.{r[0]}", "en") for r in rows],
            "values": [r[1] for r in rows],
            "source_id": [r[2] for r in rows],
            "source": [t(f"source.{r[2]}", "en") for r in rows],
        }
    )


def load_run(run_dir: Path | str, lang: str | None = None) -> RunTables:
    """Read a run directory's tables and settings; ``lang`` overrides the run's ``report.lang``."""
    run_dir = Path(run_dir)
    if not (run_dir / "summary.csv").is_file():
        raise FileNotFoundError(f"{run_dir}: no summary.csv, so not a finished run directory")
    config = yaml.safe_load((run_dir / "config_resolved.yaml").read_text(encoding="utf-8"))
    meta = meta_from_config(config)
    if lang is not None:
        meta["lang"] = lang
    text = {"strategy": str, "baseline": str}

    def optional(name: str) -> pd.DataFrame | None:
        path = run_dir / TABLE_FILES[name]
        if not path.is_file():
            return None
        if path.suffix == ".parquet":
            df = pd.read_parquet(path)
            return df.astype({"strategy": str})
        return pd.read_csv(path, dtype=text)

    strategies = pd.read_csv(run_dir / TABLE_FILES["strategies"], dtype=str, keep_default_na=False)
    assumptions = pd.read_csv(run_dir / TABLE_FILES["assumptions"], dtype=str, keep_default_na=False)
    return RunTables(
        **meta,
        summary=pd.read_csv(run_dir / "summary.csv", dtype=text),
        differences=pd.read_csv(run_dir / TABLE_FILES["differences"], dtype=text),
        replications=pd.read_parquet(run_dir / TABLE_FILES["replications"]).astype({"strategy": str}),
        funnel=optional("funnel"),
        curves=optional("curves"),
        strategies=strategies,
        assumptions=assumptions,
    )


# --------------------------------------------------------------------------- figures


def _comparison(run: RunTables, lang: str) -> Figure | None:
    return plots.comparison_figure(run.summary, run.differences, run.baseline, lang=lang)


def _funnel(run: RunTables, lang: str) -> Figure | None:
    return None if run.funnel is None else plots.funnel_figure(run.funnel, baseline=run.baseline, lang=lang)


def _profit(run: RunTables, lang: str) -> Figure | None:
    if run.curves is None:
        return None
    return plots.profit_figure(run.curves, baseline=run.baseline, horizon_days=run.horizon_days, lang=lang)


def _survival(run: RunTables, lang: str) -> Figure | None:
    return None if run.curves is None else plots.survival_figure(run.curves, baseline=run.baseline, lang=lang)


def _response(run: RunTables, lang: str) -> Figure | None:
    return None if run.curves is None else plots.response_figure(run.curves, baseline=run.baseline, lang=lang)


def _dose_response(run: RunTables, lang: str) -> Figure | None:
    touches = run.touches_per_week()
    if not (touches and plots.varies_touch_frequency(touches)):
        return None
    dose = plots.dose_table(run.summary, touches)
    return plots.dose_response_figure(dose, baseline=run.baseline, lang=lang)


FIGURE_BUILDERS: dict[str, Callable[[RunTables, str], Figure | None]] = {
    "comparison": _comparison,
    "funnel": _funnel,
    "profit": _profit,
    "survival": _survival,
    "response": _response,
    "dose_response": _dose_response,
}  # file name -> builder; a builder returns None when the run's tables do not allow its figure


def render_figure(run: RunTables, name: str, lang: str) -> tuple[bytes, bytes] | None:
    """One figure as (PNG, SVG) bytes, or None when the run's tables do not allow it; runs in a worker."""
    from sim.writers import figure_bytes

    with plots.style(lang) as lang:
        fig = FIGURE_BUILDERS[name](run, lang)
        return None if fig is None else figure_bytes(fig)


def render_figures(run: RunTables, lang: str, n_jobs: int = -1) -> dict[str, tuple[bytes, bytes]]:
    """Every figure the run's tables allow, as (PNG, SVG) bytes, drawn in up to ``n_jobs`` processes."""
    from sim.experiment import map_in_workers

    names = list(FIGURE_BUILDERS)
    rendered = map_in_workers(render_figure, [(run, name, lang) for name in names], n_jobs)
    return {name: images for name, images in zip(names, rendered, strict=True) if images is not None}


# --------------------------------------------------------------------------- the document


@dataclass(frozen=True)
class Block:
    """One piece of the report: a heading, a paragraph, a table or a figure."""

    kind: str  # "h1", "h2", "p", "table", "figure"
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    name: str = ""  # figure file name without extension


def _interval(metric: str, mean: float, low: float, high: float, lang: str) -> str:
    unit = METRICS[metric].unit
    value = metric_value(metric, unit, mean, lang)
    if pd.isna(low) or pd.isna(high):
        return value
    return f"{value} [{metric_value(metric, unit, low, lang)}, {metric_value(metric, unit, high, lang)}]"


def _signed(metric: str, value: float, lang: str) -> str:
    unit = METRICS[metric].unit
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
        cells = [metric_name(metric, lang)]
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
            rows.append((metric_name(metric, lang), s, _diff(metric, d, lang), _prob(d["prob_better"], lang)))
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
        values = [str(table.loc[key, s]) for s in names]
        if key in differing:
            values = [f"**{v}**" for v in values]
        rows.append((f"{label} (`{key}`)" if label != key else f"`{key}`", *values))
    return Block("table", header=header, rows=tuple(rows))


def _lever_keys() -> set[str]:
    from sim.i18n import TEXT

    return {k for k in TEXT if k.startswith("lever.")}


def build_report(run: RunTables, figures: Sequence[str], lang: str, run_dir: str = "RUN_DIR") -> list[Block]:
    """The report as blocks, in the order they are read."""
    blocks = [Block("h1", t("report.title", lang, name=run.name))]
    blocks += [Block("h2", t("report.question", lang)), Block("p", run.question)]
    blocks.append(Block("h2", t("report.headline", lang)))
    blocks.append(Block("p", f"**{plots.headline(run.summary, run.baseline, lang)}**"))
    n = int(run.summary["n_replications"].max()) if len(run.summary) else 0
    blocks.append(Block("p", t("report.headline_note", lang, n=n, baseline=run.baseline)))
    two = len(run.strategy_names) == 2
    blocks.append(_metric_table(run, HEADLINE_ROWS, lang, with_differences=two))
    if len(run.strategy_names) > 2 and not run.differences.empty:
        blocks.append(_differences_table(run, HEADLINE_ROWS, lang))
    if CONTROL in set(run.summary["strategy"]):
        blocks += [Block("h2", t("report.incremental", lang)), Block("p", t("report.incremental_note", lang))]
        blocks.append(_metric_table(run, INCREMENTAL_ROWS, lang, with_differences=False, control=True))
    blocks += [Block("h2", t("report.strategies", lang)), Block("p", t("report.strategies_note", lang))]
    blocks.append(_strategies_table(run, lang))
    blocks.append(Block("h2", t("report.figures", lang)))
    for name in figures:
        blocks.append(Block("figure", text=t(f"caption.{name}", lang), name=name))
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


# --------------------------------------------------------------------------- rendering


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


# --------------------------------------------------------------------------- publishing


def publish(run_dir: Path, run: RunTables, n_jobs: int = 1) -> list[Path]:
    """Draw every figure (in up to ``n_jobs`` processes) and write it (PNG, SVG) with ``report.md`` and
    ``report.html`` into ``run_dir``."""
    from sim.writers import write_figure_bytes, write_text

    with plots.style(run.lang) as lang:  # resolves the language once, warning here if Chinese has no font
        rendered = render_figures(run, lang, n_jobs)
    for name, (png, svg) in rendered.items():
        write_figure_bytes(run_dir, name, png, svg)
    images = {name: png for name, (png, _) in rendered.items()}
    blocks = build_report(run, list(images), lang, run_dir=str(run_dir))
    paths = [write_text(run_dir / "report.md", render_markdown(blocks))]
    paths.append(write_text(run_dir / "report.html", render_html(blocks, images, lang)))
    return [p for name in images for p in (run_dir / f"{name}.png", run_dir / f"{name}.svg")] + paths


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.report RUN_DIR [--lang en|zh]``: rebuild a run's figures and report from its files."""
    import matplotlib

    matplotlib.use("Agg")
    parser = argparse.ArgumentParser(
        prog="python -m sim.report",
        description="Rebuild a run's figures, report.md and report.html from its files, without re-simulating.",
    )
    parser.add_argument("run_dir", type=Path, help="a run directory written by python -m sim")
    parser.add_argument("--lang", choices=["en", "zh"], default=None, help="language (default: the run's report.lang)")
    args = parser.parse_args(argv)
    try:
        run = load_run(args.run_dir, lang=args.lang)
        resolve_lang(run.lang)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    paths = publish(args.run_dir, run)
    print(f"wrote {len(paths)} files to {args.run_dir}: report.md, report.html and the figures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
