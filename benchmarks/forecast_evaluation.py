"""Honest forecast evaluation of the monthly chain: the OLS VAR and the BVAR against a random walk and an AR(1).

Run from the repository root::

    python benchmarks/forecast_evaluation.py                 # origins from 2020-01, h = 1..12
    python benchmarks/forecast_evaluation.py --start 2022-01 --horizons 6

(the same as ``causalmacro evaluate models/liquidity_chain.toml --data-dir ../shared/data/fred
--start 2020-01``, which prints every horizon). Pseudo-out-of-sample with recursive (expanding)
windows (:func:`causalmacro.pipeline.evaluation.evaluation_stage`): at each origin every model is
fitted on the data up to it (the VAR's lag order chosen again by AIC, at most 6; the BVAR(2)'s
Minnesota tightness chosen again by GLP marginal likelihood, 2000 posterior predictive paths),
forecasts h = 1..H and is scored against the realised values. Prints RMSE relative to the random
walk (below 1: better) and the mean Gaussian log score minus the random walk's (above 0: better),
by variable, at h = 1, 3, 6, 12, and the verdicts.

Data: ``models/liquidity_chain.toml`` on ``../shared/data/fred`` (FRED CSV downloads).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

import causalmacro as cm
from causalmacro.pipeline.evaluation import evaluation_stage

ROOT = Path(__file__).resolve().parents[1]
FRED = ROOT / ".." / "shared" / "data" / "fred"


def main() -> None:
    from causalmacro.data.sources.csvdir import CsvDirSource

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", default="2020-01", help="first forecast origin")
    parser.add_argument("--horizons", type=int, default=12)
    args = parser.parse_args()
    spec = cm.load_spec(ROOT / "models" / "liquidity_chain.toml")
    panel = cm.build_panel(spec, CsvDirSource(FRED))
    tic = time.perf_counter()
    stage = evaluation_stage(spec, panel, start=args.start, horizons=args.horizons)
    elapsed = time.perf_counter() - tic
    rel = stage.relative[stage.relative.model != "random_walk"]
    wide = rel.pivot_table(index=["variable", "horizon"], columns="model", values=["rmse_rel_rw", "score_minus_rw"],
                           sort=False)
    models = [m for m in stage.models if m != "random_walk"]
    table = pd.DataFrame({
        "n": rel[rel.model == models[0]].set_index(["variable", "horizon"])["n"],
        **{f"rmse_{m}/rw": wide["rmse_rel_rw"][m] for m in models},
        **{f"score_{m}-rw": wide["score_minus_rw"][m] for m in models},
    })
    shown = [h for h in (1, 3, 6, 12) if h <= args.horizons]
    assert spec.var is not None
    table = table.loc[(slice(None), shown), :].reindex(list(spec.var.order), level=0)
    print(f"data {stage.data_range}, origins from {stage.start}, {elapsed:.1f} s; "
          f"explosive OLS VAR windows: {stage.explosive_windows}")
    print(table.round(2).to_string())
    for variable, line in stage.verdicts.items():
        print(f"{variable}: {line}")


if __name__ == "__main__":
    main()
