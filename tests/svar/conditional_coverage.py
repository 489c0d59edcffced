"""Monte Carlo coverage of conditional-forecast bands (imported by the tests; run it to print the table).

Truth: the stable recursive VAR(1) of ``svar_sim`` (K = 3). Each sample simulates
``T + H`` periods, fits a VAR(1) with recursive identification on the first ``T`` and
conditions ``y0`` on its realised values over horizons ``1..H`` (a Waggoner-Zha forecast,
every shock free). The band of the free variable ``y2`` is checked two ways:

- ``realised``: the share of horizons at which the realised ``y2`` falls inside the
  band (valid for any error law);
- ``true_mass``: with Gaussian errors, the true conditional distribution of ``y2`` given
  ``y0``'s path is the Waggoner-Zha one at the true parameters (Gaussian), so the band's
  exact probability under it is computed (less Monte Carlo noise than a hit).

Errors: ``"gaussian"`` (i.i.d. N(0, 1) structural shocks) or ``"garch_t"`` (each shock a
GARCH(1,1), ``h_t = 0.05 + 0.10 e_{t-1}^2 + 0.85 h_{t-1}``, with Student-t(5) innovations
scaled to unit variance; unconditional variance 1).

Command: ``PYTHONPATH=. python tests/svar/conditional_coverage.py [samples]``.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
from scipy import stats
from svar_sim import TRUE_A, TRUE_B0INV

from causalmacro.svar import SVAR
from causalmacro.svar.dynamics import structural_irf

FREE, FIXED = 2, 0


def simulate(nobs: int, errors: str, rng: np.random.Generator, burn: int = 200) -> np.ndarray:
    """``nobs`` periods of the true VAR(1) with the given error law."""
    k = TRUE_A.shape[1]
    n = nobs + burn
    if errors == "gaussian":
        eps = rng.standard_normal((n, k))
    elif errors == "garch_t":
        z = rng.standard_t(5, (n, k)) / np.sqrt(5 / 3)
        eps, h = np.empty((n, k)), np.ones(k)
        for t in range(n):
            eps[t] = np.sqrt(h) * z[t]
            h = 0.05 + 0.10 * eps[t] ** 2 + 0.85 * h
    else:
        raise ValueError(errors)
    y = np.zeros((n, k))
    for t in range(1, n):
        y[t] = TRUE_A[0] @ y[t - 1] + TRUE_B0INV @ eps[t]
    return y[burn:]


def true_conditional(last: np.ndarray, fixed_path: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd of ``y2`` at horizons 1..H given ``y0``'s path, at the true parameters (Gaussian errors)."""
    steps, k = len(fixed_path), TRUE_A.shape[1]
    theta = structural_irf(TRUE_A, TRUE_B0INV, steps - 1)
    base = np.empty((steps, k))
    prev = last
    for h in range(steps):
        prev = TRUE_A[0] @ prev
        base[h] = prev
    m = np.zeros((steps * k, steps * k))
    for h in range(steps):
        for s in range(h + 1):
            m[h * k:(h + 1) * k, s * k:(s + 1) * k] = theta[h - s]
    rows = [h * k + FIXED for h in range(steps)]
    big, r = m[rows], fixed_path - base[:, FIXED]
    mean = big.T @ np.linalg.solve(big @ big.T, r)
    cov = np.eye(steps * k) - big.T @ np.linalg.solve(big @ big.T, big)
    free = [h * k + FREE for h in range(steps)]
    mu = base[:, FREE] + m[free] @ mean
    sd = np.sqrt(np.einsum("ij,jk,ik->i", m[free], cov, m[free]))
    return mu, sd


def coverage(samples: int, *, errors: str = "gaussian", parameters: str = "bootstrap", nobs: int = 120,
             steps: int = 6, draws: int = 300, level: float = 0.9, seed: int = 0) -> dict[str, float]:
    """Average coverage of the ``level`` band of the free variable over horizons and samples."""
    hits, masses = [], []
    for s in range(samples):
        y = simulate(nobs + steps, errors, np.random.default_rng(seed * 100_000 + s))
        data = pd.DataFrame(y[:nobs], columns=["y0", "y1", "y2"])
        res = SVAR(data, lags=1).fit(rng=s)
        cond = pd.DataFrame({"y0": y[nobs:, FIXED]}, index=np.arange(1, steps + 1))
        params = res.bootstrap(draws) if parameters == "bootstrap" else "point"  # one replication a draw
        out = res.conditional_forecast(cond, steps, draws=draws, level=level, parameters=params)
        band = out["forecast"].sel(variable="y2")
        lo, hi = band.sel(bound="lower").to_numpy(), band.sel(bound="upper").to_numpy()
        truth = y[nobs:, FREE]
        hits.append(((lo <= truth) & (truth <= hi)).mean())
        if errors == "gaussian":
            mu, sd = true_conditional(y[nobs - 1], y[nobs:, FIXED])
            masses.append((stats.norm.cdf(hi, mu, sd) - stats.norm.cdf(lo, mu, sd)).mean())
    out = {"realised": float(np.mean(hits)), "realised_se": float(np.std(hits) / np.sqrt(samples))}
    if masses:
        out["true_mass"] = float(np.mean(masses))
        out["true_mass_se"] = float(np.std(masses) / np.sqrt(samples))
    return out


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    for err in ("gaussian", "garch_t"):
        for par in ("bootstrap", "point"):
            print(err, par, {k: round(v, 3) for k, v in coverage(n, errors=err, parameters=par).items()})
