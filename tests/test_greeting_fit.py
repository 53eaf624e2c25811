"""The greeting delay from request times (``sim.calibrate.funnel.greeting``): simulate -> export -> fit -> recover.

The recall-waves config of ``tests/test_funnel_fits.py`` with the default onboarding desk instead of an unlimited
one, so that requests wait from minutes to nights (the longest about 39 hours on seed 7) and the first-order
share falls with the wait: the fitted ``greeting_half_life_hours`` lies within 2 SE of the truth (12 hours) on
seed 7, on the scale the GLM fits, the halving rate ln 2 / h per hour (SE ln 2 se_h / h^2). Over seeds 1-50 the
z-scores there have mean -0.26 and SD 0.95 (slow test); over seeds 1-20 on the hours' own scale -0.37 and 1.07,
skewed by the reciprocal (two seeds near -2.8). A customer list without request times keeps the prior and says why.
"""

from __future__ import annotations

import math
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.calibrate.cli import main as calibrate_main
from sim.calibrate.funnel.cli import READERS
from sim.calibrate.funnel.greeting import greeting_delay
from sim.export_logs import main as export_main

GREETING = [
    "--strategy",
    "sample_all",
    "experiment=sms_recall_existing_base",
    "touch=off",
    "referral=off",
    "sms.click_prob=0.1",
    "run=tiny",
    "population.sample_share=0.05",
]
END_DATE = "2027-04-30"
SEEDS = range(1, 51)  # the many-seed check's


def halving_rate_z(h: float, se: float, true_h: float) -> float:
    """(fit - truth) / SE of the halving rate ln 2 / h per hour, the scale the GLM fits (SE ln 2 se / h^2); a
    half-life fitted low gives a negative z."""
    return (math.log(2) / true_h - math.log(2) / h) / (math.log(2) * se / h**2)


def seed_z(seed: int) -> float:
    """Export :data:`GREETING` on ``seed`` to a temporary folder, read it back and fit the greeting delay."""
    with tempfile.TemporaryDirectory() as folder:
        assert export_main(["--out", folder, *GREETING, f"run.seed={seed}"]) == 0
        frames = {n: READERS[n](Path(folder) / f"{n}.csv") for n in ("contacts", "orders")}
        truth = yaml.safe_load((Path(folder) / "truth.yaml").read_text(encoding="utf-8"))["onboarding"]
    end = pd.Timestamp(END_DATE) + pd.Timedelta(days=1)
    half_life, _, _ = greeting_delay(frames["contacts"], frames["orders"], end, "")
    return halving_rate_z(half_life.value, half_life.se, truth["greeting_half_life_hours"])


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("greeting_exports")
    assert export_main(["--out", str(folder), *GREETING]) == 0
    return folder


def _fit(folder: Path, out: Path) -> dict:
    with pytest.raises(SystemExit) as done:
        calibrate_main(["--exports", str(folder), "--end-date", END_DATE, "--out", str(out)])
    assert done.value.code == 0
    return yaml.safe_load(out.read_text(encoding="utf-8"))


def test_the_greeting_half_life_is_within_2_se_of_the_truth(exports: Path) -> None:
    fits = _fit(exports, exports / "fit" / "funnel.yaml")
    truth = yaml.safe_load((exports / "truth.yaml").read_text(encoding="utf-8"))["onboarding"]
    fit = fits["greeting_delay"]["half_life_hours"]
    h, true_h = fit["value"], truth["greeting_half_life_hours"]
    z = halving_rate_z(h, fit["se"], true_h)
    assert abs(z) < 2.0, (fit, z)
    assert fits["greeting_delay"]["longest_wait_hours"] > 24.0  # the waits reach past two half-lives
    assert fit["source"] == "contacts.csv + orders.csv" and "greeting_delay" not in fits["priors_kept"]
    assert math.isfinite(fits["greeting_delay"]["first_order_share_at_no_wait"]["se"])


def test_a_customer_list_without_request_times_keeps_the_prior(exports: Path, tmp_path: Path) -> None:
    contacts = (exports / "contacts.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "contacts.csv").write_text("\n".join(line.rsplit(",", 1)[0] for line in contacts) + "\n", "utf-8")
    (tmp_path / "orders.csv").write_bytes((exports / "orders.csv").read_bytes())
    fits = _fit(tmp_path, tmp_path / "funnel.yaml")
    assert fits["priors_kept"]["greeting_delay"] == "prior kept: the customer list has no request times (申请时间)"
    assert "greeting_delay" not in fits


@pytest.mark.slow
def test_greeting_z_scores_over_50_seeds_have_mean_0_and_sd_1() -> None:
    """Over seeds 1-50 the halving rate's z-scores have mean within +-0.3 (2.1 SE of a unit normal's mean over 50)
    and SD within 0.8-1.25, the issue's bands; the seeds run two at a time, each independent and seeded."""
    with ProcessPoolExecutor(max_workers=2) as pool:
        z = np.array(list(pool.map(seed_z, SEEDS)))
    assert abs(z.mean()) <= 0.3 and 0.8 <= z.std(ddof=1) <= 1.25, (z.mean(), z.std(ddof=1))
