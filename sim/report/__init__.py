"""Reports: what a run shows a planner, and the one module that writes files.

:mod:`~sim.report.tables` holds a run's tables in memory (and reads them back from a run
directory); :mod:`~sim.report.plots` draws the figures (each returns Axes, nothing saves);
:mod:`~sim.report.sweep_plots` draws sweeps, searches and tornadoes; :mod:`~sim.report.document`
builds the report, :mod:`~sim.report.publish` draws and writes it; :mod:`~sim.report.i18n`
and :mod:`~sim.report.labels` give every word in English and Chinese;
:mod:`~sim.report.console` prints; :mod:`~sim.report.writers` is the only code that touches
files; :mod:`~sim.report.runner` strings a run together (simulate, compare, print, write).
``python -m sim.report RUN_DIR`` rebuilds a run's figures and report from its files.

May import :mod:`sim.config`, :mod:`sim.model` and :mod:`sim.run`.
"""
