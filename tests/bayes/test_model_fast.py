"""Fast checks of the PyMC graph: it builds, logp and gradient are finite (cf. bambi's helpers)."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest

from causalmacro.bayes import AssetResponseModel

# PyTensor warns once per process when it cannot link numpy's BLAS (pip installs).
pytestmark = pytest.mark.filterwarnings(
    "ignore:PyTensor could not link to a BLAS installation:UserWarning"
)


@pytest.mark.parametrize(
    ("pooling", "parameterization"),
    [("partial", "noncentered"), ("partial", "centered"), ("none", "noncentered")],
)
def test_logp_and_gradient_finite(small_panel, pooling, parameterization):
    p = small_panel
    model = AssetResponseModel(
        p.returns,
        p.shocks,
        groups=p.groups,
        lags=1,
        pooling=pooling,
        parameterization=parameterization,
    ).build()
    point = model.initial_point()
    assert np.isfinite(model.compile_logp()(point))
    grad = model.compile_dlogp()(point)
    assert grad.shape == (sum(np.size(v) for v in point.values()),)
    assert np.all(np.isfinite(grad))


def test_dims_and_coords_with_unequal_histories(small_panel):
    p = small_panel
    model = AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=1).build()
    n_obs = int(p.returns.notna().sum().sum())
    assert model.coords["asset"] == ("BTC", "ETH", "SP500", "GOLD")
    assert model.coords["group"] == ("crypto", "equity", "safe_haven")
    assert model.coords["shock"] == ("shock0", "shock1")
    assert model.coords["lag"] == (0, 1)
    assert len(model.coords["obs"]) == n_obs
    assert model.named_vars_to_dims["beta"] == ("asset", "shock", "lag")
    assert model.named_vars_to_dims["mu_group"] == ("group", "shock", "lag")
    assert model["y_obs"].get_value().shape == (n_obs,)
    draws = pm.draw(model["beta"], draws=2, random_seed=0)
    assert draws.shape == (2, 4, 2, 2)


def test_unpooled_model_has_no_class_means(small_panel):
    p = small_panel
    model = AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=1, pooling="none").build()
    assert "mu_group" not in model.named_vars
    assert "beta" in model.named_vars


def test_build_returns_fresh_models(small_panel):
    p = small_panel
    arm = AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=1)
    assert arm.build() is not arm.build()
