"""The estimated dependency graph of the chain, as a networkx DiGraph.

Nodes are the VAR's variables in chain order. An edge ``source -> target``
means the structural shock of ``source`` moves ``target``: it is drawn when
the impulse response's band excludes zero over at least two consecutive
horizons, or when
``source`` Granger-causes ``target`` at level ``alpha``. Each edge carries the
response path (``irf``), its peak and the horizon of the peak, the band, and
the Granger p-value, so the graph can be drawn with the responses on it
(:func:`causalmacro.plotting.plot_graph`) or exported with :func:`write_graph`
(GraphML or node-link JSON) and read back, attributes intact, with
:func:`read_graph`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.errors import ArgumentError, DataError

__all__ = ["dependency_graph", "read_graph", "write_graph"]

_JSON_KEYS = "causalmacro_json_keys"


def dependency_graph(
    irf: xr.DataArray,
    causality: pd.DataFrame | None = None,
    *,
    alpha: float = 0.10,
    groups: Mapping[str, str] | None = None,
    keep_all: bool = False,
    min_run: int = 2,
) -> nx.DiGraph:
    """Build the dependency graph from impulse responses (and causality tests).

    Parameters
    ----------
    irf : xarray.DataArray
        Dims ``("horizon", "response", "shock")``, with a ``bound`` dim
        (``point``/``lower``/``upper``) for significance by band.
    causality : pandas.DataFrame, optional
        :meth:`SVARResults.causality_table` output (``cause``, ``effect``,
        ``granger_pvalue``).
    alpha : float
        Granger test level for an edge.
    groups : mapping, optional
        Node -> group label stored as a node attribute.
    keep_all : bool
        Keep every ordered pair as an edge (with ``significant`` False where
        neither criterion holds).
    min_run : int
        Consecutive horizons at which the band must exclude zero. Pointwise
        bands over many horizons exclude zero somewhere by chance; asking for a
        run of two (the default) keeps isolated crossings off the graph.

    Returns
    -------
    networkx.DiGraph
        Node attributes ``order``, ``group``; edge attributes ``irf`` (list),
        ``peak``, ``peak_relative`` (the peak over the largest response of the
        target to its own shock, comparable across units), ``peak_horizon``, ``band_excludes_zero``, ``granger_pvalue``,
        ``significant``.
    """
    names = [str(v) for v in irf.coords["shock"].values]
    banded = "bound" in irf.dims
    point = irf.sel(bound="point") if banded else irf
    g = nx.DiGraph()
    for i, v in enumerate(names):
        g.add_node(v, order=i, group=(groups or {}).get(v, ""))
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
            excludes = False
            lo_hi: list[list[float]] | None = None
            if banded:
                lo = irf.sel(bound="lower", shock=src, response=dst).to_numpy()
                hi = irf.sel(bound="upper", shock=src, response=dst).to_numpy()
                excludes = _longest_run((lo > 0) | (hi < 0)) >= min_run
                lo_hi = [lo.tolist(), hi.tolist()]
            p = pvals.get((src, dst))
            significant = excludes or (p is not None and p < alpha)
            if not (significant or keep_all):
                continue
            g.add_edge(
                src,
                dst,
                irf=path.tolist(),
                band=lo_hi,
                peak=float(path[k]),
                peak_relative=float(path[k]) / own[dst],
                peak_horizon=int(point.coords["horizon"].values[k]),
                band_excludes_zero=excludes,
                granger_pvalue=p,
                significant=significant,
            )
    return g


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
    """
    import json
    import tempfile

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
        out.graph[_JSON_KEYS] = json.dumps({k: sorted(v) for k, v in keys.items()})
        text = "\n".join(nx.generate_graphml(out))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def read_graph(path: str | os.PathLike[str]) -> nx.DiGraph:
    """Read a graph written by :func:`write_graph`, attributes decoded to what they were.

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
    for kind, items in (("node", g.nodes(data=True)), ("edge", g.edges(data=True))):
        for *_, data in items:
            for k in keys.get(kind, []):
                if k in data:
                    data[k] = json.loads(data[k])
    return nx.DiGraph(g)
