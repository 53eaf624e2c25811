"""Card capture per card campaign: of the buyers whose first carded parcel was signed for, the share who added the
brand within ``window_days`` of the signing, by the campaign that parcel carried.

Only a buyer's first carded parcel counts (later cards respond less: the engine's ``repeat_card_factor``), and only
when no further carded parcel was signed within the window (else the window would also catch that card's adds; in
the engine whether a buyer orders again does not depend on how they answered a card). So the share estimates a
campaign's add probability of a buyer's first card (``card_add_prob``) times the chance the scan comes within the
window (1 - e^-14 for the engine's one-day mean scan delay). A buyer already added before signing cannot respond
and is left out. An add counts when its live code (渠道活码) is the campaign's name or ends in ``-`` and the name,
or, when the customer list has no channel column, any add: then an add by SMS within the window counts too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibrate.funnel.estimate import Estimate, FitError, binomial


def first_cards(shipments: pd.DataFrame, contacts: pd.DataFrame, window_days: float) -> pd.DataFrame:
    """Each buyer's first carded parcel that counts (see the module doc), one row per buyer: ``customer, campaign,
    sign_time`` and ``added``, whether the buyer added within ``window_days`` from that card's campaign."""
    signed = shipments[(shipments["campaign"] != "") & shipments["sign_time"].notna()]
    if signed.empty:
        raise FitError("shipments: no signed parcel carries a card campaign (包裹卡活动); allowed: at least one")
    signed = signed.sort_values(["customer", "sign_time"], kind="stable")
    window = pd.Timedelta(days=window_days)
    next_sign = signed.groupby("customer")["sign_time"].shift(-1)
    first = signed.groupby("customer").head(1)
    first = first[~(next_sign[first.index] <= first["sign_time"] + window)]  # NaT (no later card): kept
    adds = contacts.drop_duplicates("customer")[["customer", "add_time", "channel"]]
    joined = first.merge(adds, on="customer", how="left")
    open_to_add = ~(joined["add_time"] < joined["sign_time"])  # NaT (never added) compares False: still open
    joined = joined[open_to_add]
    late = joined["add_time"] > joined["sign_time"] + window
    added = joined["add_time"].notna() & ~late
    if (contacts["channel"] != "").any():
        code = joined["channel"].fillna("").to_numpy(dtype=str)
        campaign = joined["campaign"].to_numpy(dtype=str)
        added &= (code == campaign) | np.char.endswith(code, np.char.add("-", campaign))
    return joined[["customer", "campaign", "sign_time"]].assign(added=added.to_numpy())


def card_capture(
    shipments: pd.DataFrame, contacts: pd.DataFrame, window_days: float, source: str
) -> dict[str, Estimate]:
    """Each card campaign's add share of first carded parcels (tidy frames of the shipment and contact readers)."""
    cards = first_cards(shipments, contacts, window_days)
    counts = cards.groupby("campaign", sort=True)["added"].agg(["sum", "size"])
    return {str(c): binomial(int(row["sum"]), int(row["size"]), source) for c, row in counts.iterrows()}
