"""Make the figures of the docs from ``../shared/data`` (real FRED series).

Run from the repository root::

    python docs/make_figures.py

Writes ``docs/figures/*.png``: impulse responses of the monthly liquidity chain
with 90% wild-bootstrap bands, the variance and historical decompositions of
BTC, and the dependency graph; and, from the weekly chain with events
(``models/events_weekly.toml``), the local projections beside the VAR, the
events' effects and the cycle position. Only figures are written, never data.
"""

from __future__ import annotations

from pathlib import Path

from causalmacro.data.sources.csvdir import CsvDirSource
from causalmacro.graph import dependency_graph
from causalmacro.panel import build_panel
from causalmacro.pipeline import fit_spec
from causalmacro.plotting import (
    plot_event_effects,
    plot_fevd,
    plot_graph,
    plot_historical_decomposition,
    plot_irf,
    plot_lp,
    plot_position,
    save_figure,
)
from causalmacro.spec import load_spec
from causalmacro.svar import SVAR

ROOT = Path(__file__).resolve().parents[1]
FRED = ROOT / ".." / "shared" / "data" / "fred"
OUT = ROOT / "docs" / "figures"


def main() -> None:
    spec = load_spec(ROOT / "models" / "liquidity_chain.toml")
    assert spec.var is not None
    panel = build_panel(spec, CsvDirSource(FRED))
    order = list(spec.var.order)
    res = SVAR(panel.data[order], order=order, lags=spec.var.lags, maxlags=spec.var.max_lags).fit()
    irf = res.irf(24, bands="wild", reps=2000, level=0.9, rng=20261121)
    OUT.mkdir(parents=True, exist_ok=True)
    save_figure(plot_irf(irf), OUT / "chain_irf.png", dpi=80)
    save_figure(plot_fevd(res.fevd(12), "btc"), OUT / "chain_fevd_btc.png", dpi=80)
    save_figure(plot_historical_decomposition(res.historical_decomposition(), "btc", last=36),
                OUT / "chain_hd_btc.png", dpi=80)
    save_figure(plot_graph(dependency_graph(irf, res.causality_table())), OUT / "chain_graph.png", dpi=80)
    print(res.summary())
    print(res.causality_table().query("chain_link").round(3).to_string(index=False))

    weekly = load_spec(ROOT / "models" / "events_weekly.toml")
    run = fit_spec(weekly, build_panel(weekly, CsvDirSource(FRED)), assets=False, rng=20261201)
    units = {name: info.units for name, info in run.panel.columns.items()}
    save_figure(plot_lp(run.irf, dict(run.lp), lp_state=dict(run.lp_state), state_name="liquidity", units=units,
                        horizon_unit="weeks"), OUT / "weekly_lp.png", dpi=80)
    assert run.event_effects is not None and run.position is not None
    titles = {name: weekly.event_title(name) for name in weekly.events}
    save_figure(plot_event_effects(run.event_effects, titles=titles, units=units, horizon_unit="weeks",
                                   events=["covid_crash_2020", "terra_ust_collapse_2022", "ftx_collapse_2022",
                                           "bybit_hack_2025"]), OUT / "weekly_events.png", dpi=80)
    save_figure(plot_position(run.position, units=units), OUT / "weekly_position.png", dpi=80)
    print("\n".join(run.summary_lines()))


if __name__ == "__main__":
    main()
