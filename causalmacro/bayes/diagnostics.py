"""Convergence gate of a posterior sample.

A fit passes when every parameter has rank-normalised split R-hat <= 1.01 and
bulk effective sample size >= 400, and no transition diverged (Vehtari,
Gelman, Simpson, Carpenter & Bürkner, 2021, "Rank-normalization, folding, and
localization: an improved R-hat", *Bayesian Analysis* 16(2); Betancourt, 2017,
"A conceptual introduction to Hamiltonian Monte Carlo", on divergences).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import arviz as az
import numpy as np
from scipy import fft, stats

__all__ = ["ESS_BULK_MIN", "RHAT_MAX", "ConvergenceDiagnostics", "diagnose", "ess_bulk", "gate_check", "rhat_rank"]

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


def _extreme(ds: Any, pick: str) -> tuple[float, str]:
    """Max or min over every element of every variable, with its label."""
    best_val, best_name = (-np.inf if pick == "max" else np.inf), ""
    for name, da in ds.data_vars.items():
        vals = np.asarray(da.values, dtype=float)
        if vals.size == 0:
            continue
        flat = np.where(np.isfinite(vals), vals, np.inf if pick == "max" else -np.inf).ravel()
        pos = int(np.argmax(flat) if pick == "max" else np.argmin(flat))
        val = float(flat[pos])
        if (pick == "max" and val > best_val) or (pick == "min" and val < best_val):
            idx = np.unravel_index(pos, vals.shape) if vals.ndim else ()
            labels = [str(da[d].values[i]) for d, i in zip(da.dims, idx, strict=True)]
            best_val, best_name = val, f"{name}[{', '.join(labels)}]" if labels else str(name)
    return best_val, best_name


def diagnose(idata: az.InferenceData, var_names: Sequence[str] | None = None) -> ConvergenceDiagnostics:
    """Apply the convergence gate to a posterior sample.

    Parameters
    ----------
    idata : arviz.InferenceData
        Posterior with a ``sample_stats.diverging`` variable.
    var_names : sequence of str, optional
        Variables checked; default every posterior variable.

    Returns
    -------
    ConvergenceDiagnostics
    """
    post = idata["posterior"] if var_names is None else idata["posterior"][list(var_names)]
    rhat = az.rhat(post)
    ess_bulk = az.ess(post, method="bulk")
    ess_tail = az.ess(post, method="tail")
    max_rhat, worst_rhat = _extreme(rhat, "max")
    min_bulk, worst_ess = _extreme(ess_bulk, "min")
    min_tail, _ = _extreme(ess_tail, "min")
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


def _z_scale(x: np.ndarray) -> np.ndarray:
    """Rank-normalise every column of ``(n, p)`` (average ranks, Blom's offset 3/8, the normal quantile)."""
    rank = stats.rankdata(x, axis=0, method="average")
    return np.asarray(stats.norm.ppf((rank - 0.375) / (x.shape[0] + 0.25)))


def _split(x: np.ndarray) -> np.ndarray:
    """``(chain, draw, p)`` -> ``(2 chain, draw // 2, p)``: each chain's first and last halves (the middle draw
    of an odd count dropped), as arviz splits chains."""
    half = x.shape[1] // 2
    return np.concatenate([x[:, :half], x[:, x.shape[1] - half:]], axis=0)


def _rhat_2d(z: np.ndarray) -> np.ndarray:
    """Split R-hat of ``(chain, draw, p)``, per column (arviz's ``_rhat``)."""
    n = z.shape[1]
    between = n * np.var(z.mean(axis=1), axis=0, ddof=1)
    within = np.var(z, axis=1, ddof=1).mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.sqrt((between / within + n - 1) / n))


def _flat(draws: np.ndarray) -> np.ndarray:
    x = np.asarray(draws, dtype=float)
    if x.ndim < 2:
        raise ValueError(f"draws: expected (chain, draw, ...), got shape {x.shape}")
    return x.reshape(x.shape[0], x.shape[1], -1)


def rhat_rank(draws: np.ndarray) -> np.ndarray:
    """Rank-normalised split R-hat of every element of ``(chain, draw, ...)`` draws, vectorised.

    The larger of the bulk R-hat (z-scaled split chains) and the tail R-hat (z-scaled
    folded split chains), as :func:`arviz.rhat` with ``method="rank"`` computes it
    element by element (Vehtari et al., 2021); shape ``draws.shape[2:]``. NaN where a
    column holds a NaN or, as arviz, fewer than 2 chains or 4 draws.
    """
    x = _flat(draws)
    out = np.full(x.shape[2], np.nan)
    if x.shape[0] >= 2 and x.shape[1] >= 4:
        s = _split(x)
        c, n, p = s.shape
        flat = s.reshape(c * n, p)
        bulk = _rhat_2d(_z_scale(flat).reshape(c, n, p))
        tail = _rhat_2d(_z_scale(np.abs(flat - np.median(flat, axis=0))).reshape(c, n, p))
        out = np.where(tail > bulk, tail, bulk)  # Python's max(bulk, tail), NaN as arviz leaves it
    out[np.isnan(x).any(axis=(0, 1))] = np.nan
    return out.reshape(np.shape(draws)[2:])


def _ess_2d(z: np.ndarray) -> np.ndarray:
    """ESS of ``(chain, draw, p)`` per column: Geyer's initial positive and monotone sequences (arviz's ``_ess``)."""
    m, n, p = z.shape
    size = m * n
    acov = fft.irfft(np.abs(fft.rfft(z - z.mean(axis=1, keepdims=True), n=fft.next_fast_len(2 * n), axis=1)) ** 2,
                     axis=1, n=fft.next_fast_len(2 * n))[:, :n] / n
    mean_var = acov[:, 0].mean(axis=0) * n / (n - 1.0)
    var_plus = mean_var * (n - 1.0) / n
    if m > 1:
        var_plus = var_plus + np.var(z.mean(axis=1), axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = 1.0 - (mean_var - acov.mean(axis=0)) / var_plus  # (n, p): every lag
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
    const = (z.max(axis=(0, 1)) - z.min(axis=(0, 1))) < np.finfo(float).resolution
    ess[const] = size
    return np.asarray(ess)


def ess_bulk(draws: np.ndarray) -> np.ndarray:
    """Bulk effective sample size of every element of ``(chain, draw, ...)`` draws, vectorised.

    The ESS of the z-scaled split chains, as :func:`arviz.ess` with ``method="bulk"``
    computes it element by element; shape ``draws.shape[2:]``. NaN where a column
    holds a NaN or there are fewer than 4 draws.
    """
    x = _flat(draws)
    out = np.full(x.shape[2], np.nan)
    if x.shape[1] >= 4:
        s = _split(x)
        c, n, p = s.shape
        out = _ess_2d(_z_scale(s.reshape(c * n, p)).reshape(c, n, p))
    out[np.isnan(x).any(axis=(0, 1))] = np.nan
    return out.reshape(np.shape(draws)[2:])


def gate_check(draws: Mapping[str, np.ndarray]) -> tuple[bool, float, float]:
    """The gate's two sample criteria on raw draw arrays: ``(passed, max R-hat, min bulk ESS)``.

    ``draws`` maps names to ``(chain, draw, ...)`` arrays (every variable the gate
    covers); the gate passes when every element has :func:`rhat_rank` <= :data:`RHAT_MAX`
    and :func:`ess_bulk` >= :data:`ESS_BULK_MIN` (a NaN fails, as in :func:`diagnose`).
    The same numbers as :func:`diagnose` without building an InferenceData, the
    tail ESS (reported, not gated) or the labels: what the Gibbs sampler checks
    each round when it samples to the gate (:mod:`causalmacro.bayes.rounds`).
    """
    max_rhat, min_ess = -np.inf, np.inf
    for values in draws.values():
        if np.size(values) == 0:
            continue
        r = rhat_rank(values)
        e = ess_bulk(values)
        max_rhat = max(max_rhat, float(np.where(np.isnan(r), np.inf, r).max()))
        min_ess = min(min_ess, float(np.where(np.isnan(e), -np.inf, e).min()))
    return bool(max_rhat <= RHAT_MAX and min_ess >= ESS_BULK_MIN), max_rhat, min_ess


def __getattr__(name: str) -> Any:
    """``Diagnostics``: the deprecated name of :class:`ConvergenceDiagnostics`."""
    if name == "Diagnostics":
        warnings.warn("causalmacro.bayes.Diagnostics is deprecated; use ConvergenceDiagnostics",
                      DeprecationWarning, stacklevel=2)
        return ConvergenceDiagnostics
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
