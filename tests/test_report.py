"""The one-page report: its content, a self-contained HTML page that a real browser renders with
every figure loaded, the Chinese version, and rebuilding it from a run directory alone.

The browser test needs Debian's ``chromium`` (``.ci/run`` installs it) and skips, saying so, without it.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from _runs import copy_run, tiny_run

from sim.report import i18n
from sim.report.__main__ import main
from sim.report.headline import headline
from sim.report.i18n import has_cjk, metric_name, money
from sim.report.publish import FIGURES
from sim.report.tables import load_run
from sim.run.metrics import METRICS

pytestmark = pytest.mark.slow

EXPECTED_FIGURES = ["comparison", "waterfall", "funnel", "profit", "survival", "response"]  # one touch frequency
TABLES = ["summary.csv", "differences.csv", "replications.parquet", "funnel.csv", "curves.parquet"]
TABLES += ["strategies.csv", "assumptions.csv", "costs.csv", "config_resolved.yaml"]
CHROMIUM = shutil.which("chromium")
NEEDS_CHROMIUM = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)"
)
NEEDS_CJK = pytest.mark.skipif(
    i18n.cjk_font() is None, reason="no CJK font installed (Debian: apt-get install fonts-noto-cjk)"
)
IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture(scope="module")
def run_dir() -> Path:
    return tiny_run("hook_cash_vs_coupon")


def figures_in(run_dir: Path) -> list[str]:
    return [name for name in FIGURES if (run_dir / f"{name}.png").is_file()]


def test_a_run_writes_its_tables_figures_and_report(run_dir) -> None:
    for name in TABLES + ["report.md", "report.html"]:
        assert (run_dir / name).is_file() and (run_dir / name).stat().st_size > 0, name
    assert figures_in(run_dir) == EXPECTED_FIGURES
    for name in EXPECTED_FIGURES:
        assert (run_dir / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "<svg" in (run_dir / f"{name}.svg").read_text(encoding="utf-8")[:2000]
    assert not list(run_dir.glob(".*.tmp"))


def test_report_md_holds_question_strategies_headline_figures_and_assumptions(run_dir) -> None:
    md = (run_dir / "report.md").read_text(encoding="utf-8")
    run = load_run(run_dir)
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings == [
        "# Experiment: hook_cash_vs_coupon",
        "## Question",
        "## Headline",
        "## Incremental value against the control arm",
        "## Operator KPIs and the private-domain GMV formula",
        "## Strategies side by side",
        "## Figures",
        "## All metrics",
        "## Assumptions and their sources",
        "## Files of this run",
    ]
    assert run.question in md
    # the first sentence: incremental net profit with its interval, a winner only from the paired difference
    first = md.split("\n\n")[1]
    assert first == f"**{headline(run.replications, run.summary)}**"
    assert "incremental net profit over 12 months" in first
    cac = run.summary.set_index(["strategy", "metric"]).loc[("cash", "cac")]
    assert f"| CAC | {money(cac['mean'])} [{money(cac['ci_low'])}, {money(cac['ci_high'])}]" in md
    assert "| metric | cash | coupon (baseline) | cash − coupon | P(better) |" in md
    prob = run.differences.set_index("metric").loc["ltv_to_cac", "prob_better"]
    assert re.search(rf"\| LTV:CAC \(gross\) \|.*\| {prob:.2f} \|", md)
    # strategies side by side: the lever that differs is in bold
    assert "| hook (`hook.type`) | **cash** | **coupon** |" in md
    # every figure, linked beside its caption
    for name in EXPECTED_FIGURES:
        assert f"![{name}]({name}.png)" in md
    # every metric, and the assumptions with their sources
    for metric in METRICS:
        assert f"| {metric_name(metric)} |" in md
    assert "Fader, Hardie & Lee (2005), Marketing Science 24(2)" in md
    assert "niaogebiji.com 111999" in md and "qdjiaoyu.cn 4527" in md
    assert "population.repeat.r=0.243" in md
    assert f"python -m sim.report {run_dir}" in md


def test_report_html_is_self_contained_and_embeds_every_figure(run_dir) -> None:
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    links = re.findall(r"""\b(?:src|href|srcset|action|data)\s*=\s*["']?([^"'\s>]*)""", page, flags=re.IGNORECASE)
    assert links and all(link.startswith("data:image/png;base64,") for link in links), "a resource outside the page"
    assert "<link" not in page and "@import" not in page and "url(" not in page
    images = IMG.findall(page)
    assert len(images) == len(EXPECTED_FIGURES) == page.count("<img")
    for name, data in zip(EXPECTED_FIGURES, images, strict=True):
        assert base64.b64decode(data) == (run_dir / f"{name}.png").read_bytes(), name
    assert "<table>" in page and "<strong>cash</strong>" in page


def _render(page: Path, tmp_path: Path) -> str:
    """The page's DOM after load in headless Chromium."""
    assert CHROMIUM is not None
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--virtual-time-budget=5000",
        "--dump-dom",
        page.resolve().as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _loaded(dom: str) -> str:
    found = re.search(r'<body[^>]*data-figures-loaded="([^"]*)"', dom)
    assert found, f"the page's load script did not run:\n{dom[:500]}"
    return found.group(1)


@NEEDS_CHROMIUM
def test_report_html_renders_in_chromium_with_every_figure_loaded(run_dir, tmp_path) -> None:
    dom = _render(run_dir / "report.html", tmp_path)
    n = len(EXPECTED_FIGURES)
    assert _loaded(dom) == f"{n}/{n}"
    assert "Experiment: hook_cash_vs_coupon" in dom
    # the check can fail: a page with one broken figure reports it
    broken = tmp_path / "broken.html"
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    broken.write_text(IMG.sub('<img src="data:image/png;base64,AAAA"', page, count=1), encoding="utf-8")
    assert _loaded(_render(broken, tmp_path)) == f"{n - 1}/{n}"


def test_python_m_sim_report_rebuilds_the_report_from_the_run_directory(run_dir, tmp_path) -> None:
    # rebuild an English run's report in Chinese: it must equal the report of a run made with report.lang=zh
    # (same seed, same tables); without a CJK font both fall back to English and are still equal
    copy = copy_run(run_dir, tmp_path / "run")
    tables = {name: (copy / name).read_bytes() for name in TABLES}
    for name in ["report.md", "report.html"] + [f"{f}.{ext}" for f in EXPECTED_FIGURES for ext in ("png", "svg")]:
        (copy / name).unlink()
    done = subprocess.run(
        [sys.executable, "-m", "sim.report", str(copy), "--lang", "zh"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert figures_in(copy) == EXPECTED_FIGURES
    zh_dir = tiny_run("hook_cash_vs_coupon", lang="zh")
    expected = (zh_dir / "report.md").read_text(encoding="utf-8").replace(str(zh_dir), str(copy))
    assert (copy / "report.md").read_text(encoding="utf-8") == expected
    assert len(IMG.findall((copy / "report.html").read_text(encoding="utf-8"))) == len(EXPECTED_FIGURES)
    assert {name: (copy / name).read_bytes() for name in TABLES} == tables, "the rebuild changed the run's tables"


def test_python_m_sim_report_fails_with_one_line_on_a_directory_that_is_not_a_run(tmp_path, capsys) -> None:
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "summary.csv" in err[0]


@NEEDS_CJK
def test_report_lang_zh_writes_every_heading_and_label_in_chinese() -> None:
    run_dir = tiny_run("hook_cash_vs_coupon", lang="zh")  # report.lang=zh, as on the command line
    assert load_run(run_dir).lang == "zh"
    md = (run_dir / "report.md").read_text(encoding="utf-8")
    assert md.startswith("# 实验：hook_cash_vs_coupon")
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert len(headings) == 10 and all(has_cjk(h) for h in headings), headings
    assert "## 假设及其来源" in md
    rows = [line for line in md.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    for line in rows:
        first = line.split(" | ")[0].lstrip("| ")
        assert has_cjk(first) or first.startswith("LTV:CAC") or first.startswith("`"), line
    for metric in METRICS:
        assert f"| {metric_name(metric, 'zh')} |" in md
    assert "Experiment:" not in md and "Headline" not in md and "Paired" not in md
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and len(IMG.findall(page)) == len(EXPECTED_FIGURES)
    # the language changes the words, never the results
    summary = pd.read_csv(run_dir / "summary.csv")
    assert summary.equals(pd.read_csv(tiny_run("hook_cash_vs_coupon") / "summary.csv"))
