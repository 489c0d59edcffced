"""The Monte Carlo design behind the band-coverage benchmark: a liquidity chain with exact null links.

A 4-variable VAR(2), ``real_rate -> net_liquidity -> hy_spread -> btc`` in the
recursive order, calibrated on the package's monthly chain fitted to FRED data
(``models/liquidity_chain.toml``, 2015-01..2025-10, 130 months; coefficients
rounded to three digits), then with the links below set to exactly zero, at
every lag and on impact, so that a shock's response is exactly zero at every
horizon wherever no path of direct links leads from it:

* direct links kept: real_rate -> hy_spread, real_rate -> btc, net_liquidity ->
  hy_spread, net_liquidity -> btc, hy_spread -> btc (and every own lag);
* hence 5 present and 7 absent links among the 12 ordered pairs: real_rate and
  net_liquidity do not move each other, nothing feeds back from hy_spread or btc.

Structural shocks have unit variance and four laws (:func:`shocks`): Gaussian,
Student-t(5), GARCH(1,1) with t(5) innovations shock by shock, and a common
volatility factor (log-variance AR(1) shared by all shocks); the last two are
conditionally heteroskedastic, as monthly crypto and credit data are.

Imported by ``bench_band_coverage.py`` and the slow coverage test; no I/O.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from causalmacro.svar.dynamics import structural_irf

__all__ = ["ABSENT", "COEFS", "ERRORS", "IMPACT", "NAMES", "PRESENT", "Errors", "shocks", "simulate", "true_irf"]

NAMES = ("real_rate", "net_liquidity", "hy_spread", "btc")
Errors = Literal["gaussian", "t5", "garch", "common"]
ERRORS: tuple[Errors, ...] = ("gaussian", "t5", "garch", "common")

# lag matrices A_1, A_2 (rows: equation, columns: lagged variable), zero where a link is absent
COEFS = np.array([
    [[1.235, 0.0, 0.0, 0.0],
     [0.0, 0.339, 0.0, 0.0],
     [0.002, -0.023, 1.151, 0.0],
     [3.788, 0.594, -1.277, 0.091]],
    [[-0.257, 0.0, 0.0, 0.0],
     [0.0, -0.167, 0.0, 0.0],
     [-0.047, -0.019, -0.232, 0.0],
     [-3.567, -0.332, 2.985, 0.057]],
])
# impact matrix B0^{-1} (the Cholesky factor of the fitted residual covariance), (net_liquidity, real_rate) zeroed
IMPACT = np.array([
    [0.163, 0.0, 0.0, 0.0],
    [0.0, 2.429, 0.0, 0.0],
    [0.026, 0.133, 0.442, 0.0],
    [-1.597, 2.976, -3.646, 19.045],
])
COMMON_AR, COMMON_SD = 0.9, 0.2
CONST = np.array([0.1, 0.226, 0.38, -3.517])
PRESENT = (("real_rate", "hy_spread"), ("real_rate", "btc"), ("net_liquidity", "hy_spread"),
           ("net_liquidity", "btc"), ("hy_spread", "btc"))
ABSENT = tuple((a, b) for a in NAMES for b in NAMES if a != b and (a, b) not in PRESENT)


def true_irf(horizon: int) -> np.ndarray:
    """True responses to one-s.d. shocks, shape ``(horizon + 1, response, shock)``."""
    return structural_irf(COEFS, IMPACT, horizon)


def shocks(errors: Errors, nobs: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-variance structural shocks, shape ``(nobs, 4)``.

    ``t5``: Student-t(5) scaled to unit variance. ``garch``: each shock a
    GARCH(1,1), ``h_t = 0.05 + 0.10 e_{t-1}^2 + 0.85 h_{t-1}`` (unconditional
    variance 1), with t(5) innovations. ``common``: every shock scaled by one
    volatility ``exp(v_t / 2)``, ``v_t = 0.9 v_{t-1} + 0.5 z_t``, normalised to
    unit mean variance (a common volatility factor, as in Carriero et al. 2016).
    """
    k = len(NAMES)
    if errors == "gaussian":
        return rng.standard_normal((nobs, k))
    t5 = rng.standard_t(5, size=(nobs, k)) / np.sqrt(5 / 3)
    if errors == "t5":
        return t5
    if errors == "garch":
        out = np.empty((nobs, k))
        h = np.ones(k)
        prev = np.zeros(k)
        for t in range(nobs):
            h = 0.05 + 0.10 * prev**2 + 0.85 * h
            prev = np.sqrt(h) * t5[t]
            out[t] = prev
        return out
    if errors == "common":
        v = np.empty(nobs)
        var_v = COMMON_SD**2 / (1 - COMMON_AR**2)
        v[0] = rng.normal(0, np.sqrt(var_v))
        z = rng.standard_normal(nobs)
        for t in range(1, nobs):
            v[t] = COMMON_AR * v[t - 1] + COMMON_SD * z[t]
        # E exp(v) = exp(var(v) / 2) for the stationary Gaussian v, so exp(v - var(v) / 2) has mean one
        return t5 * np.exp(v / 2 - var_v / 4)[:, None]
    raise ValueError(f"unknown errors {errors!r}")


def simulate(nobs: int, errors: Errors, rng: np.random.Generator, burn: int = 200) -> pd.DataFrame:
    """One sample of ``nobs`` months from the chain (after ``burn`` discarded periods)."""
    p = COEFS.shape[0]
    eps = shocks(errors, nobs + burn + p, rng)
    u = eps @ IMPACT.T
    y = np.zeros((nobs + burn + p, len(NAMES)))
    mean = np.linalg.solve(np.eye(len(NAMES)) - COEFS.sum(axis=0), CONST)
    y[:p] = mean
    for t in range(p, len(y)):
        y[t] = CONST + COEFS[0] @ y[t - 1] + COEFS[1] @ y[t - 2] + u[t]
    index = pd.date_range("2000-01-01", periods=nobs, freq="MS")
    return pd.DataFrame(y[-nobs:], index=index, columns=list(NAMES))
