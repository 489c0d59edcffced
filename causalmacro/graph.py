"""The estimated dependency graph of both models, as a networkx DiGraph.

Nodes are the VAR's variables in chain order and the asset model's assets. An
edge ``source -> target`` means the structural shock of ``source`` moves
``target``; the significance rule is :func:`dependency_graph`'s (an impact
response whose band excludes zero counts), and edges the data do not support
stay in the graph, flagged. Each edge carries the response path (``irf``), its
impact and peak with the horizon of the peak, the band, and the Granger p-value
or the posterior probability of its sign, so the graph can be drawn with the responses on it
(:func:`causalmacro.plotting.plot_graph`) or exported with :func:`write_graph`
(GraphML or node-link JSON) and read back, attributes intact, with
:func:`read_graph`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import networkx as nx
import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.errors import ArgumentError, DataError
from causalmacro.fileutil import replace_atomically
from causalmacro.labelled import has_bands, point_of

__all__ = ["dependency_graph", "is_significant", "read_graph", "significant_edges", "write_graph"]

_JSON_KEYS = "causalmacro_json_keys"


def dependency_graph(
    irf: xr.DataArray,
    causality: pd.DataFrame | None = None,
    *,
    alpha: float = 0.10,
    groups: Mapping[str, str] | None = None,
    keep_all: bool = True,
    min_run: int = 2,
    asset_irf: xr.DataArray | None = None,
    asset_prob_positive: xr.DataArray | None = None,
) -> nx.DiGraph:
    """Build the dependency graph of both models: the chain's responses and the assets' responses.

    An edge ``source -> target`` of the chain carries the structural response of
    ``target`` to ``source``'s shock. It is **significant** when the band
    excludes zero on impact (monthly crypto responses are mostly on impact), or
    over ``min_run`` consecutive horizons (pointwise bands over many horizons
    exclude zero somewhere by chance; a run of two keeps isolated crossings
    out), or when ``source`` Granger-causes ``target`` at level ``alpha``. An
    edge ``shock -> asset`` carries the posterior mean cumulative response of
    the asset model; it is significant when its HDI excludes zero at some
    horizon. Edges the data do not support stay in the graph with
    ``significant=False`` (unless ``keep_all=False``), so nothing is silently
    dropped; :func:`causalmacro.plotting.plot_graph` draws the significant ones.

    Parameters
    ----------
    irf : xarray.DataArray
        The SVAR's responses: dims ``("horizon", "response", "shock")``, with a
        ``bound`` dim (``point``/``lower``/``upper``) for significance by band.
    causality : pandas.DataFrame, optional
        :meth:`SVARResults.causality_table` output (``cause``, ``effect``,
        ``granger_pvalue``).
    alpha : float
        Granger test level for an edge.
    groups : mapping, optional
        Node -> group (asset class) label stored as a node attribute.
    keep_all : bool
        Keep the edges that are not significant (flagged); False drops them.
    min_run : int
        Consecutive horizons at which the band must exclude zero, past impact.
    asset_irf : xarray.DataArray, optional
        The asset model's responses (:meth:`AssetResponseResults.responses`:
        ``response`` holds the assets, banded by the HDI).
    asset_prob_positive : xarray.DataArray, optional
        Posterior probability that each cumulative response is positive, dims
        ``(horizon, response, shock)``.

    Returns
    -------
    networkx.DiGraph
        Node attributes ``order``, ``group``, ``kind`` (``"chain"`` or
        ``"asset"``); edge attributes ``kind``, ``irf`` (list), ``band``
        (``[lower, upper]``), ``impact``, ``peak``, ``peak_relative`` (the peak
        over the largest response of the target to its own shock, comparable
        across units; chain edges), ``peak_horizon``, ``band_excludes_zero``,
        ``evidence`` (why it is significant), ``granger_pvalue`` (chain),
        ``prob_sign`` (assets: posterior probability of the sign of the final
        cumulative response), ``significant``. Where an asset is also a chain
        variable (BTC), its chain edges keep the SVAR's response and gain the
        posterior's as ``asset_irf``, ``asset_band``, ``asset_prob_sign``,
        ``asset_significant``. Graph attributes ``rule``, ``level`` and ``identification``.
    """
    names = [str(v) for v in irf.coords["shock"].values]
    banded = has_bands(irf)
    point = point_of(irf)
    g = nx.DiGraph(rule=(f"band excludes zero on impact or over {min_run} consecutive horizons, or Granger p < "
                         f"{alpha}; asset edges: HDI excludes zero at some horizon"),
                   level=irf.attrs.get("level"), identification=irf.attrs.get("identification", ""))
    for i, v in enumerate(names):
        g.add_node(v, order=i, group=(groups or {}).get(v, ""), kind="chain")
    own = {v: float(np.max(np.abs(point.sel(shock=v, response=v).to_numpy()))) or 1.0 for v in names}
    pvals: dict[tuple[str, str], float] = {}
    if causality is not None and len(causality):
        pvals = {
            (str(r.cause), str(r.effect)): float(r.granger_pvalue)
            for r in causality.itertuples()
        }
    for src in names:
        for dst in names:
            if src == dst:
                continue
            path = point.sel(shock=src, response=dst).to_numpy()
            k = int(np.argmax(np.abs(path)))
            evidence: list[str] = []
            lo_hi: list[list[float]] | None = None
            if banded:
                lo = irf.sel(bound="lower", shock=src, response=dst).to_numpy()
                hi = irf.sel(bound="upper", shock=src, response=dst).to_numpy()
                outside = (lo > 0) | (hi < 0)
                if outside[0]:
                    evidence.append("band excludes zero on impact")
                if _longest_run(outside[1:]) >= min_run:
                    evidence.append(f"band excludes zero over {_longest_run(outside[1:])} consecutive horizons")
                lo_hi = [lo.tolist(), hi.tolist()]
            p = pvals.get((src, dst))
            if p is not None and p < alpha:
                evidence.append(f"Granger p = {p:.3g}")
            significant = bool(evidence)
            if not (significant or keep_all):
                continue
            g.add_edge(
                src, dst, kind="chain", irf=path.tolist(), band=lo_hi, impact=float(path[0]),
                peak=float(path[k]), peak_relative=float(path[k]) / own[dst],
                peak_horizon=int(point.coords["horizon"].values[k]),
                band_excludes_zero=any(e.startswith("band") for e in evidence), evidence=evidence,
                granger_pvalue=p, significant=significant,
            )
    if asset_irf is not None:
        _add_asset_edges(g, asset_irf, asset_prob_positive, groups or {}, keep_all)
    return g


def _add_asset_edges(
    g: nx.DiGraph, irf: xr.DataArray, prob_positive: xr.DataArray | None, groups: Mapping[str, str],
    keep_all: bool,
) -> None:
    """Asset nodes, and ``shock -> asset`` edges from the asset model's banded responses."""
    assets = [str(a) for a in irf.coords["response"].values]
    n_chain = g.number_of_nodes()
    for i, a in enumerate(assets):
        if a in g:
            g.nodes[a]["kind"] = "chain+asset"
        else:
            g.add_node(a, order=n_chain + i, group=groups.get(a, ""), kind="asset")
    for shock in (str(s) for s in irf.coords["shock"].values):
        for a in assets:
            path = irf.sel(shock=shock, response=a, bound="point").to_numpy()
            lo = irf.sel(shock=shock, response=a, bound="lower").to_numpy()
            hi = irf.sel(shock=shock, response=a, bound="upper").to_numpy()
            outside = (lo > 0) | (hi < 0)
            significant = bool(outside.any())
            if not (significant or keep_all):
                continue
            k = int(np.argmax(np.abs(path)))
            p_pos = None if prob_positive is None else float(
                prob_positive.sel(shock=shock, response=a).isel(horizon=-1))
            evidence = [f"HDI excludes zero at horizons {', '.join(map(str, np.flatnonzero(outside)))}"] \
                if significant else []
            prob_sign = None if p_pos is None else max(p_pos, 1 - p_pos)
            if g.has_edge(shock, a):  # the asset is also in the chain: keep the SVAR's edge, add the posterior's
                g.edges[shock, a].update(asset_irf=path.tolist(), asset_band=[lo.tolist(), hi.tolist()],
                                         asset_prob_sign=prob_sign, asset_significant=significant)
                continue
            g.add_edge(
                shock, a, kind="asset", irf=path.tolist(), band=[lo.tolist(), hi.tolist()], impact=float(path[0]),
                peak=float(path[k]), peak_horizon=int(irf.coords["horizon"].values[k]),
                band_excludes_zero=significant, evidence=evidence,
                prob_sign=prob_sign, significant=significant,
            )


def _longest_run(flags: np.ndarray) -> int:
    """Length of the longest run of True values."""
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


def _scalar(value: object) -> bool:
    return isinstance(value, bool | int | float | str) and not (isinstance(value, float) and value != value)


def write_graph(g: nx.DiGraph, path: str | os.PathLike[str]) -> Path:
    """Write a graph as GraphML (``.graphml``) or node-link JSON (``.json``); returns the path.

    GraphML holds only scalar attributes, so every attribute key with a list,
    mapping or missing (None) value on some node or edge is stored as a JSON
    string and named in the graph attribute ``causalmacro_json_keys``;
    :func:`read_graph` decodes them. Other tools see the scalars as they are.
    The file is written to a temporary name and renamed into place.

    Parameters
    ----------
    g : networkx.DiGraph
        A graph, e.g. from :func:`dependency_graph`.
    path : str or path-like
        The file; its suffix, ``.graphml`` or ``.json``, picks the format.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ArgumentError
        The suffix is neither ``.graphml`` nor ``.json``.
    """
    import json

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".graphml", ".json"):
        raise ArgumentError(f"{target}: write a graph as .graphml or .json, not {suffix or 'no suffix'!r}")
    if suffix == ".json":
        text = json.dumps(nx.node_link_data(g, edges="edges"), indent=1)
    else:
        out = g.copy()
        keys: dict[str, set[str]] = {"node": set(), "edge": set()}
        for kind, items in (("node", out.nodes(data=True)), ("edge", out.edges(data=True))):
            for *_, data in items:
                keys[kind] |= {k for k, v in data.items() if not _scalar(v)}
        for kind, items in (("node", out.nodes(data=True)), ("edge", out.edges(data=True))):
            for *_, data in items:
                for k in keys[kind] & set(data):
                    data[k] = json.dumps(data[k])
        keys["graph"] = {k for k, v in out.graph.items() if not _scalar(v)}
        for k in keys["graph"]:
            out.graph[k] = json.dumps(out.graph[k])
        out.graph[_JSON_KEYS] = json.dumps({k: sorted(v) for k, v in keys.items()})
        text = "\n".join(nx.generate_graphml(out))
    return replace_atomically(target, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def read_graph(path: str | os.PathLike[str]) -> nx.DiGraph:
    """Read a graph written by :func:`write_graph`, attributes decoded to what they were.

    Parameters
    ----------
    path : str or path-like
        A ``.graphml`` or node-link ``.json`` file (``graph.graphml``, ``graph.json`` of a run folder).

    Returns
    -------
    networkx.DiGraph
        With the node, edge and graph attributes :func:`write_graph` wrote.

    Raises
    ------
    DataError
        The file is missing or not a graph file (one line naming it).
    """
    import json

    source = Path(path)
    try:
        if source.suffix.lower() == ".json":
            g = nx.node_link_graph(json.loads(source.read_text(encoding="utf-8")), edges="edges")
        else:
            g = nx.read_graphml(source)
    except (OSError, ValueError, KeyError, nx.NetworkXError, ElementTree.ParseError) as exc:
        raise DataError(f"{source}: not a readable graph file ({type(exc).__name__}: {exc})".splitlines()[0]) from None
    keys = json.loads(g.graph.pop(_JSON_KEYS, "{}"))
    for k in keys.get("graph", []):
        if k in g.graph:
            g.graph[k] = json.loads(g.graph[k])
    for kind, items in (("node", g.nodes(data=True)), ("edge", g.edges(data=True))):
        for *_, data in items:
            for k in keys.get(kind, []):
                if k in data:
                    data[k] = json.loads(data[k])
    return nx.DiGraph(g)


def significant_edges(g: nx.DiGraph) -> list[tuple[str, str]]:
    """The edges the significance rule supports (the graph also keeps the others, flagged).

    Parameters
    ----------
    g : networkx.DiGraph
        From :func:`dependency_graph` or :func:`read_graph`.

    Returns
    -------
    list of tuple of (str, str)
        ``(source, target)`` of every edge whose ``significant`` attribute is true.

    Raises
    ------
    DataError
        An edge has no ``significant`` attribute (:func:`is_significant`).
    """
    return [(u, v) for u, v, d in g.edges(data=True) if is_significant(u, v, d)]


def is_significant(source: str, target: str, data: Mapping[str, Any]) -> bool:
    """The ``significant`` attribute of the edge ``source -> target`` (its attribute dict ``data``).

    Every edge of :func:`dependency_graph` and :func:`read_graph` has one; an
    edge without it (a graph built or edited by hand) is an error, not
    silently counted as significant.

    Raises
    ------
    DataError
        ``data`` has no ``significant`` key.
    """
    if "significant" not in data:
        raise DataError(
            f"edge {source} -> {target} has no 'significant' attribute: build the graph with "
            "dependency_graph() or read it with read_graph()"
        )
    return bool(data["significant"])
