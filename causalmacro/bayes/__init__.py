"""Bayesian hierarchical model of asset responses to structural shocks.

Where does crypto sit on the asset spectrum? :class:`AssetResponseModel`
estimates each asset's distributed-lag response to the SVAR's structural
shocks with partial pooling within asset classes (Gelman & Hill, 2007;
Gelman et al., 2013), and :class:`AssetResponseResults` ranks the assets
(``spectrum``), compares classes (``prob_greater``) and reports the
convergence gate (``diagnostics``).
"""

from __future__ import annotations

from .design import DEFAULT_GROUPS, StackedData
from .diagnostics import ConvergenceDiagnostics
from .diagnostics import __getattr__ as __getattr__  # the deprecated name Diagnostics, once
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

