"""Runs: every strategy and the control arm on every replication, and what their records mean.

:mod:`~sim.run.experiment` runs replications (:mod:`~sim.run.workers` spreads them over
processes); :mod:`~sim.run.metrics` turns a run record into the metrics, :mod:`~sim.run.curves`
into funnel counts and curves; :mod:`~sim.run.compare` summarises replications and pairs
strategies against the baseline; :mod:`~sim.run.objectives` adds the totals that sweeps and
searches rank by; :mod:`~sim.run.exports` collects one strategy's per-person facts for the synthetic
operator exports. Pure numpy/pandas outside the model; nothing here writes files.

May import :mod:`sim.config` and :mod:`sim.model`.
"""
