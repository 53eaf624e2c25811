"""The model: one strategy simulated on one replication's platform buyers, in SimPy and numpy.

Holds the named random streams (:mod:`~sim.model.streams`), the platform layer of buyers,
orders and parcels (:mod:`~sim.model.population`), capture probabilities and hook economics
(:mod:`~sim.model.capture`), the onboarding desk (:mod:`~sim.model.onboarding`), the member
table and its daily dynamics (:mod:`~sim.model.members`), the cost ledger
(:mod:`~sim.model.ledger`) and the SimPy processes that tie them together
(:mod:`~sim.model.funnel`), which return a :class:`~sim.model.funnel.RunRecord`; a replication runs with BLAS
pinned to one thread (:mod:`~sim.model.blas`).

May import :mod:`sim.config` only (its frozen dataclasses, never Hydra or OmegaConf).
"""
