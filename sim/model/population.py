"""The platform layer: buyers, their traits, their platform orders and parcels, as arrays.

Nothing here depends on the strategy, so every strategy of a replication sees the
same buyers, orders and parcels (common random numbers). No Python object or SimPy
process exists per platform buyer: buyers are rows of numpy arrays, drawn in blocks
from named streams.

Two kinds of platform buyers: *new* buyers, whose first order falls in the run (ids
0 .. n_new - 1), and the *existing customer base* (``population.base``, ids n_new ..
n_buyers - 1), who first bought within ``history_days`` before day 0 and have bought since
as the same BG/NBD process says: their purchase history up to day 0 (recency, frequency)
and their orders during the run come from one continuous draw, each from streams of their
own, so adding a base leaves every new buyer's luck as it was.

Time is in days from the start of the horizon (the base's history has negative days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import numpy as np

from sim.config import PlatformConfig, PopulationConfig
from sim.model.quantiles import beta_quantile, exponential_from_uniform, gamma_quantile
from sim.model.streams import Streams, occurrence

HOURS_PER_DAY = 24.0
SMS_STAGE_DRAWS: tuple[str, ...] = ("intercept", "click", "switch")


def seasonal_weights(pop: PopulationConfig, n_days: int) -> np.ndarray:
    """Relative platform volume per day of the horizon, averaging 1 over a calendar year.

    Each peak is a Gaussian bump of height ``multiplier - 1`` around its date, repeated
    every year the horizon covers.
    """
    start = dt.date.fromisoformat(pop.start_date)
    days = np.arange(n_days, dtype=float)
    year_days = np.arange(365, dtype=float)

    def bumps(t: np.ndarray) -> np.ndarray:
        w = np.ones_like(t)
        for peak in pop.peaks:
            month, day = (int(x) for x in peak.month_day.split("-"))
            first = dt.date(start.year, month, day)
            if first < start:
                first = dt.date(start.year + 1, month, day)
            centre = float((first - start).days)
            dist = np.abs((t - centre + 182.5) % 365.0 - 182.5)  # circular distance in a year
            w += (peak.multiplier - 1.0) * np.exp(-0.5 * (dist / peak.width_days) ** 2)
        return w

    return bumps(days) / bumps(year_days).mean()


@dataclass
class Traits:
    """Per-buyer traits drawn once at arrival (one row per buyer, platform or referred)."""

    rate_per_day: np.ndarray  # BG/NBD purchase rate lambda
    dropout_prob: np.ndarray  # BG/NBD dropout probability after each repeat purchase
    spend_rate: np.ndarray  # Gamma-Gamma nu: mean spend per order is p / nu
    tolerance_per_week: np.ndarray  # touches per week the member tolerates
    unsub_hazard_per_day: np.ndarray  # baseline daily delete/unsubscribe hazard (sBG theta per day)
    u_unsubscribe: np.ndarray  # uniform deciding when the member deletes at that hazard
    patience_days: np.ndarray  # how long an add request waits before giving up
    u_first_order: np.ndarray  # uniform deciding the first private order
    first_order_delay: np.ndarray  # unit exponential, scaled by the offer's mean delay
    u_membership: np.ndarray  # uniform deciding paid-membership uptake
    u_dropout: np.ndarray  # uniform deciding how many repeat purchases precede dropout

    @classmethod
    def draw(cls, n: int, pop: PopulationConfig, streams: Streams, prefix: str = "trait") -> Traits:
        """Draw ``n`` buyers' traits, each trait from its own stream ``<prefix>.<trait>``.

        Every trait takes exactly ``n`` uniforms and inverts its distribution at them
        (:mod:`sim.model.quantiles`), so a buyer's luck in one trait never depends on another
        trait's settings, and a changed setting moves each buyer's value smoothly.
        """

        def u(name: str) -> np.ndarray:
            return streams[f"{prefix}.{name}"].random(n)

        rep, spend, uns = pop.repeat, pop.spend, pop.unsubscribe
        theta = beta_quantile(uns.alpha, uns.beta, u("unsubscribe_hazard"))
        shape = pop.touch_tolerance_shape
        f32 = np.float32  # traits are stored in single precision to halve memory
        return cls(
            rate_per_day=(gamma_quantile(rep.r, u("rate")) / rep.alpha_days).astype(f32),
            dropout_prob=beta_quantile(rep.a, rep.b, u("dropout")).astype(f32),
            spend_rate=(gamma_quantile(spend.q, u("spend")) / spend.gamma_cny).astype(f32),
            tolerance_per_week=(gamma_quantile(shape, u("tolerance")) * pop.touch_tolerance_per_week / shape).astype(
                f32
            ),
            unsub_hazard_per_day=(-np.expm1(np.log1p(-theta) / uns.period_days)).astype(f32),
            u_unsubscribe=u("u_unsubscribe").astype(f32),
            patience_days=exponential_from_uniform(pop.patience_hours / HOURS_PER_DAY, u("patience")).astype(f32),
            u_first_order=u("u_first_order").astype(f32),
            first_order_delay=exponential_from_uniform(1.0, u("first_order_delay")).astype(f32),
            u_membership=u("u_membership").astype(f32),
            u_dropout=u("u_dropout").astype(f32),
        )

    def __len__(self) -> int:
        return len(self.rate_per_day)

    def grown(self, n_rows: int, capacity: int) -> Traits:
        """A copy with room for ``capacity`` rows, holding the first ``n_rows`` of this one."""
        out = {}
        for f in fields(self):
            old = getattr(self, f.name)
            new = np.empty(capacity, dtype=old.dtype)
            new[:n_rows] = old[:n_rows]
            out[f.name] = new
        return Traits(**out)

    def put(self, start: int, other: Traits) -> None:
        """Write ``other``'s rows at ``start`` (the caller made room)."""
        for f in fields(self):
            getattr(self, f.name)[start : start + len(other)] = getattr(other, f.name)


class TraitPool:
    """Traits drawn in blocks from their streams and handed out in order (cheaper than many tiny draws)."""

    BLOCK = 4096

    def __init__(self, pop: PopulationConfig, streams: Streams, prefix: str) -> None:
        self.pop = pop
        self.streams = streams
        self.prefix = prefix
        self.block: Traits | None = None
        self.used = 0

    def take(self, n: int) -> Traits:
        """The next ``n`` rows of traits."""
        if self.block is None:
            self.block = Traits.draw(max(n, self.BLOCK), self.pop, self.streams, self.prefix)
        elif self.used + n > len(self.block):
            rest = _rows(self.block, self.used, len(self.block))
            self.block = _concat(rest, Traits.draw(max(n, self.BLOCK), self.pop, self.streams, self.prefix))
            self.used = 0
        out = _rows(self.block, self.used, self.used + n)
        self.used += n
        return out


def _rows(traits: Traits, start: int, stop: int) -> Traits:
    return Traits(**{f.name: getattr(traits, f.name)[start:stop] for f in fields(traits)})


def _concat(a: Traits, b: Traits) -> Traits:
    return Traits(**{f.name: np.concatenate([getattr(a, f.name), getattr(b, f.name)]) for f in fields(a)})


class People:
    """Traits of everyone in a run: the shared platform buyers, then referred friends.

    Person ids below ``n_platform`` are platform buyers (read from the shared, never
    modified platform table); the rest are referred friends, stored in a table of
    their own that grows by doubling. ``marketplace`` is each platform buyer's platform
    (an index into the platform config's ``economics``; all 0 when not given); ``lapsed``
    marks existing customers who dropped out before day 0 (none when not given).
    """

    def __init__(
        self, platform: Traits, marketplace: np.ndarray | None = None, lapsed: np.ndarray | None = None
    ) -> None:
        self.platform = platform
        self.n_platform = len(platform)
        self.marketplace = np.zeros(self.n_platform, dtype=np.int8) if marketplace is None else marketplace
        self.lapsed = np.zeros(self.n_platform, dtype=bool) if lapsed is None else lapsed
        self.referred: Traits | None = None
        self.n_referred = 0

    def __len__(self) -> int:
        return self.n_platform + self.n_referred

    def add(self, friends: Traits) -> np.ndarray:
        """Add referred friends; returns their person ids."""
        k = len(friends)
        if self.referred is None:
            self.referred = friends.grown(0, max(2 * k, 1024))
        elif self.n_referred + k > len(self.referred):
            self.referred = self.referred.grown(self.n_referred, 2 * (self.n_referred + k))
        self.referred.put(self.n_referred, friends)
        first = len(self)
        self.n_referred += k
        return np.arange(first, first + k)

    def marketplace_of(self, ids: np.ndarray) -> np.ndarray:
        """Platform index of the people ``ids``; -1 for referred friends, who bought on no platform."""
        own = ids < self.n_platform
        return np.where(own, self.marketplace[np.where(own, ids, 0)], -1).astype(np.int8)

    def lapsed_of(self, ids: np.ndarray) -> np.ndarray:
        """Whether each of the people ``ids`` is an existing customer who dropped out before day 0."""
        own = ids < self.n_platform
        return own & self.lapsed[np.where(own, ids, 0)]

    def take(self, name: str, ids: np.ndarray) -> np.ndarray:
        """Trait ``name`` of the people ``ids``, widened to float64 (stored traits are float32)."""
        column = getattr(self.platform, name)
        if self.referred is None:
            return column[ids].astype(np.float64)
        out = np.empty(ids.size, dtype=np.float64)
        own = ids < self.n_platform
        out[own] = column[ids[own]]
        out[~own] = getattr(self.referred, name)[ids[~own] - self.n_platform]
        return out


@dataclass
class Platform:
    """Platform buyers and parcels for one replication, shared by all strategies.

    Buyers 0 .. n_new - 1 are new; the rest are the existing customer base. Per-buyer arrays
    cover all of them, except the routine SMS's uniforms, which only new buyers need.
    """

    n_buyers: int
    arrival_day: np.ndarray  # first platform order of each buyer (negative for the existing base)
    traits: Traits
    marketplace: np.ndarray  # each buyer's platform: index into the platform config's economics
    n_orders: int  # platform orders placed within the run (from day 0)
    parcel_buyer: np.ndarray  # sorted by delivery day
    parcel_delivery_day: np.ndarray
    parcel_card_index: np.ndarray  # 0 for the buyer's first parcel, 1 for the second, ...
    parcel_u_scan: np.ndarray  # uniform deciding whether the card is scanned
    parcel_scan_delay: np.ndarray  # unit exponential delay from delivery to scan
    parcel_day_start: np.ndarray  # parcels delivered on day d are [start[d], start[d+1])
    u_sms: np.ndarray  # per new buyer, shape (3, n_new): the uniforms deciding interception, click and scene switch
    sms_response_delay: np.ndarray  # per new buyer: unit exponential delay from send to request
    n_new: int = -1  # new buyers (-1: all of them)
    lapsed: np.ndarray | None = None  # per buyer: dropped out (BG/NBD) before day 0; only the base can be
    order_buyer: np.ndarray | None = None  # every platform order, the base's history included: buyer ...
    order_day: np.ndarray | None = None  # ... and day (not sorted)

    def __post_init__(self) -> None:
        if self.n_new < 0:
            self.n_new = self.n_buyers
        if self.lapsed is None:
            self.lapsed = np.zeros(self.n_buyers, dtype=bool)

    @property
    def n_base(self) -> int:
        """Existing customers (ids n_new .. n_buyers - 1)."""
        return self.n_buyers - self.n_new

    def history_at(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """Each buyer's last platform order before time ``t`` (-inf if none) and their orders so far."""
        assert self.order_buyer is not None and self.order_day is not None
        before = self.order_day < t
        who = self.order_buyer[before]
        last = np.full(self.n_buyers, -np.inf)
        np.maximum.at(last, who, self.order_day[before])
        return last, np.bincount(who, minlength=self.n_buyers)


def draw_arrivals(pop: PopulationConfig, horizon_days: int, rng: np.random.Generator) -> np.ndarray:
    """Arrival day of each new platform buyer (of the simulated share): a Poisson count per day, uniform within it."""
    weights = seasonal_weights(pop, horizon_days)
    counts = rng.poisson(pop.buyers_per_year * pop.sample_share / 365.0 * weights)
    day = np.repeat(np.arange(horizon_days, dtype=float), counts)
    return day + rng.random(day.size)


ORDER_STREAMS: tuple[str, str] = ("platform_order_gap", "platform_dropout")
BASE_ORDER_STREAMS: tuple[str, str] = ("base.order_gap", "base.dropout")


def platform_orders(
    arrival_day: np.ndarray,
    traits: Traits,
    horizon_days: float,
    streams: Streams,
    *,
    names: tuple[str, str] = ORDER_STREAMS,
    dropout_day: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each buyer's platform orders in [arrival, horizon): BG/NBD repeat buying, in array passes.

    Returns (buyer, order_day, order_index) with order_index 0 for the first order.
    Round k draws the k-th repeat of every buyer still alive and inside the horizon, with
    uniforms keyed by (buyer, k) from the streams ``names`` (gap, dropout), so a buyer's orders
    keep their luck whatever the other buyers' rates. ``dropout_day``, if given (one entry per
    buyer), receives the day of the repeat order after which each buyer dropped out (left as
    it was for those who did not within the horizon).
    """
    gap_stream, dropout_stream = names
    n = arrival_day.size
    buyers = [np.arange(n, dtype=np.int32)]
    days = [arrival_day]
    index = [np.zeros(n, dtype=np.int16)]
    alive = np.arange(n, dtype=np.int32)
    last = arrival_day.copy()
    k = 0
    while alive.size:
        k += 1
        gap = exponential_from_uniform(1.0, streams.uniform(gap_stream, alive, k))
        with np.errstate(divide="ignore"):  # a rate that underflowed to 0: no next order, ever
            t = last[alive] + gap / traits.rate_per_day[alive]
        inside = t < horizon_days
        alive, t = alive[inside], t[inside]
        buyers.append(alive)
        days.append(t)
        index.append(np.full(alive.size, min(k, 32767), dtype=np.int16))
        last[alive] = t
        stays = streams.uniform(dropout_stream, alive, k) >= traits.dropout_prob[alive]
        if dropout_day is not None:
            dropout_day[alive[~stays]] = t[~stays]
        alive = alive[stays]
    return np.concatenate(buyers), np.concatenate(days), np.concatenate(index)


def draw_marketplaces(n: int, platform: PlatformConfig, rng: np.random.Generator) -> np.ndarray:
    """Each buyer's platform (index into ``platform.economics``), drawn from the buyer shares."""
    names = list(platform.economics)
    shares = np.array([platform.buyer_share.get(name, 0.0) for name in names])
    if np.count_nonzero(shares) == 1:  # one platform: no draw needed
        return np.full(n, int(np.flatnonzero(shares)[0]), dtype=np.int8)
    cut = np.cumsum(shares)[:-1] / shares.sum()
    return np.searchsorted(cut, rng.random(n), side="right").astype(np.int8)


@dataclass
class ExistingBase:
    """The existing customers at day 0 (local ids 0 .. n - 1) and their orders, history included."""

    first_day: np.ndarray  # first order, before day 0
    traits: Traits
    marketplace: np.ndarray
    lapsed: np.ndarray  # dropped out (BG/NBD) after a repeat order before day 0
    buyer: np.ndarray  # every order: local buyer id, day, order number (0 for the first)
    day: np.ndarray
    index: np.ndarray

    @property
    def n(self) -> int:
        return self.first_day.size


def draw_base(pop: PopulationConfig, horizon_days: int, streams: Streams, platform: PlatformConfig) -> ExistingBase:
    """The existing customer base: ``base.size`` (times the sample share) buyers with a BG/NBD past and future.

    Each buyer's first order is uniform within ``history_days`` before day 0; from it, one BG/NBD
    process runs on to the end of the horizon, so the history up to day 0 (x repeat orders, the
    last at t_x, over T days) and the orders during the run are consistent: a buyer who dropped
    out before day 0 never orders again. Streams ``base.*`` and ``base_trait.*``, keyed by the
    local id, so the base's luck does not depend on the new buyers.
    """
    n = round(pop.base.size * pop.sample_share)
    first_day = -pop.base.history_days * streams["base.first_order"].random(n)
    traits = Traits.draw(n, pop, streams, prefix="base_trait")
    marketplace = draw_marketplaces(n, platform, streams["base.marketplace"])
    multiplier = np.array([m.spend_multiplier for m in platform.economics.values()], dtype=np.float32)
    traits.spend_rate /= multiplier[marketplace]
    dropout_day = np.full(n, np.inf)
    buyer, day, index = platform_orders(
        first_day, traits, horizon_days, streams, names=BASE_ORDER_STREAMS, dropout_day=dropout_day
    )
    return ExistingBase(first_day, traits, marketplace, dropout_day < 0.0, buyer, day, index)


def _stable_order(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.argsort(values, kind="stable")`` and the values in that order, faster: without ties every sort gives that
    order, and numpy's default sort is several times faster than its stable one on a million floats; with ties (or
    NaNs), the stable sort."""
    order = np.argsort(values)
    ordered = values[order]
    if ordered.size and ((ordered[1:] == ordered[:-1]).any() or np.isnan(ordered[-1])):
        order = np.argsort(values, kind="stable")
        ordered = values[order]
    return order, ordered


def build_platform(
    pop: PopulationConfig, horizon_days: int, streams: Streams, platform: PlatformConfig | None = None
) -> Platform:
    """Draw the whole platform layer of one replication (``platform`` defaults to all buyers on Tmall)."""
    platform = platform or PlatformConfig()
    arrival = draw_arrivals(pop, horizon_days, streams["arrivals"])
    n_new = arrival.size
    traits = Traits.draw(n_new, pop, streams)
    marketplace = draw_marketplaces(n_new, platform, streams["marketplace"])
    multiplier = np.array([m.spend_multiplier for m in platform.economics.values()], dtype=np.float32)
    traits.spend_rate /= multiplier[marketplace]
    buyer, order_day, card_index = platform_orders(arrival, traits, horizon_days, streams)
    base = draw_base(pop, horizon_days, streams, platform)
    n = n_new + base.n
    lapsed = np.zeros(n, dtype=bool)
    all_buyers, all_days = buyer, order_day
    if base.n:
        lapsed[n_new:] = base.lapsed
        arrival = np.concatenate([arrival, base.first_day])
        traits = _concat(traits, base.traits)
        marketplace = np.concatenate([marketplace, base.marketplace])
        base_global = (base.buyer + n_new).astype(np.int32)
        all_buyers, all_days = np.concatenate([buyer, base_global]), np.concatenate([order_day, base.day])
        # the base's orders during the run carry cards: its k-th card comes with its k-th order from day 0
        during = base.day >= 0.0
        rank = occurrence(base.buyer[during])
        buyer = np.concatenate([buyer, base_global[during]])
        order_day = np.concatenate([order_day, base.day[during]])
        card_index = np.concatenate([card_index, np.minimum(rank, 32767).astype(np.int16)])
    # each parcel's delivery and card scan are keyed by (buyer, card number): settings that change how
    # many orders there are leave every other parcel's luck as it was
    parcel = (buyer, card_index)
    delivery_delay = gamma_quantile(4.0, streams.uniform("parcel_delivery", *parcel)) * pop.delivery_days_mean / 4.0
    order, delivery = _stable_order(order_day + delivery_delay)
    n_days = int(np.ceil(delivery[-1])) + 2 if delivery.size else 1
    # one float64 per parcel is 146 MB at 10M buyers: each temporary is let go as soon as it is used (peak memory)
    del delivery_delay
    u_scan = streams.uniform("card_scan", *parcel)[order].astype(np.float32)
    scan_delay_days = exponential_from_uniform(pop.scan_delay_days_mean, streams.uniform("card_scan_delay", *parcel))
    scan_delay_days = scan_delay_days[order].astype(np.float32)
    return Platform(
        n_buyers=n,
        arrival_day=arrival,
        traits=traits,
        marketplace=marketplace,
        n_orders=int(order_day.size),
        parcel_buyer=buyer[order],
        parcel_delivery_day=delivery,
        parcel_card_index=card_index[order],
        parcel_u_scan=u_scan,
        parcel_scan_delay=scan_delay_days,
        parcel_day_start=np.searchsorted(delivery, np.arange(n_days + 1, dtype=float)),
        u_sms=np.stack([streams[f"sms.{stage}"].random(n_new, dtype=np.float32) for stage in SMS_STAGE_DRAWS]),
        sms_response_delay=exponential_from_uniform(1.0, streams["sms.response"].random(n_new)).astype(np.float32),
        n_new=n_new,
        lapsed=lapsed,
        order_buyer=all_buyers,
        order_day=all_days,
    )
