"""The staffing planner (``python -m sim.plan staffing``) and its Erlang-A check.

- Erlang-A closed forms (Mandelbaum & Zeltyn) equal the sums over Palm's birth-death chain, and tend to Erlang C
  as patience grows.
- The desk through the whole model, with stationary Poisson requests (no seasonal peaks; Poisson arrivals displaced
  by i.i.d. delivery and scan delays stay Poisson), open round the clock, no daily add limit, exponential handling
  (the model's) and exponential patience (the model's: ``population.patience_hours`` is the mean of an exponential),
  is M/M/n+M: its share of requests lost and the mean greeting delay of the requests served (queueing wait +
  handling, 1/mu) match Erlang-A within 3 standard errors over independent replications (SE = sd / sqrt(R)).
  The same measurements are more than 3 SE from the closed form for one agent fewer: the check can fail.
- The search, the peak days, the command on a tiny config and its bad input.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _helpers import NO_UNSUBSCRIBE, assert_within_3se, make_shared, quiet_strategy

from sim.config import CardConfig, ChannelConfig, Experiment, OfferConfig, OnboardingConfig, PeakConfig
from sim.model.capture import card_add_prob
from sim.plan.desk_runs import desk_delay, desk_share, run_desk
from sim.plan.erlang_a import chain_measures, erlang_a
from sim.plan.staffing_search import least
from sim.plan.staffing_tables import peak_days

WARMUP_DAYS = 10  # the desk starts empty and requests ramp up while the first parcels travel


def erlang_c(c: int, a: float) -> float:
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


# ----------------------------------------------------------------------------- closed forms


@pytest.mark.parametrize(
    ("lam", "handling", "patience", "n"),
    [(3.0, 1.0, 1.0, 2), (2.4, 1.0, 2.0, 3), (0.8, 1.0, 0.5, 1), (50, 0.1, 0.5, 4)],
)
def test_erlang_a_closed_forms_equal_the_birth_death_chain(
    lam: float, handling: float, patience: float, n: int
) -> None:
    closed, chain = erlang_a(lam, handling, patience, n), chain_measures(lam, handling, patience, n)
    assert closed.p_wait == pytest.approx(chain.p_wait, rel=1e-9)
    assert closed.p_abandon == pytest.approx(chain.p_abandon, rel=1e-9)
    assert closed.mean_wait_hours == pytest.approx(chain.mean_wait_hours, rel=1e-9)
    assert 0.0 < closed.p_abandon < closed.p_wait < 1.0


def test_erlang_a_tends_to_erlang_c_when_nobody_gives_up() -> None:
    lam, n = 1.5, 2  # mu = 1 an hour
    m = erlang_a(lam, 1.0, 1e3, n)  # patience 1000 h against a wait of about an hour: within 2%
    assert m.p_wait == pytest.approx(erlang_c(n, lam), rel=0.02)
    assert m.mean_wait_served_hours == pytest.approx(erlang_c(n, lam) / (n - lam), rel=0.02)
    assert m.p_abandon < 0.002
    far = erlang_a(lam, 1.0, 1e6, n)  # the closed form underflows here and the chain answers
    assert far.p_wait == pytest.approx(erlang_c(n, lam), rel=1e-4)


# ----------------------------------------------------------------------------- the desk against Erlang-A

R = 6  # independent replications
HORIZON_DAYS = 100


def erlang_experiment(arrivals_per_hour: float, agents: int, patience_hours: float, seed: int) -> Experiment:
    """One strategy whose add requests are a stationary Poisson stream at ``arrivals_per_hour`` (first cards only)."""
    card = CardConfig(floor_add_prob=1.0, repeat_card_factor=0.0)
    strategy = quiet_strategy(
        channel=ChannelConfig(card=True, sms=False),
        card=card,
        onboarding=OnboardingConfig(
            agents=agents,
            work_start_hour=0.0,
            work_end_hour=24.0,
            handling_minutes=60.0,
            accounts=1,
            daily_add_limit_per_account=1_000_000,
        ),
        offer=OfferConfig(first_order_prob=0.0),
    )
    p_card = card_add_prob(strategy.hook, card)
    shared = make_shared(
        seed=seed,
        buyers_per_year=round(arrivals_per_hour * 24 * 365 / p_card),
        horizon_days=HORIZON_DAYS,
        followup_days=10,
        n_replications=R,
        unsubscribe=NO_UNSUBSCRIBE,
        peaks=[],
        patience_hours=patience_hours,
    )
    return Experiment(name="erlang_a", question="", baseline="quiet", strategies={"quiet": strategy}, shared=shared)


@pytest.mark.parametrize(
    ("arrivals_per_hour", "agents", "patience_hours", "seed"),
    [(3.0, 2, 1.0, 3), (2.4, 3, 2.0, 5)],  # overloaded (load 1.5 per agent), underloaded (0.8)
)
def test_desk_losses_and_delay_match_erlang_a(
    arrivals_per_hour: float, agents: int, patience_hours: float, seed: int
) -> None:
    days = run_desk([erlang_experiment(arrivals_per_hour, agents, patience_hours, seed)], n_jobs=1)[0]["quiet"]
    loss = desk_share(days, WARMUP_DAYS)
    delay = desk_delay(days, WARMUP_DAYS)
    se_loss, se_delay = loss.std(ddof=1) / math.sqrt(R), delay.std(ddof=1) / math.sqrt(R)
    expected = erlang_a(arrivals_per_hour, 1.0, patience_hours, agents)
    handling_hours = 1.0
    where = f"M/M/{agents}+M, lambda {arrivals_per_hour}/h, mu 1/h, theta {1 / patience_hours:g}/h"
    assert_within_3se(loss.mean(), expected.p_abandon, se_loss, f"Erlang-A {where}: share lost")
    assert_within_3se(
        delay.mean(),
        expected.mean_wait_served_hours + handling_hours,
        se_delay,
        f"Erlang-A {where}: mean greeting delay of served (wait + handling)",
        unit=" h",
    )
    # the check can fail: one agent fewer is a different queue, and the closed form for it is far outside 3 SE
    fewer = erlang_a(arrivals_per_hour, 1.0, patience_hours, agents - 1)
    assert abs(loss.mean() - fewer.p_abandon) > 3 * se_loss
    assert abs(delay.mean() - (fewer.mean_wait_served_hours + handling_hours)) > 3 * se_delay


# ----------------------------------------------------------------------------- search and peak days


def test_least_finds_the_threshold_of_a_monotone_condition_by_doubling_and_bisection() -> None:
    for threshold in (1, 2, 3, 7, 8, 9, 33, 50):
        asked: list[int] = []

        def meets(n: int, t: int = threshold, log: list[int] = asked) -> bool:
            log.append(n)
            return n >= t

        assert least(meets, 1, 50) == threshold
        assert len(asked) <= 2 * math.ceil(math.log2(50)) + 1
    assert least(lambda n: n >= 60, 1, 50) is None


def test_peak_days_follow_the_seasonal_order_peaks_and_pick_an_ordinary_day() -> None:
    requests = np.full(365, 100.0)
    requests[172:176] = [300.0, 500.0, 420.0, 200.0]  # after 618 (day 168)
    requests[318:322] = [600.0, 900.0, 700.0, 300.0]  # after 11-11 (day 314)
    peaks = [PeakConfig(name="618", month_day="06-18"), PeakConfig(name="double_11", month_day="11-11")]
    found = dict(peak_days(requests, peaks, "2026-01-01"))
    assert found["618"] == 173 and found["double_11"] == 319
    assert "busiest" not in found  # the busiest day is the 11-11 request peak
    assert requests[found["ordinary"]] == 100.0


# ----------------------------------------------------------------------------- the command

TINY = [
    "experiment=hook_cash_vs_coupon",
    "run.n_replications=2",
    "population.buyers_per_year=6000",
    "run.horizon_days=40",
    "run.followup_days=365",  # the config requires it; the desk runs replace it by a short follow-up
    "run.seed=17",
    "run.n_jobs=1",
]


def test_staffing_command_on_a_tiny_config(tmp_path: Path) -> None:
    from sim.plan.__main__ import main

    out = tmp_path / "staff"
    args = ["staffing", "--max-loss-share", "0.05", "--max-mean-delay-hours", "2", "--hours", "9-22,0-24"]
    assert main([*args, "--max-agents", "4", "--out", str(out), *TINY, "onboarding.handling_minutes=30"]) == 0
    table = pd.read_csv(out / "staffing.csv")
    assert set(table["strategy"]) == {"cash", "coupon"}
    chosen = table[table["chosen"]]
    assert len(chosen) == 2 and chosen["meets_targets"].all()
    # overnight closing loses more than 5% of requests whatever the staff: only the round-the-clock desk qualifies
    assert (chosen["work_end_hour"] - chosen["work_start_hour"] == 24).all()
    assert not table[(table["work_start_hour"] == 9) & (table["meets_targets"])].any(axis=None)
    for strategy, rows in table.groupby("strategy"):
        pick = rows[rows["chosen"]].iloc[0]
        same = rows[(rows["work_start_hour"] == 0) & rows["accounts"].isna()]
        fewer = same[same["agents"] == pick["agents"] - 1]
        assert fewer.empty or not fewer["meets_targets"].iloc[0], strategy  # the least agents that qualify
        assert (pick["loss_share_ci_high"] <= 0.05) and (pick["mean_delay_hours_ci_high"] <= 2.0)
    peak = pd.read_csv(out / "staffing_peak.csv")
    assert {"busiest", "ordinary"} <= set(peak["day"])
    # a day's need is blank when even --max-agents leave that day's upper bound above a target (with 2 replications
    # one day's 95% bounds are wide); where there is one, its accounts cover the day's adds
    needed = peak.dropna(subset=["agents_needed"])
    assert not needed.empty and (needed["agents_needed"] <= 4).all()
    limit = 300  # onboarding.daily_add_limit_per_account
    assert (needed["accounts_needed"] == np.maximum(1, np.ceil(needed["adds_ci_high"] / limit - 1e-9))).all()
    assert (out / "staffing.png").is_file() and (out / "staffing.svg").is_file()
    assert not (out / "staffing_calendar.csv").exists()  # the experiment has no campaign calendar
    assert "## Staffing the onboarding desk" in (out / "staffing.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--max-loss-share", "-0.1"], "--max-loss-share -0.1: allowed a share between 0 and 1"),
        (["--max-loss-share", "1.5"], "--max-loss-share 1.5: allowed a share between 0 and 1"),
        (["--max-loss-share", "0.05", "--max-mean-delay-hours", "0"], "--max-mean-delay-hours 0: allowed a positive"),
        (["--max-loss-share", "0.05", "--hours", "22-9"], "--hours 22-9: need 0 <= START < END <= 24"),
        (["--max-loss-share", "0.05", "--strategy", "nope"], "--strategy: unknown strategy 'nope'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], says: str
) -> None:
    from sim.plan.__main__ import main

    out = tmp_path / "staff"
    base = ["staffing", "--max-mean-delay-hours", "2"] if "--max-mean-delay-hours" not in extra else ["staffing"]
    assert main([*base, *extra, "--out", str(out), *TINY]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and says in err[0], err
    assert not out.exists()


# ----------------------------------------------------------------------------- accounts, campaign days, the figure


def test_accounts_opened_are_the_times_one_account_fills_and_each_costs_its_price() -> None:
    """One starting account with a cap of 5 friends and open_new: the accounts opened within the horizon are exactly
    floor(friends added within it / 5), replication by replication; the desk's cost prices every account used (the
    starting one and those opened) at new_account_cost_cny, and its agent-hours as before."""
    from sim.plan.desk_runs import ADDS, OPENED
    from sim.plan.staffing_search import Desk, DeskEvaluator
    from sim.plan.variants import load

    overrides = [*TINY, "onboarding.friend_cap_per_account=5", "onboarding.new_account_cost_cny=100"]
    cfg, experiment = load(overrides)
    evaluator = DeskEvaluator(cfg, overrides, experiment, n_jobs=1)
    desk = Desk(0.0, 24.0, 2, 1)
    days = evaluator(desk)["cash"]
    opened, adds = days[:, OPENED, :].sum(axis=1), days[:, ADDS, :].sum(axis=1)
    assert (adds >= 10).all()  # at least two accounts filled in every replication: the check has something to count
    np.testing.assert_array_equal(opened, np.floor(adds / 5))
    cost = evaluator.cost("cash", desk)
    assert cost.accounts_opened == pytest.approx(opened.mean())
    assert cost.account_cny == pytest.approx((1 + opened.mean()) * 100)
    # 2 agents x 40 days at CNY 250 an agent-day of the config's 13 open hours (9-22), open 24 h
    assert cost.agent_cny == pytest.approx(2 * 40 * 250 * 24 / 13)
    assert cost.total_cny == pytest.approx(cost.agent_cny + cost.account_cny)


DOUBLE11 = [
    "experiment=double11_campaign",
    *TINY[1:],
    "population.start_date=2026-10-20",  # the campaign (11-01, 20 days) is days 12-31 of a 40-day horizon
    "population.peaks=[]",
    "onboarding.friend_cap_per_account=20",
    "onboarding.new_account_cost_cny=100",
]


def test_staffing_a_campaign_reports_each_campaign_day_and_costs_its_extra_agents(tmp_path: Path) -> None:
    from sim.plan.__main__ import main

    out = tmp_path / "staff"
    args = ["staffing", "--max-loss-share", "0.2", "--max-mean-delay-hours", "4", "--hours", "0-24"]
    assert main([*args, "--max-agents", "4", "--out", str(out), *DOUBLE11, "onboarding.handling_minutes=30"]) == 0
    table = pd.read_csv(out / "staffing.csv")
    chosen = table[table["chosen"]].set_index("strategy")
    assert set(chosen.index) == {"business_as_usual", "boost_with_staff", "boost_only"}
    extra = {"business_as_usual": 0, "boost_with_staff": 4 * 20, "boost_only": 0}  # 4 agents on 20 campaign days
    for strategy, row in chosen.iterrows():
        assert row["agent_days"] == row["agents"] * 40 + extra[strategy], strategy
        assert row["account_cost_cny"] == pytest.approx((row["accounts"] + row["accounts_opened"]) * 100)
        assert row["cost_cny"] == pytest.approx(row["agent_cost_cny"] + row["account_cost_cny"])
    assert (chosen["accounts_opened"] > 0).all()  # 20 friends an account: accounts fill within the horizon
    calendar = pd.read_csv(out / "staffing_calendar.csv", keep_default_na=False)
    assert len(calendar) == 3 * 20  # every strategy on every campaign day
    assert sorted(set(calendar["day_of_horizon"])) == list(range(12, 32))
    assert calendar["date"].iloc[0] == "2026-11-01" and calendar["date"].iloc[19] == "2026-11-20"
    for strategy, rows in calendar.groupby("strategy"):
        assert (rows["agents_on_duty"] == chosen.loc[strategy, "agents"] + extra[strategy] // 20).all(), strategy
        assert set(rows["campaign"]) == ({""} if strategy == "business_as_usual" else {"double_11"}), strategy
    limit = 300  # onboarding.daily_add_limit_per_account: the accounts a day needs cover its adds with the limit lifted
    expected = np.maximum(1, np.ceil(calendar["adds_unlimited_ci_high"] / limit - 1e-9))
    assert (calendar["accounts_needed"] == expected).all()
    # the boosted hook (CNY 10 cash on the card) brings more requests in the window than business as usual
    per_strategy = calendar.groupby("strategy")["requests"].sum()
    assert per_strategy["boost_only"] > per_strategy["business_as_usual"]
    text = (out / "staffing.md").read_text(encoding="utf-8")
    assert "### Campaign days" in text and "2026-11-01 – 2026-11-20 (double_11)" in text
    assert "at onboarding.new_account_cost_cny each" in text
    for strategy, rows in calendar.groupby("strategy"):  # a strategy with days missing the targets is named
        missed = int((~rows["meets_targets"]).sum())
        said = f"{strategy}: {missed} of 20 campaign days miss the targets at the chosen desk"
        assert (said in text) == (missed > 0), strategy


def _figure_table(chosen_loss: float) -> pd.DataFrame:
    rows = []
    for agents, loss in ((1, 0.30), (2, 0.08), (3, chosen_loss), (4, chosen_loss / 2)):
        rows.append(
            {
                "strategy": "cash",
                "work_start_hour": 0.0,
                "work_end_hour": 24.0,
                "agents": agents,
                "accounts": None,
                "chosen": False,
                "loss_share": loss,
                "loss_share_ci_low": loss - 0.01,
                "loss_share_ci_high": loss + 0.01,
                "mean_delay_hours": 0.5 / agents,
                "mean_delay_hours_ci_low": -0.2,  # a t-interval over few replications can reach below zero
                "mean_delay_hours_ci_high": 0.5 / agents + 0.1,
            }
        )
    table = pd.DataFrame(rows).astype({"accounts": "Int64"})
    plan = table.iloc[2].to_dict() | {"accounts": 1, "chosen": True}
    return pd.concat([table, pd.DataFrame([plan])], ignore_index=True).astype({"accounts": "Int64"})


def test_the_figure_shows_the_whole_range_with_the_target_inside_and_the_headroom() -> None:
    """Each panel runs from 0 to at least 10% above both the target and the highest interval, so the target is a
    line inside it (not its edge), and a dotted bar runs from the chosen point up to the target."""
    from sim.report.plots.staffing import staffing_figure

    fig = staffing_figure(_figure_table(0.01), max_loss_share=0.05, max_mean_delay_hours=2.0)
    loss_ax, delay_ax = fig.axes
    for ax, target, highest in ((loss_ax, 0.05, 0.31), (delay_ax, 2.0, 0.6)):
        low, high = ax.get_ylim()
        assert low == 0.0 and high >= 1.1 * max(target, highest), (low, high)
        (bar,) = ax.collections[-1:]  # the headroom bar, drawn after the error bars
        segment = bar.get_segments()[0]
        assert segment[0][1] == pytest.approx(
            _figure_table(0.01).iloc[-1]["loss_share" if ax is loss_ax else "mean_delay_hours"]
        )
        assert segment[1][1] == pytest.approx(target)
