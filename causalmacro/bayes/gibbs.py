"""An exact-conditional (blocked Gibbs) sampler for the hierarchical asset-response model.

It samples the joint posterior of the model that :func:`causalmacro.bayes.model.build_model`
defines (same priors, same likelihood, same variable names), with moves chosen
for the geometry that makes NUTS slow on it: betas pinned by ~130 observations
each while their class scales are not.

One sweep, every chain at once (numpy, no compilation):

1. **Locations** ``(a_std, a_shift_std, gamma_std, beta_std, mu_group, mu)`` jointly,
   given the scales and the Student-t mixing weights ``w``: a Gaussian linear model
   on a tree (asset -> class -> all; the intercept, regime shifts and covariate
   effects are "free" columns of each asset with fixed priors, outside the tree),
   drawn exactly by passing Gaussian messages up the tree (each asset's
   coefficients integrated out given its class mean, each class mean given the
   overall mean), drawing ``mu``, then each class mean, then each asset's
   coefficients (Gelman et al., 2013, sec. 15.3; the algebra of
   Kalman-style backward sampling, Carter & Kohn, 1994).
2. **Residual scales** ``sigma_e_std[i]`` by slice sampling (Neal, 2003) with the
   Student-t mixing weights integrated out (given the weights, the scale would
   crawl along the ridge ``sigma^2 / w``).
3. **Class scales** ``tau[g, k]`` and **mean scales** ``sigma[k]`` by slice sampling
   (Neal, 2003) given the betas and ``mu`` with the class means integrated out in
   closed form, then ``mu`` and the class means exactly (a partially collapsed
   Gibbs step, van Dyk & Park, 2008), interwoven with non-centred draws (truncated
   normal given the standardised deviations ``z``, the betas moving with the
   scale): the ancillarity-sufficiency interweaving of Yu & Meng (2011), which
   mixes whether the data pin the betas or not, and for classes of one asset.
3b. **Covariate effects** (event dummies) each by slice sampling with the mixing
   weights integrated out: a dummy touching one observation and that
   observation's weight pin each other, so drawing them in turn mixes slowly.
4. **Degrees of freedom** ``nu`` by slice sampling (Neal, 2003) on ``log nu`` with
   the mixing weights integrated out (the Student-t likelihood itself), then
5. **Mixing weights** ``w`` given ``nu``: the normal scale-mixture form of the
   Student-t, ``w ~ Gamma((nu + 1)/2, (nu + r^2/sigma^2)/2)`` (Geweke, 1993).

With regimes, every (shock, regime effect) pair -- the common response and each
contrast, :mod:`causalmacro.bayes.regimes` -- is one *term* of the tree, with its
own ``tau[g, term]``, ``sigma[term]`` and ``mu[term, lag]``; its columns are the
lagged shocks times the regime coding of each date. The sweep is unchanged.

Steps 2 (followed at once by a draw of ``w`` given the new scale), 3b, 4 and 5 integrate ``w`` out and then draw it (a partially collapsed
Gibbs sampler, van Dyk & Park, 2008), so every step leaves the joint posterior
invariant. There is no step size, no tree depth and nothing that can diverge;
the tuning draws are burn-in.

References
----------
Carter, C. K. & Kohn, R. (1994). On Gibbs sampling for state space models. *Biometrika* 81(3).
Geweke, J. (1993). Bayesian treatment of the independent Student-t linear model. *J. Appl. Econometrics* 8.
Neal, R. M. (2003). Slice sampling. *Annals of Statistics* 31(3), 705-767.
Robert, C. P. (1995). Simulation of truncated normal variables. *Statistics and Computing* 5(2), 121-125.
van Dyk, D. A. & Park, T. (2008). Partially collapsed Gibbs samplers. *JASA* 103(482), 790-796.
Yu, Y. & Meng, X.-L. (2011). To center or not to center: that is not the question. *JCGS* 20(3), 531-570.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special
from scipy.linalg.lapack import dtrtri as _dtrtri

from ..errors import DataError
from .design import StackedData
from .model import (
    PRIOR_A_SD,
    PRIOR_COVARIATE_SD,
    PRIOR_MU_SD,
    PRIOR_NU,
    PRIOR_REGIME_SHIFT_SD,
    PRIOR_SIGMA_E,
    PRIOR_SIGMA_SD,
    PRIOR_TAU_SD,
)
from .variates import slice_update, truncated_positive_normal

__all__ = ["GibbsDraws", "LocationPosterior", "gibbs_sample", "location_posterior"]


@dataclass(frozen=True)
class _CovBatch:
    """Covariates that touch disjoint dates, updated together by step 3b (their conditionals are independent)."""

    cols: np.ndarray  # (B,) int: their columns of ``x1``
    rows: np.ndarray  # (B, M) int: the dates each touches, padded to the longest with date 0
    x: np.ndarray  # (B, M): the covariate's value on those dates, 0 in the padding
    valid: np.ndarray  # (B, M) bool: False in the padding


def _covariate_batches(x1: np.ndarray, cols: range, batch: bool) -> tuple[_CovBatch, ...]:
    """The covariate columns ``cols`` of ``x1`` in batches of columns with disjoint non-zero dates (greedily, in
    order; ``batch=False``: one column a batch)."""
    groups: list[list[int]] = []
    seen: list[np.ndarray] = []
    for j in cols:
        touched = x1[:, j] != 0
        for k, used in enumerate(seen if batch else []):
            if not (used & touched).any():
                groups[k].append(j)
                seen[k] = used | touched
                break
        else:
            groups.append([j])
            seen.append(touched.copy())
    out = []
    for group in groups:
        dates = [np.flatnonzero(x1[:, j] != 0) for j in group]
        width = max(max((d.size for d in dates), default=0), 1)
        rows = np.zeros((len(group), width), dtype=np.intp)
        valid = np.zeros((len(group), width), dtype=bool)
        for b, d in enumerate(dates):
            rows[b, : d.size] = d
            valid[b, : d.size] = True
        x = np.where(valid, x1[rows, np.asarray(group)[:, None]], 0.0)
        out.append(_CovBatch(cols=np.asarray(group, dtype=np.intp), rows=rows, x=x, valid=valid))
    return tuple(out)


@dataclass(frozen=True)
class _Dense:
    """The stacked design on an (asset, date) grid, with the regressors' outer products."""

    y: np.ndarray  # (A, T), 0 where missing
    mask: np.ndarray  # (A, T) float, 1 where observed
    x1: np.ndarray  # (T, D): the F free columns (intercept first), then the C hierarchical columns
    xx: np.ndarray  # (T, P): the products x_i x_j, i <= j, that are non-zero outside the covariates' dates
    xx_rows: np.ndarray  # (U,) int: the dates where a covariate (event dummy) is non-zero
    xx_sparse: np.ndarray  # (U, Q): the other products x_i x_j, i <= j, on those dates only (zero elsewhere)
    tri_full: np.ndarray  # (D * D,) int: column of ``[xx, xx_sparse]`` holding entry (i, j) of the D x D matrix
    x_free_t: np.ndarray  # (F - 1, T): the free columns after the intercept, transposed (contiguous)
    x_terms_t: np.ndarray  # (C, T): the hierarchical columns, transposed (contiguous)
    group_of: np.ndarray  # (A,) int
    onehot: np.ndarray  # (A, G)
    n_obs: np.ndarray  # (A,)
    k: int  # hierarchical terms (shocks, or shocks x regime effects)
    lags: int  # L + 1
    pooled: bool  # partial pooling (else independent Normal(0, PRIOR_MU_SD) betas)
    free_prec: np.ndarray  # (F,) prior precisions of the free columns (prior means 0)
    n_cov: int = 0  # covariates: the last n_cov free columns
    cov_batches: tuple[_CovBatch, ...] = ()  # the covariates, in batches of disjoint dates (step 3b)
    assets: tuple[str, ...] = ()  # names, for errors
    groups: tuple[str, ...] = ()

    @property
    def f(self) -> int:
        return self.free_prec.shape[0]

    @property
    def c(self) -> int:
        return self.x1.shape[1] - self.f


def _dense(design: StackedData, pooled: bool = True, *, batch_covariates: bool = True) -> _Dense:
    """The design on the (asset, date) grid (``batch_covariates=False``: step 3b one covariate at a time, as the
    sampler did before batching; the tests compare the two)."""
    n_a, n_t = len(design.assets), len(design.dates)
    y = np.zeros((n_a, n_t))
    mask = np.zeros((n_a, n_t))
    y[design.asset_idx, design.time_idx] = design.y
    mask[design.asset_idx, design.time_idx] = 1.0
    x1 = np.column_stack([design.x_free, design.x_terms])
    d = x1.shape[1]
    free_sd = [PRIOR_A_SD] + [PRIOR_REGIME_SHIFT_SD] * len(design.contrasts) + [PRIOR_COVARIATE_SD] * len(design.covariates)
    g = len(design.groups)
    onehot = np.zeros((n_a, g))
    onehot[np.arange(n_a), design.asset_group] = 1.0
    # each product of two regressors once (the matrix is symmetric); a product that vanishes outside the
    # covariates' few dates (an event dummy times anything) is summed over those dates only
    iu, ju = np.triu_indices(d)
    prod = x1[:, iu] * x1[:, ju]
    n_free = len(free_sd)
    rows = np.flatnonzero((x1[:, n_free - len(design.covariates):n_free] != 0).any(axis=1))
    outside = np.ones(n_t, dtype=bool)
    outside[rows] = False
    sparse = ~(prod[outside] != 0).any(axis=0)
    order = np.concatenate([np.flatnonzero(~sparse), np.flatnonzero(sparse)])
    pos = np.empty(iu.size, dtype=np.intp)
    pos[order] = np.arange(iu.size)
    tri_full = np.empty((d, d), dtype=np.intp)
    tri_full[iu, ju] = tri_full[ju, iu] = pos
    return _Dense(y=y, mask=mask, x1=x1, xx=np.ascontiguousarray(prod[:, ~sparse]), xx_rows=rows,
                  xx_sparse=np.ascontiguousarray(prod[np.ix_(rows, np.flatnonzero(sparse))]), tri_full=tri_full.ravel(),
                  x_free_t=np.ascontiguousarray(x1[:, 1:n_free].T), x_terms_t=np.ascontiguousarray(x1[:, n_free:].T),
                  group_of=np.asarray(design.asset_group), onehot=onehot, n_obs=mask.sum(axis=1),
                  k=design.n_terms, lags=design.lags + 1, pooled=pooled,
                  free_prec=1.0 / np.asarray(free_sd) ** 2, n_cov=len(design.covariates),
                  cov_batches=_covariate_batches(x1, range(n_free - len(design.covariates), n_free), batch_covariates),
                  assets=tuple(design.assets), groups=tuple(design.groups))


@dataclass(frozen=True)
class LocationPosterior:
    """Mean and precision of the location block given the scales (for tests and draws).

    ``theta`` stacks, per chain, every asset's ``(a_std, a_shift_std, gamma_std, beta_std)``
    then every class mean then the overall mean; the precision is that of the joint Gaussian.
    """

    mean: np.ndarray
    precision: np.ndarray


def _cholesky(mat: np.ndarray, names: tuple[str, ...], what: str) -> np.ndarray:
    """Batched Cholesky factor; where one fails, a :class:`DataError` naming the item (axis -3) and why."""
    try:
        return np.linalg.cholesky(mat)
    except np.linalg.LinAlgError:
        pass
    flat = mat.reshape(-1, *mat.shape[-3:])
    for block in flat:
        for i, one in enumerate(block):
            try:
                np.linalg.cholesky(one)
            except np.linalg.LinAlgError:
                cond = np.linalg.cond(one) if np.isfinite(one).all() else np.inf
                name = names[i] if i < len(names) else str(i)
                raise DataError(
                    f"asset model: the Gibbs sampler cannot draw the coefficients of {what} {name!r}: its "
                    f"prior-scaled posterior precision is singular to machine precision (condition number "
                    f"{cond:.1e}), the data pin them beyond double precision (residuals fitted exactly, or a "
                    f"Student-t nu near 0); drop or rescale it, or sample with sampler='nutpie'") from None
    raise AssertionError("unreachable: a batched Cholesky failed and no item fails alone")  # pragma: no cover


def _tri_inv(chol: np.ndarray) -> np.ndarray:
    """Inverses of a batch of lower-triangular (Cholesky) factors, by LAPACK ``dtrtri`` one matrix at a time.

    A factor is inverted once and every solve with it becomes a matrix product:
    numpy's batched ``solve`` runs a full LU factorisation per call, which cost
    most of the location block on small matrices.
    """
    flat = np.ascontiguousarray(chol).reshape(-1, *chol.shape[-2:])
    out = np.empty_like(flat)
    for i, one in enumerate(flat):
        out[i], info = _dtrtri(one, lower=1)
        if info:  # pragma: no cover - a Cholesky factor has a positive diagonal
            raise AssertionError(f"dtrtri failed on a Cholesky factor (info={info})")
    return out.reshape(chol.shape)


def _scaled_gauss(linv: np.ndarray, scale: np.ndarray, lin: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Draw from N(Q^-1 lin, Q^-1) with ``Q = D^-1/2 K D^-1/2``, ``D = diag(scale^2)``, ``K = chol chol'``.

    ``linv`` is ``chol^-1`` (:func:`_tri_inv`). Equal to ``Q^-1 lin + L'^-1 z``
    with ``Q = L L'`` (the Cholesky factor of ``Q`` is ``D^-1/2 chol``, so the
    same ``z`` gives the same draw) but factorising the prior-scaled ``K``, whose
    eigenvalues are at least 1 when ``Q`` is a data precision plus a prior
    precision ``D^-1``: a precision that spans many orders of magnitude (a class
    scale of 1e-9 beside well-pinned free columns) cannot lose definiteness by
    cancellation.
    """
    return scale * _tmatvec(linv, _matvec(linv, scale * lin) + z)


def _matvec(mat: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``mat @ v`` for batches of matrices and vectors."""
    return (mat @ v[..., None])[..., 0]


def _tmatvec(mat: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``mat' @ v`` for batches of matrices and vectors."""
    return (v[..., None, :] @ mat)[..., 0, :]


def _cho_solve(linv: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(chol chol')^-1 b = linv' linv b`` for a batch of vectors (or of matrices, when ``b`` has one more axis)."""
    if b.ndim == linv.ndim - 1:
        return _tmatvec(linv, _matvec(linv, b))
    return np.swapaxes(linv, -1, -2) @ (linv @ b)


class _State:
    """Current values of every parameter, chains first."""

    def __init__(self, n_chains: int, dn: _Dense, rng: np.random.Generator) -> None:
        n_a, g, c, k = dn.y.shape[0], dn.onehot.shape[1], dn.c, dn.k
        # over-dispersed starts: scales from their priors, locations drawn in the first sweep
        self.tau = np.abs(rng.normal(0, PRIOR_TAU_SD, (n_chains, g, k))) + 0.05
        self.sigma = np.abs(rng.normal(0, PRIOR_SIGMA_SD, (n_chains, k))) + 0.05
        self.se = np.exp(rng.normal(-0.3, 0.3, (n_chains, n_a)))
        self.nu = np.exp(rng.normal(np.log(10.0), 0.5, n_chains))
        self.w = np.ones((n_chains, n_a, dn.y.shape[1]))
        self.a = np.zeros((n_chains, n_a))
        self.gamma = np.zeros((n_chains, n_a, dn.f - 1))  # regime shifts, then covariate effects
        self.beta = np.zeros((n_chains, n_a, c))
        self.m = np.zeros((n_chains, g, c))
        self.mu = np.zeros((n_chains, c))
        # slice widths on the log scale (stepping out corrects a width that is too small)
        self.width: dict[str, Any] = {"se": 0.5, "tau": 1.0, "sigma": 1.0, "nu": 0.5}


def _lag_scale(scale: np.ndarray, lags: int) -> np.ndarray:
    """Scales per shock (..., K) repeated over lags to (..., K * lags), columns (shock, lag)."""
    return np.repeat(scale, lags, axis=-1)


def _asset_terms(st: _State, dn: _Dense) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per asset: prior precision diagonal, data precision and data linear term."""
    wm = st.w * dn.mask / st.se[..., None] ** 2  # (c, A, T)
    d = dn.x1.shape[1]
    tri = np.concatenate([wm @ dn.xx, wm[..., dn.xx_rows] @ dn.xx_sparse], axis=-1)  # each product once
    lam = tri[..., dn.tri_full].reshape(*wm.shape[:2], d, d)
    h = (wm * dn.y) @ dn.x1
    tau_a = _lag_scale(st.tau, dn.lags)[:, dn.group_of] if dn.pooled else np.full(st.beta.shape, PRIOR_MU_SD)
    p0 = np.concatenate([np.broadcast_to(dn.free_prec, (*tau_a.shape[:2], dn.f)), 1.0 / tau_a**2], axis=-1)
    return p0, lam, h


def location_posterior(st: _State, dn: _Dense) -> LocationPosterior:
    """The joint Gaussian of the location block, assembled densely (a reference for the tree draw)."""
    p0, lam, h = _asset_terms(st, dn)
    n_c, n_a, d = h.shape
    g, c = dn.onehot.shape[1], dn.c
    n, f = n_a * d + g * c + c, dn.f
    prec = np.zeros((n_c, n, n))
    lin = np.zeros((n_c, n))
    sinv = 1.0 / _lag_scale(st.sigma, dn.lags) ** 2  # (c, C)
    off_m, off_mu = n_a * d, n_a * d + g * c
    for i in range(n_a):
        s = slice(i * d, (i + 1) * d)
        prec[:, s, s] = lam[:, i] + np.einsum("ci,ij->cij", p0[:, i], np.eye(d))
        lin[:, s] = h[:, i]
        gi = dn.group_of[i]
        ms = slice(off_m + gi * c, off_m + (gi + 1) * c)
        tinv = p0[:, i, f:]
        bs = slice(i * d + f, (i + 1) * d)
        prec[:, bs, ms] -= np.einsum("ci,ij->cij", tinv, np.eye(c))
        prec[:, ms, bs] -= np.einsum("ci,ij->cij", tinv, np.eye(c))
        prec[:, ms, ms] += np.einsum("ci,ij->cij", tinv, np.eye(c))
    mus = slice(off_mu, off_mu + c)
    for gi in range(g):
        ms = slice(off_m + gi * c, off_m + (gi + 1) * c)
        prec[:, ms, ms] += np.einsum("ci,ij->cij", sinv, np.eye(c))
        prec[:, ms, mus] -= np.einsum("ci,ij->cij", sinv, np.eye(c))
        prec[:, mus, ms] -= np.einsum("ci,ij->cij", sinv, np.eye(c))
        prec[:, mus, mus] += np.einsum("ci,ij->cij", sinv, np.eye(c))
    prec[:, mus, mus] += np.eye(c) / PRIOR_MU_SD**2
    return LocationPosterior(mean=np.linalg.solve(prec, lin[..., None])[..., 0], precision=prec)


def _draw_locations(st: _State, dn: _Dense, rng: np.random.Generator, *, noise: bool = True) -> None:
    """Step 1: (a, gamma, beta, mu_group, mu) | scales, w, y by Gaussian message passing on the tree.

    Every precision is factorised scaled by its prior (``K = I + P^-1/2 Lambda
    P^-1/2`` for an asset, ``I + S^1/2 J S^1/2`` for a class mean), and each
    message ``T^-1 - T^-1 (Lambda + T^-1)^-1 T^-1`` is computed as
    ``T^-1/2 G (I + G)^-1 T^-1/2`` with ``G`` the prior-scaled data precision,
    positive semi-definite by construction: no difference of two large numbers,
    so a class scale of 1e-9 or 1e9 leaves the class-mean precision positive
    definite. Where the scaled precision of an asset is still singular to machine
    precision, a :class:`~causalmacro.errors.DataError` names the asset.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # an overflow is reported below, naming the asset
        p0, lam, h = _asset_terms(st, dn)
    n_c, n_a, d = h.shape
    f = dn.f
    c = d - f
    if not (np.isfinite(lam).all() and np.isfinite(h).all()):
        bad = int(np.flatnonzero(~(np.isfinite(lam).all(axis=(0, 2, 3)) & np.isfinite(h).all(axis=(0, 2))))[0])
        raise DataError(f"asset model: the Gibbs sampler cannot draw the coefficients of asset {dn.assets[bad]!r}: "
                        "its weighted data precision overflowed (a residual scale or Student-t weight at the edge "
                        "of double precision); drop or rescale it, or sample with sampler='nutpie'")
    ps = 1.0 / np.sqrt(p0)  # prior sds (c, A, D)
    gmat = ps[..., :, None] * lam * ps[..., None, :]  # prior-scaled data precision, PSD
    chol = _cholesky(gmat + np.eye(d), dn.assets, "asset")

    def z(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape) if noise else np.zeros(shape)

    if not dn.pooled:
        theta = _scaled_gauss(_tri_inv(chol), ps, h, z(n_c, n_a, d))
        st.a, st.gamma, st.beta = theta[..., 0], theta[..., 1:f], theta[..., f:]
        return
    linv = _tri_inv(chol)  # every solve below is a product with an inverse factor
    # message from asset i to its class mean: exp(-m'J m/2 + m'k); with G_s the prior-scaled data precision
    # of the betas (free columns integrated out), J = T^-1/2 G_s (I + G_s)^-1 T^-1/2
    wmat = linv[..., :f, :f] @ gmat[..., :f, f:]  # L_ff^-1 G_fb
    g_s = gmat[..., f:, f:] - np.swapaxes(wmat, -1, -2) @ wmat
    j_s = _cho_solve(linv[..., f:, f:], g_s)  # I + G_s = L_bb L_bb', and (L^-1)_bb = L_bb^-1
    j_s = 0.5 * (j_s + np.swapaxes(j_s, -1, -2))
    tsd = ps[..., f:]  # class scales per column (c, A, C)
    jmsg = j_s / tsd[..., :, None] / tsd[..., None, :]
    kmsg = _cho_solve(linv, ps * h)[..., f:] / tsd
    jg = np.einsum("ag,caij->cgij", dn.onehot, jmsg)
    kg = np.einsum("ag,cai->cgi", dn.onehot, kmsg)
    ssd = _lag_scale(st.sigma, dn.lags)[:, None].repeat(jg.shape[1], axis=1)  # (c, G, C)
    # message from each class mean to mu, the same way: J_mu = S^-1/2 H (I + H)^-1 S^-1/2, H = S^1/2 J_g S^1/2
    hmat = ssd[..., :, None] * jg * ssd[..., None, :]
    linv_g = _tri_inv(_cholesky(hmat + np.eye(c), dn.groups, "class"))
    jmu = _cho_solve(linv_g, hmat)
    jmu = 0.5 * (jmu + np.swapaxes(jmu, -1, -2)) / ssd[..., :, None] / ssd[..., None, :]
    kmu = _cho_solve(linv_g, ssd * kg) / ssd
    chol_mu = _cholesky((PRIOR_MU_SD**2 * jmu.sum(axis=1) + np.eye(c))[:, None], ("mu",), "overall mean")[:, 0]
    st.mu = _scaled_gauss(_tri_inv(chol_mu), np.full(c, PRIOR_MU_SD), kmu.sum(axis=1), z(n_c, c))
    st.m = _scaled_gauss(linv_g, ssd, kg + st.mu[:, None] / ssd**2, z(*kg.shape))
    prior_mean = np.concatenate([np.zeros((n_c, n_a, f)), st.m[:, dn.group_of]], axis=-1)
    theta = _scaled_gauss(linv, ps, h + p0 * prior_mean, z(n_c, n_a, d))
    st.a, st.gamma, st.beta = theta[..., 0], theta[..., 1:f], theta[..., f:]


def _fitted(st: _State, dn: _Dense) -> np.ndarray:
    out = st.a[..., None] + st.beta @ dn.x_terms_t
    if dn.f > 1:
        out = out + st.gamma @ dn.x_free_t
    return out


def _draw_residual_scales(st: _State, dn: _Dense, resid: np.ndarray, rng: np.random.Generator) -> None:
    """Step 2: sigma_e_std | residuals, nu with the mixing weights integrated out (slice on its log).

    Drawing the scale given the weights ``w`` would leave it stuck on the ridge
    ``sigma^2 / w`` that the Student-t's scale mixture creates; with ``w``
    integrated out the conditional is the Student-t likelihood itself. The
    weights are then drawn afresh given the new scale (step 5's conditional): the
    non-centred scale moves of step 3 condition on ``w``, and conditioning them on
    weights drawn under the old scale would break the ordering rule of a partially
    collapsed Gibbs sampler (van Dyk & Park, 2008).
    """
    nu = st.nu[:, None, None]
    r2 = resid**2

    def logp(log_se: np.ndarray) -> np.ndarray:  # (c, A)
        se2 = np.exp(2 * log_se)
        ll = -dn.n_obs * log_se - (nu[..., 0] + 1) / 2 * (dn.mask * np.log1p(r2 / (nu * se2[..., None]))).sum(axis=-1)
        return np.asarray(ll - se2 / (2 * PRIOR_SIGMA_E**2) + log_se)

    st.se = np.exp(slice_update(logp, np.log(st.se), rng, st.width["se"]))
    # the steps that follow condition on w: draw it given the new scale, so that this collapsed step is
    # followed by its own completion (van Dyk & Park, 2008) and every step leaves the joint posterior invariant
    _draw_weights(st, dn, resid, rng)


def _scale_moves(wm: np.ndarray, u: np.ndarray, resid: np.ndarray, axes: tuple[int, ...]
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The sums the non-centred scale moves need, for every term at once: ``gram[..., k, j]`` and ``b[..., k]``,
    the sums over ``axes`` (and dates) of ``wm u_k u_j`` and of ``wm u_k resid``.

    ``u``: ``(c, A, K, T)``, the fit's change per unit of each term's scale; ``wm`` and ``resid``: ``(c, A, T)``.
    Moving term ``j``'s scale by ``d_j`` moves the residuals by ``-d_j u_j``, so every later move's conditional
    follows from these sums and the earlier moves, without recomputing residuals over the data.
    """
    wu = wm[:, :, None, :] * u
    gram = wu @ np.swapaxes(u, -1, -2)  # (c, A, K, K)
    b = (wu * resid[:, :, None, :]).sum(axis=-1)  # (c, A, K)
    if axes:
        gram, b = gram.sum(axis=axes), b.sum(axis=axes)
    return gram, b


def _terms_of(z: np.ndarray, dn: _Dense) -> np.ndarray:
    """``u[..., k, t] = sum_l z[..., k, l] x[t, (k, l)]``: each term's lag coefficients ``z`` (``(c, A, K, L)``)
    times its columns, ``(c, A, K, T)``."""
    xk = dn.x_terms_t.reshape(dn.k, dn.lags, -1)  # (K, L, T)
    return np.swapaxes(np.swapaxes(z, 0, 2) @ xk[:, None], 0, 2)  # (K, A, c, L) @ (K, 1, L, T)


def _class_scales_noncentred(st: _State, dn: _Dense, rng: np.random.Generator, wm: np.ndarray) -> None:
    """tau | z, y: beta = mu_group + tau z with z held; tau[g, k] enters the likelihood linearly.

    ``wm``: the observations' precisions ``w * mask / sigma_e^2`` (unchanged by the scale steps). The terms
    are moved one after another, each given the moves before it (:func:`_scale_moves`).
    """
    n_c, n_a = st.beta.shape[:2]
    dev = (st.beta - st.m[:, dn.group_of]).reshape(n_c, n_a, dn.k, dn.lags)
    tau_a = st.tau[:, dn.group_of]  # (c, A, K), the scales before the moves
    z = dev / tau_a[..., None]  # (c, A, K, L)
    gram, b = _scale_moves(wm, _terms_of(z, dn), dn.y - _fitted(st, dn), ())
    shift = np.zeros_like(tau_a)  # each asset's move of each term's scale
    for k in range(dn.k):
        g_kk = gram[..., k, k]  # (c, A)
        prec = g_kk @ dn.onehot + 1.0 / PRIOR_TAU_SD**2  # (c, G)
        lin = (b[..., k] - (shift[..., :k] * gram[..., k, :k]).sum(axis=-1) + tau_a[..., k] * g_kk) @ dn.onehot
        new = truncated_positive_normal(lin / prec, 1.0 / np.sqrt(prec), rng)
        shift[..., k] = new[:, dn.group_of] - tau_a[..., k]
        st.tau[:, :, k] = new
    st.beta = (st.beta.reshape(z.shape) + shift[..., None] * z).reshape(st.beta.shape)


def _draw_scales(st: _State, dn: _Dense, rng: np.random.Generator) -> None:
    """Step 3: tau, sigma | betas, mu with the class means integrated out, then (mu, mu_group).

    Given the betas and ``mu``, a class's deviations from its average carry
    ``tau[g]`` alone (``n_g - 1`` degrees of freedom per lag) and its average is
    ``bbar[g] ~ N(mu, sigma^2 + tau[g]^2 / n_g)``, independently across classes.
    ``log tau`` (every class at once) and then ``log sigma`` are slice-sampled on
    these closed-form densities, then ``mu`` and the class means are drawn exactly
    given the scales: a partially collapsed Gibbs step (van Dyk & Park, 2008),
    efficient even for a class of one asset. The non-centred updates (betas moving
    with the scales, Yu & Meng, 2011) follow.
    """
    n_g = dn.onehot.sum(axis=0)[None, :, None]  # (1, G, 1)
    beta = st.beta.reshape(*st.beta.shape[:2], dn.k, dn.lags)
    bbar = np.einsum("ag,cakl->cgkl", dn.onehot, beta) / n_g[..., None]  # (c, G, K, L)
    ssw = np.einsum("ag,cakl->cgk", dn.onehot, (beta - bbar[:, dn.group_of]) ** 2)  # (c, G, K)
    free = (n_g - 1.0) * dn.lags  # within-class degrees of freedom per shock
    mu = st.mu.reshape(-1, 1, dn.k, dn.lags)
    dev2 = ((bbar - mu) ** 2).sum(axis=-1)  # (c, G, K)

    def logp_tau(log_tau: np.ndarray) -> np.ndarray:  # (c, G, K)
        tau2 = np.exp(2 * log_tau)
        v = st.sigma[:, None, :] ** 2 + tau2 / n_g
        ll = -free * log_tau - ssw / (2 * tau2) - 0.5 * dn.lags * np.log(v) - dev2 / (2 * v)
        return np.asarray(ll - tau2 / (2 * PRIOR_TAU_SD**2) + log_tau)

    st.tau = np.exp(slice_update(logp_tau, np.log(st.tau), rng, st.width["tau"]))

    def logp_sigma(log_sigma: np.ndarray) -> np.ndarray:  # (c, K)
        s2 = np.exp(2 * log_sigma)
        v = s2[..., None, :] + st.tau**2 / n_g
        ll = (-0.5 * dn.lags * np.log(v) - dev2 / (2 * v)).sum(axis=-2)
        return np.asarray(ll - s2 / (2 * PRIOR_SIGMA_SD**2) + log_sigma)

    st.sigma = np.exp(slice_update(logp_sigma, np.log(st.sigma), rng, st.width["sigma"]))
    within_v = (st.tau**2 / n_g)[..., None]  # (c, G, K, 1)
    s2 = (st.sigma**2)[:, None, :, None]
    v = within_v + s2
    prec_mu = 1.0 / PRIOR_MU_SD**2 + (1.0 / v).sum(axis=1)  # (c, K, 1)
    mu = (bbar / v).sum(axis=1) / prec_mu + rng.standard_normal(bbar.shape[:1] + bbar.shape[2:]) / np.sqrt(prec_mu)
    prec_m = 1.0 / within_v + 1.0 / s2
    m = (bbar / within_v + mu[:, None] / s2) / prec_m + rng.standard_normal(bbar.shape) / np.sqrt(prec_m)
    st.mu = mu.reshape(st.mu.shape)
    st.m = m.reshape(st.m.shape)
    wm = st.w * dn.mask / st.se[..., None] ** 2  # the same for both non-centred steps
    _class_scales_noncentred(st, dn, rng, wm)
    _mean_scales_noncentred(st, dn, rng, wm)


def _mean_scales_noncentred(st: _State, dn: _Dense, rng: np.random.Generator, wm: np.ndarray) -> None:
    """sigma | z, y: class means and betas move with sigma, z held (Yu & Meng's ancillary step); ``wm`` as above.

    A class mean moves every asset of its class; the terms are moved one after another (:func:`_scale_moves`).
    """
    n_c, n_g = st.m.shape[:2]
    dev = (st.m - st.mu[:, None]).reshape(n_c, n_g, dn.k, dn.lags)
    sigma = st.sigma.copy()  # the scales before the moves
    zg = dev / sigma[:, None, :, None]  # (c, G, K, L)
    gram, b = _scale_moves(wm, _terms_of(zg[:, dn.group_of], dn), dn.y - _fitted(st, dn), (1,))  # (c, K, K), (c, K)
    shift = np.zeros_like(sigma)
    for k in range(dn.k):
        prec = gram[:, k, k] + 1.0 / PRIOR_SIGMA_SD**2
        lin = b[:, k] - (shift[:, :k] * gram[:, k, :k]).sum(axis=-1) + sigma[:, k] * gram[:, k, k]
        new = truncated_positive_normal(lin / prec, 1.0 / np.sqrt(prec), rng)
        shift[:, k] = new - sigma[:, k]
        st.sigma[:, k] = new
    moved = shift[:, None, :, None] * zg  # (c, G, K, L)
    st.m = (st.m.reshape(zg.shape) + moved).reshape(st.m.shape)
    st.beta = (st.beta.reshape(n_c, -1, dn.k, dn.lags) + moved[:, dn.group_of]).reshape(st.beta.shape)


def _draw_covariates(st: _State, dn: _Dense, resid: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Step 3b: each covariate effect | the rest, with the mixing weights integrated out (slice sampling).

    An event dummy touches a few observations, often one: given the weights ``w``
    its effect and that observation's weight pin each other (a well-fitted
    outlier gets a large weight, which pins the effect), so alternating the two
    mixes slowly. With ``w`` integrated out the conditional is the Student-t
    likelihood of the observations the covariate touches times its normal prior;
    ``w`` is drawn afresh in step 5, after the other collapsed steps, so the
    sweep stays a partially collapsed Gibbs sampler (van Dyk & Park, 2008).
    Covariates that touch disjoint dates (``dn.cov_batches``: most event dummies)
    have independent conditionals given the rest, so each batch is one vectorised
    slice update: the same conditionals as one covariate at a time, fewer passes.
    Returns the updated residuals.
    """
    nu = st.nu[:, None, None, None]
    half = (nu + 1) / 2  # (c, 1, 1, 1)
    nus2 = nu * st.se[..., None, None] ** 2  # (c, A, 1, 1)
    for batch in dn.cov_batches:
        g = batch.cols - 1  # gamma holds the free columns after the intercept
        part = resid[..., batch.rows] + st.gamma[..., g, None] * batch.x  # (c, A, B, M)
        mask = dn.mask[:, batch.rows] * batch.valid  # (A, B, M)
        # unobserved entries and the padding contribute exactly 0 either way: log1p(0) = 0 where both are zeroed
        part_m, xt_m = part * mask, batch.x * mask

        def logp(v: np.ndarray, part_m: np.ndarray = part_m, xt_m: np.ndarray = xt_m,
                 prec: np.ndarray = dn.free_prec[batch.cols]) -> np.ndarray:
            r2 = (part_m - v[..., None] * xt_m) ** 2
            ll = -half[..., 0] * np.log1p(r2 / nus2).sum(axis=-1)
            return np.asarray(ll - 0.5 * prec * v**2)

        new = slice_update(logp, st.gamma[..., g], rng, 1.0)
        st.gamma[..., g] = new
        resid[..., batch.rows[batch.valid]] = (part - new[..., None] * batch.x)[..., batch.valid]
    return resid


def _nu_logp(log_nu: np.ndarray, r2: np.ndarray, mask: np.ndarray, n: float) -> np.ndarray:
    """log p(log nu | standardised squared residuals), w integrated out, plus the Jacobian."""
    nu = np.exp(log_nu)
    alpha, rate = PRIOR_NU
    prior = (alpha - 1) * np.log(nu) - rate * nu + log_nu
    ll = n * (special.gammaln((nu + 1) / 2) - special.gammaln(nu / 2) - 0.5 * np.log(nu))
    ll = ll - (nu + 1) / 2 * (mask * np.log1p(r2 / nu[..., None, None])).sum(axis=(-2, -1))
    return np.asarray(prior + ll)


def _draw_nu(st: _State, dn: _Dense, resid: np.ndarray, rng: np.random.Generator) -> None:
    """Step 4: slice sampling of log nu with the mixing weights integrated out, vectorised over chains."""
    r2 = (resid / st.se[..., None]) ** 2
    n = float(dn.mask.sum())
    st.nu = np.exp(slice_update(lambda v: _nu_logp(v, r2, dn.mask, n), np.log(st.nu), rng, st.width["nu"]))


def _draw_weights(st: _State, dn: _Dense, resid: np.ndarray, rng: np.random.Generator) -> None:
    """Step 5: w | nu, residuals: the Student-t's normal scale mixture."""
    shape = (st.nu[:, None, None] + 1.0) / 2.0
    rate = (st.nu[:, None, None] + (resid / st.se[..., None]) ** 2) / 2.0
    st.w = np.where(dn.mask > 0, rng.gamma(np.broadcast_to(shape, rate.shape)) / rate, 1.0)


@dataclass(frozen=True)
class GibbsDraws:
    """Kept draws, chains first: ``(chain, draw, ...)`` arrays on the standardised scale."""

    mu: np.ndarray
    sigma: np.ndarray
    tau: np.ndarray
    mu_group: np.ndarray
    beta_std: np.ndarray
    a_std: np.ndarray
    sigma_e_std: np.ndarray
    nu: np.ndarray
    gamma_std: np.ndarray  # (chain, draw, asset, F - 1): regime shifts, then covariate effects
    seconds: float = 0.0


CHAINS_PER_BLOCK = 4
"""Chains sampled together, vectorised, by one process (the cost of a sweep is mostly fixed overhead)."""


def _run_block_in_worker(args: tuple[StackedData, int, int, int, np.random.SeedSequence, int, bool]) -> dict[str, np.ndarray]:
    """:func:`_run_block` in a worker process, with one BLAS thread (workers share the cores).

    The objects the worker inherited from the process that forked it are frozen (:func:`gc.freeze`, in the
    worker only): the sweeps create few cycles, and each full collection would otherwise walk the parent's
    whole heap (0.2 CPU-seconds a worker on the demo).
    """
    import gc

    from threadpoolctl import threadpool_limits

    gc.freeze()
    with threadpool_limits(limits=1):
        return _run_block(args)


def _run_block(args: tuple[StackedData, int, int, int, np.random.SeedSequence, int, bool]) -> dict[str, np.ndarray]:
    """Sample one block of chains (a top-level function, so worker processes can run it)."""
    design, draws, tune, chains, seed, thin, pooled = args
    rng = np.random.default_rng(seed)
    dn = _dense(design, pooled)
    st = _State(chains, dn, rng)
    keep = _empty_draws(dn, chains, draws)
    for it in range(tune + draws * thin):
        _sweep(st, dn, rng)
        j, rem = divmod(it - tune, thin)
        if it >= tune and rem == thin - 1:
            _record(keep, j, st)
    return keep


def _empty_draws(dn: _Dense, chains: int, draws: int) -> dict[str, np.ndarray]:
    """Room for ``draws`` kept draws of every parameter, chains first (the fields of :class:`GibbsDraws`)."""
    n_a, g, c, k = dn.y.shape[0], dn.onehot.shape[1], dn.c, dn.k
    return {
        "mu": np.empty((chains, draws, c)), "sigma": np.empty((chains, draws, k)),
        "tau": np.empty((chains, draws, g, k)), "mu_group": np.empty((chains, draws, g, c)),
        "beta_std": np.empty((chains, draws, n_a, c)), "a_std": np.empty((chains, draws, n_a)),
        "sigma_e_std": np.empty((chains, draws, n_a)), "nu": np.empty((chains, draws)),
        "gamma_std": np.empty((chains, draws, n_a, dn.f - 1)),
    }


def _record(keep: dict[str, np.ndarray], j: int, st: _State) -> None:
    """Store the current state as draw ``j`` of ``keep``."""
    keep["mu"][:, j] = st.mu
    keep["sigma"][:, j] = st.sigma
    keep["tau"][:, j] = st.tau
    keep["mu_group"][:, j] = st.m
    keep["beta_std"][:, j] = st.beta
    keep["a_std"][:, j] = st.a
    keep["gamma_std"][:, j] = st.gamma
    keep["sigma_e_std"][:, j] = st.se
    keep["nu"][:, j] = st.nu


def _sweep(st: _State, dn: _Dense, rng: np.random.Generator) -> None:
    """One sweep of every block (steps 1-5 of the module docstring), every chain of ``st`` at once."""
    _draw_locations(st, dn, rng)
    resid = dn.y - _fitted(st, dn)
    _draw_residual_scales(st, dn, resid, rng)
    if dn.pooled:
        _draw_scales(st, dn, rng)
        resid = dn.y - _fitted(st, dn)
    if dn.n_cov:
        resid = _draw_covariates(st, dn, resid, rng)
    _draw_nu(st, dn, resid, rng)
    _draw_weights(st, dn, resid, rng)


def gibbs_sample(
    design: StackedData,
    *,
    draws: int,
    tune: int,
    chains: int,
    rng: np.random.Generator,
    thin: int = 1,
    pooled: bool = True,
    cores: int = 1,
) -> GibbsDraws:
    """Run ``chains`` chains of the blocked Gibbs sampler.

    Chains are split into blocks of at most :data:`CHAINS_PER_BLOCK`, each sampled
    vectorised from its own random stream (spawned from ``rng``); blocks run in
    ``cores`` worker processes. The split does not depend on ``cores``, so the
    draws are the same however many processes run them.

    Parameters
    ----------
    design : StackedData
    draws, tune : int
        Kept draws per chain (after thinning) and burn-in sweeps.
    chains : int
    rng : numpy.random.Generator
    thin : int
        Sweeps per kept draw.
    pooled : bool
        Partial pooling (the default model); ``False`` samples ``pooling="none"``.
    cores : int
        Worker processes (1: every block in this process).

    Returns
    -------
    GibbsDraws
    """
    import time

    t0 = time.perf_counter()
    sizes = [min(CHAINS_PER_BLOCK, chains - i) for i in range(0, chains, CHAINS_PER_BLOCK)]
    seeds = np.random.SeedSequence(int(rng.integers(2**63))).spawn(len(sizes))
    jobs = [(design, draws, tune, n, seed, thin, pooled) for n, seed in zip(sizes, seeds, strict=True)]
    if cores > 1 and len(jobs) > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        with ProcessPoolExecutor(max_workers=min(cores, len(jobs)), mp_context=mp.get_context(method)) as pool:
            parts = list(pool.map(_run_block_in_worker, jobs))
    else:
        parts = [_run_block(job) for job in jobs]
    keep = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    return GibbsDraws(**keep, seconds=time.perf_counter() - t0)
