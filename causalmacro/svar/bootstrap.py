"""Batched block, residual and wild bootstrap of a structural VAR.

All replications are simulated together, one loop over time with a stacked
matrix product, and re-estimated together by :func:`~causalmacro.svar.reduced_form.batched_ols`;
there is no Python loop over replications (except inside A/B re-identification,
see :class:`~causalmacro.svar.short_run.ShortRun`).

* ``"residual"``: i.i.d. resampling of centred residuals, initial values fixed at
  the observed first ``p`` rows (Runkle 1987; Kilian & Lütkepohl 2017, sec. 12.2).
* ``"block"`` (the default): the residual-based moving-block bootstrap of
  Brüggemann, Jentsch & Trenkler (2016): blocks of ``l`` consecutive residual
  vectors drawn with replacement, centred by their position in the block. It
  keeps the dependence of the squared residuals (GARCH, a common volatility)
  that drives the sampling variance of the residual covariance, so it is valid
  for impact responses under conditional heteroskedasticity, which neither the
  i.i.d. nor the wild bootstrap is. Block length :func:`block_length_rule`.
* ``"wild"``: residuals multiplied by Rademacher draws shared across equations
  (Gonçalves & Kilian 2004). It re-draws the slope coefficients but leaves the
  residual covariance nearly fixed (every ``eta_t**2 == 1``), so its bands on
  impact responses (and variance shares) are far too narrow, homoskedastic or
  not (Brüggemann, Jentsch & Trenkler 2016): in the liquidity-chain Monte Carlo
  its 90% bands covered the true impact responses about 30% of the time.
  Valid for responses after impact only.
* **Strata.** A scheme whose :meth:`~causalmacro.svar.identification.Identification.strata`
  returns a label per residual row (changes in volatility with ``stratify=True``: its regimes)
  gets block and residual draws confined to each row's own stratum: the blocks of
  a regime's periods are drawn only from blocks lying inside one span of that
  regime (never across a boundary) and centred over them; a regime with a span
  shorter than a block is drawn i.i.d. within the regime, as the residual method
  always is. Every replication then keeps the regimes' variances, which identify
  the shocks; an unrestricted draw mixes stress residuals into calm months and
  makes the replications' regimes nearly alike. The wild bootstrap keeps every
  residual at its date and ignores strata. Without strata the draws are unchanged.
* Every method resamples residuals rescaled by ``sqrt(T / (T - k))``
  (:func:`dof_scale`): OLS residuals are smaller than the errors.
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

import warnings
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

import numpy as np

from causalmacro.labelled import frozen_array
from causalmacro.svar.dynamics import companion_roots, is_stable
from causalmacro.svar.identification import Identification, Identified
from causalmacro.svar.reduced_form import ReducedForm, batched_ols, lag_matrix, split_params

__all__ = ["BootstrapDraws", "BootstrapMethod", "block_shocks", "run_bootstrap", "simulate_var"]

BootstrapMethod = Literal["block", "residual", "wild", "posterior"]
"""How draws were made: a bootstrap method, or ``"posterior"`` (a Bayesian VAR's exact posterior draws,
:meth:`causalmacro.BVARResults.structural`)."""


@dataclass(frozen=True, eq=False)
class BootstrapDraws:
    """Kept bootstrap replications of the structural VAR.

    Attributes
    ----------
    method : {"block", "residual", "wild", "posterior"}
        ``"posterior"``: not a bootstrap but the exact posterior draws of a Bayesian
        VAR, identified draw by draw (:mod:`causalmacro.bvar.results`); their bands
        are posterior credible intervals.
    reps : int
        Replications requested.
    params : ndarray, shape (n, k_det + K p, K)
        Re-estimated coefficients of the ``n`` kept replications (bias-corrected
        slopes when ``bias_corrected``).
    coefs : ndarray, shape (n, p, K, K)
        Lag coefficient matrices :math:`A_1, \\dots, A_p` of each kept replication.
    sigma_u : ndarray, shape (n, K, K)
        Residual covariance of each kept replication.
    impact : ndarray, shape (n, K, K)
        Impact matrix :math:`B_0^{-1}` of each kept replication, identified as the point estimate is.
    n_explosive : int
        Replications dropped because their estimate is explosive.
    n_unidentified : int
        Replications dropped because the identification failed.
    bias_corrected : bool
        Whether the replications are Kilian's (1998) bias-corrected bootstrap-after-bootstrap.
    seed : int or None
        Seed of the random stream (None when a Generator was passed in).
    block_length : int or None
        Block length of the moving-block bootstrap (None for the others).
    strata : str or None
        What the block or residual draws were confined to (``"regimes"`` for
        :class:`~causalmacro.svar.volatility.ChangesInVolatility` with ``stratify=True``); None when
        unstratified.
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
    block_length: int | None = None
    strata: str | None = None

    def __post_init__(self) -> None:
        for name in ("params", "coefs", "sigma_u", "impact"):
            object.__setattr__(self, name, frozen_array(getattr(self, name)))

    def __repr__(self) -> str:
        return (
            f"BootstrapDraws(method={self.method!r}, reps={self.reps}, kept={self.n_kept}, "
            f"explosive={self.n_explosive}, unidentified={self.n_unidentified}, seed={self.seed}"
            + (f", block_length={self.block_length}" if self.block_length is not None else "")
            + (f", strata={self.strata!r})" if self.strata is not None else ")")
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
            ``bias_corrected`` (0 or 1), and ``strata`` when the draws were stratified.
            Posterior draws (``method="posterior"``) say so instead of naming a
            bootstrap: ``posterior`` (``"posterior credible"``), ``reps`` (the draws),
            ``reps_kept``, ``n_explosive`` (0: none is dropped) and ``n_unidentified``.
        """
        seed = {} if self.seed is None else {"seed": self.seed}
        if self.method == "posterior":
            return {**seed, "posterior": "posterior credible", "reps": self.reps, "reps_kept": self.n_kept,
                    "n_explosive": self.n_explosive, "n_unidentified": self.n_unidentified}
        block = {} if self.block_length is None else {"block_length": self.block_length}
        strata = {} if self.strata is None else {"strata": self.strata}
        return {
            **seed,
            **block,
            **strata,
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


def block_length_rule(nobs: int) -> int:
    """Default block length of the moving-block bootstrap, ``round(1.5 * T**(1/4))``.

    5 for T = 130 monthly periods, 7 for T = 500 (never longer than a third of
    the sample). The rate ``T**(1/4)`` keeps the condition ``l**3 / T -> 0`` of
    Brüggemann, Jentsch & Trenkler (2016) while the block grows with the sample;
    the constant was chosen on the Monte Carlo of ``benchmarks/bench_band_coverage.py``
    (the liquidity chain at T = 130 under Gaussian, t(5), GARCH-t(5) and
    common-volatility errors), where longer blocks covered worse: the
    ``5.03 * T**(1/4)`` of Jentsch & Lunsford (2022), 17 months, covered the
    true impact responses 79-84% of the time against 82-87% for 5 months.

    Parameters
    ----------
    nobs : int
        Effective observations (residuals) of the VAR.

    Returns
    -------
    int
    """
    return int(max(1, min(round(1.5 * nobs**0.25), nobs // 3)))


def dof_scale(nobs: int, n_params: int) -> float:
    """``sqrt(T / (T - k))``: residuals rescaled to the variance of the errors.

    OLS residuals are smaller than the errors by the ``k`` regressors of each
    equation (``T - k`` degrees of freedom); resampling them unscaled makes every
    bootstrap sample less noisy than the data and the bands too narrow in small
    samples (Davison & Hinkley 1997, eq. 6.9; Kilian & Lütkepohl 2017, sec. 12.2).
    """
    return float(np.sqrt(nobs / max(nobs - n_params, 1)))


def _nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    """Mean over the non-NaN values; NaN (silently) where there are none, which only NaN rows ever meet."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=axis)


def block_shocks(resid: np.ndarray, reps: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Brüggemann, Jentsch & Trenkler (2016) residual-based moving blocks, centred by position in block."""
    nobs = resid.shape[0]
    n_blocks = -(-nobs // length)
    starts = rng.integers(0, nobs - length + 1, size=(reps, n_blocks))
    offsets = np.arange(length)
    index = (starts[..., None] + offsets).reshape(reps, n_blocks * length)[:, :nobs]
    # E*(u*_{j l + s}) = mean of the residuals that can sit at position s of a block
    windows = np.lib.stride_tricks.sliding_window_view(resid, length, axis=0)  # (T - l + 1, K, l)
    # NaN (an instrument outside its coverage) stays NaN: each column is centred over the values it has
    centre = _nanmean(windows, axis=0).T  # (l, K)
    position = np.tile(offsets, n_blocks)[:nobs]
    return resid[index] - centre[position]


def _spans(strata: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs ``[start, stop)`` of equal labels, in time order."""
    cuts = np.flatnonzero(strata[1:] != strata[:-1]) + 1
    edges = np.concatenate([[0], cuts, [strata.size]])
    return [(int(a), int(b)) for a, b in pairwise(edges)]


def _stratified_shocks(
    resid: np.ndarray, strata: np.ndarray, reps: int, length: int | None, rng: np.random.Generator,
) -> np.ndarray:
    """Resample within strata: every row of stratum ``s`` is drawn from the rows of ``s``.

    ``length=None``: i.i.d. draws within the stratum, centred by the stratum's mean.
    Otherwise moving blocks: each span of a stratum (a maximal run of its label) is
    filled by blocks of ``length`` consecutive rows that lie inside one span of the
    same stratum (a block never crosses a boundary), centred by position in the
    block over those admissible blocks (Brüggemann, Jentsch & Trenkler 2016, within
    the stratum). A stratum with a span shorter than ``length`` is drawn i.i.d.
    """
    out = np.empty((reps, *resid.shape))
    spans = _spans(strata)
    for label in dict.fromkeys(strata.tolist()):
        own = [(a, b) for a, b in spans if strata[a] == label]
        if length is None or min(b - a for a, b in own) < length:
            rows = np.flatnonzero(strata == label)
            centred = resid[rows] - _nanmean(resid[rows], axis=0)
            out[:, rows] = centred[rng.integers(0, rows.size, size=(reps, rows.size))]
            continue
        starts_ok = np.concatenate([np.arange(a, b - length + 1) for a, b in own])
        offsets = np.arange(length)
        centre = _nanmean(resid[starts_ok[:, None] + offsets], axis=0)  # (l, K)
        for a, b in own:
            n = b - a
            n_blocks = -(-n // length)
            starts = starts_ok[rng.integers(0, starts_ok.size, size=(reps, n_blocks))]
            index = (starts[..., None] + offsets).reshape(reps, n_blocks * length)[:, :n]
            out[:, a:b] = resid[index] - centre[np.tile(offsets, n_blocks)[:n]]
    return out


def _draw_shocks(
    resid: np.ndarray, reps: int, method: BootstrapMethod, rng: np.random.Generator,
    *, block_length: int | None = None, strata: np.ndarray | None = None,
) -> np.ndarray:
    nobs = resid.shape[0]
    if strata is not None and method != "wild":  # the wild bootstrap keeps every residual at its date anyway
        length = (block_length or block_length_rule(nobs)) if method == "block" else None
        return _stratified_shocks(resid, np.asarray(strata), reps, length, rng)
    if method == "residual":
        centred = resid - _nanmean(resid, axis=0)
        return centred[rng.integers(0, nobs, size=(reps, nobs))]
    if method == "block":
        return block_shocks(resid, reps, block_length or block_length_rule(nobs), rng)
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


@dataclass(frozen=True)
class _Resampled:
    """One round of replications: estimates, and what data-driven schemes re-identify from."""

    params: np.ndarray
    sigma: np.ndarray
    resid: np.ndarray | None = None
    aux: np.ndarray | None = None


def _resample(
    rf: ReducedForm, coefs: np.ndarray, det_coefs: np.ndarray, reps: int,
    method: BootstrapMethod, rng: np.random.Generator, block_length: int | None,
    *, aux: np.ndarray | None = None, keep_resid: bool = False, strata: np.ndarray | None = None,
) -> _Resampled:
    """Simulate and re-estimate ``reps`` samples.

    ``aux`` (an instrument, ``(nobs, m)``) is resampled with the same blocks,
    indices or Rademacher signs as the residuals; ``keep_resid`` returns each
    replication's re-estimated residuals.
    """
    det = rf.deterministic
    det_mean = det.regressors(rf.lags) @ det_coefs
    resid = np.asarray(rf.resid)
    resid = resid * dof_scale(rf.nobs, rf.nobs - rf.df_resid)
    k = resid.shape[1]
    joint = resid if aux is None else np.concatenate([resid, aux], axis=1)
    drawn = _draw_shocks(joint, reps, method, rng, block_length=block_length, strata=strata)
    shocks, aux_b = drawn[..., :k], (None if aux is None else drawn[..., k:])
    y = simulate_var(np.asarray(rf.data[: rf.lags]), det_mean, coefs, np.ascontiguousarray(shocks))
    params, sigma = batched_ols(y, rf.lags, det)
    resid_b = y[:, rf.lags:] - lag_matrix(y, rf.lags, det) @ params if keep_resid else None
    return _Resampled(params, sigma, resid_b, aux_b)


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
    block_length: int | None = None,
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
    method : {"block", "residual", "wild"}
    rng : numpy.random.Generator
    bias_correct : bool
        Kilian (1998) bootstrap-after-bootstrap.
    seed : int, optional
        Recorded in the draws (the seed ``rng`` was made from).
    block_length : int, optional
        Block length of ``method="block"``; default :func:`block_length_rule`.

    Returns
    -------
    BootstrapDraws
    """
    k, p, kt = len(rf.names), rf.lags, rf.k_det
    coefs_hat = np.asarray(rf.coefs)
    det_hat = np.asarray(rf.params[:kt])
    dgp = coefs_hat
    bias = np.zeros_like(coefs_hat)
    identification.check_bootstrap(method)
    aux = identification.aux_series(rf)
    strata = identification.strata(rf)
    if bias_correct and rf.is_stable:
        first = _resample(rf, coefs_hat, det_hat, reps, method, rng, block_length, aux=aux, strata=strata)
        _, coefs1 = split_params(first.params, kt, k)
        bias = coefs1.mean(axis=0) - coefs_hat
        dgp = _shrink_to_stationary(coefs_hat[None], bias)[0]
    sample = _resample(rf, dgp, det_hat, reps, method, rng, block_length, aux=aux,
                       keep_resid=identification.needs_resid, strata=strata)
    params, sigma = sample.params, sample.sigma
    det_b, coefs_b = split_params(params, kt, k)
    if bias_correct and rf.is_stable:
        coefs_b = _shrink_to_stationary(coefs_b, bias)
        lag_rows = np.swapaxes(coefs_b, -1, -2).reshape(reps, k * p, k)
        params = np.concatenate([det_b, lag_rows], axis=1)
    stable = is_stable(coefs_b)
    extra = {name: arr[stable] for name, arr in (("resid", sample.resid), ("aux", sample.aux)) if arr is not None}
    # only schemes that ask for them get the keywords: a user's scheme with the plain signature still works
    impact, ok = identification.identify_batch(coefs_b[stable], sigma[stable], point, rng, **extra)
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
        block_length=(block_length or block_length_rule(rf.nobs)) if method == "block" else None,
        strata=identification.strata_name if strata is not None and method != "wild" else None,
    )
