"""Benchmark of the calibration on a large order export: seconds and peak memory of ``python -m sim.calibrate``.

:func:`write_export` writes an N-row export shaped like a Taobao/Tmall order report: a title
line above a Chinese header (订单编号, 买家会员名, 买家实际支付金额, 订单状态, 订单创建时间,
退款金额), times of day, ``交易关闭`` and ``退款成功`` orders, partial refunds and a few zero
amounts. The buyers follow BG/NBD repeat buying and Gamma-Gamma spend at the published CDNOW
estimates (in days), arriving over one year and followed for two, so the export has about 2.6
orders per buyer, like CDNOW.

:func:`measure_command` runs a command in a child process and reports its wall-clock seconds
and its peak resident memory (``os.wait4``'s ``ru_maxrss`` of that child alone, started by a small
launcher so that the memory of the process that generated the export is not counted).
:func:`calibrate_rows` does both for ``python -m sim.calibrate`` on an N-row export in a
temporary directory; ``python -m sim.bench --calibrate-rows N`` prints its result.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

R, ALPHA_DAYS, A, B = 0.243, 4.414 * 7.0, 0.793, 2.426  # BG/NBD, CDNOW (FHL 2005), alpha in days
P, Q, GAMMA = 6.25, 3.74, 15.44  # Gamma-Gamma, CDNOW (FHL 2005, JMR)
ARRIVAL_DAYS, SPAN_DAYS = 365, 730
START = np.datetime64("2023-01-01T00:00:00", "s")
CLOSED_SHARE, REFUNDED_SHARE, PARTIAL_REFUND_SHARE, ZERO_SHARE = 0.02, 0.01, 0.01, 0.002
HEADER = ("订单编号", "买家会员名", "买家实际支付金额", "订单状态", "订单创建时间", "退款金额")
TITLE = "订单导出报表（基准测试数据）\n"


def _orders_of(n_buyers: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(buyer, day, spend) of every order of ``n_buyers`` BG/NBD buyers within the span, first orders included."""
    arrival = rng.uniform(0.0, ARRIVAL_DAYS, n_buyers)
    rate_per_day = rng.gamma(R, 1.0 / ALPHA_DAYS, n_buyers)
    dropout = rng.beta(A, B, n_buyers)
    spend_rate = rng.gamma(Q, 1.0 / GAMMA, n_buyers)
    buyers, days = [np.arange(n_buyers)], [arrival]
    alive, last = np.arange(n_buyers), arrival.copy()
    while alive.size:
        with np.errstate(divide="ignore"):
            t = last[alive] + rng.exponential(1.0, alive.size) / rate_per_day[alive]
        inside = t < SPAN_DAYS
        alive, t = alive[inside], t[inside]
        buyers.append(alive)
        days.append(t)
        last[alive] = t
        alive = alive[rng.random(alive.size) >= dropout[alive]]
    buyer, day = np.concatenate(buyers), np.concatenate(days)
    spend = rng.gamma(P, 1.0, buyer.size) / spend_rate[buyer]
    return buyer, day, spend


def export_table(n_rows: int, seed: int = 2026) -> pa.Table:
    """The N-row export as an Arrow table of strings, oldest order first (see the module doc)."""
    rng = np.random.default_rng(seed)
    buyer, day, spend = _orders_of(int(n_rows / 2.4) + 1000, rng)
    while buyer.size < n_rows:  # the rare draw with too few orders: add buyers
        more = _orders_of(n_rows - buyer.size + 1000, rng)
        buyer = np.concatenate([buyer, more[0] + buyer.max() + 1])
        day, spend = np.concatenate([day, more[1]]), np.concatenate([spend, more[2]])
    keep = np.lexsort((day, buyer))[:n_rows]  # whole buyers, the last one possibly cut short
    buyer, day, spend = buyer[keep], day[keep], spend[keep]
    order = np.argsort(day, kind="stable")
    buyer, day, spend = buyer[order], day[order], spend[order]
    u = rng.random(n_rows)
    status = np.where(u < CLOSED_SHARE, "交易关闭", np.where(u < CLOSED_SHARE + REFUNDED_SHARE, "退款成功", "交易成功"))
    spend = np.where(rng.random(n_rows) < ZERO_SHARE, 0.0, np.round(spend, 2))
    refund = np.where(u > 1.0 - PARTIAL_REFUND_SHARE, np.round(spend * rng.uniform(0.1, 0.5, n_rows), 2), 0.0)
    refund = np.where(status == "退款成功", spend, refund)
    when = START + (day * 86400.0).astype("timedelta64[s]")
    return pa.table(
        {
            HEADER[0]: pc.cast(pa.array(np.arange(n_rows, dtype=np.int64) + 3_100_000_000_000_000), pa.string()),
            HEADER[1]: pc.binary_join_element_wise("tb", pc.cast(pa.array(buyer * 7919 + 1_000_003), pa.string()), ""),
            HEADER[2]: pc.cast(pa.array(spend), pa.string()),
            HEADER[3]: pa.array(status),
            HEADER[4]: pc.strftime(pa.array(when), format="%Y-%m-%d %H:%M:%S"),
            HEADER[5]: pc.cast(pa.array(refund), pa.string()),
        }
    )


def write_export(path: Path, n_rows: int, seed: int = 2026) -> Path:
    """Write the N-row export as UTF-8 CSV with a title line above the header."""
    table = export_table(n_rows, seed)
    with open(path, "wb") as sink:
        sink.write(TITLE.encode("utf-8"))
        pacsv.write_csv(table, sink, pacsv.WriteOptions(quoting_style="none", batch_size=1 << 16))
    return path


# Run by a fresh, small interpreter (``-S``: no site imports): it starts the command and reaps it with
# os.wait4, then writes exit status, seconds, ru_maxrss (KiB) and CPU seconds to the file descriptor it is given. Linux
# carries the spawning process's peak RSS into the child's ru_maxrss at exec (exec_mmap's
# setmax_mm_hiwater_rss), so spawning from this process, which may hold a generated export of gigabytes,
# would report that peak as the command's; only the launcher's few MiB can leak in.
_LAUNCHER = """
import os, sys, time
report_fd = int(sys.argv[1])
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ, file_actions=[(os.POSIX_SPAWN_CLOSE, report_fd)])
_, status, usage = os.wait4(pid, 0)
seconds, cpu_seconds = time.perf_counter() - start, usage.ru_utime + usage.ru_stime
os.write(report_fd, f"{os.waitstatus_to_exitcode(status)} {seconds} {usage.ru_maxrss} {cpu_seconds}".encode())
"""


def measure_command(argv: list[str], cwd: Path | None = None) -> dict[str, Any]:
    """Run ``argv`` in a child process: exit status, wall-clock and CPU seconds, peak resident memory (MiB), output.

    A small launcher interpreter starts the command and reaps it with ``os.wait4``, whose resource usage is
    that child's alone; the launcher keeps this process's own memory out of the figure (see ``_LAUNCHER``).
    ``argv[0]`` must be the path of an executable (such as ``sys.executable``).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as report:
        fd = report.fileno()
        launcher = [sys.executable, "-S", "-c", _LAUNCHER, str(fd), *argv]
        launched = subprocess.run(launcher, cwd=cwd, stdout=out, stderr=err, pass_fds=(fd,), check=False)
        out.seek(0)
        err.seek(0)
        report.seek(0)
        stdout, stderr, figures = out.read(), err.read(), report.read().decode().split()
    if launched.returncode != 0 or len(figures) != 4:
        raise RuntimeError(f"the measuring launcher failed: {stderr.decode('utf-8', 'replace').strip()}")
    return {
        "returncode": int(figures[0]),
        "seconds": round(float(figures[1]), 2),
        "peak_rss_mib": round(int(figures[2]) / 1024.0, 1),
        "cpu_seconds": round(float(figures[3]), 2),
        "stdout": stdout.decode("utf-8", "replace"),
        "stderr": stderr.decode("utf-8", "replace"),
    }


def calibrate_rows(n: int, seed: int = 2026) -> dict[str, Any]:
    """Calibrate an N-row export in a child process: rows, file size, seconds and peak memory of the command.

    ``cpu_seconds`` (user + system) is the command's work whatever else the machine runs; on a busy shared
    machine ``seconds`` (wall clock) can be much longer.
    """
    if n < 100:
        raise ValueError(f"--calibrate-rows {n}: must be at least 100")
    with tempfile.TemporaryDirectory() as tmp:
        export = write_export(Path(tmp) / "orders.csv", n, seed)
        size_mib = export.stat().st_size / 2**20
        out = Path(tmp) / "bench_pop.yaml"
        run = measure_command([sys.executable, "-m", "sim.calibrate", "--orders", str(export), "--out", str(out)])
        if run["returncode"] != 0:
            raise RuntimeError(f"python -m sim.calibrate failed on the {n}-row export: {run['stderr'].strip()}")
    return {
        "rows": n,
        "file_mib": round(size_mib, 1),
        "seconds": run["seconds"],
        "cpu_seconds": run["cpu_seconds"],
        "peak_rss_mib": run["peak_rss_mib"],
        "cores": os.cpu_count(),
    }
