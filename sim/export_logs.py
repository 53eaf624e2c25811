"""Command line: ``python -m sim.export_logs --out DIR [--strategy NAME] [--replication N] [key=value ...]``.

Simulates one strategy of a config (the first one listed, or ``--strategy NAME``) on one replication and writes what
the operator's own systems would export from it, in their formats: Chinese headers as a Chinese SCRM/ERP tool writes
them and times such as ``2024-11-11 20:15:03`` (UTF-8 CSV):

- ``contacts.csv``: the WeCom customer list (客户ID, 所属员工, 添加时间, 渠道活码, 申请时间), one row per member;
- ``deletions.csv``: the deletion (流失) records (客户ID, 所属员工, 添加时间, 流失时间, 留存天数, 流失类型);
- ``sms_report.csv``: the SMS send report (任务名称, 手机号(加密), 发送时间, 发送状态), one row per message;
- ``shipments.csv``: parcels (订单编号, 客户ID, 发货时间, 签收时间, 包裹卡活动; empty campaign: no card);
- ``orders.csv``: platform and private orders (订单编号, 客户ID, 下单时间, 实付金额, 渠道); a member's platform
  orders after their first private order are their own (a repurchase that went private is not also on the
  platform); other platform orders are the platform layer's, which simulates them within the horizon only;
- ``touch_log.csv``: the mass-message log (群发记录: 发送时间, 客户ID, 渠道, 内容类型), one row per message a member
  received (渠道 企微群发; 内容类型 教育, 情感 or 促销); not written when the strategy sends none;
- ``truth.yaml``: the true parameters that generated them and what the run counted.

The headers are the first names the readers of :mod:`sim.calibrate.exports` know, so the files read back as they
are; the per-person facts come from :func:`sim.run.exports.export_facts`. What the engine does not model is filled in
plainly: the engine has no dispatch step, so a parcel's ship time (发货时间) is its order time and its sign time
(签收时间) the delivery; staff accounts are assigned in join order; one customer key (``C00001234``) serves as external
user id, encrypted phone number and buyer, as an SCRM that joins them would. Files are written all at once or not at
all (:func:`sim.report.writers.staged`). Bad input prints one line ``error: ...`` and exits with status 2; a folder
that cannot be written, one line and status 1.

May import :mod:`sim.config` (Hydra composition), :mod:`sim.run`, :mod:`sim.report.writers` and
:mod:`sim.calibrate.exports`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.calibrate.exports import channel_orders, contacts, shipments, sms, touches
from sim.config import register_configs
from sim.config.cli import ArgumentParser
from sim.config.compose import build_experiment
from sim.config.overrides import fail, precheck
from sim.report.writers import staged, write_table, write_text
from sim.run.exports import PRIVATE, ROUTINE, ExportFacts, export_facts, truth

ROUTINE_TASK = "日常短信"  # the routine message's task name in the SMS report
REFERRAL_CHANNEL = "裂变邀请"
CHANNEL_PREFIX = {"card": "包裹卡", "sms": "短信"}  # a member's 渠道活码: prefix-source
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
EXIT_FAILED = 1


def customer_keys(buyer: np.ndarray) -> pd.Series:
    """The one key of a person in every export: ``C`` and the id in eight digits."""
    return pd.Series(np.asarray(buyer, dtype=np.int64)).astype(str).str.zfill(8).radd("C")


def staff_names(staff: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(staff, dtype=np.int64) + 1).astype(str).str.zfill(2).radd("客服")


def stamps(start: pd.Timestamp, days: np.ndarray) -> pd.Series:
    """Times ``days`` after the run's start, to the second, as the tools write them (blank where NaN)."""
    times = start + pd.to_timedelta(np.asarray(days, dtype=float), unit="D")
    return pd.Series(times.floor("s").strftime(TIME_FORMAT)).fillna("")


def export_tables(facts: ExportFacts, start_date: str) -> dict[str, pd.DataFrame]:
    """The exports as the tools write them, by file name (the touch log only when there are touches)."""
    start = pd.Timestamp(start_date)
    c = facts.contacts
    live_code = c["channel"].map(CHANNEL_PREFIX).fillna("") + "-" + c["source"].replace(ROUTINE, ROUTINE_TASK)
    live_code = live_code.where(c["channel"] != "referral", REFERRAL_CHANNEL)
    contacts_csv = pd.DataFrame(
        {
            contacts.CUSTOMER.headers[0]: customer_keys(c["buyer"]),
            contacts.STAFF.headers[0]: staff_names(c["staff"]),
            contacts.ADD_TIME.headers[0]: stamps(start, c["add_day"]),
            contacts.CHANNEL.headers[0]: live_code.to_numpy(),
            contacts.REQUEST_TIME.headers[0]: stamps(start, c["request_day"]),
        }
    )
    staff_of = dict(zip(c["buyer"].tolist(), c["staff"].tolist(), strict=True))
    d = facts.deletions
    retained = np.floor(d["delete_day"].to_numpy()) - np.floor(d["add_day"].to_numpy())
    deletions_csv = pd.DataFrame(
        {
            contacts.CUSTOMER.headers[0]: customer_keys(d["buyer"]),
            contacts.STAFF.headers[0]: staff_names(d["buyer"].map(staff_of).to_numpy()),
            contacts.ADD_TIME.headers[0]: stamps(start, d["add_day"]),
            contacts.DELETE_TIME.headers[0]: stamps(start, d["delete_day"]),
            "留存天数": retained.astype(np.int64),
            contacts.DIRECTION.headers[0]: contacts.CUSTOMER_DELETED,
        }
    )
    s = facts.sms
    sms_csv = pd.DataFrame(
        {
            sms.WAVE.headers[0]: s["wave"].replace(ROUTINE, ROUTINE_TASK).to_numpy(),
            sms.RECIPIENT.headers[0]: customer_keys(s["buyer"]),
            sms.SEND_TIME.headers[0]: stamps(start, s["send_day"]),
            sms.STATUS.headers[0]: np.where(s["delivered"].to_numpy(dtype=bool), sms.DELIVERED, sms.FAILED),
        }
    )
    p = facts.shipments
    shipments_csv = pd.DataFrame(
        {
            "订单编号": _order_numbers("P", len(p)),
            shipments.CUSTOMER.headers[0]: customer_keys(p["buyer"]),
            shipments.SHIP_TIME.headers[0]: stamps(start, p["order_day"]),
            shipments.SIGN_TIME.headers[0]: stamps(start, p["delivery_day"]),
            shipments.CAMPAIGN.headers[0]: p["campaign"].to_numpy(),
        }
    )
    o = facts.orders
    names = {**channel_orders.PLATFORM_NAMES, PRIVATE: channel_orders.PRIVATE_NAME}
    orders_csv = pd.DataFrame(
        {
            "订单编号": _order_numbers("O", len(o)),
            channel_orders.CUSTOMER.headers[0]: customer_keys(o["buyer"]),
            channel_orders.ORDER_TIME.headers[0]: stamps(start, o["day"]),
            channel_orders.AMOUNT.headers[0]: o["amount_cny"].map("{:.2f}".format).to_numpy(),
            channel_orders.CHANNEL.headers[0]: o["marketplace"].map(lambda k: names.get(k, k)).to_numpy(),
        }
    )
    t = facts.touches
    touch_csv = pd.DataFrame(
        {
            touches.SEND_TIME.headers[0]: stamps(start, t["touch_day"]),
            touches.CUSTOMER.headers[0]: customer_keys(t["buyer"]),
            touches.CHANNEL.headers[0]: touches.MASS_MESSAGE,
            touches.CONTENT.headers[0]: t["content"].map(touches.CONTENT_NAMES).to_numpy(),
        }
    )
    tables = {
        "contacts.csv": contacts_csv,
        "deletions.csv": deletions_csv,
        "sms_report.csv": sms_csv,
        "shipments.csv": shipments_csv,
        "orders.csv": orders_csv,
    }
    if len(touch_csv):  # a strategy that sends no mass message has no log to export
        tables["touch_log.csv"] = touch_csv
    return tables


def _order_numbers(prefix: str, n: int) -> pd.Series:
    return pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(9).radd(prefix)


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(
        prog="python -m sim.export_logs",
        description="Write the operator's exports (contacts, deletions, SMS report, shipments, orders, touch log) "
        "of one simulated strategy, with the true parameters in truth.yaml.",
    )
    parser.add_argument("--out", required=True, type=Path, help="folder to write the exports into")
    parser.add_argument("--strategy", help="the strategy to simulate (default: the config's first)")
    parser.add_argument("--replication", default="0", help="the replication's number (default 0)")
    args, overrides = parser.parse_with_overrides(argv)
    if not args.replication.isdigit():
        fail(f"--replication {args.replication}: allowed: a whole number from 0")
    if args.out.exists() and not args.out.is_dir():
        fail(f"--out {args.out}: is a file; allowed: a folder (new or existing)")
    register_configs()
    experiment = build_experiment(precheck(overrides))
    names = list(experiment.strategies)
    name = args.strategy or names[0]
    if name not in experiment.strategies:
        fail(f"--strategy {name}: no such strategy; allowed: {', '.join(names)}")
    replication = int(args.replication)
    facts = export_facts(experiment, name, replication)
    tables = export_tables(facts, experiment.shared.population.start_date)
    truth_yaml = yaml.safe_dump(truth(experiment, facts, replication), allow_unicode=True, sort_keys=False)
    try:
        with staged(args.out) as stage:
            for file_name, table in tables.items():
                write_table(stage / file_name, table)
            write_text(stage / "truth.yaml", truth_yaml)
    except OSError as exc:  # a read-only folder, a full disk: nothing was moved into place
        print(f"error: --out {args.out}: cannot write ({exc.strerror or exc}); nothing was written", file=sys.stderr)
        return EXIT_FAILED
    print(f"wrote {', '.join([*tables, 'truth.yaml'])} to {args.out} (strategy {name}, replication {replication})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
