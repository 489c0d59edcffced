"""Make the figures of the docs from real FRED series, and print the numbers the pages quote.

Run from the repository root, with the reference CSV folder at ``../shared/data/fred``::

    python docs/make_figures.py                 # 7-8 minutes on 2 shared cores
    python docs/make_figures.py --data-dir DIR  # another folder of FRED CSV downloads

or from FRED itself: with ``FRED_API_KEY`` set, ``--fred`` reads every series through
``cm.open_source(spec)`` (the spec's ``[data] source = "fred"``, cached in the local store);
``causalmacro fetch models/liquidity_chain.toml`` fetches the same series ahead of time.
Newer data move the numbers: the page quotes the run on the folder's vintage (to 2025-10).

Writes ``docs/figures/*.png`` and ``docs/figures/caption_numbers.json`` (the estimates the captions
quote, compared with the pages by ``tests/test_docs_claims.py``) and nothing else (never data, never
extracts of data):

- ``chain_*.png``: the monthly chain of ``models/liquidity_chain.toml`` as a plain SVAR
  (no event dummies): the variance shares, historical decomposition and graph of the concept pages;
- ``case_events_weekly.png``: the weekly chain with events (``models/events_weekly.toml``), in the case study;
- ``case_*.png``: the case study (``case-study.md``): the main job (``cm.fit_spec``) on
  the monthly spec, the asset spectrum pooled and by liquidity regime, and the robustness
  checks: one specification grid (every ordering x lags 1-4 x the full sample, pre- and
  post-2020 and six rolling six-year windows, with the asset model on each window), a
  sign-identified fit, and BTC's responses under recursive, changes-in-volatility, sign and
  sign + narrative identification side by side (``case_identification.png``); and the
  ``[scenarios.tga_rebuild]`` scenario of the by-regime run (``case_fan.png``,
  ``case_scenario.png``, ``case_scenario_spectrum.png``; ``--only scenarios`` runs just
  that step, one ``fit_spec``, about a minute).

Every figure is drawn by the package's own plotting functions, so the pages cannot drift
from the code; the numbers printed under ``==`` headings are the ones the pages quote.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.lines import Line2D

import causalmacro as cm
from causalmacro.data.sources.csvdir import CsvDirSource
from causalmacro.fileutil import replace_atomically
from causalmacro.pipeline.tables import flag_transforms
from causalmacro.plotting import save_figure

sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))
from legible import (  # docs/_ext: shared with the gallery's scraper and the pages' kernels
    legible,
    tick_px,
)

ROOT = Path(__file__).resolve().parents[1]
FRED = ROOT / ".." / "shared" / "data" / "fred"
OUT = ROOT / "docs" / "figures"
#: the numbers the pages' captions quote, written beside the figures (tests/test_docs_claims.py compares)
NUMBERS = OUT / "caption_numbers.json"
# legible at the width shown (tests/test_docs.py checks the built site): the width in px each figure is shown
# at in a 1280-px window (its page's article, times the figure's :width: option), the smallest tick label
# that is legible there, and the saved image at least twice the width shown (sharp on high-density screens)
ARTICLE = 880  # case-study.md, getting-started.md and index.md: pages without section navigation
CONCEPTS = 790  # the concept and how-to pages (with section navigation)
SEED = 20261201
CHAIN = ["inflation", "real_rate", "net_liquidity", "hy_spread", "btc"]
ASSET_SHOCKS = ["inflation", "real_rate", "net_liquidity", "hy_spread"]
# sign restrictions of the robustness check (models/demo_sign.toml): BTC is left free
SIGNS = {"real_rate": {"real_rate": 1, "hy_spread": 1}, "net_liquidity": {"net_liquidity": 1, "hy_spread": -1}}


def save(fig: Any, name: str, shown: float) -> None:
    """Make ``fig`` legible at ``shown`` px, then write ``docs/figures/name`` at least twice that wide."""
    factor = legible(fig, shown)
    width = fig.get_tightbbox().width
    dpi = int(np.ceil(2 * shown / width)) + 1
    px = tick_px(fig, shown)
    save_figure(fig, OUT / name, dpi=dpi)
    print(f"  {name}: shown {shown:.0f} px, tick labels {px:.1f} px (text x{factor:.2f}), "
          f"{dpi} dpi, {width * dpi:.0f} px wide")


def taller(fig: Any, factor: float) -> Any:
    """``fig`` with its height times ``factor`` (its width, hence the legibility at the width shown, unchanged)."""
    width, height = fig.get_size_inches()
    fig.set_size_inches(width, height * factor)
    return fig


def heading(text: str) -> None:
    print(f"\n== {text}")


def band(cell: Any) -> str:
    """``+1.23 [-0.40, +2.80]`` from a DataArray with a ``bound`` dim."""
    return (f"{float(cell.sel(bound='point')):+.3g} "
            f"[{float(cell.sel(bound='lower')):+.3g}, {float(cell.sel(bound='upper')):+.3g}]")


def impact_and_peak(irf: Any, response: str, shock: str) -> str:
    """Impact and peak (the horizon of the largest point estimate in absolute value) with bands."""
    cell = irf.sel(response=response, shock=shock)
    k = int(abs(cell.sel(bound="point")).argmax("horizon"))
    return f"impact {band(cell.isel(horizon=0))}; peak at h={k}: {band(cell.isel(horizon=k))}"


def units_of(panel: Any) -> dict[str, str]:
    return {name: info.units for name, info in panel.columns.items()}


def curve_numbers(curve: pd.DataFrame) -> dict[str, Any]:
    """A specification curve's point estimates in numbers: count and median, and by lag length median, min and max.

    Only the point estimates: they do not depend on the bootstrap, so a rerun with
    other replications quotes the same numbers.
    """
    by_lags = {str(int(lags)): {"median": round(float(part.median()), 4), "min": round(float(part.min()), 4),
                                "max": round(float(part.max()), 4), "n": int(part.size)}
               for lags, part in curve.groupby("lags")["point"]}
    return {"at": curve.attrs.get("at"), "n": len(curve), "median": round(float(curve["point"].median()), 4),
            "by_lags": by_lags}


def record_numbers(key: str, value: dict[str, Any]) -> None:
    """Put ``value`` under ``key`` in :data:`NUMBERS` (the other keys kept), written atomically."""
    numbers = json.loads(NUMBERS.read_text(encoding="utf-8")) if NUMBERS.exists() else {}
    numbers[key] = value
    text = json.dumps(numbers, indent=2, sort_keys=True) + "\n"
    replace_atomically(NUMBERS, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def open_data(spec: Any, data_dir: Path | None) -> Any:
    """The spec's source: a folder of FRED CSV downloads, or FRED itself (``cm.open_source``, FRED_API_KEY)."""
    return CsvDirSource(data_dir) if data_dir is not None else cm.open_source(spec)


# ------------------------------------------------------------------ the plain chain (concepts, index.md)
def plain_chain(spec: Any, panel: Any) -> None:
    """``chain_*.png``: the recursive chain without events, 2000 moving-block bootstrap replications."""
    assert spec.var is not None
    order = list(spec.var.order)
    units = units_of(panel)
    res = cm.SVAR(panel.data[order], order=order, lags=spec.var.lags, max_lags=spec.var.max_lags).fit()
    save(cm.plot_fevd(res.fevd(12), "btc", horizon_unit="months"), "chain_fevd_btc.png", CONCEPTS)
    save(cm.plot_historical_decomposition(res.historical_decomposition(), "btc", last=36,
                                                 units=units), "chain_hd_btc.png", CONCEPTS)
    draws = res.bootstrap(2000, rng=20261121)  # the block bootstrap: the graph's path test and joint bands
    graph = cm.dependency_graph(res.irf(24, bands=draws, level=0.9, joint=True), res.causality_table(),
                                path_test=res.irf_test(24, bands=draws))
    save(cm.plot_graph(graph, units=units), "chain_graph.png", CONCEPTS)
    heading("plain monthly chain (chain_*.png)")
    print(res.summary())
    print(res.causality_table().query("chain_link").round(3).to_string(index=False))


# ------------------------------------------------------------------ the weekly chain (case study)
def weekly_chain(data_dir: Path | None) -> None:
    """``case_events_weekly.png``: the weekly chain with its events."""
    weekly = cm.load_spec(ROOT / "models" / "events_weekly.toml")
    run = cm.fit_spec(weekly, cm.build_panel(weekly, open_data(weekly, data_dir)), assets=False, rng=SEED)
    units = units_of(run.panel)
    assert run.event_effects is not None
    titles = {name: weekly.event_title(name) for name in weekly.events}
    crypto_events = ["covid_crash_2020", "terra_ust_collapse_2022", "ftx_collapse_2022", "usdc_depeg_2023",
                     "spot_bitcoin_etf_approval_2024", "bybit_hack_2025"]
    save(taller(cm.plot_event_effects(run.event_effects, titles=titles, units=units, horizon_unit="weeks",
                                      events=crypto_events, responses=["real_rate", "hy_spread", "btc"]), 1.15),
         "case_events_weekly.png", 0.8 * ARTICLE)
    heading("weekly chain with events (case_events_weekly.png)")
    print("\n".join(run.summary_lines()))
    fx = run.event_effects
    for name in fx["shock"].values:
        cum = fx.sel(shock=name, response="btc").isel(horizon=slice(0, 4)).sum("horizon")
        print(f"  event {name}: btc impact {band(fx.sel(shock=name, response='btc', horizon=0))}, "
              f"hy_spread impact {band(fx.sel(shock=name, response='hy_spread', horizon=0))}; "
              f"btc summed over weeks 0-3 (point) {float(cum.sel(bound='point')):+.1f}")


# ------------------------------------------------------------------ the case study's main job
def monthly_main(spec: Any, panel: Any) -> tuple[Any, Any]:
    """``cm.fit_spec`` on the monthly spec twice: the asset model pooled over regimes, and by liquidity regime.

    Both runs share the seed, so their SVAR, bands, decompositions and projections are identical; only
    the asset model differs.
    """
    assert spec.assets is not None
    pooled_spec = spec.model_copy(update={"assets": spec.assets.model_copy(update={"regime": None})})
    say = lambda line: print("  " + line)  # noqa: E731
    heading("monthly main job: fit_spec (asset model pooled over regimes)")
    pooled = cm.fit_spec(pooled_spec, panel, rng=SEED, on_stage=say)
    heading("monthly main job: fit_spec as shipped (asset model by liquidity regime)")
    by_regime = cm.fit_spec(spec, panel, rng=SEED, on_stage=say)
    return pooled, by_regime


def chain_figures(run: Any) -> None:
    """The graph, the impulse responses, the FEVD and historical decomposition of BTC, LP against VAR."""
    units = units_of(run.panel)
    res = run.svar
    save(cm.plot_graph(run.graph, rank_shock="net_liquidity", units=units), "case_graph.png", ARTICLE)
    save(cm.plot_irf(run.irf, units=units, horizon_unit="months"), "case_irf.png", ARTICLE)
    save(cm.plot_fevd(run.fevd, "btc", horizon_unit="months"), "case_fevd_btc.png", 0.8 * ARTICLE)
    save(cm.plot_historical_decomposition(run.historical_decomposition, "btc", last=36, units=units), "case_hd_btc.png", 0.9 * ARTICLE)
    save(cm.plot_lp(run.irf, dict(run.lp), lp_state=dict(run.lp_state), state_name="liquidity",
                           units=units, horizon_unit="months"), "case_lp.png", ARTICLE)
    assert run.event_effects is not None

    heading("monthly main job: SVAR")
    print("\n".join(run.summary_lines()))
    print(f"sample {res.reduced_form.index[0]:%Y-%m}..{res.reduced_form.index[-1]:%Y-%m}, {res.nobs} months, "
          f"VAR({res.lags}), largest root {res.roots[0]:.3f}")
    print("filled values:", run.panel.filled.to_dict("records") if len(run.panel.filled) else "none")
    print("shock sizes (1 s.d., impact on own variable):",
          {s: round(float(run.irf.sel(response=s, shock=s, horizon=0, bound="point")), 3) for s in CHAIN})
    heading("monthly: chain links and BTC responses (90% joint (sup-t) moving-block bootstrap bands)")
    for a, b in itertools.pairwise(CHAIN):
        print(f"  {a} -> {b}: {impact_and_peak(run.irf, b, a)}")
    for s in CHAIN[:-1]:
        print(f"  {s} -> btc: {impact_and_peak(run.irf, 'btc', s)}")
    cum = res.irf(run.choices.irf_horizon, bands=run.draws, level=run.choices.level, cumulative=True)
    for s in CHAIN[:-1]:
        print(f"  cumulative btc (log price, %) to {s} after 12 months (pointwise band): "
              f"{band(cum.sel(response='btc', shock=s, horizon=12))}")
    print(run.causality.query("effect == 'btc'").round(3).to_string(index=False))
    heading("monthly: dependency graph (case_graph.png), chain links by the graph's rule")
    print(run.graph.graph["rule"])
    for u, v, d in run.graph.edges(data=True):
        if d.get("kind", "chain") == "chain":
            print(f"  {u} -> {v}: {'DRAWN' if d['significant'] else 'not drawn'}, "
                  f"{'forward' if d['forward'] else 'feedback'}; path test p = {d['p_value_raw']:.3g}, "
                  f"Holm-adjusted {d['p_value']:.3g}; Granger adjusted {d['granger_pvalue']:.3g}")
    if run.answer is not None:
        print("\n".join(run.answer.lines()))
    heading("monthly: FEVD of btc (point [90% pointwise band])")
    for h in (1, 12):
        cells = run.fevd.sel(response="btc", horizon=h)
        print(f"  h={h}: " + ", ".join(f"{s} {band(cells.sel(shock=s))}" for s in CHAIN))
    heading("monthly: historical decomposition of btc (sum of contributions, log-return points)")
    hd = run.historical_decomposition.sel(response="btc")
    for n in (12, 36):
        part = hd.isel(time=slice(-n, None)).sum("time").to_series()
        print(f"  last {n} months: " + ", ".join(f"{k} {v:+.1f}" for k, v in part.items()))
    heading("monthly: local projections against the VAR (point [90% band])")
    for link, proj in run.lp.items():
        source, target = (p.strip() for p in link.split("->"))
        cells = [f"h={h}: LP {band(proj.sel(response=target, shock=source, horizon=h))} / VAR "
                 f"{band(run.irf.sel(response=target, shock=source, horizon=h))}" for h in (0, 1, 3)]
        print(f"  {link}: " + "; ".join(cells))
    heading("monthly: events, effect on btc and hy_spread at impact (the run's 90% bands: joint, moving-block)")
    for name in run.event_effects["shock"].values:
        fx = run.event_effects.sel(shock=name, horizon=0)
        print(f"  {name}: btc {band(fx.sel(response='btc'))}, hy_spread {band(fx.sel(response='hy_spread'))}")


def spectrum_figures(pooled: Any, by_regime: Any) -> None:
    """The asset spectrum map (pooled) for the four shocks, and by liquidity regime."""
    post, post_r = pooled.assets, by_regime.assets
    fig, axes = plt.subplots(2, 2, figsize=(11, 6.5))
    overlap = pooled.spec.asset_var_overlap  # credit = -d(hy_spread), treasury_10y ~ real_rate: flagged, not evidence
    for ax, shock in zip(axes.ravel(), ASSET_SHOCKS, strict=True):
        cm.plot_spectrum(flag_transforms(post.spectrum(shock, scale="standardized"), shock, overlap), ax=ax,
                         title=f"one-s.d. {shock} shock")
    fig.suptitle("Asset spectrum map, monthly 2015-2025 (pooled over regimes)", fontsize=11)
    fig.tight_layout()
    save(fig, "case_spectrum.png", ARTICLE)
    regimes = list(post_r.regimes)
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    for ax, shock in zip(axes, ["net_liquidity", "real_rate"], strict=True):
        cm.plot_spectrum_by_regime({r: post_r.spectrum(shock, regime=r, scale="standardized") for r in regimes}, ax=ax,
                                   title=f"one-s.d. {shock} shock, by liquidity regime (of the month before)")
    fig.tight_layout()
    save(fig, "case_spectrum_regime.png", ARTICLE)

    heading("asset model (pooled): diagnostics")
    print(post.diagnostics)
    heading("asset spectrum, pooled: cumulative response lags 0..2, standardised (s.d. of asset per s.d. shock)")
    for shock in ASSET_SHOCKS:
        table = post.spectrum(shock, scale="standardized")
        print(f"-- {shock}")
        print(table.round(3).to_string())
        data = post.spectrum(shock, scale="data").loc[["btc", "eth", "nasdaq", "sp500"]]
        print("   data units (% return per 1-s.d. shock): "
              + ", ".join(f"{a} {r['mean']:+.2f} [{r['lower']:+.2f}, {r['upper']:+.2f}]" for a, r in data.iterrows()))
        print(f"   P(crypto class > equity class) = {post.prob_greater('crypto', 'equity', shock=shock):.2f}; "
              f"P(btc > nasdaq) = {post.prob_greater('btc', 'nasdaq', shock=shock):.2f}")
    heading("asset spectrum by liquidity regime (standardised)")
    print(post_r.diagnostics)
    for shock in ["net_liquidity", "real_rate", "hy_spread"]:
        for r in regimes:
            table = post_r.spectrum(shock, regime=r, scale="standardized")
            print(f"-- {shock}, {r}: " + ", ".join(
                f"{a} {row['mean']:+.2f} [{row['lower']:+.2f}, {row['upper']:+.2f}]" for a, row in table.iterrows()))
        diff = post_r.prob_regime_greater("expanding", "contracting", shock=shock)
        print("   P(response larger when expanding than contracting): "
              + ", ".join(f"{n} {row['prob']:.2f}" for n, row in diff.iterrows()))


# ------------------------------------------------------------------ robustness
def robustness_grid(spec: Any, panel: Any) -> None:
    """One specification grid: every ordering x lags 1-4 x nine samples, and the asset model on each sample."""
    index = pd.DatetimeIndex(panel.data.index)
    first, last = index[0], index[-1]
    split = pd.Timestamp("2020-01-01")
    windows = [(first, last), (first, split - pd.offsets.MonthBegin(1)), (split, last)]
    # six rolling six-year windows, ending each December from 2020 and at the last month
    ends = [pd.Timestamp(f"{y}-12-01") for y in range(2020, last.year)] + [last]
    windows += [(e - pd.offsets.MonthBegin(71), e) for e in ends]
    t0 = time.perf_counter()
    # one call: cm.grid fits every (lags, window) block once and identifies all 120 orderings on it. The asset
    # model on each window is pooled over regimes, as the pooled spectrum above: by regime it has twice the
    # parameters, more than ETH's 25 months in the 2020-2025 window hold (DataError)
    assert spec.assets is not None
    pooled_spec = spec.model_copy(update={"assets": spec.assets.model_copy(update={"regime": None})})
    g = cm.grid(pooled_spec, panel, orderings="all", lags=[1, 2, 3, 4], windows=windows, reps=500, seed=SEED,
                workers=2, assets=True, on_stage=lambda line: print("  " + line))
    seconds = time.perf_counter() - t0
    labels = [str(w) for w in g.data["window"].values]
    full, pre, post = labels[:3]
    units = units_of(panel)

    def sub(window: str) -> Any:
        return type(g)(data=g.data.sel(window=[window]))

    whole = sub(full)
    curves = {}
    for source, name in (("net_liquidity", "liquidity"), ("real_rate", "real_rate")):
        curve = whole.curve(source, "btc", at="peak")
        save(cm.plot_spec_curve(curve, units=units), f"case_spec_curve_{name}_btc.png", 0.8 * ARTICLE)
        curves[f"{source}->btc"] = curve_numbers(curve)
    record_numbers("spec_curve", curves)  # the captions of case_spec_curve_*.png quote these
    # BTC's responses before and after 2020: the spec's ordering at the lag order AIC picks on the whole sample
    fig, axes = plt.subplots(1, 4, figsize=(12, 3.2), squeeze=False)
    lags = 2
    for window, colour in ((pre, "C0"), (post, "C3")):
        cell = g.irf.sel(ordering=">".join(CHAIN), lags=lags, window=window, identification="recursive")
        cm.plot_irf(cell, responses=["btc"], shocks=ASSET_SHOCKS, axes=axes, color=colour, units=units,
                    horizon_unit="months")
    fig.legend(handles=[Line2D([], [], color="C0", lw=2, label=f"{pre} (pre-2020)"),
                        Line2D([], [], color="C3", lw=2, label=f"{post} (from 2020)")],
               loc="lower center", ncol=2, fontsize=8, bbox_to_anchor=(0.5, -0.06))
    fig.suptitle(f"BTC's responses before and after 2020 (recursive, VAR({lags}), no event dummies; "
                 "one-s.d. shocks of each sub-sample, 90% moving-block bootstrap bands)", fontsize=9)
    save(fig, "case_subsamples_btc.png", ARTICLE)

    heading(f"robustness grid ({g.n_specifications} specifications, {seconds:.0f} s)")
    print(g.summary())
    links = [("real_rate", "net_liquidity"), ("net_liquidity", "hy_spread"), ("hy_spread", "btc"),
             ("inflation", "btc"), ("real_rate", "btc"), ("net_liquidity", "btc")]
    for window in labels:
        part = sub(window)
        stable = part.data["stable"].to_numpy().ravel()
        print(f"-- window {window}: {int(stable.sum())} of {stable.size} lag orders stable")
        for at in ("impact", "peak"):
            shares = part.sign_shares(links, at=at)
            print(f"   at {at}: " + "; ".join(
                f"{k}: +{r['positive']:.0%} / -{r['negative']:.0%} (median {r['median']:+.2f})"
                for k, r in shares.iterrows()))
        for source in ("net_liquidity", "real_rate", "hy_spread"):
            c = part.curve(source, "btc", at="impact")
            first_ = c[c["source_first"]]
            print(f"   impact {source} -> btc, orderings with {source} before btc ({len(first_)}): "
                  f"+{(first_['lower'] > 0).mean():.0%} / -{(first_['upper'] < 0).mean():.0%}, "
                  f"median {first_['point'].median():+.2f}")
    heading("crypto's place on the spectrum across the samples (asset model per window, standardised)")
    print(g.crypto_rank().to_string())
    rank = g.data["asset_rank"]
    for window in labels:
        row = []
        for shock in ASSET_SHOCKS:
            r = rank.sel(window=window, asset_shock=shock).to_series().sort_values()
            row.append(f"{shock}: " + ">".join(r.index[:3]) + f" (btc {int(r.index.get_loc('btc')) + 1}/{len(r)})")
        gate = bool(g.data["asset_gate_passed"].sel(window=window))
        print(f"   {window} [{'gate passed' if gate else 'GATE FAILED'}]: " + "; ".join(row))


def sign_identified(spec: Any, panel: Any) -> None:
    """The chain identified by sign restrictions on the rate and liquidity shocks, BTC left free."""
    assert spec.var is not None
    order = list(spec.var.order)
    scheme = cm.SignRestrictions(signs=SIGNS, horizons=2, draws=50000)
    res = cm.SVAR(panel.data[order], order=order, lags=spec.var.lags, max_lags=spec.var.max_lags,
                  identification=scheme).fit(rng=SEED)
    boot = res.irf(24, bands="block", reps=1000, level=0.9)
    identified_set = res.irf(24, bands="set", level=0.9)
    units = units_of(panel)
    save(cm.plot_irf(boot, shocks=["real_rate", "net_liquidity"], units=units, horizon_unit="months"), "case_sign_irf.png", 0.6 * ARTICLE)
    heading("sign-identified chain (real_rate: real_rate+, hy_spread+; net_liquidity: net_liquidity+, hy_spread-; "
            "h=0..2; btc free)")
    print(res.identified.details)
    accepted = np.asarray(res.identified.accepted)
    b = order.index("btc")
    for shock in ("real_rate", "net_liquidity"):
        k = order.index(shock)
        print(f"  {shock} -> btc, bootstrap (sampling + identification): {impact_and_peak(boot, 'btc', shock)}")
        print(f"  {shock} -> btc, identified set at the estimate: impact "
              f"{band(identified_set.sel(response='btc', shock=shock, horizon=0))}; "
              f"share of accepted models with a negative impact {np.mean(accepted[:, b, k] < 0):.0%}")
        print(f"  {shock} -> btc, FEVD at 12 months (median-target model): "
              f"{float(res.fevd(12).sel(response='btc', shock=shock, horizon=12, bound='point')):.1%}")


# the case study's identification comparison: crypto stress months (the variance regimes of ChangesInVolatility)
STRESS = [("2020-03-01", "2020-06-01"), ("2022-05-01", "2022-12-01")]  # the COVID crash; Terra to FTX
# sign restrictions of the comparison (impact only): each shock moves its own variable and one more, BTC left free
# except its own shock, which the narrative restrictions below speak about
SIGNS_ALL = {"real_rate": {"real_rate": 1, "hy_spread": 1}, "net_liquidity": {"net_liquidity": 1, "hy_spread": -1},
             "hy_spread": {"hy_spread": 1, "real_rate": -1}, "btc": {"btc": 1}}
# (event, shock, sign, variable whose unexpected move the shock drove most)
NARRATIVE = [("covid_market_crash_2020", "hy_spread", 1, "hy_spread"),
             ("terra_ust_collapse_2022", "btc", -1, "btc"),
             ("ftx_collapse_2022", "btc", -1, "btc")]


def identification_side_by_side(spec: Any, panel: Any) -> None:
    """``case_identification.png``: liquidity -> BTC and risk -> BTC under five identifications, same VAR.

    The plain chain (no event dummies: a dummy would fit the event months' residuals away, and with them the
    variance and the shocks the data-driven and narrative schemes read) at the recursive fit's lag order; every
    scheme banded by 1000 moving-block bootstrap replications that re-identify each replication.
    """
    from causalmacro.svar.narrative import event_date

    assert spec.var is not None
    order = list(spec.var.order)
    data = panel.data[order]
    rec = cm.SVAR(data, order=order, lags=spec.var.lags, max_lags=spec.var.max_lags).fit(rng=SEED)
    stress = pd.Series("calm", index=data.index, name="crypto_stress")
    for start, end in STRESS:
        stress[start:end] = "stress"
    narrative = [cm.NarrativeRestriction(event_date(e), shock=s, sign=g, variable=v, contribution="largest")
                 for e, s, g, v in NARRATIVE]
    schemes: dict[str, Any] = {
        "recursive": cm.Recursive(),
        "volatility": cm.ChangesInVolatility(regimes=stress),
        "non-Gaussian": cm.NonGaussian(),
        "sign": cm.SignRestrictions(signs=SIGNS_ALL, draws=50000),
        "sign + narrative": cm.SignRestrictions(signs=SIGNS_ALL, draws=50000, narrative=narrative),
    }
    irfs, fits = {}, {}
    for label, scheme in schemes.items():
        t0 = time.perf_counter()
        fits[label] = res = cm.SVAR(data, order=order, lags=rec.lags, identification=scheme).fit(rng=SEED)
        irfs[label] = res.irf(24, bands="block", reps=1000, level=0.9, joint=True)
        print(f"  {label}: fit and 1000 block-bootstrap replications in {time.perf_counter() - t0:.1f} s "
              f"({res.bootstrap(1000).n_kept} kept)")
    # one column per scheme, one row per shock, the same scale along a row: four overlaid bands would hide each other
    fig, ax = plt.subplots(2, len(irfs), figsize=(2.3 * len(irfs) + 1.2, 5.6), sharey="row", sharex=True,
                           squeeze=False)
    for j, (label, irf) in enumerate(irfs.items()):
        cm.plot_irf(irf, responses=["btc"], shocks=["net_liquidity", "hy_spread"], axes=np.array([ax[0, j], ax[1, j]]),
                    units=units_of(panel), horizon_unit="months", color=f"C{j}", title="")
        ax[0, j].set_title(f"{label}\nnet_liquidity shock", fontsize=8)
        ax[1, j].set_title("hy_spread shock", fontsize=8)
        for a in ax[:, j]:
            a.set_ylabel("btc\n(% log change)" if j == 0 else "", fontsize=7)  # two lines: the rows are short
        ax[0, j].set_xlabel("")
    fig.suptitle("BTC's response to a one-s.d. liquidity and risk (HY spread) shock under five identifications\n"
                 "same VAR, 90% joint moving-block bootstrap bands (1000 replications, each re-identified)", fontsize=9)
    fig.tight_layout()
    save(fig, "case_identification.png", 0.95 * ARTICLE)
    heading(f"identification side by side (case_identification.png), VAR({rec.lags}) without event dummies, "
            "90% joint block-bootstrap bands")
    vol = fits["volatility"].identification_details
    print(f"  volatility: variance ratios (stress/calm) "
          f"{ {k: round(float(x), 3) for k, x in vol['variance_ratios']['stress'].items()} }; "
          f"pairs not told apart: {vol.get('weak_pairs')}")
    ng = fits["non-Gaussian"].identification_details
    print(f"  non-Gaussian: degrees of freedom { {k: round(float(x), 1) for k, x in ng['df'].items()} }; "
          f"shocks that look Gaussian: {ng['gaussian_shocks']}")
    print(f"  sign: {fits['sign'].identified.details['acceptance_rate']:.3%} of rotations accepted")
    print(fits["sign + narrative"].narrative_report().round(3).to_string())
    for shock in ("net_liquidity", "hy_spread"):
        for label, irf in irfs.items():
            cum = irf.sel(response="btc", shock=shock).isel(horizon=slice(0, 7)).sum("horizon")
            print(f"  {shock} -> btc, {label}: {impact_and_peak(irf, 'btc', shock)}; "
                  f"sum over months 0-6 (point) {float(cum.sel(bound='point')):+.2f}")


def scenario_figures(run: Any) -> None:
    """The case study's "What if" section: the ``tga_rebuild`` scenario of the by-regime run, its numbers.

    The fan chart of the chain, the scenario against the baseline (net liquidity, the HY
    spread, BTC) and the asset spectrum under the scenario in the regime the chain is in now;
    prints the conditions in both units, kl_mean, the paths with their bands, the implied
    shocks and every regime's spectrum.
    """
    stage = run.scenarios
    ds = stage.scenarios["tga_rebuild"]
    units = units_of(run.panel)
    shown = ["net_liquidity", "hy_spread", "btc"]
    save(cm.plot_fan(stage.density, shown, history=run.panel.data, units=units,
                            title="Density forecast of the chain: 12 months after 2025-10"), "case_fan.png", ARTICLE)
    save(cm.plot_scenario(ds, stage.baseline, shown, units=units), "case_scenario.png", ARTICLE)
    now = run.choices.asset_regime_now
    save(cm.plot_scenario_spectrum(stage.spectra["tga_rebuild"][now], title=(
        f"Asset spectrum under the $500bn TGA rebuild (liquidity shocks only; {now} regime, now)")), "case_scenario_spectrum.png", ARTICLE)
    heading("scenario tga_rebuild: conditions, plausibility, parameters")
    for r in stage.condition_rows(run.spec, "tga_rebuild"):
        print(f"  {r['variable']} {r['period']} (h {r['horizon']}): {r['value']:g} ({r['units']}) = "
              f"{r['model_value']:.3f} in the VAR's units")
    print(f"  kl_mean {float(ds.attrs['kl_mean']):.3f}; parameters: {run.choices.scenario_parameters}")
    heading("scenario tga_rebuild: paths (scenario [band] vs baseline) and implied liquidity shocks")
    table = stage.tables["tga_rebuild"]
    for _, row in table[table.variable.isin(shown) & table.horizon.isin([1, 2, 3, 6, 12])].iterrows():
        print(f"  {row.variable:14s} h{row.horizon:<2d} {row.scenario:+8.2f} [{row.lower:+.2f}, {row.upper:+.2f}]"
              f"  baseline {row.baseline:+8.2f}  difference {row.difference:+.2f}")
    liq = table[table.variable == "net_liquidity"].set_index("horizon")["shock"]
    print("  net_liquidity shocks (s.d.): " + ", ".join(f"h{h} {v:+.2f}" for h, v in liq.items() if abs(v) > 1e-12))
    btc = ds["path_draws"].sel(variable="btc").sum("horizon") - float(table[table.variable == "btc"].baseline.sum())
    print(f"  btc summed over 12 months, scenario minus baseline: {float(btc.mean()):+.1f} "
          f"[{float(btc.quantile(0.05)):+.1f}, {float(btc.quantile(0.95)):+.1f}] (% log change)")
    for regime, spec_table in stage.spectra["tga_rebuild"].items():
        heading(f"scenario tga_rebuild: asset spectrum, {regime} regime (s.d. of monthly return)")
        for asset, row in spec_table.iterrows():
            print(f"  {asset:13s} {row['mean']:+.2f} [{row['lower']:+.2f}, {row['upper']:+.2f}]  "
                  f"P>0 {row['prob_positive']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data-dir", type=Path, default=FRED, help="folder of FRED CSV downloads")
    where.add_argument("--fred", action="store_true", help="read from FRED (FRED_API_KEY) through the local store")
    parser.add_argument("--only", choices=["scenarios"], help="run one step: 'scenarios' (the by-regime run's "
                        "scenario figures and numbers)")
    args = parser.parse_args()
    data_dir = None if args.fred else args.data_dir
    t0 = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    spec = cm.load_spec(ROOT / "models" / "liquidity_chain.toml")
    panel = cm.build_panel(spec, open_data(spec, data_dir))
    if args.only == "scenarios":
        heading("monthly main job: fit_spec as shipped (asset model by liquidity regime)")
        scenario_figures(cm.fit_spec(spec, panel, rng=SEED, on_stage=lambda line: print("  " + line)))
        return
    plain_chain(spec, panel)
    weekly_chain(data_dir)
    pooled, by_regime = monthly_main(spec, panel)
    chain_figures(pooled)
    spectrum_figures(pooled, by_regime)
    scenario_figures(by_regime)
    sign_identified(spec, panel)
    identification_side_by_side(spec, panel)
    robustness_grid(spec, panel)
    print(f"\nall figures in {OUT} ({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":  # the grid's Dask workers import this file: keep the work under the guard
    main()
