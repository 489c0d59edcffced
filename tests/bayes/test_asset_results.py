"""Asset results: pickling, compact save, plots via plotdispatch, defaults, names (issue 18)."""

from __future__ import annotations

import inspect
import json
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import causalmacro.bayes as bayes
from causalmacro.bayes import (
    AssetResponseModel,
    AssetResponseResults,
    ConvergenceDiagnostics,
    FitFailedWarning,
)
from causalmacro.bayes import estimator as estimator_module
from causalmacro.bayes.estimator import SAMPLER_DEFAULTS
from causalmacro.bayes.results import DEFAULT_SCALE
from causalmacro.errors import ArgumentError

pytestmark = pytest.mark.filterwarnings("ignore::causalmacro.bayes.FitFailedWarning")


@pytest.fixture(scope="module")
def res(model) -> AssetResponseResults:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        return model.fit(draws=60, tune=60, chains=2, log_likelihood=True)


def _numbers(obj: object) -> list[float]:
    if isinstance(obj, dict):
        return [x for k in sorted(obj) for x in _numbers(obj[k])]
    if isinstance(obj, list | tuple):
        return [x for v in obj for x in _numbers(v)]
    return [float(obj)] if isinstance(obj, float) else []


def test_pickle_round_trip(res):
    back = pickle.loads(pickle.dumps(res))
    assert isinstance(back, AssetResponseResults)
    assert dict(back.settings) == dict(res.settings) and back.diagnostics == res.diagnostics
    xr.testing.assert_identical(back.responses(), res.responses())
    pd.testing.assert_frame_equal(back.spectrum("shock1"), res.spectrum("shock1"))
    with pytest.raises(TypeError):
        back.settings["seed"] = 1  # type: ignore[index]


def test_default_rng_is_reproducible_and_recorded(model, res):
    assert res.settings["seed"] == 0
    again = model.fit(draws=60, tune=60, chains=2, log_likelihood=True)
    xr.testing.assert_equal(again.idata["posterior"], res.idata["posterior"])
    fresh = model.fit(draws=20, tune=20, chains=1, rng=None)
    seed = fresh.settings["seed"]
    assert isinstance(seed, int) and seed != 0
    xr.testing.assert_equal(model.fit(draws=20, tune=20, chains=1, rng=seed).idata["posterior"],
                                fresh.idata["posterior"])


def test_fit_shock_draws_uses_the_sampler_defaults(model, small_panel):
    shocks = small_panel.shocks
    draws = xr.DataArray(shocks.to_numpy()[None], dims=("draw", "time", "shock"),
                         coords={"draw": [0], "time": shocks.index, "shock": list(shocks.columns)})
    out = model.fit_shock_draws(draws, n_shock_draws=1, draws=20, tune=20)
    assert out.settings["chains"] == SAMPLER_DEFAULTS["gibbs"]["chains"] == 8
    assert out.idata["posterior"].sizes["chain"] == 8 and out.settings["seed"] == 0


def test_unknown_sampler_is_refused_before_the_model_is_built(model, monkeypatch, small_panel):
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was built")

    monkeypatch.setattr(estimator_module, "build_model", boom)
    monkeypatch.setattr(AssetResponseModel, "build", boom)
    with pytest.raises(ArgumentError, match=r"^sampler: expected one of 'gibbs', 'pymc', 'nutpie', got 'stan'$"):
        model.fit(sampler="stan")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match=r"^sampler: "):
        model.fit_shock_draws(xr.DataArray(np.zeros((1, 1, 1)), dims=("draw", "time", "shock")),
                              sampler="stan")  # type: ignore[arg-type]


def test_the_gibbs_sampler_needs_no_pymc_model(model, monkeypatch, small_panel):
    """The Gibbs sampler samples the model's posterior from the design: fitting builds no PyMC graph (seconds
    of PyTensor work and PyMC's import, which the main job used to pay), and the result is that of a session
    given the built model."""
    fresh = model.fit(draws=10, tune=5, chains=2, rng=3)

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("the PyMC model was built")

    monkeypatch.setattr(estimator_module, "build_model", boom)
    monkeypatch.setattr(AssetResponseModel, "build", boom)
    xr.testing.assert_equal(model.fit(draws=10, tune=5, chains=2, rng=3).idata["posterior"],
                            fresh.idata["posterior"])
    shocks = small_panel.shocks
    draws = xr.DataArray(shocks.to_numpy()[None], dims=("draw", "time", "shock"),
                         coords={"draw": [0], "time": shocks.index, "shock": list(shocks.columns)})
    assert model.fit_shock_draws(draws, n_shock_draws=1, draws=10, tune=5, chains=2).idata["posterior"].sizes[
        "chain"] == 2


def test_one_default_scale():
    assert DEFAULT_SCALE == "data"
    for name in ("cumulative", "responses", "spectrum", "to_dataframe", "plot", "plot_spectrum"):
        assert inspect.signature(getattr(AssetResponseResults, name)).parameters["scale"].default == DEFAULT_SCALE


def test_compact_save_keeps_every_reported_figure(res, tmp_path):
    path = res.save(tmp_path / "fit.nc")
    back = AssetResponseResults.load(path)
    import h5netcdf

    with h5netcdf.File(path, "r") as f:
        post = f["posterior"]
        assert "beta" not in post.variables and post.variables["beta_std"].dtype == np.float32
    assert back.idata["posterior"]["beta"].dtype == np.float64
    np.testing.assert_allclose(back.idata["posterior"]["beta"], res.idata["posterior"]["beta"], rtol=1e-6)
    assert back.summary() == res.summary()  # the printed table, digit for digit
    for scale in ("data", "standardized"):
        a, b = res.spectrum("shock1", scale=scale), back.spectrum("shock1", scale=scale)
        pd.testing.assert_frame_equal(a.round(3), b.round(3))
    np.testing.assert_allclose(_numbers(back.to_dict()), _numbers(res.to_dict()), rtol=1e-5, atol=1e-6)
    assert json.dumps(back.to_dict(), sort_keys=True).count("{") == json.dumps(res.to_dict(), sort_keys=True).count("{")


def test_plot_methods_draw_the_tables(res):
    import matplotlib.pyplot as plt

    fig = res.plot_spectrum("shock1", scale="standardized", title="t")
    ax = fig.get_axes()[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(res.spectrum("shock1", scale="standardized").index)
    assert ax.get_title() == "t"
    grid = res.plot()
    assert len(grid.get_axes()) == len(res.design.assets) * len(res.design.shocks)
    plt.close("all")


def test_unknown_names_are_argument_errors(res):
    with pytest.raises(ArgumentError, match=r"^shock: 'nope' is not in the fit \(expected one of 'shock0', 'shock1'\)$"):
        res.prob_greater("BTC", "GOLD", shock="nope")
    with pytest.raises(ArgumentError, match=r"^regime: this fit has no regimes"):
        res.plot(regime="boom")


def test_diagnostics_is_a_deprecated_alias():
    with pytest.warns(DeprecationWarning, match="use ConvergenceDiagnostics"):
        old = bayes.Diagnostics
    assert old is ConvergenceDiagnostics
    from causalmacro.bayes import diagnostics

    with pytest.warns(DeprecationWarning, match="use ConvergenceDiagnostics"):
        assert diagnostics.Diagnostics is ConvergenceDiagnostics


def test_cumulative_is_computed_once_and_read_only(res):
    """The spectra, responses and tables of a run all read the cumulative draws: one array per scale, shared, so that
    no caller can change what the others read; its values are the running sums of the lag coefficients."""
    cum = res.cumulative()
    assert res.cumulative() is cum and res.cumulative(scale="standardized") is not cum
    expected = np.cumsum(res.posterior["beta"].transpose(..., "lag").values, axis=-1)
    np.testing.assert_array_equal(cum.transpose(..., "horizon").values, expected)
    with pytest.raises(ValueError, match="read-only"):
        cum.values[0, 0, 0, 0, 0] = 1.0
    spectrum = res.spectrum("shock1")  # computed from the shared array, which it leaves as it was
    np.testing.assert_array_equal(cum.transpose(..., "horizon").values, expected)
    assert spectrum["mean"].notna().all()
