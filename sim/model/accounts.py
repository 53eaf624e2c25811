"""WeCom staff accounts: where accepted add requests become friends, each account up to its friend cap.

The onboarding desk (:class:`~sim.model.onboarding.ServiceDesk`) asks :class:`WeComAccounts` for
an account at each acceptance. Requests are spread round-robin over the accounts that still
have room (a live code, 活码, that rotates its staff). An account that reaches its friend cap
leaves the rotation; with ``when_full=open_new`` a new account (at ``new_account_cost_cny``)
takes its place, with ``lose`` none does (the desk's schedule may also open accounts on a date,
:meth:`WeComAccounts.grow_to`), and once every account is full the desk loses every
further request to the caps. The team's daily adds are limited to the accounts with room times
the daily add limit of each. Friends are counted as added: a member who later deletes the brand
does not free a place (an operator could clean such contacts up; not modelled).

A sampled population (``population.sample_share``) keeps the number of accounts and scales each
account's cap and the daily limit by the share, so accounts fill on the same days as in the full run.
Plain Python state; no SimPy (the desk's processes call it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from sim.config import OnboardingConfig, WhenFull


class WeComAccounts:
    """Friends per staff account, the accounts with room (in rotation order) and the accounts opened."""

    def __init__(
        self, cfg: OnboardingConfig, share: float = 1.0, on_open: Callable[[float], None] | None = None
    ) -> None:
        self.cap = max(1, round(cfg.friend_cap_per_account * share))  # friends per account, in the simulated share
        self.limit_per_account = cfg.daily_add_limit_per_account
        self.share = share
        self.open_new = cfg.when_full is WhenFull.open_new
        self.initial = cfg.accounts
        self.friends: list[int] = [0] * cfg.accounts
        self.with_room: deque[int] = deque(range(cfg.accounts))
        self.on_open = on_open
        self.full_days: list[float] = []  # when each account reached its cap, in order
        self.opened_days: list[float] = []  # when each account beyond the initial ones was opened, in order
        self._quota = self._quota_now()

    @property
    def used(self) -> int:
        """Accounts used so far: the initial ones and every one opened since."""
        return len(self.friends)

    @property
    def total_friends(self) -> int:
        """Friends added over all accounts."""
        return sum(self.friends)

    @property
    def all_full(self) -> bool:
        """True once no account has room (only with ``when_full=lose``)."""
        return not self.with_room

    def daily_quota(self) -> int:
        """The team's adds a day: the accounts with room x the daily limit (at least 1 while one has room)."""
        return self._quota

    def _quota_now(self) -> int:
        n = len(self.with_room)
        return max(1, round(n * self.limit_per_account * self.share)) if n else 0

    def take(self, now: float) -> int | None:
        """The account a request accepted at ``now`` is added to, or None when every account is full."""
        if not self.with_room:
            return None
        account = self.with_room.popleft()
        self.friends[account] += 1
        if self.friends[account] < self.cap:
            self.with_room.append(account)
            return account
        self.full_days.append(now)
        if self.open_new:
            self._open(now)
        self._quota = self._quota_now()
        return account

    def grow_to(self, with_room: int, now: float) -> None:
        """Open new accounts at ``now`` until ``with_room`` accounts have room (none is closed)."""
        while len(self.with_room) < with_room:
            self._open(now)
        self._quota = self._quota_now()

    def _open(self, now: float) -> None:
        self.friends.append(0)
        self.with_room.append(len(self.friends) - 1)
        self.opened_days.append(now)
        if self.on_open is not None:
            self.on_open(now)
