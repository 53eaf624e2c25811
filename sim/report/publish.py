"""Drawing a run's figures and writing them with its report, from the run's tables alone.

A run publishes (:func:`publish`) from the :class:`~sim.report.tables.RunTables` it has just
written, and ``python -m sim.report RUN_DIR`` does the same from the files, so the rebuilt
report equals the original. Figures are drawn in worker processes; words come from
:mod:`sim.report.i18n`, and ``lang="zh"`` falls back to English with a warning when no CJK
font is installed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from matplotlib.figure import Figure

from sim.report import plots
from sim.report.document import build_report, render_html, render_markdown
from sim.report.tables import RunTables

FIGURES: tuple[str, ...] = (
    "comparison",
    "waterfall",
    "funnel",
    "profit",
    "survival",
    "response",
    "dose_response",
    "referral",
    "channels",
    "waves",
    "calendar",
    "accounts",
)


def _comparison(run: RunTables, lang: str) -> Figure | None:
    return plots.comparison_figure(
        run.summary, run.differences, run.replications, run.baseline, lang=lang, predictive=run.parameter_uncertainty
    )


def _waterfall(run: RunTables, lang: str) -> Figure | None:
    return None if run.costs is None else plots.waterfall_figure(run.costs, run.strategy_names, lang=lang)


def _funnel(run: RunTables, lang: str) -> Figure | None:
    return None if run.funnel is None else plots.funnel_figure(run.funnel, baseline=run.baseline, lang=lang)


def _profit(run: RunTables, lang: str) -> Figure | None:
    if run.curves is None:
        return None
    return plots.profit_figure(run.curves, baseline=run.baseline, horizon_days=run.horizon_days, lang=lang)


def _survival(run: RunTables, lang: str) -> Figure | None:
    if run.curves is None:
        return None
    window = run.dormancy_window_days
    return plots.survival_figure(run.curves, baseline=run.baseline, dormancy_window_days=window, lang=lang)


def _response(run: RunTables, lang: str) -> Figure | None:
    return None if run.curves is None else plots.response_figure(run.curves, baseline=run.baseline, lang=lang)


def _dose_response(run: RunTables, lang: str) -> Figure | None:
    touches = run.touches_per_week()
    if not (touches and plots.varies_touch_frequency(touches)):
        return None
    dose = plots.dose_table(run.summary, touches)
    return plots.dose_response_figure(dose, baseline=run.baseline, lang=lang)


def _referral(run: RunTables, lang: str) -> Figure | None:
    levers = {key: run.lever(key) for key in run.strategies["lever"] if str(key).startswith("referral.")}
    return plots.referral_figure(run.summary, lang=lang) if plots.varies_referral(levers) else None


def _channels(run: RunTables, lang: str) -> Figure | None:
    levers = {key: run.lever(key) for key in run.strategies["lever"] if str(key).startswith("touch.")}
    return plots.channels_figure(run.summary, run.curves, lang=lang) if plots.varies_channels(levers) else None


def _waves(run: RunTables, lang: str) -> Figure | None:
    if run.waves is None or run.waves.empty:
        return None
    return plots.waves_figure(run.waves, lang=lang, months=run.ltv_months)


def _calendar(run: RunTables, lang: str) -> Figure | None:
    has_campaigns = run.campaigns is not None and not run.campaigns.empty
    has_waves = run.waves is not None and not run.waves.empty
    if run.curves is None or not (has_campaigns or has_waves) or not plots.has_curve(run.curves, "adds_daily"):
        return None
    return plots.calendar_figure(run.curves, run.campaigns, run.waves, run.horizon_days, run.baseline, lang=lang)


def _accounts(run: RunTables, lang: str) -> Figure | None:
    if run.curves is None or run.accounts is None or not plots.accounts_relevant(run.accounts, run.account_levers()):
        return None
    return plots.accounts_figure(run.curves, run.accounts, run.baseline, lang=lang)


FIGURE_BUILDERS: dict[str, Callable[[RunTables, str], Figure | None]] = {
    "comparison": _comparison,
    "waterfall": _waterfall,
    "funnel": _funnel,
    "profit": _profit,
    "survival": _survival,
    "response": _response,
    "dose_response": _dose_response,
    "referral": _referral,
    "channels": _channels,
    "waves": _waves,
    "calendar": _calendar,
    "accounts": _accounts,
}  # file name -> builder; a builder returns None when the run's tables do not allow its figure


def render_figure(run: RunTables, name: str, lang: str) -> tuple[bytes, bytes] | None:
    """One figure as (PNG, SVG) bytes, or None when the run's tables do not allow it; runs in a worker."""
    from sim.report.writers import figure_bytes

    with plots.style(lang) as lang:
        fig = FIGURE_BUILDERS[name](run, lang)
        return None if fig is None else figure_bytes(fig)


def render_figures(run: RunTables, lang: str, n_jobs: int = -1) -> dict[str, tuple[bytes, bytes]]:
    """Every figure the run's tables allow, as (PNG, SVG) bytes, drawn in up to ``n_jobs`` processes."""
    from sim.run.workers import map_in_workers

    names = list(FIGURE_BUILDERS)
    rendered = map_in_workers(render_figure, [(run, name, lang) for name in names], n_jobs)
    return {name: images for name, images in zip(names, rendered, strict=True) if images is not None}


def publish(run_dir: Path, run: RunTables, n_jobs: int = 1, shown_as: Path | None = None) -> list[Path]:
    """Draw every figure (in up to ``n_jobs`` processes) and write it (PNG, SVG) with ``report.md`` and
    ``report.html`` into ``run_dir``; the report names the run's directory as ``shown_as`` (default ``run_dir``),
    for a run that writes into a staging folder first."""
    from sim.report.writers import write_figure_bytes, write_text

    with plots.style(run.lang) as lang:  # resolves the language once, warning here if Chinese has no font
        run = run.localised(lang)
        rendered = render_figures(run, lang, n_jobs)
    for name, (png, svg) in rendered.items():
        write_figure_bytes(run_dir, name, png, svg)
    images = {name: png for name, (png, _) in rendered.items()}
    blocks = build_report(run, list(images), lang, run_dir=str(shown_as or run_dir))
    paths = [write_text(run_dir / "report.md", render_markdown(blocks))]
    paths.append(write_text(run_dir / "report.html", render_html(blocks, images, lang)))
    return [p for name in images for p in (run_dir / f"{name}.png", run_dir / f"{name}.svg")] + paths
