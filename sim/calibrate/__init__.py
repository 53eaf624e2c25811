"""Calibration: a population config fitted from a merchant's order export.

:mod:`~sim.calibrate.orders` reads the export (CSV or Excel, English or Chinese headers);
:mod:`~sim.calibrate.fit` fits BG/NBD and Gamma-Gamma by maximum likelihood;
:mod:`~sim.calibrate.seasonality` reads platform volume and seasonal peaks;
:mod:`~sim.calibrate.holdout` compares forecasts with a holdout period;
:mod:`~sim.calibrate.plots` draws that comparison; :mod:`~sim.calibrate.cli` is the command,
``python -m sim.calibrate``.

May import :mod:`sim.config` (to check what it writes) and :mod:`sim.report.writers` (to write it).
"""
