"""``graph.html``: the dependency graph as one self-contained, interactive page.

No JavaScript library: the page is an inline SVG whose edges carry a
``<title>`` (the browser's own tooltip: source -> target, impact, peak, band,
evidence) and a hidden inset of the impulse response that CSS shows while the
pointer is on the edge. It needs nothing outside the file, renders in any
browser and keeps the graph's numbers readable as text; a plotting library
(plotly, pyvis) would embed megabytes of script or fetch it from a CDN.
"""

from __future__ import annotations

import html
from typing import Any

import networkx as nx

from causalmacro.graph import is_significant
from causalmacro.plotting import class_colour

__all__ = ["graph_html"]

_W, _H = 1100, 620


def _layout(g: nx.DiGraph) -> dict[str, tuple[float, float]]:
    chain = sorted((n for n, d in g.nodes(data=True) if d.get("kind", "chain") != "asset"),
                   key=lambda n: g.nodes[n].get("order", 0))
    assets = [n for n, d in g.nodes(data=True) if d.get("kind") == "asset"]
    pos = {n: (90 + i * 170.0, 330.0) for i, n in enumerate(chain)}
    for j, a in enumerate(assets):
        pos[a] = (90 + len(chain) * 170.0 + 60, 60 + 520.0 * j / max(len(assets) - 1, 1))
    return pos


def _spark(path: list[float], band: Any, x: float, y: float, colour: str) -> str:
    """A 160 x 70 inset of a response path (band, zero line) with its top-left corner at (x, y)."""
    lo = band[0] if band else path
    hi = band[1] if band else path
    top, bottom = max(max(hi), 0.0), min(min(lo), 0.0)
    span = (top - bottom) or 1.0
    n = max(len(path) - 1, 1)

    def px(i: int) -> float:
        return x + 5 + 150 * i / n

    def py(v: float) -> float:
        return y + 5 + 60 * (top - v) / span

    line = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(path))
    area = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(hi))
    area += " " + " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in reversed(list(enumerate(lo))))
    return (f'<rect x="{x}" y="{y}" width="160" height="70" fill="white" stroke="#999"/>'
            f'<polygon points="{area}" fill="{colour}" fill-opacity="0.2"/>'
            f'<line x1="{x + 5}" x2="{x + 155}" y1="{py(0):.1f}" y2="{py(0):.1f}" stroke="#666" stroke-width="0.6"/>'
            f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.5"/>')


def _num(value: Any) -> str:
    return "" if value is None else f"{float(value):.3g}"


def _table(rows: list[str], g: nx.DiGraph) -> str:
    """The chain links drawn, with their adjusted and raw p-values (the figure's lettered panels)."""
    head = ("<tr><th>link</th><th>direction</th><th>impact</th><th>peak</th><th>p (adjusted)</th><th>p (raw)</th>"
            "<th>Granger p (adjusted)</th></tr>")
    if not rows:
        return f"<p>No chain link passes the rule ({html.escape(str(g.graph.get('error_rate', '')))}).</p>"
    return f"<h2 style='font-size:1em'>Chain links that pass the rule</h2><table>{head}{''.join(rows)}</table>"


def graph_html(g: nx.DiGraph, *, title: str, synthetic: bool = False) -> str:
    """The page: significant edges drawn, each with a tooltip and a hover inset of its response."""
    pos = _layout(g)
    parts: list[str] = []
    rows: list[str] = []
    for u, v, d in g.edges(data=True):
        if not is_significant(u, v, d):
            continue
        colour = "#2e8b57" if float(d.get("peak", 0.0)) >= 0 else "#b22222"
        (x1, y1), (x2, y2) = pos[u], pos[v]
        bend = -0.35 * (x2 - x1) if d.get("kind", "chain") == "chain" else 0.0
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2 + bend
        band = d.get("band")
        tip = (f"{u} -> {v}: impact {d.get('impact', float('nan')):+.3g}, peak {d.get('peak', float('nan')):+.3g} "
               f"at horizon {d.get('peak_horizon')}; " + "; ".join(d.get("evidence") or []))
        if d.get("p_value") is not None:
            tip += f"; adjusted p = {d['p_value']:.3g} (raw {d['p_value_raw']:.3g})"
        if d.get("prob_sign") is not None:
            tip += f"; P(sign) = {d['prob_sign']:.2f}"
        if d.get("kind", "chain") == "chain":
            rows.append(f"<tr><td>{html.escape(f'{u} -> {v}')}</td><td>{'forward' if d.get('forward', True) else 'feedback'}"
                        f"</td><td>{d['impact']:+.3g}</td><td>{d['peak']:+.3g}</td>"
                        f"<td>{_num(d.get('p_value'))}</td><td>{_num(d.get('p_value_raw'))}</td>"
                        f"<td>{_num(d.get('granger_pvalue'))}</td></tr>")
        dash = "" if d.get("forward", True) or d.get("kind") == "asset" else ' stroke-dasharray="6,4" stroke-opacity="0.6"'
        inset_x, inset_y = min(max(cx - 80, 5), _W - 170), min(max(cy - 85, 5), _H - 80)
        parts.append(
            f'<g class="edge"><title>{html.escape(tip)}</title>'
            f'<path d="M{x1:.0f},{y1:.0f} Q{cx:.0f},{cy:.0f} {x2:.0f},{y2:.0f}" stroke="{colour}" '
            f'stroke-width="2.2" fill="none" marker-end="url(#arrow)"{dash}/>'
            f'<g class="inset">{_spark(list(d.get("irf") or [0.0]), band, inset_x, inset_y, colour)}'
            f'<text x="{inset_x + 4}" y="{inset_y + 82}" font-size="10">{html.escape(f"{u} -> {v}")}</text></g></g>'
        )
    for n, (x, y) in pos.items():
        kind = g.nodes[n].get("kind", "chain")
        r = 34 if kind != "asset" else 12
        fill = class_colour(str(g.nodes[n].get("group", ""))) if kind == "asset" else "white"
        label = f"{n} ({g.nodes[n].get('group') or kind})"
        parts.append(f'<g class="node"><title>{html.escape(label)}</title>'
                     f'<circle cx="{x}" cy="{y}" r="{r}" fill="{fill}" stroke="#333"/>'
                     f'<text x="{x + (0 if kind != "asset" else 18)}" y="{y + 4}" font-size="11" '
                     f'text-anchor="{"middle" if kind != "asset" else "start"}">{html.escape(n)}</text></g>')
    banner = '<p style="color:#8b0000;font-weight:bold">Synthetic demo data</p>' if synthetic else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>' + html.escape(title) + "</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:1em} .inset{visibility:hidden} "
        ".edge:hover .inset{visibility:visible} .edge:hover path{stroke-width:4}</style></head><body>"
        f"<h1 style='font-size:1.2em'>{html.escape(title)}</h1>{banner}"
        f"<p><b>Rule</b>: {html.escape(str(g.graph.get('rule', '')))}. Band: {html.escape(str(g.graph.get('band', '')))}."
        "</p><p>Only the edges that pass the rule are drawn (dashed: feedback, up the chain). Hover an edge for its "
        "impulse response (band, zero line) and its numbers.</p>"
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" viewBox="0 0 {_W} {_H}">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>'
        + "".join(parts) + "</svg>" + _table(rows, g) + "</body></html>\n"
    )
