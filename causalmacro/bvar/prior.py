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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from causalmacro.errors import ArgumentError
from causalmacro.spec.defaults import MINNESOTA

PSI_METHODS = ("ml", "ols")

__all__ = ["PSI_METHODS", "ExactAR", "Minnesota", "auto_psi", "dummy_observations", "gamma_shape_scale", "log_gamma_density"]


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
    psi : sequence of float, or {"ml", "ols"}
        The diagonal of the inverse-Wishart scale, one per variable, or how to
        set it from the data: the AR(p) residual standard deviations by exact
        maximum likelihood (``"ml"``, the default: R ``BVAR``'s automatic choice,
        matched to about 1e-6) or by conditional least squares (``"ols"``); see
        :func:`auto_psi`. None means the default.
    soc : float, optional
        Tightness of the sum-of-coefficients dummy (smaller is tighter); None: no such dummy.
    sur : float, optional
        Tightness of the single-unit-root dummy; None: no such dummy.
    b : float, sequence of float, or mapping of str to float
        Prior mean of each variable's own first lag (1: random walk, 0: white noise):
        one number for all, one value per variable in the data's column order, or
        ``{variable: value}`` naming every column (resolved in :class:`~causalmacro.BVAR`).
        Banbura, Giannone & Reichlin (2010) set 1 for variables in levels and 0 for
        those in changes (growth rates), as R ``BVAR``'s ``bv_minnesota(b = <vector>)``
        allows. The sum-of-coefficients and single-unit-root dummies do not follow
        ``b`` (as in R ``BVAR``): they still pull every own-lag sum towards 1.
    var : float
        Prior variance of the constant.
    lambda_sd, lambda_bounds, dummy_sd, dummy_bounds
        The Gamma hyperpriors' standard deviations and the search bounds of
        ``hyper="glp"`` (R ``BVAR``'s ``bv_lambda`` and ``bv_dummy`` defaults).
    """

    lambda_: float = MINNESOTA.lambda_
    alpha: float = MINNESOTA.alpha
    psi: tuple[float, ...] | Literal["ml", "ols"] | None = MINNESOTA.psi
    soc: float | None = None
    sur: float | None = None
    b: float | tuple[float, ...] | Mapping[str, float] = MINNESOTA.b
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
        if self.psi is None:  # the default, as before "ml" and "ols" were named
            object.__setattr__(self, "psi", MINNESOTA.psi)
        elif isinstance(self.psi, str):
            if self.psi not in PSI_METHODS:
                raise ArgumentError(
                    f"unknown psi {self.psi!r}; valid: {', '.join(PSI_METHODS)} or one value per variable")
        else:
            object.__setattr__(self, "psi", tuple(_positive("psi", v) for v in np.atleast_1d(self.psi)))
        object.__setattr__(self, "b", _prior_mean_b(self.b))
        object.__setattr__(self, "lambda_bounds", _bounds("lambda_bounds", self.lambda_bounds))
        object.__setattr__(self, "dummy_bounds", _bounds("dummy_bounds", self.dummy_bounds))

    def __hash__(self) -> int:  # b may be a mapping
        b = tuple(self.b.items()) if isinstance(self.b, Mapping) else self.b
        return hash((self.lambda_, self.alpha, self.psi, self.soc, self.sur, b, self.var, self.lambda_sd,
                     self.lambda_bounds, self.dummy_sd, self.dummy_bounds))

    def b_values(self, variables: Sequence[str]) -> np.ndarray:
        """``b`` for each of ``variables`` (the data's columns, in order), as an array.

        Raises
        ------
        ArgumentError
            One line: a sequence of another length than ``variables``, a mapping that
            names a variable not among them or leaves one out.
        """
        names = [str(v) for v in variables]
        if isinstance(self.b, float):
            return np.full(len(names), self.b)
        if isinstance(self.b, Mapping):
            unknown = [k for k in self.b if k not in names]
            if unknown:
                raise ArgumentError(f"unknown variable {unknown[0]!r} in b; valid: {', '.join(names)}")
            missing = [n for n in names if n not in self.b]
            if missing:
                raise ArgumentError(f"b has no value for {', '.join(missing)}; name every variable "
                                    f"({', '.join(names)}) or give one number")
            return np.array([self.b[n] for n in names])
        if len(self.b) != len(names):
            raise ArgumentError(f"b has {len(self.b)} values for {len(names)} variables ({', '.join(names)})")
        return np.array(self.b)

    @property
    def dummies(self) -> tuple[str, ...]:
        """The dummy priors in use, in R ``BVAR``'s order (``soc`` then ``sur``)."""
        return tuple(name for name in ("soc", "sur") if getattr(self, name) is not None)

    def describe(self) -> str:
        """One line naming the prior and its hyperparameters."""
        parts = [f"lambda={self.lambda_:g}", f"alpha={self.alpha:g}", f"b={_describe_b(self.b)}"]
        parts += [f"{name}={getattr(self, name):g}" for name in self.dummies]
        return "Minnesota(" + ", ".join(parts) + ")"


def _finite(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float | np.integer | np.floating) and bool(
        np.isfinite(value))


def _prior_mean_b(b: Any) -> float | tuple[float, ...] | dict[str, float]:
    """``b`` checked: a float, a tuple of floats, or a ``{variable: float}`` dict (a copy)."""
    if _finite(b):
        return float(b)
    what = "b must be a finite number, one per variable or {variable: value}"
    if isinstance(b, Mapping):
        if not b:
            raise ArgumentError(f"{what}, got an empty mapping")
        for k, v in b.items():
            if not isinstance(k, str) or not _finite(v):
                raise ArgumentError(f"{what}, got {k!r}: {v!r}")
        return {k: float(v) for k, v in b.items()}
    if isinstance(b, str | bytes) or not isinstance(b, Sequence | np.ndarray):
        raise ArgumentError(f"{what}, got {b!r}")
    values = list(np.asarray(b, dtype=object).ravel()) if isinstance(b, np.ndarray) else list(b)
    if not values or not all(_finite(v) for v in values):
        raise ArgumentError(f"{what}, got {b!r}")
    return tuple(float(v) for v in values)


def _describe_b(b: float | tuple[float, ...] | Mapping[str, float]) -> str:
    if isinstance(b, float):
        return f"{b:g}"
    if isinstance(b, Mapping):
        return "{" + ", ".join(f"{k}: {v:g}" for k, v in b.items()) + "}"
    return "(" + ", ".join(f"{v:g}" for v in b) + ")"


def auto_psi(y: np.ndarray, lags: int, method: str = MINNESOTA.psi) -> np.ndarray:
    """R ``BVAR``'s default ``psi``: the residual sd of an AR(``lags``) with a mean, series by series.

    ``y`` is the sample after its first ``lags`` rows, as R ``BVAR`` passes it.

    ``method="ml"`` (the default, R ``BVAR``'s choice): exact Gaussian maximum
    likelihood, as R's ``arima(order = c(p, 0, 0))`` (``"CSS-ML"``): the
    conditional-least-squares fit starts a BFGS search of the exact likelihood
    over the partial autocorrelations (``tanh``-transformed, as R's
    ``transform.pars``), with the mean and the innovation variance concentrated
    out in closed form (:class:`ExactAR`); ``psi`` is ``sqrt(sigma2)``. It agrees
    with R to the optimisers' tolerance (about 1e-6 relative) in about 10 ms a
    series at 12 lags.

    ``method="ols"``: the conditional least squares AR (OLS of ``y_t`` on a
    constant and ``lags`` lags), ``psi = sqrt(SSR / (n - lags))`` (R's
    ``arima(method = "CSS")``). Not R ``BVAR``'s default; no search, so it
    cannot fail; it differs from ``"ml"`` by O(1/n).

    Where the least squares AR of a series is not stationary, ``"ml"`` raises
    :class:`~causalmacro.errors.ArgumentError` naming it (R ``BVAR`` would refit
    an ARIMA(p, 1, 0) instead): pass ``psi="ols"`` or the values.
    """
    if method not in PSI_METHODS:
        raise ArgumentError(f"unknown psi {method!r}; valid: {', '.join(PSI_METHODS)} or one value per variable")
    out = np.empty(y.shape[1])
    for j in range(y.shape[1]):
        ar = ExactAR(y[:, j], lags)
        out[j] = ar.css()[2] if method == "ols" else ar.fit(label=f"variable {j}")[2]
    return np.sqrt(out)


def _levinson(r: np.ndarray) -> list[np.ndarray]:
    """Durbin-Levinson: partial autocorrelations ``(..., p)`` to the AR coefficients of orders 1..p."""
    orders = [r[..., :1]]
    for k in range(1, r.shape[-1]):
        prev = orders[-1]
        orders.append(np.concatenate([prev - r[..., k:k + 1] * prev[..., ::-1], r[..., k:k + 1]], axis=-1))
    return orders


def _pacf(phi: np.ndarray) -> np.ndarray | None:
    """The partial autocorrelations of a stationary AR (the step-down recursion); None where it is not stationary."""
    phi = np.array(phi, dtype=np.float64)
    r = np.empty(phi.size)
    for k in range(phi.size, 0, -1):
        r[k - 1] = phi[k - 1]
        if not abs(r[k - 1]) < 1:
            return None
        phi = (phi[:k - 1] + r[k - 1] * phi[k - 2::-1]) / (1 - r[k - 1] ** 2)
    return r


class ExactAR:
    """The exact Gaussian likelihood of an AR(p) with a mean, vectorised over candidate parameters.

    With ``w = y - mu``, the first ``p`` values are ``N(0, sigma2 Gamma_p)`` and
    each later one ``N(phi' w_lags, sigma2)``. The first block enters through its
    innovations (the Durbin-Levinson predictions of orders 0..p-1, with
    variances ``v_k = prod_{j > k} 1 / (1 - r_j^2)``, so that
    ``log det Gamma_p = sum_k log v_k``). The quadratic form ``Q`` is quadratic
    in ``mu``, so ``mu`` and ``sigma2 = Q / n`` are concentrated out in closed
    form and the search runs over the ``p`` partial autocorrelations only.
    """

    def __init__(self, y: np.ndarray, p: int) -> None:
        y = np.asarray(y, dtype=np.float64)
        self.y, self.p, self.n = y, p, y.size
        self.lagged = np.column_stack([y[p - j:y.size - j] for j in range(1, p + 1)])  # (n - p, p)
        k, j = np.tril_indices(p, -1)
        self.first_lags = np.zeros((p, p))  # [k, j - 1] = y[k - j] for 1 <= j <= k
        self.first_lags[k, k - j - 1] = y[j]

    def _innovations(self, u: np.ndarray) -> tuple[np.ndarray, ...]:
        r = np.tanh(np.atleast_2d(u))
        orders = _levinson(r)
        phi = orders[-1]
        lower = np.zeros((r.shape[0], self.p, self.p))
        for k in range(1, self.p):
            lower[:, k, :k] = orders[k - 1]
        log_v = -np.cumsum(np.log1p(-r**2)[:, ::-1], axis=1)[:, ::-1]  # log v_k, k = 0..p-1
        u0 = self.y[:self.p] - np.einsum("bkj,kj->bk", lower, self.first_lags)
        ut = self.y[self.p:] - phi @ self.lagged.T
        return phi, lower, log_v, u0, ut

    def concentrated(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(Q, log det Gamma_p, mu, phi)`` at the ``tanh``-transformed partial autocorrelations ``u`` ``(B, p)``."""
        phi, lower, log_v, u0, ut = self._innovations(u)
        weight = np.exp(-log_v)
        s0 = 1.0 - lower.sum(axis=2)
        st = 1.0 - phi.sum(axis=1)
        a = (weight * u0**2).sum(1) + (ut**2).sum(1)
        b = (weight * u0 * s0).sum(1) + st * ut.sum(1)
        c = (weight * s0**2).sum(1) + (self.n - self.p) * st**2
        return a - b**2 / c, log_v.sum(1), b / c, phi

    def loglike(self, mu: float, phi: np.ndarray, sigma2: float) -> float:
        """The exact Gaussian log-likelihood at these parameters (what statsmodels' ``ARIMA(...).loglike`` computes)."""
        r = _pacf(phi)
        if r is None:
            raise ArgumentError(f"phi {list(phi)!r} is not stationary")
        _, _, log_v, u0, ut = ExactAR(self.y - mu, self.p)._innovations(np.arctanh(r))
        q = np.sum(np.exp(-log_v) * u0**2) + np.sum(ut**2)
        return float(-self.n / 2 * np.log(2 * np.pi * sigma2) - log_v.sum() / 2 - q / (2 * sigma2))

    def css(self) -> tuple[float, np.ndarray, float]:
        """``(mu, phi, sigma2)`` of conditional least squares: OLS on a constant and the lags, ``SSR / (n - p)``."""
        x = np.column_stack([np.ones(self.n - self.p), self.lagged])
        beta, *_ = np.linalg.lstsq(x, self.y[self.p:], rcond=None)
        resid = self.y[self.p:] - x @ beta
        phi = beta[1:]
        return float(beta[0] / (1.0 - phi.sum())), phi, float(resid @ resid / (self.n - self.p))

    def fit(self, label: str = "the series") -> tuple[float, np.ndarray, float]:
        """``(mu, phi, sigma2)`` at the exact maximum likelihood, from the CSS start (R's ``"CSS-ML"``)."""
        from scipy.optimize import minimize

        r0 = _pacf(self.css()[1])
        if r0 is None:
            raise ArgumentError(f"psi: the least squares AR({self.p}) of {label} is not stationary; "
                                f"pass psi=\"ols\" or one value per variable")
        h = 1e-5
        steps = np.vstack([np.eye(self.p), -np.eye(self.p)]) * h

        def objective(u: np.ndarray) -> tuple[float, np.ndarray]:
            q, log_det, _, _ = self.concentrated(np.vstack([u, u + steps]))
            f = 0.5 * self.n * np.log(q / self.n) + 0.5 * log_det
            return float(f[0]), (f[1:self.p + 1] - f[self.p + 1:]) / (2 * h)

        opt = minimize(objective, np.arctanh(r0), jac=True, method="BFGS", options={"gtol": 1e-8})
        if not np.all(np.isfinite(opt.x)):
            raise ArgumentError(f"psi: the exact ML AR({self.p}) of {label} did not converge; pass psi=\"ols\" "
                                f"or one value per variable")
        q, _, mu, phi = self.concentrated(opt.x)
        return float(mu[0]), phi[0], float(q[0] / self.n)


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
