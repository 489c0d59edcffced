"""Vectorised random variates for the Gibbs sampler: truncated normals and slice sampling.

References
----------
Neal, R. M. (2003). Slice sampling. *Annals of Statistics* 31(3), 705-767.
Robert, C. P. (1995). Simulation of truncated normal variables. *Statistics and Computing* 5(2), 121-125.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import special

__all__ = ["slice_update", "truncated_positive_normal"]


def truncated_positive_normal(mean: np.ndarray, sd: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Exact draws of N(mean, sd^2) truncated to (0, inf), vectorised.

    Inverse-CDF sampling where the bound is at most 5 sds above the mean;
    beyond, Robert's (1995) exponential rejection sampler (acceptance > 0.98).
    """
    a = -mean / sd  # standardised lower bound
    if (a < 5.0).all():  # no tail (the usual case): the same uniforms, in the same order, as below
        lo = special.ndtr(a)
        return np.maximum(mean + sd * special.ndtri(lo + (1.0 - lo) * rng.uniform(size=lo.shape)), 1e-12)
    out = np.empty(np.broadcast(mean, sd).shape)
    body = a < 5.0
    lo = special.ndtr(a[body])
    out[body] = special.ndtri(lo + (1.0 - lo) * rng.uniform(size=lo.shape))
    tail = np.flatnonzero(~body.ravel())
    at = a.ravel()[tail]
    alpha = (at + np.sqrt(at**2 + 4.0)) / 2.0
    z = np.empty(tail.size)
    todo = np.ones(tail.size, dtype=bool)
    while todo.any():
        cand = at[todo] + rng.exponential(size=int(todo.sum())) / alpha[todo]
        ok = rng.uniform(size=cand.size) < np.exp(-((cand - alpha[todo]) ** 2) / 2.0)
        idx = np.flatnonzero(todo)[ok]
        z[idx] = cand[ok]
        todo[idx] = False
    out.ravel()[tail] = z
    return np.maximum(mean + sd * out, 1e-12)


def slice_update(f: Callable[[np.ndarray], np.ndarray], x0: np.ndarray, rng: np.random.Generator, width: float | np.ndarray) -> np.ndarray:
    """One slice-sampling update of every entry of ``x0`` (independent targets), vectorised.

    ``f`` maps an array shaped like ``x0`` to the log densities of its entries,
    entry by entry, and must broadcast over a leading axis: it is called on a
    stack of such arrays (the current point with both interval ends, then both
    ends while stepping out), so one call does the work of three. An interval of
    ``width`` (a scalar or one per entry) placed uniformly at random around
    ``x0``, stepped out until it brackets the slice, then shrunk (Neal, 2003,
    sec. 4, fig. 3 and 5). The random stream is consumed as by one call per
    array (level, interval, then one uniform per entry and shrink).
    """
    u = rng.uniform(size=x0.shape)
    left = x0 - width * rng.uniform(size=x0.shape)
    right = left + width
    f0, f_left, f_right = f(np.stack([x0, left, right]))
    level = f0 + np.log(u)
    out_left, out_right = f_left > level, f_right > level
    for _ in range(50):  # each end steps out at most 50 times, both ends evaluated in one call
        if not (out_left.any() or out_right.any()):
            break
        left = np.where(out_left, left - width, left)
        right = np.where(out_right, right + width, right)
        f_left, f_right = f(np.stack([left, right]))
        out_left &= f_left > level
        out_right &= f_right > level
    new = np.array(x0, dtype=float, copy=True)
    left, right = np.array(left, dtype=float, copy=True), np.array(right, dtype=float, copy=True)
    todo = np.ones(x0.shape, dtype=bool)
    for _ in range(200):
        cand = left + (right - left) * rng.random(size=left.shape)  # rng.uniform(left, right), bit for bit, sooner
        ok = (f(cand) > level) & todo
        np.copyto(new, cand, where=ok)
        todo ^= ok
        if not todo.any():
            break
        below = cand < x0
        np.copyto(left, cand, where=todo & below)
        np.copyto(right, cand, where=todo & ~below)
    return new
