"""A run's tables in memory (:class:`RunTables`): what the figures and the report are drawn from.

A run builds them as it writes its files; :func:`load_run` reads them back from a run
directory, so a report rebuilt from the files equals the original. Also the two tables a run
derives from its experiment: the strategies' levers side by side and the assumptions used,
with their sources.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.config import Experiment, ReferralMechanic
from sim.report.i18n import t
from sim.run.metrics import window_months

TOUCH_LEVER = "touch.touches_per_week"
ACCOUNT_LEVERS: tuple[str, ...] = (
    "onboarding.accounts",
    "onboarding.friend_cap_per_account",
    "onboarding.daily_add_limit_per_account",
    "onboarding.when_full",
)
TABLE_FILES: dict[str, str] = {
    "replications": "replications.parquet",
    "differences": "differences.csv",
    "funnel": "funnel.csv",
    "curves": "curves.parquet",
    "strategies": "strategies.csv",
    "assumptions": "assumptions.csv",
    "costs": "costs.csv",
    "waves": "waves.csv",
    "campaigns": "campaigns.csv",
    "accounts": "accounts.csv",
}
EXTRA_TABLES: tuple[str, ...] = ("waves", "campaigns", "accounts")  # written when the run has any rows


@dataclass(frozen=True)
class RunTables:
    """Everything the figures and the report are drawn from: a run directory's files, in memory."""

    name: str
    question: str
    baseline: str
    lang: str
    n_replications: int
    seed: int
    horizon_days: int
    dormancy_window_days: float
    summary: pd.DataFrame
    differences: pd.DataFrame
    replications: pd.DataFrame
    funnel: pd.DataFrame | None
    curves: pd.DataFrame | None
    strategies: pd.DataFrame  # lever, then one column per strategy, in the experiment's order
    assumptions: pd.DataFrame  # id, quantity, values, source
    costs: pd.DataFrame | None = None  # sim.run.costs.SUMMARY_COLUMNS: every ledger line with its interval
    question_zh: str = ""  # the experiment's question and strategy names in Chinese (report.lang=zh)
    names_zh: dict[str, str] = dataclasses.field(default_factory=dict)
    # run.parameter_uncertainty: the intervals are percentile intervals over replications (sim.run.compare)
    parameter_uncertainty: bool = False
    # sim.run.attribution's summaries: per SMS wave, per campaign, the WeCom accounts (None: the run has none)
    waves: pd.DataFrame | None = None
    campaigns: pd.DataFrame | None = None
    accounts: pd.DataFrame | None = None

    def localised(self, lang: str) -> RunTables:
        """The tables as a report in ``lang`` shows them: in Chinese, the experiment's own Chinese question and
        strategy names (``experiment.question_zh``, ``experiment.names_zh``) in every table (the control arm keeps
        its reserved name, which the report translates where it shows it). The files on disk keep the names the
        experiment gave."""
        if lang != "zh" or not (self.names_zh or self.question_zh):
            return self
        names = self.names_zh

        def rename(df: pd.DataFrame | None) -> pd.DataFrame | None:
            if df is None:
                return None
            out = df.copy()
            for column in ("strategy", "baseline"):
                if column in out:
                    out[column] = out[column].map(lambda s: names.get(str(s), s))
            return out

        return dataclasses.replace(
            self,
            question=self.question_zh or self.question,
            baseline=names.get(self.baseline, self.baseline),
            summary=rename(self.summary),
            differences=rename(self.differences),
            replications=rename(self.replications),
            funnel=rename(self.funnel),
            curves=rename(self.curves),
            costs=rename(self.costs),
            waves=rename(self.waves),
            campaigns=rename(self.campaigns),
            accounts=rename(self.accounts),
            strategies=self.strategies.rename(columns=names),
        )

    @property
    def ltv_months(self) -> int:
        """The run's LTV window (accounting.ltv_months), from the names of its metrics (``ltv_24m``)."""
        return window_months(self.summary["metric"])

    @property
    def strategy_names(self) -> list[str]:
        """The strategies in the experiment's order."""
        return [c for c in self.strategies.columns if c != "lever"]

    def lever(self, key: str) -> dict[str, str]:
        """One lever's value (as text) per strategy; empty if the lever is unknown."""
        rows = self.strategies[self.strategies["lever"] == key]
        if rows.empty:
            return {}
        return {s: str(rows.iloc[0][s]) for s in self.strategy_names}

    def touches_per_week(self) -> dict[str, float]:
        """Touches per week of each strategy."""
        return {s: float(v) for s, v in self.lever(TOUCH_LEVER).items()}

    def account_levers(self) -> dict[str, dict[str, str]]:
        """The WeCom account levers (accounts, friend cap, daily limit, when full) of each strategy."""
        return {key: self.lever(f"{key}") for key in ACCOUNT_LEVERS}


def extra_summaries(tables: Any) -> dict[str, pd.DataFrame]:
    """The per-wave, per-campaign and accounts summaries of an experiment's tables
    (:class:`~sim.run.experiment.ExperimentTables`), keyed by their RunTables field; only those with rows."""
    from sim.run.attribution import ACCOUNT_KEYS, CAMPAIGN_KEYS, WAVE_KEYS, summarise_rows

    keys = {"waves": WAVE_KEYS, "campaigns": CAMPAIGN_KEYS, "accounts": ACCOUNT_KEYS}
    out = {}
    for name in EXTRA_TABLES:
        rows = getattr(tables, name, None)
        if rows is not None and not rows.empty:
            out[name] = summarise_rows(rows, keys[name])
    return out


def extra_files(extras: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """:func:`extra_summaries`' tables keyed by their file names."""
    return {TABLE_FILES[name]: table for name, table in extras.items()}


def meta_from_config(config: dict[str, Any]) -> dict[str, Any]:
    """The report's settings and the experiment's identity from a resolved config (``config_resolved.yaml``)."""
    exp, run = config.get("experiment") or {}, config.get("run") or {}
    report = config.get("report") or {}
    return {
        "name": str(exp.get("name", "")),
        "question": str(exp.get("question", "")),
        "baseline": str(exp.get("baseline", "")),
        "lang": str(report.get("lang", "en")),
        "n_replications": int(run.get("n_replications", 0)),
        "seed": int(run.get("seed", 0)),
        "horizon_days": int(run.get("horizon_days", 0)),
        "dormancy_window_days": float((config.get("accounting") or {}).get("dormancy_window_days", 90)),
        "question_zh": str(exp.get("question_zh") or ""),
        "names_zh": {str(k): str(v) for k, v in (exp.get("names_zh") or {}).items()},
        "parameter_uncertainty": bool(run.get("parameter_uncertainty", False)),
    }


def _compact(value: Any) -> str:
    """A list item (an SMS wave, a campaign) on one line: its settings that differ from the defaults."""
    if not (dataclasses.is_dataclass(value) and not isinstance(value, type)):
        return str(value)
    default = type(value)()
    flat: dict[str, str] = {}
    _flatten(value, "", flat)
    base: dict[str, str] = {}
    _flatten(default, "", base)
    always = ("name", "date", "start", "send_hour", "days")  # what identifies a wave or a campaign
    return ", ".join(f"{k}={v}" for k, v in flat.items() if k in always or base.get(k) != v)


def _flatten(value: Any, prefix: str, out: dict[str, str]) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _flatten(getattr(value, f.name), f"{prefix}.{f.name}" if prefix else f.name, out)
    elif isinstance(value, list) and (not value or dataclasses.is_dataclass(value[0])):
        for i, item in enumerate(value):  # SMS waves, campaigns: one row each
            out[f"{prefix}[{i}]"] = _compact(item)
        if not value:
            out[prefix] = ""
    elif isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}", out)
    elif isinstance(value, Enum):
        out[prefix] = str(value.value)
    elif isinstance(value, bool):
        out[prefix] = "true" if value else "false"
    elif value is None:
        out[prefix] = ""
    else:
        out[prefix] = str(value)


def strategy_table(experiment: Experiment) -> pd.DataFrame:
    """Every lever of every strategy, side by side: ``lever`` then one column per strategy (values as text)."""
    flat = {}
    for name, strategy in experiment.strategies.items():
        levers: dict[str, str] = {}
        _flatten(strategy, "", levers)
        levers.pop("name", None)
        flat[name] = levers
    keys = list(dict.fromkeys(k for levers in flat.values() for k in levers))  # a strategy's waves may be extra rows
    return pd.DataFrame({"lever": keys, **{name: [levers.get(k, "") for k in keys] for name, levers in flat.items()}})


def _platform_text(experiment: Experiment) -> str:
    """Buyer shares, each platform's economics, private order costs and the first-order cannibalisation."""
    shared, offer = experiment.shared, experiment.strategies[experiment.baseline].offer
    plat, acc = shared.platform, shared.accounting
    parts = [f"platform.buyer_share={dict(plat.buyer_share)}"]
    for name in plat.buyer_share:
        m = plat.economics[name]
        parts.append(
            f"{name}: commission_rate={m.commission_rate}, ads_cost_per_order_cny={m.ads_cost_per_order_cny}, "
            f"gross_margin_rate={m.gross_margin_rate}, private_share={m.private_share}"
        )
    parts.append(f"accounting.shipping_cost_per_order_cny={acc.shipping_cost_per_order_cny}")
    parts.append(f"accounting.payment_fee_rate={acc.payment_fee_rate}")
    parts.append(f"offer.first_order_cannibalisation={offer.first_order_cannibalisation}")
    return "; ".join(parts)


_MECHANIC_KEYS: dict[str, tuple[str, ...]] = {  # the referral settings each mechanic uses, for the assumptions
    "invite": ("mechanic", "immunity_decay"),
    "group_buy": ("mechanic", "group_size", "window_days", "immunity_decay"),
    "help_link": ("mechanic", "help_threshold", "help_reward_cny", "immunity_decay"),
    "red_packet": ("mechanic", "red_packet_slots", "immunity_decay"),
    "lottery": ("mechanic", "lottery_win_prob", "lottery_prize_cny", "immunity_decay"),
}


def assumption_table(experiment: Experiment) -> pd.DataFrame:
    """The assumptions behind the run (shared settings and the baseline strategy), with their sources."""
    from sim.model.capture import card_add_prob, sms_add_prob

    s = experiment.strategies[experiment.baseline]
    pop, acc = experiment.shared.population, experiment.shared.accounting
    strategies = experiment.strategies.values()
    first_card = "; ".join(f"card_add_prob[{x.name}]={card_add_prob(x.hook, x.card):.2%}" for x in strategies)
    hook_types = list(dict.fromkeys(x.hook.type.value for x in strategies))
    responses = "; ".join(
        f"card.hook_response.{h}: max_add_prob={s.card.hook_response[h].max_add_prob}, "
        f"value_scale_cny={s.card.hook_response[h].value_scale_cny}"
        for h in hook_types
    )
    hooks = "; ".join(
        f"{x.name}: hook.type={x.hook.type.value}, hook.value_cny={x.hook.value_cny:g}" for x in strategies
    )

    def kv(prefix: str, obj: Any, keys: Sequence[str]) -> str:
        values = {k: getattr(obj, k) for k in keys}
        return "; ".join(f"{prefix}.{k}={v.value if isinstance(v, Enum) else v}" for k, v in values.items())

    lift = ", ".join(f"{k} {v:g}" for k, v in pop.touch_response.lift.items())
    risk = ", ".join(f"{k} {v:g}" for k, v in pop.touch_response.delete_risk.items())
    rows = [
        (
            "card_add_rate",
            f"{first_card}; card.floor_add_prob={s.card.floor_add_prob}; {responses}; "
            f"card.design={s.card.design.value} (x{s.card.design_multiplier[s.card.design.value]}); "
            f"card.repeat_card_factor={s.card.repeat_card_factor}",
            "card_add_rate",
        ),
        ("hook", hooks, "hook"),
        (
            "sms",
            f"sms_add_prob={sms_add_prob(s.sms):.2%}; "
            + kv("sms", s.sms, ("click_prob", "intercept_prob", "scene_switch_prob", "cost_per_message_cny")),
            "sms",
        ),
        ("repeat", kv("population.repeat", pop.repeat, ("r", "alpha_days", "a", "b")), "repeat"),
        ("spend", kv("population.spend", pop.spend, ("p", "q", "gamma_cny")), "spend"),
        ("unsubscribe", kv("population.unsubscribe", pop.unsubscribe, ("alpha", "beta", "period_days")), "unsubscribe"),
        (
            "touch_response",
            f"lift: {lift}; delete_risk: {risk}; "
            f"population.touch_tolerance_per_week={pop.touch_tolerance_per_week}; "
            f"touch.touches_per_week={s.touch.touches_per_week}",
            "touch_response",
        ),
        (
            "onboarding",
            kv(
                "onboarding",
                s.onboarding,
                ("agents", "work_start_hour", "work_end_hour", "handling_minutes", "accounts"),
            )
            + "".join(
                f"; onboarding.shifts.{sh.name}={sh.start_hour:g}-{sh.end_hour:g} h x {sh.agents}"
                for sh in s.onboarding.shifts
            )
            + f"; onboarding.daily_add_limit_per_account={s.onboarding.daily_add_limit_per_account}"
            + f"; onboarding.cost_per_agent_day_cny={s.onboarding.cost_per_agent_day_cny}"
            + f"; population.patience_hours={pop.patience_hours}",
            "assumption",
        ),
        (
            "first_order",
            kv("offer", s.offer, ("first_order_prob", "first_order_mean_days", "subsidy_cny")),
            "first_order",
        ),
        (
            "referral",
            kv("referral", s.referral, ("enabled", "invite_prob", "friends_per_invite", "accept_prob", "reward_cny")),
            "assumption",
        ),
        (
            "margins",
            kv(
                "accounting",
                acc,
                ("gross_margin_rate", "service_cost_per_order_cny", "discount_rate_annual", "dormancy_window_days"),
            ),
            "assumption",
        ),
        ("volume", f"population.buyers_per_year={pop.buyers_per_year}", "assumption"),
        ("platform", _platform_text(experiment), "assumption"),
        (
            "wecom_accounts",
            kv(
                "onboarding",
                s.onboarding,
                ("accounts", "friend_cap_per_account", "daily_add_limit_per_account", "new_account_cost_cny"),
            )
            + f"; onboarding.when_full={s.onboarding.when_full.value}",
            "wecom_accounts",
        ),
    ]
    if any(x.sms.waves for x in strategies):
        lifts = ", ".join(
            f"{k} {v.max_click_lift:g} (scale CNY {v.value_scale_cny:g})" for k, v in s.sms.hook_response.items()
        )
        hours = "/".join(f"{v:g}" for v in s.sms.hour_multiplier)
        rows.append(
            (
                "sms_waves",
                f"sms.hook_response: {lifts}; sms.hour_multiplier (0-23 h): {hours}; "
                + kv("sms", s.sms, ("recency_fresh_days", "recency_half_life_days", "repeat_factor", "opt_out_prob")),
                "sms_waves",
            )
        )
    mechanics = [
        f"{name}: " + kv("referral", x.referral, _MECHANIC_KEYS[ReferralMechanic(x.referral.mechanic).value])
        for name, x in experiment.strategies.items()
        if x.referral.enabled and (x.referral.mechanic != ReferralMechanic.invite or x.referral.immunity_decay < 1.0)
    ]
    if mechanics:
        rows.append(("referral_mechanics", " | ".join(mechanics), "referral_mechanics"))
    if any(x.touch.staff_hours_per_day > 0 for x in strategies):
        rows.append(("touch_channels", _channel_text(pop.touch_response), "touch_channels"))
    if pop.base.size > 0:
        rows.append(("existing_base", kv("population.base", pop.base, ("size", "history_days")), "existing_base"))
    return pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "quantity": [t(f"assume.{r[0]}", "en") for r in rows],
            "values": [r[1] for r in rows],
            "source_id": [r[2] for r in rows],
            "source": [t(f"source.{r[2]}", "en") for r in rows],
        }
    )


def _channel_text(response: Any) -> str:
    """The assumed response to each touch channel (population.touch_response.chat/moments/groups/live)."""
    parts = []
    for channel in ("chat", "moments", "groups", "live"):
        settings = getattr(response, channel)
        parts.append(
            ", ".join(
                f"touch_response.{channel}.{f.name}={getattr(settings, f.name):g}" for f in dataclasses.fields(settings)
            )
        )
    return "; ".join(parts)


def load_run(run_dir: Path | str, lang: str | None = None) -> RunTables:
    """Read a run directory's tables and settings; ``lang`` overrides the run's ``report.lang``."""
    run_dir = Path(run_dir)
    if not (run_dir / "summary.csv").is_file():
        raise FileNotFoundError(f"{run_dir}: no summary.csv, so not a finished run directory")
    config = yaml.safe_load((run_dir / "config_resolved.yaml").read_text(encoding="utf-8"))
    meta = meta_from_config(config)
    if lang is not None:
        meta["lang"] = lang
    text = {"strategy": str, "baseline": str}

    def optional(name: str) -> pd.DataFrame | None:
        path = run_dir / TABLE_FILES[name]
        if not path.is_file():
            return None
        if path.suffix == ".parquet":
            df = pd.read_parquet(path)
            return df.astype({"strategy": str})
        return pd.read_csv(path, dtype=text)

    strategies = pd.read_csv(run_dir / TABLE_FILES["strategies"], dtype=str, keep_default_na=False)
    assumptions = pd.read_csv(run_dir / TABLE_FILES["assumptions"], dtype=str, keep_default_na=False)
    return RunTables(
        **meta,
        summary=pd.read_csv(run_dir / "summary.csv", dtype=text),
        differences=pd.read_csv(run_dir / TABLE_FILES["differences"], dtype=text),
        replications=pd.read_parquet(run_dir / TABLE_FILES["replications"]).astype({"strategy": str}),
        funnel=optional("funnel"),
        curves=optional("curves"),
        costs=optional("costs"),
        waves=optional("waves"),
        campaigns=optional("campaigns"),
        accounts=optional("accounts"),
        strategies=strategies,
        assumptions=assumptions,
    )
