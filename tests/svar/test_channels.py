"""Channel decomposition: holding a channel variable's response at zero, checked by direct simulation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from svar_sim import simulate_svar

from causalmacro.errors import ArgumentError
from causalmacro.svar import SVAR

# structural form x -> y -> z, with x absent from z's equation (now and lagged):
#   x_t = 0.5 x_{t-1} + e_x
#   y_t = 0.6 x_t + 0.4 x_{t-1} + 0.3 y_{t-1} + 0.8 e_y
#   z_t = 0.625 y_t + 0.5 y_{t-1} + 0.2 z_{t-1} + 0.7 e_z
A0 = np.array([[1.0, 0.0, 0.0], [-0.6, 1.0, 0.0], [0.0, -0.625, 1.0]])
A1 = np.array([[0.5, 0.0, 0.0], [0.4, 0.3, 0.0], [0.0, 0.5, 0.2]])
A = np.linalg.solve(A0, A1)[None]
B0INV = np.linalg.solve(A0, np.diag([1.0, 0.8, 0.7]))


@pytest.fixture(scope="module")
def res():
    data = simulate_svar(A, B0INV, 400, np.random.default_rng(3))
    data.columns = ["x", "y", "z"]
    return SVAR(data, lags=2).fit()


def _simulate_held(coefs: np.ndarray, impact: np.ndarray, shock: int, channel: int, horizon: int) -> np.ndarray:
    """The counterfactual by running the VAR forward, choosing each period's channel shock to hold it at zero."""
    p, k, _ = coefs.shape
    y = np.zeros((horizon + 1 + p, k))
    for h in range(horizon + 1):
        t = p + h
        path = sum(coefs[lag] @ y[t - 1 - lag] for lag in range(p)) + (impact[:, shock] if h == 0 else 0.0)
        e = -path[channel] / impact[channel, channel]
        y[t] = path + impact[:, channel] * e
    return y[p:]


def test_held_response_equals_a_direct_simulation(res) -> None:
    out = res.channel_decomposition("x", "y", horizon=12)
    ref = _simulate_held(np.asarray(res.reduced_form.coefs), np.asarray(res.identified.impact), 0, 1, 12)
    assert_allclose(out.sel(part="held", bound="point").to_numpy(), ref, atol=1e-12)
    assert_allclose(out.sel(part="held", response="y").to_numpy(), 0.0, atol=1e-12)  # the channel is shut
    assert_allclose(out.sel(part="total").to_numpy(), res.irf(12).sel(shock="x").to_numpy(), atol=1e-12)
    assert_allclose((out.sel(part="total") - out.sel(part="held")).to_numpy(),
                    out.sel(part="through channels").to_numpy(), atol=1e-12)


def test_a_response_that_only_runs_through_the_channel_vanishes_when_it_is_held() -> None:
    """With the true coefficients, z's response to x runs entirely through y: held, it is zero at every horizon."""
    from causalmacro.svar.channels import hold_channels
    from causalmacro.svar.dynamics import structural_irf

    theta = structural_irf(A, B0INV, 20)
    held = hold_channels(theta, 0, [1])
    assert_allclose(held[:, 2], 0.0, atol=1e-14)
    assert np.abs(theta[:, 2, 0]).max() > 0.1  # while the full response is not small


def test_bands_and_several_channels(res) -> None:
    out = res.channel_decomposition("x", ["y", "z"], horizon=6, bands="residual", reps=100)
    assert out.dims == ("horizon", "response", "part", "bound")
    assert list(out["part"].values) == ["total", "held", "through channels", "through y", "through z"]
    assert (out.sel(bound="lower") <= out.sel(bound="upper") + 1e-12).all()
    assert_allclose(out.sel(bound="point", part="held", response=["y", "z"]).to_numpy(), 0.0, atol=1e-12)
    with pytest.raises(ArgumentError, match="distinct variables other than the shock"):
        res.channel_decomposition("x", "x")
    with pytest.raises(ArgumentError, match="unknown variable 'w'"):
        res.channel_decomposition("x", "w")


def test_offsetting_shocks_are_those_of_a_direct_simulation(res) -> None:
    from causalmacro.svar.channels import offsetting_shocks
    from causalmacro.svar.dynamics import structural_irf

    coefs, impact = np.asarray(res.reduced_form.coefs), np.asarray(res.identified.impact)
    p, k, _ = coefs.shape
    y, chosen = np.zeros((13 + p, k)), []
    for h in range(13):  # as _simulate_held, keeping each period's shock to y
        path = sum(coefs[lag] @ y[p + h - 1 - lag] for lag in range(p)) + (impact[:, 0] if h == 0 else 0.0)
        chosen.append(-path[1] / impact[1, 1])
        y[p + h] = path + impact[:, 1] * chosen[-1]
    assert_allclose(offsetting_shocks(structural_irf(coefs, impact, 12), 0, [1])[:, 0], chosen, atol=1e-12)
    out = res.channel_decomposition("x", "y", horizon=12)
    assert out.attrs["max_offset"] == pytest.approx(np.abs(chosen).max(), rel=1e-12)
    assert out.attrs["credible"] is True


def test_exploding_offsets_are_flagged_not_reported() -> None:
    """A channel whose own response builds up after a small impact needs geometrically growing offsets.

    Channel response to its own shock 0.1 on impact and 1.0 a period later, the
    shock's impact on the channel 1: the offsets solve 0.1 e_h + 1.0 e_{h-1} = 0
    after e_0 = -10, so e_h = -10 (-10)^h, by hand.
    """
    from causalmacro.svar.channels import OFFSET_LIMIT, offsetting_shocks

    theta = np.zeros((6, 3, 3))
    theta[:, 0, 0] = 1.0
    theta[0, 1, 0] = 1.0
    theta[0, 1, 1], theta[1, 1, 1] = 0.1, 1.0
    offsets = offsetting_shocks(theta, 0, [1])[:, 0]
    assert_allclose(offsets, -10.0 * (-10.0) ** np.arange(6), rtol=1e-12)
    assert np.abs(offsets).max() > OFFSET_LIMIT  # flagged by channel_decomposition's "credible"


def test_run_summary_and_figure_refuse_an_exploding_channel_split(demo) -> None:
    """Under the demo's sign restrictions holding the channels takes offsets of ~1e12 s.d.: no share is printed."""
    import causalmacro as cm
    from causalmacro.plotting import plot_channels

    spec = cm.load_spec(Path(__file__).resolve().parents[2] / "models" / "demo_sign.toml")
    run = cm.fit_spec(spec, demo[1], assets=False, reps=0)
    assert run.channels and all(not da.attrs["credible"] for da in run.channels.values())
    lines = [line for line in run.summary_lines() if line.startswith("channels:")]
    assert len(lines) == len(run.channels) and all("not reported" in line and "%" not in line for line in lines)
    fig = plot_channels(dict(run.channels), "btc")
    assert all(len(ax.get_lines()) == 2 for ax in fig.get_axes())  # the total and the zero line, no parts
    assert all("parts not drawn" in ax.texts[0].get_text() for ax in fig.get_axes())
