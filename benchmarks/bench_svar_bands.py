"""Benchmark: batched bootstrap IRF bands of causalmacro.svar against statsmodels.

Run from the repository root::

    python benchmarks/bench_svar_bands.py --reps 1000 --horizon 24 --ab-reps 100

Compares, in one process and at equal replications,

* ``SVARResults.irf(bands="block"|"residual", reps=R)`` (the moving-block default and
  the i.i.d. bootstrap) with statsmodels'
  ``VARResults.irf_errband_mc(orth=True, repl=R, steps=H)`` (recursive scheme), on
  statsmodels' ``macrodata`` and on the monthly liquidity chain built from
  ``../shared/data/fred`` by the panel builder (``models/liquidity_chain.toml``:
  CPI yoy, real rate, net-liquidity log-diff, HY spread, NASDAQ and BTC log returns;
  2015-01..2025-10, VAR(2); the unpublished 2025-10 CPI is interpolated);
* A/B bands (``ShortRun``) with statsmodels' ``SVARResults.sirf_errband_mc``.

Reports wall time (best of ``--repeat``), the ratio, and the peak traced memory
(``tracemalloc``) of each call.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tsa.api import VAR
from statsmodels.tsa.vector_ar.svar_model import SVAR as SMSVAR

from causalmacro.data.sources.csvdir import CsvDirSource
from causalmacro.panel import build_panel
from causalmacro.spec import load_spec
from causalmacro.svar import SVAR, ShortRun

ROOT = Path(__file__).resolve().parents[1]


def fred_chain(fred: Path) -> pd.DataFrame:
    """Monthly chain inflation -> real rate -> liquidity -> risk appetite -> equities -> btc.

    Built by the package's panel builder from ``models/liquidity_chain.toml``
    (the never-published 2025-10 CPI is interpolated, as the spec says).
    """
    spec = load_spec(ROOT / "models" / "liquidity_chain.toml")
    panel = build_panel(spec, CsvDirSource(fred))
    return panel.data[["inflation", "real_rate", "net_liquidity", "hy_spread", "nasdaq", "btc"]]


def macro() -> pd.DataFrame:
    d = sm.datasets.macrodata.load_pandas().data
    return pd.DataFrame(np.log(d[["realgdp", "realcons", "realinv"]].to_numpy()),
                        columns=["realgdp", "realcons", "realinv"]).diff().dropna().reset_index(drop=True)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Best wall time over ``repeat`` runs and peak traced memory (MiB) of one run."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, peak


def row(label: str, ours: tuple[float, float], ref: tuple[float, float]) -> str:
    return (f"| {label} | {ours[0] * 1e3:.1f} ms | {ours[1]:.1f} MiB | {ref[0]:.2f} s | {ref[1]:.1f} MiB "
            f"| {ref[0] / ours[0]:.0f}x |")


def bench_recursive(name: str, data: pd.DataFrame, lags: int, reps: int, horizon: int, repeat: int,
                    method: str = "residual") -> str:
    res = SVAR(data, lags=lags).fit()
    sm_res = VAR(data.to_numpy()).fit(lags)

    def ours() -> None:
        res.irf(horizon, bands=method, reps=reps, rng=0)  # type: ignore[arg-type]

    def ref() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sm_res.irf_errband_mc(orth=True, repl=reps, steps=horizon, rng=np.random.default_rng(0))

    return row(f"{name} (K={data.shape[1]}, T={len(data)}, p={lags}) recursive, {method}, {reps} reps",
               timed(ours, repeat), timed(ref, 1))


def bench_ab(name: str, data: pd.DataFrame, lags: int, reps: int, horizon: int) -> str:
    k = data.shape[1]
    a_pat = np.eye(k).astype(object)
    a_pat[np.tril_indices(k, -1)] = "E"
    b_pat = np.zeros((k, k), dtype=object)
    b_pat[np.diag_indices(k)] = "E"
    a_list = [[("*" if v == "E" else float(v)) for v in r] for r in a_pat]
    res = SVAR(data, lags=lags, identification=ShortRun(A=a_list)).fit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm_res = SMSVAR(data.to_numpy(), svar_type="AB", A=a_pat, B=b_pat).fit(maxlags=lags, solver="bfgs")

    def ours() -> None:
        res.irf(horizon, bands="residual", reps=reps, rng=0)

    def ref() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sm_res.sirf_errband_mc(orth=False, repl=reps, steps=horizon, seed=0)

    return row(f"{name} (K={k}) A/B, {reps} reps", timed(ours, 1), timed(ref, 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--ab-reps", type=int, default=100)
    parser.add_argument("--horizon", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fred-dir", type=Path, default=ROOT / ".." / "shared" / "data" / "fred")
    args = parser.parse_args()
    print(f"numpy {np.__version__}, statsmodels {sm.__version__}, {os.cpu_count()} CPUs, "
          f"horizon {args.horizon}, best of {args.repeat} for causalmacro\n")
    print("| system | causalmacro | peak mem | statsmodels | peak mem | speed-up |")
    print("|---|---|---|---|---|---|")
    for method in ("block", "residual"):
        print(bench_recursive("macrodata", macro(), 2, args.reps, args.horizon, args.repeat, method))
    if args.fred_dir.is_dir():
        chain = fred_chain(args.fred_dir)
        for method in ("block", "residual"):
            print(bench_recursive("FRED chain", chain, 2, args.reps, args.horizon, args.repeat, method))
        print(bench_ab("FRED chain", chain, 2, args.ab_reps, args.horizon))
    else:
        print(f"(skipped FRED chain: {args.fred_dir} not found)")
    print(bench_ab("macrodata", macro(), 2, args.ab_reps, args.horizon))


if __name__ == "__main__":
    main()
