"""The package's shape: layers import only downward, no import cycles, no global state at import."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import grimp
import networkx as nx

import causalmacro

ROOT = Path(causalmacro.__file__).resolve().parents[1]


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("causalmacro", exclude_type_checking_imports=True)


def test_no_runtime_import_cycles() -> None:
    g = _graph()
    d = nx.DiGraph()
    for module in g.modules:
        d.add_edges_from((module, dep) for dep in g.find_modules_directly_imported_by(module))
    assert list(nx.simple_cycles(d)) == []


def test_layers_contract_holds() -> None:
    """The import-linter contract of pyproject.toml, checked here as in CI's ``lint-imports``."""
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = conf["contracts"][0]["layers"]
    g = grimp.build_graph("causalmacro")  # TYPE_CHECKING imports count too
    rank = {}
    for i, layer in enumerate(reversed(layers)):
        for name in layer.split("|"):
            rank[name.strip()] = i

    def layer_of(module: str) -> int | None:
        for name, r in rank.items():
            if module == name or module.startswith(name + "."):
                return r
        return None

    upward = []
    for module in g.modules:
        low = layer_of(module)
        if low is None:
            continue
        for dep in g.find_modules_directly_imported_by(module):
            high = layer_of(dep)
            if high is not None and high > low:
                upward.append(f"{module} -> {dep}")
    assert upward == []
    # every first-level module of the package sits in a layer (nothing escapes the contract)
    top = {m for m in g.modules if m.count(".") == 1}
    assert {m for m in top if layer_of(m) is None} == set()


def test_importing_changes_no_global_state() -> None:
    """Importing every module leaves the matplotlib backend, warnings filters and numpy print options alone.

    The dependencies are imported first: some (statsmodels, scipy) add warnings
    filters of their own at import, which is theirs, not ours.
    """
    code = textwrap.dedent(
        """
        import importlib, pkgutil, warnings
        import matplotlib
        matplotlib.use("svg")
        import matplotlib.pyplot, numpy as np, scipy.stats, statsmodels.api, pymc, arviz, xarray
        import networkx, pydantic, tqdm, h5netcdf
        before = (matplotlib.get_backend(), list(warnings.filters), np.get_printoptions())
        import causalmacro
        for m in pkgutil.walk_packages(causalmacro.__path__, "causalmacro."):
            importlib.import_module(m.name)
        after = (matplotlib.get_backend(), list(warnings.filters), np.get_printoptions())
        assert before[0] == after[0], (before[0], after[0])
        assert before[1] == after[1], [f for f in after[1] if f not in before[1]]
        assert before[2] == after[2]
        print("unchanged")
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "unchanged" in out.stdout
