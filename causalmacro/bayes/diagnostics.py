"""Convergence gate of a posterior sample.

A fit passes when every parameter has rank-normalised split R-hat <= 1.01 and
bulk effective sample size >= 400, and no transition diverged (Vehtari,
Gelman, Simpson, Carpenter & Bürkner, 2021, "Rank-normalization, folding, and
localization: an improved R-hat", *Bayesian Analysis* 16(2); Betancourt, 2017,
"A conceptual introduction to Hamiltonian Monte Carlo", on divergences).
"""

from __future__ import annotations

import hashlib
import warnings
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import fft, special

if TYPE_CHECKING:
    import arviz as az

__all__ = ["ESS_BULK_MIN", "RHAT_MAX", "ConvergenceDiagnostics", "diagnose", "ess_bulk", "ess_tail", "first_failing", "gate_check", "rhat_rank"]

RHAT_MAX = 1.01
ESS_BULK_MIN = 400.0

# Deterministics that are a function of the free parameters only through data
# scalings are checked too: the gate covers every posterior variable.


@dataclass(frozen=True)
class ConvergenceDiagnostics:
    """Convergence diagnostics of one or several fits.

    Named apart from :class:`causalmacro.svar.diagnostics.Diagnostics` (the
    VAR's residual checks); ``causalmacro.bayes.Diagnostics`` is a deprecated
    alias of this class.

    Attributes
    ----------
    max_rhat : float
        Largest R-hat over every parameter (worst fit).
    min_ess_bulk, min_ess_tail : float
        Smallest bulk / tail ESS over every parameter (worst fit).
    divergences : int
        Divergent transitions after tuning, summed over fits.
    worst_rhat, worst_ess : str
        Parameter holding the largest R-hat / smallest bulk ESS.
    passed : bool
        Whether the gate (R-hat <= 1.01, bulk ESS >= 400, no divergences) passed.
    n_fits : int
        Number of fits combined (more than one with shock-uncertainty propagation).
    messages : tuple of str
        One line per failed criterion.
    """

    max_rhat: float
    min_ess_bulk: float
    min_ess_tail: float
    divergences: int
    worst_rhat: str
    worst_ess: str
    passed: bool
    n_fits: int = 1
    messages: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "max_rhat": float(self.max_rhat),
            "min_ess_bulk": float(self.min_ess_bulk),
            "min_ess_tail": float(self.min_ess_tail),
            "divergences": int(self.divergences),
            "worst_rhat": self.worst_rhat,
            "worst_ess": self.worst_ess,
            "passed": bool(self.passed),
            "n_fits": int(self.n_fits),
            "messages": list(self.messages),
            "thresholds": {"rhat_max": RHAT_MAX, "ess_bulk_min": ESS_BULK_MIN},
        }

    def __str__(self) -> str:
        state = "PASSED" if self.passed else "FAILED"
        text = (
            f"convergence gate {state}: max R-hat {self.max_rhat:.3f} (limit {RHAT_MAX}; {self.worst_rhat}), "
            f"min bulk ESS {self.min_ess_bulk:.0f} (limit {ESS_BULK_MIN}; {self.worst_ess}), "
            f"min tail ESS {self.min_ess_tail:.0f}, divergences {self.divergences}"
        )
        return text

    @classmethod
    def combine(cls, parts: Sequence[ConvergenceDiagnostics]) -> ConvergenceDiagnostics:
        """Worst case over several fits (divergences are summed)."""
        if not parts:
            raise ValueError("no diagnostics to combine")
        worst_r = max(parts, key=lambda d: d.max_rhat)
        worst_e = min(parts, key=lambda d: d.min_ess_bulk)
        messages = tuple(dict.fromkeys(m for d in parts for m in d.messages))
        return cls(
            max_rhat=worst_r.max_rhat,
            min_ess_bulk=worst_e.min_ess_bulk,
            min_ess_tail=min(d.min_ess_tail for d in parts),
            divergences=sum(d.divergences for d in parts),
            worst_rhat=worst_r.worst_rhat,
            worst_ess=worst_e.worst_ess,
            passed=all(d.passed for d in parts),
            n_fits=sum(d.n_fits for d in parts),
            messages=messages,
        )


def _extreme(post: Any, values: Mapping[str, np.ndarray], pick: str) -> tuple[float, str]:
    """Max or min over every element of every variable's ``values`` (shaped as the variable less its
    ``chain``/``draw`` dimensions), with its label from ``post``'s coordinates; a NaN loses."""
    best_val, best_name = (-np.inf if pick == "max" else np.inf), ""
    for name, vals in values.items():
        if vals.size == 0:
            continue
        flat = np.where(np.isfinite(vals), vals, np.inf if pick == "max" else -np.inf).ravel()
        pos = int(np.argmax(flat) if pick == "max" else np.argmin(flat))
        val = float(flat[pos])
        if (pick == "max" and val > best_val) or (pick == "min" and val < best_val):
            da = post[name]
            dims = da.dims[2:]
            idx = np.unravel_index(pos, vals.shape) if vals.ndim else ()
            labels = [str(da[d].values[i]) for d, i in zip(dims, idx, strict=True)]
            best_val, best_name = val, f"{name}[{', '.join(labels)}]" if labels else str(name)
    return best_val, best_name


def diagnose(idata: az.InferenceData | Mapping[str, Any], var_names: Sequence[str] | None = None) -> ConvergenceDiagnostics:
    """Apply the convergence gate to a posterior sample.

    R-hat, bulk and tail ESS are :func:`rhat_rank`, :func:`ess_bulk` and :func:`ess_tail`: the numbers
    :func:`arviz.rhat` and :func:`arviz.ess` give (to rounding, ``tests/bayes/test_rounds.py``), computed
    for every element of a variable at once rather than element by element.

    Parameters
    ----------
    idata : arviz.InferenceData or mapping of str to xarray.Dataset
        Posterior with a ``sample_stats.diverging`` variable.
    var_names : sequence of str, optional
        Variables checked; default every posterior variable.

    Returns
    -------
    ConvergenceDiagnostics
    """
    post = idata["posterior"]
    names = [str(n) for n in post.data_vars] if var_names is None else list(var_names)
    arrays = {name: np.asarray(post[name].transpose("chain", "draw", ...).values, dtype=float) for name in names}
    pairs = {k: _rhat_and_bulk_ess(v) for k, v in arrays.items()}
    max_rhat, worst_rhat = _extreme(post, {k: r for k, (r, _) in pairs.items()}, "max")
    min_bulk, worst_ess = _extreme(post, {k: e for k, (_, e) in pairs.items()}, "min")
    min_tail, _ = _extreme(post, {k: ess_tail(v) for k, v in arrays.items()}, "min")
    divergences = int(idata["sample_stats"]["diverging"].sum()) if "sample_stats" in idata else 0
    messages = []
    if not max_rhat <= RHAT_MAX:
        messages.append(f"R-hat {max_rhat:.3f} > {RHAT_MAX} for {worst_rhat}")
    if not min_bulk >= ESS_BULK_MIN:
        messages.append(f"bulk ESS {min_bulk:.0f} < {ESS_BULK_MIN:.0f} for {worst_ess}")
    if divergences:
        messages.append(f"{divergences} divergent transitions")
    return ConvergenceDiagnostics(
        max_rhat=max_rhat,
        min_ess_bulk=min_bulk,
        min_ess_tail=min_tail,
        divergences=divergences,
        worst_rhat=worst_rhat,
        worst_ess=worst_ess,
        passed=not messages,
        messages=tuple(messages),
    )


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n along every row of ``(p, n)``, ties given their average rank (``scipy.stats.rankdata``'s
    ``"average"`` method, which loops over rows in Python: this sorts every row at once and averages only the
    runs of equal values)."""
    p, n = x.shape
    order = np.argsort(x, axis=1)  # any order among ties: they get the same average
    xs = np.take_along_axis(x, order, axis=1)
    vals = np.tile(np.arange(1.0, n + 1.0), (p, 1))
    row, pos = np.nonzero(xs[:, 1:] == xs[:, :-1])  # sorted positions pos and pos + 1 hold equal values
    if row.size:
        key = row * n + pos
        new_run = np.ones(key.size, dtype=bool)
        new_run[1:] = key[1:] != key[:-1] + 1
        run = np.cumsum(new_run) - 1
        ends = np.append(new_run[1:], True)
        mean_rank = (pos[new_run] + pos[ends] + 1) / 2.0 + 1.0  # a run covers sorted positions first..last + 1
        vals[row, pos] = mean_rank[run]
        vals[row, pos + 1] = mean_rank[run]
    ranks = np.empty((p, n))
    ranks.ravel()[(order + (np.arange(p) * n)[:, None]).ravel()] = vals.ravel()
    return ranks


def _z_scale(x: np.ndarray) -> np.ndarray:
    """Rank-normalise every row of ``(p, n)`` (average ranks, Blom's offset 3/8, the normal quantile)."""
    return np.asarray(special.ndtri((_average_ranks(x) - 0.375) / (x.shape[1] + 0.25)))


def _split(x: np.ndarray) -> np.ndarray:
    """``(p, chain, draw)`` -> ``(p, 2 chain, draw // 2)``: each chain's first and last halves (the middle draw
    of an odd count dropped), as arviz splits chains."""
    half = x.shape[2] // 2
    return np.concatenate([x[:, :, :half], x[:, :, x.shape[2] - half:]], axis=1)


def _rhat_3d(z: np.ndarray) -> np.ndarray:
    """Split R-hat of ``(p, chain, draw)``, per row (arviz's ``_rhat``)."""
    n = z.shape[2]
    between = n * np.var(z.mean(axis=2), axis=1, ddof=1)
    within = np.var(z, axis=2, ddof=1).mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.sqrt((between / within + n - 1) / n))


_BLOCK = 32  # elements per block: every temporary is block x chains x draws, small enough to stay in cache


def _blocks(draws: np.ndarray) -> tuple[tuple[int, ...], list[np.ndarray]]:
    """``(chain, draw, ...)`` draws as contiguous ``(block, chain, draw)`` arrays of at most :data:`_BLOCK`
    elements each, with the shape of one draw: every statistic below works along the last axis, where the data
    are contiguous, a block at a time (whole-array temporaries cost more in memory traffic than the arithmetic)."""
    x = np.asarray(draws)
    if x.ndim < 2:
        raise ValueError(f"draws: expected (chain, draw, ...), got shape {x.shape}")
    flat = x.reshape(x.shape[0], x.shape[1], -1)
    out = [np.ascontiguousarray(np.moveaxis(flat[:, :, i: i + _BLOCK], 2, 0), dtype=float)
           for i in range(0, flat.shape[2], _BLOCK)]
    return x.shape[2:], out


def _rhat_and_bulk_ess_block(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R-hat and bulk ESS of every row of a ``(p, chain, draw)`` block."""
    p = x.shape[0]
    rhat = np.full(p, np.nan)
    ess = np.full(p, np.nan)
    if x.shape[2] >= 4:
        s = _split(x)
        flat = s.reshape(p, -1)
        z = _z_scale(flat).reshape(s.shape)
        ess = _ess_3d(z)
        if x.shape[1] >= 2:
            bulk = _rhat_3d(z)
            tail = _rhat_3d(_z_scale(np.abs(flat - np.median(flat, axis=1, keepdims=True))).reshape(s.shape))
            rhat = np.where(tail > bulk, tail, bulk)  # Python's max(bulk, tail), NaN as arviz leaves it
    bad = np.isnan(x).any(axis=(1, 2))
    rhat[bad] = np.nan
    ess[bad] = np.nan
    return rhat, ess


_MEMO: OrderedDict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = OrderedDict()
_MEMO_SIZE = 64  # variables: a fit's gate check and its diagnose() share the R-hat and bulk ESS of each


def _rhat_and_bulk_ess(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`rhat_rank` and :func:`ess_bulk` of ``draws`` together: both use the z-scaled split chains, ranked
    once here.

    Remembered for the last :data:`_MEMO_SIZE` arrays by a digest of their bytes: the Gibbs sampler's last gate
    check and :func:`diagnose` look at the same draws, so the second asks again for numbers already computed (the
    digest costs a few percent of the sort it saves; the results are read-only copies).
    """
    x = np.ascontiguousarray(draws, dtype=float)
    key = (x.shape, hashlib.blake2b(x.data, digest_size=16).digest())
    hit = _MEMO.get(key)
    if hit is not None:
        _MEMO.move_to_end(key)
        return hit
    shape, blocks = _blocks(x)
    if not blocks:
        out = (np.full(shape, np.nan), np.full(shape, np.nan))
    else:
        parts = [_rhat_and_bulk_ess_block(b) for b in blocks]
        out = (np.concatenate([r for r, _ in parts]).reshape(shape),
               np.concatenate([e for _, e in parts]).reshape(shape))
    for a in out:
        a.flags.writeable = False
    _MEMO[key] = out
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)
    return out


def rhat_rank(draws: np.ndarray) -> np.ndarray:
    """Rank-normalised split R-hat of every element of ``(chain, draw, ...)`` draws, vectorised.

    The larger of the bulk R-hat (z-scaled split chains) and the tail R-hat (z-scaled
    folded split chains), as :func:`arviz.rhat` with ``method="rank"`` computes it
    element by element (Vehtari et al., 2021); shape ``draws.shape[2:]``. NaN where a
    column holds a NaN or, as arviz, fewer than 2 chains or 4 draws.
    """
    return _rhat_and_bulk_ess(draws)[0].copy()


def _ess_3d(z: np.ndarray) -> np.ndarray:
    """ESS of ``(p, chain, draw)`` per row: Geyer's initial positive and monotone sequences (arviz's ``_ess``)."""
    p, m, n = z.shape
    size = m * n
    nfft = fft.next_fast_len(2 * n)
    acov = fft.irfft(np.abs(fft.rfft(z - z.mean(axis=2, keepdims=True), n=nfft, axis=2)) ** 2,
                     axis=2, n=nfft)[:, :, :n] / n
    mean_var = acov[:, :, 0].mean(axis=1) * n / (n - 1.0)
    var_plus = mean_var * (n - 1.0) / n
    if m > 1:
        var_plus = var_plus + np.var(z.mean(axis=2), axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = (1.0 - (mean_var[:, None] - acov.mean(axis=1)) / var_plus[:, None]).T  # (n, p): every lag
    rho[0] = 1.0
    k_max = max((n - 3) // 2, 0)  # the last pair (rho[2k], rho[2k+1]) arviz's loop reaches
    pairs = rho[: 2 * k_max + 2].reshape(k_max + 1, 2, p)
    sums = pairs.sum(axis=1)  # (k_max + 1, p)
    nonpos = sums <= 0
    first = np.where(nonpos.any(axis=0), nonpos.argmax(axis=0), k_max + 1)
    big_k = np.minimum(k_max, first)  # pairs 1..K computed; 0..K-1 enter tau in full
    monotone = np.minimum.accumulate(sums, axis=0)
    idx = np.arange(k_max + 1)[:, None]
    head = np.where(idx < big_k, monotone, 0.0).sum(axis=0)
    last_even = np.take_along_axis(pairs[:, 0], big_k[None], axis=0)[0]
    last_sum = np.take_along_axis(sums, big_k[None], axis=0)[0]
    tail = np.where((last_even > 0) | (last_sum >= 0), last_even, 0.0)
    tau = np.maximum(-1.0 + 2.0 * head + tail, 1.0 / np.log10(size))
    ess = size / tau
    ess[np.isnan(rho).any(axis=0)] = np.nan
    const = (z.max(axis=(1, 2)) - z.min(axis=(1, 2))) < np.finfo(float).resolution
    ess[const] = size
    return np.asarray(ess)


def ess_bulk(draws: np.ndarray) -> np.ndarray:
    """Bulk effective sample size of every element of ``(chain, draw, ...)`` draws, vectorised.

    The ESS of the z-scaled split chains, as :func:`arviz.ess` with ``method="bulk"``
    computes it element by element; shape ``draws.shape[2:]``. NaN where a column
    holds a NaN or there are fewer than 4 draws.
    """
    return _rhat_and_bulk_ess(draws)[1].copy()


def gate_check(draws: Mapping[str, np.ndarray]) -> tuple[bool, float, float]:
    """The gate's two sample criteria on raw draw arrays: ``(passed, max R-hat, min bulk ESS)``.

    ``draws`` maps names to ``(chain, draw, ...)`` arrays (every variable the gate
    covers); the gate passes when every element has :func:`rhat_rank` <= :data:`RHAT_MAX`
    and :func:`ess_bulk` >= :data:`ESS_BULK_MIN` (a NaN fails, as in :func:`diagnose`).
    The same numbers as :func:`diagnose` without building an InferenceData, the
    tail ESS (reported, not gated) or the labels.
    """
    max_rhat, min_ess = -np.inf, np.inf
    for values in draws.values():
        if np.size(values) == 0:
            continue
        r, e = _rhat_and_bulk_ess(values)
        max_rhat = max(max_rhat, float(np.where(np.isnan(r), np.inf, r).max()))
        min_ess = min(min_ess, float(np.where(np.isnan(e), -np.inf, e).min()))
    return bool(max_rhat <= RHAT_MAX and min_ess >= ESS_BULK_MIN), max_rhat, min_ess


def first_failing(draws: Mapping[str, np.ndarray], order: Sequence[str] = ()) -> str | None:
    """The first variable of ``draws`` that fails the gate's sample criteria, or None when all pass.

    What :func:`gate_check` decides, checking the variables named in ``order`` first and stopping at the
    first failure: the Gibbs sampler's per-round check (:mod:`causalmacro.bayes.rounds`), which passes the
    variable that failed the round before first, so that a round that fails again costs one variable.
    """
    names = [n for n in order if n in draws] + [n for n in draws if n not in order]
    for name in names:
        values = draws[name]
        if np.size(values) and not gate_check({name: values})[0]:
            return name
    return None


def __getattr__(name: str) -> Any:
    """``Diagnostics``: the deprecated name of :class:`ConvergenceDiagnostics`."""
    if name == "Diagnostics":
        warnings.warn("causalmacro.bayes.Diagnostics is deprecated; use ConvergenceDiagnostics",
                      DeprecationWarning, stacklevel=2)
        return ConvergenceDiagnostics
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _ess_tail_block(x: np.ndarray) -> np.ndarray:
    """Tail ESS of every row of a ``(p, chain, draw)`` block."""
    out = np.full(x.shape[0], np.nan)
    if x.shape[2] >= 4:
        q = np.quantile(x.reshape(x.shape[0], -1), [0.05, 0.95], axis=1)
        low = _ess_3d(_split((x <= q[0][:, None, None]).astype(float)))
        high = _ess_3d(_split((x <= q[1][:, None, None]).astype(float)))
        out = np.where(high < low, high, low)  # Python's min(low, high), as arviz takes it
    out[np.isnan(x).any(axis=(1, 2))] = np.nan
    return out


def ess_tail(draws: np.ndarray) -> np.ndarray:
    """Tail effective sample size of every element of ``(chain, draw, ...)`` draws, vectorised.

    The smaller of the ESS of the indicators ``draw <= q05`` and ``draw <= q95`` (the 5% and 95%
    quantiles of all the element's draws, R's type 7) on split chains, as :func:`arviz.ess` with
    ``method="tail"`` computes it element by element (Vehtari et al., 2021); shape
    ``draws.shape[2:]``. NaN where a column holds a NaN or there are fewer than 4 draws.
    """
    shape, blocks = _blocks(draws)
    if not blocks:
        return np.full(shape, np.nan)
    return np.concatenate([_ess_tail_block(b) for b in blocks]).reshape(shape)
