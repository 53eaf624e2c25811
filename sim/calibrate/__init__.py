"""Calibration: a population config fitted from a merchant's order export, and a backtest of its forecasts.

Reading (:mod:`~sim.calibrate.columns` finds the columns, :mod:`~sim.calibrate.table` reads
them in blocks with pyarrow, :mod:`~sim.calibrate.orders` parses them into one purchase per
customer and day, :mod:`~sim.calibrate.sums` adds amounts as pandas did); histories
(:mod:`~sim.calibrate.rfm`); models, each by maximum likelihood (:mod:`~sim.calibrate.mle`):
BG/NBD and Gamma-Gamma (:mod:`~sim.calibrate.fit`), Pareto/NBD (:mod:`~sim.calibrate.pareto_nbd`),
MBG/NBD (:mod:`~sim.calibrate.mbg_nbd`), spend by frequency (:mod:`~sim.calibrate.spend`), all
fitted and compared by :mod:`~sim.calibrate.models`; draws of the fitted parameters for ``sim.plan risk``
(:mod:`~sim.calibrate.draws`); platform volume and seasonal peaks
(:mod:`~sim.calibrate.seasonality`); the holdout backtest (:mod:`~sim.calibrate.backtest`,
:mod:`~sim.calibrate.holdout`, and :mod:`~sim.calibrate.engine_backtest` through the engine's
platform layer) and its figures (:mod:`~sim.calibrate.plots`); the command
:mod:`~sim.calibrate.cli` (``python -m sim.calibrate``); and :mod:`~sim.calibrate.bench`,
its time and memory on a large generated export. The readers of the operator's other exports (WeCom contacts and
deletions, SMS reports, shipments, orders with a channel) are in :mod:`sim.calibrate.exports`.

May import :mod:`sim.config` (to check what it writes), :mod:`sim.model` (the engine's
platform layer, for the backtest) and :mod:`sim.report.writers` (to write files). Its input
is an order export; its output a ``configs/population/*.yaml`` the engine composes.
"""
