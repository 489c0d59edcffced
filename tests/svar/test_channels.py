"""Channel decomposition: holding a channel variable's response at zero, checked by direct simulation."""

from __future__ import annotations

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
    assert_allclose(out.sel(part="held").to_numpy(), ref, atol=1e-12)
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
    with pytest.raises(Exception, match="unknown variable 'w'"):
        res.channel_decomposition("x", "w")
