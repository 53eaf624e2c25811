"""Hard edges: every class of bad input is one clear line, and no run looks finished unless it is.

Cases are generated per class (the schema supplies the fields, so new fields are covered):

- settings out of their sanity bounds: every numeric field of the schema, above its upper bound;
- true/false settings given anything else; dates out of range;
- names that cannot name files and rows (experiment and strategy names), keys typed with characters
  that only look like ASCII, numbers typed with full-width digits;
- config files that are not plain UTF-8 YAML (a byte-order mark, GBK, a key given twice) and experiments
  whose strategies are empty;
- output folders that cannot be used (a file, below a file, a system folder, an unset variable, read-only);
- other commands' argument errors (one line, not a usage block).

Each must exit 2 with one line naming the key (or file, or argument) and the value, no traceback and no
output folder. Then the faults: SIGINT, SIGTERM and SIGKILL at several moments, a full disk and two runs
into one folder must leave nothing that looks like a result.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from test_bad_input import Outcome

from sim.calibrate.output import publish
from sim.config import AccountingConfig, PlatformConfig, PopulationConfig, RunConfig, StrategyConfig, register_configs
from sim.config.overrides import output_dir, precheck
from sim.report.writers import staged
from sim.run.interrupt import Terminated, stop_on_signals

ROOT = Path(__file__).resolve().parents[1]
CLASSES: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}  # class -> (overrides, must-name, must-say)


def _numeric_leaves(obj: Any, prefix: str) -> list[tuple[str, dataclasses.Field, Any]]:
    """(key, field, value) of every numeric field below a config dataclass (the first entry of dicts and lists)."""
    out = []
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        key = f"{prefix}.{f.name}" if prefix else f.name
        if dataclasses.is_dataclass(value):
            out += _numeric_leaves(value, key)
        elif isinstance(value, dict) and value and dataclasses.is_dataclass(next(iter(value.values()))):
            first = next(iter(value))
            out += _numeric_leaves(value[first], f"{key}.{first}")
        elif isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
            out += _numeric_leaves(value[0], f"{key}.0")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append((key, f, value))
    return out


SCHEMA = [
    (RunConfig(), "run"),
    (PopulationConfig(), "population"),
    (AccountingConfig(), "accounting"),
    (PlatformConfig(), "platform"),
    *[(getattr(StrategyConfig(), f.name), f.name) for f in dataclasses.fields(StrategyConfig) if f.name != "name"],
]
NUMERIC = [leaf for obj, prefix in SCHEMA for leaf in _numeric_leaves(obj, prefix)]
BOOLEANS = [
    f"{prefix}.{f.name}"
    for obj, prefix in SCHEMA
    for f in dataclasses.fields(obj)
    if isinstance(getattr(obj, f.name), bool)
]


def test_every_numeric_setting_has_finite_bounds() -> None:
    assert len(NUMERIC) > 60
    for key, f, _ in NUMERIC:
        bounds = f.metadata.get("range")
        assert bounds is not None, f"{key}: no range"
        assert math.isfinite(bounds[0]) and math.isfinite(bounds[1]), f"{key}: range {bounds} must be finite"


def _above(f: dataclasses.Field, value: Any) -> str:
    hi = f.metadata["range"][1]
    return str(int(hi) * 10 + 1) if isinstance(value, int) else repr(float(hi) * 10 + 1)


CLASSES["above the upper bound"] = [((f"{k}={_above(f, v)}",), k, "allowed range") for k, f, v in NUMERIC]
CLASSES["loose boolean"] = [
    ((f"{k}={v}",), k, "must be true or false") for k in BOOLEANS for v in ("2", "yes", "0", "1.5", "maybe")
]
CLASSES["date out of range"] = [
    ((f"population.start_date={d}",), "population.start_date", "must be between")
    for d in ("9999-12-31", "1969-12-31", "2100-01-01", "0001-01-01")
]
CLASSES["bad name"] = [
    (("experiment=hook_cash_vs_coupon", f"experiment.name={n}"), "experiment.name", why)
    for n, why in (("../../x", "no spaces, slashes"), ("a/b", "no spaces, slashes"), ("..", "no spaces, slashes"),
                   (".hidden", "letters, digits"), ("x" * 65, "at most 64"), ("' '", "must not be blank"))
]  # fmt: skip
CLASSES["lookalike character"] = [
    ((f"{k}=3",), k, f"U+{ord(ch):04X}")
    for k, ch in (
        ("ｈook.value_cny", "ｈ"),
        ("hook.valuе_cny", "е"),  # Cyrillic e
        ("hооk.value_cny", "о"),  # Cyrillic o
        ("run.n_rеplications", "е"),
        ("ｒｕｎ.seed", "ｒ"),
        ("touch.touches_per_wееk", "е"),
        ("sms.clіck_prob", "і"),  # Ukrainian i
        ("card.cost_per_card_cnу", "у"),  # Cyrillic u
    )
] + [
    ((f"{k}={v}",), k, f"U+{ord(v[0]):04X}")
    for k, v in (("hook.value_cny", "３"), ("run.n_replications", "２０"), ("sms.click_prob", "０.1"))
]


def _experiment_file(root: Path, name: str, text: bytes) -> str:
    (root / "experiment").mkdir(parents=True, exist_ok=True)
    (root / "experiment" / f"{name}.yaml").write_bytes(text)
    return f"hydra.searchpath=[file://{root}]"


def _yaml(body: str, encoding: str = "utf-8", bom: bool = False) -> bytes:
    text = "# @package _global_\nexperiment:\n" + body
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


STRATEGY_A = "  baseline: a\n  strategies:\n    a: {}\n"
FILES = {
    "bom": (_yaml("  name: bom\n" + STRATEGY_A, bom=True), "BOM"),
    "gbk": (_yaml("  name: gbk\n  question: 现金还是优惠券\n" + STRATEGY_A, encoding="gbk"), "not UTF-8"),
    "dup": (_yaml("  name: dup\n" + STRATEGY_A + "    a: {}\n"), "given twice"),
    "dupgroup": (_yaml("  name: dup\n  name: dup2\n" + STRATEGY_A), "given twice"),
    "empty": (_yaml("  name: empty\n  baseline: cash\n  strategies: {}\n"), "empty, yet the baseline is 'cash'"),
    "spaced": (_yaml("  name: spaced\n" + STRATEGY_A + "    'b c': {}\n"), "a strategy name must be letters"),
    "slashed": (_yaml("  name: slashed\n" + STRATEGY_A + "    x/y: {}\n"), "a strategy name must be letters"),
}


@pytest.fixture(scope="module")
def searchpath(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("configs")
    for name, (text, _) in FILES.items():
        _experiment_file(root, name, text)
    return root


def _run_checks(overrides: tuple[str, ...], check_dir: bool = True) -> Outcome:
    """The command line's checks (composition, validation, the output folder), as ``python -m sim`` runs them."""
    register_configs()
    err, out = io.StringIO(), io.StringIO()
    code: object = "returned: the input was accepted"
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            cfg = precheck(list(overrides))
            if check_dir:
                output_dir(cfg, "hydra.run.dir")
        except SystemExit as exc:
            code = exc.code
        except BaseException as exc:  # noqa: BLE001 - the command line would print a traceback
            code = f"raised {type(exc).__name__}: a traceback"
    return Outcome(code, err.getvalue(), out.getvalue())


def _assert_one_line(out: Outcome, name: str, says: str) -> None:
    assert out.exit_code == 2, out
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    assert "Traceback" not in out.stderr
    assert name in lines[0], f"{name!r} not named in {lines[0]!r}"
    assert says in lines[0], f"{says!r} not said in {lines[0]!r}"


@pytest.mark.parametrize(
    ("klass", "case"),
    [(k, c) for k, cases in CLASSES.items() for c in cases],
    ids=[f"{k}:{' '.join(c[0])}" for k, cases in CLASSES.items() for c in cases],
)
def test_each_generated_bad_input_is_one_line(klass: str, case: tuple[tuple[str, ...], str, str]) -> None:
    overrides, name, says = case
    _assert_one_line(_run_checks(overrides, check_dir=False), name, says)


FILE_KEYS = {"empty": "experiment.strategies", "spaced": "experiment.strategies.b c", "slashed": "x/y"}


@pytest.mark.parametrize("name", sorted(FILES))
def test_config_files_that_are_not_plain_yaml_are_named(searchpath: Path, name: str) -> None:
    overrides = (f"hydra.searchpath=[file://{searchpath}]", f"experiment={name}")
    key = FILE_KEYS.get(name, f"experiment={name}")
    _assert_one_line(_run_checks(overrides, check_dir=False), key, FILES[name][1])


def _folders(tmp: Path) -> list[tuple[str, str, str]]:
    a_file = tmp / "a_file"
    return [
        (str(a_file), "is a file", str(a_file)),
        (str(a_file / "below"), "is below a file", str(a_file)),
        ("/proc/sim_run", "a system folder", "/proc/sim_run"),
        ("/sys/kernel/sim_run", "a system folder", "/sys"),
        ("${oc.env:SIM_SURELY_UNSET_VARIABLE}/run", "cannot be resolved", "SIM_SURELY_UNSET_VARIABLE"),
    ]


def test_output_folders_that_cannot_be_used_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("x")
    for folder, says, name in _folders(tmp_path):
        out = _run_checks(("experiment=hook_cash_vs_coupon", f"hydra.run.dir={folder}"))
        _assert_one_line(out, name, says)
        assert not Path(folder.split("$")[0] or "/nonexistent").joinpath("summary.csv").exists()


def _read_only_folder(tmp: Path) -> Path | None:
    """A read-only bind mount of a fresh folder (None where this machine does not allow mounting)."""
    src, dst = tmp / "src", tmp / "ro"
    src.mkdir()
    dst.mkdir()
    ok = subprocess.run(["mount", "--bind", str(src), str(dst)], capture_output=True).returncode == 0
    if ok and subprocess.run(["mount", "-o", "remount,bind,ro", str(dst)], capture_output=True).returncode == 0:
        return dst
    if ok:
        subprocess.run(["umount", str(dst)], capture_output=True)
    return None


@pytest.mark.skipif(os.name != "posix", reason="needs mount")
def test_a_read_only_output_folder_is_one_line(tmp_path: Path) -> None:
    ro = _read_only_folder(tmp_path)
    if ro is None:
        pytest.skip("this machine does not allow a read-only bind mount (needs root)")
    try:
        out = _run_checks(("experiment=hook_cash_vs_coupon", f"hydra.run.dir={ro}/run"))
        _assert_one_line(out, str(ro), "cannot write")
    finally:
        subprocess.run(["umount", str(ro)], capture_output=True)


COMMANDS = [
    ("sim.bench", ["--buyers", "100000000000"], "--buyers"),
    ("sim.bench", ["--nope"], "--nope"),
    ("sim.bench", ["--repeat", "0"], "--repeat"),
    ("sim.report", [], "run_dir"),
    ("sim.report", ["/nonexistent/run", "--lang", "fr"], "--lang"),
    ("sim.plan.breakeven", ["--lever", "hook.value_cny"], "--values"),
    ("sim.plan.breakeven", ["--lever", "hook.value_cny", "--values", "1,2", "--target", "nan"], "--target"),
    ("sim.plan.sensitivity", ["--bogus"], "--bogus"),
    ("sim.plan.sweep", [], "sweep_dir"),
]


@pytest.mark.parametrize(("module", "args", "name"), COMMANDS, ids=[f"{m} {' '.join(a)}" for m, a, _ in COMMANDS])
def test_other_commands_argument_errors_are_one_line(module: str, args: list[str], name: str) -> None:
    proc = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and name in lines[0], proc.stderr
    assert "usage:" not in proc.stderr


def test_the_classes_and_their_counts() -> None:
    counts = {k: len(v) for k, v in CLASSES.items()}
    print("VALIDATION | generated bad-input cases per class | " + "; ".join(f"{k}: {n}" for k, n in counts.items()))
    print(
        f"VALIDATION | config files: {len(FILES)}; output folders: {len(_folders(Path('/nonexistent')))} + read-only; "
        f"argument errors of other commands: {len(COMMANDS)}"
    )
    assert all(n > 0 for n in counts.values())


# ----------------------------------------------------------------------------- staging


def test_staged_results_replace_the_old_ones_only_when_the_block_ends(tmp_path: Path) -> None:
    (tmp_path / "summary.csv").write_text("old")
    (tmp_path / "old_figure.png").write_text("old")
    (tmp_path / "notes.txt").write_text("the user's")
    with staged(tmp_path) as stage:
        (stage / "report.md").write_text("new")
        (stage / "summary.csv").write_text("new")
        assert (tmp_path / "summary.csv").read_text() == "old"  # nothing moves before the end
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "report.md", "summary.csv"]
    assert (tmp_path / "summary.csv").read_text() == "new"


def test_a_failure_inside_staged_keeps_the_old_results_and_no_staging(tmp_path: Path) -> None:
    (tmp_path / "summary.csv").write_text("old")
    with pytest.raises(OSError), staged(tmp_path) as stage:
        (stage / "report.md").write_text("half")
        raise OSError(28, "No space left on device")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.csv"]


def _swallowed(sig: signal.Signals) -> None:
    """Send ``sig`` to this process inside code that swallows every exception, as a finaliser or a C function that
    clears errors does when the handler's exception lands there (CI saw a SIGTERM run publish its results)."""
    try:
        os.kill(os.getpid(), sig)
        time.sleep(0.05)  # the handler runs at a bytecode boundary in here
    except BaseException:  # noqa: BLE001 - the point: the exception is lost
        pass


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_whose_exception_was_swallowed_still_stops_the_results(tmp_path: Path, sig) -> None:
    (tmp_path / "summary.csv").write_text("old")
    stop = Terminated if sig == signal.SIGTERM else KeyboardInterrupt
    with stop_on_signals(), pytest.raises(stop) as raised, staged(tmp_path) as stage:
        (stage / "summary.csv").write_text("new")
        _swallowed(sig)
    assert raised.type is stop
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.csv"]
    assert (tmp_path / "summary.csv").read_text() == "old"
    with staged(tmp_path) as stage:  # outside the block the signal is forgotten: the next run publishes
        (stage / "summary.csv").write_text("next")
    assert (tmp_path / "summary.csv").read_text() == "next"


def test_a_swallowed_sigterm_stops_a_calibration_publishing(tmp_path: Path) -> None:
    out = tmp_path / "pop.yaml"

    def write(stage: Path) -> None:
        (stage / "pop_backtest.csv").write_text("x")
        _swallowed(signal.SIGTERM)
        (stage / "pop.yaml").write_text("x")

    with stop_on_signals(), pytest.raises(Terminated):
        publish(out, write)
    assert list(tmp_path.iterdir()) == []


def test_staging_left_by_a_killed_run_is_removed_and_a_running_ones_kept(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    killed = tmp_path / f".staging-{gone.stdout.strip()}"
    running = tmp_path / f".staging-{os.getppid()}"
    for folder in (killed, running):
        folder.mkdir()
        (folder / "report.md").write_text("half")
    with staged(tmp_path) as stage:
        (stage / "summary.csv").write_text("new")
    assert not killed.exists() and running.exists()


# ----------------------------------------------------------------------------- faults


RUN = [
    "experiment=hook_cash_vs_coupon",
    "run.n_replications=4",
    "population.sample_share=0.05",
    "run.horizon_days=120",
    "run.progress=false",
]
RESULT_FILES = ("summary.csv", "report.md", "report.html", "comparison.png", "differences.csv", "costs.csv")


def _looks_finished(run_dir: Path) -> list[str]:
    return [name for name in RESULT_FILES if (run_dir / name).exists()] + [p.name for p in run_dir.glob("*.png")]


def _start(tmp_path: Path, run_dir: Path, n_jobs: int = 2) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "sim", *RUN, f"run.n_jobs={n_jobs}", f"hydra.run.dir={run_dir}"]
    return subprocess.Popen(
        cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def _wait_for(condition, proc: subprocess.Popen[str], what: str, limit_s: float = 240.0) -> None:
    started = time.monotonic()
    while not condition():
        assert proc.poll() is None, f"the run ended before {what}: {proc.communicate()}"
        assert time.monotonic() - started < limit_s, f"never reached: {what}"
        time.sleep(0.01)


MOMENTS = {
    "as the run starts": lambda d: (d / ".hydra").is_dir(),
    "during the replications": lambda d: "replication 1 of" in _log(d),
    "while the figures and report are written": lambda d: any(
        (s / "config_resolved.yaml").exists() for s in d.glob(".staging-*")
    ),
}


def _log(run_dir: Path) -> str:
    path = run_dir / "__main__.log"
    return path.read_text(errors="replace") if path.exists() else ""


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["SIGINT", "SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_run_stopped_at_any_moment_leaves_nothing_that_looks_finished(tmp_path: Path, sig, moment: str) -> None:
    run_dir = tmp_path / "run"
    proc = _start(tmp_path, run_dir)
    try:
        _wait_for(lambda: MOMENTS[moment](run_dir), proc, moment)
        os.killpg(proc.pid, sig)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert _looks_finished(run_dir) == [], f"{moment}, {sig.name}: left {_looks_finished(run_dir)}"
    if sig != signal.SIGKILL:
        assert proc.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143}[sig], (proc.returncode, stderr[-2000:])
        assert "Traceback" not in stderr, stderr[-3000:]
        assert stderr.strip().splitlines()[-1].startswith("interrupted"), stderr[-500:]
        assert not list(run_dir.glob(".staging-*")), "the staging folder was left behind"


@pytest.mark.slow
def test_two_runs_into_one_folder_the_second_refuses(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    first = _start(tmp_path, run_dir, n_jobs=1)
    try:
        _wait_for(lambda: (run_dir / ".hydra").is_dir(), first, "the first run started")
        second = subprocess.run(
            [sys.executable, "-m", "sim", *RUN, f"hydra.run.dir={run_dir}"], capture_output=True, text=True, timeout=120
        )
        out, err = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert second.returncode == 2
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and "another run is writing into this folder" in lines[0] and str(run_dir) in lines[0]
    assert first.returncode == 0, err[-2000:]
    assert (run_dir / "summary.csv").is_file()  # the first run's results, whole


@pytest.mark.slow
def test_a_full_disk_is_one_line_and_keeps_nothing(tmp_path: Path) -> None:
    disk = tmp_path / "small"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("this machine does not allow mounting a small tmpfs (needs root)")
    try:
        run_dir = disk / "run"
        proc = subprocess.run(
            [sys.executable, "-m", "sim", *RUN, "run.n_jobs=1", f"hydra.run.dir={run_dir}"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 1, proc.stderr[-2000:]
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "no space left on the device" in lines[0] and str(run_dir) in lines[0], lines
        assert _looks_finished(run_dir) == [] and not list(run_dir.glob(".staging-*"))
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


@pytest.mark.slow
def test_a_run_to_a_pipe_reports_each_replication_and_prints_no_python_warning(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    cmd = [sys.executable, "-m", "sim", *RUN[:-1], "run.progress=true", "run.n_jobs=2", f"hydra.run.dir={run_dir}"]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert [line.split(" finished")[0] for line in lines] == [
        f"hook_cash_vs_coupon: replications: {i} of 4" for i in range(1, 5)
    ], lines
    assert "Warning" not in proc.stderr and "warn" not in proc.stderr.lower()
