"""Figure of the local projections (Jordà 2005) beside the VAR's responses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import xarray as xr

from causalmacro.labelled import check_response

from ._common import (
    band,
    grid,
    headline,
    level_phrase,
    resolve_units,
    shock_phrase,
    short_unit,
    title_or,
    unit_of,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_lp"]


def plot_lp(
    irf: xr.DataArray,
    lp: Mapping[str, xr.DataArray],
    *,
    axes: Any = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
    lp_state: Mapping[str, xr.DataArray] | None = None,
    state_name: str | None = None,
    horizon_unit: str = "periods",
) -> Figure:
    """Local projections beside the VAR's responses, one column per link of the chain.

    The first row draws, for each ``"source -> target"`` link, the VAR's
    response of ``target`` to a ``source`` shock and the local projection of
    ``target`` on the same identified shock, each with its band; with
    ``lp_state``, a second row draws the projection in each state. Each panel's
    shock size is the projection's ``attrs["shock_size"]`` (``"std"``:
    one-s.d., ``"unit"``: one-unit); the title's band level is its ``attrs["level"]``, and the bands are
    called joint (sup-t over horizons) or pointwise after its ``attrs["joint"]``. A cumulative projection
    (``attrs["cumulative"]``) is set beside the VAR's response only if that is cumulative too; otherwise the
    panel draws the projection alone and says so.

    Parameters
    ----------
    irf : xarray.DataArray
        The VAR's responses (dims ``horizon, response, shock[, bound]``).
    lp : mapping
        Link -> :meth:`LocalProjectionsResults.irf` output (one response, one shock).
    axes : array of Axes, optional
        ``rows x len(lp)`` axes (a multi-panel figure).
    title : str, optional
        Figure title; None for the default (with the bands' level), ``""`` for none.
    units : mapping, optional
        Variable -> units; default ``irf.attrs["units"]`` if it is a mapping.
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).
    lp_state : mapping, optional
        Link -> state-dependent projections (a ``state`` dim).
    state_name : str, optional
        The regime definition of the states (the title of the state row's legend).
    horizon_unit : str
        Unit of the horizon axis (``"months"`` for a monthly panel).

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_response(irf)
    units = resolve_units(units, irf.attrs, function="plot_lp")
    links = list(lp)
    rows = 2 if lp_state else 1
    fig, ax = grid(rows, len(links), axes, size=2.8)
    for j, link in enumerate(links):
        source, target = (p.strip() for p in link.split("->"))
        proj = lp[link].sel(response=target, shock=source)
        h = proj.coords["horizon"].values
        var = irf.sel(response=target, shock=source).sel(horizon=h)
        a = ax[0, j]
        cumulative = bool(proj.attrs.get("cumulative", 0))
        if cumulative == bool(irf.attrs.get("cumulative", 0)):
            band(a, h, var, "C0", "VAR")
        else:
            a.text(0.02, 0.02, "VAR response not cumulative: not drawn", transform=a.transAxes, fontsize=6,
                   color="0.35")
        band(a, h, proj, "C3", "local projection" + (" (cumulative)" if cumulative else ""), ls="--")
        a.axhline(0, color="0.4", lw=0.6)
        size = shock_phrase(proj.attrs)
        a.set_title(f"{target} to a {size + chr(10) if size else ''}{source} shock", fontsize=8)
        unit = short_unit(unit_of(units, target))
        a.set_ylabel(f"{target}\n({unit})", fontsize=7)  # two short lines: the panel's height holds them
        if j == 0:
            a.legend(fontsize=6, loc="best")
        a.tick_params(labelsize=7)
        if lp_state:
            b = ax[1, j]
            da = lp_state[link].sel(response=target, shock=source)
            for k, state in enumerate(da.coords["state"].values):
                band(b, h, da.sel(state=state), f"C{k + 1}", str(state))
            b.axhline(0, color="0.4", lw=0.6)
            b.set_ylabel(f"{target}\n({unit})", fontsize=7)
            if j == 0:  # the states, named in the legend's title: the row's label stays short
                b.legend(fontsize=6, loc="best", title=f"{state_name or 'state'} in the period\nbefore the shock",
                         title_fontsize=6)
            b.tick_params(labelsize=7)
        ax[-1, j].set_xlabel(f"horizon ({horizon_unit})", fontsize=8)
    attrs = lp[links[0]].attrs if links else {}
    default = ("Local projections (Jordà 2005) beside the VAR's responses"
               + (level_phrase({"level": attrs["level"]},
                               "joint (sup-t) bands" if attrs.get("joint") else "pointwise bands")
                  if attrs.get("level") else ""))
    headline(fig, title_or(title, default), synthetic=synthetic, fontsize=10)
    return fig
