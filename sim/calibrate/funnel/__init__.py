"""Funnel fits from the operator's exports (issue 18): card capture per campaign (:mod:`~.card`), SMS delivery,
response and response time per wave (:mod:`~.sms`), first private orders (:mod:`~.first_order`), the
shifted-beta-geometric deletion baseline (:mod:`~.deletion`), the greeting delay's effect on first orders
(:mod:`~.greeting`) and the touch lift and fatigue from the touch log (:mod:`~.touch`), each parameter with its
standard error (:mod:`~.estimate`); :mod:`~.cli` is ``python -m sim.calibrate --exports DIR``.

May import :mod:`sim.calibrate.exports`, :mod:`sim.calibrate.output` (the files written all at once or not at all),
:mod:`sim.calibrate.dates` and, for the engine's own definition of the recent touch rate the fatigue fit must match,
:func:`sim.model.touches.touch_rate_per_week`; scipy and statsmodels do the fitting.
"""
