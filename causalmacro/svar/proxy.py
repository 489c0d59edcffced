"""Proxy SVAR: one shock identified by an external instrument.

An instrument :math:`z_t` (a high-frequency policy surprise, a narrative series)
that is correlated with the target shock :math:`\\varepsilon_{1t}` (relevance,
:math:`E[z_t \\varepsilon_{1t}] = \\phi \\neq 0`) and with no other shock
(exogeneity, :math:`E[z_t \\varepsilon_{jt}] = 0`) identifies the target column
:math:`b` of the impact matrix up to scale:
:math:`\\Gamma = E[u_t z_t] = \\phi\\, b` (Stock & Watson 2012, 2018; Mertens &
Ravn 2013). The scale follows from :math:`B B' = \\Sigma_u`, which gives
:math:`b' \\Sigma_u^{-1} b = 1`, so the one-standard-deviation shock has

.. math:: b = \\Gamma / \\sqrt{\\Gamma' \\Sigma_u^{-1} \\Gamma},

signed so that the shock raises its own variable. Stock & Watson (2018) and
Montiel Olea, Stock & Watson (2021) report instead the *unit effect*
normalisation :math:`\\Gamma / \\Gamma_1` (the shock raises its variable by one
unit); the ratios :math:`b_i / b_1` are that, and the Anderson-Rubin sets are
sets for them (and for the later responses per unit impact response). Other columns of the impact matrix are not identified: they are
filled so that :math:`B B' = \\Sigma_u` (placeholders, flagged in the details).

The instrument may cover part of the sample (dates absent or NaN): :math:`\\Gamma`
and the first stage use the overlapping observations, :math:`\\Sigma_u` the whole
sample. Bands: the moving-block bootstrap resamples the instrument with the same
blocks as the residuals (Jentsch & Lunsford 2019, 2022); the wild bootstrap of
Mertens & Ravn (2013) is not valid for proxy SVARs and is refused.

References
----------
Stock, J. H. & Watson, M. W. (2012). Disentangling the channels of the 2007-09
recession. *Brookings Papers on Economic Activity*, Spring, 81-135.
Mertens, K. & Ravn, M. O. (2013). The dynamic effects of personal and corporate
income tax changes in the United States. *American Economic Review* 103(4), 1212-1247.
Montiel Olea, J. L. & Pflueger, C. (2013). A robust test for weak instruments.
*Journal of Business & Economic Statistics* 31(3), 358-369.
Stock, J. H. & Watson, M. W. (2018). Identification and estimation of dynamic
causal effects in macroeconomics using external instruments. *Economic Journal*
128(610), 917-948.
Andrews, I., Stock, J. H. & Sun, L. (2019). Weak instruments in instrumental
variables regression: theory and practice. *Annual Review of Economics* 11, 727-753.
Jentsch, C. & Lunsford, K. G. (2019). The dynamic effects of personal and corporate
income tax changes in the United States: comment. *American Economic Review* 109(7), 2655-2678.
Jentsch, C. & Lunsford, K. G. (2022). Asymptotically valid bootstrap inference for
proxy SVARs. *Journal of Business & Economic Statistics* 40(4), 1876-1891.
Montiel Olea, J. L., Stock, J. H. & Watson, M. W. (2021). Inference in structural
vector autoregressions identified with an external instrument. *Journal of
Econometrics* 225(1), 74-87.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from causalmacro.errors import ArgumentError
from causalmacro.svar.identification import (
    Identification,
    IdentificationError,
    IdentificationName,
    Identified,
)
from causalmacro.svar.reduced_form import ReducedForm, lag_matrix

__all__ = [
    "MOP_CRITICAL_VALUE",
    "WEAK_F_THRESHOLD",
    "FirstStage",
    "Proxy",
    "WeakInstrumentWarning",
    "anderson_rubin",
    "first_stage",
]

#: Rule-of-thumb threshold of the effective F below which the instrument is called weak
#: (Staiger & Stock 1997; Stock & Yogo 2005): :class:`WeakInstrumentWarning` below it.
WEAK_F_THRESHOLD = 10.0
#: Montiel Olea-Pflueger 5% critical value of the effective F for one instrument and a
#: worst-case bias of 10% of the OLS benchmark (Andrews, Stock & Sun 2019, sec. 5.2).
MOP_CRITICAL_VALUE = 23.1
#: Fewest overlapping observations of instrument and residuals.
MIN_OVERLAP = 10


class WeakInstrumentWarning(UserWarning):
    """The instrument's effective F is below :data:`WEAK_F_THRESHOLD` (10)."""


def newey_west_lags(nobs: int) -> int:
    """Newey-West (1994) bandwidth rule :math:`\\lfloor 4 (T/100)^{2/9} \\rfloor` (statsmodels' and Stata's)."""
    return math.floor(4.0 * (nobs / 100.0) ** (2.0 / 9.0))


def _bartlett(scores: np.ndarray, lags: int) -> np.ndarray:
    """``sum_l w_l (S_l + S_l')``, Bartlett weights ``1 - l/(lags+1)``; rows in time order."""
    out = scores.T @ scores
    for lag in range(1, lags + 1):
        gamma = scores[lag:].T @ scores[:-lag]
        out = out + (1.0 - lag / (lags + 1.0)) * (gamma + gamma.T)
    return out


def _gamma(u: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Covariance of residuals and instrument over the overlap, batched.

    ``u`` (..., T, K), ``z`` (..., T) with NaN outside its coverage. Returns
    ``Gamma`` (..., K) (both demeaned over the overlap, divided by its length) and
    the overlap lengths (...).
    """
    seen = ~np.isnan(z)
    n = seen.sum(axis=-1)
    safe = np.maximum(n, 1)
    zf = np.where(seen, z, 0.0)
    zc = np.where(seen, z - (zf.sum(axis=-1) / safe)[..., None], 0.0)
    uc = u - ((u * seen[..., None]).sum(axis=-2) / safe[..., None])[..., None, :]
    gamma = np.einsum("...t,...tk->...k", zc, uc) / safe[..., None]
    return gamma, n


def _impact_from_gamma(gamma: np.ndarray, sigma: np.ndarray, col: int) -> tuple[np.ndarray, np.ndarray]:
    """Impact matrices whose column ``col`` is the proxy column, batched.

    With :math:`\\Sigma = L L'` and :math:`q = L^{-1} b` (a unit vector), the
    Householder reflection :math:`H` with :math:`H e_{col} = q` gives
    :math:`B = L H`: :math:`B B' = \\Sigma` and :math:`B e_{col} = b`; the other
    columns are one valid completion (placeholders).
    """
    k = sigma.shape[-1]
    ok = np.all(np.isfinite(gamma), axis=-1) & np.all(np.isfinite(sigma), axis=(-2, -1))
    sig = np.where(ok[..., None, None], sigma, np.eye(k))
    try:
        chol = np.linalg.cholesky(sig)
    except np.linalg.LinAlgError:
        pd_ok = np.all(np.linalg.eigvalsh(sig) > 0, axis=-1)
        ok = ok & pd_ok
        chol = np.linalg.cholesky(np.where(pd_ok[..., None, None], sig, np.eye(k)))
    g = np.where(ok[..., None], gamma, 1.0)
    w = np.linalg.solve(chol, g[..., None])[..., 0]
    norm = np.sqrt((w * w).sum(axis=-1))
    sign = np.sign(g[..., col])
    ok = ok & (norm > 1e-300) & (sign != 0)
    q = w / np.where(ok, norm, 1.0)[..., None] * np.where(ok, sign, 1.0)[..., None]
    e = np.zeros(k)
    e[col] = 1.0
    v = e - q
    vv = (v * v).sum(axis=-1)
    flat = vv < 1e-14
    house = np.eye(k) - 2.0 * v[..., :, None] * v[..., None, :] / np.where(flat, 1.0, vv)[..., None, None]
    house = np.where(flat[..., None, None], np.eye(k), house)
    impact = chol @ house
    return np.where(ok[..., None, None], impact, np.nan), ok


def _aligned(instrument: pd.Series, index: pd.Index) -> np.ndarray:
    """The instrument on the sample's dates, NaN where it is absent."""
    inst = instrument
    if isinstance(index, pd.PeriodIndex) and isinstance(inst.index, pd.DatetimeIndex):
        inst = inst.set_axis(inst.index.to_period(index.freq))
    elif isinstance(index, pd.DatetimeIndex) and isinstance(inst.index, pd.PeriodIndex):
        inst = inst.set_axis(inst.index.to_timestamp())
    return inst.reindex(index).to_numpy(dtype=float)


@dataclass(frozen=True)
class FirstStage:
    """First-stage diagnostics of a proxy SVAR.

    The first stage is the least-squares regression, over the overlap of
    instrument and sample, of the normalising variable's reduced-form residual on
    a constant and the instrument, with a Newey-West (HAC, Bartlett) variance.

    Attributes
    ----------
    shock : str
        The normalising variable (the shock is named after it).
    coef, const, se : float
        Slope on the instrument, intercept, HAC standard error of the slope.
    effective_f : float
        Montiel Olea-Pflueger (2013) effective F; with one instrument it equals the
        HAC-robust Wald F of the slope, ``(coef / se) ** 2``.
    hac_lags : int
        Newey-West lags.
    nobs : int
        Overlapping observations of instrument and residuals.
    nobs_sample : int
        Observations of the VAR sample.
    corr_shock : float
        Correlation of the instrument with the identified structural shock over the
        overlap (the instrument's reliability, Mertens & Ravn 2013).
    weak : bool
        ``effective_f < WEAK_F_THRESHOLD`` (10, the rule of thumb).
    """

    shock: str
    coef: float
    const: float
    se: float
    effective_f: float
    hac_lags: int
    nobs: int
    nobs_sample: int
    corr_shock: float

    @property
    def weak(self) -> bool:
        """Whether the effective F is below the rule-of-thumb threshold 10."""
        return bool(self.effective_f < WEAK_F_THRESHOLD)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready copy, with the thresholds it is judged by."""
        return {
            "shock": self.shock, "coef": self.coef, "const": self.const, "se": self.se,
            "effective_f": self.effective_f, "hac_lags": self.hac_lags, "nobs": self.nobs,
            "nobs_sample": self.nobs_sample, "corr_shock": self.corr_shock, "weak": self.weak,
            "weak_threshold": WEAK_F_THRESHOLD, "mop_critical_value": MOP_CRITICAL_VALUE,
        }

    def __str__(self) -> str:
        verdict = "weak (below 10)" if self.weak else (
            "strong (above the Montiel Olea-Pflueger 5% critical value 23.1)" if self.effective_f > MOP_CRITICAL_VALUE
            else "between the rule of thumb 10 and the Montiel Olea-Pflueger critical value 23.1")
        return (f"first stage of {self.shock}: coef {self.coef:.4g} (HAC s.e. {self.se:.3g}, {self.hac_lags} lags), "
                f"effective F {self.effective_f:.2f}: {verdict}; {self.nobs} of {self.nobs_sample} observations "
                f"overlap; correlation with the identified shock {self.corr_shock:.3f}")


@dataclass(frozen=True, eq=False)
class Proxy(Identification):
    """Identification of one shock by an external instrument (proxy SVAR).

    Parameters
    ----------
    instrument : pandas.Series or one-column pandas.DataFrame
        The instrument, indexed by the sample's dates (a ``PeriodIndex`` and a
        ``DatetimeIndex`` are converted to each other). It may cover part of the
        sample: dates absent or NaN are left out of the first stage and of
        :math:`\\Gamma`, which use the overlap only (at least 10 observations).
    shock : str
        The variable (in ``order``) whose shock the instrument identifies; the
        identified shock is the column of that variable, a one-standard-deviation
        shock that raises it on impact.
    hac_lags : int, optional
        Newey-West lags of the first-stage and Anderson-Rubin variances; default
        :func:`newey_west_lags` of the overlap length.

    Notes
    -----
    Only the ``shock`` column of the impact matrix is identified:
    :math:`b = \\Gamma / \\sqrt{\\Gamma' \\Sigma_u^{-1} \\Gamma}` with
    :math:`\\Gamma` the covariance of residuals and instrument over the overlap,
    signed so that :math:`b_{shock} > 0`. The other columns complete
    :math:`B B' = \\Sigma_u` (one of many completions, listed under
    ``"placeholder_shocks"`` in the details): do not read their responses.
    :meth:`SVARResults.first_stage` gives the Montiel Olea-Pflueger effective F
    (:class:`WeakInstrumentWarning` below 10) and :meth:`SVARResults.anderson_rubin`
    the weak-instrument-robust sets of the responses relative to ``shock``'s impact
    response (on impact, or at any ``horizon``).
    Bootstrap bands must use ``method="block"`` or ``"residual"``: the instrument
    is resampled with the same draws as the residuals (Jentsch & Lunsford 2022,
    who prove the moving-block version valid); ``method="wild"`` raises.

    References
    ----------
    Mertens & Ravn (2013); Stock & Watson (2018); Jentsch & Lunsford (2022);
    Montiel Olea, Stock & Watson (2021): see :mod:`causalmacro.svar.proxy`.

    Examples
    --------
    >>> res = cm.SVAR(df, order=["rate", "spread", "btc"],
    ...               identification=cm.Proxy(instrument=surprises, shock="rate")).fit()  # doctest: +SKIP
    >>> res.first_stage.effective_f  # doctest: +SKIP
    >>> res.anderson_rubin(level=0.9)  # doctest: +SKIP
    """

    #: The scheme's name: ``identification = "proxy"`` in specs and results.
    name: ClassVar[IdentificationName] = "proxy"
    needs_resid: ClassVar[bool] = True

    instrument: pd.Series
    shock: str
    hac_lags: int | None = None

    def __post_init__(self) -> None:
        inst = self.instrument
        if isinstance(inst, pd.DataFrame):
            if inst.shape[1] != 1:
                raise ArgumentError(f"instrument must have one column, not {inst.shape[1]} ({list(inst.columns)})")
            inst = inst.iloc[:, 0]
        if not isinstance(inst, pd.Series):
            raise ArgumentError(f"instrument must be a pandas Series indexed by date, not {type(inst).__name__}")
        if not pd.api.types.is_numeric_dtype(inst.dtype):
            raise ArgumentError(f"instrument must be numeric, not dtype {inst.dtype}")
        if inst.index.has_duplicates:
            raise ArgumentError(f"instrument has duplicate dates, e.g. {inst.index[inst.index.duplicated()][0]}")
        if np.isinf(inst.to_numpy(dtype=float)).any():
            raise ArgumentError("instrument has infinite values")
        if not isinstance(self.shock, str):
            raise ArgumentError(f"shock must be a variable name (str), not {type(self.shock).__name__}")
        if self.hac_lags is not None and (isinstance(self.hac_lags, bool) or not isinstance(self.hac_lags, int)
                                          or self.hac_lags < 0):
            raise ArgumentError(f"hac_lags must be a non-negative integer or None, not {self.hac_lags!r}")
        object.__setattr__(self, "instrument", inst.astype(float))

    # ------------------------------------------------------------- the scheme
    def describe(self) -> dict[str, Any]:
        """JSON-ready description: the shock, the instrument's name, coverage and length."""
        seen = self.instrument.dropna()
        return {
            "scheme": self.name, "shock": self.shock,
            "instrument": None if self.instrument.name is None else str(self.instrument.name),
            "instrument_start": str(seen.index[0]) if len(seen) else None,
            "instrument_end": str(seen.index[-1]) if len(seen) else None,
            "instrument_nobs": len(seen), "hac_lags": self.hac_lags,
        }

    def column(self, names: tuple[str, ...]) -> int:
        """Position of :attr:`shock` in ``names``; :class:`ArgumentError` if absent."""
        if self.shock not in names:
            raise ArgumentError(f"shock {self.shock!r} is not one of the variables {list(names)}")
        return names.index(self.shock)

    def aux_series(self, rf: ReducedForm) -> np.ndarray:
        """The instrument on the rows of ``rf.resid`` (NaN outside its coverage), shape (nobs, 1)."""
        return _aligned(self.instrument, rf.index)[:, None]

    def check_bootstrap(self, method: str) -> None:
        """Refuse the wild bootstrap: it is not valid for proxy SVARs (Jentsch & Lunsford 2019, 2022)."""
        if method == "wild":
            raise ArgumentError(
                "bootstrap method 'wild' is not valid for a proxy SVAR (Jentsch & Lunsford 2019): "
                "use method='block' (moving blocks of residuals and instrument) or 'residual'"
            )

    def _overlap(self, rf: ReducedForm) -> tuple[np.ndarray, np.ndarray]:
        z = self.aux_series(rf)[:, 0]
        n = int((~np.isnan(z)).sum())
        if n < MIN_OVERLAP:
            seen = self.instrument.dropna()
            span = f"{seen.index[0]} to {seen.index[-1]}" if len(seen) else "no values"
            raise IdentificationError(
                f"instrument overlaps the sample ({rf.index[0]} to {rf.index[-1]}) in {n} observations, "
                f"fewer than {MIN_OVERLAP} (instrument: {span})"
            )
        return np.asarray(rf.resid), z

    def identify(self, rf: ReducedForm, rng: np.random.Generator) -> Identified:
        """Identify the instrument's column; warn when the instrument is weak.

        Parameters
        ----------
        rf : ReducedForm
        rng : numpy.random.Generator
            Unused.

        Returns
        -------
        Identified
            The impact matrix (column :attr:`shock` identified, others placeholders)
            and details: the first stage and the placeholder shocks.

        Warns
        -----
        WeakInstrumentWarning
            When the effective F is below 10.
        """
        col = self.column(rf.names)
        u, z = self._overlap(rf)
        gamma, _ = _gamma(u, z)
        impact, ok = _impact_from_gamma(gamma, np.asarray(rf.sigma_u), col)
        if not ok:
            raise IdentificationError(f"the instrument is uncorrelated with the residual of {self.shock!r}")
        fs = first_stage(rf, self, impact=impact)
        if fs.weak:
            warnings.warn(
                f"weak instrument: effective F {fs.effective_f:.2f} < {WEAK_F_THRESHOLD:g} (rule of thumb, Staiger & "
                f"Stock 1997; Montiel Olea-Pflueger 5% critical value {MOP_CRITICAL_VALUE}); bootstrap bands are "
                "unreliable, read res.anderson_rubin()", WeakInstrumentWarning, stacklevel=2,
            )
        details = {
            "scheme": self.name, "shock": self.shock, "identified_column": col,
            "placeholder_shocks": [n for n in rf.names if n != self.shock],
            "normalisation": "one standard deviation: b = Gamma / sqrt(Gamma' Sigma_u^-1 Gamma), b[shock] > 0",
            "first_stage": fs.to_dict(),
        }
        return Identified(impact=impact, details=details)

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
        """Proxy columns of all replications from their residuals and resampled instrument.

        A replication whose resampled instrument overlaps fewer than 10 residuals,
        or is uncorrelated with the shock variable's residual, is not identified.
        Parameters and returns as in :meth:`Identification.identify_batch`.
        """
        if resid is None or aux is None:
            raise IdentificationError("a proxy SVAR's bootstrap needs the replications' residuals and instrument")
        col = int(point.details["identified_column"])
        gamma, n = _gamma(resid, aux[..., 0])
        impact, ok = _impact_from_gamma(gamma, sigma, col)
        ok = ok & (n >= MIN_OVERLAP)
        return np.where(ok[:, None, None], impact, np.nan), ok


def first_stage(rf: ReducedForm, proxy: Proxy, *, impact: np.ndarray | None = None) -> FirstStage:
    """First-stage regression and Montiel Olea-Pflueger effective F.

    Least squares of the residual of ``proxy.shock`` on a constant and the
    instrument, over the overlap; Newey-West variance of the slope (Bartlett
    kernel, ``proxy.hac_lags`` lags, small-sample factor :math:`n/(n-2)` as
    statsmodels' ``cov_type="HAC"`` with ``use_correction=True``). With one
    instrument the effective F is the robust Wald F (Montiel Olea & Pflueger
    2013; Andrews, Stock & Sun 2019).

    Parameters
    ----------
    rf : ReducedForm
    proxy : Proxy
    impact : ndarray, shape (K, K), optional
        The identified impact matrix (for the correlation with the shock); computed if not given.

    Returns
    -------
    FirstStage
    """
    col = proxy.column(rf.names)
    u, z = proxy._overlap(rf)
    seen = ~np.isnan(z)
    n = int(seen.sum())
    lags = newey_west_lags(n) if proxy.hac_lags is None else proxy.hac_lags
    x = np.column_stack([np.ones(n), z[seen]])
    y = u[seen, col]
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    scores = x * (y - x @ beta)[:, None]
    cov = xtx_inv @ _bartlett(scores, lags) @ xtx_inv * n / (n - 2)
    se = float(np.sqrt(cov[1, 1]))
    if impact is None:
        gamma, _ = _gamma(u, z)
        impact, _ = _impact_from_gamma(gamma, np.asarray(rf.sigma_u), col)
    shock = u[seen] @ np.linalg.inv(impact).T[:, col]
    corr = float(np.corrcoef(shock, z[seen])[0, 1])
    return FirstStage(
        shock=proxy.shock, coef=float(beta[1]), const=float(beta[0]), se=se,
        effective_f=float((beta[1] / se) ** 2), hac_lags=int(lags), nobs=n, nobs_sample=rf.nobs, corr_shock=corr,
    )


def _ar_set(g_i: float, g_j: float, v_ii: float, v_ij: float, v_jj: float, q: float) -> tuple[str, float, float]:
    """Solve :math:`(\\Gamma_i - \\beta\\Gamma_j)^2 \\le q (V_{ii} - 2\\beta V_{ij} + \\beta^2 V_{jj})` in beta.

    Returns ``(kind, r1, r2)``: ``"bounded"`` [r1, r2]; ``"two rays"``
    (-inf, r1] U [r2, inf); ``"unbounded"`` the whole line (r1, r2 = -inf, inf).
    """
    a = g_j * g_j - q * v_jj
    b = -2.0 * (g_i * g_j - q * v_ij)
    c = g_i * g_i - q * v_ii
    disc = b * b - 4.0 * a * c
    if a > 0:
        root = math.sqrt(max(disc, 0.0))
        return "bounded", (-b - root) / (2 * a), (-b + root) / (2 * a)
    if a < 0 and disc > 0:
        root = math.sqrt(disc)
        lo, hi = sorted(((-b - root) / (2 * a), (-b + root) / (2 * a)))
        return "two rays", lo, hi
    return "unbounded", -math.inf, math.inf


def _ma_and_gradient(coefs: np.ndarray, gamma: np.ndarray, hmax: int) -> tuple[np.ndarray, np.ndarray]:
    """Responses :math:`\\theta_h = C_h(A)\\Gamma` and their derivatives in ``(vec A, Gamma)``, h = 0..hmax.

    ``coefs`` (p, K, K) holds :math:`A_1, \\dots, A_p`; ``A = [A_1, ..., A_p]``
    (K, K p) is vectorised row by row (equation by equation, statsmodels'
    ``cov_params`` order of the lag rows). The recursion
    :math:`\\theta_h = \\sum_{l \\le \\min(h, p)} A_l \\theta_{h-l}`,
    :math:`\\theta_0 = \\Gamma`, is differentiated term by term:
    :math:`\\partial\\theta_h = \\sum_l (\\partial A_l\\, \\theta_{h-l} + A_l\\, \\partial\\theta_{h-l})`.

    Returns
    -------
    theta : ndarray, shape (hmax + 1, K)
    grad : ndarray, shape (hmax + 1, K, K * K p + K)
        ``grad[h, i]`` is the derivative of :math:`\\theta_{h,i}` in ``vec A``
        (first K K p entries) and in :math:`\\Gamma` (last K: row ``i`` of :math:`C_h`).
    """
    p, k, _ = coefs.shape
    thetas = [np.asarray(gamma, dtype=float)]
    d_a = [np.zeros((k, k, k * p))]  # d theta_h[i] / d A[a, m]
    mas = [np.eye(k)]
    idx = np.arange(k)
    for h in range(1, hmax + 1):
        theta, da, ma = np.zeros(k), np.zeros((k, k, k * p)), np.zeros((k, k))
        for lag in range(1, min(h, p) + 1):
            a = coefs[lag - 1]
            theta += a @ thetas[h - lag]
            ma += a @ mas[h - lag]
            da += np.einsum("ir,ram->iam", a, d_a[h - lag])
            da[idx, idx, (lag - 1) * k: lag * k] += thetas[h - lag]
        thetas.append(theta)
        d_a.append(da)
        mas.append(ma)
    grad = np.concatenate([np.stack(d_a).reshape(hmax + 1, k, k * k * p), np.stack(mas)], axis=-1)
    return np.stack(thetas), grad


def _ar_inputs(rf: ReducedForm, proxy: Proxy, hmax: int) -> dict[str, Any]:
    """Everything the Anderson-Rubin sets are computed from (see :func:`anderson_rubin`).

    Returns a dict: ``col``, ``n`` (overlap), ``lags``, ``gamma`` (K,), ``theta``
    (hmax + 1, K), ``grad`` (hmax + 1, K, K K p + K) and ``w``, the joint
    covariance of :math:`(\\operatorname{vec}\\hat A, \\hat\\Gamma)` (K K p + K square):
    the OLS block :math:`\\hat\\Sigma_u \\otimes (X'X)^{-1}` (lag rows), the
    Newey-West block of :math:`\\hat\\Gamma` and their Newey-West cross block.
    """
    col = proxy.column(rf.names)
    u, z = proxy._overlap(rf)
    seen = ~np.isnan(z)
    n = int(seen.sum())
    k = len(rf.names)
    lags = newey_west_lags(n) if proxy.hac_lags is None else proxy.hac_lags
    zc = z[seen] - z[seen].mean()
    xi = zc[:, None] * (u[seen] - u[seen].mean(axis=0))
    gamma = xi.mean(axis=0)
    v_gamma = _bartlett(xi - gamma, lags) / n**2
    m = k * k * rf.lags
    w = np.zeros((m + k, m + k))
    w[m:, m:] = v_gamma
    if hmax > 0:
        x = lag_matrix(np.asarray(rf.data), rf.lags, rf.deterministic)
        xtx_inv = np.linalg.inv(x.T @ x)
        kd = x.shape[1] - k * rf.lags
        w[:m, :m] = np.kron(np.asarray(rf.sigma_u), xtx_inv[kd:, kd:])
        # A_hat - A = sum_t u_t w_t' exactly (w_t the lag rows of (X'X)^-1 X_t); Gamma_hat - Gamma = mean of xi - gamma
        psi_a = (u[:, :, None] * (x @ xtx_inv)[:, None, kd:]).reshape(len(u), m)
        psi_g = np.zeros((len(u), k))
        psi_g[seen] = xi - gamma
        cross = _bartlett(np.concatenate([psi_a, psi_g], axis=1), lags)[:m, m:] / n
        w[:m, m:] = cross
        w[m:, :m] = cross.T
    theta, grad = _ma_and_gradient(np.asarray(rf.coefs), gamma, hmax)
    return {"col": col, "n": n, "lags": int(lags), "gamma": gamma, "theta": theta, "grad": grad, "w": w}


def anderson_rubin(
    rf: ReducedForm, proxy: Proxy, level: float = 0.9, horizon: int | Sequence[int] = 0
) -> pd.DataFrame:
    """Weak-instrument-robust Anderson-Rubin sets for the responses per unit impact response of the shock's variable.

    The unit-effect response of variable ``i`` at horizon ``h`` is
    :math:`\\lambda = \\theta_{h,i} / \\Gamma_j` (``j`` the shock's variable),
    with :math:`\\theta_h = C_h(A)\\Gamma`, :math:`C_h` the moving-average
    coefficients of the VAR and :math:`\\Gamma = E[u_t z_t]`
    (:math:`\\theta_0 = \\Gamma`). The set collects every :math:`\\lambda` not
    rejected by the AR test of :math:`\\theta_{h,i} - \\lambda \\Gamma_j = 0`:

    .. math:: (\\hat\\theta_{h,i} - \\lambda\\hat\\Gamma_j)^2 \\le \\chi^2_{1,\\text{level}}
       (\\hat v_{ii} - 2\\lambda \\hat v_{ij} + \\lambda^2 \\hat v_{jj}),

    a quadratic inequality in :math:`\\lambda` (Montiel Olea, Stock & Watson 2021,
    sec. 3), with :math:`\\hat v` the delta-method variances of
    :math:`(\\hat\\theta_{h,i}, \\hat\\Gamma_j)` from the joint covariance
    :math:`\\hat W` of :math:`(\\operatorname{vec}\\hat A, \\hat\\Gamma)`:

    * :math:`\\hat\\Gamma`: the mean of :math:`(z_t - \\bar z)(u_t - \\bar u)` over
      the overlap, Newey-West (Bartlett) variance;
    * :math:`\\operatorname{vec}\\hat A` (lag coefficients): the OLS covariance
      :math:`\\hat\\Sigma_u \\otimes (X'X)^{-1}` (statsmodels' ``cov_params``);
    * their cross covariance: Newey-West over the joint scores
      :math:`(u_t \\otimes (X'X)^{-1}X_t,\\; (z_t - \\bar z)(u_t - \\bar u))`, as
      Montiel Olea, Stock & Watson estimate :math:`W` jointly (their
      ``CovAhat_Sigmahat_Gamma``); it vanishes when the instrument is
      unpredictable from past data and the errors are conditionally
      homoskedastic, and is not assumed zero here. The effect of estimating
      :math:`A` on :math:`\\hat\\Gamma` through the residuals is left out (zero to
      first order when the instrument is unpredictable from past data).

    At horizon 0 the :math:`A` terms drop out (:math:`C_0 = I`) and the sets are
    those of the impact responses. The set is a bounded interval when
    :math:`\\hat\\Gamma_j^2 / \\hat v_{jj}` (the first-stage Wald statistic)
    exceeds the critical value, at every horizon alike; otherwise two rays or the
    whole line: the instrument is then too weak to bound the response. Coverage
    holds however weak the instrument.

    Parameters
    ----------
    rf : ReducedForm
    proxy : Proxy
    level : float, default 0.9
    horizon : int or sequence of int, default 0
        An int: the sets at that horizon, one row per response (at horizon 0 the
        shock's own variable, 1 by construction, is left out). A sequence: the
        sets at each, indexed by ``(horizon, response)``.

    Returns
    -------
    pandas.DataFrame
        ``estimate`` (the ratio), ``kind`` (``"bounded"``, ``"two rays"``,
        ``"unbounded"``), ``lower`` and ``upper`` (the interval for
        ``"bounded"``; for ``"two rays"`` the set is
        ``(-inf, lower] U [upper, inf)``; ``-inf``/``inf`` for ``"unbounded"``),
        ``set`` (the set in words). ``attrs``: level, shock, nobs, hac_lags,
        normalisation, horizon (as given).
    """
    if not 0 < level < 1:
        raise ArgumentError(f"level must lie strictly between 0 and 1, not {level!r}")
    single = not isinstance(horizon, (list, tuple, np.ndarray, range))
    given: list[Any] = [horizon] if single else list(horizon)  # type: ignore[arg-type]
    if not given or any(isinstance(h, (bool, np.bool_)) or not isinstance(h, (int, np.integer)) or h < 0
                        for h in given):
        raise ArgumentError(f"horizon must be a non-negative integer or a non-empty list of them, not {horizon!r}")
    hs = [int(h) for h in given]
    inp = _ar_inputs(rf, proxy, max(hs))
    col, gamma, theta, grad, w = inp["col"], inp["gamma"], inp["theta"], inp["grad"], inp["w"]
    m = grad.shape[-1] - len(gamma)
    e_j = np.zeros(grad.shape[-1])
    e_j[m + col] = 1.0
    q = float(stats.chi2.ppf(level, 1))
    rows = []
    for h in hs:
        for i, name in enumerate(rf.names):
            if h == 0 and i == col:
                continue
            if h == 0:
                v_ii, v_ij = w[m + i, m + i], w[m + i, m + col]
            else:
                v_ii, v_ij = grad[h, i] @ w @ grad[h, i], grad[h, i] @ w @ e_j
            kind, lo, hi = _ar_set(theta[h, i], gamma[col], v_ii, v_ij, w[m + col, m + col], q)
            if kind == "bounded":
                text = f"[{lo:.4g}, {hi:.4g}]"
            elif kind == "two rays":
                text = (f"(-inf, {lo:.4g}] U [{hi:.4g}, inf): unbounded: the instrument is too weak to bound "
                        "this response")
            else:
                text = "(-inf, inf): unbounded: the instrument is too weak to bound this response"
            rows.append({"horizon": h, "response": name, "estimate": theta[h, i] / gamma[col], "kind": kind,
                         "lower": lo, "upper": hi, "set": text})
    out = pd.DataFrame(rows)
    out = out.drop(columns="horizon").set_index("response") if single else out.set_index(["horizon", "response"])
    where = "impact response" if single and hs[0] == 0 else (
        f"response at horizon {hs[0]}" if single else "response at each horizon")
    out.attrs.update(level=level, shock=proxy.shock, nobs=inp["n"], hac_lags=inp["lags"],
                     normalisation=f"{where} per unit impact response of {proxy.shock}")
    if not (single and hs[0] == 0):
        out.attrs["horizon"] = hs[0] if single else hs
    return out
