"""Planning tools: many runs of an experiment to answer "which lever setting, and how sure are we?".

:mod:`~sim.plan.sweep` summarises a Hydra multirun over a grid of levers;
:mod:`~sim.plan.search` runs and reports an Optuna search for the best levers under a churn
ceiling; :mod:`~sim.plan.breakeven` finds where a metric crosses a target;
:mod:`~sim.plan.sensitivity` moves each assumption to its low and high value;
:mod:`~sim.plan.risk` gives the chance a plan loses money or misses a target;
:mod:`~sim.plan.budget` searches the lever mix that earns the most for a budget;
:mod:`~sim.plan.staffing` finds the least-cost desk under loss and delay targets (Erlang-A checked);
:mod:`~sim.plan.abtest` sizes the real A/B test (with ``abtest_data``, ``abtest_stats``, ``abtest_tables``);
:mod:`~sim.plan.variants` runs one experiment at several settings on common random numbers.
Commands: ``python -m sim.plan COMMAND`` (:mod:`sim.plan.__main__` lists them; ``python -m sim.plan.sweep``
and the other modules' own ``-m`` forms still work); the search runs through ``python -m sim -m``.

May import every layer below: :mod:`sim.config`, :mod:`sim.model`, :mod:`sim.run`, :mod:`sim.report`.
"""
