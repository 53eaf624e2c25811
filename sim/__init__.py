r"""Private-domain (私域) strategy simulator: what a capture and retention strategy returns, before money is spent.

Data flows one way, and so do imports::

    configs/*.yaml --> config --> model --> run --> report
                                             \--> plan (sweeps, search, break-even, sensitivity)
    order exports ----------------------> calibrate --> configs/population/*.yaml

- :mod:`sim.config`: typed settings, validation, Hydra composition, one-line errors;
- :mod:`sim.model`: the SimPy funnel model of one strategy on one replication's buyers;
- :mod:`sim.run`: replications, the control arm, metrics, curves, paired comparison;
- :mod:`sim.report`: figures, the report, the console, and the one module that writes files;
- :mod:`sim.plan`: sweeps, strategy search, break-even and sensitivity over many runs;
- :mod:`sim.calibrate`: a population fitted from a merchant's order export.

Entry points: ``python -m sim`` (:mod:`sim.__main__`), :mod:`sim.api` for notebooks, and
:mod:`sim.bench`. A lower layer never imports a higher one (an import-linter contract in
``pyproject.toml``, checked by the test suite).
"""
