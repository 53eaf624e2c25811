"""Console output: a progress bar while replications run and the comparison as a table."""

from __future__ import annotations

import itertools
import math
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.report.headline import desk_warnings, headline
from sim.report.i18n import metric_name, t
from sim.report.tables import RunTables
from sim.run.metrics import METRICS, as_in


@contextmanager
def progress(total: int, label: str, *, enabled: bool = True) -> Iterator[Callable[[], None]]:
    """Show a progress bar of ``total`` steps on a terminal, or a plain line per step when the output goes to a file
    or a pipe (where a bar would show nothing until the end); yields the function that advances it by one."""
    if not enabled:
        yield lambda: None
        return
    console = Console(stderr=True)
    if not console.is_terminal:
        start, done = time.monotonic(), itertools.count(1)

        def line() -> None:
            print(f"{label}: {next(done)} of {total} finished ({time.monotonic() - start:.0f} s)", file=sys.stderr)

        yield line
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def _fmt(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing"  # the summary's empty cell
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) >= 0.001 or value == 0 else f"{value:.1e}"


def print_comparison(run: RunTables, out_dir: Path) -> None:
    """Print each metric's mean and 95% interval per strategy and the paired differences, then the headline (the
    verdict on incremental net profit, the same sentence as the report's first) and any onboarding warning; words in
    the run's report language."""
    lang = run.lang
    run = run.localised(lang)
    console = Console() if Console().is_terminal else Console(width=200)
    names = run.strategy_names
    baseline = run.baseline
    others = [s for s in names if s != baseline]
    table = Table(title=f"{run.name}: {run.question}", title_justify="left")
    table.add_column(t("report.col.metric", lang))
    for s in names:
        table.add_column(t("report.baseline_suffix", lang, name=s) if s == baseline else s, justify="right")
    for s in others:
        table.add_column(f"{s} − {baseline}", justify="right")
        table.add_column(t("report.col.prob", lang), justify="right")
    by = run.summary.set_index(["strategy", "metric"])
    diff = run.differences.set_index(["strategy", "metric"])
    for metric in (as_in(m, run.summary["metric"]) for m in METRICS):  # named after the run's LTV window
        cells = [metric_name(metric, lang, run.ltv_months) if lang != "en" else metric]
        for s in names:
            r = by.loc[(s, metric)]
            cells.append(_interval(metric, r["mean"], r["ci_low"], r["ci_high"], lang))
        for s in others:
            d = diff.loc[(s, metric)]
            cells.append(f"{_fmt(d['mean_diff'])} [{_fmt(d['ci_low'])}, {_fmt(d['ci_high'])}]")
            cells.append(_fmt(d["prob_better"]))
        table.add_row(*cells)
    console.print(table)
    n = int(run.summary["n_replications"].max()) if len(run.summary) else 0
    console.print(t("console.note", lang, n=n, out_dir=out_dir))
    if run.parameter_uncertainty:
        console.print(t("uncertainty.note", lang))
    console.print(headline(run.replications, run.summary, lang, predictive=run.parameter_uncertainty), style="bold")
    for line in desk_warnings(run.summary, lang):
        console.print(line, style="yellow")
    if (out_dir / "report.html").is_file():
        console.print(t("console.report", lang, path=out_dir / "report.html", out_dir=out_dir))


def _interval(metric: str, mean: float, low: float, high: float, lang: str) -> str:
    if metric == "payback_day" and not math.isfinite(mean):
        return t("report.not_paid_back", lang)
    return f"{_fmt(mean)} [{_fmt(low)}, {_fmt(high)}]"
