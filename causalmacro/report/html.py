"""The run folder's ``report.html``: one self-contained page (figures embedded, no external requests)."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from causalmacro.labelled import has_bands, point_of
from causalmacro.pipeline import RunResults
from causalmacro.pipeline.tables import Robustness
from causalmacro.report.changes import with_article
from causalmacro.report.var_figures import TRACKER_FIGURE

__all__ = [
    "FAN_FIGURE",
    "KL_SENTENCE",
    "TRACKER_FIGURE",
    "html_report",
    "scenario_assets",
    "scenario_assets_text",
    "scenario_figures",
    "scenario_paths",
    "scenario_spectrum_regime",
]

FAN_FIGURE = "fan.png"
"""The chain's density forecast (a fan chart), shown in the Scenarios section when the folder has it."""


def scenario_figures(name: str) -> tuple[str, str]:
    """The figures of scenario ``name`` the Scenarios section shows when the folder has them.

    ``scenario_<name>.png`` (the chain's paths against the baseline) and
    ``scenario_spectrum_<name>.png`` (the asset spectrum under the scenario); a
    figure the folder lacks is left out, so the section reads whole without them.
    """
    return f"scenario_{name}.png", f"scenario_spectrum_{name}.png"


def scenario_spectrum_regime(run: RunResults, name: str) -> str | None:
    """The regime whose asset spectrum under scenario ``name`` is drawn: the chain's now (None: no asset model).

    The regime the run's answer and asset spectra read (``choices.asset_regime_now``), or
    ``NO_REGIMES`` when the asset model has none.
    """
    tables = run.scenarios.spectra.get(name) if run.scenarios is not None else None
    if not tables:
        return None
    return run.choices.asset_regime_now if run.choices.asset_regime_now in tables else next(iter(tables))


def scenario_assets(run: RunResults, name: str) -> pd.DataFrame | None:
    """The asset spectrum under scenario ``name`` for reading: one row per asset, one column per regime (None: none).

    Each cell ``mean [lower, upper] P>0 p``, in s.d. of the asset's monthly return; rows in
    the order of the drawn regime's table (highest first).
    """
    tables = run.scenarios.spectra.get(name) if run.scenarios is not None else None
    if not tables:
        return None
    first = tables[scenario_spectrum_regime(run, name) or next(iter(tables))]
    out = pd.DataFrame({"class": first["group"]})
    for regime, t in tables.items():
        t = t.loc[first.index]
        out[regime] = [f"{m:+.2f} [{lo:+.2f}, {hi:+.2f}] P>0 {p:.0%}"
                       for m, lo, hi, p in zip(t["mean"], t["lower"], t["upper"], t["prob_positive"], strict=True)]
    return out


def _scenario_figure(name: str) -> bool:
    """Whether a file of the folder is one of the Scenarios section's figures (kept out of "Figures")."""
    return name == FAN_FIGURE or name.startswith("scenario_")

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; font-size: .85em; margin: .6em 0; }
th, td { border: 1px solid #ddd; padding: .25em .55em; text-align: right; } th { background: #f4f4f4; }
td:first-child, th:first-child { text-align: left; }
.synthetic { background: #fde8e8; color: #8b0000; padding: .6em 1em; font-weight: bold; border-radius: 4px; }
.summary { background: #f6f8fa; padding: .8em 1em; border-radius: 4px; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: .85em; color: #555; }
.answer { background: #eef6ee; padding: .8em 1em; border-left: 4px solid #2e7d32; border-radius: 4px; }
.answer .verdict { font-size: 1.1em; font-weight: bold; } nav.toc { font-size: .9em; } nav.toc ol { columns: 2; } pre { background: #f6f8fa; padding: 1em; overflow-x: auto; font-size: .8em; }
"""

_CAPTIONS = {
    "liquidity": ("Liquidity tracker: net liquidity in levels (left axis) against the focus asset's price level "
                  "(right axis, log scale), and below the parts it is computed from, in the same units; the VAR "
                  "itself uses their changes."),
    "irf_compare": ("The focus variable's responses under the chosen identification and each scheme of "
                    "[var] compare, fitted to the same sample and lags, with each scheme's own bands: a conclusion "
                    "that holds under all of them does not rest on one identifying assumption."),
    "irf": "Impulse responses of the chain: rows are responses, columns one-s.d. structural shocks, with bands.",
    "fevd": "Variance decomposition: the share of each shock in the forecast-error variance of the focus variable.",
    "hd": "Historical decomposition: the contribution of each shock to the focus variable in recent periods.",
    "graph": "Dependency graph of both models: significant responses only, assets ordered by their response.",
    "spectrum_by": ("Asset spectrum map by regime: each asset's cumulative response in each regime (marker), "
                    "in s.d. of its return per s.d. of the shock, with 90% highest-density intervals."),
    "spectrum": ("Asset spectrum map: each asset's cumulative response (s.d. of its return per s.d. of the shock) "
                 "with its highest-density interval; in the current regime when the model is fitted by regime."),
    "position": ("Where the chain stands: each variable's latest value as a percentile of its own history in the "
                 "sample, with its direction over the last 3 and 6 periods, and the current regimes."),
    "lp": ("Local projections (Jordà 2005) of each link of the chain on the SVAR's identified shock, beside the VAR's "
           "response to the same one-s.d. shock; a gap between them points at dynamics the VAR's lags miss. The "
           "lower row, if any, is the projection by regime (Ramey & Zubairy 2018), the regime of the period before "
           "the shock."),
    "events": ("Estimated effect of each event on each variable: the VAR's exogenous dummy, along the event's own "
               "shape (pulse, step or window), with bootstrap bands."),
    "spec_curve": ("Specification curve (Simonsohn, Simmons & Nelson 2020): the peak response of every specification "
                   "of the grid, sorted, with its band; below, each specification's choices."),
    "fan": ("Density forecast of the chain (fan chart): the bootstrap predictive distribution of each variable over "
            "the scenarios' horizon, coefficients re-estimated in each replication, in the VAR's units."),
    "scenario_spectrum": ("Asset spectrum under the scenario: each asset's cumulative return given the scenario's "
                          "path of the shocks, from the asset model's posterior."),
    "scenario": ("Scenario against baseline: each variable's path under the scenario (conditioned values marked) "
                 "beside the unconditional forecast, in the VAR's units."),
    "channels": ("Channel decomposition: the part of each response that runs through the channel variables, "
                 "found by holding their responses at zero with the estimated dynamics fixed (an accounting of "
                 "the estimates; the Lucas critique applies)."),
}


def _table(frame: pd.DataFrame, *, index: bool = True, digits: int = 3) -> str:
    return frame.to_html(index=index, float_format=lambda v: f"{v:.{digits}g}", border=0, escape=True)


def _figure(folder: Path, name: str) -> str:
    data = base64.b64encode((folder / name).read_bytes()).decode("ascii")
    key = "spectrum_by" if name.startswith("spectrum_") and "_by_regime" in name else None
    caption = _CAPTIONS[key] if key else next((c for k, c in _CAPTIONS.items() if name.startswith(k)), "")
    return (f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(name)}: {html.escape(caption)}</figcaption></figure>")


def _changes(diff: dict[str, Any]) -> str:
    parts = [f"<p>{html.escape(diff['summary'])}</p>"]
    if diff["data"]:
        rows = [{"series": sid, "observations": f"{(d['before'] or {}).get('n', '-')} -> {(d['after'] or {}).get('n', '-')}",
                 "last observation": f"{(d['before'] or {}).get('last', '-')} -> {(d['after'] or {}).get('last', '-')}",
                 "revised": bool(d.get("revised"))} for sid, d in diff["data"].items()]
        parts.append(_table(pd.DataFrame(rows), index=False))
    moved = [r for r in diff["responses"] if r["beyond_band_horizons"]][:10]
    if moved:
        frame = pd.DataFrame([{"response": r["response"], "shock": r["shock"], "impact before": r["impact_before"],
                               "impact after": r["impact_after"], "peak before": r["peak_before"],
                               "peak after": r["peak_after"],
                               "beyond band at": ", ".join(map(str, r["beyond_band_horizons"][:8]))} for r in moved])
        parts.append("<p>Responses whose new estimate lies outside last run's band:</p>" + _table(frame, index=False))
    items = [f"asset ranking for {html.escape(with_article(s))} shock: {html.escape(' > '.join(r['before']))} &rarr; "
             f"{html.escape(' > '.join(r['after']))}" for s, r in diff["ranking"].items()]
    items += [f"graph edges {kind}: " + html.escape(", ".join(f"{a} -> {b}" for a, b in diff["edges"][kind]))
              for kind in ("appeared", "disappeared") if diff["edges"][kind]]
    if items:
        parts.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
    return "".join(parts)


def _quality(run: RunResults) -> str:
    panel = run.panel
    parts = [f"<p>{html.escape(str(panel.window.get('reason', '')))}.</p>"] if panel.window else []
    ragged = [c for c, info in panel.columns.items() if info.ragged]
    if ragged:
        spans = ", ".join(f"{c} ({panel.data[c].first_valid_index():%Y-%m}..{panel.data[c].last_valid_index():%Y-%m})"
                          for c in ragged)
        parts.append(f"<p>Assets with short histories (used where observed): {html.escape(spans)}.</p>")
    if len(panel.filled):
        filled = panel.filled.assign(date=panel.filled["date"].dt.strftime("%Y-%m-%d"))
        parts.append("<p>Values not observed as such (interpolated or from a fallback formula):</p>"
                     + _table(filled, index=False))
    else:
        parts.append("<p>Every value in the sample was observed; none was filled.</p>")
    return "".join(parts)


def _events(run: RunResults) -> str:
    from causalmacro.spec import event_catalogue

    catalogue = event_catalogue()
    rows = []
    fx = run.event_effects
    for name, event in run.spec.events.items():
        key = event.catalogue or (name if event.date is None else None)
        src = catalogue[key].source if key is not None else ""
        first = run.events.index[run.events[name] > 0][0] if run.events is not None and name in run.events else None
        row: dict[str, Any] = {"event": name, "date": run.spec.event_date(name).isoformat(),
                               "period": f"{first:%Y-%m-%d}" if first is not None else "-",
                               "shape": event.shape
                               + (f" ({event.periods} periods)" if event.periods else ""),
                               "title": run.spec.event_title(name)}
        if fx is not None and name in fx["shock"].values:
            for var in fx["response"].values:
                cell = fx.sel(shock=name, response=var, horizon=0)
                row[f"impact on {var}"] = (f"{float(cell.sel(bound='point')):+.3g} [{float(cell.sel(bound='lower')):+.3g}, "
                                           f"{float(cell.sel(bound='upper')):+.3g}]" if has_bands(cell)
                                           else f"{float(point_of(cell)):+.3g}")
        rows.append((row, src))
    table = pd.DataFrame([r for r, _ in rows])
    sources = "".join(f'<li>{html.escape(r["event"])}: <a href="{html.escape(src)}">{html.escape(src)}</a></li>'
                      for r, src in rows if src)
    out = ("<p>Impact (horizon 0) on each variable in its own units, with its band (residual bootstrap: see the "
           "docs): for a one-period event, the move in the event's period that the VAR's dynamics do not explain. "
           "<i>period</i> is the panel period the date falls in (a weekend date falls in the next week).</p>"
           + _table(table, index=False))
    if sources:
        out += "<p>Sources of the catalogue's dates:</p><ul>" + sources + "</ul>"
    if run.assets is not None and run.choices.asset_events:
        eff = run.assets.covariate_effects(level=run.choices.level)
        frame = eff.to_dataframe(name="value")["value"].unstack("bound")[["point", "lower", "upper"]]
        out += ("<p>Event effects on each asset's return in the asset model (posterior mean and HDI, "
                "in the asset's units):</p>" + _table(frame))
    return out


def _position(run: RunResults) -> str:
    pos = run.position
    assert pos is not None
    parts = ["<p>Each variable's latest value (its own units), its percentile in the sample's history and its "
             "direction over the last 3 and 6 periods (for a return or a change: that of its level).</p>",
             _table(pos.links)]
    if len(pos.regimes):
        reg = pos.regimes.assign(since=[s.strftime("%Y-%m-%d") if isinstance(s, pd.Timestamp) else "-"
                                        for s in pos.regimes["since"]])
        parts.append("<p>Current regimes:</p>" + _table(reg))
    if pos.spectrum is not None and pos.spectrum_regime is not None:
        name, label = pos.spectrum_regime
        parts.append(f"<p>Asset spectrum conditional on the current {html.escape(name)} regime "
                     f"(<b>{html.escape(label)}</b>): posterior mean cumulative response of each asset (rows) to "
                     "each one-s.d. shock (columns), in the asset's own units (% return; yields and spreads "
                     "sign-flipped, so + is a gain):</p>" + _table(pos.spectrum)
                     + "<p>Posterior probability that the cumulative response is a gain (positive):</p>"
                     + _table(pos.prob_positive if pos.prob_positive is not None else pd.DataFrame()))
    return "".join(parts)


def _robustness(rob: Robustness) -> str:
    d = rob.sizes
    parts = [f"<p>{rob.n_specifications} structural VARs of the same chain: {d['ordering']} orderings x {d['lags']} "
             f"lag lengths x {d['window']} windows x {d['identification']} identifications, each with {rob.reps} "
             f"{html.escape(str(rob.method))} bootstrap replications (<code>causalmacro grid</code>). "
             "<i>positive</i> / <i>negative</i>: the share of specifications whose band excludes zero on that side. "
             "A recursive ordering that puts the target first sets the impact response to zero by construction; the "
             "peak is the response at the horizon of the largest point estimate.</p>"]
    for at, shares in rob.sign_shares.items():
        shown = shares.assign(**{c: [f"{v:.0%}" for v in shares[c]] for c in ("positive", "negative", "point_positive")})
        parts.append(f"<h3>{'Impact' if at == 'impact' else 'Peak'} responses</h3>" + _table(shown))
    return "".join(parts)


def _asset_tables(run: RunResults) -> str:
    """The asset spectra and regime contrasts the pipeline computed, as HTML."""
    tables, assets = run.asset_tables, run.assets
    assert tables is not None and assets is not None
    now, body = tables.regime_now, []
    for shock, table in tables.spectra.items():
        where = f" in the current {tables.regime} regime ({now})" if now is not None else ""
        body.append(f"<h3>Asset spectrum: response to a one-s.d. {html.escape(shock)} shock{html.escape(where)}"
                    "</h3>" + _table(table))
        fixed = [str(a) for a, f in table.get("by_construction", pd.Series(dtype=bool)).items() if f]
        if fixed:
            body.append(f"<p>{html.escape(', '.join(fixed))}: built from the VAR's own {html.escape(shock)}, so "
                        "the response is the shock itself and its place on the spectrum holds by construction, "
                        "not as evidence.</p>")
        if tables.contrast is not None and shock in tables.contrasts:
            higher, lower = tables.contrast
            article = "an" if shock[:1] in "aeiou" else "a"
            body.append(f"<p>Probability that each asset's and class's cumulative response to {article} "
                        f"{html.escape(shock)} shock is higher (more positive) when "
                        f"{html.escape(str(tables.regime))} is {html.escape(higher)} than when it is "
                        f"{html.escape(lower)}, and the posterior mean of the difference:</p>"
                        + _table(tables.contrasts[shock]))
    body.append(f"<p>{html.escape(str(assets.diagnostics))}</p>")
    return "".join(body)


KL_SENTENCE = ("Plausibility: kl_mean = {kl:.3g} is half the sum of squares of the mean structural shocks the "
                "conditions need, the Kullback-Leibler divergence of their mean from the shocks' usual N(0, I) "
                "(Antolín-Díaz, Petrella & Rubio-Ramírez 2021): 0 needs no unusual shock, and the larger it is, the "
                "more unusual the shocks the scenario asks of the economy.")
"""The plausibility of a scenario in one sentence (``{kl}``: its ``kl_mean``), in both reports."""


def scenario_paths(run: RunResults, name: str) -> pd.DataFrame:
    """The scenario's table pivoted for reading: one row per period, ``scenario* (baseline)`` per variable, the shocks."""
    assert run.scenarios is not None
    table = run.scenarios.tables[name]
    order = [str(v) for v in run.svar.names]
    cells = table.assign(cell=[f"{a:.2f}{'*' if c else ''} ({b:.2f})" for a, b, c in
                               zip(table.scenario, table.baseline, table.conditioned, strict=True)])
    out = cells.pivot(index="period", columns="variable", values="cell")[order]
    allowed = list(run.scenarios.scenarios[name].attrs["shocks_allowed"])
    shocks = table.pivot(index="period", columns="variable", values="shock")[allowed]
    for shock in allowed:
        out[f"{shock} shock"] = [f"{v:+.2f}" for v in shocks[shock]]
    out.columns.name = None
    return out


def scenario_assets_text(run: RunResults, name: str) -> str:
    """How to read :func:`scenario_assets` in one paragraph (empty without the asset model)."""
    stage, regime = run.scenarios, scenario_spectrum_regime(run, name)
    if stage is None or regime is None:
        return ""
    t = stage.spectra[name][regime]
    by = (f" By {run.choices.asset_regime} regime; the figure shows the regime the chain is in now, {regime}."
          if run.choices.asset_regime else "")
    return (f"Asset spectrum under the scenario: each asset's cumulative return over the {t.attrs['horizon']} "
            f"periods caused by the scenario's shock path (scenario minus baseline, a return the baseline does not "
            f"have), in standard deviations of the asset's monthly return: posterior mean [{t.attrs['level']:.0%} "
            f"HDI] and the probability it is positive. The scenario's {t.attrs['shock_paths']} shock draws are "
            f"cycled over the asset model's posterior draws, so the bands carry the VAR's uncertainty about the "
            f"shock path and the asset model's about the betas.{by}")


def _scenario_assets_html(run: RunResults, name: str) -> str:
    table = scenario_assets(run, name)
    if table is None:
        return ""
    return f"<p>{html.escape(scenario_assets_text(run, name))}</p>" + _table(table)


def _scenarios(run: RunResults, folder: Path, files: Sequence[str]) -> str:
    """Each scenario (description, conditions in both units, paths against the baseline, plausibility), the density."""
    stage = run.scenarios
    assert stage is not None
    units = {c: info.units for c, info in run.panel.columns.items()}
    parts = ["<p>What if: each scenario of the spec's <code>[scenarios]</code> holds some variables on a given path "
             "and lets the VAR say what the others do. A <i>scenario</i> produces the path with the allowed shocks only "
             "(a structural scenario, Antolín-Díaz, Petrella &amp; Rubio-Ramírez 2021), a <i>conditional</i> forecast "
             "with every shock (Waggoner &amp; Zha 1999). Paths are in the VAR's units; the baseline is the "
             "unconditional forecast.</p>"]
    for name, ds in stage.scenarios.items():
        kind, allowed = str(ds.attrs["kind"]), ", ".join(ds.attrs["shocks_allowed"])
        parts.append(f"<h3>{html.escape(name)} ({html.escape(kind)}; shocks allowed: {html.escape(allowed)})</h3>")
        if run.spec.scenarios[name].description:
            parts.append(f"<p>{html.escape(run.spec.scenarios[name].description)}</p>")
        conds = pd.DataFrame([{"variable": r["variable"], "period": r["period"], "horizon": r["horizon"],
                               "given": f"{r['value']:g} ({r['units']})",
                               "in the VAR's units": f"{r['model_value']:.4g} ({units.get(r['variable'], '')})"}
                              for r in stage.condition_rows(run.spec, name)])
        parts.append("<p>Conditions, as the spec gives them and as the VAR meets them (exactly):</p>"
                     + _table(conds, index=False))
        parts.append(f"<p>{html.escape(KL_SENTENCE.format(kl=float(ds.attrs['kl_mean'])))}</p>")
        parts.extend(_figure(folder, f) for f in scenario_figures(name) if f in files)
        parts.append(f"<p>Paths: the scenario's mean, * where conditioned, with the baseline in brackets; the implied "
                     f"mean structural shocks in standard deviations. Bands ({ds.attrs['level']:.0%}, "
                     f"{int(ds.attrs['draws'])} draws) in <code>scenario_{html.escape(name)}.csv</code>"
                     + (f"; parameters from {html.escape(stage.parameters_note)}" if stage.parameters_note else "")
                     + ".</p>" + _table(scenario_paths(run, name)))
        parts.append(_scenario_assets_html(run, name))
    parts.append(f"<h3>Density forecast of the chain</h3><p>{html.escape(stage.density_note)}.</p>")
    if FAN_FIGURE in files:
        parts.append(_figure(folder, FAN_FIGURE))
    density = stage.density_table()
    if density is not None:
        parts.append("<p>Quantiles of each variable's predictive distribution, in the VAR's units:</p>"
                     + _table(density, digits=3))
    return "".join(parts)


def _answer(run: RunResults) -> str:
    """The headline: the answer in words and its evidence, as the pipeline computed them (:class:`Answer`)."""
    ans = run.answer
    if ans is None:
        return ("<p>The spec has no liquidity variable in <code>[var].order</code> (a series of the catalogue's "
                "<i>liquidity</i> group, such as <code>derived = \"net_liquidity\"</code>), so the report has no "
                "headline link to answer: read the figures below.</p>")
    rule = (f"An answer of <i>yes</i> needs the {html.escape(ans.multiplicity)}-adjusted p-value of the test that "
            f"the whole response path is zero below {ans.alpha:g}: a family-wise error rate of {ans.alpha:.0%} "
            f"over the {ans.n_tests} ordered pairs of the VAR's variables, each tested alike.")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in ans.lines())
    return (f'<div class="answer"><p class="verdict">{html.escape(ans.verdict)}</p><ul>{items}</ul>'
            f"<p>{rule}</p></div>")


def _tracker(run: RunResults, folder: Path, files: Sequence[str]) -> str:
    """The liquidity tracker's figure, or why the run has none."""
    tr = run.tracker
    if tr is None or tr.skipped is not None or TRACKER_FIGURE not in files:
        why = tr.skipped if tr is not None and tr.skipped is not None else "the run computed no tracker"
        return f"<p>No liquidity tracker: {html.escape(why)}.</p>"
    return _figure(folder, TRACKER_FIGURE)


def html_report(run: RunResults, folder: Path, files: Sequence[str], diff: dict[str, Any] | None = None) -> str:
    """The report page of a run whose folder (``folder``, holding ``files``) is being written.

    Figures are embedded as base64 PNG data, styles inline: the page makes no
    request outside itself and opens from any copy of the folder.
    """
    title = f"causalmacro report: {run.spec.name}"
    head = [f"<h1>{html.escape(title)}</h1>"]
    if run.synthetic:
        head.append('<p class="synthetic">Synthetic data from the embedded demo: the numbers illustrate the '
                    "method, they do not estimate anything about the economy.</p>")
    sections: list[tuple[str, str, str]] = []  # (anchor, heading, html)

    def add(anchor: str, heading: str, content: str) -> None:
        sections.append((anchor, heading, content))

    ans = run.answer
    add("answer", ans.question if ans is not None else "The headline question", _answer(run))
    add("liquidity", "Net liquidity and its parts", _tracker(run, folder, files))
    add("summary", "The run in brief", '<div class="summary"><ul>' + "".join(
        f"<li>{html.escape(line)}</li>" for line in run.summary_lines()) + "</ul></div>")
    if diff is not None:
        add("changes", "What changed", _changes(diff))
    add("quality", "Data quality", _quality(run))
    if run.position is not None:
        add("position", "Where the chain stands now", _position(run))
    if run.spec.events:
        add("events", "Events", _events(run))
    add("figures", "Figures", "".join(_figure(folder, f) for f in files if f.endswith(".png")
                                      and not f.startswith("spec_curve_") and f != TRACKER_FIGURE
                                      and not _scenario_figure(f)))
    if run.scenarios is not None:
        add("scenarios", "Scenarios", _scenarios(run, folder, files))
    if run.robustness is not None:
        add("robustness", "Robustness across specifications", _robustness(run.robustness)
            + "".join(_figure(folder, f) for f in files if f.startswith("spec_curve_")))
    tables = "<h3>Causality tests</h3>" + _table(run.causality, index=False)
    if run.asset_tables is not None:
        tables += _asset_tables(run)
    add("tables", "Tables", tables)
    text = run.choices_text()
    choices = pd.DataFrame({"value": list(text.values())}, index=list(text))
    add("choices", "Analysis choices", _table(choices))
    add("svar", "Structural VAR", f"<pre>{html.escape(run.svar.summary())}</pre>")
    toc = '<nav class="toc"><b>Contents</b><ol>' + "".join(
        f'<li><a href="#{a}">{html.escape(h)}</a></li>' for a, h, _ in sections) + "</ol></nav>"
    body = [*head, toc, *(f'<section id="{a}"><h2 id="h-{a}">{html.escape(h)}</h2>{c}</section>'
                          for a, h, c in sections)]
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body>{''.join(body)}</body></html>\n")
