"""Every shipped YAML option composes with Hydra and builds a valid, typed Experiment."""

from __future__ import annotations

import dataclasses

import pytest
from _helpers import CONFIG_DIR
from hydra import compose, initialize_config_dir

from sim.config import STRATEGY_GROUPS, Experiment, HookType, StrategyConfig, register_configs
from sim.config.compose import build_experiment

register_configs()

GROUPS = sorted(p.name for p in CONFIG_DIR.iterdir() if p.is_dir())
GROUP_OPTIONS = [
    (group, path.stem)
    for group in GROUPS
    if group != "experiment"
    for path in sorted((CONFIG_DIR / group).glob("*.yaml"))
]
EXPERIMENTS = sorted(p.stem for p in (CONFIG_DIR / "experiment").glob("*.yaml"))


def _compose(overrides: list[str]):
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(config_name="config", overrides=overrides)


def test_config_tree_is_what_the_tests_iterate_over() -> None:
    # guard against the parametrisation silently covering nothing
    assert set(STRATEGY_GROUPS) <= set(GROUPS)
    assert {"run", "population", "accounting", "experiment"} <= set(GROUPS)
    assert len(GROUP_OPTIONS) >= 25
    assert "hook_cash_vs_coupon" in EXPERIMENTS


def test_root_config_composes_to_single_base_strategy() -> None:
    exp = build_experiment(_compose([]))
    assert isinstance(exp, Experiment)
    assert list(exp.strategies) == [exp.baseline]
    only = exp.strategies[exp.baseline]
    assert isinstance(only, StrategyConfig)
    assert only.hook.type is HookType.cash  # config.yaml's default hook


@pytest.mark.parametrize(("group", "option"), GROUP_OPTIONS, ids=[f"{g}={o}" for g, o in GROUP_OPTIONS])
def test_every_group_option_composes_and_builds(group: str, option: str) -> None:
    cfg = _compose([f"{group}={option}"])
    exp = build_experiment(cfg)
    assert exp.strategies, "no strategy built"
    assert exp.baseline in exp.strategies
    # the option's own values reach the typed config
    if group in STRATEGY_GROUPS:
        strategy = exp.strategies[exp.baseline]
        typed = getattr(strategy, group)
        assert dataclasses.is_dataclass(typed)
        for key, value in cfg[group].items():
            got = getattr(typed, key)
            got = got.value if hasattr(got, "value") and not isinstance(got, (int, float)) else got
            if isinstance(value, (int, float, str, bool)):
                assert got == value, f"{group}.{key}: yaml {value!r} vs typed {got!r}"
    else:
        typed = getattr(exp.shared, group, None)
        if typed is not None:
            for key, value in cfg[group].items():
                if isinstance(value, (int, float, str, bool)):
                    assert getattr(typed, key) == value, f"{group}.{key}"


COMMAND_LINE_STRATEGIES = {  # experiment=compare takes its strategies from the command line, as its file says
    "compare": [
        "+experiment.strategies.gift.hook.type=physical",
        "+experiment.strategies.gift.hook.value_cny=8",
        "+experiment.strategies.cash.hook.value_cny=5",
        "experiment.baseline=cash",
    ]
}


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_experiment_composes_and_builds(name: str) -> None:
    exp = build_experiment(_compose([f"experiment={name}", *COMMAND_LINE_STRATEGIES.get(name, [])]))
    assert len(exp.strategies) >= 1
    assert exp.baseline in exp.strategies
    for sname, strategy in exp.strategies.items():
        assert strategy.name == sname


def test_an_inline_kind_gets_the_same_settings_as_its_option() -> None:
    """hook: {type: physical} written inline costs what hook=physical costs (shipping included); settings the options
    share (the hook's value) keep the base's, command-line changes included."""
    option = build_experiment(_compose(["hook=physical"])).strategies["base"].hook
    inline = build_experiment(_compose(["experiment=compare", *COMMAND_LINE_STRATEGIES["compare"]])).strategies
    assert inline["gift"].hook.shipping_cost_cny == option.shipping_cost_cny == 4.0
    assert inline["gift"].hook.value_cny == 8.0 and inline["cash"].hook.shipping_cost_cny == 0.0
    offers = build_experiment(
        _compose(["hook.value_cny=10", "+experiment.strategies.plain.offer.name=none", "experiment.baseline=plain"])
    )
    plain = offers.strategies["plain"]
    assert plain.offer == build_experiment(_compose(["offer=none"])).strategies["base"].offer
    assert plain.hook.value_cny == 10.0
    kept = build_experiment(
        _compose(
            ["hook.shipping_cost_cny=6", "+experiment.strategies.gift.hook.type=physical", "experiment.baseline=gift"]
        )
    )
    assert kept.strategies["gift"].hook.shipping_cost_cny == 6.0  # a base value the user set stays


def test_group_option_variants_differ_where_expected() -> None:
    """A few options really change what they claim to change."""
    onb = build_experiment(_compose(["onboarding=understaffed"])).strategies["base"].onboarding
    assert onb.agents == 1 and onb.work_end_hour - onb.work_start_hour == 8.0
    assert build_experiment(_compose(["onboarding=unlimited"])).strategies["base"].onboarding.unlimited
    assert build_experiment(_compose(["touch=off"])).strategies["base"].touch.touches_per_week == 0.0
    assert not build_experiment(_compose(["referral=off"])).strategies["base"].referral.enabled
    card = build_experiment(_compose(["card=generic"])).strategies["base"].card
    assert card.design.value == "generic"
    tiny = build_experiment(_compose(["run=tiny"])).shared.run
    assert tiny.n_replications == 3 and tiny.n_jobs == 1 and not tiny.progress


def test_flagship_experiment_is_cash_vs_coupon_differing_only_in_hook_type() -> None:
    exp = build_experiment(_compose(["experiment=hook_cash_vs_coupon"]))
    assert set(exp.strategies) == {"cash", "coupon"}
    assert exp.baseline == "coupon"
    cash, coupon = exp.strategies["cash"], exp.strategies["coupon"]
    assert cash.hook.type is HookType.cash
    assert coupon.hook.type is HookType.coupon
    assert cash.hook.value_cny == coupon.hook.value_cny
    # identical apart from the hook type (and the name)
    assert dataclasses.replace(
        cash, name="x", hook=dataclasses.replace(cash.hook, type=HookType.coupon)
    ) == dataclasses.replace(coupon, name="x")
    for group in STRATEGY_GROUPS:
        if group != "hook":
            assert getattr(cash, group) == getattr(coupon, group), group


def test_command_line_overrides_reach_every_strategy() -> None:
    exp = build_experiment(
        _compose(["experiment=hook_cash_vs_coupon", "hook.value_cny=12", "run.horizon_days=30", "sms.click_prob=0.01"])
    )
    assert exp.shared.run.horizon_days == 30
    for strategy in exp.strategies.values():
        assert strategy.hook.value_cny == 12.0
        assert strategy.sms.click_prob == 0.01
    assert exp.strategies["coupon"].hook.type is HookType.coupon  # the experiment's override still wins


def test_unknown_baseline_is_a_config_error_naming_the_key() -> None:
    from sim.config.validate import ConfigError

    with pytest.raises(ConfigError) as info:
        build_experiment(_compose(["experiment=hook_cash_vs_coupon", "experiment.baseline=nope"]))
    assert info.value.key == "experiment.baseline"
    assert "cash" in str(info.value) and "coupon" in str(info.value)
