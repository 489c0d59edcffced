"""Convergence gate of a posterior sample.

A fit passes when every parameter has rank-normalised split R-hat <= 1.01 and
bulk effective sample size >= 400, and no transition diverged (Vehtari,
Gelman, Simpson, Carpenter & Bürkner, 2021, "Rank-normalization, folding, and
localization: an improved R-hat", *Bayesian Analysis* 16(2); Betancourt, 2017,
"A conceptual introduction to Hamiltonian Monte Carlo", on divergences).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import arviz as az
import numpy as np

__all__ = ["ESS_BULK_MIN", "RHAT_MAX", "ConvergenceDiagnostics", "diagnose"]

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


def __getattr__(name: str) -> Any:
    """``Diagnostics``: the deprecated name of :class:`ConvergenceDiagnostics`."""
    if name == "Diagnostics":
        warnings.warn("causalmacro.bayes.Diagnostics is deprecated; use ConvergenceDiagnostics",
                      DeprecationWarning, stacklevel=2)
        return ConvergenceDiagnostics
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
