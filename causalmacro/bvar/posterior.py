"""The conjugate Normal-inverse-Wishart posterior of a VAR, its marginal likelihood and exact draws.

Pure numpy on arrays. With ``Y`` (N x M) on ``X`` (N x K, a constant then lags
1..p), prior ``B | Sigma ~ MN(b, Omega, Sigma)`` with ``Omega`` diagonal and
``Sigma ~ IW(Psi, M + 2)``, ``Psi = diag(psi)`` (Kadiyala & Karlsson 1997), the
posterior is ``Sigma | Y ~ IW(S, N + M + 2)`` and
``B | Sigma, Y ~ MN(B_hat, V, Sigma)`` with ``V = (X'X + Omega^-1)^-1``,
``B_hat = V (X'Y + Omega^-1 b)``, ``S = Psi + E'E + (B_hat - b)' Omega^-1 (B_hat - b)``.
The marginal likelihood is the matric-t density of ``Y`` in the determinant
form of Giannone, Lenza & Primiceri (2015, appendix), as R ``BVAR``'s
``calc_logml``; with dummy observations it is ``p(Y, Y_d) / p(Y_d)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

__all__ = ["LogML", "Posterior", "design", "draw", "log_ml", "omega_diag", "posterior"]


def design(data: np.ndarray, lags: int) -> tuple[np.ndarray, np.ndarray]:
    """``(Y, X)``: the sample after the first ``lags`` rows and its regressors ``[1, y_{t-1}, ..., y_{t-p}]``."""
    n = data.shape[0]
    x = np.hstack([np.ones((n - lags, 1))] + [data[lags - i:n - i] for i in range(1, lags + 1)])
    return data[lags:], x


def omega_diag(lambda_: float, alpha: float, psi: np.ndarray, lags: int, var: float) -> np.ndarray:
    """The prior variances of the coefficients (per unit of ``Sigma``): constant, then lag by lag."""
    lag = np.repeat(np.arange(1, lags + 1), psi.size)
    return np.concatenate([[var], lambda_**2 / lag**alpha / np.tile(psi, lags)])


def prior_mean(m: int, lags: int, b: float | np.ndarray) -> np.ndarray:
    """The prior mean of the coefficients: ``b`` (one number, or one per variable) on each own first lag,
    0 elsewhere (R ``BVAR``'s ``diag(b, M)`` in the first lag block)."""
    out = np.zeros((1 + m * lags, m))
    out[1:m + 1] = np.diag(np.broadcast_to(np.asarray(b, dtype=np.float64), (m,)))
    return out


@dataclass(frozen=True)
class Posterior:
    """The posterior's parameters: ``B | Sigma ~ MN(b_hat, v, Sigma)``, ``Sigma ~ IW(s, dof)``."""

    b_hat: np.ndarray
    v: np.ndarray
    s: np.ndarray
    dof: float


def _logml_terms(n: int, psi: np.ndarray, ld_x: float, inner: np.ndarray) -> float:
    """The matric-t log density from its pieces: ``n`` rows, ``log det(I + Omega^1/2 X'X Omega^1/2)`` and the
    ``M x M`` sum of squares ``E'E + (B_hat - b)' Omega^-1 (B_hat - b)``."""
    m = psi.size
    d = m + 2
    ps = 1.0 / np.sqrt(psi)
    _, ld_s = np.linalg.slogdet(np.eye(m) + ps[:, None] * inner * ps[None, :])
    i = np.arange(m)
    return float(-m * n * np.log(np.pi) / 2 + np.sum(gammaln((n + d - i) / 2) - gammaln((d - i) / 2))
                 - n * np.sum(np.log(psi)) / 2 - m * ld_x / 2 - (n + d) * ld_s / 2)


class LogML:
    """``log p(Y | hyperparameters)`` at many hyperparameters for one sample (the hyperparameter search).

    ``X'X`` and ``X'Y`` of the data are computed once; each call adds the few
    dummy rows, takes one Cholesky factor ``L`` of ``X'X + Omega^-1`` (``K x K``)
    for ``B_hat`` and ``log det(I + Omega^1/2 X'X Omega^1/2) = 2 sum log diag L
    + sum log omega``, and the dummies' own term ``log p(Y_d)`` through the
    ``r x r`` determinant ``det(I_r + X_d Omega X_d')`` (Sylvester), ``r`` the
    number of dummy rows. Residuals are formed explicitly (``N K M`` flops), not
    by expanding ``Y'Y - B'X'Y``, which would lose digits on series in levels.
    """

    def __init__(self, y: np.ndarray, x: np.ndarray, b: np.ndarray) -> None:
        self.y, self.x, self.b = y, x, b
        self.xx, self.xy = x.T @ x, x.T @ y

    def __call__(self, yd: np.ndarray, xd: np.ndarray, omega: np.ndarray, psi: np.ndarray) -> float:
        from scipy.linalg import cho_solve, cholesky

        prec = self.xx + xd.T @ xd
        prec[np.diag_indices_from(prec)] += 1.0 / omega
        chol = cholesky(prec, lower=True, check_finite=False)
        b_hat = cho_solve((chol, True), self.xy + xd.T @ yd + self.b / omega[:, None], check_finite=False)
        ld_x = 2.0 * np.sum(np.log(np.diag(chol))) + np.sum(np.log(omega))
        resid, resid_d, dev = self.y - self.x @ b_hat, yd - xd @ b_hat, b_hat - self.b
        inner = resid.T @ resid + resid_d.T @ resid_d + dev.T @ (dev / omega[:, None])
        out = _logml_terms(self.y.shape[0] + yd.shape[0], psi, ld_x, inner)
        if yd.shape[0]:
            scaled = xd * np.sqrt(omega)[None, :]
            _, ld_d = np.linalg.slogdet(np.eye(xd.shape[0]) + scaled @ scaled.T)
            e = yd - xd @ self.b
            out -= _logml_terms(yd.shape[0], psi, ld_d, e.T @ e)
        return out


def posterior(y: np.ndarray, x: np.ndarray, b: np.ndarray, omega: np.ndarray, psi: np.ndarray) -> Posterior:
    """The posterior given (possibly dummy-augmented) data ``y``, ``x`` and the prior ``b``, ``omega``, ``psi``."""
    prec = x.T @ x + np.diag(1.0 / omega)
    chol = np.linalg.cholesky(prec)
    v = np.linalg.inv(chol).T @ np.linalg.inv(chol)
    b_hat = np.linalg.solve(prec, x.T @ y + b / omega[:, None])
    resid = y - x @ b_hat
    dev = b_hat - b
    s = np.diag(psi) + resid.T @ resid + dev.T @ (dev / omega[:, None])
    return Posterior(b_hat, (v + v.T) / 2, (s + s.T) / 2, float(y.shape[0] + y.shape[1] + 2))


def log_ml(y: np.ndarray, x: np.ndarray, yd: np.ndarray, xd: np.ndarray, b: np.ndarray, omega: np.ndarray,
           psi: np.ndarray) -> float:
    """``log p(Y | hyperparameters)``: ``log p(Y, Y_d) - log p(Y_d)`` (R ``BVAR``'s ``bv_ml`` without hyperpriors).

    One evaluation of :class:`LogML`; build a :class:`LogML` once to evaluate many.
    """
    return LogML(y, x, b)(yd, xd, omega, psi)


def draw(post: Posterior, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` exact i.i.d. posterior draws ``(B (n, K, M), Sigma (n, M, M))``, vectorised over draws.

    ``Sigma^-1 ~ Wishart(S^-1, dof)`` by the Bartlett decomposition
    ``Sigma^-1 = L A A' L'`` (``L L' = S^-1``, ``A`` lower triangular with
    ``sqrt(chi2(dof - i))`` on the diagonal and standard normals below), so
    ``Sigma = C C'`` with ``C = L'^-1 A'^-1``; then ``B = B_hat + P Z C'`` with
    ``P P' = V`` and ``Z`` standard normal, which is ``MN(B_hat, V, Sigma)``.
    """
    k, m = post.b_hat.shape
    lower = np.linalg.cholesky(np.linalg.inv(post.s))
    a = np.zeros((n, m, m))
    rows, cols = np.tril_indices(m, -1)
    a[:, rows, cols] = rng.standard_normal((n, rows.size))
    a[:, np.arange(m), np.arange(m)] = np.sqrt(rng.chisquare(post.dof - np.arange(m), size=(n, m)))
    c = np.linalg.inv(lower).T @ np.linalg.inv(a).transpose(0, 2, 1)
    sigma = c @ c.transpose(0, 2, 1)
    p = np.linalg.cholesky(post.v)
    z = rng.standard_normal((n, k, m))
    coefs = post.b_hat + (p @ z) @ c.transpose(0, 2, 1)
    return coefs, (sigma + sigma.transpose(0, 2, 1)) / 2
