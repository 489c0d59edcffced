"""The main job (``causalmacro run``) on the embedded demo, without the asset model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from causalmacro.cli import main
from causalmacro.data.open import open_source
from causalmacro.panel import build_panel
from causalmacro.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]


def test_run_writes_a_synthetic_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report"
    code = main(["--quiet", "run", str(ROOT / "models" / "demo.toml"), "--no-assets", "--reps", "200", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "synthetic" in printed and "stable" in printed
    for name in ("irf.png", "graph.png", "fevd_btc.png", "hd_btc.png", "panel.csv", "causality.csv", "results.json", "report.md"):
        assert (out / name).is_file(), name
    results = json.loads((out / "results.json").read_text())
    assert results["synthetic"] is True
    assert results["svar"]["variables"] == ["inflation", "real_rate", "net_liquidity", "hy_spread", "btc"]
    # the graph in the JSON carries the impulse responses on its edges
    edges = results["graph"]["edges"]
    assert edges and all(len(e["irf"]) == 25 for e in edges)
    assert "Synthetic data" in (out / "report.md").read_text()


def test_svar_on_panel_with_date_index_decomposes_exactly() -> None:
    from causalmacro.svar import SVAR

    spec = load_spec(ROOT / "models" / "demo.toml")
    panel = build_panel(spec, open_source(spec))
    assert panel.data.index.name == "date"
    order = spec.var.order  # type: ignore[union-attr]
    res = SVAR(panel.data[order], order=order, lags=2).fit()
    hd = res.historical_decomposition()
    np.testing.assert_allclose(
        hd.sum("shock").to_numpy(), panel.data[order].loc[hd.coords["time"].values].to_numpy(), atol=1e-10
    )


def test_sign_identified_run_reports_the_identified_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sign"
    code = main(["--quiet", "run", str(ROOT / "models" / "demo_sign.toml"), "--no-assets", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "identified set of" in printed and "accepted models" in printed
    details = json.loads((out / "results.json").read_text())["svar"]["identification_details"]
    assert details["scheme"] == "sign" and details["accepted"] >= 100
    assert 0 < details["acceptance_rate"] < 1
