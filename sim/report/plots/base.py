"""The one figure style and the helpers every figure shares: colours, input checks, means, takeaway titles."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.report.i18n import cjk_font, has_cjk, resolve_lang

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")


@contextmanager
def style(lang: str = "en") -> Iterator[str]:
    """The one figure style; yields the language actually used (``en`` when ``zh`` has no CJK font).

    Fonts are named, not generic, so texts created here keep their font wherever they are drawn. A CJK font,
    where there is one, comes first in Chinese and as the fallback in English, whose figures may still carry
    names the operator wrote in Chinese (a shift, a wave, a campaign).
    """
    lang = resolve_lang(lang)
    font = cjk_font()
    families = ["DejaVu Sans"] if font is None else [font, "DejaVu Sans"] if lang == "zh" else ["DejaVu Sans", font]
    rc = {
        "font.family": families,
        "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "grid.linewidth": 0.6,
        "axes.titlesize": 11,
        "axes.titleweight": "bold",
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "legend.frameon": False,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "svg.fonttype": "path",
        "axes.unicode_minus": lang != "zh",
    }
    with plt.rc_context(rc):  # type: ignore[arg-type]
        yield lang


def strategy_colours(strategies: Sequence[str]) -> dict[str, str]:
    """The colour of each strategy, by its position."""
    return {s: OKABE_ITO[i % len(OKABE_ITO)] for i, s in enumerate(strategies)}


def require_columns(df: pd.DataFrame, columns: list[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} lacks columns {missing}")
    if df.empty:
        raise ValueError(f"{what} is empty")


def strategies_in(df: pd.DataFrame) -> list[str]:
    return [str(s) for s in pd.unique(df["strategy"])]


def mean_curve(curves: pd.DataFrame, curve: str) -> pd.DataFrame:
    """One curve's mean over replications and the 95% t-interval of that mean: strategy, x, mean, low, high."""
    from scipy import special

    require_columns(curves, ["strategy", "replication", "curve", "x", "value"], "curves")
    rows = curves[curves["curve"] == curve]
    if rows.empty:
        raise ValueError(f"curves has no rows for curve {curve!r}")
    order = strategies_in(rows)
    g = rows.groupby(["strategy", "x"], sort=False)["value"]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    q = np.where(out["n"] > 1, special.stdtrit(np.maximum(out["n"] - 1, 1), 0.975), np.nan)
    half = q * out["sd"].to_numpy(dtype=float) / np.sqrt(out["n"].to_numpy(dtype=float))
    out["low"], out["high"] = out["mean"] - half, out["mean"] + half
    out["strategy"] = pd.Categorical(out["strategy"], categories=order, ordered=True)
    out = out.sort_values(["strategy", "x"], kind="stable").reset_index(drop=True)
    out["strategy"] = out["strategy"].astype(str)
    return out[["strategy", "x", "mean", "low", "high"]]


def pick_best(values: dict[str, float], baseline: str | None, direction: int = +1) -> tuple[str | None, str | None]:
    """The best strategy and the one it is compared with: the baseline, or the runner-up when best is the baseline.

    ``direction`` is +1 when higher is better, -1 when lower is; strategies with a missing value are never best.
    """
    finite = {s: v for s, v in values.items() if v is not None and math.isfinite(v)}
    if not finite:
        return None, None
    ranked = sorted(finite, key=lambda s: -direction * finite[s])
    best = ranked[0]
    others = [s for s in values if s != best]
    if not others:
        return best, None
    if baseline in others:
        return best, baseline
    return best, (ranked[1] if len(ranked) > 1 else others[0])


def _units(text: str) -> float:
    """Width of ``text`` in Latin characters (a CJK character is about two)."""
    return sum(1.8 if has_cjk(ch) else 1.0 for ch in text)


def wrap(text: str, limit: float) -> str:
    """Break ``text`` into lines of at most ``limit`` Latin-character widths, at spaces or CJK punctuation."""
    if _units(text) <= limit:
        return text
    lines, current = [], ""
    for token in re.split(r"(?<=[\s，；：])", text):
        if current and _units(current + token) > limit:
            lines.append(current.rstrip())
            current = token
        else:
            current += token
    lines.append(current.rstrip())
    return "\n".join(line for line in lines if line)


def set_takeaway(ax: Axes, text: str) -> None:
    """Title an Axes with its takeaway, wrapped to the Axes' width."""
    root: object
    try:
        root = ax.get_figure(root=True)
    except TypeError:  # matplotlib < 3.10
        root = ax.get_figure()
    fig_width = root.get_figwidth() if isinstance(root, Figure) else 10.0
    width_in = ax.get_position().width * fig_width
    size = plt.rcParams["axes.titlesize"]
    points = float(size) if isinstance(size, (int, float)) else 11.0
    ax.set_title(wrap(text, width_in * 72.0 / (points * 0.62)), loc="left")


IDENTICAL_DASHES = (0, (5, 4))  # a line drawn on top of an identical one stays visible through its gaps


def identical_to(data: pd.DataFrame, strategies: Sequence[str]) -> dict[str, str | None]:
    """For each strategy, the earlier strategy whose mean curve (``x``, ``mean``) it repeats exactly, or None; such
    lines are drawn dashed and labelled, so that a line hidden under another is seen."""
    curves = {s: data[data["strategy"] == s][["x", "mean"]].to_numpy(dtype=float) for s in strategies}
    out: dict[str, str | None] = {}
    for i, s in enumerate(strategies):
        out[s] = next(
            (
                other
                for other in strategies[:i]
                if curves[other].shape == curves[s].shape and np.allclose(curves[other], curves[s], equal_nan=True)
            ),
            None,
        )
    return out
