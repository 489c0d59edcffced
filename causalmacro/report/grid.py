"""A grid folder's figures and page: sign shares, specification curves, ``report.html``."""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from causalmacro.fileutil import replace_atomically
from causalmacro.pipeline.tables import GridTables, grid_tables
from causalmacro.specgrid import GridResults

__all__ = ["grid_html", "write_grid"]


def write_grid(
    g: GridResults,
    out: str | os.PathLike[str],
    *,
    links: Sequence[tuple[str, str]] | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
    tables: GridTables | None = None,
) -> list[str]:
    """Write ``summary.csv``, one ``spec_curve_<source>_<target>.png`` per headline link and ``report.html``.

    ``grid.nc`` and the shards are written by :func:`causalmacro.grid` itself;
    the tables shown are :func:`causalmacro.pipeline.tables.grid_tables` of
    ``links`` (pass ``tables`` when already computed). Returns the names written.
    """
    from causalmacro.plotting import plot_spec_curve, save_figure

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    tables = tables if tables is not None else grid_tables(g, links)
    impact, peak = tables.sign_shares["impact"], tables.sign_shares["peak"]
    table = pd.concat({"impact": impact, "peak": peak}, axis=1)
    replace_atomically(folder / "summary.csv", lambda tmp: table.to_csv(tmp))
    files = ["summary.csv"]
    figures = []
    for (source, target, at), curve in tables.curves.items():
        name = f"spec_curve_{source}_{target}_{at}.png"
        save_figure(plot_spec_curve(curve, synthetic=synthetic, units=units), folder / name)
        files.append(name)
        figures.append(name)
    page = grid_html(g, folder, figures, impact, peak, synthetic=synthetic, crypto_rank=tables.crypto_rank)
    replace_atomically(folder / "report.html", lambda tmp: Path(tmp).write_text(page, encoding="utf-8"))
    files.append("report.html")
    return files


def grid_html(g: GridResults, folder: Path, figures: Sequence[str], impact: pd.DataFrame, peak: pd.DataFrame,
              *, synthetic: bool = False, crypto_rank: pd.DataFrame | None = None) -> str:
    """The grid's page: what was varied, the sign shares, every specification curve (embedded)."""
    a, d = g.data.attrs, g.data.sizes
    title = f"causalmacro robustness grid: {a.get('spec', '')}"
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if synthetic:
        parts.append('<p class="synthetic">Synthetic data from the embedded demo: not real observations.</p>')
    parts.append(f"<p>{g.n_specifications} structural VARs: {d['ordering']} orderings x {d['lags']} lag lengths "
                 f"({', '.join(map(str, g.data['lags'].values))}) x {d['window']} windows x {d['identification']} "
                 f"identifications ({', '.join(map(str, g.data['identification'].values))}), each with "
                 f"{a.get('reps')} {html.escape(str(a.get('method')))} bootstrap replications and "
                 f"{100 * float(a.get('level', 0.9)):.0f}% pointwise bands. A recursive ordering that puts the target "
                 "before the source sets its impact response to zero by construction; the peak response is read at "
                 "the horizon of the largest point estimate.</p>")
    fmt = {"positive": "{:.0%}", "negative": "{:.0%}", "point_positive": "{:.0%}", "median": "{:.3g}"}
    for label, frame in (("impact response", impact), ("peak response", peak)):
        shown = frame.copy()
        for col, f in fmt.items():
            shown[col] = [f.format(v) for v in shown[col]]
        parts.append(f"<h2>Share of specifications by sign: {label}</h2><p>positive / negative: the band excludes "
                     "zero on that side; point_positive: the point estimate is positive.</p>"
                     + shown.to_html(border=0, escape=True))
    if crypto_rank is not None:
        ranks = crypto_rank
        shown = ranks.assign(top=[f"{v:.0%}" for v in ranks["top"]], bottom=[f"{v:.0%}" for v in ranks["bottom"]])
        parts.append("<h2>Where crypto sits on the asset spectrum across windows</h2><p>The asset model on each "
                     "window (the spec's own VAR): the share of windows in which a crypto asset has the highest "
                     "(<i>top</i>) or the lowest (<i>bottom</i>) cumulative response to each shock, and the median "
                     "place of the best-placed crypto asset.</p>" + shown.to_html(border=0, escape=True))
    windows = ", ".join(g.data["window"].values)
    parts.append(f"<h2>Specification curves</h2><p>Windows: {html.escape(windows)}.</p>")
    for name in figures:
        data = base64.b64encode((folder / name).read_bytes()).decode("ascii")
        parts.append(f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,{data}">'
                     f"<figcaption>{html.escape(name)}</figcaption></figure>")
    style = ("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;font-size:.85em}th,td{border:1px solid #ddd;padding:.2em .5em}"
             "figure img{max-width:100%}.synthetic{background:#fde8e8;color:#8b0000;padding:.5em;font-weight:bold}")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")
