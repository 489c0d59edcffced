"""Bayesian hierarchical model of asset responses to structural shocks.

Where does crypto sit on the asset spectrum? :class:`AssetResponseModel`
estimates each asset's distributed-lag response to the SVAR's structural
shocks with partial pooling within asset classes (Gelman & Hill, 2007;
Gelman et al., 2013), and :class:`AssetResponseResults` ranks the assets
(``spectrum``), compares classes (``prob_greater``) and reports the
convergence gate (``diagnostics``).
"""

from __future__ import annotations

import warnings
from typing import Any

from .design import DEFAULT_GROUPS, StackedData
from .diagnostics import ConvergenceDiagnostics
from .estimator import AssetResponseModel
from .results import AssetResponseResults, FitFailedWarning

__all__ = [
    "DEFAULT_GROUPS",
    "AssetResponseModel",
    "AssetResponseResults",
    "ConvergenceDiagnostics",
    "FitFailedWarning",
    "StackedData",
]


def __getattr__(name: str) -> Any:
    """``Diagnostics``: the deprecated name of :class:`ConvergenceDiagnostics`."""
    if name == "Diagnostics":
        warnings.warn("causalmacro.bayes.Diagnostics is deprecated; use ConvergenceDiagnostics",
                      DeprecationWarning, stacklevel=2)
        return ConvergenceDiagnostics
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
