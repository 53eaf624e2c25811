"""The package's architecture: layers that import one way, few modules at the root, configs that install.

The layers and the Hydra/OmegaConf boundary are import-linter contracts in ``pyproject.toml``;
these tests run them on the package and once on a copy with a forbidden import added, to show
that the check can fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUBPACKAGES = ("config", "model", "run", "report", "plan", "calibrate")


def _lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [str(exe), "--config", "pyproject.toml", "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_the_import_contracts_hold() -> None:
    proc = _lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 2 kept, 0 broken." in proc.stdout


@pytest.mark.parametrize(
    ("module", "added", "broken"),
    [
        ("sim/model/streams.py", "from sim.report import writers", "sim.model.streams -> sim.report.writers"),
        ("sim/config/validate.py", "import sim.run.compare", "sim.config.validate -> sim.run.compare"),
        ("sim/run/metrics.py", "import omegaconf", "sim.run.metrics -> omegaconf"),
    ],
)
def test_the_contracts_fail_when_a_lower_layer_imports_a_higher_one(
    tmp_path: Path, module: str, added: str, broken: str
) -> None:
    shutil.copytree(ROOT / "sim", tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{added}  # noqa\n", encoding="utf-8")
    proc = _lint_imports(tmp_path, pythonpath=tmp_path)
    assert proc.returncode != 0, proc.stdout
    assert "1 broken" in proc.stdout
    assert broken in proc.stdout


def test_at_most_six_modules_sit_at_the_root_of_the_package() -> None:
    modules = sorted(p.name for p in (ROOT / "sim").glob("*.py"))
    assert len(modules) <= 6, modules
    assert sorted(p.name for p in (ROOT / "sim").iterdir() if p.is_dir() and p.name != "__pycache__") == sorted(
        SUBPACKAGES
    )


def test_no_module_is_shadowed_by_a_package_of_the_same_name() -> None:
    shadowed = [p for p in (ROOT / "sim").rglob("*.py") if (p.parent / p.stem).is_dir()]
    assert not shadowed, f"dead modules behind packages of the same name: {shadowed}"


@pytest.mark.parametrize("package", SUBPACKAGES)
def test_every_sub_package_says_what_it_holds_and_what_it_may_import(package: str) -> None:
    import importlib

    doc = importlib.import_module(f"sim.{package}").__doc__ or ""
    assert len(doc.split()) > 30, f"sim.{package} needs a docstring that says what it holds"
    assert "May import" in doc or "imports nothing else" in doc, f"sim.{package}: say what it may import"


@pytest.mark.slow
def test_a_built_wheel_carries_every_config_file(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("sim-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"sim/configs/{p.relative_to(ROOT / 'configs').as_posix()}" for p in (ROOT / "configs").rglob("*.yaml")}
    assert expected, "no configs found"
    assert expected <= names, sorted(expected - names)[:5]
    assert "sim/report/plots/__init__.py" in names


def test_the_readme_metric_table_is_the_engine_s_own() -> None:
    """Every metric of the engine is in the README's table with its unit, direction, definition and when it can be
    missing, and no other."""
    from sim.run.metrics import METRICS, MISSING_WHEN

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    table = {
        line.split("|")[1].strip().strip("`"): line for line in rows if line.split("|")[1].strip().strip("`") in METRICS
    }
    assert set(table) == set(METRICS)
    for name, m in METRICS.items():
        better = "higher" if m.direction > 0 else "lower"
        missing = MISSING_WHEN.get(name, "never")
        assert table[name] == f"| `{name}` | {m.unit} | {better} | {m.definition} | {missing} |", name
