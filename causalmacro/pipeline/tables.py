"""Report-ready tables the pipeline computes so that the report layer only formats them.

:class:`AssetTables`: the asset model's standardised spectra per shock (in the
regime the chain is in now, and per regime) and the regime contrast, in the
direction the spec orders the regime's labels. :class:`Robustness`: a
specification grid's sign shares and the specification curve of each link
into the focus variable, at the recorded horizon rule (``spec_curve_at``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, Protocol

import pandas as pd

from causalmacro.labelled import ThawedPickle

if TYPE_CHECKING:
    import xarray as xr

    from causalmacro.bayes import AssetResponseResults
    from causalmacro.spec import ModelSpec

__all__ = ["SPEC_CURVE_AT", "AssetTables", "GridLike", "GridTables", "Robustness", "asset_tables", "grid_tables",
           "robustness"]

SPEC_CURVE_AT: Literal["peak"] = "peak"
"""Where the report's specification curves read each response: at the horizon of its largest point estimate."""

SPECTRUM_SCALE: Literal["standardized"] = "standardized"
"""The scale of the report's asset spectra (comparable across assets)."""


class GridLike(Protocol):
    """What :func:`robustness` reads of a grid (:class:`causalmacro.specgrid.GridResults`)."""

    @property
    def data(self) -> xr.Dataset: ...

    @property
    def n_specifications(self) -> int: ...

    def sign_shares(self, links: Sequence[tuple[str, str]] | None = None, *,
                    at: Literal["impact", "peak"] = "impact") -> pd.DataFrame: ...

    def curve(self, source: str, target: str, *, at: Literal["impact", "peak"] = "impact") -> pd.DataFrame: ...

    def crypto_rank(self) -> pd.DataFrame: ...


@dataclass(frozen=True)
class AssetTables(ThawedPickle):
    """The asset model's tables as the run reports them.

    Attributes
    ----------
    scale : str
        ``"standardized"``: the spectra's scale.
    regime, regime_now : str or None
        The regime definition the model was fitted by, and the regime of the
        last labelled period (the spectra's regime); None without regimes.
    spectra : mapping
        Shock -> :meth:`AssetResponseResults.spectrum` in ``regime_now``.
    spectra_by_regime : mapping
        Shock -> regime label -> spectrum (empty without regimes).
    contrast : (str, str) or None
        ``(higher, lower)``: the two regimes the contrast compares, the spec's
        second label against its first (None unless the fit has exactly two).
    contrasts : mapping
        Shock -> :meth:`AssetResponseResults.prob_regime_greater` of ``contrast``.
    """

    scale: str
    regime: str | None
    regime_now: str | None
    spectra: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    spectra_by_regime: Mapping[str, Mapping[str, pd.DataFrame]] = field(default_factory=dict)
    contrast: tuple[str, str] | None = None
    contrasts: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "spectra", MappingProxyType(dict(self.spectra)))
        object.__setattr__(self, "spectra_by_regime", MappingProxyType(
            {k: MappingProxyType(dict(v)) for k, v in self.spectra_by_regime.items()}))
        object.__setattr__(self, "contrasts", MappingProxyType(dict(self.contrasts)))


def regime_contrast(spec: ModelSpec, fitted: Sequence[str]) -> tuple[str, str] | None:
    """``(higher, lower)`` for a fit with two regimes: the spec's label order (second against first), not sorting."""
    if spec.assets is None or spec.assets.regime is None:
        return None
    ordered = [label for label in spec.regimes[spec.assets.regime].state_labels if label in fitted]
    ordered += [label for label in fitted if label not in ordered]
    return (ordered[1], ordered[0]) if len(ordered) == 2 else None


def flag_transforms(table: pd.DataFrame, shock: str, overlap: Mapping[str, str]) -> pd.DataFrame:
    """The spectrum with a ``by_construction`` column: True for an asset built from the shock's own VAR variable.

    Such an asset's "response" to that shock is the shock itself (``credit``, the change of the HY spread, to a
    ``hy_spread`` shock), so its place on the spectrum is fixed by construction, not estimated (issue 19, item 8;
    :attr:`ModelSpec.asset_var_overlap`). The rows stay, flagged; the figure and the report say so.
    """
    out = table.copy()
    out["by_construction"] = [overlap.get(str(a)) == shock for a in out.index]
    out.attrs = dict(table.attrs)
    return out


def asset_tables(spec: ModelSpec, res: AssetResponseResults, shocks: Sequence[str], level: float,
                 regime_now: str | None) -> AssetTables:
    """The spectra and regime contrasts the report shows, computed once here."""
    regime = spec.assets.regime if spec.assets is not None else None
    overlap = spec.asset_var_overlap
    spectra = {k: flag_transforms(res.spectrum(shock=k, level=level, regime=regime_now, scale=SPECTRUM_SCALE), k,
                                  overlap) for k in shocks}
    by_regime = {k: {label: flag_transforms(res.spectrum(shock=k, level=level, regime=label, scale=SPECTRUM_SCALE),
                                            k, overlap)
                     for label in res.regimes} for k in shocks} if regime is not None else {}
    contrast = regime_contrast(spec, res.regimes)
    contrasts = {k: res.prob_regime_greater(contrast[0], contrast[1], shock=k) for k in shocks} if contrast else {}
    return AssetTables(scale=SPECTRUM_SCALE, regime=regime, regime_now=regime_now, spectra=spectra,
                       spectra_by_regime=by_regime, contrast=contrast, contrasts=contrasts)


@dataclass(frozen=True)
class Robustness(ThawedPickle):
    """A specification grid's evidence on the run's links, as the report shows it.

    Attributes
    ----------
    focus : str
        The target of the specification curves.
    curve_at : {"impact", "peak"}
        Where the curves read each response (``SPEC_CURVE_AT``).
    sign_shares : mapping
        ``"impact"`` / ``"peak"`` -> :meth:`GridResults.sign_shares`.
    curves : mapping
        Source -> :meth:`GridResults.curve` of ``source -> focus``.
    n_specifications : int
    sizes : mapping
        The grid's dims (``ordering``, ``lags``, ``window``, ``identification``) and sizes.
    reps, method : Any
        The grid's bootstrap replications per block and method.
    """

    focus: str
    curve_at: Literal["impact", "peak"]
    sign_shares: Mapping[str, pd.DataFrame]
    curves: Mapping[str, pd.DataFrame]
    n_specifications: int
    sizes: Mapping[str, int]
    reps: Any = None
    method: Any = None

    def __post_init__(self) -> None:
        for name in ("sign_shares", "curves", "sizes"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))


def robustness(grid: GridLike, focus: str, *, at: Literal["impact", "peak"] = SPEC_CURVE_AT) -> Robustness:
    """The sign shares (impact and peak) and each link's specification curve into ``focus``."""
    names = [str(v) for v in grid.data["response"].values]
    curves = {source: grid.curve(source, focus, at=at) for source in names if source != focus} if focus in names else {}
    shares = {when: grid.sign_shares(at=when) for when in ("impact", "peak")}
    attrs = grid.data.attrs
    return Robustness(focus=focus, curve_at=at, sign_shares=shares, curves=curves,
                      n_specifications=grid.n_specifications, sizes={str(k): int(v) for k, v in grid.data.sizes.items()},
                      reps=attrs.get("reps"), method=attrs.get("method"))


@dataclass(frozen=True)
class GridTables(ThawedPickle):
    """What a grid folder shows (:func:`causalmacro.report.grid.write_grid` only formats it).

    Attributes
    ----------
    sign_shares : mapping
        ``"impact"`` / ``"peak"`` -> :meth:`GridResults.sign_shares` of the links.
    curves : mapping
        ``(source, target, at)`` -> :meth:`GridResults.curve`, for every link and both horizons.
    crypto_rank : DataFrame or None
        :meth:`GridResults.crypto_rank` when the grid fitted the asset model.
    """

    sign_shares: Mapping[str, pd.DataFrame]
    curves: Mapping[tuple[str, str, str], pd.DataFrame]
    crypto_rank: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sign_shares", MappingProxyType(dict(self.sign_shares)))
        object.__setattr__(self, "curves", MappingProxyType(dict(self.curves)))


def grid_tables(grid: GridLike, links: Sequence[tuple[str, str]] | None = None) -> GridTables:
    """The sign shares (impact and peak) of ``links`` (default: the grid's headline links) and their curves."""
    shares = {at: grid.sign_shares(links, at=at) for at in ("impact", "peak")}
    curves: dict[tuple[str, str, str], pd.DataFrame] = {}
    for link in shares["impact"].index:
        source, target = (p.strip() for p in str(link).split("->"))
        for at in ("impact", "peak"):
            curves[(source, target, at)] = grid.curve(source, target, at=at)  # type: ignore[arg-type]
    rank = grid.crypto_rank() if "asset_rank" in grid.data else None
    return GridTables(sign_shares=shares, curves=curves, crypto_rank=rank)
