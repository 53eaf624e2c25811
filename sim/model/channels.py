"""Touch channels beyond the mass message (群发): 1:1 chat, moments (朋友圈), groups (社群) and live streams (直播).

A strategy's channels resolved into arrays (:class:`ChannelPlan`), and the state of the brand's customer
groups (:class:`Groups`). What each channel does to a member (lift, fatigue, deletion, orders) is applied by
the member step (:mod:`sim.model.members`); this module holds the schedule, the reach and the groups.

- **1:1 chat** goes to each member of the targeted segments on their own cadence, like a mass message, but
  takes ``staff_minutes_per_touch`` of the touch team's time; its lift and delete risk are the content's times
  the chat multipliers (``population.touch_response.chat``).
- **Moments**: ``posts_per_week`` posts; each subscribed member sees a post with the reach, which falls as
  (posts per week)^-exponent above one a week (the feed buries frequent posters).
- **Groups**: members invited on joining take part with ``join_prob``; groups fill in the order members join up
  to ``size_cap`` (scaled by ``population.sample_share``), then a new one opens. A group's active share starts
  at 1 and decays towards ``activity_floor``, the part above the floor halving every
  ``activity_half_life_days``; a live stream or a campaign's first day restores ``live_boost`` of what it lost.
  A group message reaches each of its members with the group's active share at that moment.
- **Live streams**: ``streams_per_week`` events at ``hour``; attendees get a promotional lift and may order
  during the stream.

Events (posts, group messages, streams) fall every 7 / per_week days from day 0. The touch team works
``staff_hours_per_day``; each day the streams, group messages and posts take their minutes first (an event that
no longer fits is skipped), and 1:1 chats are sent in order of their due time until the minutes run out (the
rest wait until the next day). In a sampled population the team's minutes, the minutes per event and the group
size scale with the sample share, so the full run's staffing is represented. Pure numpy; no SimPy.
"""

from __future__ import annotations

import math

import numpy as np

from sim.config import GroupResponseConfig, TouchConfig, TouchResponseConfig
from sim.model.touches import SEGMENTS

MINUTES_PER_HOUR = 60.0


def events_per_day(per_week: float, n_days: int) -> np.ndarray:
    """How many events, every 7 / ``per_week`` days from day 0, fall on each of ``n_days`` days."""
    if per_week <= 0.0:
        return np.zeros(n_days, dtype=np.int64)
    edges = np.ceil(np.arange(n_days + 1) * per_week / 7.0 - 1e-9).astype(np.int64)
    return np.diff(edges)


class ChannelPlan:
    """A strategy's channels as arrays: chat cadence by segment, the day's events, reach and staff minutes."""

    def __init__(self, touch: TouchConfig, response: TouchResponseConfig, share: float, n_days: int) -> None:
        chat, moments, groups, live = touch.chat, touch.moments, touch.groups, touch.live
        targeted = set(chat.segments)
        self.chat_interval_days = np.array(
            [
                7.0 / chat.touches_per_week if s in targeted and chat.touches_per_week > 0.0 else math.inf
                for s in SEGMENTS
            ]
        )
        self.chat_on = bool(np.isfinite(self.chat_interval_days).any())
        self.chat_minutes_per_touch = chat.staff_minutes_per_touch
        self.posts = events_per_day(moments.posts_per_week, n_days)
        self.moments_reach = (
            response.moments.reach * max(moments.posts_per_week, 1.0) ** -response.moments.reach_exponent
        )
        self.groups_on = groups.enabled
        self.group_messages = events_per_day(groups.messages_per_week, n_days) if groups.enabled else np.zeros(n_days)
        self.streams = events_per_day(touch.live.streams_per_week, n_days)
        self.stream_day_fraction = live.hour / 24.0
        self.staff_minutes_per_day = touch.staff_hours_per_day * MINUTES_PER_HOUR * share
        self.post_minutes = moments.staff_minutes_per_post * share
        self.group_message_minutes = groups.staff_minutes_per_message * share
        self.stream_minutes = live.staff_minutes_per_stream * share
        self.stream_cost_cny = live.cost_per_stream_cny * share
        self.team_cost_per_day_cny = touch.staff_hours_per_day * touch.staff_cost_per_hour_cny * share
        self.group_size = groups.size_cap * share
        self.on = self.chat_on or bool(self.posts.any()) or groups.enabled or bool(self.streams.any())


class Groups:
    """The brand's customer groups: how many members each took in, and each group's activity.

    A group's activity is ``floor + (1 - floor) * excess * 2^-(t - fed_day) / half_life``, where ``excess`` (1 when
    the group opens) is its active share above the floor, as a share of 1 - floor, as of ``fed_day``.
    """

    def __init__(self, size: float, response: GroupResponseConfig) -> None:
        self.size = size
        self.response = response
        self.joined = 0  # members who ever joined a group (groups fill in this order)
        self.opened_day = np.empty(0)
        self.excess = np.empty(0)
        self.fed_day = np.empty(0)

    @property
    def n(self) -> int:
        """Groups opened so far."""
        return self.opened_day.size

    def assign(self, k: int, day: float) -> np.ndarray:
        """Groups of ``k`` members joining at time ``day``, filling the open group first; opens groups as needed."""
        ids = np.floor((self.joined + np.arange(k)) / self.size).astype(np.int64)
        self.joined += k
        new = int(ids.max(initial=-1)) + 1 - self.n
        if new > 0:
            self.opened_day = np.append(self.opened_day, np.full(new, day))
            self.excess = np.append(self.excess, np.ones(new))
            self.fed_day = np.append(self.fed_day, np.full(new, day))
        return ids

    def _excess_at(self, day: float) -> np.ndarray:
        age_days = np.maximum(day - self.fed_day, 0.0)  # a group opened later on the day is as active as new
        return self.excess * np.exp2(-age_days / self.response.activity_half_life_days)

    def activity(self, day: float) -> np.ndarray:
        """Each group's active share at time ``day``."""
        floor = self.response.activity_floor
        return floor + (1.0 - floor) * self._excess_at(day)

    def feed(self, day: float) -> None:
        """An event at time ``day`` (a live stream, a campaign's first day) restores ``live_boost`` of the lost
        activity of every group."""
        now = self._excess_at(day)
        self.excess = now + self.response.live_boost * (1.0 - now)
        self.fed_day = np.full(self.n, day)
