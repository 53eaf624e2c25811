"""SMS response per wave (the routine message is one more wave, under its task name): the delivered share of the
messages sent, the share of delivered messages followed by an add from the wave's live code, and the response
time, hours from send to add.

The engine draws each responder's delay as exponential with mean ``response_mean_hours``; here its mean is fitted
by maximum likelihood, each delay truncated at the export's end (a response after the end is not in the export, so
a delay ``d`` of a message sent ``T`` hours before the end has density e^(-d/mu) / (mu (1 - e^(-T/mu)))). An add
belongs to a wave when its live code (渠道活码) is the wave's name or ends in ``-`` and the name. The add time is when
the request was accepted: with a greeting queue, the delay includes the wait.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calibrate.funnel.estimate import Estimate, FitError, binomial, from_log, mle

SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class WaveFit:
    """One wave's fits; the add share and response time are None when no message was delivered or none answered."""

    delivered_share: Estimate
    add_share_per_delivered: Estimate | None
    response_mean_hours: Estimate | None


def response_mean_hours(delay_hours: np.ndarray, horizon_hours: np.ndarray, source: str, what: str) -> Estimate:
    """MLE of an exponential mean from delays each truncated at its own horizon (see the module doc)."""

    def neg_loglik(x: np.ndarray) -> float:
        mu = np.exp(x[0])
        return float(np.sum(x[0] + delay_hours / mu + np.log(-np.expm1(-horizon_hours / mu))))

    x, cov = mle(neg_loglik, np.array([np.log(max(float(np.mean(delay_hours)), 1e-3))]), what)
    return from_log(float(x[0]), float(cov[0, 0]), delay_hours.size, source)


def answered_messages(sms: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """The delivered messages (``wave, recipient, send_time``) with ``answered``, whether the recipient added from
    the wave's live code at or after the send (once per recipient and wave, on their first message), and
    ``add_time``."""
    delivered = sms.loc[sms["delivered"], ["wave", "recipient", "send_time"]].reset_index(drop=True)
    adds = contacts.drop_duplicates("customer")[["customer", "add_time", "channel"]]
    joined = delivered.merge(adds, left_on="recipient", right_on="customer", how="left")
    code = joined["channel"].fillna("").to_numpy(dtype=str)
    wave = joined["wave"].to_numpy(dtype=str)
    from_wave = (code == wave) | np.char.endswith(code, np.char.add("-", wave))
    answered = from_wave & (joined["add_time"] >= joined["send_time"]).to_numpy()
    first = ~joined.loc[answered, ["wave", "recipient"]].duplicated()
    answered[answered] = first.to_numpy()
    return joined[["wave", "recipient", "send_time", "add_time"]].assign(answered=answered)


def wave_fits(
    sms: pd.DataFrame, contacts: pd.DataFrame, end: pd.Timestamp, source: str
) -> tuple[dict[str, WaveFit], Estimate | None]:
    """Per wave of the send report (tidy frames of the SMS and contact readers), ``end`` the export's end; and the
    response mean of all waves' answers together (the engine's one ``response_mean_hours``), None if none."""
    if sms.empty:
        raise FitError("sms_report: no message; allowed: at least one row")
    messages = answered_messages(sms, contacts)
    fits = {}
    delays, horizons = [], []
    for wave, sent in sms.groupby("wave", sort=True):
        name = str(wave)
        delivered_share = binomial(int(sent["delivered"].sum()), len(sent), source)
        delivered = messages[messages["wave"] == wave]
        if delivered.empty:  # filtered as a whole: nothing to answer
            fits[name] = WaveFit(delivered_share, None, None)
            continue
        answered = delivered[delivered["answered"]]
        share = binomial(len(answered), len(delivered), source)
        response = None
        if len(answered):
            delay = (answered["add_time"] - answered["send_time"]).dt.total_seconds().to_numpy() / SECONDS_PER_HOUR
            horizon = (end - answered["send_time"]).dt.total_seconds().to_numpy() / SECONDS_PER_HOUR
            response = response_mean_hours(delay, horizon, source, f"sms_report: wave {name} response time")
            delays.append(delay)
            horizons.append(horizon)
        fits[name] = WaveFit(delivered_share, share, response)
    if not delays:
        return fits, None
    pooled = response_mean_hours(np.concatenate(delays), np.concatenate(horizons), source, "sms_report: response time")
    return fits, pooled
