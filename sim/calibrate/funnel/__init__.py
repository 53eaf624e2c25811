"""Funnel fits from the operator's exports (issue 18): card capture per campaign (:mod:`~.card`), SMS delivery,
response and response time per wave (:mod:`~.sms`), first private orders (:mod:`~.first_order`) and the
shifted-beta-geometric deletion baseline (:mod:`~.deletion`), each parameter with its standard error
(:mod:`~.estimate`); :mod:`~.cli` is ``python -m sim.calibrate --exports DIR``.

May import :mod:`sim.calibrate.exports` and :mod:`sim.report.writers`; scipy and statsmodels do the fitting.
"""
