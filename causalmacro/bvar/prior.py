"""The Minnesota prior with sum-of-coefficients and single-unit-root dummies, as R ``BVAR`` sets it.

The conjugate Normal-inverse-Wishart prior of Kadiyala & Karlsson (1997) with
the Minnesota moments of Litterman (1986) and the dummy observations of Sims &
Zha (1998), parametrised and hyper-prior'd as Giannone, Lenza & Primiceri (2015,
"Prior selection for vector autoregressions", REStat 97(2)) do and as R ``BVAR``
1.0.5 (Kuschnig & Vashold 2021, JSS 100(14); ``bv_minnesota``, ``bv_soc``,
``bv_sur``) implements it, quirks included so that the two agree to rounding:

- ``psi`` (the diagonal of the inverse-Wishart scale) defaults to the residual
  **standard deviation** (not the variance) of an AR(p) with a mean fitted by
  Gaussian maximum likelihood to each series, on the sample after the first
  ``p`` observations (R ``BVAR``'s ``auto_psi``);
- the dummies' "initial values" are the means of the first ``p`` observations
  of that same trimmed sample (``.add_soc``, ``.add_sur``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from causalmacro.errors import ArgumentError
from causalmacro.spec.defaults import MINNESOTA

__all__ = ["Minnesota", "auto_psi", "dummy_observations", "gamma_shape_scale", "log_gamma_density"]


def gamma_shape_scale(mode: float, sd: float) -> tuple[float, float]:
    """Shape and scale of the Gamma distribution with this mode and standard deviation (R ``BVAR``'s ``gamma_coef``)."""
    r = mode**2 / sd**2
    k = (2.0 + r + np.sqrt((4.0 + r) * r)) / 2.0
    return float(k), float(np.sqrt(sd**2 / k))


def log_gamma_density(x: float, mode: float, sd: float) -> float:
    """Log density at ``x`` of the Gamma hyperprior with this mode and sd (R's ``dgamma(log = TRUE)``)."""
    from scipy.special import gammaln

    k, theta = gamma_shape_scale(mode, sd)
    return float((k - 1.0) * np.log(x) - x / theta - gammaln(k) - k * np.log(theta))


def _positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating) or not np.isfinite(value) or value <= 0:
        raise ArgumentError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def _bounds(name: str, value: Any) -> tuple[float, float]:
    lo, hi = (float(v) for v in value)
    if not 0 <= lo < hi:
        raise ArgumentError(f"{name} must be (low, high) with 0 <= low < high, got {value!r}")
    return lo, hi


@dataclass(frozen=True)
class Minnesota:
    """The Minnesota prior of :class:`causalmacro.BVAR`, by the meaning of R ``BVAR``'s hyperparameters.

    Conditional on the residual covariance ``Sigma``, the coefficient of variable
    ``j`` at lag ``l`` in any equation has prior variance
    ``lambda_**2 / l**alpha * Sigma / psi_j`` (the constant ``var``); ``Sigma``
    is inverse-Wishart with scale ``diag(psi)`` and ``M + 2`` degrees of freedom.

    Parameters
    ----------
    lambda_ : float
        Overall tightness; also the mode of its Gamma hyperprior (sd ``lambda_sd``).
    alpha : float
        Lag decay.
    psi : sequence of float, optional
        The diagonal of the inverse-Wishart scale, one per variable. None: R
        ``BVAR``'s automatic choice (the AR(p) residual standard deviations, see
        :func:`auto_psi`).
    soc : float, optional
        Tightness of the sum-of-coefficients dummy (smaller is tighter); None: no such dummy.
    sur : float, optional
        Tightness of the single-unit-root dummy; None: no such dummy.
    b : float
        Prior mean of each variable's own first lag (1: random walk, 0: white noise).
    var : float
        Prior variance of the constant.
    lambda_sd, lambda_bounds, dummy_sd, dummy_bounds
        The Gamma hyperpriors' standard deviations and the search bounds of
        ``hyper="glp"`` (R ``BVAR``'s ``bv_lambda`` and ``bv_dummy`` defaults).
    """

    lambda_: float = MINNESOTA.lambda_
    alpha: float = MINNESOTA.alpha
    psi: tuple[float, ...] | None = None
    soc: float | None = None
    sur: float | None = None
    b: float = MINNESOTA.b
    var: float = MINNESOTA.var
    lambda_sd: float = MINNESOTA.lambda_sd
    lambda_bounds: tuple[float, float] = MINNESOTA.lambda_bounds
    dummy_sd: float = MINNESOTA.dummy_sd
    dummy_bounds: tuple[float, float] = MINNESOTA.dummy_bounds

    def __post_init__(self) -> None:
        for name in ("lambda_", "alpha", "var", "lambda_sd", "dummy_sd"):
            object.__setattr__(self, name, _positive(name, getattr(self, name)))
        for name in ("soc", "sur"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _positive(name, getattr(self, name)))
        if self.psi is not None:
            object.__setattr__(self, "psi", tuple(_positive("psi", v) for v in np.atleast_1d(self.psi)))
        b = self.b
        if isinstance(b, bool) or not isinstance(b, int | float | np.floating) or not np.isfinite(b):
            raise ArgumentError(f"b must be a finite number, got {b!r}")
        object.__setattr__(self, "b", float(b))
        object.__setattr__(self, "lambda_bounds", _bounds("lambda_bounds", self.lambda_bounds))
        object.__setattr__(self, "dummy_bounds", _bounds("dummy_bounds", self.dummy_bounds))

    @property
    def dummies(self) -> tuple[str, ...]:
        """The dummy priors in use, in R ``BVAR``'s order (``soc`` then ``sur``)."""
        return tuple(name for name in ("soc", "sur") if getattr(self, name) is not None)

    def describe(self) -> str:
        """One line naming the prior and its hyperparameters."""
        parts = [f"lambda={self.lambda_:g}", f"alpha={self.alpha:g}", f"b={self.b:g}"]
        parts += [f"{name}={getattr(self, name):g}" for name in self.dummies]
        return "Minnesota(" + ", ".join(parts) + ")"


def auto_psi(y: np.ndarray, lags: int) -> np.ndarray:
    """R ``BVAR``'s default ``psi``: the residual sd of a Gaussian ML AR(``lags``) with a mean, series by series.

    ``y`` is the sample after its first ``lags`` rows, as R ``BVAR`` passes it.
    R fits ``arima(order = c(p, 0, 0))`` (CSS then exact ML); statsmodels'
    exact ML agrees with it to the optimisers' tolerance (about 1e-4 relative).
    """
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.arima.model import ARIMA

    out = np.empty(y.shape[1])
    for j in range(y.shape[1]):
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            try:
                fit = ARIMA(y[:, j], order=(lags, 0, 0), trend="c").fit()
            except ConvergenceWarning as err:
                raise ArgumentError(
                    f"psi: the AR({lags}) of variable {j} did not converge ({err}); pass psi= explicitly") from err
        out[j] = np.sqrt(fit.params[-1])
    return out


def dummy_observations(prior: Minnesota, y: np.ndarray, lags: int,
                       values: dict[str, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The soc and sur dummy rows ``(Y_d, X_d)`` (R ``BVAR``'s ``.add_soc``, ``.add_sur``), possibly none.

    ``y`` is the trimmed sample (after the first ``lags`` rows); ``values``
    overrides the tightnesses (the hyperparameter search).
    """
    m = y.shape[1]
    k = 1 + m * lags
    ybar = y[:lags].mean(axis=0)
    ys, xs = [np.empty((0, m))], [np.empty((0, k))]
    for name in prior.dummies:
        tight = (values or {}).get(name, getattr(prior, name))
        if name == "soc":
            yd = np.diag(ybar) / tight
            xd = np.hstack([np.zeros((m, 1)), np.tile(yd, lags)])
        else:
            yd = (ybar / tight)[None, :]
            xd = np.concatenate([[1.0 / tight], np.tile(ybar / tight, lags)])[None, :]
        ys.append(yd)
        xs.append(xd)
    return np.vstack(ys), np.vstack(xs)
