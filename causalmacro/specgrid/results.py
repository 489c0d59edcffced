"""Results of a specification grid: one labelled Dataset and the summaries a user reads."""

from __future__ import annotations

import html
import itertools
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro import plotdispatch
from causalmacro.errors import ArgumentError, DataError
from causalmacro.fileutil import write_netcdf
from causalmacro.labelled import freeze, thaw

__all__ = ["GRID_DIMS", "GridResults", "load_grid"]

#: The grid's own dimensions, before the response type's ``horizon, response, shock, bound``.
GRID_DIMS: tuple[str, ...] = ("ordering", "lags", "window", "identification")


@dataclass(frozen=True, eq=False)
class GridResults:
    """A fitted specification grid.

    Attributes
    ----------
    data : xarray.Dataset
        ``irf`` with dims ``(ordering, lags, window, identification, horizon,
        response, shock, bound)``: one-s.d. structural responses with bootstrap
        bands of every specification (NaN bands where an explosive VAR left
        fewer than two stationary replications); ``nobs``, ``reps_kept``,
        ``n_explosive``, ``stable`` and ``max_root`` per ``(lags, window)``; the window dates as ``window_start`` and
        ``window_end``. ``attrs`` hold the options.
    facts : mapping
        How the grid ran: blocks fitted and reused, workers, seconds.
    """

    data: xr.Dataset
    facts: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", freeze(dict(self.facts)))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle through the constructor, the facts as a plain dict (a mapping proxy does not pickle)."""
        return (type(self), (self.data, thaw(self.facts)))

    @property
    def irf(self) -> xr.DataArray:
        """Every specification's responses (the package's response type, plus the grid's dims)."""
        return self.data["irf"]

    @property
    def n_specifications(self) -> int:
        """Specifications in the grid: orderings x lag lengths x windows x identifications."""
        return int(np.prod([self.data.sizes[d] for d in GRID_DIMS]))

    def _cell(self, source: str, target: str, at: Literal["impact", "peak"]) -> xr.DataArray:
        names = list(self.data["response"].values)
        for name in (source, target):
            if name not in names:
                raise ArgumentError(f"link {source} -> {target}: '{name}' is not a variable of the grid ({names})")
        cell = self.irf.sel(response=target, shock=source)
        if at == "impact":
            return cell.sel(horizon=0)
        if at == "peak":
            point = cell.sel(bound="point")
            k = abs(point).fillna(0).argmax("horizon").drop_vars("bound")
            return cell.isel(horizon=k)
        raise ArgumentError(f"at: expected 'impact' or 'peak', got {at!r}")

    def sign_shares(
        self, links: Sequence[tuple[str, str]] | None = None, *, at: Literal["impact", "peak"] = "impact"
    ) -> pd.DataFrame:
        """For each link, the share of specifications whose response is positive or negative with a band excluding zero.

        Parameters
        ----------
        links : sequence of (source, target), optional
            Default: each consecutive link of the chain, and each variable to the last (the asset).
        at : {"impact", "peak"}
            The impact response (horizon 0; zero by construction where the
            ordering puts the target before the source), or the response at the
            horizon of its largest point estimate.

        Returns
        -------
        DataFrame
            One row per link: ``specifications`` (with a band), ``without_band``
            (an explosive VAR that left fewer than two stationary replications:
            excluded from the shares), ``positive`` and ``negative``
            (shares whose band excludes zero on that side), ``point_positive``
            (share of positive point estimates), ``median`` (of the point estimates).
        """
        names = [str(v) for v in self.data["response"].values]
        if links is None:
            pairs = list(itertools.pairwise(names))
            pairs += [(v, names[-1]) for v in names[:-2]]
        else:
            pairs = [(str(a), str(b)) for a, b in links]
        rows = {}
        for source, target in pairs:
            cell = self._cell(source, target, at)
            point, lo, hi = (cell.sel(bound=b).to_numpy().ravel() for b in ("point", "lower", "upper"))
            ok = np.isfinite(point) & np.isfinite(lo) & np.isfinite(hi)
            rows[f"{source} -> {target}"] = {
                "specifications": int(ok.sum()),
                "without_band": int((~ok).sum()),
                "positive": float((lo[ok] > 0).mean()),
                "negative": float((hi[ok] < 0).mean()),
                "point_positive": float((point[ok] > 0).mean()),
                "median": float(np.median(point[ok])),
            }
        out = pd.DataFrame.from_dict(rows, orient="index")
        out.attrs = {"at": at, "level": self.data.attrs.get("level")}
        return out

    def curve(self, source: str, target: str, *, at: Literal["impact", "peak"] = "impact") -> pd.DataFrame:
        """The specification curve of one link: every specification's estimate and band, sorted by the estimate.

        Parameters
        ----------
        source, target : str
            The link ``source -> target``: the response of ``target`` to ``source``'s shock.
        at : {"impact", "peak"}
            The response on impact, or at the horizon of its largest point estimate.

        Returns
        -------
        DataFrame
            Columns ``point``, ``lower``, ``upper``, then the specification's
            coordinates (``ordering``, ``lags``, ``window``, ``identification``)
            and ``source_first`` (whether the ordering puts the source before the
            target); specifications without a band are left out.
        """
        cell = self._cell(source, target, at)
        frame = cell.to_dataframe(name="value")["value"].unstack("bound").reset_index()
        frame = frame[["point", "lower", "upper", *GRID_DIMS]].dropna(subset=["point", "lower", "upper"])
        frame["source_first"] = [o.split(">").index(source) < o.split(">").index(target) for o in frame["ordering"]]
        frame = frame.sort_values("point", kind="stable").reset_index(drop=True)
        frame.attrs = {"link": f"{source} -> {target}", "at": at, "level": self.data.attrs.get("level"),
                       "shock_size": self.data["irf"].attrs.get("shock_size")}
        return frame

    def crypto_rank(self, group: str = "crypto") -> pd.DataFrame:
        """Where an asset class sits on the spectrum across the grid's windows (needs ``grid(..., assets=True)``).

        In each window and for each shock, assets are ordered by their posterior
        mean rank (1 = the highest cumulative response, standardised); the
        class's position is that of its best-placed asset.

        Parameters
        ----------
        group : str
            The asset class.

        Returns
        -------
        DataFrame
            One row per shock: ``windows``, ``top`` and ``bottom`` (shares of
            windows where the class holds the highest or the lowest place: the
            high-beta end on either side), ``median_position`` and ``assets``
            (how many assets each window ranks).
        """
        if "asset_rank" not in self.data:
            raise DataError("crypto_rank: this grid has no asset model (run grid(..., assets=True))")
        groups = json.loads(self.data.attrs.get("asset_groups", "{}"))
        members = [a for a, g in groups.items() if g == group]
        if not members:
            raise ArgumentError(f"group '{group}' has no asset in this grid (classes: {sorted(set(groups.values()))})")
        rank = self.data["asset_rank"].transpose("window", "asset_shock", "asset")
        # place 1 = the smallest posterior mean rank (the highest response) in that window and shock
        position = rank.copy(data=np.argsort(np.argsort(rank.to_numpy(), axis=-1), axis=-1) + 1)
        n = rank.sizes["asset"]
        best = position.sel(asset=members).min("asset")
        worst = position.sel(asset=members).max("asset")
        rows = {}
        for shock in rank["asset_shock"].values:
            b, w = best.sel(asset_shock=shock).to_numpy(), worst.sel(asset_shock=shock).to_numpy()
            rows[str(shock)] = {"windows": len(b), "top": float((b == 1).mean()), "bottom": float((w == n).mean()),
                                "median_position": float(np.median(b)), "assets": n}
        out = pd.DataFrame.from_dict(rows, orient="index")
        out.attrs = {"group": group}
        return out

    def summary(self) -> str:
        """Plain-text summary: the grid's size and the sign shares of the headline links.

        Returns
        -------
        str
        """
        a = self.data.attrs
        lines = [f"grid: {self.n_specifications} specifications ({self.data.sizes['ordering']} orderings x "
                 f"{self.data.sizes['lags']} lag lengths x {self.data.sizes['window']} windows x "
                 f"{self.data.sizes['identification']} identifications), {a.get('reps')} {a.get('method')} bootstrap "
                 f"replications each, {100 * float(a.get('level', 0.9)):.0f}% bands"]
        shares = self.sign_shares()
        for link, row in shares.iterrows():
            lines.append(f"  {link}: impact positive with the band above zero in {row['positive']:.0%}, negative "
                         f"below zero in {row['negative']:.0%} of {int(row['specifications'])} specifications")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return f"GridResults(specifications={self.n_specifications}, dims={dict(self.irf.sizes)})"

    def _repr_html_(self) -> str:
        return (f"<div><h4>causalmacro specification grid: {html.escape(str(self.data.attrs.get('spec', '')))}</h4>"
                f"<pre>{html.escape(self.summary())}</pre></div>")

    # ---------------------------------------------------------------- export
    def to_dataframe(self) -> pd.DataFrame:
        """Every specification's responses as a long table.

        Returns
        -------
        DataFrame
            Index ``(ordering, lags, window, identification, horizon, response,
            shock)``; columns ``point``, ``lower``, ``upper`` (NaN bands where an
            explosive VAR left fewer than two stationary replications).
        """
        frame = self.irf.to_dataframe(name="irf")["irf"].unstack("bound")
        frame = frame[[b for b in ("point", "lower", "upper") if b in frame.columns]]
        frame.columns.name = None
        return frame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: the grid's coordinates, options, facts and the headline sign shares.

        Returns
        -------
        dict
            ``model`` (``"specification grid"``), ``specifications``, ``dims``
            (each grid dim's coordinates), ``options`` (the Dataset's attrs),
            ``facts`` and ``sign_shares`` (:meth:`sign_shares` at impact, one
            record per link, with its ``link``).
        """
        shares = self.sign_shares()
        return {
            "model": "specification grid",
            "specifications": self.n_specifications,
            "dims": {d: [_plain(v) for v in self.data[d].values] for d in GRID_DIMS},
            "options": {str(k): _plain(v) for k, v in self.data.attrs.items()},
            "facts": json.loads(json.dumps(thaw(self.facts), default=_plain)),
            "sign_shares": [{"link": str(link), **{str(k): _plain(v) for k, v in row.items()}}
                            for link, row in shares.iterrows()],
        }

    def plot(self, source: str | None = None, target: str | None = None, *, at: Literal["impact", "peak"] = "impact",
             **plot_options: Any) -> Any:
        """The specification curve of one link (:meth:`curve`) drawn by :func:`causalmacro.plotting.plot_spec_curve`.

        Parameters
        ----------
        source, target : str, optional
            The link ``source -> target``; default the first variable of the
            grid's chain to its last (the asset).
        at : {"impact", "peak"}
            The response on impact, or at the horizon of its largest point estimate.
        **plot_options
            Passed to :func:`~causalmacro.plotting.plot_spec_curve` (``axes=``, ``units=``, ``synthetic=``).

        Returns
        -------
        matplotlib.figure.Figure
        """
        names = [str(v) for v in self.data["response"].values]
        source = names[0] if source is None else source
        target = names[-1] if target is None else target
        return plotdispatch.call("plot_spec_curve", self.curve(source, target, at=at), **plot_options)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the grid, its options and facts to one NetCDF file, atomically (an interrupt leaves an earlier file whole).

        Parameters
        ----------
        path : str or path-like
            The NetCDF file to write (h5netcdf engine); :meth:`load` (or
            :func:`causalmacro.load_grid`) reads it back equal.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = self.data.copy()
        data.attrs = {**data.attrs, FACTS_ATTR: json.dumps(thaw(self.facts), default=_plain)}
        return write_netcdf(target, [(None, data)])

    def to_netcdf(self, path: str | os.PathLike[str]) -> Path:
        """The same as :meth:`save` (the grid folder's ``grid.nc``).

        Parameters
        ----------
        path : str or path-like
            The NetCDF file to write.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        return self.save(path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> GridResults:
        """Read a grid written by :meth:`save` (the same as :func:`causalmacro.load_grid`).

        Parameters
        ----------
        path : str or path-like
            The file, or the grid folder holding ``grid.nc``.

        Returns
        -------
        GridResults
        """
        return load_grid(path)


#: The Dataset attribute that carries :attr:`GridResults.facts` in a saved grid (JSON).
FACTS_ATTR = "grid_facts"


def _plain(value: Any) -> Any:
    """A JSON-ready scalar: numpy scalars as Python ones, anything else unknown as text."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    return str(value)


def load_grid(path: str | os.PathLike[str]) -> GridResults:
    """Read a grid written by :meth:`GridResults.save` (``grid.nc`` of a grid folder).

    Parameters
    ----------
    path : str or path-like
        The ``grid.nc`` file, or the grid folder holding it.

    Returns
    -------
    GridResults
        Equal to the grid saved: its Dataset, options (attrs) and facts (empty
        for a file written before the facts were saved with the grid).

    Raises
    ------
    DataError
        The file is missing or is not a causalmacro grid.
    """
    p = Path(path)
    if p.is_dir():
        p = p / "grid.nc"
    try:
        with xr.open_dataset(p, engine="h5netcdf") as ds:
            data = ds.load()
    except (OSError, ValueError) as exc:
        raise DataError(f"{p}: not a causalmacro grid ({type(exc).__name__})") from None
    if "irf" not in data or any(d not in data["irf"].dims for d in GRID_DIMS):
        raise DataError(f"{p}: not a causalmacro grid (no irf with dims {list(GRID_DIMS)})")
    facts = json.loads(data.attrs.pop(FACTS_ATTR, "{}"))
    return GridResults(data=data, facts=facts)
