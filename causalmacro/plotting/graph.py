"""Figure of the dependency graph: the chain left to right, the assets in a column at its end."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from causalmacro.graph import is_significant

from ._common import banner, class_colour, one_ax, resolve_units, title_or

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_graph"]


def plot_graph(
    graph: nx.DiGraph,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
    rank_shock: str | None = None,
) -> Figure:
    """Draw the dependency graph left to right along the chain, the assets in a column at its end.

    Chain variables sit on a row in chain order (inflation -> rates -> liquidity
    -> risk appetite -> ...); the asset model's assets sit in a column on the
    right, ordered by their response to ``rank_shock`` (default: the shock with
    the most significant asset edges), so the spectrum reads top to bottom.
    Only significant edges are drawn (the graph keeps the others, flagged).
    Chain edges arc above the row, width by the peak response relative to the
    target's own-shock peak, colour by sign, each with a small inset of its
    impulse response (band, zero line) labelled ``source -> target``; asset
    edges are straight, coloured by sign, drawn more opaque the higher the
    posterior probability of that sign.

    Parameters
    ----------
    graph : networkx.DiGraph
        From :func:`causalmacro.graph.dependency_graph`.
    ax : Axes, optional
        Axes to draw on; default a new figure.
    title : str, optional
        None for the default (the band level, identification and sample from
        the graph's attributes), ``""`` for none.
    units : mapping, optional
        Unused (the edges are scaled relative to each target's own shock);
        accepted for the common signature.
    synthetic : bool
        Mark the figure as drawn from synthetic data.
    rank_shock : str, optional
        Shock whose asset responses order the asset column.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    resolve_units(units, graph.graph, function="plot_graph")
    fig, ax = one_ax(ax, figsize=(12, 6.5))
    edges = [(u, v, d) for u, v, d in graph.edges(data=True) if is_significant(u, v, d)]
    chain = sorted((n for n, d in graph.nodes(data=True) if d.get("kind", "chain") != "asset"),
                   key=lambda n: graph.nodes[n].get("order", 0))
    asset_edges = [(u, v, d) for u, v, d in edges if d.get("kind") == "asset"]
    if rank_shock is None and asset_edges:
        counts: dict[str, int] = {}
        for u, _, _ in asset_edges:
            counts[u] = counts.get(u, 0) + 1
        rank_shock = max(counts, key=lambda k: counts[k])
    assets = [n for n, d in graph.nodes(data=True) if d.get("kind") == "asset"]
    score = {a: (graph.edges[rank_shock, a]["peak"] if rank_shock and graph.has_edge(rank_shock, a) else 0.0)
             for a in assets}
    assets = sorted(assets, key=lambda a: -score[a])
    # arcs of consecutive spans put their insets half a spacing apart: 2.8 keeps an inset clear of its neighbours
    # with its title and tick labels (at 2.0 they overlapped wherever every link of a 5-variable chain was drawn)
    spacing = 2.8
    pos = {n: (spacing * i, 0.0) for i, n in enumerate(chain)}
    x_assets = spacing * (len(chain) - 1) + 2.6
    for j, a in enumerate(assets):
        pos[a] = (x_assets, 1.9 - 3.8 * j / max(len(assets) - 1, 1))
    chain_peaks = [abs(d.get("peak_relative", 0.0)) for *_, d in edges if d.get("kind", "chain") == "chain"] or [1.0]
    top = max(max(chain_peaks), 1e-12)
    for u, v, d in edges:
        positive = float(d.get("peak", 0.0)) >= 0
        colour = "seagreen" if positive else "firebrick"
        if d.get("kind") == "asset":
            alpha = 0.25 + 0.7 * max(0.0, (float(d.get("prob_sign") or 0.5) - 0.5) * 2)
            ax.add_patch(FancyArrowPatch(pos[u], pos[v], arrowstyle="-|>", mutation_scale=9, color=colour,
                                         alpha=alpha, lw=1.0, shrinkA=14, shrinkB=12, zorder=1))
            continue
        rad = -0.35  # forward edges (down the chain) arc above the row, feedback edges below
        width = 0.8 + 4.0 * abs(float(d.get("peak_relative", 0.0))) / top
        ax.add_patch(FancyArrowPatch(pos[u], pos[v], connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>",
                                     mutation_scale=12, color=colour, lw=width, alpha=0.85, shrinkA=22, shrinkB=22))
        _edge_inset(ax, pos[u], pos[v], rad, d, f"{u} -> {v}", colour)
    for n in chain:
        ax.scatter(*pos[n], s=1900, facecolor="white", edgecolor="0.2", zorder=3)
        ax.text(*pos[n], n.replace("_", "\n"), ha="center", va="center", fontsize=8, zorder=4)
    for a in assets:
        colour = class_colour(str(graph.nodes[a].get("group", "")))
        ax.scatter(*pos[a], s=500, facecolor=colour, edgecolor="0.2", zorder=3, alpha=0.9)
        ax.text(pos[a][0] + 0.35, pos[a][1], a, ha="left", va="center", fontsize=8)
    handles = [Line2D([], [], color="seagreen", lw=2, label="positive response"),
               Line2D([], [], color="firebrick", lw=2, label="negative response"),
               Line2D([], [], color="0.3", lw=0.8, label="thin: small peak (relative to own shock)"),
               Line2D([], [], color="0.3", lw=4.8, label="thick: large peak")]
    groups = sorted({str(graph.nodes[a].get("group", "")) for a in assets})
    handles += [Line2D([], [], marker="o", ls="", markersize=9, markerfacecolor=class_colour(g),
                       markeredgecolor="0.2", label=f"asset class: {g}") for g in groups]
    ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False, ncol=2)
    reach = 0.175 * spacing * max(len(chain) - 1, 1) + 0.4
    ax.set_xlim(-0.8, (x_assets + 1.8) if assets else spacing * (len(chain) - 1) + 0.8)
    ax.set_ylim(-max(reach, 2.2) - 0.9, max(reach, 2.2))
    ax.set_axis_off()
    level = graph.graph.get("level")
    ident, sample = graph.graph.get("identification"), graph.graph.get("sample")
    default = ("Dependency graph: significant responses"
               + (f" ({100 * float(level):.0f}% bands)" if level else "")
               + (f", {ident} identification" if ident else "") + (f", {sample}" if sample else "")
               + (f"; assets ordered by their response to a {rank_shock} shock" if rank_shock and assets else ""))
    text = title_or(title, default)
    if text:
        ax.set_title(text, fontsize=10)
    banner(fig, synthetic)
    return fig


def _edge_inset(ax: Axes, a: tuple[float, float], b: tuple[float, float], rad: float, d: dict[str, Any],
                label: str, colour: str) -> None:
    """A small axes with the edge's impulse response, centred on the apex of its arc.

    Matplotlib's ``arc3`` puts the control point at ``mid + rad (dy, -dx)``; the
    apex of the quadratic curve is half-way from the chord's middle to it.
    """
    path = d.get("irf")
    if path is None or len(path) < 2:
        return
    dx, dy = b[0] - a[0], b[1] - a[1]
    ax_x = (a[0] + b[0]) / 2 + 0.5 * rad * dy
    ax_y = (a[1] + b[1]) / 2 - 0.5 * rad * dx
    w, h_ = 0.9, 0.27
    inset = ax.inset_axes((ax_x - w / 2, ax_y - h_ / 2, w, h_), transform=ax.transData)
    h = np.arange(len(path))
    band = d.get("band")
    if band is not None:
        inset.fill_between(h, band[0], band[1], color=colour, alpha=0.2, lw=0)
    inset.plot(h, path, color=colour, lw=1.0)
    inset.axhline(0, color="0.4", lw=0.5)
    inset.set_title(label, fontsize=5.5, pad=1)
    inset.tick_params(labelsize=4.5, length=1.5, pad=1)
    for spine in inset.spines.values():
        spine.set_linewidth(0.4)
