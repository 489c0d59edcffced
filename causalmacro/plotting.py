"""Plots of results. The only module that imports matplotlib.

Every function takes ``ax=`` (or ``axes=`` for grids), draws on it, and returns
the figure; nothing is shown here. Importing it leaves matplotlib's backend
alone (a headless machine falls back to a non-interactive backend by itself).
Inputs are the labelled results of the estimators (xarray DataArrays with named
dims, pandas frames), so the same functions draw bootstrap bands and posterior
intervals.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_fevd",
    "plot_graph",
    "plot_historical_decomposition",
    "plot_irf",
    "plot_spectrum",
    "save_figure",
]

SYNTHETIC_BANNER = "SYNTHETIC DEMO DATA"


def _grid(n_rows: int, n_cols: int, axes: Any, size: float = 2.2) -> tuple[Figure, np.ndarray]:
    if axes is None:
        fig, ax = plt.subplots(
            n_rows, n_cols, figsize=(size * n_cols + 1, 0.8 * size * n_rows + 1), squeeze=False, sharex=True
        )
        return fig, ax
    arr = np.asarray(axes, dtype=object).reshape(n_rows, n_cols)
    return arr[0, 0].figure, arr


def _banner(fig: Figure, synthetic: bool) -> None:
    if synthetic:
        fig.text(0.5, 0.995, SYNTHETIC_BANNER, ha="center", va="top", color="firebrick", fontsize=9, weight="bold")


def plot_irf(
    irf: xr.DataArray,
    *,
    responses: Sequence[str] | None = None,
    shocks: Sequence[str] | None = None,
    axes: Any = None,
    synthetic: bool = False,
    color: str = "C0",
) -> Figure:
    """Grid of impulse responses: one row per response, one column per shock.

    Parameters
    ----------
    irf : xarray.DataArray
        Dims ``("horizon", "response", "shock")``, optionally with ``bound``
        (``point``/``lower``/``upper``) for a shaded band.
    responses, shocks : sequence of str, optional
        Subset and order (default: all).
    axes : array of Axes, optional
        ``len(responses) x len(shocks)`` axes to draw on.
    synthetic : bool
        Mark the figure as drawn from synthetic data.

    Returns
    -------
    matplotlib.figure.Figure
    """
    responses = list(responses if responses is not None else irf.coords["response"].values)
    shocks = list(shocks if shocks is not None else irf.coords["shock"].values)
    fig, ax = _grid(len(responses), len(shocks), axes)
    h = irf.coords["horizon"].values
    banded = "bound" in irf.dims
    for i, r in enumerate(responses):
        for j, s in enumerate(shocks):
            a = ax[i, j]
            cell = irf.sel(response=r, shock=s)
            point = cell.sel(bound="point") if banded else cell
            if banded:
                a.fill_between(h, cell.sel(bound="lower"), cell.sel(bound="upper"), color=color, alpha=0.25, lw=0)
            a.plot(h, point, color=color, lw=1.5)
            a.axhline(0, color="0.4", lw=0.6)
            if i == 0:
                a.set_title(f"shock: {s}", fontsize=9)
            if j == 0:
                a.set_ylabel(r, fontsize=9)
            if i == len(responses) - 1:
                a.set_xlabel("horizon", fontsize=8)
            a.tick_params(labelsize=7)
    level = irf.attrs.get("level")
    if banded and level is not None:
        interval = irf.attrs.get("interval", f"{irf.attrs.get('bands', '')} bands")
        fig.suptitle(f"Impulse responses, {100 * float(level):.0f}% {interval}", fontsize=10)
    _banner(fig, synthetic)
    fig.tight_layout()
    return fig


def plot_fevd(
    fevd: xr.DataArray,
    response: str,
    *,
    ax: Axes | None = None,
    synthetic: bool = False,
) -> Figure:
    """Stacked forecast-error variance shares of one response by shock.

    Parameters
    ----------
    fevd : xarray.DataArray
        Dims ``("horizon", "response", "shock")`` (a ``bound`` dim, if any,
        is reduced to its point estimate).
    response : str
    ax : Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    if "bound" in fevd.dims:
        fevd = fevd.sel(bound="point")
    fig, ax = _ax(ax)
    shares = fevd.sel(response=response).transpose("horizon", "shock")
    h = shares.coords["horizon"].values
    ax.stackplot(h, shares.values.T, labels=list(shares.coords["shock"].values), alpha=0.85)
    ax.set_ylim(0, 1)
    ax.set_xlabel("forecast horizon")
    ax.set_ylabel("share of forecast-error variance")
    ax.set_title(f"Variance decomposition of {response}", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
    _banner(fig, synthetic)
    fig.tight_layout()
    return fig


def plot_historical_decomposition(
    hd: xr.DataArray,
    variable: str,
    *,
    last: int | None = None,
    ax: Axes | None = None,
    synthetic: bool = False,
) -> Figure:
    """Contributions of each shock (stacked bars) to one variable over time.

    Parameters
    ----------
    hd : xarray.DataArray
        Dims ``("time", "variable", "shock")``; a shock coordinate named
        ``"deterministic"`` or similar is drawn like the others. The data
        (the sum) is drawn as a line.
    variable : str
    last : int, optional
        Only the last ``last`` periods ("which link drove the last months").
    ax : Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _ax(ax)
    part = hd.sel(variable=variable).transpose("time", "shock")
    if last is not None:
        part = part.isel(time=slice(-last, None))
    t = pd.DatetimeIndex(part.coords["time"].values)
    vals = part.values
    width = 20 if len(t) > 1 and (t[1] - t[0]).days > 20 else 5
    pos = np.zeros(len(t))
    neg = np.zeros(len(t))
    for k, shock in enumerate(part.coords["shock"].values):
        v = vals[:, k]
        base = np.where(v >= 0, pos, neg)
        ax.bar(t, v, bottom=base, width=width, label=str(shock), color=f"C{k % 10}")
        pos += np.where(v >= 0, v, 0)
        neg += np.where(v < 0, v, 0)
    ax.plot(t, vals.sum(axis=1), color="black", lw=1.2, label="total")
    ax.axhline(0, color="0.4", lw=0.6)
    ax.set_title(f"Historical decomposition of {variable}", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
    _banner(fig, synthetic)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def plot_spectrum(
    spectrum: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    synthetic: bool = False,
) -> Figure:
    """The asset spectrum map: each asset's response with its interval.

    Parameters
    ----------
    spectrum : pandas.DataFrame
        Index: assets (in display order). Columns: ``mean`` (or ``median``),
        ``lower``, ``upper``; optional ``group`` colours the points.
    ax : Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _ax(ax)
    center = spectrum["mean"] if "mean" in spectrum else spectrum["median"]
    y = np.arange(len(spectrum))
    groups = list(dict.fromkeys(spectrum["group"])) if "group" in spectrum else [None]
    for g_i, g in enumerate(groups):
        m = (spectrum["group"] == g).to_numpy() if g is not None else np.ones(len(spectrum), bool)
        ax.errorbar(
            center[m], y[m],
            xerr=[center[m] - spectrum["lower"][m], spectrum["upper"][m] - center[m]],
            fmt="o", color=f"C{g_i}", label=g, capsize=2,
        )
    ax.set_yticks(y, [str(i) for i in spectrum.index])
    ax.axvline(0, color="0.4", lw=0.6)
    ax.invert_yaxis()
    if title:
        ax.set_title(title, fontsize=10)
    if groups != [None]:
        ax.legend(fontsize=7)
    _banner(fig, synthetic)
    fig.tight_layout()
    return fig


def plot_graph(
    graph: nx.DiGraph,
    *,
    ax: Axes | None = None,
    synthetic: bool = False,
    sparkline_scale: float = 0.18,
) -> Figure:
    """Draw the dependency graph with a small impulse response on each edge.

    Nodes are placed along the chain (their ``order`` attribute) on an arc;
    edge width follows the peak response relative to the target's response to
    its own shock, colour its sign, and a
    sparkline of the response path (edge attribute ``irf``) sits at the
    edge's middle.

    Parameters
    ----------
    graph : networkx.DiGraph
        From :func:`causalmacro.graph.dependency_graph`.
    ax : Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import networkx as nx

    fig, ax = _ax(ax, figsize=(9, 6))
    nodes = sorted(graph.nodes, key=lambda n: graph.nodes[n].get("order", 0))
    n = max(len(nodes), 1)
    angles = np.linspace(np.pi * 0.9, np.pi * 0.1, n) if n > 1 else np.array([np.pi / 2])
    pos = {v: (float(np.cos(a)), float(np.sin(a)) * 0.8) for v, a in zip(nodes, angles, strict=True)}
    peaks = [abs(d.get("peak_relative", d.get("peak", 0.0))) for *_, d in graph.edges(data=True)] or [1.0]
    top = max(max(peaks), 1e-12)
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color="white", edgecolors="0.2", node_size=2600)
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=7)
    for u, v, d in graph.edges(data=True):
        peak = float(d.get("peak_relative", d.get("peak", 0.0)))
        nx.draw_networkx_edges(
            graph, pos, edgelist=[(u, v)], ax=ax, width=0.8 + 4 * abs(peak) / top,
            edge_color="seagreen" if peak >= 0 else "firebrick", arrows=True, arrowsize=14,
            connectionstyle="arc3,rad=0.15", node_size=2600,
        )
        path = d.get("irf")
        if path is not None and len(path) > 1:
            # 40% along the edge, nudged to its left so that u->v and v->u do not overlap
            dx, dy = pos[v][0] - pos[u][0], pos[v][1] - pos[u][1]
            norm = max(float(np.hypot(dx, dy)), 1e-12)
            mx = pos[u][0] + 0.4 * dx - 0.07 * dy / norm
            my = pos[u][1] + 0.4 * dy + 0.07 * dx / norm
            xs = mx - sparkline_scale / 2 + sparkline_scale * np.linspace(0, 1, len(path))
            scale = max(np.max(np.abs(path)), 1e-12)
            ys = my + 0.06 * np.asarray(path) / scale
            ax.plot(xs, ys, color="0.15", lw=0.9)
            ax.plot([xs[0], xs[-1]], [my, my], color="0.6", lw=0.4)
    ax.set_axis_off()
    ax.set_title("Estimated dependency graph (edge: impulse response of target to source shock)", fontsize=10)
    _banner(fig, synthetic)
    return fig


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 110) -> None:
    """Write a figure to ``path`` (format from the suffix) and release it."""
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)


def _ax(ax: Axes | None, figsize: tuple[float, float] = (7, 4)) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax  # type: ignore[return-value]
