"""The engine's fast paths (issue 20) give exactly what the plain computations they replace give.

Each speed-up of the replication keeps every number bit for bit (tests/test_golden.py checks the whole run at a small
size); these tests check each shortcut against the computation it replaces, with exact equality, on inputs that take
both the shortcut and the general path: parcels sorted with and without tied delivery times, touches one or several a
day, handling times across the desk's draw-ahead blocks, uniforms over vectors longer than a hash block, Poisson
counts with exp(-mean) looked up, BLAS pinned to one thread while a replication runs, members' uniforms from their
buyer ids hashed once (across the table's growth), content types drawn with one mix or a mix per segment, the touch
step with every segment touched or some left untouched and with segments alike or not, fatigue deletes decided exactly
for the few whose uniform is below their bound, occurrences, ranks and referral shares with every id once, Poisson
counts of zero decided without their exponentials, and add requests falling due as their timeouts would.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import simpy
from _helpers import make_shared, quiet_strategy
from scipy import special
from simpy.events import NORMAL
from threadpoolctl import threadpool_info

from sim.config import OnboardingConfig, ReferralConfig, SegmentTouchConfig, TouchConfig, TouchResponseConfig
from sim.model.blas import one_blas_thread
from sim.model.funnel import RequestDue
from sim.model.ledger import Ledger
from sim.model.members import CARD, REFERRAL, Members
from sim.model.onboarding import HANDLING_BLOCK, ServiceDesk
from sim.model.population import People, Traits, _stable_order
from sim.model.quantiles import (
    _POINTS,
    _Z_HIGH,
    _Z_LOW,
    _Z_STEP,
    _beta_table,
    _gamma_table,
    _on_grid,
    poisson_from_uniform,
)
from sim.model.referral import sharing
from sim.model.streams import _BLOCK, Streams, _hashed, finish, occurrence, ranks_within
from sim.model.touches import SEGMENTS, TouchPolicy, decayed_batch, touch_rate_per_week

RNG_SEED = 20261202


def test_parcel_order_is_the_stable_sorts_with_and_without_ties() -> None:
    rng = np.random.default_rng(RNG_SEED)
    distinct = rng.uniform(0.0, 400.0, 50_000)
    tied = np.floor(distinct)  # about 125 parcels per delivery time: the default sort would scramble them
    with_nan = distinct.copy()
    with_nan[[3, 70, 9_000]] = np.nan
    for values in (distinct, tied, with_nan, distinct[:1], distinct[:0]):
        order, ordered = _stable_order(values)
        assert np.array_equal(order, np.argsort(values, kind="stable"))
        assert np.array_equal(ordered, values[order], equal_nan=True)


def _policy() -> TouchPolicy:
    mix = {"educational": 0.5, "emotional": 0.3, "promotional": 0.2}
    return TouchPolicy(TouchConfig(touches_per_week=2.0, mix=mix), TouchResponseConfig())


def test_one_touch_each_gives_the_contents_values_that_counting_gives() -> None:
    policy = _policy()
    rng = np.random.default_rng(RNG_SEED)
    n = 20_000
    u, seg = rng.random(n), rng.integers(0, len(SEGMENTS), n).astype(np.int8)
    kind = policy.content_kinds(u, seg)
    assert np.array_equal(kind, (u[:, None] >= policy.cum_mix[seg]).sum(axis=1))  # one categorical draw each
    assert np.bincount(kind, minlength=3).min() > 0  # every content type drawn: each value below is checked
    counts = policy.content_counts(kind, np.ones(n, dtype=np.int64))
    for values in (policy.cost_cny, policy.lift, policy.delete_risk):
        assert np.array_equal(values[kind], counts @ values)


def test_content_kinds_with_a_mix_per_segment_are_the_categorical_draws() -> None:
    mixes = {"new": {"educational": 1.0}, "at_risk": {"promotional": 0.9, "emotional": 0.1}}
    segments = {name: SegmentTouchConfig(mix=mix) for name, mix in mixes.items()}
    touch = TouchConfig(touches_per_week=2.0, mix={"educational": 0.5, "emotional": 0.3, "promotional": 0.2})
    policy = TouchPolicy(dataclasses.replace(touch, segments=segments), TouchResponseConfig())
    assert not policy.one_mix and _policy().one_mix  # the general path here, the shortcut in the test above
    assert not policy.segments_alike and _policy().segments_alike
    cadence = {"at_risk": SegmentTouchConfig(touches_per_week=1.0)}  # one mix, not one cadence
    assert not TouchPolicy(dataclasses.replace(touch, segments=cadence), TouchResponseConfig()).segments_alike
    rng = np.random.default_rng(RNG_SEED)
    u, seg = rng.random(20_000), rng.integers(0, len(SEGMENTS), 20_000).astype(np.int8)
    kind = policy.content_kinds(u, seg)
    assert np.array_equal(kind, (u[:, None] >= policy.cum_mix[seg]).sum(axis=1))
    assert set(kind[seg == SEGMENTS.index("new")].tolist()) == {0}  # the new segment's own mix is used


def _touched_members(every_segment: bool, segments_alike: bool) -> Members:
    """2,000 members joining over five days, touched three times a week for 30 days with the touch step's shortcuts
    for every segment touched and for segments alike on or off."""
    shared = make_shared()
    touch = TouchConfig(touches_per_week=3.0, mix={"educational": 0.5, "emotional": 0.3, "promotional": 0.2})
    members = Members(
        quiet_strategy(touch=touch),
        shared,
        People(Traits.draw(2_000, shared.population, Streams(1, 1))),
        Ledger(40),
        Streams(5, 0),
    )
    assert members.touches.every_segment and members.touches.segments_alike
    members.touches.every_segment, members.touches.segments_alike = every_segment, segments_alike
    members.add(np.arange(2_000), np.full(2_000, CARD, dtype=np.int8), np.zeros(2_000), np.linspace(0.0, 5.0, 2_000))
    for day in range(30):
        members.step(day)
    return members


@pytest.mark.parametrize(("every_segment", "segments_alike"), [(True, True), (True, False), (False, True)])
def test_touch_step_shortcuts_are_the_general_path(every_segment: bool, segments_alike: bool) -> None:
    fast, general = _touched_members(every_segment, segments_alike), _touched_members(False, False)
    assert fast.ledger.frame()["touches"].sum() > 0.0 and (~fast.subscribed).any()  # touches were sent, some left
    for name in fast.cols:
        assert np.array_equal(fast.cols[name][: fast.n], general.cols[name][: general.n]), name
    assert fast.ledger.frame().equals(general.ledger.frame())


def _fatigue_members(power: float, n: int) -> Members:
    """``n`` members with a range of fatigue, last touch times and tolerances (tiny ones too), and ``power``."""
    shared = make_shared()
    response = dataclasses.replace(shared.population.touch_response, fatigue_exponent=power)
    shared = dataclasses.replace(shared, population=dataclasses.replace(shared.population, touch_response=response))
    members = Members(
        quiet_strategy(), shared, People(Traits.draw(n, shared.population, Streams(1, 1))), Ledger(40), Streams(5, 0)
    )
    members.add(np.arange(n), np.full(n, CARD, dtype=np.int8), np.zeros(n), np.zeros(n))
    rng = np.random.default_rng(RNG_SEED)
    members.cols["fatigue"][:n] = rng.gamma(1.0, 2.0, n) * (rng.random(n) < 0.9)  # some never touched
    members.cols["fatigue_day"][:n] = rng.uniform(0.0, 10.0, n)
    members.cols["tolerance_per_week"][:n] = rng.gamma(0.5, 4.0, n) + 1e-300 * (rng.random(n) < 0.01)
    return members


@pytest.mark.parametrize(
    ("power", "cadence"), [(0.0, "mixed"), (0.5, "mixed"), (2.0, "mixed"), (10.0, "mixed"), (2.0, "regular")]
)
def test_fatigue_deletes_computed_for_the_few_that_may_leave_are_the_exact_ones(power: float, cadence: str) -> None:
    """Fatigue and deletes: each member's exp(-time since the last touch / decay) computed, or looked up where that
    time is the touch interval (a regular cadence, one interval for all); pressures only where a delete may be."""
    n = 20_000
    fast, exact = _fatigue_members(power, n), _fatigue_members(power, n)
    rng = np.random.default_rng(RNG_SEED + 1)
    hit = np.flatnonzero(rng.random(n) < 0.7)
    sent = rng.integers(1, 4, hit.size)
    interval = rng.choice([0.25, 1.0, 3.5], hit.size) if cadence == "mixed" else np.full(hit.size, 3.5)
    first_touch = 10.0 + rng.random(hit.size)
    if cadence == "regular":  # most touched an interval before, as a cadence does; the others at other times
        regular = rng.random(hit.size) < 0.9
        for members in (fast, exact):
            last_touch = first_touch[regular] + (sent[regular] - 1) * interval[regular]
            members.cols["fatigue_day"][hit[regular]] = last_touch - interval[regular]
    risk = rng.choice([0.0, 0.002, 0.05, 0.5], hit.size)
    u = rng.random(hit.size) ** 3  # many small uniforms: near the bound
    since = np.maximum(first_touch + (sent - 1) * interval - exact.cols["fatigue_day"][hit], 0.0)
    share_at_interval = (since == interval).mean()  # looked up; the others computed
    assert 0.5 < share_at_interval < 1.0 if cadence == "regular" else share_at_interval < 0.01
    leaving = fast._fatigued(hit, sent, first_touch, interval, risk, u)
    # what it replaces: every member's pressure, then the comparison
    c, tau = exact.cols, exact.shared.population.touch_response.fatigue_decay_days
    last_touch = first_touch + (sent - 1) * interval
    since = np.maximum(last_touch - c["fatigue_day"][hit], 0.0)
    fatigue = c["fatigue"][hit] * np.exp(-since / tau) + decayed_batch(sent, interval, tau)
    with np.errstate(divide="ignore", invalid="ignore"):
        pressure = (touch_rate_per_week(fatigue, tau) / c["tolerance_per_week"][hit]) ** power
    expected = u < np.minimum(1.0, risk * pressure)
    assert 0 < expected.sum() < hit.size  # some leave, some stay
    assert np.array_equal(leaving, expected)
    assert np.array_equal(fast.cols["fatigue"][hit], fatigue)
    assert np.array_equal(fast.cols["fatigue_day"][hit], np.maximum(last_touch, c["fatigue_day"][hit]))


def test_decayed_batch_is_the_geometric_sum_for_one_and_several_touches() -> None:
    sent = np.array([1, 2, 3, 1, 5, 1, 10])
    interval_days = np.array([3.5, 0.5, 1.0, 7.0, 0.25, 0.7, 0.1])
    q = np.exp(-interval_days / 7.0)
    expected = np.where(sent > 1, (1.0 - q**sent) / (1.0 - q), sent.astype(np.float64))
    assert np.array_equal(decayed_batch(sent, interval_days, 7.0), expected)


def test_desk_handling_times_are_the_generators_exponentials_one_at_a_time() -> None:
    cfg = OnboardingConfig()
    desk = ServiceDesk(simpy.Environment(), cfg, np.random.default_rng(RNG_SEED), lambda *a: None, lambda *a: None)
    n = 2 * HANDLING_BLOCK + 7  # across two refills of the draw-ahead block
    drawn = [cfg.handling_minutes * desk._unit_handling() for _ in range(n)]
    rng = np.random.default_rng(RNG_SEED)
    assert drawn == [rng.exponential(cfg.handling_minutes) for _ in range(n)]


def test_uniforms_in_blocks_and_with_scalar_coordinates_are_the_whole_hash() -> None:
    streams = Streams(7, 3)
    n = 2 * _BLOCK + 123  # two whole blocks and a part
    ids = np.arange(n, dtype=np.int64) * 7919 - 5
    numbers = np.arange(n, dtype=np.int64) % 11 - 3
    key = streams._sequence("orders").generate_state(1, dtype=np.uint64)[0]
    assert np.array_equal(streams.uniform("orders", ids, numbers), _hashed(key, (n,), ids, [numbers]))
    assert np.array_equal(streams.uniform("orders", ids, 4), streams.uniform("orders", ids, np.full(n, 4)))
    assert np.array_equal(streams.uniform("orders", -2, numbers), streams.uniform("orders", np.full(n, -2), numbers))


def test_uniforms_from_keyed_ids_are_the_whole_hash() -> None:
    streams = Streams(7, 3)
    ids = np.arange(5_000, dtype=np.int64) * 7919 - 5
    rows = np.flatnonzero(ids % 3 != 1)
    numbers = rows % 11 - 3
    keyed = streams.keyed("orders", ids)
    assert np.array_equal(finish(keyed[rows], 4, numbers), streams.uniform("orders", ids[rows], 4, numbers))
    assert np.array_equal(finish(keyed[rows]), streams.uniform("orders", ids[rows]))
    assert finish(keyed[:0], 4).shape == (0,)


def test_members_uniforms_are_the_streams_across_the_tables_growth() -> None:
    shared = make_shared()
    n = 3_000
    members = Members(
        quiet_strategy(), shared, People(Traits.draw(n, shared.population, Streams(1, 1))), Ledger(10), Streams(5, 0)
    )
    for lo, hi in ((0, 700), (700, 2_000), (2_000, n)):  # the table (1,024 rows at first) grows twice
        buyers = np.arange(lo, hi)
        members.add(
            buyers, np.where(buyers % 5 == 0, REFERRAL, CARD).astype(np.int8), np.zeros(hi - lo), np.ones(hi - lo)
        )
        rows = np.flatnonzero(np.arange(hi) % 4 != 0)
        got = members._uniform("purchases", rows, 6)
        assert np.array_equal(got, members.streams.uniform("purchases", members.buyer[rows], 6))


def _occurrence_by_counting(ids: np.ndarray) -> np.ndarray:
    seen: dict[int, int] = {}
    out = []
    for i in ids.tolist():
        out.append(seen.get(i, 0))
        seen[i] = out[-1] + 1
    return np.array(out, dtype=np.int64)


def test_occurrence_and_ranks_with_every_id_once_are_the_counted_ones() -> None:
    rng = np.random.default_rng(RNG_SEED)
    increasing = np.cumsum(rng.integers(1, 5, 3_000))
    repeated = np.sort(rng.integers(0, 500, 3_000))
    for ids in (
        increasing,
        repeated,
        rng.permutation(repeated),
        increasing[::-1],
        increasing[:1],
        increasing.astype(np.int32),
    ):
        assert np.array_equal(occurrence(ids), _occurrence_by_counting(ids))
    one_twice = np.array([1, 0, 2, 1])  # a single count above one
    for counts in (rng.integers(0, 2, 3_000), rng.integers(0, 4, 3_000), one_twice, np.zeros(5, dtype=np.int64)):
        assert np.array_equal(ranks_within(counts), _occurrence_by_counting(np.repeat(np.arange(counts.size), counts)))


def test_shares_of_buyers_with_one_order_each_are_the_general_paths() -> None:
    streams = Streams(3, 0)
    ref = ReferralConfig(invite_prob=0.4, immunity_decay=0.5)
    buyer = np.arange(0, 30_000, 3)
    numbers = buyer % 7
    shares_before = buyer % 4
    fast = sharing(ref, streams.uniform, buyer, numbers, shares_before)
    # the same orders and one more order by the last buyer: the general path, whose first orders decide alike
    general = sharing(
        ref,
        streams.uniform,
        np.append(buyer, buyer[-1]),
        np.append(numbers, 99),
        np.append(shares_before, shares_before[-1]),
    )
    assert 0 < fast.sum() < buyer.size
    assert np.array_equal(fast, general[:-1])


def test_poisson_counts_with_exp_neg_mean_given_are_the_same() -> None:
    rng = np.random.default_rng(RNG_SEED)
    mean, u = rng.gamma(0.5, 1.0, 10_000), rng.random(10_000)
    counts = poisson_from_uniform(mean, u)
    assert counts.max() >= 3  # the inversion loop ran several rounds
    assert np.array_equal(poisson_from_uniform(mean, u, np.exp(-mean)), counts)


def test_requests_fall_due_when_and_in_the_order_their_timeouts_would() -> None:
    rng = np.random.default_rng(RNG_SEED)
    t_request = 2.5 + np.sort(rng.exponential(3.0, 2_000))
    t_request[100:110] = t_request[100]  # requests at one time: processed in the order they were made
    seen: dict[str, list[tuple[float, int]]] = {"timeout": [], "due": []}
    for kind in seen:
        env = simpy.Environment(initial_time=2.5 - 1.0 / 3.0)  # a time whose sums round

        def note(event: simpy.Event, kind: str = kind, env: simpy.Environment = env) -> None:
            seen[kind].append((env.now, event.request[0] if kind == "due" else event.value))

        delays = (t_request - env.now).tolist()
        for i, (t, delay) in enumerate(zip(t_request.tolist(), delays, strict=True)):
            if kind == "timeout":
                env.timeout(t - env.now, value=i).callbacks.append(note)
            else:
                env.schedule(RequestDue(env, note, (i, 0, t, 1.0)), NORMAL, delay)
        env.run()
    assert len(seen["due"]) == t_request.size and seen["due"] == seen["timeout"]


def test_poisson_counts_of_small_means_without_their_exponentials_are_the_same() -> None:
    rng = np.random.default_rng(RNG_SEED)
    mean = 10.0 ** rng.uniform(-14.0, 0.5, 50_000)  # a day's added-order means, and some large ones
    near = 1.0 - mean * rng.uniform(0.99, 1.01, mean.size)  # uniforms right at the no-count bound 1 - mean
    for u in (rng.random(mean.size), near, np.minimum(near + 1e-13, np.nextafter(1.0, 0.0))):
        counts = poisson_from_uniform(mean, u)
        assert np.array_equal(counts, poisson_from_uniform(mean, u, np.exp(-mean)))  # every exponential computed
    assert (counts == 0).any() and (counts > 0).any()


def test_quantile_interpolation_in_place_is_the_plain_formula() -> None:
    u = np.concatenate([np.random.default_rng(RNG_SEED).random(100_000), [0.0, 1e-300, 0.5, 1.0 - 2**-53]])
    for table in (_gamma_table(0.5), _gamma_table(4.0), _beta_table(0.8, 2.5)):
        position = (np.clip(special.logit(u), _Z_LOW, _Z_HIGH) - _Z_LOW) / _Z_STEP
        i = np.minimum(position.astype(np.int64), _POINTS - 2)
        assert np.array_equal(_on_grid(u, table), table[i] + (table[i + 1] - table[i]) * (position - i))


def _blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_a_replication_runs_with_one_blas_thread_and_leaves_the_limit_as_it_was() -> None:
    before = _blas_threads()
    assert before  # numpy's BLAS is found: the check below means something
    with one_blas_thread():
        assert _blas_threads() == [1] * len(before)
    assert _blas_threads() == before
