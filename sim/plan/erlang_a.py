"""Erlang-A (Palm's M/M/n+M queue): n agents, Poisson arrivals, exponential handling and exponential patience.

The onboarding desk (:mod:`sim.model.onboarding`) open round the clock with no daily add quota, fed by a
stationary Poisson stream, is this queue: handling times are exponential (``onboarding.handling_minutes``
is their mean), patience is exponential (``population.patience_hours`` is its mean) and a request whose
buyer's patience runs out before an agent reaches it is lost. :mod:`sim.plan.staffing` checks the desk
against it (``tests/test_plan_staffing.py``).

:func:`erlang_a` gives P(wait > 0), P(abandon) and E[wait] of all arrivals by the closed forms of Mandelbaum
& Zeltyn (2007, "Service engineering in action: the Palm/Erlang-A queue"), with the incomplete gamma
function from scipy; the mean wait of the requests that are served, which has no such short form, is an
exact sum over the states of Palm's birth-death chain (:func:`served_wait_hours`), truncated where the
remaining probability is below 1e-15. :func:`chain_measures` computes all of them from the chain, as a check
of the closed forms. Rates are per hour, times in hours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

TAIL = 1e-15  # the chain is truncated where the stationary probabilities left are below this


@dataclass(frozen=True)
class ErlangA:
    """The stationary measures of M/M/n+M; waits are queueing delays, before handling starts, in hours."""

    p_wait: float  # an arrival finds every agent busy
    p_abandon: float  # an arrival gives up before being served (the share of requests lost)
    mean_wait_hours: float  # over every arrival (an abandoning one waits its patience)
    mean_wait_served_hours: float  # over the arrivals that are served


def erlang_b(agents: int, load: float) -> float:
    """Erlang B blocking probability of ``agents`` servers at offered load ``load`` (stable recursion)."""
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def _a_function(x: float, y: float) -> float:
    """Mandelbaum-Zeltyn's A(x, y) = x e^y y^-x gamma(x, y), gamma the lower incomplete gamma function."""
    log_a = math.log(x) + y - x * math.log(y) + special.gammaln(x) + math.log(special.gammainc(x, y))
    return math.exp(log_a)


def _check(arrivals_per_hour: float, handling_hours: float, patience_hours: float, agents: int) -> None:
    if not (arrivals_per_hour > 0 and handling_hours > 0 and patience_hours > 0 and agents >= 1):
        raise ValueError("Erlang-A needs positive arrival rate, handling and patience, and at least one agent")


def erlang_a(arrivals_per_hour: float, handling_hours: float, patience_hours: float, agents: int) -> ErlangA:
    """P(wait > 0), P(abandon), E[wait] (closed forms) and E[wait | served] (chain sum) of M/M/n+M."""
    _check(arrivals_per_hour, handling_hours, patience_hours, agents)
    lam, mu, theta, n = arrivals_per_hour, 1.0 / handling_hours, 1.0 / patience_hours, agents
    if special.gammainc(n * mu / theta, lam / theta) == 0.0:  # underflows for a vanishing abandonment rate
        return chain_measures(arrivals_per_hour, handling_hours, patience_hours, agents)
    a = _a_function(n * mu / theta, lam / theta)
    b = erlang_b(n, lam / mu)
    p_wait = a * b / (1.0 + (a - 1.0) * b)
    rho = lam / (n * mu)
    p_abandon_if_wait = 1.0 / (rho * a) + 1.0 - 1.0 / rho
    p_abandon = p_abandon_if_wait * p_wait
    served = served_wait_hours(arrivals_per_hour, handling_hours, patience_hours, agents)
    return ErlangA(p_wait, p_abandon, p_abandon / theta, served)


def _chain(lam: float, mu: float, theta: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Stationary probabilities of 0..n-1 in the system and of j = 0, 1, ... waiting (n busy agents)."""
    k = np.arange(n)
    log_below = k * math.log(lam / mu) - special.gammaln(k + 1)  # k < n: (lam/mu)^k / k!
    log_n = n * math.log(lam / mu) - special.gammaln(n + 1)
    # with j waiting the next arrival is the (j+1)-th in queue: ratio lam / (n mu + (j+1) theta)
    j_max = int(lam / theta + 60.0 * math.sqrt(lam / theta + 1.0) + 200.0)
    j = np.arange(1, j_max + 1)
    log_queue = log_n + np.concatenate([[0.0], np.cumsum(np.log(lam / (n * mu + j * theta)))])
    top = max(log_below.max(), log_queue.max())
    below, queue = np.exp(log_below - top), np.exp(log_queue - top)
    total = below.sum() + queue.sum()
    below, queue = below / total, queue / total
    if queue[-1] > TAIL:
        raise ValueError("Erlang-A chain not truncated far enough")  # pragma: no cover - j_max is generous
    return below, queue


def chain_measures(arrivals_per_hour: float, handling_hours: float, patience_hours: float, agents: int) -> ErlangA:
    """All four measures from the birth-death chain (PASTA: an arrival sees the stationary state)."""
    _check(arrivals_per_hour, handling_hours, patience_hours, agents)
    lam, mu, theta, n = arrivals_per_hour, 1.0 / handling_hours, 1.0 / patience_hours, agents
    below, queue = _chain(lam, mu, theta, n)
    j = np.arange(queue.size)
    p_served_if = n * mu / (n * mu + (j + 1) * theta)  # served, having found j waiting ahead
    p_wait = float(queue.sum())
    p_abandon = float((queue * (1.0 - p_served_if)).sum())
    mean_queue = float((queue * j).sum())
    return ErlangA(p_wait, p_abandon, mean_queue / lam, _served_wait(queue, n * mu, theta, float(below.sum())))


def _served_wait(queue: np.ndarray, n_mu: float, theta: float, p_no_wait: float) -> float:
    """E[wait | served]: with i ahead the tagged request's stage ends at rate n mu + (i+1) theta, whatever ends it,
    and it is served with probability n mu / (n mu + (j+1) theta) from j ahead (the products telescope)."""
    j = np.arange(queue.size)
    rates = n_mu + (j + 1) * theta
    stage_sum = np.cumsum(1.0 / rates)  # expected time through stages j, j-1, ..., 0
    p_served_if = n_mu / rates
    p_served = p_no_wait + float((queue * p_served_if).sum())
    return float((queue * p_served_if * stage_sum).sum()) / p_served


def served_wait_hours(arrivals_per_hour: float, handling_hours: float, patience_hours: float, agents: int) -> float:
    """E[wait before handling | served] in M/M/n+M, hours."""
    _check(arrivals_per_hour, handling_hours, patience_hours, agents)
    lam, mu, theta, n = arrivals_per_hour, 1.0 / handling_hours, 1.0 / patience_hours, agents
    below, queue = _chain(lam, mu, theta, n)
    return _served_wait(queue, n * mu, theta, float(below.sum()))
