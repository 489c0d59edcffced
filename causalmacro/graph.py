"""The estimated dependency graph of both models, as a networkx DiGraph.

Nodes are the VAR's variables in chain order and the asset model's assets. An
edge ``source -> target`` means the structural shock of ``source`` moves
``target``. The significance rule is :func:`dependency_graph`'s and has a stated
error rate: a chain edge is significant when the sup-t test that its whole
response path is zero (Montiel Olea & Plagborg-Møller 2019,
:meth:`SVARResults.irf_test`) rejects after adjusting for every chain link
tested together (Holm 1979 for the family-wise error rate by default;
Benjamini & Hochberg 1995 for the false discovery rate); an asset edge is
significant when the posterior probability of the sign of its cumulative
response at the last horizon reaches the band level. Edges the data do not
support stay in the graph, flagged. Each edge carries the response path
(``irf``), its impact and peak with the horizon of the peak, the band, the
adjusted and raw p-values (chain) or the posterior probability of its sign
(assets), so the graph can be drawn with the responses on it
(:func:`causalmacro.plotting.plot_graph`) or exported with :func:`write_graph`
(GraphML or node-link JSON) and read back, attributes intact, with
:func:`read_graph`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import networkx as nx
import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.bands import Multiplicity, adjust
from causalmacro.errors import ArgumentError, DataError
from causalmacro.fileutil import replace_atomically
from causalmacro.labelled import has_bands, point_of
from causalmacro.spec.defaults import GRAPH as _GRAPH
from causalmacro.spec.defaults import VAR as _VAR

__all__ = ["dependency_graph", "error_rate", "is_significant", "read_graph", "significant_edges", "write_graph"]

_JSON_KEYS = "causalmacro_json_keys"
_ADJUSTED = {"holm": "Holm-adjusted", "bh": "Benjamini-Hochberg-adjusted", "none": "unadjusted"}
_RATE = {"holm": "family-wise error rate", "bh": "false discovery rate", "none": "error rate per link"}
_SHORT = {"holm": "FWER", "bh": "FDR", "none": "per-link error"}


def error_rate(multiplicity: str, alpha: float) -> str:
    """The rule's error rate in a few words, e.g. ``"Holm-adjusted sup-t test, FWER 10%"`` (figure captions)."""
    if multiplicity not in _ADJUSTED:
        raise ArgumentError(f"multiplicity must be 'holm', 'bh' or 'none', got {multiplicity!r}")
    return f"{_ADJUSTED[multiplicity]} sup-t test, {_SHORT[multiplicity]} {100 * alpha:g}%"


def dependency_graph(
    irf: xr.DataArray,
    causality: pd.DataFrame | None = None,
    *,
    path_test: pd.DataFrame | None = None,
    multiplicity: Multiplicity = _GRAPH.multiplicity,
    alpha: float = _GRAPH.alpha,
    level: float | None = None,
    groups: Mapping[str, str] | None = None,
    keep_all: bool = True,
    asset_irf: xr.DataArray | None = None,
    asset_prob_positive: xr.DataArray | None = None,
    transform_of: Mapping[str, str] | None = None,
    min_run: int | None = None,
) -> nx.DiGraph:
    """Build the dependency graph of both models: the chain's responses and the assets' responses.

    **Chain edges.** An edge ``source -> target`` carries the structural
    response of ``target`` to ``source``'s shock. It is **significant** when
    the p-value of the sup-t test that its whole response path (horizons
    ``0..H``) is zero (``path_test``, from :meth:`SVARResults.irf_test`),
    adjusted for every chain link tested together by ``multiplicity``, is below
    ``alpha``: with ``"holm"`` the chance that any truly absent link is called
    significant is at most ``alpha`` (family-wise error rate); with ``"bh"``
    the expected share of false edges among the significant ones is at most
    ``alpha`` (false discovery rate). Granger p-values are adjusted the same
    way over the same links and reported, not used by the rule. Without
    ``path_test`` (no bootstrap draws) no chain edge is tested: every one is
    flagged not significant and the graph's ``rule`` says why.

    **Asset edges.** An edge ``shock -> asset`` carries the posterior mean
    cumulative response of the asset model; it is significant when the
    posterior probability of the sign of the cumulative response at the last
    horizon (``prob_sign``, the number shown) is at least ``level``. An asset
    that is a transform of a VAR variable (``transform_of``) has no edge from
    that variable's shock tested: its response there is the shock itself
    (a conclusion by construction), so the edge is kept, flagged
    ``by_construction`` and never significant.

    Edges the data do not support stay in the graph with ``significant=False``
    (unless ``keep_all=False``), so nothing is silently dropped;
    :func:`causalmacro.plotting.plot_graph` draws the significant ones.

    Parameters
    ----------
    irf : xarray.DataArray
        The SVAR's responses: dims ``("horizon", "response", "shock")``, with a
        ``bound`` dim (``point``/``lower``/``upper``) for the band shown (the
        pipeline passes the joint, sup-t band).
    causality : pandas.DataFrame, optional
        :meth:`SVARResults.causality_table` output (``cause``, ``effect``,
        ``granger_pvalue``).
    path_test : pandas.DataFrame, optional
        :meth:`SVARResults.irf_test` output (``shock``, ``response``,
        ``p_value``): the raw p-values of the whole-path tests.
    multiplicity : {"holm", "bh", "none"}
        How the p-values of the chain links are adjusted (:func:`causalmacro.bands.adjust`).
    alpha : float
        The error rate: an edge is significant when its adjusted p-value is below it.
    level : float, optional
        The posterior probability of the sign that makes an asset edge
        significant; default the band level of ``irf`` (else 0.9).
    groups : mapping, optional
        Node -> group (asset class) label stored as a node attribute.
    keep_all : bool
        Keep the edges that are not significant (flagged); False drops them.
    asset_irf : xarray.DataArray, optional
        The asset model's responses (:meth:`AssetResponseResults.responses`:
        ``response`` holds the assets, banded by the HDI).
    asset_prob_positive : xarray.DataArray, optional
        Posterior probability that each cumulative response is positive, dims
        ``(horizon, response, shock)``. Without it no asset edge is significant.
    transform_of : mapping, optional
        Asset -> the VAR variable it is a transform of
        (:attr:`ModelSpec.asset_var_overlap`).
    min_run : int, optional
        Deprecated and ignored: the whole-path test replaces the run of
        consecutive horizons.

    Returns
    -------
    networkx.DiGraph
        Node attributes ``order``, ``group``, ``kind`` (``"chain"``, ``"asset"``
        or ``"chain+asset"``), ``transform_of`` (assets: the VAR variable, or
        ""); edge attributes ``kind``, ``irf`` (list), ``band``
        (``[lower, upper]``), ``impact``, ``peak``, ``peak_relative`` (the peak
        over the largest response of the target to its own shock; chain
        edges), ``peak_horizon``, ``band_excludes_zero``, ``evidence`` (the
        test's outcome in words), ``significant``; chain edges ``p_value``
        (adjusted), ``p_value_raw``, ``granger_pvalue`` (adjusted),
        ``granger_pvalue_raw``, ``forward`` (source earlier in the chain);
        asset edges ``prob_sign`` and ``by_construction``. Where an asset is also a chain
        variable (BTC), its chain edges keep the SVAR's response and gain the
        posterior's as ``asset_irf``, ``asset_band``, ``asset_prob_sign``,
        ``asset_significant``. Graph attributes ``rule`` (one sentence),
        ``multiplicity``, ``alpha``, ``level``, ``band``, ``error_rate`` and
        ``identification``.

    Raises
    ------
    ArgumentError
        ``multiplicity`` is not one of the three, ``alpha`` or ``level`` is
        outside (0, 1), or ``path_test`` lacks a chain link.
    """
    if min_run is not None:
        warnings.warn("dependency_graph(min_run=) is deprecated and ignored: an edge is now decided by the sup-t "
                      "test of its whole response path", DeprecationWarning, stacklevel=2)
    if multiplicity not in _ADJUSTED:
        raise ArgumentError(f"multiplicity must be 'holm', 'bh' or 'none', got {multiplicity!r}")
    if not 0 < alpha < 1:
        raise ArgumentError(f"alpha must be between 0 and 1, got {alpha!r}")
    band_level = irf.attrs.get("level")
    asset_level = float(level if level is not None else (band_level or _VAR.level))
    if not 0 < asset_level < 1:
        raise ArgumentError(f"level must be between 0 and 1, got {asset_level!r}")
    names = [str(v) for v in irf.coords["shock"].values]
    banded = has_bands(irf)
    point = point_of(irf)
    links = [(s, t) for s in names for t in names if s != t]
    raw_p, adj_p, horizon = _path_pvalues(path_test, links, multiplicity)
    raw_g, adj_g = _granger_pvalues(causality, links, multiplicity)
    last = int(point.coords["horizon"].values[-1])
    tested_to = None if path_test is None else (last if horizon is None else horizon)
    pct = f"{100 * float(band_level):g}% " if band_level is not None else ""
    band = "none"
    if banded:
        band = (f"sup-t simultaneous {pct}band over horizons 0..{last} (not adjusted for multiplicity)"
                if irf.attrs.get("joint") else f"pointwise {pct}band")
    g = nx.DiGraph(
        rule=_rule(multiplicity, alpha, tested_to, len(links), asset_level, asset_irf is not None,
                   asset_prob_positive is not None),
        multiplicity=multiplicity, alpha=float(alpha), level=band_level, error_rate=error_rate(multiplicity, alpha),
        band=band,
        identification=irf.attrs.get("identification", ""),
    )
    for i, v in enumerate(names):
        g.add_node(v, order=i, group=(groups or {}).get(v, ""), kind="chain", transform_of="")
    own = {v: float(np.max(np.abs(point.sel(shock=v, response=v).to_numpy()))) or 1.0 for v in names}
    words = _ADJUSTED[multiplicity]
    for src, dst in links:
        path = point.sel(shock=src, response=dst).to_numpy()
        k = int(np.argmax(np.abs(path)))
        lo_hi: list[list[float]] | None = None
        excludes = False
        if banded:
            lo = irf.sel(bound="lower", shock=src, response=dst).to_numpy()
            hi = irf.sel(bound="upper", shock=src, response=dst).to_numpy()
            excludes = bool(((lo > 0) | (hi < 0)).any())
            lo_hi = [lo.tolist(), hi.tolist()]
        p, p_raw = adj_p.get((src, dst)), raw_p.get((src, dst))
        significant = p is not None and p < alpha
        if p is None:
            evidence = ["not tested: no bootstrap draws for the path test"]
        else:
            evidence = [f"sup-t path test: {words} p = {p:.3g} {'<' if significant else '>='} {alpha:g} "
                        f"(raw p = {p_raw:.3g})"]
        if not (significant or keep_all):
            continue
        g.add_edge(
            src, dst, kind="chain", irf=path.tolist(), band=lo_hi, impact=float(path[0]),
            peak=float(path[k]), peak_relative=float(path[k]) / own[dst],
            peak_horizon=int(point.coords["horizon"].values[k]), band_excludes_zero=excludes, evidence=evidence,
            p_value=p, p_value_raw=p_raw, granger_pvalue=adj_g.get((src, dst)),
            granger_pvalue_raw=raw_g.get((src, dst)), forward=names.index(src) < names.index(dst),
            significant=significant,
        )
    if asset_irf is not None:
        _add_asset_edges(g, asset_irf, asset_prob_positive, groups or {}, keep_all, asset_level,
                         dict(transform_of or {}))
    return g


def _path_pvalues(
    path_test: pd.DataFrame | None, links: list[tuple[str, str]], multiplicity: Multiplicity,
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float], int | None]:
    """Raw and adjusted whole-path p-values of the chain links, and the test's last horizon."""
    if path_test is None:
        return {}, {}, None
    table = {(str(r.shock), str(r.response)): float(r.p_value) for r in path_test.itertuples()}
    missing = [f"{s} -> {t}" for s, t in links if (s, t) not in table]
    if missing:
        raise ArgumentError(f"path_test has no row for {', '.join(missing)}: pass SVARResults.irf_test() of the "
                            "same VAR")
    raw = np.array([table[link] for link in links])
    adjusted = adjust(raw, multiplicity)
    horizon = path_test.attrs.get("horizon")
    return (dict(zip(links, raw.tolist(), strict=True)), dict(zip(links, adjusted.tolist(), strict=True)),
            None if horizon is None else int(horizon))


def _granger_pvalues(
    causality: pd.DataFrame | None, links: list[tuple[str, str]], multiplicity: Multiplicity,
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
    """Raw and adjusted (over the chain links that have one) Granger p-values."""
    if causality is None or not len(causality):
        return {}, {}
    table = {(str(r.cause), str(r.effect)): float(r.granger_pvalue) for r in causality.itertuples()}
    tested = [link for link in links if link in table and np.isfinite(table[link])]
    adjusted = adjust(np.array([table[link] for link in tested]), multiplicity) if tested else np.array([])
    return ({link: table[link] for link in tested}, dict(zip(tested, adjusted.tolist(), strict=True)))


def _rule(multiplicity: str, alpha: float, horizon: int | None, n_links: int, level: float, assets: bool,
          prob: bool) -> str:
    """The significance rule in one sentence."""
    if horizon is None:
        chain = ("chain edges: not tested (no bootstrap draws for the sup-t path test), so none is significant")
    else:
        chain = (f"chain edge source -> target: significant when the sup-t test that its whole response path "
                 f"(horizons 0..{horizon}) is zero has a {_ADJUSTED[multiplicity]} p-value below {alpha:g} "
                 f"({_RATE[multiplicity]} {100 * alpha:g}% over the {n_links} chain links tested); Granger "
                 "p-values are adjusted the same way and shown, not used")
    if not assets:
        return chain
    if not prob:
        return chain + "; asset edges: not tested (no posterior sign probabilities), so none is significant"
    return (chain + f"; asset edge shock -> asset: significant when the posterior probability of the sign of its "
            f"cumulative response at the last horizon is at least {level:g}, except an asset that is a transform "
            "of the shock's own variable (its response is the shock itself)")


def _add_asset_edges(
    g: nx.DiGraph, irf: xr.DataArray, prob_positive: xr.DataArray | None, groups: Mapping[str, str],
    keep_all: bool, level: float, transform_of: Mapping[str, str],
) -> None:
    """Asset nodes, and ``shock -> asset`` edges from the asset model's banded responses."""
    assets = [str(a) for a in irf.coords["response"].values]
    n_chain = g.number_of_nodes()
    for i, a in enumerate(assets):
        if a in g:
            g.nodes[a]["kind"] = "chain+asset"
        else:
            g.add_node(a, order=n_chain + i, group=groups.get(a, ""), kind="asset",
                       transform_of=transform_of.get(a, ""))
    last = int(irf.coords["horizon"].values[-1])
    for shock in (str(s) for s in irf.coords["shock"].values):
        for a in assets:
            path = irf.sel(shock=shock, response=a, bound="point").to_numpy()
            lo = irf.sel(shock=shock, response=a, bound="lower").to_numpy()
            hi = irf.sel(shock=shock, response=a, bound="upper").to_numpy()
            p_pos = None if prob_positive is None else float(
                prob_positive.sel(shock=shock, response=a).isel(horizon=-1))
            prob_sign = None if p_pos is None else max(p_pos, 1 - p_pos)
            by_construction = transform_of.get(a) == shock
            significant = prob_sign is not None and prob_sign >= level and not by_construction
            if by_construction:
                evidence = [f"not tested: {a} is a transform of the VAR's {shock}, so its response to {shock}'s "
                            "shock is the shock itself"]
            elif prob_sign is None:
                evidence = ["not tested: no posterior sign probability"]
            else:
                sign = "positive" if p_pos is not None and p_pos >= 0.5 else "negative"
                evidence = [f"P({sign} cumulative response at horizon {last}) = {prob_sign:.2f} "
                            f"{'>=' if significant else '<'} {level:g}"]
            if not (significant or keep_all):
                continue
            k = int(np.argmax(np.abs(path)))
            if g.has_edge(shock, a):  # the asset is also in the chain: keep the SVAR's edge, add the posterior's
                g.edges[shock, a].update(asset_irf=path.tolist(), asset_band=[lo.tolist(), hi.tolist()],
                                         asset_prob_sign=prob_sign, asset_significant=significant)
                continue
            g.add_edge(
                shock, a, kind="asset", irf=path.tolist(), band=[lo.tolist(), hi.tolist()], impact=float(path[0]),
                peak=float(path[k]), peak_horizon=int(irf.coords["horizon"].values[k]),
                band_excludes_zero=bool(((lo > 0) | (hi < 0)).any()), evidence=evidence,
                prob_sign=prob_sign, by_construction=by_construction, significant=significant,
            )


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
