"""``python -m sim.calibrate --orders PATH --out configs/population/NAME.yaml``: see :mod:`sim.calibrate.cli`.

BLAS runs on one thread: its only use here is the weighted sum of each log-likelihood, which
is faster on one thread than split across busy cores, and then sums in the same order, to
the same bits, on any machine. Set before numpy loads BLAS; a value in the environment wins.
"""

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from sim.calibrate.cli import main  # noqa: E402 - after the BLAS setting

main()
