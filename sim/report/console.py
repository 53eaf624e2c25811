"""Console output: a progress bar while replications run and the comparison as a table."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.config import Experiment
from sim.run.metrics import METRICS


@contextmanager
def progress(total: int, label: str, *, enabled: bool = True) -> Iterator[Callable[[], None]]:
    """Show a progress bar of ``total`` steps; yields the function that advances it by one."""
    if not enabled:
        yield lambda: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def _fmt(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) >= 0.001 or value == 0 else f"{value:.1e}"


def print_comparison(experiment: Experiment, summary: pd.DataFrame, differences: pd.DataFrame, out_dir: Path) -> None:
    """Print each metric's mean and 95% interval per strategy, and the paired difference."""
    console = Console() if Console().is_terminal else Console(width=200)
    names = list(experiment.strategies)
    others = [s for s in names if s != experiment.baseline]
    table = Table(title=f"{experiment.name}: {experiment.question}", title_justify="left")
    table.add_column("metric")
    for s in names:
        table.add_column(f"{s}{' (baseline)' if s == experiment.baseline else ''}", justify="right")
    for s in others:
        table.add_column(f"{s} - {experiment.baseline}", justify="right")
        table.add_column("P(better)", justify="right")
    by = summary.set_index(["strategy", "metric"])
    diff = differences.set_index(["strategy", "metric"])
    for metric in METRICS:
        cells = [metric]
        for s in names:
            r = by.loc[(s, metric)]
            cells.append(f"{_fmt(r['mean'])} [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]")
        for s in others:
            d = diff.loc[(s, metric)]
            cells.append(f"{_fmt(d['mean_diff'])} [{_fmt(d['ci_low'])}, {_fmt(d['ci_high'])}]")
            cells.append(_fmt(d["prob_better"]))
        table.add_row(*cells)
    console.print(table)
    n = int(summary["n_replications"].max()) if len(summary) else 0
    console.print(f"{n} replications on common random numbers; 95% intervals. Results in {out_dir}")
    console.print(
        "incremental_*: against the control arm (no capture, same buyers), whose own values are in summary.csv"
    )
    if (out_dir / "report.html").is_file():
        console.print(f"Report: {out_dir / 'report.html'} (rebuild: python -m sim.report {out_dir})")
