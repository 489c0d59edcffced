"""Every result type holds to one protocol (issue 18): summary, HTML, JSON export, save/load, pickle, ``.plot()``.

Each result is built once from the demo spec and panel (small bootstrap, short Gibbs chains, a grid of two
cells), then checked the same way: ``summary()`` names the model, ``_repr_html_()`` is HTML, ``to_dict()`` is
plain JSON, ``save`` then ``load`` gives back the same key arrays, a pickle round trip gives them back exactly,
``.plot()`` draws a matplotlib Figure (through :mod:`causalmacro.plotdispatch`).
"""

from __future__ import annotations

import json
import pickle
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import causalmacro as cm
from causalmacro.bayes import AssetResponseResults, FitFailedWarning
from causalmacro.build import build_asset_model, build_local_projections, lp_lags
from causalmacro.errors import DataError
from causalmacro.lp import LocalProjectionsResults
from causalmacro.specgrid import GridResults, grid, load_grid

matplotlib.use("Agg")
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

# the short Gibbs chains fail the asset model's convergence gate, and say so loudly each time it is shown
pytestmark = pytest.mark.filterwarnings("ignore::causalmacro.bayes.FitFailedWarning")


@dataclass(frozen=True)
class Case:
    """One result type: how to build it, the word its summary must name, its key arrays, how to save and load it."""

    build: Callable[[Any], Any]
    names: str
    arrays: Callable[[Any], list[np.ndarray]]
    suffix: str
    load: Callable[[Path], Any]
    rtol: float = 0.0  # save/load tolerance (0: exact)
    plot: Callable[[Any], dict[str, Any]] = lambda r: {}  # what .plot() must be told (no silent choice)


@pytest.fixture(scope="module")
def run(demo) -> cm.RunResults:
    spec, panel = demo
    return cm.fit_spec(spec, panel, rng=3, reps=20, assets=False)


def _svar(run: cm.RunResults) -> Any:
    return run.svar


def _lp(run: cm.RunResults) -> LocalProjectionsResults:
    models = build_local_projections(run.spec, run.panel.data, run.svar.structural_shocks(), run.regimes,
                                     lags=lp_lags(run.spec, run.svar))
    pooled, _ = next(iter(models.values()))
    return pooled.fit()


def _assets(run: cm.RunResults) -> AssetResponseResults:
    model = build_asset_model(run.spec, run.panel.data, run.svar.structural_shocks(), run.regimes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)  # short chains: the gate fails, loudly
        return model.fit(draws=60, tune=60, chains=2, sampler="gibbs", rng=0)


def _grid(run: cm.RunResults) -> GridResults:
    return grid(run.spec, run.panel, workers=1, orderings=[list(run.svar.names)], lags=[1, 2], windows=1,
                reps=10, horizon=6)


def _bvar(run: cm.RunResults) -> cm.BVARResults:
    rf = run.svar.reduced_form
    return cm.BVAR(pd.DataFrame(np.asarray(rf.data), columns=list(rf.names)), lags=rf.lags,
                   hyper="fixed").fit(draws=200, rng=0)


def _bvar_structural(run: cm.RunResults) -> cm.BayesianSVARResults:
    return _bvar(run).structural(rng=1)


CASES = {
    "svar": Case(_svar, "Structural VAR", lambda r: [r.impact.to_numpy(), r.params.to_numpy(), r.sigma_u.to_numpy()],
                 ".zip", cm.SVARResults.load, rtol=1e-10),  # load re-estimates the reduced form
    "lp": Case(_lp, "Local projections", lambda r: [r.coef, r.se, r.nobs], ".nc", LocalProjectionsResults.load),
    # saved as float32 (documented in AssetResponseResults.save): seven significant digits
    "assets": Case(_assets, "asset", lambda r: [r.responses().to_numpy(), r.idata["posterior"]["beta_std"].to_numpy()],
                   ".nc", AssetResponseResults.load, rtol=1e-5, plot=lambda r: {"regime": r.regimes[-1]}),
    "bvar": Case(_bvar, "Bayesian VAR", lambda r: [r.coef_draws, r.sigma_draws, r.b_hat, r.v, r.s], ".zip",
                 cm.BVARResults.load),
    "bvar_structural": Case(_bvar_structural, "Bayesian VAR",
                            lambda r: [r.impact.to_numpy(), r.irf(4, bands="posterior", reps=200).to_numpy()],
                            ".zip", cm.BayesianSVARResults.load),
    "grid": Case(_grid, "grid", lambda r: [r.irf.to_numpy(), r.data["max_root"].to_numpy()], ".nc", GridResults.load),
    "run": Case(lambda run: run, "Structural VAR",
                lambda r: [r.irf.to_numpy(), r.fevd.to_numpy(), r.svar.impact.to_numpy(),
                           r.historical_decomposition.to_numpy(), *[da.to_numpy() for da in r.lp.values()]],
                ".zip", cm.RunResults.load),
}


@pytest.fixture(scope="module", params=list(CASES))
def case(request, run) -> tuple[Case, Any]:
    c = CASES[request.param]
    return c, c.build(run)


def _same(a: list[np.ndarray], b: list[np.ndarray], rtol: float) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x.shape == y.shape
        if rtol:
            # a summary of rounded draws (float32 storage: ~6e-8 of each draw) near zero is off by the draws'
            # scale, not its own: allow rtol of the array's largest value as well
            atol = max(1e-12, rtol * float(np.nanmax(np.abs(x), initial=0.0)))
            np.testing.assert_allclose(y, x, rtol=rtol, atol=atol, equal_nan=True)
        else:
            np.testing.assert_array_equal(y, x)


def test_summary_names_the_model(case) -> None:
    c, res = case
    text = res.summary()
    assert isinstance(text, str) and text.strip()
    assert c.names.lower() in text.lower()
    assert str(res) == text


def test_repr_html(case) -> None:
    _, res = case
    page = res._repr_html_()
    assert page.startswith("<") and page.rstrip().endswith(">")


def test_to_dict_is_plain_json(case) -> None:
    _, res = case
    d = res.to_dict()
    assert isinstance(d, dict) and d
    assert json.loads(json.dumps(d)) == json.loads(json.dumps(d, default=lambda o: pytest.fail(f"not JSON: {o!r}")))


def test_save_load_round_trip(case, tmp_path: Path) -> None:
    c, res = case
    path = res.save(tmp_path / f"saved{c.suffix}")
    assert path == tmp_path / f"saved{c.suffix}" and path.is_file()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # atomic: no temporary file left behind
    back = c.load(path)
    assert type(back) is type(res)
    _same(c.arrays(res), c.arrays(back), c.rtol)


def test_pickle_round_trip(case) -> None:
    c, res = case
    back = pickle.loads(pickle.dumps(res))
    assert type(back) is type(res)
    _same(c.arrays(res), c.arrays(back), 0.0)
    assert back.summary() == res.summary()


def test_plot_returns_a_figure(case) -> None:
    c, res = case
    fig = res.plot(**c.plot(res))
    try:
        assert isinstance(fig, Figure) and fig.axes
    finally:
        plt.close(fig)


# ---------------------------------------------------------------- type by type, beyond the shared checks


def test_grid_save_keeps_options_and_facts(run, tmp_path: Path) -> None:
    g = CASES["grid"].build(run)
    back = load_grid(g.save(tmp_path / "grid.nc"))
    xr.testing.assert_identical(back.data, g.data)
    assert dict(back.data.attrs) == dict(g.data.attrs) and back.data.attrs["reps"] == 10
    assert dict(back.facts) == dict(g.facts) and back.facts["jobs"] == 2
    assert dict(pickle.loads(pickle.dumps(g)).facts) == dict(g.facts)
    with pytest.raises(TypeError):
        back.facts["jobs"] = 3  # type: ignore[index]


def test_grid_to_dataframe_and_dict(run) -> None:
    g = CASES["grid"].build(run)
    frame = g.to_dataframe()
    assert list(frame.columns) == ["point", "lower", "upper"]
    assert list(frame.index.names) == ["ordering", "lags", "window", "identification", "horizon", "response", "shock"]
    assert len(frame) == g.irf.size // 3 == 2 * 7 * 5 * 5
    key = frame.index[17]
    at = {**dict(zip(frame.index.names, key, strict=True)), "bound": "point"}
    assert frame.loc[key, "point"] == float(g.irf.sel(at))
    d = g.to_dict()
    assert d["specifications"] == 2 and d["dims"]["lags"] == [1, 2]
    assert [r["link"] for r in d["sign_shares"]] == list(g.sign_shares().index)
    assert d["options"]["reps"] == 10


def test_grid_plot_is_the_spec_curve_of_the_chain_ends(run) -> None:
    g = CASES["grid"].build(run)
    names = list(run.svar.names)
    fig = g.plot()
    try:
        drawn = fig.axes[0].collections[-1].get_offsets()[:, 1]  # the sorted point estimates
        np.testing.assert_array_equal(np.asarray(drawn), g.curve(names[0], names[-1])["point"].to_numpy())
    finally:
        plt.close(fig)


def test_run_archive(run, tmp_path: Path) -> None:
    path = run.save(tmp_path / "run.zip")
    back = cm.RunResults.load(path)
    assert back.to_dict() == run.to_dict()
    pd.testing.assert_frame_equal(back.causality, run.causality)
    assert back.choices == run.choices and back.spec == run.spec
    import zipfile

    with zipfile.ZipFile(path) as zf:
        assert json.loads(zf.read("results.json")) == json.loads(json.dumps(run.to_dict(), default=str))
    (tmp_path / "other.zip").write_bytes(b"not a zip")
    with pytest.raises(DataError, match=r"other.zip: not a causalmacro run archive \(BadZipFile\)"):
        cm.RunResults.load(tmp_path / "other.zip")
    frame = run.to_dataframe()
    assert list(frame.columns) == ["point", "lower", "upper"]
    assert frame.loc[(3, "btc", "inflation"), "point"] == float(run.irf.sel(horizon=3, response="btc",
                                                                             shock="inflation", bound="point"))


def test_state_dependent_projections_save_and_load(run, tmp_path: Path) -> None:
    models = build_local_projections(run.spec, run.panel.data, run.svar.structural_shocks(), run.regimes,
                                     lags=lp_lags(run.spec, run.svar))
    _, by_state = next(iter(models.values()))
    res = by_state.fit()
    back = LocalProjectionsResults.load(res.save(tmp_path / "lp.nc"))
    assert back.to_dict() == res.to_dict() and len(res.to_dict()["shape"]) == 4
    xr.testing.assert_identical(back.irf(), res.irf())
    (tmp_path / "grid.nc").write_bytes(b"")
    with pytest.raises(DataError, match="not saved local projections"):
        LocalProjectionsResults.load(tmp_path / "grid.nc")
