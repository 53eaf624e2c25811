"""Touch lift and fatigue (``sim.calibrate.funnel.lift``, ``.touch``): simulate -> export -> fit -> recover.

The config recalls 20% of the existing base by SMS (about 3,900 members), touches every member once a week except for
ten days a month when every segment is touched six times a week (``calendar=touch_pulses``: the recent touch rate
then varies with the calendar, not with what members did, so the fatigue curve is identified without the segments'
feedback from orders), and raises the members' repurchase rate about six-fold (``population.repeat.alpha_days=5``)
so that the lift rests on a few thousand repurchases. The deletion window is one minute because the engine deletes
at the touch itself (the default hour also catches baseline deletions; the fit module's doc says by how much).

On seed 7 (the tiny run's) each fitted parameter lies within 2 SE of the truth the export wrote, on the scale it is
fitted on (log for the lifts, delete probabilities and tolerance shape; the private share and the exponent as they
are). An exact estimator fails one of the 9 checks on a seed with chance about 1 - 0.954^9 = 35%, so a single seed
is a smoke test of the recovery; the evidence is the many-seed check (slow): over seeds 1-50 each parameter's
z-scores have mean within +-0.3 and SD within 0.8-1.25 (``README.md``, "Touch lift, fatigue and the greeting
delay", gives the figures).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from _helpers import assert_z_scores_are_unit_normal, log_z

from sim.calibrate.cli import main as calibrate_main
from sim.calibrate.funnel.cli import READERS
from sim.calibrate.funnel.lift import touch_lift
from sim.calibrate.funnel.touch import _decayed_counts, touch_fatigue
from sim.export_logs import main as export_main
from sim.model.touches import touch_rate_per_week

TOUCH = [
    "--strategy",
    "sample_all",
    "experiment=sms_recall_existing_base",
    "onboarding=unlimited",
    "referral=off",
    "run=tiny",
    "population.sample_share=0.2",
    "calendar=touch_pulses",
    "touch.touches_per_week=1.0",
    "population.repeat.alpha_days=5.0",
]
END_DATE = "2027-04-30"  # the tiny run's last day
SEEDS = range(1, 51)  # the many-seed check's


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("touch_exports")
    assert export_main(["--out", str(folder), *TOUCH]) == 0
    return folder


@pytest.fixture(scope="module")
def fitted(exports: Path) -> tuple[dict, dict]:
    out = exports / "fit" / "funnel.yaml"
    argv = ["--exports", str(exports), "--end-date", END_DATE, "--out", str(out), "--touch-window-minutes", "1"]
    with pytest.raises(SystemExit) as done:
        calibrate_main(argv)
    assert done.value.code == 0
    load = lambda p: yaml.safe_load(p.read_text(encoding="utf-8"))  # noqa: E731
    return load(out), load(exports / "truth.yaml")


def z_scores(fits: dict, truth: dict) -> dict[str, float]:
    """(fit - truth) / SE per touch parameter, positive parameters on the log scale (SE there: se / value), the
    private share of natural repurchases as it is."""
    touch, true = fits["touch"], truth["touch_response"]

    def fit_z(fit: dict, value: float) -> float:
        return log_z(fit["value"], fit["se"], value)

    lifts = touch["lift"]["lift_on_private_rate"].items()
    z = {f"lift {c}": fit_z(e, true["lift_on_private_rate"][c]) for c, e in lifts}
    share = touch["lift"]["private_share_of_natural_repurchases"]
    z["private share"] = (share["value"] - true["private_share"]) / share["se"]
    fatigue = touch["fatigue"]
    for c, e in fatigue["delete_prob_at_one_per_week"].items():
        z[f"delete prob {c}"] = fit_z(e, true["delete_prob_at_one_per_week"][c])
    k = fatigue["fatigue_exponent"]
    z["fatigue exponent"] = (k["value"] - true["fatigue_exponent"]) / k["se"]
    z["tolerance shape"] = fit_z(fatigue["tolerance_shape"], true["tolerance_shape"])
    return z


def seed_z_scores(seed: int) -> dict[str, float]:
    """Export :data:`TOUCH` on ``seed`` to a temporary folder, read it back and fit the lift and fatigue (1-minute
    window); :func:`z_scores` of the fits."""
    with tempfile.TemporaryDirectory() as folder:
        assert export_main(["--out", folder, *TOUCH, f"run.seed={seed}"]) == 0
        frames = {n: READERS[n](Path(folder) / f"{n}.csv") for n in ("contacts", "deletions", "orders", "touch_log")}
        truth = yaml.safe_load((Path(folder) / "truth.yaml").read_text(encoding="utf-8"))
    end = pd.Timestamp(END_DATE) + pd.Timedelta(days=1)
    true = truth["touch_response"]
    contacts, deletions, touches = frames["contacts"], frames["deletions"], frames["touch_log"]
    lift = touch_lift(contacts, deletions, frames["orders"], touches, end, true["lift_decay_days"], "")
    fatigue = touch_fatigue(contacts, deletions, touches, end, true["fatigue_decay_days"], 1.0, "")
    assert lift.private_share is not None
    fits = {
        "touch": {
            "lift": {
                "lift_on_private_rate": {c: e.as_dict() for c, e in lift.lift_on_private_rate.items()},
                "private_share_of_natural_repurchases": lift.private_share.as_dict(),
            },
            "fatigue": {
                "delete_prob_at_one_per_week": {c: e.as_dict() for c, e in fatigue.delete_prob_at_one_per_week.items()},
                "fatigue_exponent": fatigue.fatigue_exponent.as_dict(),
                "tolerance_shape": fatigue.tolerance_shape.as_dict(),
            },
        }
    }
    return z_scores(fits, truth)


@pytest.mark.slow
def test_touch_z_scores_over_50_seeds_have_mean_0_and_sd_1() -> None:
    """Over seeds 1-50 each touch parameter's z-score has mean within +-0.3 and SD within 0.8-1.25 (the issue's
    bands: with 50 seeds the mean of unit-normal z has SE 0.14 and the SD about 0.10, so they are 2.1 SE (mean),
    2 SE (0.8) and 2.5 SE (1.25) wide). The seeds run two at a time; each is independent and seeded, so the
    result does not depend on the order."""
    assert_z_scores_are_unit_normal(seed_z_scores, SEEDS)


@pytest.mark.slow
def test_every_touch_parameter_is_within_2_se_of_the_truth(fitted: tuple[dict, dict]) -> None:
    z = z_scores(*fitted)
    assert len(z) == 9  # 3 lifts, the private share, 3 delete probabilities, the exponent and the tolerance shape
    assert all(abs(v) < 2.0 for v in z.values()), z


@pytest.mark.slow
def test_the_touch_fits_name_their_files_and_keep_no_prior(fitted: tuple[dict, dict]) -> None:
    fits, _ = fitted
    touch = fits["touch"]
    assert touch["channels"] == ["企微群发"]
    lift = touch["lift"]["lift_on_private_rate"]["promotional"]
    assert lift["source"] == "touch_log.csv + contacts.csv + orders.csv + deletions.csv"
    assert touch["fatigue"]["fatigue_exponent"]["source"] == "touch_log.csv + contacts.csv + deletions.csv"
    assert touch["fatigue"]["window_minutes"] == 1.0 and touch["fatigue"]["deletions_after_a_touch"] > 500
    assert set(fits["priors_kept"]) == {"greeting_delay"}


@pytest.mark.slow
def test_a_touch_log_without_orders_or_deletions_says_which_fit_keeps_its_prior(exports: Path, tmp_path: Path) -> None:
    for name in ("touch_log.csv", "contacts.csv"):
        (tmp_path / name).write_bytes((exports / name).read_bytes())
    out = tmp_path / "funnel.yaml"
    with pytest.raises(SystemExit):
        calibrate_main(["--exports", str(tmp_path), "--end-date", END_DATE, "--out", str(out)])
    kept = yaml.safe_load(out.read_text(encoding="utf-8"))["priors_kept"]
    assert kept["touch_lift"] == "prior kept: needs orders.csv"
    assert kept["touch_fatigue"] == "prior kept: needs deletions.csv"


def test_the_recent_touch_rate_of_a_regular_cadence_is_the_cadence_and_stays_with_its_member() -> None:
    """Closed form: n touches every D days leave a decayed count (1 - q^n) / (1 - q), q = e^(-D / tau), whose rate
    tends to 7 / D (within 1e-6 once q^n < 1e-7: 30 touches twice a week, 120 daily); two members' touches
    interleaved in time must not mix (the running sum is grouped)."""
    tau = 7.0
    day_a, day_b = np.arange(30) * 3.5, 0.5 + np.arange(120) * 1.0  # twice a week; daily, from half a day on
    customer = np.r_[np.full(day_a.size, "A"), np.full(day_b.size, "B")]
    count = _decayed_counts(customer, np.r_[day_a, day_b], tau)
    n_a, n_b = np.arange(1, 31), np.arange(1, 121)
    q_a, q_b = math.exp(-3.5 / tau), math.exp(-1.0 / tau)
    expected = np.r_[(1 - q_a**n_a) / (1 - q_a), (1 - q_b**n_b) / (1 - q_b)]
    np.testing.assert_allclose(count, expected, rtol=1e-9)
    rate = touch_rate_per_week(count, tau)
    assert rate[0] == 0.0 and rate[29] == pytest.approx(2.0, rel=1e-6) and rate[-1] == pytest.approx(7.0, rel=1e-6)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--touch-window-minutes", "0"], "--touch-window-minutes 0: allowed: a number of minutes above 0"),
        (["--lift-decay-days", "x"], "--lift-decay-days x: allowed: a number of days above 0 and at most 365"),
        (["--fatigue-decay-days", "-1"], "--fatigue-decay-days -1: allowed: a number of days above 0"),
    ],
)
def test_a_bad_touch_option_is_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    (tmp_path / "touch_log.csv").write_text("发送时间,客户ID\n2026-01-05 04:55:04,C00000009\n", encoding="utf-8")
    out = tmp_path / "fit" / "funnel.yaml"
    with pytest.raises(SystemExit) as done:
        calibrate_main(["--exports", str(tmp_path), "--out", str(out), *argv])
    err = capsys.readouterr().err
    assert done.value.code == 2 and err.count("\n") == 1 and err.startswith("error: ") and says in err, err
    assert not out.parent.exists()


def test_a_touch_log_with_an_unknown_content_tag_is_one_line_naming_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        "发送时间,客户ID,渠道,内容类型",
        "2026-01-05 04:55:04,C00000009,企微群发,教育",
        "2026-01-06 04:55:04,C00000009,企微群发,新品",
    ]
    (tmp_path / "touch_log.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "funnel.yaml"
    with pytest.raises(SystemExit) as done:
        calibrate_main(["--exports", str(tmp_path), "--out", str(out)])
    err = capsys.readouterr().err
    assert done.value.code == 2 and err.count("\n") == 1, err
    assert "内容类型 '新品' at row 3 is not recognised" in err and not out.exists()
