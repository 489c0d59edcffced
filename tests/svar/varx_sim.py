"""A VARX with event dummies whose effects are known (imported as a plain module by the VARX tests)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# y_t = c + A y_{t-1} + G' x_t + P eps_t with x_t = (pulse_t, step_t): a one-period
# pulse at row PULSE_AT and a level shift from row STEP_FROM on.
VARX_A = np.array([[0.5, 0.1], [0.2, 0.3]])
VARX_CONST = np.array([0.2, -0.1])
VARX_GAMMA = np.array([[3.0, -2.0], [1.0, 0.5]])  # rows: pulse, step; columns: equations
VARX_CHOL = np.array([[1.0, 0.0], [0.3, 0.8]])
PULSE_AT, STEP_FROM = 80, 140


def event_dummies(index: pd.Index) -> pd.DataFrame:
    """Pulse at row ``PULSE_AT`` and step from row ``STEP_FROM`` (scaled to the sample length)."""
    n = len(index)
    rows = np.arange(n)
    pulse_at, step_from = (PULSE_AT, STEP_FROM) if n >= 240 else (n // 3, (7 * n) // 12)
    return pd.DataFrame(
        {"pulse": (rows == pulse_at).astype(float), "step": (rows >= step_from).astype(float)}, index=index
    )


def simulate_varx(nobs: int, rng: np.random.Generator, start: str = "2000-01") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Data and dummies of the VARX above; the first row is the steady state before any event."""
    index = pd.period_range(start, periods=nobs, freq="M")
    x = event_dummies(index).to_numpy()
    y = np.zeros((nobs, 2))
    y[0] = np.linalg.solve(np.eye(2) - VARX_A, VARX_CONST)
    eps = rng.standard_normal((nobs, 2))
    for t in range(1, nobs):
        y[t] = VARX_CONST + VARX_A @ y[t - 1] + VARX_GAMMA.T @ x[t] + VARX_CHOL @ eps[t]
    return pd.DataFrame(y, index=index, columns=["output", "prices"]), event_dummies(index)
