"""The plotting package's one signature convention, its errors, and labels taken from the data's attrs."""

from __future__ import annotations

import inspect
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.figure import Figure
from numpy.testing import assert_allclose

import causalmacro as cm
import causalmacro.plotting as plotting
from causalmacro.errors import ArgumentError

PLOTS = sorted(n for n in plotting.__all__ if n.startswith("plot_"))
MULTI_PANEL = {"plot_irf", "plot_channels", "plot_lp", "plot_event_effects", "plot_spec_curve", "plot_liquidity_tracker",
               "plot_fan", "plot_scenario"}
NAMES = ["a", "b"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _irf(**attrs: object) -> xr.DataArray:
    point = np.zeros((4, 2, 2))
    point[:, 0, 0] = point[:, 1, 1] = 1.0
    point[:, 1, 0] = [0.0, 0.5, 0.2, 0.1]
    data = np.stack([point, point - 0.1, point + 0.1], axis=-1)
    return xr.DataArray(data, dims=("horizon", "response", "shock", "bound"),
                        coords={"horizon": np.arange(4), "response": NAMES, "shock": NAMES,
                                "bound": ["point", "lower", "upper"]},
                        attrs={"level": 0.9, "interval": "residual bootstrap, pointwise percentile", **attrs})


def _table() -> pd.DataFrame:
    table = pd.DataFrame({"group": ["crypto", "equity"], "mean": [0.3, 0.1], "lower": [0.1, -0.1],
                          "upper": [0.5, 0.2]}, index=["btc", "spx"])
    table.attrs.update({"scale": "standardized", "level": 0.9, "horizon": 2, "shock": "liq"})
    return table


@pytest.mark.parametrize("name", PLOTS)
def test_every_plot_function_follows_the_signature_convention(name: str) -> None:
    """Data first, selection next, then keyword-only ax/axes, title, units, synthetic; returns a Figure."""
    f = getattr(plotting, name)
    assert getattr(cm, name) is f
    params = inspect.signature(f).parameters
    kinds = {p.name: p.kind for p in params.values()}
    axes = "axes" if name in MULTI_PANEL else "ax"
    for keyword in (axes, "title", "units", "synthetic"):
        assert kinds[keyword] is inspect.Parameter.KEYWORD_ONLY, (name, keyword)
        assert params[keyword].default is (False if keyword == "synthetic" else None), (name, keyword)
    assert ("ax" if axes == "axes" else "axes") not in params
    assert params["units"].annotation == "Mapping[str, str] | None"
    assert params["title"].annotation == "str | None"
    assert inspect.signature(f).return_annotation == "Figure"
    positional = [p for p in params.values() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    # lp: plot_lp's second data; baseline: plot_scenario's
    selection = {"responses", "shocks", "events", "response", "shock", "lp", "baseline"}
    assert {p.name for p in positional[1:]} <= selection, name
    assert not any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params.values())


def test_each_function_returns_the_figure_of_the_axes_it_is_given() -> None:
    fig, ax = plt.subplots(1, 4)
    assert plotting.plot_irf(_irf(shock_size="std"), ["b"], ["a", "b"], axes=ax[:2]) is fig
    assert plotting.plot_spectrum(_table(), ax=ax[2]) is fig
    fevd = xr.DataArray(np.full((3, 2, 2), 0.5), dims=["horizon", "response", "shock"],
                        coords={"horizon": [1, 2, 3], "response": NAMES, "shock": NAMES})
    assert isinstance(plotting.plot_fevd(fevd, "a", ax=ax[3]), Figure)


def test_a_missing_column_is_an_argument_error_naming_it() -> None:
    """No fall back to a 'median' column: the spectrum's centre is its 'mean'."""
    table = _table().rename(columns={"mean": "median"})
    with pytest.raises(ArgumentError, match=r"^spectrum: no column 'mean'; the columns are "
                                             r"\['group', 'median', 'lower', 'upper'\]$"):
        plotting.plot_spectrum(table)
    with pytest.raises(ArgumentError, match=r"^spectra\['calm'\]: no column 'mean'"):
        plotting.plot_spectrum_by_regime({"calm": table})
    curve = pd.DataFrame({"point": [0.1], "lower": [0.0]})
    with pytest.raises(ArgumentError, match=r"^curve: no column 'upper'; the columns are \['point', 'lower'\]$"):
        plotting.plot_spec_curve(curve)


def test_an_unknown_name_is_an_argument_error_listing_the_valid_ones() -> None:
    with pytest.raises(ArgumentError, match=r"^responses: 'z' is not a response of the data; "
                                             r"the responses are \['a', 'b'\]$"):
        plotting.plot_irf(_irf(), ["z"])
    with pytest.raises(ArgumentError, match=r"^colour: not an argument of plot_historical_decomposition; "
                                             r"the arguments are \["):
        plotting.plot_historical_decomposition(_hd(), "a", colour="red")


def _hd() -> xr.DataArray:
    t = pd.date_range("2020-01-01", periods=4, freq="MS")
    return xr.DataArray(np.ones((4, 2, 3)), dims=["time", "response", "shock"],
                        coords={"time": t, "response": NAMES, "shock": [*NAMES, "deterministic"]},
                        attrs={"units": {"a": "Percent"}})


def test_old_keyword_and_string_units_keep_working_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match=r"plot_historical_decomposition\(variable=\.\.\.\) is deprecated; "
                                                r"use response="):
        old = plotting.plot_historical_decomposition(_hd(), variable="a")
    with pytest.warns(DeprecationWarning, match=r"units=\.\.\.\) as a string is deprecated; pass a mapping "
                                                r"\{'a': 'pp'\}"):
        string = plotting.plot_historical_decomposition(_hd(), "a", units="pp")
    assert string.axes[0].get_ylabel() == "contribution (pp)"
    assert old.axes[0].get_ylabel() == "contribution (Percent)"  # units from the data's attrs by default
    assert_allclose(old.axes[0].get_lines()[0].get_ydata(), 3.0)


def test_title_none_is_the_default_from_the_data_and_empty_is_none() -> None:
    fig = plotting.plot_irf(_irf(shock_size="std"))
    assert fig.get_suptitle() == ("Impulse responses to one-s.d. structural shocks, "
                                  "90% residual bootstrap, pointwise percentile")
    assert plotting.plot_irf(_irf(shock_size="std"), title="").get_suptitle() == ""
    assert plotting.plot_irf(_irf(shock_size="std"), title="mine").get_suptitle() == "mine"
    ax = plotting.plot_spectrum(_table()).axes[0]
    assert ax.get_title() == "Asset spectrum: cumulative response to a liq shock"
    assert plotting.plot_spectrum(_table(), title="").axes[0].get_title() == ""


def test_band_titles_say_pointwise_or_joint_and_which_bootstrap() -> None:
    joint = plotting.plot_irf(_irf(shock_size="std", bands="block", joint=1))
    assert joint.get_suptitle() == ("Impulse responses to one-s.d. structural shocks, "
                                    "90% joint (sup-t) moving-block bootstrap bands")
    pointwise = plotting.plot_irf(_irf(shock_size="std", bands="wild", joint=0))
    assert pointwise.get_suptitle().endswith("90% pointwise wild bootstrap bands")


def test_shock_size_labels_come_from_the_attrs_never_guessed() -> None:
    std = plotting.plot_irf(_irf(shock_size="std"), units={"a": "Percent"})
    assert std.axes[0].get_title() == "shock: a\n1 s.d. = +1 pp"
    unit = plotting.plot_irf(_irf(shock_size="unit"))
    assert unit.axes[0].get_title() == "shock: a" and unit.get_suptitle().startswith("Impulse responses to unit shocks, ")
    bare = plotting.plot_irf(_irf())  # no shock_size: the size is not named
    assert bare.axes[0].get_title() == "shock: a"
    assert bare.get_suptitle() == "Impulse responses, 90% residual bootstrap, pointwise percentile"


def _lp(shock_size: str) -> dict[str, xr.DataArray]:
    return {"a -> b": _irf(shock_size=shock_size, level=0.68)}


@pytest.mark.parametrize(("size", "words"), [("std", "one-s.d."), ("unit", "one-unit")])
def test_lp_titles_follow_the_projection_shock_size(size: str, words: str) -> None:
    fig = plotting.plot_lp(_irf(shock_size="std"), _lp(size), units={"b": "Percent"})
    ax = fig.axes[0]
    assert ax.get_title() == f"b to a {words}\na shock"
    assert ax.get_ylabel() == "b\n(pp)"  # two short lines: the label stays within the panel's height
    assert fig.get_suptitle() == "Local projections (Jordà 2005) beside the VAR's responses, 68% pointwise bands"
    lines = [line for line in ax.get_lines() if line.get_label() == "local projection"]
    assert_allclose(lines[0].get_ydata(), [0.0, 0.5, 0.2, 0.1])


def test_lp_state_row_names_the_states_in_the_legend_title_not_in_the_axis_label() -> None:
    """The state row's axis label is as short as the row above's; the states' definition titles the legend."""
    states = xr.concat([_irf(level=0.68), _irf(level=0.68) + 0.2], dim=pd.Index(["contracting", "expanding"],
                                                                                name="state"))
    fig = plotting.plot_lp(_irf(shock_size="std"), _lp("std"), lp_state={"a -> b": states}, state_name="liquidity",
                           units={"b": "Percent"})
    top, bottom = fig.axes
    assert bottom.get_ylabel() == top.get_ylabel() == "b\n(pp)"
    legend = bottom.get_legend()
    assert legend.get_title().get_text() == "liquidity in the period\nbefore the shock"
    assert [t.get_text() for t in legend.get_texts()] == ["contracting", "expanding"]


def test_lp_from_local_projections_says_its_shock_size() -> None:
    rng = np.random.default_rng(0)
    e = rng.standard_normal(300)
    y = np.convolve(e, [1.0, 0.6, 0.3], mode="full")[:300] + 0.1 * rng.standard_normal(300)
    index = pd.period_range("2000-01", periods=300, freq="M")
    titles = {}
    for size in ("std", "unit"):
        res = cm.LocalProjections(pd.DataFrame({"y": y}, index=index), pd.DataFrame({"s": e}, index=index),
                                  horizon=3, lags=1, shock_size=size).fit()
        proj = res.irf(level=0.9)
        assert proj.attrs["shock_size"] == size
        fig = plotting.plot_lp(proj, {"s -> y": proj})
        titles[size] = fig.axes[0].get_title()
    assert titles == {"std": "y to a one-s.d.\ns shock", "unit": "y to a one-unit\ns shock"}


def test_lp_says_joint_bands_and_never_sets_a_cumulative_projection_beside_a_level_response() -> None:
    rng = np.random.default_rng(1)
    e = rng.standard_normal(200)
    y = np.convolve(e, [1.0, 0.6, 0.3], mode="full")[:200] + 0.1 * rng.standard_normal(200)
    index = pd.period_range("2000-01", periods=200, freq="M")
    frames = pd.DataFrame({"y": y}, index=index), pd.DataFrame({"s": e}, index=index)
    level = cm.LocalProjections(*frames, horizon=3, lags=1).fit()
    fig = plotting.plot_lp(level.irf(level=0.9), {"s -> y": level.irf(level=0.9, joint=True)})
    assert fig.get_suptitle() == "Local projections (Jordà 2005) beside the VAR's responses, 90% joint (sup-t) bands"
    assert [line.get_label() for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")] == [
        "VAR", "local projection"]
    cum = cm.LocalProjections(*frames, horizon=3, lags=1, cumulative=True).fit().irf(level=0.9)
    fig = plotting.plot_lp(level.irf(level=0.9), {"s -> y": cum})
    labels = [line.get_label() for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")]
    assert labels == ["local projection (cumulative)"]
    assert [t.get_text() for t in fig.axes[0].texts] == ["VAR response not cumulative: not drawn"]


@pytest.fixture(scope="module")
def post():
    from causalmacro.bayes import AssetResponseModel, FitFailedWarning

    rng = np.random.default_rng(3)
    index = pd.date_range("2010-01-31", periods=60, freq="ME")
    shocks = pd.DataFrame(rng.standard_normal((60, 2)), index=index, columns=["liq", "rate"])
    returns = pd.DataFrame({name: beta * shocks["liq"] + rng.standard_normal(60)
                            for name, beta in [("btc", 1.0), ("eth", 0.8), ("spx", 0.3)]}, index=index)
    model = AssetResponseModel(returns, shocks, groups={"btc": "crypto", "eth": "crypto", "spx": "equity"}, lags=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        return model.fit(draws=60, tune=60, chains=2, rng=0)


def _drawn(fig: Figure) -> tuple[list[np.ndarray], list[np.ndarray], list[str], str, str]:
    ax = fig.axes[0]
    points = [np.column_stack([np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)])
              for line in ax.get_lines()
              if line.get_marker() == "o"]
    bars = [np.asarray(c.get_segments(), dtype=float) for c in ax.collections]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    return points, bars, ticks, ax.get_xlabel(), ax.get_title()


def test_plot_spectrum_of_the_results_and_a_shock_equals_that_of_the_table(post) -> None:
    direct = _drawn(plotting.plot_spectrum(post, "liq"))
    table = _drawn(plotting.plot_spectrum(post.spectrum("liq")))
    for a, b in zip(direct[0] + direct[1], table[0] + table[1], strict=True):
        assert_allclose(a, b, rtol=0, atol=0)
    assert direct[2:] == table[2:] and direct[2] == list(post.spectrum("liq").index)
    assert len(direct[0]) == 2  # one errorbar per class
    level = _drawn(plotting.plot_spectrum(post, "liq", level=0.5, scale="standardized"))
    assert "50% HDI" in level[3] and "s.d. of the asset's return" in level[3]
    with pytest.raises(ArgumentError, match=r"^shock: required with AssetResponseResults"):
        plotting.plot_spectrum(post)
    with pytest.raises(ArgumentError, match=r"^level: only with asset results"):
        plotting.plot_spectrum(post.spectrum("liq"), level=0.5)
    with pytest.raises(ArgumentError, match=r"^shock: 'rate' but the table is the spectrum of 'liq'$"):
        plotting.plot_spectrum(post.spectrum("liq"), "rate")


def test_scenario_figures_draw_the_data() -> None:
    """The scenario path, its conditioned points and the baseline are the data's numbers; the fan's bands too."""
    h = np.arange(1, 4)
    fc = np.stack([np.array([[1.0, 2.0], [0.0, 3.0], [0.5, 1.0]]) + d for d in (0.0, -0.5, 0.5)], axis=-1)
    ds = xr.Dataset({"forecast": (("horizon", "variable", "bound"), fc),
                     "conditioned": (("horizon", "variable"), np.array([[True, False], [False, False], [True, False]]))},
                    coords={"horizon": h, "variable": NAMES, "bound": ["point", "lower", "upper"]},
                    attrs={"kind": "scenario", "shocks_allowed": ["a"], "level": 0.9, "parameters": "bootstrap"})
    base = ds.copy()
    base["forecast"] = base["forecast"] * 0
    fig = plotting.plot_scenario(ds, base)
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert_allclose(lines["scenario"].get_ydata(), [1.0, 0.0, 0.5])
    assert_allclose(lines["condition"].get_xdata(), [1, 3])
    assert_allclose(lines["baseline"].get_ydata(), [0.0, 0.0, 0.0])
    assert "shocks moving: a" in fig._suptitle.get_text() and "parameter uncertainty" in fig._suptitle.get_text()
    with pytest.raises(ArgumentError, match=r"^responses: unknown variable 'c'; variables are \['a', 'b'\]$"):
        plotting.plot_scenario(ds, responses="c")
    dens = xr.DataArray(np.arange(2 * 2 * 5, dtype=float).reshape(2, 2, 5), dims=("period", "variable", "quantile"),
                        coords={"period": pd.date_range("2020-01-31", periods=2, freq="ME"), "variable": NAMES,
                                "quantile": [0.05, 0.25, 0.5, 0.75, 0.95]}, attrs={"level": 0.9})
    fig = plotting.plot_fan(dens, "b", units={"b": "Percent"})
    ax = fig.axes[0]
    assert ax.get_ylabel() == "pp"
    assert_allclose(next(ln for ln in ax.get_lines() if ln.get_label() == "median").get_ydata(), [7.0, 17.0])  # (period, b, median) = 10 p + 5 + 2
