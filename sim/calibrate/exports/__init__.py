"""Readers of the operator's own exports besides orders: WeCom contacts and deletions, SMS send reports, shipments,
orders with a sales channel and mass-message (touch) logs (issue 18's data layer; the fits are in
:mod:`sim.calibrate.funnel`).

One small module per export (:mod:`~.contacts`, :mod:`~.sms`, :mod:`~.shipments`, :mod:`~.channel_orders`,
:mod:`~.touches`), all on
:mod:`~.frame`, which reads a file whole (CSV in UTF-8 or GBK/GB18030, or Excel, through
:mod:`sim.calibrate.table`), finds the header row among the top rows, recognises each field's column by its Chinese
or English header names (or by a mapping ``field=COLUMN`` when recognition fails) and parses times. Every reader
returns a tidy DataFrame with documented columns (times as ``datetime64[ns]``, keys as strings) and raises
:class:`~.frame.ExportError` with one line naming the file, the row, the column and the value.

Each module's ``FIELDS`` lists its fields with the header a Chinese SCRM/ERP tool writes first: ``python -m
sim.export_logs`` writes those headers, so what it writes these readers read.

May import :mod:`sim.calibrate.table`, :mod:`sim.calibrate.columns` and :mod:`sim.calibrate.amounts`; nothing else.
"""
