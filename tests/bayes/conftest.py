"""Simulated panels for the asset-response model tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from causalmacro.bayes import AssetResponseModel


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


@dataclass(frozen=True)
class RegimePanel:
    """Returns, shocks, regimes and covariates simulated with regime-dependent betas, with the truth."""

    returns: pd.DataFrame
    shocks: pd.DataFrame
    regimes: pd.Series
    covariates: pd.DataFrame
    groups: dict[str, str]
    beta: np.ndarray  # (asset, shock, lag, regime), data units
    gamma: np.ndarray  # (asset, covariate), data units
    labels: tuple[str, ...]


REGIME_GROUPS = {"BTC": "crypto", "ETH": "crypto", "NASDAQ": "equity", "SP500": "equity", "GOLD": "safe_haven"}


def simulate_regime_panel(
    *,
    groups: dict[str, str] | None = None,
    periods: int = 240,
    seed: int = 0,
    short: dict[str, int] | None = None,
) -> RegimePanel:
    """Two shocks (``liquidity``, ``rates``), lags 0..1, regimes ``contracting``/``expanding``.

    The truth, in standard deviations of the returns per standard deviation of
    the shock: crypto responds to liquidity twice as much when ``expanding``
    (0.5, 0.2 at lags 0, 1) as when ``contracting`` (0.25, 0.1); every other
    response is the same in both regimes. Crypto's mean return is 0.3 sd higher
    when ``expanding``. Covariates: ``event``, a dummy on 8 dates (effect +2 sd on
    the first crypto asset, +1.5 on the others, -1 on equities, +0.5 on the rest) and ``window``, 1 on 12
    consecutive dates (+0.6 sd on crypto, 0 elsewhere). Regimes follow a Markov
    chain that stays with probability 0.9. Student-t(5) errors of sd 0.8.
    """
    rng = np.random.default_rng(seed)
    groups = dict(REGIME_GROUPS if groups is None else groups)
    assets = list(groups)
    crypto = np.array([groups[a] == "crypto" for a in assets])
    equity = np.array([groups[a] == "equity" for a in assets])
    labels = ("contracting", "expanding")
    n_a, lags = len(assets), 1
    beta_std = np.zeros((n_a, 2, 2, 2))  # (asset, shock, lag, regime)
    beta_std[crypto, 0] = np.array([[0.25, 0.5], [0.1, 0.2]])
    beta_std[crypto, 1] = np.array([[-0.15, -0.15], [0.0, 0.0]])
    beta_std[equity, 0] = np.array([[0.2, 0.2], [0.05, 0.05]])
    beta_std[equity, 1] = np.array([[-0.2, -0.2], [-0.05, -0.05]])
    beta_std[~crypto & ~equity, 0] = np.array([[0.05, 0.05], [0.0, 0.0]])
    beta_std[~crypto & ~equity, 1] = np.array([[0.1, 0.1], [0.0, 0.0]])
    gamma_std = np.zeros((n_a, 2))
    gamma_std[:, 0] = np.where(crypto, 1.5, np.where(equity, -1.0, 0.5))
    gamma_std[np.argmax(crypto), 0] = 2.0
    gamma_std[crypto, 1] = 0.6

    total = periods + lags
    index = pd.date_range("2005-01-31", periods=total, freq="ME")
    shock_scale = np.array([1.5, 0.7])
    z = rng.normal(size=(total, 2))
    shocks = pd.DataFrame(z * shock_scale, index=index, columns=["liquidity", "rates"])
    state = np.zeros(periods, dtype=int)
    state[0] = rng.integers(2)
    for t in range(1, periods):
        state[t] = state[t - 1] if rng.uniform() < 0.9 else 1 - state[t - 1]
    cov = np.zeros((periods, 2))
    cov[rng.choice(periods, size=8, replace=False), 0] = 1.0
    cov[periods // 2 : periods // 2 + 12, 1] = 1.0
    lagged = np.stack([z[lags - lag : total - lag] for lag in range(lags + 1)], axis=-1)  # (T, shock, lag)
    signal = np.einsum("tkl,aklt->ta", lagged, beta_std[..., state])
    shift = 0.3 * crypto[None, :] * (state[:, None] == 1)
    e = rng.standard_t(5, size=(periods, n_a)) * 0.8 * np.sqrt(3 / 5)
    return_scale = np.geomspace(0.5, 8.0, n_a)
    values = 1.0 + return_scale * (shift + cov @ gamma_std.T + signal + e)
    dates = index[lags:]
    returns = pd.DataFrame(values, index=dates, columns=assets)
    for name, keep in (short or {}).items():
        returns.loc[returns.index[: periods - keep], name] = np.nan
    return RegimePanel(
        returns=returns,
        shocks=shocks,
        regimes=pd.Series(np.array(labels)[state], index=dates, name="regime"),
        covariates=pd.DataFrame(cov, index=dates, columns=["event", "window"]),
        groups=groups,
        beta=beta_std * return_scale[:, None, None, None] / shock_scale[None, :, None, None],
        gamma=gamma_std * return_scale[:, None],
        labels=labels,
    )


@pytest.fixture(scope="session")
def regime_panel() -> RegimePanel:
    """A short regime panel (80 months, ETH observed for the last 50) for fast tests."""
    return simulate_regime_panel(periods=80, seed=3, short={"ETH": 50})


@pytest.fixture(scope="session")
def simulate_regimes() -> Callable[..., RegimePanel]:
    """The :func:`simulate_regime_panel` function."""
    return simulate_regime_panel


@pytest.fixture(scope="session")
def model(small_panel: SimulatedPanel) -> AssetResponseModel:
    """The asset model on :func:`small_panel` (one lag, no regimes): fitting never changes it, so one serves all."""
    p = small_panel
    return AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=1)


@pytest.fixture(scope="session")
def regime_model(regime_panel: RegimePanel) -> AssetResponseModel:
    """The asset model on :func:`regime_panel`: two regimes and two covariates (free columns beside the intercept)."""
    p = regime_panel
    return AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=1, regimes=p.regimes,
                              covariates=p.covariates)
