"""Identification by non-Gaussian shocks: maximum likelihood with independent Student-t shocks.

The reduced-form residuals are :math:`u_t = B e_t` with independent structural
shocks :math:`e_{jt}`, each a Student-t scaled to unit variance with its own degrees
of freedom :math:`\\nu_j > 2` (Lanne, Meitz & Saikkonen 2017). When at most one
shock is Gaussian, :math:`B` is unique up to the order and signs of its columns;
the columns are then named by :func:`~causalmacro.svar.labelling.label_shocks`.

Estimation follows R svars' ``id.ngml`` with its default ``stage3 = FALSE``
(Lange, Dalheimer, Herwartz & Maxand 2021): the VAR by OLS, then :math:`B` and the
degrees of freedom by ML given the OLS residuals. The log-likelihood is

.. math::

    \\ell = \\sum_t \\sum_j \\log f_{\\nu_j}\\big((B^{-1} u_t)_j\\big) - T \\log|\\det B|,

:math:`f_\\nu` the unit-variance t density. It is maximised over :math:`W = B^{-1}`
and :math:`\\eta_j = \\log(\\nu_j - 2)` by Newton's method with the analytic Hessian
(eigenvalues of the negative Hessian floored, steps halved until the likelihood
rises), from the Cholesky factor and :math:`\\nu_j = 5` as svars starts. The
standard errors come from the inverse analytic Hessian, mapped to
:math:`(\\operatorname{vec} B, \\nu)` by the delta method (exact at the optimum).

A shock "looks Gaussian" when its :math:`\\hat\\nu_j` exceeds ``gaussian_df`` or the
one-sided Wald test of :math:`1/\\nu_j = 0` (normality) does not reject at level
``alpha`` (:math:`\\hat\\nu_j / \\operatorname{se}(\\hat\\nu_j) < z_{1-\\alpha}`); when
more than one shock looks Gaussian they are not identified apart and a
:class:`~causalmacro.svar.volatility.WeakIdentificationWarning` says so.

References
----------
Lanne, M., Meitz, M. & Saikkonen, P. (2017). Identification and estimation of
non-Gaussian structural vector autoregressions. *Journal of Econometrics* 196(2),
288-304.
Lange, A., Dalheimer, B., Herwartz, H. & Maxand, S. (2021). svars: an R package for
data-driven identification in multivariate time series analysis. *Journal of
Statistical Software* 97(5), 1-34.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from scipy import special, stats

from causalmacro.errors import ArgumentError
from causalmacro.spec.defaults import DATA_DRIVEN
from causalmacro.svar.identification import (
    Identification,
    IdentificationError,
    IdentificationName,
    Identified,
)
from causalmacro.svar.labelling import label_shocks, label_shocks_batch
from causalmacro.svar.reduced_form import ReducedForm
from causalmacro.svar.volatility import WeakIdentificationWarning

__all__ = ["NonGaussian", "NonGaussianBandsWarning", "student_t_loglik"]


class NonGaussianBandsWarning(UserWarning):
    """Bootstrap bands of a non-Gaussian SVAR under-cover the shocks' own impact responses.

    Each replication re-estimates :math:`B` with every shock's degrees of freedom
    held at the point estimate (re-estimating them is slow and unstable), which
    understates the sampling spread of fat-tailed shocks' own scale. In the Monte
    Carlo of ``benchmarks/bench_nongaussian_coverage.py`` the 90% bands covered the
    own impact responses 43-63% of the time (0.80-0.83 over all impact responses,
    0.86-0.88 after six periods); the ML standard errors of the impact matrix
    (``identification_details["impact_se"]``) were closer to the sampling spread.
    """


#: The message of :class:`NonGaussianBandsWarning`, with the recorded coverage.
BANDS_NOTE = ("non-Gaussian bootstrap bands hold each shock's degrees of freedom at the point estimate: in the Monte "
              "Carlo (benchmarks/bench_nongaussian_coverage.py) their 90% bands covered the shocks' own impact "
              "responses 43-63% of the time; read identification_details['impact_se'] for the impact matrix")

_HALF_LOG_PI = 0.5 * float(np.log(np.pi))


def student_t_loglik(b: np.ndarray, df: np.ndarray, resid: np.ndarray) -> float:
    """Log-likelihood of residuals given :math:`B` and the shocks' degrees of freedom.

    Parameters
    ----------
    b : ndarray, shape (K, K)
        Impact matrix; column ``j`` is shock ``j``'s impact (unit shock variance).
    df : ndarray, shape (K,)
        Degrees of freedom of each shock, all above 2.
    resid : ndarray, shape (T, K)

    Returns
    -------
    float
        :math:`\\sum_t \\sum_j \\log f_{\\nu_j}((B^{-1}u_t)_j) - T\\log|\\det B|`, the
        quantity svars' ``id.ngml`` reports as ``Lik``.
    """
    w = np.linalg.inv(np.asarray(b, dtype=np.float64))
    nu = np.asarray(df, dtype=np.float64)
    return float(_value(w[None], nu[None], np.asarray(resid, dtype=np.float64)[None])[0])


def _elementwise(e: np.ndarray, nu: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per-observation log density of a unit-variance t and its derivatives; ``nu`` broadcasts over ``e``."""
    a = nu - 2.0
    q = a + e * e
    logq, loga = np.log(q), np.log(a)
    ll = special.gammaln(0.5 * (nu + 1)) - special.gammaln(0.5 * nu) - _HALF_LOG_PI + 0.5 * nu * loga - 0.5 * (nu + 1) * logq
    d_e = -(nu + 1) * e / q
    d_ee = -(nu + 1) * (a - e * e) / (q * q)
    d_nu = (0.5 * special.digamma(0.5 * (nu + 1)) - 0.5 * special.digamma(0.5 * nu) + 0.5 * loga + 0.5 * nu / a
            - 0.5 * logq - 0.5 * (nu + 1) / q)
    d_nunu = (0.25 * special.polygamma(1, 0.5 * (nu + 1)) - 0.25 * special.polygamma(1, 0.5 * nu) + 0.5 / a
              - 1.0 / (a * a) - 1.0 / q + 0.5 * (nu + 1) / (q * q))
    d_enu = -e / q + (nu + 1) * e / (q * q)
    return ll, d_e, d_ee, d_nu, d_nunu, d_enu


def _value(w: np.ndarray, nu: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Log-likelihood per replication: ``w`` (R, K, K) = B^{-1}, ``nu`` (R, K), ``u`` (R, T, K)."""
    e = np.einsum("rjk,rtk->rtj", w, u)
    a = nu[:, None, :] - 2.0
    ll = (special.gammaln(0.5 * (nu + 1)) - special.gammaln(0.5 * nu) - _HALF_LOG_PI + 0.5 * nu * np.log(nu - 2.0))
    kern = -0.5 * (nu[:, None, :] + 1) * np.log(a + e * e)
    _, logdet = np.linalg.slogdet(w)
    return u.shape[1] * (ll.sum(axis=1) + logdet) + kern.sum(axis=(1, 2))


def _grad_hess(w: np.ndarray, nu: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradient (R, P) and Hessian (R, P, P) of the log-likelihood in (W row-major, nu), P = K^2 + K."""
    reps, t, k = u.shape
    e = np.einsum("rjk,rtk->rtj", w, u)
    _, d_e, d_ee, d_nu, d_nunu, d_enu = _elementwise(e, nu[:, None, :])
    b = np.linalg.inv(w)
    g_w = np.einsum("rtj,rtk->rjk", d_e, u) + t * np.swapaxes(b, 1, 2)
    g_nu = d_nu.sum(axis=1)
    kk = k * k
    h = np.zeros((reps, kk + k, kk + k))
    blocks = np.einsum("rtj,rtk,rtl->rjkl", d_ee, u, u)  # rows of W decouple in the t part
    hw = -t * np.einsum("rkc,rla->rakcl", b, b).reshape(reps, kk, kk)  # d2 log det W / dW_ak dW_cl = -B_kc B_la
    for j in range(k):
        hw[:, j * k : (j + 1) * k, j * k : (j + 1) * k] += blocks[:, j]
    h[:, :kk, :kk] = hw
    cross = np.einsum("rtj,rtk->rjk", d_enu, u)  # d2 / dW_jk dnu_j
    for j in range(k):
        h[:, j * k : (j + 1) * k, kk + j] = cross[:, j]
        h[:, kk + j, j * k : (j + 1) * k] = cross[:, j]
    h[:, kk + np.arange(k), kk + np.arange(k)] = d_nunu.sum(axis=1)
    return np.concatenate([g_w.reshape(reps, kk), g_nu], axis=1), h


#: Degrees of freedom are capped here (log(nu - 2) at most log(_DF_CAP - 2)): a t with 1000 degrees of freedom
#: is Gaussian to three digits of its kurtosis, and a shock at the cap has its df frozen in the search.
_DF_CAP = 1000.0
_ETA_CAP = float(np.log(_DF_CAP - 2.0))


def _line_search(w: np.ndarray, nu: np.ndarray, f: np.ndarray, u: np.ndarray, idx: np.ndarray,
                 step: np.ndarray) -> np.ndarray:
    """Halve each replication's step until the likelihood does not fall; update in place; True where none did."""
    k = u.shape[2]
    kk = k * k
    scale = np.ones(idx.size)
    eta0 = np.log(nu[idx] - 2.0)
    pending = np.ones(idx.size, dtype=bool)
    for _half in range(40):
        if not pending.any():
            break
        p_idx = np.flatnonzero(pending)
        sel = idx[p_idx]
        s = step[p_idx] * scale[p_idx, None]
        w_new = w[sel] + s[:, :kk].reshape(-1, k, k)
        nu_new = 2.0 + np.exp(np.minimum(eta0[p_idx] + s[:, -k:], _ETA_CAP))
        with np.errstate(all="ignore"):
            f_new = _value(w_new, nu_new, u[sel])
        up = np.isfinite(f_new) & (f_new >= f[sel] - 1e-12 * np.abs(f[sel]))
        w[sel[up]], nu[sel[up]], f[sel[up]] = w_new[up], nu_new[up], f_new[up]
        pending[p_idx[up]] = False
        scale[p_idx[~up]] *= 0.5
    return pending


def _freeze_capped(g_eta: np.ndarray, h_eta: np.ndarray, nu: np.ndarray) -> None:
    """Active set: a df at the cap whose gradient points further out is held (zero gradient, unit curvature)."""
    k = nu.shape[1]
    off = g_eta.shape[1] - k
    r, j = np.nonzero((nu >= _DF_CAP * (1 - 1e-9)) & (g_eta[:, off:] > 0))
    g_eta[r, off + j] = 0.0
    h_eta[r, off + j, :] = 0.0
    h_eta[r, :, off + j] = 0.0
    h_eta[r, off + j, off + j] = -1.0


def _newton(w: np.ndarray, nu: np.ndarray, u: np.ndarray, max_iter: int, tol: float
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Damped Newton ascent in (W, log(nu - 2)) with the exact Hessian; returns W, nu, log-likelihood, converged."""
    reps, _, k = u.shape
    kk = k * k
    w, nu = w.copy(), nu.copy()
    f = _value(w, nu, u)
    done = np.zeros(reps, dtype=bool)
    bad = np.zeros(reps, dtype=bool)
    for _ in range(max_iter):
        act = ~done & np.isfinite(f)
        if not act.any():
            break
        g, h = _grad_hess(w[act], nu[act], u[act])
        a = nu[act] - 2.0
        # to eta = log(nu - 2): chain rule on the nu rows and columns
        jac = np.concatenate([np.ones((a.shape[0], kk)), a], axis=1)
        g_eta = g * jac
        h_eta = h * jac[:, :, None] * jac[:, None, :]
        h_eta[:, kk + np.arange(k), kk + np.arange(k)] += g[:, kk:] * a
        _freeze_capped(g_eta, h_eta, nu[act])
        lam, vec = np.linalg.eigh(-h_eta)
        floor = 1e-8 * np.maximum(np.abs(lam).max(axis=1, keepdims=True), 1.0)
        lam = np.maximum(np.abs(lam), floor)
        step = np.einsum("rij,rj,rkj,rk->ri", vec, 1.0 / lam, vec, g_eta)
        decrement = 0.5 * np.einsum("ri,ri->r", g_eta, step)
        idx = np.flatnonzero(act)
        conv = decrement < tol
        done[idx[conv]] = True
        stalled = _line_search(w, nu, f, u, idx[~conv], step[~conv])
        # no step raises the likelihood: at the optimum to rounding when the predicted gain is already tiny
        done[idx[~conv][stalled]] = True
        bad[idx[~conv][stalled]] = decrement[~conv][stalled] > 1e-4
    return w, nu, f, done & ~bad & np.isfinite(f)


def _relative_newton(w: np.ndarray, nu: np.ndarray, u: np.ndarray, max_iter: int, tol: float, *,
                     fit_df: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Quasi-Newton ascent for many replications at once: the bootstrap's search.

    The step in ``W`` is relative, ``W <- (I + D) W``; the Hessian in ``D`` is taken
    with the cross moments of distinct shocks dropped (zero in expectation when the
    shocks are independent), which leaves 2x2 blocks pairing ``D_ij`` with ``D_ji``,
    and the diagonal ``D_ii`` with each ``log(nu_i - 2)`` (Pham & Garat 1997 for the
    ICA analogue). Each iteration costs O(R T K^2); the gradient is exact, so the
    fixed point is the ML estimate (of ``W`` alone with ``fit_df=False``: the
    degrees of freedom stay at their starting values).
    """
    reps, t, k = u.shape
    w, nu = w.copy(), nu.copy()
    f = _value(w, nu, u)
    done = np.zeros(reps, dtype=bool)
    bad = np.zeros(reps, dtype=bool)
    iu, ju = np.triu_indices(k, 1)
    diag = np.arange(k)
    for _ in range(max_iter):
        act = np.flatnonzero(~done & np.isfinite(f))
        if not act.size:
            break
        ua, wa, nua = u[act], w[act], nu[act]
        e = np.einsum("rjk,rtk->rtj", wa, ua)
        _, d_e, d_ee, d_nu, d_nunu, d_enu = _elementwise(e, nua[:, None, :])
        grad = np.einsum("rti,rtj->rij", d_e, e) + t * np.eye(k)  # dL/dD_ij
        curv = np.einsum("rti,rtj->rij", d_ee, e * e)  # sum_t l''_i(e_i) e_j^2
        a = nua - 2.0
        g_eta = d_nu.sum(axis=1) * a
        h_eta = d_nunu.sum(axis=1) * a * a + g_eta
        h_cross = np.einsum("rti,rti->ri", d_enu, e) * a  # d2 / dD_ii d eta_i
        step = np.zeros((act.size, k, k))
        # off-diagonal pairs: maximise with [[c_ij, -T], [-T, c_ji]], made negative definite
        c1, c2 = curv[:, iu, ju], curv[:, ju, iu]
        g1, g2 = grad[:, iu, ju], grad[:, ju, iu]
        c1m = np.minimum(c1, -1e-6 * t)
        c2m = np.minimum(c2, -1e-6 * t)
        # the coupling -T shrunk where the block would not be negative definite (near-Gaussian pairs)
        cpl = np.minimum(float(t), 0.99 * np.sqrt(c1m * c2m))
        det = c1m * c2m - cpl * cpl
        step[:, iu, ju] = -(c2m * g1 + cpl * g2) / det
        step[:, ju, iu] = -(cpl * g1 + c1m * g2) / det
        # diagonal D_ii with eta_i: [[c_ii - T, h_cross], [h_cross, h_eta]]
        h11 = curv[:, diag, diag] - t
        h22 = h_eta.copy()
        hc = h_cross.copy()
        gd = grad[:, diag, diag]
        capped = (nua >= _DF_CAP * (1 - 1e-9)) & (g_eta > 0) | (not fit_df)
        g_eta = np.where(capped, 0.0, g_eta)
        hc = np.where(capped, 0.0, hc)
        h22 = np.where(capped, -1.0, h22)
        h11 = np.minimum(h11, -1e-6 * t)
        h22 = np.minimum(h22, -1e-6)
        det2 = np.maximum(h11 * h22 - hc * hc, 1e-12 * t)
        step[:, diag, diag] = -(h22 * gd - hc * g_eta) / det2
        s_eta = -(h11 * g_eta - hc * gd) / det2
        decrement = 0.5 * (np.einsum("rij,rij->r", grad, step) + (g_eta * s_eta).sum(axis=1))
        conv = decrement < tol
        done[act[conv]] = True
        mov = act[~conv]
        # W step in absolute terms: (I + D) W - W = D W
        dw = np.einsum("rij,rjk->rik", step[~conv], w[mov]).reshape(mov.size, k * k)
        stalled = _line_search(w, nu, f, u, mov, np.concatenate([dw, s_eta[~conv]], axis=1))
        done[mov[stalled]] = True
        bad[mov[stalled]] = decrement[~conv][stalled] > 1e-4
    return w, nu, f, done & ~bad & np.isfinite(f)


@dataclass(frozen=True, eq=False)
class NonGaussian(Identification):
    """Identification by independent Student-t shocks, maximum likelihood (svars ``id.ngml``).

    Parameters
    ----------
    max_iter : int
        Newton iterations of the ML search (each replication of the bootstrap too).
    tol : float
        Stop when the Newton decrement (the predicted log-likelihood gain) is below.
    alpha : float
        Level of the Wald test of normality (:math:`1/\\nu_j = 0`) of each shock.
    gaussian_df : float
        A shock whose estimated degrees of freedom exceed this looks Gaussian.

    Notes
    -----
    The VAR keeps its OLS coefficients (svars' default ``stage3 = FALSE``).
    ``identification_details`` holds ``df`` and ``df_se`` (shock -> value),
    ``impact_se``, ``llf``, ``standardized_impact`` (columns divided by their own
    variable's impact, svars' ``B_stand``) with ``standardized_impact_se``,
    ``normality_test`` (per shock: statistic :math:`\\hat\\nu/\\operatorname{se}`, p-value)
    and ``gaussian_shocks``. More than one Gaussian-looking shock (see the module
    docstring for the rule) raises a :class:`WeakIdentificationWarning`.

    In the bootstrap each replication re-estimates :math:`B` from its own residuals
    with the degrees of freedom fixed at the point estimate (the full search is ~30x
    slower and wanders to :math:`\\nu \\to 2` on resamples), warm-started at the point,
    all replications at once by a relative quasi-Newton search (2x2 blocks of the
    Hessian under independence) for up to ``4 * max_iter`` iterations; a replication
    that does not converge counts as not identified.

    References
    ----------
    Lanne, Meitz & Saikkonen (2017); Lange et al. (2021), svars ``id.ngml``. See the
    module docstring.

    Examples
    --------
    >>> res = cm.SVAR(df, identification=cm.NonGaussian()).fit()  # doctest: +SKIP
    >>> res.identification_details["df"]  # doctest: +SKIP
    """

    max_iter: int = DATA_DRIVEN.max_iter
    tol: float = DATA_DRIVEN.tol
    alpha: float = DATA_DRIVEN.alpha
    gaussian_df: float = DATA_DRIVEN.gaussian_df

    #: The scheme's name: ``identification = "non_gaussian"``.
    name: ClassVar[IdentificationName] = "non_gaussian"
    needs_resid: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not (isinstance(self.max_iter, int) and not isinstance(self.max_iter, bool) and self.max_iter >= 1):
            raise ArgumentError(f"NonGaussian(max_iter={self.max_iter!r}) must be a positive integer")
        if not self.tol > 0:
            raise ArgumentError(f"NonGaussian(tol={self.tol!r}) must be positive")
        if not 0 < self.alpha < 1:
            raise ArgumentError(f"NonGaussian(alpha={self.alpha!r}) must lie in (0, 1)")
        if not self.gaussian_df > 2:
            raise ArgumentError(f"NonGaussian(gaussian_df={self.gaussian_df!r}) must exceed 2")

    def describe(self) -> dict[str, Any]:
        """JSON-ready description: the scheme and its options."""
        return {"scheme": self.name, "max_iter": self.max_iter, "tol": self.tol, "alpha": self.alpha,
                "gaussian_df": self.gaussian_df}

    def identify(self, rf: ReducedForm, rng: np.random.Generator) -> Identified:
        """ML of :math:`B` and the degrees of freedom, standard errors, labelled shocks.

        Parameters
        ----------
        rf : ReducedForm
        rng : numpy.random.Generator
            Unused.

        Returns
        -------
        Identified
            The labelled impact matrix and the details listed in the class notes.

        Raises
        ------
        IdentificationError
            When the search does not converge in ``max_iter`` iterations.

        Warns
        -----
        WeakIdentificationWarning
            When more than one shock looks Gaussian.
        """
        u = np.asarray(rf.resid, dtype=np.float64)
        t, k = u.shape
        sigma = u.T @ u / (t - 1 - k * rf.lags)  # svars' start: Cholesky of the df-corrected covariance
        w0 = np.linalg.inv(np.linalg.cholesky(sigma))
        w, nu, f, ok = _newton(w0[None], np.full((1, k), 5.0), u[None], self.max_iter, self.tol)
        if not ok[0]:
            raise IdentificationError(f"non-Gaussian ML did not converge in {self.max_iter} Newton iterations; "
                                      "raise max_iter")
        b = np.linalg.inv(w[0])
        _, h = _grad_hess(w, nu, u[None])
        cov_w = np.linalg.inv(-h[0])
        kk = k * k
        jac = np.zeros((kk + k, kk + k))  # d (vec B row-major, nu) / d (vec W row-major, nu): dB = -B dW B
        jac[:kk, :kk] = -np.einsum("aj,kb->abjk", b, b).reshape(kk, kk)
        jac[kk:, kk:] = np.eye(k)
        cov = jac @ cov_w @ jac.T
        impact, order, signs = label_shocks(b, np.sqrt(np.diag(np.asarray(rf.sigma_u))))
        perm = np.concatenate([(np.arange(kk).reshape(k, k)[:, order]).ravel(), kk + order])
        cov = cov[np.ix_(perm, perm)]
        se = np.sqrt(np.abs(np.diag(cov)))
        df, df_se = nu[0][order], se[kk:]
        stand, stand_se = self._standardized(impact, cov[:kk, :kk])
        shock = list(rf.names)
        zstat = df / df_se
        pvals = stats.norm.sf(zstat)
        gaussian = [shock[j] for j in range(k) if df[j] > self.gaussian_df or pvals[j] > self.alpha]
        details: dict[str, Any] = {
            "scheme": self.name,
            "df": dict(zip(shock, df.tolist(), strict=True)),
            "df_se": dict(zip(shock, df_se.tolist(), strict=True)),
            "impact_se": se[:kk].reshape(k, k).tolist(),
            "standardized_impact": stand.tolist(),
            "standardized_impact_se": stand_se.tolist(),
            "llf": float(f[0]),
            "normality_test": [{"shock": shock[j], "statistic": float(zstat[j]), "pvalue": float(pvals[j])}
                               for j in range(k)],
            "gaussian_shocks": gaussian,
            "labelling": {"order": order.tolist(), "signs": signs.tolist()},
        }
        if len(gaussian) > 1:
            warnings.warn(f"shocks {', '.join(gaussian)} look Gaussian (df > {self.gaussian_df:g} or normality not "
                          f"rejected at {self.alpha:g}); they are not identified apart",
                          WeakIdentificationWarning, stacklevel=3)
        return Identified(impact=impact, details=details)

    @staticmethod
    def _standardized(impact: np.ndarray, cov_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """svars' ``B_stand`` (column j over its entry j) and its delta-method standard errors."""
        k = impact.shape[0]
        stand = impact / np.diag(impact)[None, :]
        se = np.zeros((k, k))
        for i in range(k):
            for j in range(k):
                if i == j:
                    continue
                grad = np.zeros(k * k)
                grad[i * k + j] = 1.0 / impact[j, j]
                grad[j * k + j] = -impact[i, j] / impact[j, j] ** 2
                se[i, j] = float(np.sqrt(grad @ cov_b @ grad))
        return stand, se

    def check_bootstrap(self, method: str) -> None:
        """Warn that the bands under-cover the own impact responses (:class:`NonGaussianBandsWarning`)."""
        warnings.warn(BANDS_NOTE, NonGaussianBandsWarning, stacklevel=4)

    def identify_batch(
        self,
        coefs: np.ndarray,
        sigma: np.ndarray,
        point: Identified,
        rng: np.random.Generator,
        *,
        resid: np.ndarray | None = None,
        aux: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Re-estimate each replication from its residuals, warm-started at the point, all at once.

        ``coefs`` and ``aux`` are unused; ``sigma`` supplies the labelling scale. A
        replication whose search does not converge is marked not identified.
        Parameters and returns as in :meth:`Identification.identify_batch`.
        """
        if resid is None:
            raise IdentificationError("NonGaussian.identify_batch needs each replication's residuals")
        u = np.asarray(resid, dtype=np.float64)
        reps, _, k = u.shape
        w0 = np.broadcast_to(np.linalg.inv(np.asarray(point.impact)), (reps, k, k))
        nu0 = np.broadcast_to(np.array(list(point.details["df"].values()), dtype=np.float64), (reps, k))
        with np.errstate(all="ignore"):
            w, _nu, _f, ok = _relative_newton(np.array(w0), np.array(nu0), u, 4 * self.max_iter, self.tol)
        out = np.full((reps, k, k), np.nan)
        good = ok & (np.abs(np.linalg.det(w)) > 0)
        out[good] = np.linalg.inv(w[good])
        scale = np.sqrt(np.einsum("rii->ri", np.asarray(sigma)))
        return label_shocks_batch(out, scale), good
