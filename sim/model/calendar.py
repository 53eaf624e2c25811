"""The campaign calendar resolved into days: which campaign is on each day, and what it changes.

A campaign (618, Double 11, a monthly member day) changes some levers for its window: the
package card's hook (type or value), every segment's touch frequency and mix, the new-member
offer and the number of onboarding agents (added to the agents of the desk's schedule,
``onboarding.schedule``, which also sets WeCom accounts to open on dates; with ``onboarding.shifts``, to every
shift's scheduled agents). :func:`day_plan` turns a strategy's calendar into
one small table per lever (index 0: the strategy's own setting; then one entry per campaign
that changes it) and an array per lever giving, for every simulated day, the entry in force.
Where windows overlap, the later campaign in the list wins. Dates are ``MM-DD``: a campaign's
first window starts on the first such date on or after ``population.start_date``; a monthly
one recurs on the same day of every following month. Pure numpy; no SimPy, no state.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.config import (
    CampaignConfig,
    CampaignRepeat,
    HookConfig,
    OfferConfig,
    SegmentTouchConfig,
    StrategyConfig,
    TouchConfig,
)
from sim.model.onboarding import sorted_shifts


def first_day(month_day: str, start_date: str) -> int:
    """Days from ``start_date`` (YYYY-MM-DD) to the first ``month_day`` (MM-DD) on or after it."""
    start = dt.date.fromisoformat(start_date)
    month, day = (int(x) for x in month_day.split("-"))
    when = dt.date(start.year, month, day)
    if when < start:
        when = dt.date(start.year + 1, month, day)
    return (when - start).days


def _add_months(date: dt.date, months: int) -> dt.date:
    years, month0 = divmod(date.month - 1 + months, 12)
    return dt.date(date.year + years, month0 + 1, date.day)  # day <= 28 (validated for monthly campaigns)


@dataclass(frozen=True)
class Window:
    """One occurrence of a campaign: days [start_day, end_day) of the run."""

    campaign: int  # index into the calendar's campaigns
    name: str
    start_day: int
    end_day: int


def campaign_windows(campaigns: list[CampaignConfig], start_date: str, n_days: int) -> list[Window]:
    """Every window of every campaign that starts within the first ``n_days`` days, in the calendar's order."""
    out: list[Window] = []
    start = dt.date.fromisoformat(start_date)
    for i, c in enumerate(campaigns):
        first = first_day(c.start, start_date)
        starts = [first]
        if c.repeat is CampaignRepeat.monthly:
            when = start + dt.timedelta(days=first)
            k = 1
            while (_add_months(when, k) - start).days < n_days:
                starts.append((_add_months(when, k) - start).days)
                k += 1
        out += [Window(i, c.name, s, min(s + c.days, n_days)) for s in starts if s < n_days]
    return out


@dataclass
class DayPlan:
    """The levers in force on each simulated day: per-lever tables and, per day, the entry in force."""

    windows: list[Window]
    campaign: np.ndarray  # per day: the campaign on (index into the calendar), -1 for none
    hooks: list[HookConfig]  # the card's (and routine SMS's) hook: 0 is the strategy's own
    hook: np.ndarray
    touches: list[TouchConfig]
    touch: np.ndarray
    offers: list[OfferConfig]
    offer: np.ndarray
    agents: np.ndarray  # onboarding agents each day
    accounts: np.ndarray  # per day: WeCom accounts that should have room from that day on (0: no change)
    # with onboarding.shifts, per day and shift (by start hour): agents on duty (a campaign's extra agents join every
    # shift); (days, 0) without shifts
    shift_agents: np.ndarray
    referral_push: np.ndarray  # per day: the chance each member shares in a campaign's referral push (0: none)

    @property
    def has_campaigns(self) -> bool:
        return bool(self.windows)


def _campaign_touch(touch: TouchConfig, c: CampaignConfig) -> TouchConfig:
    """``touch`` with every segment's frequency and mix set to the campaign's, where the campaign sets them."""
    segments = {
        name: SegmentTouchConfig(
            touches_per_week=c.touches_per_week if c.touches_per_week is not None else seg.touches_per_week,
            mix=c.touch_mix if c.touch_mix is not None else seg.mix,
        )
        for name, seg in touch.segments.items()
    }
    return dataclasses.replace(
        touch,
        touches_per_week=c.touches_per_week if c.touches_per_week is not None else touch.touches_per_week,
        mix=c.touch_mix if c.touch_mix is not None else touch.mix,
        segments=segments,
    )


def day_plan(strategy: StrategyConfig, start_date: str, n_days: int) -> DayPlan:
    """The strategy's levers on each of ``n_days`` days (without campaigns: its own settings every day)."""
    campaigns = strategy.calendar.campaigns
    windows = campaign_windows(campaigns, start_date, n_days)
    campaign = np.full(n_days, -1, dtype=np.int16)
    hooks, touches, offers = [strategy.hook], [strategy.touch], [strategy.offer]
    hook = np.zeros(n_days, dtype=np.int16)
    touch = np.zeros(n_days, dtype=np.int16)
    offer = np.zeros(n_days, dtype=np.int16)
    agents, accounts, shift_agents = schedule_plan(strategy, start_date, n_days)
    scheduled, scheduled_shifts = agents.copy(), shift_agents.copy()
    referral_push = np.zeros(n_days)
    entries: dict[int, tuple[int, int, int]] = {}
    for i, c in enumerate(campaigns):
        h = t = o = 0
        if c.hook_type is not None or c.hook_value_cny is not None:
            hooks.append(
                dataclasses.replace(
                    strategy.hook,
                    type=c.hook_type if c.hook_type is not None else strategy.hook.type,
                    value_cny=c.hook_value_cny if c.hook_value_cny is not None else strategy.hook.value_cny,
                )
            )
            h = len(hooks) - 1
        if c.touches_per_week is not None or c.touch_mix is not None:
            touches.append(_campaign_touch(strategy.touch, c))
            t = len(touches) - 1
        if c.first_order_prob is not None or c.subsidy_cny is not None:
            offers.append(
                dataclasses.replace(
                    strategy.offer,
                    first_order_prob=c.first_order_prob
                    if c.first_order_prob is not None
                    else strategy.offer.first_order_prob,
                    subsidy_cny=c.subsidy_cny if c.subsidy_cny is not None else strategy.offer.subsidy_cny,
                )
            )
            o = len(offers) - 1
        entries[i] = (h, t, o)
    for w in windows:  # in the calendar's order: a later campaign overwrites an earlier one's days
        days = slice(w.start_day, w.end_day)
        c = campaigns[w.campaign]
        h, t, o = entries[w.campaign]
        campaign[days] = w.campaign
        if h:
            hook[days] = h
        if t:
            touch[days] = t
        if o:
            offer[days] = o
        agents[days] = scheduled[days] + c.extra_agents
        shift_agents[days] = scheduled_shifts[days] + c.extra_agents
        referral_push[w.start_day] = c.referral_push_prob
    return DayPlan(
        windows, campaign, hooks, hook, touches, touch, offers, offer, agents, accounts, shift_agents, referral_push
    )


def schedule_plan(strategy: StrategyConfig, start_date: str, n_days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per day: the desk's scheduled agents (``onboarding.agents`` where no entry sets them; later entries win), the
    accounts that should have room from that day (an entry's ``accounts`` on its first day, else 0) and, per day and
    shift (by start hour), the shift's scheduled agents (its own where no entry naming it sets them); an entry naming
    a shift sets that shift's agents only."""
    onb = strategy.onboarding
    shifts = [s.name for s in sorted_shifts(onb)]
    agents = np.full(n_days, onb.agents, dtype=np.int64)
    accounts = np.zeros(n_days, dtype=np.int64)
    shift_agents = np.tile(np.array([s.agents for s in sorted_shifts(onb)], dtype=np.int64), (n_days, 1))
    for entry in onb.schedule:
        first = first_day(entry.start, start_date)
        if first >= n_days:
            continue
        if entry.agents is not None and entry.shift is not None:
            shift_agents[first : first + entry.days, shifts.index(entry.shift)] = entry.agents
        elif entry.agents is not None:
            agents[first : first + entry.days] = entry.agents
        if entry.accounts is not None:
            accounts[first] = entry.accounts
    return agents, accounts, shift_agents
