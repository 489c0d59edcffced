"""Benchmark: ESS per second of the asset-response model's Gibbs sampler against plain ``pm.sample``.

Run from the repository root::

    python benchmarks/bench_bayes_ess.py            # the real chain: gibbs vs pm.sample, 4 chains x 1000 draws
    python benchmarks/bench_bayes_ess.py --scale    # simulated 10, 30, 100 assets (8 classes, 5 shocks, 240 months)
    python benchmarks/bench_bayes_ess.py --shapes 7x120x1,7x240x2,20x240x2   # simulated panels: the ratio per shape

Data (built with plain pandas from ``../shared/data``, never copied):

* returns, monthly, month-end prices, 100 x log-differences unless noted:
  BTC (fred/CBBTCUSD), ETH (fred/CBETHUSD, ends 2022-10: the short history),
  NASDAQ (NASDAQCOM), SP500, UST10Y (DGS10, change in percentage points),
  USD (DTWEXBGS), HY_SPREAD (BAMLH0A0HYM2, change in pp), GOLD
  (markets/gold_monthly.csv); classes from ``DEFAULT_GROUPS``;
* shocks: recursive (Cholesky) VAR(2) from statsmodels on monthly means of CPI
  yoy (100 x 12-month log-difference; the unpublished 2025-10 CPI is
  interpolated), DFII10, net liquidity log-diff (WALCL/1000 - WTREGEN/1000 -
  RRPONTSYD, billions; months without reverse-repo operations count as 0) and
  BAMLH0A0HYM2, 2003-02..2025-11, in that order.

Two fits of the same model in one process:

* ``gibbs``: :class:`AssetResponseModel` with its defaults (the blocked Gibbs
  sampler: 8 chains x (200 burn-in + 1000 kept) sweeps, in blocks of 4 chains on
  the machine's cores);
* ``pm_sample``: the same PyMC model (non-centred) sampled by ``pm.sample`` with
  PyMC's defaults (NUTS, ``target_accept=0.8``, 4 chains x (1000 + 1000)).

Reported: setup/compile time (wall time minus sampling time), sampling time,
leapfrog steps per draw (NUTS), time per gradient evaluation (NUTS; compiled
``logp_dlogp_function`` at the initial point, 2000 calls) or per sweep of all
chains (Gibbs), minimum bulk ESS over the model's named parameters (betas, class
means, scales, intercepts, ``nu``; not the auxiliary ``z_*``), ESS per second,
divergences and the gate; the minimum and median bulk ESS of each parameter group and the slowest group (which
parameters limit the minimum). PyTensor compiles into a fresh temporary folder, so the
NUTS fit pays the cold C compilation.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

if "compiledir" not in os.environ.get("PYTENSOR_FLAGS", ""):
    _cdir = tempfile.mkdtemp(prefix="bench-bayes-pytensor-")
    os.environ["PYTENSOR_FLAGS"] = f"compiledir={_cdir}," + os.environ.get("PYTENSOR_FLAGS", "")

import arviz as az
import numpy as np
import pandas as pd
from statsmodels.tsa.api import VAR

from causalmacro.bayes import AssetResponseModel, FitFailedWarning

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
PARAMS = ["beta", "mu_group", "mu", "sigma", "tau", "a", "sigma_e", "nu"]


def _fred(name: str) -> pd.Series:
    frame = pd.read_csv(DATA / "fred" / f"{name}.csv", parse_dates=["observation_date"])
    return frame.set_index("observation_date")[name].astype(float).dropna()


def _month_end(s: pd.Series) -> pd.Series:
    return s.resample("ME").last()


def _month_mean(s: pd.Series) -> pd.Series:
    return s.resample("ME").mean()


def load_returns() -> pd.DataFrame:
    """Monthly asset returns (percent) and changes (percentage points)."""
    gold = pd.read_csv(DATA / "markets" / "gold_monthly.csv")
    gold_s = pd.Series(
        gold["usd_per_oz"].to_numpy(float),
        index=pd.to_datetime(gold["month"]) + pd.offsets.MonthEnd(0),
    )
    logdiff = {
        "BTC": _month_end(_fred("CBBTCUSD")),
        "ETH": _month_end(_fred("CBETHUSD")),
        "NASDAQ": _month_end(_fred("NASDAQCOM")),
        "SP500": _month_end(_fred("SP500")),
        "USD": _month_end(_fred("DTWEXBGS")),
        "GOLD": gold_s,
    }
    cols = {k: 100 * np.log(v).diff() for k, v in logdiff.items()}
    cols["UST10Y"] = _month_end(_fred("DGS10")).diff()
    cols["HY_SPREAD"] = _month_end(_fred("BAMLH0A0HYM2")).diff()
    frame = pd.DataFrame(cols)
    order = ["BTC", "ETH", "NASDAQ", "SP500", "GOLD", "UST10Y", "USD", "HY_SPREAD"]
    return frame.loc["2015-01-31":"2025-11-30", order]


def load_shocks(var_lags: int = 2) -> pd.DataFrame:
    """Structural shocks of a recursive VAR on the liquidity chain."""
    cpi = _fred("CPIAUCSL")
    cpi.index = cpi.index + pd.offsets.MonthEnd(0)
    cpi = cpi.resample("ME").mean().interpolate(limit=2)
    inflation = 100 * np.log(cpi).diff(12)
    walcl = _month_mean(_fred("WALCL"))
    walcl_index = walcl.index
    net = (
        walcl / 1000
        - _month_mean(_fred("WTREGEN")) / 1000
        - _month_mean(_fred("RRPONTSYD")).reindex(walcl_index).fillna(0.0)
    )
    levels = pd.DataFrame(
        {
            "inflation": inflation,
            "real_rate": _month_mean(_fred("DFII10")),
            "net_liquidity": 100 * np.log(net).diff(),
            "hy_spread": _month_mean(_fred("BAMLH0A0HYM2")),
        }
    ).loc["2003-02-28":"2025-11-30"]
    levels = levels.dropna()
    res = VAR(levels).fit(var_lags)
    chol = np.linalg.cholesky(np.asarray(res.sigma_u))
    resid = np.asarray(res.resid)
    shocks = np.linalg.solve(chol, resid.T).T
    return pd.DataFrame(shocks, index=res.resid.index, columns=levels.columns)


def run_fit(model: AssetResponseModel, **kwargs: Any) -> dict[str, Any]:
    """Fit and time one model; returns the figures of the report."""
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        res = model.fit(**kwargs)
    wall = time.perf_counter() - t0
    post = res.idata["posterior"]
    sampling = float(post.attrs["sampling_time"])
    names = [p for p in PARAMS if p in post]
    ess = az.ess(post[names], method="bulk")
    by_group = {v: round(float(ess[v].min()), 1) for v in names}
    min_ess = min(by_group.values())
    stats = res.idata["sample_stats"] if "sample_stats" in res.idata.groups() else None
    out: dict[str, Any] = {
        "setup_s": round(wall - sampling, 1),
        "sampling_s": round(sampling, 1),
        "wall_s": round(wall, 1),
        "min_ess_bulk": round(min_ess, 1),
        "slowest": min(by_group, key=by_group.__getitem__),
        "min_ess_bulk_by_group": by_group,
        "median_ess_bulk_by_group": {v: round(float(ess[v].median()), 1) for v in names},
        "ess_per_s_sampling": round(min_ess / sampling, 2),
        "ess_per_s_wall": round(min_ess / wall, 2),
        "divergences": res.diagnostics.divergences,
        "max_rhat": round(res.diagnostics.max_rhat, 4),
        "gate_passed": res.diagnostics.passed,
        "gate": str(res.diagnostics),
    }
    if stats is not None and "n_steps" in stats:
        out["leapfrog_steps_per_draw"] = round(float(stats["n_steps"].mean()), 1)
        out["us_per_gradient"] = round(_gradient_us(model), 1)
    else:
        sweeps = int(post.attrs["tuning_steps"]) + post.sizes["draw"]
        out["chains"] = post.sizes["chain"]
        out["ms_per_sweep_all_chains"] = round(1000 * sampling / sweeps, 2)
    return out


def _gradient_us(model: AssetResponseModel, calls: int = 2000) -> float:
    """Microseconds per compiled log-density-and-gradient evaluation at the initial point."""
    pm_model = model.build()
    fn = pm_model.logp_dlogp_function(ravel_inputs=True)
    fn.set_extra_values({})
    point = pm_model.initial_point()
    x = np.concatenate([np.asarray(point[v.name]).ravel() for v in fn._grad_vars])
    fn(x)
    t0 = time.perf_counter()
    for _ in range(calls):
        fn(x)
    return 1e6 * (time.perf_counter() - t0) / calls


def scale(args: argparse.Namespace) -> dict[str, Any]:
    """Gibbs on simulated panels of 10, 30 and 100 assets in 8 classes, 5 shocks, lags 0..2, 240 months."""
    sys.path.insert(0, str(ROOT / "tests" / "bayes"))
    from conftest import simulate_panel

    report: dict[str, Any] = {}
    for n_assets in (10, 30, 100):
        groups = {f"a{i:03d}": f"class{i % 8}" for i in range(n_assets)}
        p = simulate_panel(groups=groups, n_shocks=5, lags=2, periods=240, tau=0.08, seed=n_assets)
        model = AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=2)
        report[f"{n_assets}_assets"] = {"n_obs": len(model.design.y),
                                        **run_fit(model, rng=np.random.default_rng(args.seed))}
    return report


def _regime_labels(index: pd.Index, n_regimes: int, seed: int) -> pd.Series | None:
    """A Markov chain of ``n_regimes`` labels that stays with probability 0.9 (None for one regime)."""
    if n_regimes <= 1:
        return None
    rng = np.random.default_rng(seed)
    state, labels = 0, []
    for _ in range(len(index)):
        if rng.random() > 0.9:
            state = int(rng.choice([r for r in range(n_regimes) if r != state]))
        labels.append(f"regime{state}")
    return pd.Series(labels, index=index, dtype=object)


def parse_shape(text: str) -> tuple[int, int, int]:
    """``"7x240x2"`` -> (assets, periods, regimes)."""
    parts = text.lower().split("x")
    if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise argparse.ArgumentTypeError(f"shape {text!r}: expected ASSETSxPERIODSxREGIMES, e.g. 7x240x2")
    n_a, n_t, n_r = (int(p) for p in parts)
    return n_a, n_t, n_r


def shapes(args: argparse.Namespace) -> dict[str, Any]:
    """Gibbs (defaults) against plain ``pm.sample`` on simulated panels of each ``--shapes`` shape.

    Panels from ``tests/bayes/conftest.py``'s ``simulate_panel`` (4 classes, 4 shocks, lags 0..2, Student-t(5)
    errors, class spread ``tau = 0.08``) with, for R regimes > 1, a Markov-chain regime label (stay probability 0.9)
    that the model splits every response by; the truth is the same in every regime. Reported per shape: both fits'
    figures (``run_fit``: ESS per second, the minimum and median bulk ESS of each parameter group and the slowest
    group) and the ratio of ESS per second.
    """
    sys.path.insert(0, str(ROOT / "tests" / "bayes"))
    from conftest import simulate_panel

    report: dict[str, Any] = {}
    for n_assets, periods, n_regimes in args.shapes:
        groups = {f"a{i:02d}": f"class{i % 4}" for i in range(n_assets)}
        p = simulate_panel(groups=groups, n_shocks=4, lags=args.lags, periods=periods, tau=0.08, seed=n_assets + periods)
        regimes = _regime_labels(p.returns.index, n_regimes, seed=periods)
        model = AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=args.lags, regimes=regimes)
        row: dict[str, Any] = {"n_obs": len(model.design.y)}
        row["gibbs"] = run_fit(model, rng=np.random.default_rng(args.seed))
        if not args.gibbs_only:
            row["pm_sample"] = run_fit(model, draws=args.draws, tune=1000, chains=4, sampler="pymc",
                                       target_accept=0.8, rng=np.random.default_rng(args.seed))
            for key in ("ess_per_s_sampling", "ess_per_s_wall"):
                row[f"ratio_{key}"] = round(row["gibbs"][key] / max(row["pm_sample"][key], 1e-9), 1)
        report[f"{n_assets}x{periods}x{n_regimes}"] = row
    return report


def main(argv: list[str] | None = None) -> int:
    """Run the fits and print a JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lags", type=int, default=2)
    parser.add_argument("--draws", type=int, default=1000, help="kept draws per chain of pm.sample")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", action="store_true", help="the scaling runs on simulated panels instead")
    parser.add_argument("--shapes", type=lambda t: [parse_shape(x) for x in t.split(",")], default=None,
                        help="simulated panels ASSETSxPERIODSxREGIMES, comma-separated (e.g. 7x120x1,7x240x2): "
                             "Gibbs vs pm.sample on each instead of the real chain")
    parser.add_argument("--gibbs-only", action="store_true", help="with --shapes: the Gibbs fits alone")
    args = parser.parse_args(argv)
    if args.shapes:
        print(json.dumps(shapes(args), indent=2))
        return 0
    if args.scale:
        print(json.dumps(scale(args), indent=2))
        return 0
    if not DATA.is_dir():
        print("../shared/data is not present; nothing to benchmark", file=sys.stderr)
        return 1
    returns, shocks = load_returns(), load_shocks()
    model = AssetResponseModel(returns, shocks, lags=args.lags)
    report: dict[str, Any] = {
        "design": {
            "n_obs": {k: int(v) for k, v in model.design.n_obs.items()},
            "start": str(model.design.dates[0].date()),
            "end": str(model.design.dates[-1].date()),
            "lags": args.lags,
            "cores": os.cpu_count(),
        },
    }
    report["gibbs"] = run_fit(model, rng=np.random.default_rng(args.seed))
    report["pm_sample"] = run_fit(model, draws=args.draws, tune=1000, chains=4, sampler="pymc",
                                  target_accept=0.8, rng=np.random.default_rng(args.seed))
    for key in ("ess_per_s_sampling", "ess_per_s_wall"):
        report[f"ratio_{key}"] = round(report["gibbs"][key] / max(report["pm_sample"][key], 1e-9), 1)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
