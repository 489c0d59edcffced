"""Honest forecast evaluation of the monthly chain: the OLS VAR against a random walk and an AR(1).

Run from the repository root::

    python benchmarks/forecast_evaluation.py                 # origins from 2020-01, h = 1..12
    python benchmarks/forecast_evaluation.py --start 2022-01 --horizons 6

Pseudo-out-of-sample with recursive (expanding) windows
(:func:`causalmacro.svar.evaluate.forecast_evaluation`): at each origin every model is fitted on the
data up to it (the VAR's lag order chosen again by AIC, at most 6), forecasts h = 1..H and is scored
against the realised values. Prints RMSE relative to the random walk (below 1: better) and the mean
Gaussian log score minus the random walk's (above 0: better), by variable, at h = 1, 3, 6, 12.

Data: ``models/liquidity_chain.toml`` on ``../shared/data/fred`` (FRED CSV downloads).
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import pandas as pd

import causalmacro as cm
from causalmacro.svar.evaluate import default_models, forecast_evaluation

ROOT = Path(__file__).resolve().parents[1]
FRED = ROOT / ".." / "shared" / "data" / "fred"


def chain() -> pd.DataFrame:
    """The chain's variables in causal order, as the main job's VAR sees them."""
    from causalmacro.data.sources.csvdir import CsvDirSource

    spec = cm.load_spec(ROOT / "models" / "liquidity_chain.toml")
    assert spec.var is not None
    panel = cm.build_panel(spec, CsvDirSource(FRED))
    return panel.data[list(spec.var.order)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", default="2020-01", help="first forecast origin")
    parser.add_argument("--horizons", type=int, default=12)
    args = parser.parse_args()
    data = chain()
    start = pd.Period(args.start, freq="M") if isinstance(data.index, pd.PeriodIndex) else pd.Timestamp(args.start)
    tic = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:  # one ExplosiveVARWarning per explosive window: counted
        warnings.simplefilter("always")
        table = forecast_evaluation(data, default_models(lags="aic", max_lags=6), start=start, horizons=args.horizons)
    explosive = sum("explosive" in str(w.message) for w in caught)
    elapsed = time.perf_counter() - tic
    wide = table.set_index(["variable", "horizon", "model"])[["rmse", "log_score"]].unstack("model")
    shown = [h for h in (1, 3, 6, 12) if h <= args.horizons]
    rel = pd.DataFrame({
        "n": table.query("model == 'var'").set_index(["variable", "horizon"])["n"],
        "rmse_var/rw": wide["rmse"]["var"] / wide["rmse"]["random_walk"],
        "rmse_ar1/rw": wide["rmse"]["ar1"] / wide["rmse"]["random_walk"],
        "score_var-rw": wide["log_score"]["var"] - wide["log_score"]["random_walk"],
        "score_ar1-rw": wide["log_score"]["ar1"] - wide["log_score"]["random_walk"],
    }).loc[(slice(None), shown), :]
    rel = rel.reindex([v for v in data.columns if v in rel.index.get_level_values(0)], level=0)
    print(f"data {data.index[0]:%Y-%m}..{data.index[-1]:%Y-%m} ({len(data)} months), origins from "
          f"{pd.Timestamp(start):%Y-%m}, {elapsed:.1f} s; explosive VAR windows: {explosive}")
    print(rel.round(2).to_string())


if __name__ == "__main__":
    main()
