"""Results surface: frozen, labelled, add-up identities, shock sizes, JSON export."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from svar_sim import TRUE_A, TRUE_B0INV, simulate_svar

from causalmacro.errors import ArgumentError
from causalmacro.svar import (
    SVAR,
    ExplosiveReplicationsWarning,
    ExplosiveVARWarning,
    WildImpactWarning,
)


@pytest.fixture(scope="module")
def res(macro_growth: pd.DataFrame):
    return SVAR(macro_growth, lags=2).fit()


def test_fit_is_frozen_and_model_untouched(macro_growth: pd.DataFrame) -> None:
    model = SVAR(macro_growth, lags=2)
    before = dict(vars(model))
    out = model.fit()
    assert vars(model).keys() == before.keys()
    assert model.lags == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        out.notes = ()  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        out.reduced_form.coefs[0, 0, 0] = 1.0


@pytest.mark.parametrize("trend", ["n", "c", "ct", "ctt"])
def test_historical_decomposition_adds_up(macro_growth: pd.DataFrame, trend: str) -> None:
    """Contributions plus the deterministic/initial part reproduce the data to 1e-10."""
    res = SVAR(macro_growth, lags=3, trend=trend).fit()  # type: ignore[arg-type]
    hd = res.historical_decomposition()
    assert hd.dims == ("time", "response", "shock")
    assert list(hd.coords["shock"].values)[-1] == "deterministic"
    assert_allclose(hd.sum("shock").to_numpy(), macro_growth.to_numpy()[3:], rtol=0, atol=1e-10)


def test_structural_shocks(res) -> None:
    eps = res.structural_shocks()
    assert list(eps.columns) == list(res.names)
    assert len(eps) == res.nobs
    # Cholesky of the df-corrected covariance: sample covariance is (T-k)/T times identity
    cov = eps.to_numpy().T @ eps.to_numpy() / res.nobs
    dof = res.reduced_form.df_resid / res.nobs
    assert_allclose(cov, dof * np.eye(3), atol=1e-10)


def test_unit_shock_and_scale(res) -> None:
    unit = res.irf(6, shock_size="unit")
    assert_allclose(np.diag(unit.sel(horizon=0, bound="point").to_numpy()), 1.0)
    bp = res.irf(6, shock_size="unit", scale={"realcons": 0.25})
    assert_allclose(bp.sel(horizon=0, response="realcons", shock="realcons", bound="point").item(), 0.25)
    std = res.irf(6)
    assert (np.diag(std.sel(horizon=0, bound="point").to_numpy()) > 0).all()


OUTPUTS = {
    "irf": lambda r, b: r.irf(4, **b),
    "irf_fe": lambda r, b: r.irf(4, orth=False, **b),
    "fevd": lambda r, b: r.fevd(4, **b),
    "channel_decomposition": lambda r, b: r.channel_decomposition("realgdp", ["realcons"], 4, **b),
}


@pytest.mark.parametrize("output", list(OUTPUTS))
def test_same_dims_with_and_without_bands(res, output: str) -> None:
    """Every output carries ``bound`` (``["point"]`` without bands), so ``.sel(bound="point")`` always works."""
    from causalmacro.labelled import has_bands

    plain = OUTPUTS[output](res, {})
    banded = OUTPUTS[output](res, {"bands": "residual", "reps": 20, "rng": 0})
    assert plain.dims == banded.dims and plain.dims[-1] == "bound"
    assert list(plain["bound"].values) == ["point"] and list(banded["bound"].values) == ["point", "lower", "upper"]
    assert plain.name == banded.name and not has_bands(plain) and has_bands(banded)
    assert_allclose(plain.sel(bound="point").to_numpy(), banded.sel(bound="point").to_numpy(), rtol=0, atol=0)


def test_bands_shape_and_attrs(res) -> None:
    irf = res.irf(8, bands="residual", reps=200, rng=1)
    assert irf.dims == ("horizon", "response", "shock", "bound")
    assert irf.name == "irf" and irf.attrs["level"] == 0.9
    assert list(irf.coords["bound"].values) == ["point", "lower", "upper"]
    assert (irf.sel(bound="lower") <= irf.sel(bound="upper")).all()
    assert irf.attrs["reps_kept"] + irf.attrs["n_explosive"] + irf.attrs["n_unidentified"] == 200
    again = res.irf(8, bands="residual", reps=200, rng=1)
    assert_allclose(irf.to_numpy(), again.to_numpy())
    with pytest.warns(WildImpactWarning, match="impact responses"):
        wild = res.irf(8, bands="wild", reps=200, rng=1, bias_correct=True)
    assert wild.attrs["bias_corrected"] == 1 and wild.attrs["bootstrap"] == "wild"
    fevd = res.fevd(6, bands="block", reps=100, rng=2)
    assert fevd.dims == ("horizon", "response", "shock", "bound")
    assert float(fevd.min()) >= 0 and float(fevd.max()) <= 1


def test_bootstrap_shocks(res) -> None:
    draws = res.bootstrap_shocks(50, rng=3)
    assert draws.dims == ("draw", "time", "shock")
    assert draws.shape == (50, res.nobs, 3)
    # spread around the point shocks, centred near them
    point = res.structural_shocks().to_numpy()
    assert np.abs(draws.mean("draw").to_numpy() - point).mean() < 0.2


def test_to_dict_summary_html(res) -> None:
    d = res.to_dict()
    json.dumps(d)
    assert d["variables"] == ["realgdp", "realcons", "realinv"]
    text = res.summary()
    assert "recursive" in text and "realinv" in text
    assert "<table>" in res._repr_html_()
    assert str(res) == text


def test_explosive_system_warns() -> None:
    rng = np.random.default_rng(0)
    a = np.array([[[1.03, 0.0], [0.1, 0.5]]])
    data = simulate_svar(a, np.eye(2), 150, rng, burn=0) + 1.0
    with pytest.warns(ExplosiveVARWarning, match="explosive"):
        res = SVAR(data, lags=1).fit()
    assert res.is_stable() is False  # a method, as statsmodels' VARResults.is_stable()
    assert not res.is_stable  # still readable as before
    assert res.to_dict()["stable"] is False and "stable=False" in repr(res)
    assert any("explosive" in n for n in res.notes)
    with pytest.warns(ExplosiveReplicationsWarning, match=r"of 100 bootstrap replications \(\d+%\) are explosive"):
        irf = res.irf(4, bands="residual", reps=100, rng=0)
    assert irf.attrs["n_explosive"] > 5


def test_recursive_recovery_improves_with_t() -> None:
    """Error of the estimated recursive IRF shrinks as the sample grows."""
    errors = []
    for nobs in (200, 2000, 20000):
        data = simulate_svar(TRUE_A, TRUE_B0INV, nobs, np.random.default_rng(nobs))
        res = SVAR(data, lags=1).fit()
        from causalmacro.svar.dynamics import structural_irf

        truth = structural_irf(TRUE_A, TRUE_B0INV, 10)
        errors.append(float(np.abs(res.irf(10).sel(bound="point").to_numpy() - truth).max()))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.05


def test_plot_methods_draw_the_outputs(res) -> None:
    """``res.plot_irf / plot_fevd / plot_hd`` draw what irf / fevd / historical_decomposition return."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = res.plot_irf(8, responses=["realgdp"], orth=False)
    assert len(fig.axes) == 3  # one response x three shocks
    assert [a.get_lines()[0].get_ydata()[0] for a in fig.axes] == [1.0, 0.0, 0.0]  # forecast-error: unit innovation
    plt.close(fig)
    fig = res.plot_fevd("realinv", 6)
    assert "realinv" in fig.axes[0].get_title()
    plt.close(fig)
    fig = res.plot_hd("realcons", last=12)
    assert fig.axes[0].get_title() == "Historical decomposition of realcons"
    plt.close(fig)


METHODS = {
    "instantaneous": lambda r: r.instantaneous("realgdp", "eth"),
    "causality": lambda r: r.causality("eth"),
    "channel_decomposition": lambda r: r.channel_decomposition("eth", ["realcons"]),
    "channels": lambda r: r.channel_decomposition("realgdp", ["eth"]),
    "scale": lambda r: r.irf(4, scale={"eth": 2.0}),
    "plot_irf": lambda r: r.plot_irf(4, shocks=["eth"]),
    "plot_fevd": lambda r: r.plot_fevd("eth"),
    "plot_hd": lambda r: r.plot_hd("eth"),
}


@pytest.mark.parametrize("method", list(METHODS))
def test_unknown_name_is_the_same_argument_error_everywhere(res, method: str) -> None:
    """The same mistake (a variable the model does not have) raises ArgumentError, naming it, from every method."""
    with pytest.raises(ArgumentError, match="'eth'") as info:
        METHODS[method](res)
    assert "\n" not in str(info.value)
