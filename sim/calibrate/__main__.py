"""``python -m sim.calibrate --orders PATH --out configs/population/NAME.yaml``: see :mod:`sim.calibrate.cli`."""

from sim.calibrate.cli import main

main()
