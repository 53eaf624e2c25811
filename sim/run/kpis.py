"""The private-domain GMV formula (私域GMV = 流量 × 转化率 × 裂变 × LTV × 客单价) as an exact identity per strategy.

The practitioners' formula multiplies traffic, conversion, fission, lifetime value and order value. Read with
lifetime value as orders per member, it holds exactly over a run's replications:

    private GMV = traffic × (card/SMS members / traffic) × (members / card/SMS members)
                  × (private orders / members) × (private GMV / private orders)

Each factor is a ratio of the metrics' sums over the replications, so the product equals the mean private GMV
per replication to rounding, and a strategy's GMV gap to another splits into the factors that differ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config import CONTROL

GMV_COLUMNS: list[str] = [
    "strategy",
    "traffic",
    "conversion_rate",
    "fission_multiplier",
    "orders_per_member",
    "aov_cny",
    "private_gmv_cny",
]
_PARTS: tuple[str, ...] = ("traffic", "members_acquired", "referred_members", "private_orders", "private_gmv")


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


def gmv_decomposition(replications: pd.DataFrame) -> pd.DataFrame:
    """One row per strategy (not the control arm, which has no traffic), in the replications' order: the factors
    of :data:`GMV_COLUMNS` from the sums over replications of the tidy metric rows (strategy, metric, value)."""
    rows = []
    for strategy, grp in replications[replications["strategy"] != CONTROL].groupby("strategy", sort=False):
        total = grp[grp["metric"].isin(_PARTS)].groupby("metric")["value"].sum()
        n_replications = grp["replication"].nunique()
        traffic, members, referred = (float(total[k]) for k in ("traffic", "members_acquired", "referred_members"))
        orders, gmv = float(total["private_orders"]), float(total["private_gmv"])
        rows.append(
            {
                "strategy": strategy,
                "traffic": traffic / n_replications,
                "conversion_rate": _ratio(members - referred, traffic),
                "fission_multiplier": _ratio(members, members - referred),
                "orders_per_member": _ratio(orders, members),
                "aov_cny": _ratio(gmv, orders),
                "private_gmv_cny": gmv / n_replications,
            }
        )
    return pd.DataFrame(rows, columns=GMV_COLUMNS).astype({c: np.float64 for c in GMV_COLUMNS[1:]})
