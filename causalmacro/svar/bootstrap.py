"""Batched residual and wild bootstrap of a structural VAR.

All replications are simulated together, one loop over time with a stacked
matrix product, and re-estimated together by :func:`~causalmacro.svar.reduced_form.batched_ols`;
there is no Python loop over replications (except inside A/B re-identification,
see :class:`~causalmacro.svar.short_run.ShortRun`).

* ``"residual"``: i.i.d. resampling of centred residuals, initial values fixed at
  the observed first ``p`` rows (Runkle 1987; Kilian & Lütkepohl 2017, sec. 12.2).
* ``"wild"``: residuals multiplied by Rademacher draws shared across equations,
  robust to conditional heteroskedasticity (Gonçalves & Kilian 2004). It re-draws
  the slope coefficients but leaves the residual covariance nearly fixed (every
  ``eta_t**2 == 1``), so impact-response bands are too narrow when errors are
  in fact homoskedastic (Brüggemann, Jentsch & Trenkler 2016).
* ``bias_correct=True``: Kilian's (1998) bootstrap-after-bootstrap; a first round
  estimates the small-sample bias of the slope coefficients, the data are then
  simulated from the bias-corrected estimate and every replication is bias-corrected,
  shrinking the correction where it would make the system explosive.

Deterministic terms and exogenous regressors are held fixed: every simulated
sample reuses the observed trend and exogenous path, and is re-estimated on it.

Replications whose estimated system is explosive (largest companion root >= 1)
are dropped and counted, as are replications the identification cannot handle.

References
----------
Kilian, L. (1998). Small-sample confidence intervals for impulse response functions.
*Review of Economics and Statistics* 80(2), 218-230.
Gonçalves, S. & Kilian, L. (2004). Bootstrapping autoregressions with conditional
heteroskedasticity of unknown form. *Journal of Econometrics* 123(1), 89-120.
Brüggemann, R., Jentsch, C. & Trenkler, C. (2016). Inference in VARs with conditional
heteroskedasticity of unknown form. *Journal of Econometrics* 191(1), 69-85.
Runkle, D. E. (1987). Vector autoregressions and reality. *JBES* 5(4), 437-442.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from causalmacro.labelled import frozen_array
from causalmacro.svar.dynamics import companion_roots, is_stable
from causalmacro.svar.identification import Identification, Identified
from causalmacro.svar.reduced_form import ReducedForm, batched_ols, split_params

__all__ = ["BootstrapDraws", "BootstrapMethod", "run_bootstrap", "simulate_var"]

BootstrapMethod = Literal["residual", "wild"]


@dataclass(frozen=True, eq=False)
class BootstrapDraws:
    """Kept bootstrap replications of the structural VAR.

    Attributes
    ----------
    method : {"residual", "wild"}
    reps : int
        Replications requested.
    params : ndarray, shape (n, k_det + K p, K)
        Re-estimated coefficients of the ``n`` kept replications (bias-corrected
        slopes when ``bias_corrected``).
    coefs : ndarray, shape (n, p, K, K)
    sigma_u : ndarray, shape (n, K, K)
    impact : ndarray, shape (n, K, K)
    n_explosive : int
        Replications dropped because their estimate is explosive.
    n_unidentified : int
        Replications dropped because the identification failed.
    bias_corrected : bool
    seed : int or None
        Seed of the random stream (None when a Generator was passed in).
    """

    method: BootstrapMethod
    reps: int
    params: np.ndarray
    coefs: np.ndarray
    sigma_u: np.ndarray
    impact: np.ndarray
    n_explosive: int
    n_unidentified: int
    bias_corrected: bool
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("params", "coefs", "sigma_u", "impact"):
            object.__setattr__(self, name, frozen_array(getattr(self, name)))

    def __repr__(self) -> str:
        return (
            f"BootstrapDraws(method={self.method!r}, reps={self.reps}, kept={self.n_kept}, "
            f"explosive={self.n_explosive}, unidentified={self.n_unidentified}, seed={self.seed})"
        )

    @property
    def n_kept(self) -> int:
        """Replications kept."""
        return int(self.impact.shape[0])

    def attrs(self) -> dict[str, int | str]:
        """Facts for the ``attrs`` of labelled outputs.

        Returns
        -------
        dict
            ``seed`` (when known), ``bootstrap`` (the method), ``reps``,
            ``reps_kept``, ``n_explosive``, ``n_unidentified`` and
            ``bias_corrected`` (0 or 1).
        """
        seed = {} if self.seed is None else {"seed": self.seed}
        return {
            **seed,
            "bootstrap": self.method,
            "reps": self.reps,
            "reps_kept": self.n_kept,
            "n_explosive": self.n_explosive,
            "n_unidentified": self.n_unidentified,
            "bias_corrected": int(self.bias_corrected),
        }


def simulate_var(
    init: np.ndarray, det_mean: np.ndarray, coefs: np.ndarray, shocks: np.ndarray
) -> np.ndarray:
    """Simulate many VAR paths at once.

    Parameters
    ----------
    init : ndarray, shape (p, K)
        Initial values, shared by all paths.
    det_mean : ndarray, shape (T, K)
        Deterministic part of each equation at each effective observation, trend
        and exogenous terms (``Deterministic.regressors(p) @ coefficients``).
    coefs : ndarray, shape (p, K, K)
        Lag matrices shared by all paths.
    shocks : ndarray, shape (R, T, K)

    Returns
    -------
    ndarray, shape (R, p + T, K)
    """
    reps, nobs, k = shocks.shape
    p = init.shape[0]
    y = np.empty((p + nobs, reps, k))  # time-major: each step writes one contiguous block
    y[:p] = init[:, None, :]
    y[p:] = np.swapaxes(shocks, 0, 1)
    y[p:] += det_mean[:, None, :]
    coefs_t = np.ascontiguousarray(np.swapaxes(coefs, -1, -2))
    for t in range(p, p + nobs):
        row = y[t]
        for j in range(p):
            row += y[t - 1 - j] @ coefs_t[j]
    return np.swapaxes(y, 0, 1)


def _draw_shocks(
    resid: np.ndarray, reps: int, method: BootstrapMethod, rng: np.random.Generator
) -> np.ndarray:
    nobs = resid.shape[0]
    if method == "residual":
        centred = resid - resid.mean(axis=0)
        return centred[rng.integers(0, nobs, size=(reps, nobs))]
    eta = rng.choice(np.array([-1.0, 1.0]), size=(reps, nobs, 1))
    return resid[None] * eta


def _max_root(coefs: np.ndarray) -> np.ndarray:
    return companion_roots(coefs)[..., 0]


def _shrink_to_stationary(coefs: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Kilian (1998) correction ``A - delta * bias`` with delta lowered by 0.01 until stable."""
    out = coefs - bias
    bad = np.flatnonzero(_max_root(out) >= 1.0)
    for delta in np.arange(0.99, -0.005, -0.01):
        if bad.size == 0:
            break
        trial = coefs[bad] - delta * bias
        fixed = _max_root(trial) < 1.0
        out[bad[fixed]] = trial[fixed]
        bad = bad[~fixed]
    if bad.size:
        out[bad] = coefs[bad]
    return out


def _resample(
    rf: ReducedForm, coefs: np.ndarray, det_coefs: np.ndarray, reps: int,
    method: BootstrapMethod, rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    det = rf.deterministic
    det_mean = det.regressors(rf.lags) @ det_coefs
    shocks = _draw_shocks(np.asarray(rf.resid), reps, method, rng)
    y = simulate_var(np.asarray(rf.data[: rf.lags]), det_mean, coefs, shocks)
    params, sigma = batched_ols(y, rf.lags, det)
    return params, sigma


def run_bootstrap(
    rf: ReducedForm,
    identification: Identification,
    point: Identified,
    *,
    reps: int,
    method: BootstrapMethod,
    rng: np.random.Generator,
    bias_correct: bool = False,
    seed: int | None = None,
) -> BootstrapDraws:
    """Simulate, re-estimate and re-identify ``reps`` replications.

    Parameters
    ----------
    rf : ReducedForm
    identification : Identification
        Re-applied to every replication.
    point : Identified
        Point identification (warm start for A/B).
    reps : int
    method : {"residual", "wild"}
    rng : numpy.random.Generator
    bias_correct : bool
        Kilian (1998) bootstrap-after-bootstrap.
    seed : int, optional
        Recorded in the draws (the seed ``rng`` was made from).

    Returns
    -------
    BootstrapDraws
    """
    k, p, kt = len(rf.names), rf.lags, rf.k_det
    coefs_hat = np.asarray(rf.coefs)
    det_hat = np.asarray(rf.params[:kt])
    dgp = coefs_hat
    bias = np.zeros_like(coefs_hat)
    if bias_correct and rf.is_stable:
        params1, _ = _resample(rf, coefs_hat, det_hat, reps, method, rng)
        _, coefs1 = split_params(params1, kt, k)
        bias = coefs1.mean(axis=0) - coefs_hat
        dgp = _shrink_to_stationary(coefs_hat[None], bias)[0]
    params, sigma = _resample(rf, dgp, det_hat, reps, method, rng)
    det_b, coefs_b = split_params(params, kt, k)
    if bias_correct and rf.is_stable:
        coefs_b = _shrink_to_stationary(coefs_b, bias)
        lag_rows = np.swapaxes(coefs_b, -1, -2).reshape(reps, k * p, k)
        params = np.concatenate([det_b, lag_rows], axis=1)
    stable = is_stable(coefs_b)
    impact, ok = identification.identify_batch(coefs_b[stable], sigma[stable], point, rng)
    keep = np.flatnonzero(stable)[ok]
    return BootstrapDraws(
        method=method,
        reps=reps,
        params=params[keep],
        coefs=coefs_b[keep],
        sigma_u=sigma[keep],
        impact=impact[ok],
        n_explosive=int((~stable).sum()),
        n_unidentified=int((~ok).sum()),
        bias_corrected=bool(bias_correct and rf.is_stable),
        seed=seed,
    )
