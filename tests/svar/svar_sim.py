"""Simulation helpers shared by the structural VAR tests (imported as a plain module)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def simulate_svar(
    coefs: np.ndarray, impact: np.ndarray, nobs: int, rng: np.random.Generator,
    const: np.ndarray | None = None, burn: int = 200,
) -> pd.DataFrame:
    """Simulate ``y_t = c + sum_j A_j y_{t-j} + B0inv eps_t`` with standard normal shocks."""
    p, k, _ = coefs.shape
    c = np.zeros(k) if const is None else const
    eps = rng.standard_normal((nobs + burn, k))
    y = np.zeros((nobs + burn, k))
    for t in range(p, nobs + burn):
        y[t] = c + sum(coefs[j] @ y[t - 1 - j] for j in range(p)) + impact @ eps[t]
    return pd.DataFrame(y[burn:], columns=[f"y{i}" for i in range(k)])


# A stable VAR(1) with a lower-triangular impact matrix, used by the recovery tests.
TRUE_A = np.array([[[0.5, 0.0, 0.0], [0.2, 0.4, 0.1], [-0.1, 0.3, 0.3]]])
TRUE_B0INV = np.array([[1.0, 0.0, 0.0], [0.5, 0.8, 0.0], [-0.3, 0.4, 0.6]])
