"""causalmacro: causal and statistical models of the macro liquidity chain and crypto.

The chain ``inflation -> interest rates -> liquidity -> risk appetite -> asset
prices`` is estimated with a structural VAR (:class:`SVAR`) and a Bayesian
hierarchical model of asset responses (:class:`AssetResponseModel`) on data
from FRED, a folder of FRED downloads, user data or the embedded synthetic
demo.

Data flows one way: spec -> data -> panel -> estimators (svar, bayes) ->
graph -> pipeline (:func:`fit_spec`) -> plotting -> report -> CLI.

Examples
--------
>>> import causalmacro as cm
>>> spec = cm.load_spec("models/demo.toml")                 # doctest: +SKIP
>>> panel = cm.build_panel(spec, cm.open_source(spec))      # doctest: +SKIP
>>> res = cm.SVAR(panel.data, order=spec.var.order).fit()   # doctest: +SKIP
"""

# no ``from __future__ import annotations``: it would bind ``annotations`` as a module attribute; every
# module global here is either public (in ``__all__``) or private (``_name``), and ``dir(cm)`` lists ``__all__``
from importlib import import_module as _import_module
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from .errors import ArgumentError, CausalMacroError, DataError, FetchError, SpecError, StoreError

if _TYPE_CHECKING:
    from collections.abc import Mapping

    from .bayes import AssetResponseModel, AssetResponseResults
    from .build import build_asset_model, build_local_projections, build_svar
    from .bvar import BVAR, BayesianSVARResults, BVARResults, Minnesota
    from .data import Store, fetch, open_source
    from .graph import dependency_graph, read_graph, significant_edges, write_graph
    from .lp import LocalProjections
    from .panel import Panel, build_panel, event_dummies, regimes
    from .pipeline import CyclePosition, RunResults, asset_returns, cycle_position, fit_spec
    from .plotting import (
        plot_channels,
        plot_event_effects,
        plot_fevd,
        plot_graph,
        plot_historical_decomposition,
        plot_irf,
        plot_liquidity_tracker,
        plot_lp,
        plot_position,
        plot_spec_curve,
        plot_spectrum,
        plot_spectrum_by_regime,
    )
    from .report import write_run
    from .spec import ModelSpec, event_catalogue, load_spec
    from .specgrid import GridResults, grid, load_grid
    from .svar import (
        SVAR,
        BootstrapDraws,
        ChangesInVolatility,
        LongRun,
        NarrativeRestriction,
        NonGaussian,
        Proxy,
        Recursive,
        ShortRun,
        SignRestrictions,
        SVARResults,
        WeakIdentificationWarning,
        load_results,
    )

__version__ = "0.1.0"

#: Default asset classes of :class:`AssetResponseModel` (its ``groups=None``): a dict of series name ->
#: class (``crypto``, ``equity``, ``safe_haven`` or ``credit``), listing both the short names and the FRED IDs of
#: the shipped specs' assets (``BTC`` and ``CBBTCUSD``, ``UST10Y`` and ``DGS10``, ...). Treasuries enter as the
#: change in the 10-year yield and credit as the change in the high-yield spread. Loaded on first use from
#: :mod:`causalmacro.bayes`.
DEFAULT_GROUPS: "Mapping[str, str]"  # declared only: the value comes from __getattr__ below

__all__ = [
    "BVAR",
    "DEFAULT_GROUPS",
    "SVAR",
    "ArgumentError",
    "AssetResponseModel",
    "AssetResponseResults",
    "BVARResults",
    "BayesianSVARResults",
    "BootstrapDraws",
    "CausalMacroError",
    "ChangesInVolatility",
    "CyclePosition",
    "DataError",
    "FetchError",
    "GridResults",
    "LocalProjections",
    "LongRun",
    "Minnesota",
    "ModelSpec",
    "NarrativeRestriction",
    "NonGaussian",
    "Panel",
    "Proxy",
    "Recursive",
    "RunResults",
    "SVARResults",
    "ShortRun",
    "SignRestrictions",
    "SpecError",
    "Store",
    "StoreError",
    "WeakIdentificationWarning",
    "__version__",
    "asset_returns",
    "build_asset_model",
    "build_local_projections",
    "build_panel",
    "build_svar",
    "cycle_position",
    "dependency_graph",
    "event_catalogue",
    "event_dummies",
    "fetch",
    "fit_spec",
    "grid",
    "load_grid",
    "load_results",
    "load_spec",
    "open_source",
    "plot_channels",
    "plot_event_effects",
    "plot_fevd",
    "plot_graph",
    "plot_historical_decomposition",
    "plot_irf",
    "plot_liquidity_tracker",
    "plot_lp",
    "plot_position",
    "plot_spec_curve",
    "plot_spectrum",
    "plot_spectrum_by_regime",
    "read_graph",
    "regimes",
    "significant_edges",
    "write_graph",
    "write_run",
]

# every dependency (pandas, statsmodels, PyMC) loads on first use, not at import: ``import causalmacro``
# and the start of the command stay quick (an early Ctrl-C reaches the CLI's handler, not the import)
_LAZY = {
    "fetch": ".data",
    "open_source": ".data",
    "Panel": ".panel",
    "build_panel": ".panel",
    "event_dummies": ".panel",
    "regimes": ".panel",
    "ModelSpec": ".spec",
    "event_catalogue": ".spec",
    "load_spec": ".spec",
    "SVAR": ".svar",
    "BVAR": ".bvar",
    "BVARResults": ".bvar",
    "BayesianSVARResults": ".bvar",
    "Minnesota": ".bvar",
    "SVARResults": ".svar",
    "Recursive": ".svar",
    "ShortRun": ".svar",
    "SignRestrictions": ".svar",
    "NarrativeRestriction": ".svar",
    "LongRun": ".svar",
    "Proxy": ".svar",
    "ChangesInVolatility": ".svar",
    "NonGaussian": ".svar",
    "WeakIdentificationWarning": ".svar",
    "AssetResponseModel": ".bayes",
    "AssetResponseResults": ".bayes",
    "DEFAULT_GROUPS": ".bayes",
    "Store": ".data",
    "BootstrapDraws": ".svar",
    "load_results": ".svar",
    "RunResults": ".pipeline",
    "LocalProjections": ".lp",
    "asset_returns": ".pipeline",
    "build_svar": ".build",
    "build_asset_model": ".build",
    "build_local_projections": ".build",
    "CyclePosition": ".pipeline",
    "cycle_position": ".pipeline",
    "fit_spec": ".pipeline",
    "dependency_graph": ".graph",
    "read_graph": ".graph",
    "significant_edges": ".graph",
    "write_graph": ".graph",
    "write_run": ".report",
    "plot_irf": ".plotting",
    "plot_fevd": ".plotting",
    "plot_graph": ".plotting",
    "plot_historical_decomposition": ".plotting",
    "plot_spectrum": ".plotting",
    "plot_spectrum_by_regime": ".plotting",
    "plot_spec_curve": ".plotting",
    "grid": ".specgrid",
    "GridResults": ".specgrid",
    "load_grid": ".specgrid",
    "plot_lp": ".plotting",
    "plot_position": ".plotting",
    "plot_event_effects": ".plotting",
    "plot_channels": ".plotting",
    "plot_liquidity_tracker": ".plotting",
}


def __getattr__(name: str) -> _Any:
    if name in _LAZY:
        return getattr(_import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'causalmacro' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names only (``__all__``), as tab completion and ``dir(cm)`` show them.

    Dunders (``__version__`` is public and listed; ``__file__``, ``__path__``, ...) and the subpackages
    (``causalmacro.svar``, ``causalmacro.bayes``, ..., bound as attributes once imported) stay reachable by
    name but are not listed: the subpackages are documented in ``ARCHITECTURE.md``, not part of the flat API.
    """
    return sorted(__all__)
