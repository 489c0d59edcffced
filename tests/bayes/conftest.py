"""Simulated panels for the asset-response model tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest


@dataclass(frozen=True)
class SimulatedPanel:
    """Returns and shocks simulated from the hierarchical model, with the truth."""

    returns: pd.DataFrame
    shocks: pd.DataFrame
    groups: dict[str, str]
    beta: np.ndarray  # (asset, shock, lag), data units
    beta_std: np.ndarray  # (asset, shock, lag), generating standardised scale
    mu_group: np.ndarray  # (group, shock, lag), generating standardised scale
    group_names: tuple[str, ...]
    return_scale: np.ndarray
    shock_scale: np.ndarray


def simulate_panel(
    *,
    groups: dict[str, str],
    n_shocks: int = 3,
    lags: int = 2,
    periods: int = 120,
    short: dict[str, int] | None = None,
    tau: float = 0.05,
    seed: int = 0,
) -> SimulatedPanel:
    """Simulate returns ``r = loc + scale * (a + sum beta_std x + e)`` with Student-t(5) errors.

    Shocks are independent, with known scales; class means ``mu_group`` are
    drawn around an overall mean, assets around their class mean with sd ``tau``.
    ``short`` maps an asset to the number of last periods it is observed.
    """
    rng = np.random.default_rng(seed)
    assets = list(groups)
    group_names = tuple(dict.fromkeys(groups.values()))
    g_idx = np.array([group_names.index(groups[a]) for a in assets])
    n_a, n_g, n_l = len(assets), len(group_names), lags + 1
    mu = rng.normal(0.0, 0.15, size=(n_shocks, n_l))
    mu_group = mu[None] + rng.normal(0.0, 0.15, size=(n_g, n_shocks, n_l))
    beta_std = mu_group[g_idx] + rng.normal(0.0, tau, size=(n_a, n_shocks, n_l))

    shock_scale = np.linspace(0.5, 2.0, n_shocks)
    total = periods + lags
    z = rng.normal(size=(total, n_shocks))
    index = pd.date_range("2010-01-31", periods=total, freq="ME")
    shocks = pd.DataFrame(
        z * shock_scale + 0.1, index=index, columns=[f"shock{k}" for k in range(n_shocks)]
    )
    lagged = np.stack([np.roll(z, lag, axis=0) for lag in range(n_l)], axis=-1)[lags:]
    signal = np.einsum("tkl,akl->ta", lagged, beta_std)
    resid_var = np.clip(1.0 - (beta_std**2).sum(axis=(1, 2)), 0.2, None)
    e = rng.standard_t(5, size=(periods, n_a)) * np.sqrt(resid_var * 3 / 5)
    return_scale = np.geomspace(0.2, 10.0, n_a)
    values = 0.5 + return_scale * (0.05 + signal + e)
    returns = pd.DataFrame(values, index=index[lags:], columns=assets)
    for name, keep in (short or {}).items():
        returns.loc[returns.index[: periods - keep], name] = np.nan
    beta = beta_std * return_scale[:, None, None] / shock_scale[None, :, None]
    return SimulatedPanel(
        returns=returns,
        shocks=shocks,
        groups=dict(groups),
        beta=beta,
        beta_std=beta_std,
        mu_group=mu_group,
        group_names=group_names,
        return_scale=return_scale,
        shock_scale=shock_scale,
    )


@pytest.fixture(scope="session")
def simulate() -> Callable[..., SimulatedPanel]:
    """The :func:`simulate_panel` function."""
    return simulate_panel


@pytest.fixture(scope="session")
def small_panel() -> SimulatedPanel:
    """4 assets in 3 classes, 2 shocks, lags 0..1, 60 months, ETH short."""
    return simulate_panel(
        groups={"BTC": "crypto", "ETH": "crypto", "SP500": "equity", "GOLD": "safe_haven"},
        n_shocks=2,
        lags=1,
        periods=60,
        short={"ETH": 30},
        seed=1,
    )
