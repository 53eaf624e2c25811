"""Funnel fits from the operator's exports (issue 18): card capture per campaign (:mod:`~.card`), SMS delivery,
response and response time per wave (:mod:`~.sms`), first private orders (:mod:`~.first_order`) and the
shifted-beta-geometric deletion baseline (:mod:`~.deletion`), each parameter with its standard error
(:mod:`~.estimate`); :mod:`~.cli` is ``python -m sim.calibrate --exports DIR``.

May import :mod:`sim.calibrate.exports`, :mod:`sim.calibrate.output` (the files written all at once or not at all) and
:mod:`sim.calibrate.dates`; scipy and statsmodels do the fitting.
"""
