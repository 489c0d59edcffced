"""Figure of the dependency graph: the chain left to right, its significant links keyed to panels of their responses.

The figure is read in three steps: the chain's variables on a row in causal
order with an arrow for each link that passes the graph's rule (forward links,
down the chain, solid above the row; feedback links dashed and muted below it),
each arrow lettered; a row of panels, one per lettered link, with its response
and joint band large enough to read; and the caption, which states the rule and
its error rate (e.g. "Holm-adjusted sup-t test, FWER 10%") and how many of the
tested links pass. The assets sit in a column at the right, ordered on the
spectrum's standardised scale, with an arrow from each shock whose posterior
sign probability passes the asset rule.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from causalmacro.graph import is_significant

from ._common import banner, class_colour, one_ax, resolve_units, short_unit, title_or

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_graph"]

_PER_ROW = 5
_POSITIVE, _NEGATIVE = "seagreen", "firebrick"
_FEEDBACK = "0.35"


def plot_graph(
    graph: nx.DiGraph,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
    rank_shock: str | None = None,
) -> Figure:
    """Draw the dependency graph: the chain left to right, each significant link lettered and its response below.

    Chain variables sit on a row in chain order. Only the links the graph's
    rule supports (``significant``) are drawn, each as a lettered arrow: forward
    links (source earlier in the chain) solid, coloured by the sign of the peak
    response, arcing above the row; feedback links dashed and muted, below it.
    Under the graph one panel per drawn link (same letter) shows its response
    with the band the edges carry (the joint, sup-t band in a run). Links that
    fail the rule are omitted, and the caption says how many were tested, how
    many pass (or that none does) and the rule's error rate. The assets sit in
    a column on the right, ordered top to bottom by their place on the
    spectrum's standardised scale for ``rank_shock``; an asset built from a VAR
    variable's own series (``transform_of``) is marked, its edge from that
    shock not tested.

    Parameters
    ----------
    graph : networkx.DiGraph
        From :func:`causalmacro.graph.dependency_graph`.
    ax : Axes, optional
        Axes to draw in (the graph and the panels are placed inside it); default a new figure.
    title : str, optional
        None for the default (identification and sample from the graph's
        attributes), ``""`` for none.
    units : mapping, optional
        Variable -> units of its series: each link's panel labels its axis with the target's units
        (default ``graph.graph["units"]`` if it is a mapping; without units the panels are unlabelled).
    synthetic : bool
        Mark the figure as drawn from synthetic data.
    rank_shock : str, optional
        Shock whose standardised asset responses order the asset column
        (default: the shock with the most significant asset edges, else the first).

    Returns
    -------
    matplotlib.figure.Figure
        The graph's axes is labelled ``"graph"``, each panel ``"link X"`` (its letter).
    """
    unit_map = resolve_units(units, graph.graph, function="plot_graph")
    drawn = [(u, v, d) for u, v, d in graph.edges(data=True) if is_significant(u, v, d)]
    chain_edges = sorted((e for e in drawn if e[2].get("kind", "chain") == "chain"),
                         key=lambda e: (not e[2].get("forward", True), graph.nodes[e[0]].get("order", 0),
                                        graph.nodes[e[1]].get("order", 0)))
    letters = {(u, v): _letter(i) for i, (u, v, _) in enumerate(chain_edges)}
    rows = max(1, math.ceil(len(chain_edges) / _PER_ROW))
    fig, ax = one_ax(ax, figsize=(12, 5.6 + 2.0 * rows))
    ax.set_axis_off()
    caption_h = 0.12 if rows == 1 else 0.09
    panels_h = (0.30 if rows == 1 else 0.22 * rows) / (1 + 0.08 * (rows - 1))
    gax = ax.inset_axes((0.0, caption_h + panels_h + 0.02, 1.0, 1.0 - caption_h - panels_h - 0.02))
    gax.set_label("graph")
    assets = _draw_graph(gax, graph, drawn, letters, rank_shock)
    _draw_panels(ax, graph, chain_edges, letters, (caption_h, panels_h), rows, unit_map)
    ax.text(0.0, 0.0, _caption(graph, chain_edges, drawn, assets), transform=ax.transAxes, ha="left", va="bottom",
            fontsize=8, wrap=True)
    ident, sample = graph.graph.get("identification"), graph.graph.get("sample")
    default = ("Dependency graph: links that pass the rule" + (f", {ident} identification" if ident else "")
               + (f", {sample}" if sample else ""))
    text = title_or(title, default)
    if text:
        gax.set_title(text, fontsize=10)
    banner(fig, synthetic)
    return fig


def _letter(i: int) -> str:
    return string.ascii_uppercase[i % 26] * (1 + i // 26)


def _colour(d: Mapping[str, Any]) -> str:
    return _POSITIVE if float(d.get("peak", 0.0)) >= 0 else _NEGATIVE


def _rank_shock(graph: nx.DiGraph, drawn: list[tuple[str, str, dict[str, Any]]], given: str | None) -> str | None:
    if given is not None:
        return given
    counts: dict[str, int] = {}
    for u, _, d in drawn:
        if d.get("kind") == "asset":
            counts[u] = counts.get(u, 0) + 1
    if counts:
        return max(counts, key=lambda k: counts[k])
    shocks = [u for u, _, d in graph.edges(data=True) if d.get("kind") == "asset"]
    return shocks[0] if shocks else None


def _draw_graph(gax: Axes, graph: nx.DiGraph, drawn: list[tuple[str, str, dict[str, Any]]],
                letters: Mapping[tuple[str, str], str], rank_shock: str | None) -> list[str]:
    """The chain row, the asset column and the drawn arrows; returns the assets in their order."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    chain = sorted((n for n, d in graph.nodes(data=True) if d.get("kind", "chain") != "asset"),
                   key=lambda n: graph.nodes[n].get("order", 0))
    shock = _rank_shock(graph, drawn, rank_shock)
    assets = [n for n, d in graph.nodes(data=True) if d.get("kind") == "asset"]

    def score(a: str) -> float:
        if shock is None or not graph.has_edge(shock, a):
            return 0.0
        d = graph.edges[shock, a]
        return float(d.get("standardized", d.get("peak", 0.0)))

    assets = sorted(assets, key=lambda a: -score(a))
    spacing = 2.4
    pos = {n: (spacing * i, 0.0) for i, n in enumerate(chain)}
    x_assets = spacing * (len(chain) - 1) + 2.6
    for j, a in enumerate(assets):
        pos[a] = (x_assets, 1.6 - 3.2 * j / max(len(assets) - 1, 1))
    for u, v, d in drawn:
        colour = _colour(d)
        if d.get("kind") == "asset":
            alpha = 0.25 + 0.6 * max(0.0, (float(d.get("prob_sign") or 0.5) - 0.5) * 2)
            gax.add_patch(FancyArrowPatch(pos[u], pos[v], arrowstyle="-|>", mutation_scale=8, color=colour,
                                          alpha=alpha, lw=0.9, shrinkA=24, shrinkB=8, zorder=1, gid=f"{u}->{v}"))
            continue
        forward = bool(d.get("forward", True))
        if not forward:
            colour = _FEEDBACK  # grey, as the legend and the link's panel draw it; the panel shows the sign
        rad = -0.32
        gax.add_patch(FancyArrowPatch(
            pos[u], pos[v], connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>", mutation_scale=16 if forward else 11,
            color=colour, lw=2.6 if forward else 1.3, ls="-" if forward else "--", alpha=0.95 if forward else 0.55,
            shrinkA=24, shrinkB=24, zorder=2, gid=f"{u}->{v}"))
        (x1, y1), (x2, y2) = pos[u], pos[v]
        ax_, ay = (x1 + x2) / 2 + 0.5 * rad * (y2 - y1), (y1 + y2) / 2 - 0.5 * rad * (x2 - x1)
        gax.text(ax_, ay, letters[u, v], ha="center", va="center", fontsize=9, weight="bold", zorder=5,
                 bbox={"boxstyle": "circle,pad=0.25", "facecolor": "white", "edgecolor": colour, "lw": 1.0})
    for n in chain:
        gax.scatter(*pos[n], s=2100, facecolor="white", edgecolor="0.2", zorder=3)
        gax.text(*pos[n], n.replace("_", "\n"), ha="center", va="center", fontsize=8, zorder=4)
    for a in assets:
        node = graph.nodes[a]
        colour = class_colour(str(node.get("group", "")))
        made = str(node.get("transform_of") or "")
        gax.scatter(*pos[a], s=260, facecolor="white" if made else colour, edgecolor=colour if made else "0.2",
                    hatch="////" if made else None, zorder=3)
        label = a + (f"  (transform of {made}: not tested on its shock)" if made else "")
        value = score(a)
        if shock is not None and graph.has_edge(shock, a) and "standardized" in graph.edges[shock, a]:
            label = f"{a}  {value:+.2f}" + label[len(a):]
        gax.text(pos[a][0] + 0.3, pos[a][1], label, ha="left", va="center", fontsize=7.5,
                 color="0.45" if made else "0.1")
    chain_drawn = [d for *_, d in drawn if d.get("kind", "chain") == "chain"]
    handles = [Line2D([], [], color=_POSITIVE, lw=2.6, label="forward link, positive response"),
               Line2D([], [], color=_NEGATIVE, lw=2.6, label="forward link, negative response"),
               Line2D([], [], color=_FEEDBACK, lw=1.3, ls="--", alpha=0.7, label="feedback link (up the chain)")]
    if not chain_drawn:
        handles = []  # no chain arrow: a legend of arrow styles would describe nothing on the figure
    groups = sorted({str(graph.nodes[a].get("group", "")) for a in assets})
    handles += [Line2D([], [], marker="o", ls="", markersize=8, markerfacecolor=class_colour(g),
                       markeredgecolor="0.2", label=f"asset class: {g}") for g in groups]
    if handles:
        gax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False, ncol=2)
    if assets and shock is not None:
        gax.text(x_assets - 0.2, 1.95, f"assets by response to {shock} (standardised, highest first)", ha="left",
                 va="bottom", fontsize=7.5, color="0.3")
    spans = [abs(graph.nodes[v].get("order", 0) - graph.nodes[u].get("order", 0)) for u, v, d in drawn
             if d.get("kind", "chain") == "chain"]
    feedback = any(not d.get("forward", True) for *_, d in drawn if d.get("kind", "chain") == "chain")
    reach = 0.16 * spacing * max(spans or [1]) + 0.6
    gax.set_xlim(-1.0, (x_assets + 5.2) if assets else spacing * (len(chain) - 1) + 1.0)
    gax.set_ylim(-(max(reach, 1.7) if feedback else 1.7) - 1.0, max(reach, 2.4 if assets else 1.0))
    gax.set_axis_off()
    return assets


def _draw_panels(ax: Axes, graph: nx.DiGraph, edges: list[tuple[str, str, dict[str, Any]]],
                 letters: Mapping[tuple[str, str], str], box: tuple[float, float], rows: int,
                 units: Mapping[str, str] | None = None) -> None:
    """One panel per drawn chain link (its letter, response, band, zero line, adjusted p-value, target's units)."""
    bottom, height = box
    if not edges:
        ax.text(0.5, bottom + height / 2, "No chain link passes the rule: no arrow is drawn.", transform=ax.transAxes,
                ha="center", va="center", fontsize=11, color="0.25")
        return
    row_h = height / rows
    width, gap = 0.72 / _PER_ROW, 0.26 / _PER_ROW  # room for each panel's units label
    words = {"holm": "Holm", "bh": "BH", "none": "raw"}.get(str(graph.graph.get("multiplicity", "")), "adj.")
    for i, (u, v, d) in enumerate(edges):
        r, c = divmod(i, _PER_ROW)
        panel = ax.inset_axes((0.05 + c * (width + gap), bottom + (rows - 1 - r) * row_h + 0.05 * row_h,
                               width, 0.68 * row_h))
        panel.set_label(f"link {letters[u, v]}")
        colour = _colour(d) if d.get("forward", True) else _FEEDBACK
        path = np.asarray(d.get("irf") or [], dtype=float)
        h = np.arange(len(path))
        band = d.get("band")
        if band is not None:
            panel.fill_between(h, band[0], band[1], color=colour, alpha=0.2, lw=0)
        panel.plot(h, path, color=colour, lw=1.4, ls="-" if d.get("forward", True) else "--")
        panel.axhline(0, color="0.4", lw=0.6)
        p = d.get("p_value")
        panel.set_title(f"{letters[u, v]}: {u} -> {v}" + (f"\n{words} p {_p_text(p)}" if p is not None else ""),
                        fontsize=8, pad=2)
        panel.tick_params(labelsize=6.5, length=2, pad=1)
        panel.set_xlabel("horizon", fontsize=6.5, labelpad=1)
        if units and v in units:
            panel.set_ylabel(f"{v} ({short_unit(units[v])})", fontsize=6.5, labelpad=1)


def _p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.2g}"


def _caption(graph: nx.DiGraph, chain_edges: list[Any], drawn: list[Any], assets: list[str]) -> str:
    """The rule, its error rate, and what is drawn and omitted."""
    tested = [d for *_, d in graph.edges(data=True) if d.get("kind", "chain") == "chain"]
    rate = graph.graph.get("error_rate")
    if tested and all(d.get("p_value") is None for d in tested):
        head = "Chain links not tested (no bootstrap draws): no arrow is drawn."
    elif not chain_edges:
        head = f"No chain link passes the rule ({rate}): none of the {len(tested)} tested links is drawn."
    else:
        head = (f"Arrows: the {len(chain_edges)} of {len(tested)} chain links whose whole response path differs "
                f"from zero ({rate}); the others are omitted. Solid: forward links; dashed: feedback.")
    band = graph.graph.get("band")
    lines = [head]
    if chain_edges and band and band != "none":
        lines.append(f"Panels: each lettered link's response with its {band}.")
    n_asset = sum(1 for *_, d in drawn if d.get("kind") == "asset")
    level = graph.graph.get("level")
    if assets:
        lines.append(f"Asset arrows ({n_asset}): posterior probability of the sign of the cumulative response at the "
                     f"last horizon >= {float(level or 0.9):g} (more opaque: higher).")
    return "\n".join(lines)
