"""``python -m sim.export_logs``: the exports of a simulated run read back through the readers with the run's own
counts, carry the truth the later fits must recover, and bad arguments are one line with nothing written."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.calibrate.exports.channel_orders import load_channel_orders
from sim.calibrate.exports.contacts import load_contacts, load_deletions
from sim.calibrate.exports.shipments import load_shipments
from sim.calibrate.exports.sms import load_sms_report
from sim.calibrate.exports.touches import load_touch_log
from sim.config.compose import build_experiment
from sim.config.overrides import compose_experiment
from sim.export_logs import main
from sim.run.experiment import run_replication_tables

WAVES = ["experiment=sms_recall_existing_base", "run=tiny", "population.sample_share=0.01"]
CARD_ONLY = ["channel=card_only", "onboarding=unlimited", "referral=off", "run=tiny", "population.sample_share=0.02"]
FILES = (
    "contacts.csv",
    "deletions.csv",
    "sms_report.csv",
    "shipments.csv",
    "orders.csv",
    "touch_log.csv",
    "truth.yaml",
)


@pytest.fixture(scope="module")
def waves_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("waves")
    assert main(["--out", str(out), "--strategy", "sample_all", *WAVES]) == 0
    return out


@pytest.fixture(scope="module")
def card_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("card")
    assert main(["--out", str(out), *CARD_ONLY]) == 0
    return out


def _truth(out: Path) -> dict:
    return yaml.safe_load((out / "truth.yaml").read_text(encoding="utf-8"))


def test_the_exports_read_back_with_the_runs_counts(waves_run: Path) -> None:
    assert sorted(p.name for p in waves_run.iterdir()) == sorted(FILES)
    counts = _truth(waves_run)["counts"]
    contacts = load_contacts(waves_run / "contacts.csv")
    prefix = contacts["channel"].str.split("-").str[0]
    adds = {"card": int((prefix == "包裹卡").sum()), "sms": int((prefix == "短信").sum())}
    adds["referral"] = int((contacts["channel"] == "裂变邀请").sum())
    assert adds == counts["adds"]
    assert min(adds.values()) > 0  # every channel is exercised
    assert len(load_deletions(waves_run / "deletions.csv")) == counts["deletions"] > 0
    sms = load_sms_report(waves_run / "sms_report.csv")
    assert (len(sms), int(sms["delivered"].sum())) == (counts["sms_sent"], counts["sms_delivered"])
    assert set(sms["wave"]) == {"日常短信", "recall_10h", "recall_20h", "reminder"}
    parcels = load_shipments(waves_run / "shipments.csv")
    assert (len(parcels), int((parcels["campaign"] != "").sum())) == (counts["parcels"], counts["parcels_with_card"])
    assert counts["parcels_with_card"] == counts["cards_sent"]
    orders = load_channel_orders(waves_run / "orders.csv")
    assert int((~orders["private"]).sum()) == counts["platform_orders"]
    assert int(orders["private"].sum()) == counts["private_orders"] > 0
    # the touch log is every mass message the engine paid for: its cost per content adds up to the ledger's
    touches = load_touch_log(waves_run / "touch_log.csv")
    assert len(touches) == counts["touches"] > 0
    assert set(touches["channel"]) == {"企微群发"}
    cost = touches["content"].map(_truth(waves_run)["touch_response"]["cost_per_touch_cny"])
    assert cost.sum() == pytest.approx(counts["touch_cost_cny"], rel=1e-9) and cost.notna().all()
    assert touches["customer"].isin(contacts["customer"]).all()


def test_every_key_joins_across_the_exports(waves_run: Path) -> None:
    contacts = load_contacts(waves_run / "contacts.csv")
    orders = load_channel_orders(waves_run / "orders.csv")
    deletions = load_deletions(waves_run / "deletions.csv")
    assert set(deletions["customer"]) <= set(contacts["customer"])
    assert set(orders.loc[orders["private"], "customer"]) <= set(contacts["customer"])
    assert contacts["customer"].is_unique  # one staff account per member: one relation each


def test_the_export_runs_the_engine_s_own_simulation(card_run: Path) -> None:
    experiment = build_experiment(compose_experiment(None, CARD_ONLY))
    funnel = run_replication_tables(experiment, 0).funnel
    share = experiment.shared.population.sample_share  # the funnel's totals are scaled back to all buyers
    count = (funnel.set_index("stage")["count"] * share).round().astype(int)
    counts = _truth(card_run)["counts"]
    assert counts["adds"]["card"] == count["added"] == count["added_card"]
    assert counts["cards_sent"] == count["cards_sent"]


def test_carded_parcels_carry_the_true_card_add_probability(card_run: Path) -> None:
    """A buyer's first carded parcel leads to an add within N = 14 days of signing with the first card's add
    probability: card only, no referral, unlimited onboarding (every request accepted at once), so nothing else
    adds or loses a buyer; the scan delay is exponential with mean 1 day, so P(delay > 14 days) = e^-14 < 1e-6."""
    truth = _truth(card_run)
    (campaign, card), *others = truth["card"]["campaigns"].items()
    assert not others
    parcels = load_shipments(card_run / "shipments.csv").sort_values("sign_time", kind="stable")
    first = parcels[parcels["campaign"] == campaign].drop_duplicates("customer")
    contacts = load_contacts(card_run / "contacts.csv")
    added = first.merge(contacts, on="customer", how="left")
    window = pd.Timedelta(days=14)
    within = (added["add_time"] >= added["sign_time"]) & (added["add_time"] <= added["sign_time"] + window)
    n, p = len(first), card["add_prob_first_card"]
    share = float(within.mean())
    se = math.sqrt(p * (1 - p) / n)
    assert n > 3000
    assert abs(share - p) < 3 * se, (share, p, se)


def test_the_same_seed_writes_the_same_files(card_run: Path, tmp_path: Path) -> None:
    assert main(["--out", str(tmp_path), *CARD_ONLY]) == 0
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (card_run / name).read_bytes(), name


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--strategy", "nope", "run=tiny"], "error: --strategy nope: no such strategy; allowed: base"),
        (["--replication", "x"], "error: --replication x: allowed: a whole number from 0"),
        (["hook.value_cny=-1"], "error: hook.value_cny=-1: allowed range [0, 100000]"),
        (["--bogus"], "error: unrecognised argument '--bogus'"),
    ],
)
def test_bad_arguments_are_one_line_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        main(["--out", str(out), *argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(says), err
    assert not out.exists()


def test_out_must_be_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "taken.csv"
    file.write_text("x", encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["--out", str(file)])
    assert capsys.readouterr().err == f"error: --out {file}: is a file; allowed: a folder (new or existing)\n"
    assert file.read_text(encoding="utf-8") == "x"


def test_the_command_runs_as_a_module_and_says_what_is_missing_in_one_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "sim.export_logs"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr == "error: the following arguments are required: --out\n"


def test_a_folder_that_cannot_be_made_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "taken.csv"
    file.write_text("x", encoding="utf-8")
    assert main(["--out", str(file / "out"), *CARD_ONLY]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: --out {file / 'out'}: cannot write"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.csv"]
