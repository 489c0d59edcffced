"""``fit_spec`` as stages; the run's choices as a typed record; no analysis left in the report layer."""

from __future__ import annotations

import dataclasses
import pickle
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import causalmacro as cm
from causalmacro.pipeline.choices import EventChoice, RunChoices
from causalmacro.pipeline.stages import SvarStage, svar_stage
from causalmacro.pipeline.tables import SPEC_CURVE_AT, regime_contrast, robustness
from causalmacro.spec import parse_spec

ROOT = Path(__file__).resolve().parents[1]

# results.json's "choices": exactly these keys, in this order (the untyped dict the record replaced had them)
CHOICE_KEYS = (
    "seed", "svar_seed", "asset_seed", "bands", "bootstrap", "reps", "reps_requested", "reps_override", "reps_kept",
    "reps_explosive", "reps_unidentified", "level", "block_length", "bias_correct", "bands_missing", "joint",
    "irf_horizon", "fevd_horizon", "focus", "hd_periods",
    "graph_alpha", "graph_multiplicity", "graph_rule", "channel_shocks", "channels", "asset_flip", "asset_shocks", "asset_sampler",
    "assets_fitted", "events", "event_bands", "asset_events", "asset_regime", "asset_regime_now", "lp_links",
    "lp_lags", "lp_lag_augment", "lp_state", "identification", "compare", "scenarios", "scenario_density",
    "estimator", "bvar", "estimator_notes",
    "scenario_parameters", "asset_sampling",
)


@pytest.fixture(scope="module")
def run(demo) -> cm.RunResults:
    spec, panel = demo
    return cm.fit_spec(spec, panel, rng=3, reps=20, assets=False)


def test_choices_record_round_trips_to_the_same_dict(demo, run) -> None:
    spec, _ = demo
    c = run.choices
    assert isinstance(c, RunChoices)
    d = c.to_dict()
    assert tuple(d) == CHOICE_KEYS == RunChoices.keys()
    assert RunChoices.from_dict(d) == c and RunChoices.from_dict(d).to_dict() == d
    assert pickle.loads(pickle.dumps(c)) == c
    assert run.to_dict()["choices"] == d
    # typed values, JSON-ready in the dict
    assert c.focus == "btc" and c.reps == 20 and c.seed == 3 and c.asset_seed is None
    assert c.lp_links == tuple(f"{a} -> {b}" for a, b in spec.lp.link_pairs(list(spec.var.order)))
    assert d["lp_links"] == list(c.lp_links) and isinstance(d["asset_flip"], list)
    first = next(iter(spec.events))
    assert c.events[first] == EventChoice(date=spec.event_date(first).isoformat(), shape=spec.events[first].shape,
                                          periods=spec.events[first].periods, var=spec.events[first].var,
                                          assets=spec.events[first].assets, title=spec.event_title(first))
    assert d["events"][first] == dataclasses.asdict(c.events[first])


def test_choices_are_frozen_and_the_old_reading_is_deprecated(run) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.choices.level = 0.5  # type: ignore[misc]
    with pytest.raises(TypeError):
        run.choices.events["x"] = None  # type: ignore[index]
    with pytest.warns(DeprecationWarning, match=r"run.choices\['focus'\] is deprecated; use the attribute "
                                                r"run.choices.focus"):
        assert run.choices["focus"] == "btc"
    with pytest.warns(DeprecationWarning, match="run.choices.reps"):
        assert run.choices.get("reps") == 20


def test_svar_stage_is_the_runs_var(demo, run) -> None:
    spec, panel = demo
    stage = svar_stage(spec, panel, seed=run.choices.svar_seed, n_reps=20, override=True)
    assert isinstance(stage, SvarStage)
    with pytest.raises(dataclasses.FrozenInstanceError):
        stage.irf = None  # type: ignore[misc]
    xr.testing.assert_identical(stage.irf, run.irf)
    xr.testing.assert_identical(stage.fevd, run.fevd)
    assert stage.band_facts.to_dict() == {k: run.choices.to_dict()[k] for k in stage.band_facts.to_dict()}
    assert set(run.timings) == {"svar", "regimes", "lp", "graph", "scenarios"}  # the demo spec has [scenarios]


def test_regime_contrast_follows_the_spec_order_not_the_alphabet() -> None:
    import tomllib

    raw = tomllib.loads((ROOT / "models" / "demo.toml").read_text())
    spec = parse_spec(raw, path=ROOT / "models" / "demo.toml")
    fitted = ("contracting", "expanding")  # the asset model sorts its labels
    assert regime_contrast(spec, fitted) == ("expanding", "contracting")  # labels = ["contracting", "expanding"]
    raw["regimes"]["liquidity"]["labels"] = ["expanding", "contracting"]
    flipped = parse_spec(raw, path=ROOT / "models" / "demo.toml")
    assert regime_contrast(flipped, fitted) == ("contracting", "expanding")
    assert regime_contrast(spec, ("contracting",)) is None


class _FakeGrid:
    """Records how the pipeline reads a grid."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.data = xr.Dataset(coords={"response": ["a", "b", "c"], "ordering": [0, 1], "lags": [1],
                                       "window": [0], "identification": ["recursive"]},
                               attrs={"reps": 10, "method": "wild"})
        self.n_specifications = 2

    def sign_shares(self, links=None, *, at="impact") -> pd.DataFrame:
        self.calls.append(("sign_shares", at))
        return pd.DataFrame({"positive": [0.5], "negative": [0.0], "point_positive": [1.0]})

    def curve(self, source: str, target: str, *, at: str = "impact") -> pd.DataFrame:
        self.calls.append(("curve", source, target, at))
        return pd.DataFrame({"estimate": [float(ord(source))]})


def test_robustness_is_computed_by_the_pipeline_at_the_recorded_horizon() -> None:
    g = _FakeGrid()
    rob = robustness(g, "c")
    assert SPEC_CURVE_AT == "peak" == rob.curve_at
    assert g.calls == [("curve", "a", "c", "peak"), ("curve", "b", "c", "peak"),
                       ("sign_shares", "impact"), ("sign_shares", "peak")]
    assert list(rob.curves) == ["a", "b"] and float(rob.curves["b"]["estimate"].iloc[0]) == ord("b")
    assert list(rob.sign_shares) == ["impact", "peak"] and rob.n_specifications == 2 and rob.reps == 10
    assert dict(rob.sizes) == {"response": 3, "ordering": 2, "lags": 1, "window": 1, "identification": 1}
    assert robustness(_FakeGrid(), "zzz").curves == {}


def test_write_run_grid_is_deprecated_for_fit_spec_grid(run, tmp_path: Path, monkeypatch) -> None:
    import causalmacro.report.write as write

    seen = {}
    monkeypatch.setattr(write, "_write_files", lambda r, folder, contents, **_: seen.setdefault("run", r) and [])
    with pytest.warns(DeprecationWarning, match=r"pass the grid to fit_spec\(grid=\)"):
        write.write_run(run, tmp_path / "out", grid=_FakeGrid())  # type: ignore[arg-type]
    assert seen["run"].robustness is not None and seen["run"].robustness.curve_at == "peak"
    assert run.robustness is None  # the run itself is frozen: the report got a copy


def test_report_layer_computes_no_analysis() -> None:
    """The report formats what RunResults holds: no spectra, sign shares or specification curves computed there."""
    banned = re.compile(r"\.(spectrum|sign_shares|curve|prob_regime_greater)\(")
    hits = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}"
            for p in sorted((ROOT / "causalmacro" / "report").rglob("*.py"))
            for i, line in enumerate(p.read_text().splitlines(), 1) if banned.search(line)]
    assert hits == []


def test_no_long_functions_in_the_pipeline_report_and_grid() -> None:
    import ast

    long = []
    for folder in ("pipeline", "report", "specgrid"):
        for p in sorted((ROOT / "causalmacro" / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(p.read_text())):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    body = node.body
                    doc = isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant)
                    first = body[1] if doc and len(body) > 1 else body[0]
                    n = body[-1].end_lineno - node.lineno + 1 - (first.lineno - body[0].lineno)  # type: ignore[operator]
                    if n > 62:
                        long.append(f"{p.name}:{node.lineno} {node.name} {n}")
    assert long == []


def test_timings_and_stage_lines(demo) -> None:
    spec, panel = demo
    lines: list[str] = []
    r = cm.fit_spec(spec, panel, rng=0, reps=0, assets=False, on_stage=lines.append)
    assert lines[0].startswith(f"svar: VAR({r.svar.lags}) on {r.svar.nobs} periods, no bands (--reps 0)")
    assert all(np.isfinite(v) and v >= 0 for v in r.timings.values())


def test_pipeline_tables_pickle() -> None:
    """Robustness holds read-only mappings (MappingProxyType does not pickle): they go over as dicts, come back read-only."""
    import pickle

    rob = robustness(_FakeGrid(), "c")
    back = pickle.loads(pickle.dumps(rob))
    assert list(back.curves) == ["a", "b"] and back.curves["b"].equals(rob.curves["b"])
    assert dict(back.sizes) == dict(rob.sizes) and back.curve_at == "peak"
    with pytest.raises(TypeError):
        back.curves["x"] = None  # type: ignore[index]


def test_spectrum_flags_assets_built_from_the_shocks_own_variable() -> None:
    """Issue 19, item 8: credit (the change of the HY spread) answers a hy_spread shock by construction."""
    import matplotlib

    matplotlib.use("Agg")
    from causalmacro.pipeline.tables import flag_transforms
    from causalmacro.plotting import plot_spectrum

    table = pd.DataFrame({"group": ["credit", "crypto"], "mean": [-1.0, 0.2], "lower": [-1.1, 0.0],
                          "upper": [-0.9, 0.4]}, index=["credit", "btc"])
    table.attrs = {"scale": "standardized", "level": 0.9, "horizon": 6, "shock": "hy_spread"}
    overlap = {"credit": "hy_spread", "treasury_10y": "real_rate"}
    flagged = flag_transforms(table, "hy_spread", overlap)
    assert flagged["by_construction"].tolist() == [True, False] and flagged.attrs == table.attrs
    assert not flag_transforms(table, "real_rate", overlap)["by_construction"].any()
    labels = [t.get_text() for t in plot_spectrum(flagged).axes[0].get_yticklabels()]
    assert labels == ["credit (= the shock, by construction)", "btc"]
