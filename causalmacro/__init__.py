"""causalmacro: causal and statistical models of the macro liquidity chain and crypto.

The chain ``inflation -> interest rates -> liquidity -> risk appetite -> asset
prices`` is estimated with a structural VAR (:class:`SVAR`) and a Bayesian
hierarchical model of asset responses (:class:`AssetResponseModel`) on data
from FRED, a folder of FRED downloads, user data or the embedded synthetic
demo.

Data flows one way: spec -> data -> transforms -> estimators -> results ->
graph -> plots/report.

Examples
--------
>>> import causalmacro as cm
>>> spec = cm.load_spec("models/demo.toml")                 # doctest: +SKIP
>>> panel = cm.build_panel(spec, cm.open_source(spec))      # doctest: +SKIP
>>> res = cm.SVAR(panel.data, order=spec.var.order).fit()   # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .data import fetch, open_source
from .errors import CausalMacroError, DataError, FetchError, SpecError, StoreError
from .panel import Panel, build_panel
from .spec import ModelSpec, load_spec

if TYPE_CHECKING:
    from .bayes import DEFAULT_GROUPS, AssetResponseModel, AssetResponseResults
    from .data import Store
    from .svar import SVAR, LongRun, Recursive, ShortRun, SignRestrictions, SVARResults

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_GROUPS",
    "SVAR",
    "AssetResponseModel",
    "AssetResponseResults",
    "CausalMacroError",
    "DataError",
    "FetchError",
    "LongRun",
    "ModelSpec",
    "Panel",
    "Recursive",
    "SVARResults",
    "ShortRun",
    "SignRestrictions",
    "SpecError",
    "Store",
    "StoreError",
    "__version__",
    "build_panel",
    "fetch",
    "load_spec",
    "open_source",
]

# heavy dependencies (statsmodels, PyMC) load on first use, not at import
_LAZY = {
    "SVAR": ".svar",
    "SVARResults": ".svar",
    "Recursive": ".svar",
    "ShortRun": ".svar",
    "SignRestrictions": ".svar",
    "LongRun": ".svar",
    "AssetResponseModel": ".bayes",
    "AssetResponseResults": ".bayes",
    "DEFAULT_GROUPS": ".bayes",
    "Store": ".data",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'causalmacro' has no attribute {name!r}")
