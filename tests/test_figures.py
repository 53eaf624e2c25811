"""Each figure's axes, labels and plotted data, checked against the tables of a run.

The run is the flagship (and, for the dose-response figure, ``touch_frequency``) at a tiny
size, through :func:`sim.api.run`; the figures are drawn again here with the ``plot_*``
functions on the tables the run wrote, and every plotted number is compared with the mean
over replications computed directly from those tables.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from _runs import tiny_run  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.report import (
    i18n,
    plots,  # noqa: E402
)
from sim.report.headline import headline_title  # noqa: E402
from sim.report.i18n import has_cjk, metric_name, t  # noqa: E402
from sim.report.tables import load_run  # noqa: E402
from sim.run.curves import CARD_DAYS, CHURN_CURVES, FUNNEL_STAGES  # noqa: E402
from sim.run.metrics import METRICS, SMS_MARKS_HOURS  # noqa: E402

pytestmark = pytest.mark.slow

BASELINE = "coupon"
NEEDS_CJK = pytest.mark.skipif(
    i18n.cjk_font() is None, reason="no CJK font installed (Debian: apt-get install fonts-noto-cjk)"
)


@pytest.fixture(scope="module")
def run():
    return load_run(tiny_run("hook_cash_vs_coupon"))


@pytest.fixture(scope="module")
def touch_run():
    return load_run(tiny_run("touch_frequency"))


@pytest.fixture
def ax():
    fig = Figure(figsize=(10, 6))
    yield fig.subplots()


def curve_means(curves: pd.DataFrame, curve: str) -> dict[str, pd.Series]:
    """Mean over replications of one curve, per strategy, indexed by x: computed here, not by sim.report.plots."""
    rows = curves[curves["curve"] == curve]
    return {s: g.groupby("x")["value"].mean() for s, g in rows.groupby("strategy", sort=False)}


def title(ax) -> str:
    """An Axes' takeaway title, unwrapped."""
    return ax.get_title(loc="left").replace("\n", " ")


def lines_by_label(ax) -> dict[str, object]:
    return {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}


def test_the_run_wrote_the_tables_the_figures_need(run) -> None:
    assert run.strategy_names == ["cash", "coupon"] and run.baseline == BASELINE
    assert set(run.funnel["stage"]) >= set(FUNNEL_STAGES)
    assert run.funnel.groupby(["strategy", "replication"]).size().nunique() == 1
    assert run.curves["replication"].nunique() == run.n_replications == 3


# --------------------------------------------------------------------------- comparison


def test_comparison_figure_plots_the_summary_means_and_the_paired_differences(run) -> None:
    fig = plots.comparison_figure(run.summary, run.differences, run.replications, run.baseline)
    by = run.summary.set_index(["strategy", "metric"])
    axes = fig.axes
    assert [title(a) for a in axes[:4]] == [metric_name(m) for m in plots.HEADLINE_METRICS]
    assert plots.HEADLINE_METRICS[0] == "incremental_net_profit_12m"
    for a, metric in zip(axes[:4], plots.HEADLINE_METRICS, strict=True):
        widths = [p.get_width() for p in a.patches]
        assert widths == pytest.approx([by.loc[(s, metric), "mean"] for s in run.strategy_names])
        assert [tick.get_text() for tick in a.get_yticklabels()] == run.strategy_names
        assert METRICS[metric].unit in a.get_xlabel()
    reference = [line.get_xdata()[0] for line in axes[1].get_lines() if line.get_linestyle() == "--"]
    assert reference == [1.0]  # LTV:CAC = 1 drawn where the ratio is
    diff = run.differences.set_index("metric")
    for forest, metric in zip(axes[4:], plots.HEADLINE_METRICS, strict=True):  # one forest per metric, own unit
        assert title(forest) == metric_name(metric)
        points = [line for line in forest.get_lines() if line.get_marker() == "o"]
        assert len(points) == 1 and points[0].get_xdata()[0] == pytest.approx(diff.loc[metric, "mean_diff"])
    assert fig._suptitle.get_text().replace("\n", " ") == headline_title(run.replications, run.summary)
    assert "incremental net profit (12 months)" in fig._suptitle.get_text().replace("\n", " ")


# --------------------------------------------------------------------------- funnel


def test_funnel_bars_are_the_mean_stage_counts(run, ax) -> None:
    plots.plot_funnel(run.funnel, ax=ax, baseline=BASELINE)
    means = run.funnel.groupby(["strategy", "stage"])["count"].mean()
    bars = ax.patches
    assert len(bars) == len(run.strategy_names) * len(FUNNEL_STAGES)
    for i, s in enumerate(run.strategy_names):
        got = [bar.get_width() for bar in bars[i * len(FUNNEL_STAGES) : (i + 1) * len(FUNNEL_STAGES)]]
        assert got == pytest.approx([means[(s, stage)] for stage in FUNNEL_STAGES])
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == [t(f"stage.{s}") for s in FUNNEL_STAGES]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "people (log scale)"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == run.strategy_names
    rate = {s: means[(s, "added")] / means[(s, "platform_buyers")] for s in run.strategy_names}
    assert title(ax).startswith("cash: ")  # the cash hook captures more
    assert f"{100 * rate['cash']:.1f}%" in title(ax)
    assert f"{100 * rate['coupon']:.1f}% for coupon" in title(ax)
    # each conversion is written beside its bar
    first = means[("cash", "first_order")] / means[("cash", "added")]
    assert any(f"{100 * first:.1f}% of Added as friends" in text.get_text() for text in ax.texts)


def test_plot_functions_reject_tables_they_cannot_draw(run, ax) -> None:
    with pytest.raises(ValueError, match="lacks columns"):
        plots.plot_funnel(run.funnel.drop(columns="count"), ax=ax)
    with pytest.raises(ValueError, match="empty"):
        plots.plot_profit(run.curves.iloc[0:0], ax=ax)
    with pytest.raises(TypeError, match="DataFrame"):
        plots.plot_survival(run.curves.to_dict(), ax=ax)  # type: ignore[arg-type]
    no_sms = run.curves.assign(value=np.where(run.curves["curve"] == "sms_add_share", np.nan, run.curves["value"]))
    with pytest.raises(ValueError, match="no SMS"):
        plots.plot_sms_response(no_sms, ax=ax)
    assert len(plots.response_figure(no_sms).axes) == 1  # the card panel alone


def test_plot_functions_return_their_axes_and_never_save_or_show(run, ax, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("a plot function called plt.show"))
    monkeypatch.setattr(Figure, "savefig", lambda *a, **k: pytest.fail("a plot function saved a figure"))
    assert plots.plot_funnel(run.funnel, ax=ax) is ax
    for plot in (plots.plot_profit, plots.plot_survival, plots.plot_sms_response, plots.plot_card_adds):
        a = Figure().subplots()
        assert plot(run.curves, ax=a) is a
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- profit


def test_profit_lines_are_the_mean_cumulative_incremental_profit_with_the_metric_s_payback_marked(run, ax) -> None:
    plots.plot_profit(run.curves, ax=ax, baseline=BASELINE, horizon_days=run.horizon_days)
    expected = curve_means(run.curves, "incremental_profit_cny")
    gross = curve_means(run.curves, "net_profit_cny")
    lines = lines_by_label(ax)
    assert set(lines) == {f"{s}: {kind}" for s in run.strategy_names for kind in ("incremental", "gross")}
    for s, mean in expected.items():
        assert np.array_equal(lines[f"{s}: incremental"].get_xdata(), mean.index.to_numpy())
        assert lines[f"{s}: incremental"].get_ydata() == pytest.approx(mean.to_numpy())
        assert lines[f"{s}: gross"].get_ydata() == pytest.approx(gross[s].to_numpy())
    assert len(ax.collections) == len(run.strategy_names)  # one 95% band each
    # the payback marked is the payback_day metric of the tables: same mean, over the same replications
    table = run.summary.set_index(["strategy", "metric"])["mean"]
    marked = sorted(line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == ":")
    days = [table[(s, "payback_day")] for s in run.strategy_names]
    assert marked == pytest.approx(sorted(d for d in days if np.isfinite(d)))
    for s, day in zip(run.strategy_names, days, strict=True):
        assert (f"{s} pays back on day {day:.0f}" if np.isfinite(day) else f"{s}: never paid back") in title(ax)
    assert ax.get_ylabel() == "cumulative net profit against doing nothing (CNY)"


def test_payback_from_curve_is_the_metric_definition() -> None:
    assert plots.payback_from_curve(np.array([-3.0, -1.0, 2.0, -0.5, 1.0, 4.0])) == 4.0
    assert plots.payback_from_curve(np.array([1.0, 2.0])) == 0.0
    assert np.isnan(plots.payback_from_curve(np.array([-1.0, 2.0, -1.0])))


# --------------------------------------------------------------------------- survival


def test_survival_lines_are_the_mean_churn_curves(run, ax) -> None:
    plots.plot_survival(run.curves, ax=ax, baseline=BASELINE)
    lines = [line for line in ax.get_lines()]
    assert len(lines) == len(run.strategy_names) * len(CHURN_CURVES)
    k = 0
    for s in run.strategy_names:
        for c in CHURN_CURVES:
            mean = curve_means(run.curves, c)[s]
            assert lines[k].get_linestyle() == plots.CHURN_STYLES[c]
            np.testing.assert_allclose(lines[k].get_ydata(), mean.to_numpy(), equal_nan=True)
            k += 1
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == [*run.strategy_names, "not churned", "unsubscribed (deleted)", "dormant"]
    assert ax.get_ylim() == (0.0, 1.02)
    assert ax.get_xlabel() == "days since joining"
    surv = curve_means(run.curves, "not_churned")
    day = min(180.0, min(float(m.dropna().index.max()) for m in surv.values()))
    assert f"{day:.0f} days after joining" in title(ax)
    best = max(surv, key=lambda s: surv[s][day])
    assert title(ax).startswith(f"{best}: {i18n.pct(surv[best][day])}")


# --------------------------------------------------------------------------- responses


def test_sms_response_curve_and_its_marks_match_the_sms_metrics(run, ax) -> None:
    plots.plot_sms_response(run.curves, ax=ax, baseline=BASELINE)
    expected = curve_means(run.curves, "sms_add_share")
    lines = lines_by_label(ax)
    for s, mean in expected.items():
        assert lines[s].get_ydata() == pytest.approx(mean.to_numpy())
    # the marked points are the sms_adds_{h}h metrics' means from the summary
    summary = run.summary.set_index(["strategy", "metric"])["mean"]
    markers = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert len(markers) == len(run.strategy_names)
    for s, line in zip(run.strategy_names, markers, strict=True):
        assert line.get_xdata().tolist() == [float(h) for h in SMS_MARKS_HOURS]
        assert line.get_ydata() == pytest.approx([summary[(s, f"sms_adds_{h}h")] for h in SMS_MARKS_HOURS])
    verticals = sorted(line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == ":")
    assert verticals == [float(h) for h in SMS_MARKS_HOURS]
    assert [text.get_text().strip() for text in ax.texts] == [f"{h} h" for h in SMS_MARKS_HOURS]
    at24 = expected[BASELINE][24.0]
    assert title(ax).startswith(f"{i18n.pct(at24)} of SMS bring an add request within 24 h")


def test_card_adds_bars_are_the_mean_adds_per_card_by_day(run, ax) -> None:
    plots.plot_card_adds(run.curves, ax=ax, baseline=BASELINE)
    expected = curve_means(run.curves, "card_adds_per_card")
    bars = ax.patches
    assert len(bars) == len(run.strategy_names) * len(CARD_DAYS)
    for i, s in enumerate(run.strategy_names):
        heights = [b.get_height() for b in bars[i * len(CARD_DAYS) : (i + 1) * len(CARD_DAYS)]]
        assert heights == pytest.approx(expected[s].to_numpy())
    assert ax.get_xticklabels()[-1].get_text() == f"{int(CARD_DAYS[-1])}+"
    assert ax.get_xlabel() == "days after delivery"
    assert "of card add requests arrive within" in title(ax)


# --------------------------------------------------------------------------- dose response


def test_dose_response_plots_ltv_and_churn_against_touches_per_week(touch_run) -> None:
    touches = touch_run.touches_per_week()
    assert touches == {f"touch_{n}": float(n) for n in (0, 1, 2, 3, 5, 7)}
    assert plots.varies_touch_frequency(touches)
    fig = plots.dose_response_figure(plots.dose_table(touch_run.summary, touches), baseline="touch_2")
    by = touch_run.summary.set_index(["strategy", "metric"])["mean"]
    for a, metric in zip(fig.axes, plots.DOSE_METRICS, strict=True):
        line = a.get_lines()[0]
        assert line.get_xdata().tolist() == [0.0, 1.0, 2.0, 3.0, 5.0, 7.0]
        assert line.get_ydata() == pytest.approx([by[(f"touch_{n}", metric)] for n in (0, 1, 2, 3, 5, 7)])
        assert a.get_xlabel() == "touches per week"
        assert metric_name(metric) in a.get_ylabel() and metric_name(metric) in title(a)
        baseline = [line for line in a.get_lines() if line.get_label() == "baseline"][0]
        assert baseline.get_xdata().tolist() == [2.0]
    churn = [by[(f"touch_{n}", "monthly_churn")] for n in (0, 7)]
    assert churn[1] > churn[0]  # more touches, more unsubscribes


def test_only_an_experiment_that_varies_touch_frequency_gets_a_dose_response_figure(run, touch_run) -> None:
    assert not plots.varies_touch_frequency(run.touches_per_week())
    assert not (tiny_run("hook_cash_vs_coupon") / "dose_response.png").exists()
    assert (tiny_run("touch_frequency") / "dose_response.png").is_file()


# --------------------------------------------------------------------------- referral mechanics


def test_the_referral_figure_shows_each_mechanic_s_k_factor_with_its_interval_and_only_when_they_differ(run) -> None:
    assert not (tiny_run("hook_cash_vs_coupon") / "referral.png").exists()
    mech = load_run(tiny_run("referral_mechanics"))
    assert (tiny_run("referral_mechanics") / "referral.png").is_file()
    assert mech.lever("referral.mechanic") == {
        "invite": "invite",
        "group_buy": "group_buy",
        "help_link": "help_link",
        "red_packet": "red_packet",
    }
    fig = plots.referral_figure(mech.summary)
    assert [title(a) for a in fig.axes] == [metric_name(m) for m in plots.REFERRAL_METRICS]
    by = mech.summary.set_index(["strategy", "metric"])
    k_axes = fig.axes[0]
    names = [tick.get_text() for tick in k_axes.get_yticklabels()]
    assert names == ["invite", "group_buy", "help_link", "red_packet"]  # the experiment's order, top to bottom
    points = k_axes.get_lines()[0].get_xdata()  # the error-bar centres, in the same order
    assert list(points) == pytest.approx([by.loc[(s, "k_factor"), "mean"] for s in names])
    assert all(by.loc[(s, "k_factor"), "ci_low"] < by.loc[(s, "k_factor"), "ci_high"] for s in names)
    # invitations complete nothing: the completion rate is missing there and present for the other mechanics
    assert np.isnan(by.loc[("invite", "share_completion_rate"), "mean"])
    assert all(by.loc[(s, "share_completion_rate"), "mean"] > 0 for s in ("group_buy", "help_link", "red_packet"))


# --------------------------------------------------------------------------- language


def _texts(fig: Figure) -> list[str]:
    out = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    for a in fig.axes:
        out += [a.get_title(loc="left"), a.get_xlabel(), a.get_ylabel()]
        out += [tick.get_text() for tick in a.get_yticklabels() + a.get_xticklabels()]
        out += [text.get_text() for text in a.texts]
        if a.get_legend() is not None:
            out += [text.get_text() for text in a.get_legend().get_texts()]
    return [s for s in out if s.strip()]


def _words(text: str, strategies: list[str]) -> str:
    """What is left of a label once numbers, units, strategy names and symbols are taken out."""
    import re

    for s in sorted(strategies, key=len, reverse=True):
        text = text.replace(s, "")
    text = re.sub(r"LTV:CAC|LTV|CAC|ROI|GMV|SMS|\$[^$]*\$|[\d.,%+\-−:()（）·/\s\[\]]", "", text)
    return text


@NEEDS_CJK
def test_chinese_figures_label_everything_in_chinese_with_no_missing_glyphs(run, touch_run, tmp_path) -> None:
    lang = "zh"
    figures = [
        plots.comparison_figure(run.summary, run.differences, run.replications, run.baseline, lang=lang),
        plots.funnel_figure(run.funnel, baseline=run.baseline, lang=lang),
        plots.profit_figure(run.curves, baseline=run.baseline, horizon_days=run.horizon_days, lang=lang),
        plots.survival_figure(run.curves, baseline=run.baseline, lang=lang),
        plots.response_figure(run.curves, baseline=run.baseline, lang=lang),
        plots.dose_response_figure(plots.dose_table(touch_run.summary, touch_run.touches_per_week()), lang=lang),
        plots.referral_figure(load_run(tiny_run("referral_mechanics")).summary, lang=lang),
    ]
    names = run.strategy_names + touch_run.strategy_names + ["invite", "group_buy", "help_link", "red_packet"]
    for fig in figures:
        texts = _texts(fig)
        assert texts
        for text in texts:
            rest = _words(text, names)
            assert not rest or has_cjk(rest), f"label not in Chinese: {text!r}"
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would fail here
            fig.savefig(tmp_path / "zh.png", dpi=50)


@NEEDS_CJK
def test_english_figures_have_no_chinese_labels(run) -> None:
    fig = plots.funnel_figure(run.funnel, baseline=run.baseline)
    assert not any(has_cjk(text) for text in _texts(fig))


def test_missing_cjk_font_falls_back_to_english_with_one_warning(run, monkeypatch) -> None:
    monkeypatch.setattr(i18n, "cjk_font", lambda: None)
    monkeypatch.setattr(plots.base, "cjk_font", lambda: None)
    monkeypatch.setattr(i18n, "_warned", set())
    with pytest.warns(UserWarning, match="fonts-noto-cjk"):
        assert i18n.resolve_lang("zh") == "en"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert i18n.resolve_lang("zh") == "en"  # warned once only
        fig = plots.funnel_figure(run.funnel, baseline=run.baseline, lang="zh")
    assert not any(has_cjk(text) for text in _texts(fig))
    assert t("stage.platform_buyers") in _texts(fig)


def test_every_text_key_has_both_languages_and_the_same_placeholders() -> None:
    import string

    for key, (en, zh) in i18n.TEXT.items():
        assert en and zh, key
        fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
        assert fields(en) == fields(zh), key
    for metric in METRICS:
        assert has_cjk(metric_name(metric, "zh")), metric
        assert i18n.t(f"unit.{METRICS[metric].unit}", "zh"), metric  # every unit has a label (raises if not)
