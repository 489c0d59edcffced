"""Benchmark: time per Gibbs sweep, today's step functions against those of commit 379c392, in one process.

Run from the repository root (``../shared/data/fred`` present for the weekly design)::

    python benchmarks/bench_gibbs_sweep.py                 # demo and weekly designs, 5 repeats of 4 chains x 300 sweeps
    python benchmarks/bench_gibbs_sweep.py --repeat 7 --sweeps 200 --profile

Designs, built as the main job builds them (``pipeline.stages.asset_stage``: spec -> panel
-> SVAR structural shocks -> regimes -> :func:`causalmacro.build.build_asset_model`):

* ``demo``: ``models/demo.toml`` on its bundled data (8 assets, 128 dates, regime and event columns);
* ``weekly``: ``models/events_weekly.toml`` on ``../shared/data/fred`` (7 assets, 551 weeks, 24 regime terms,
  9 event covariates).

One block of 4 chains (``CHAINS_PER_BLOCK``) with one BLAS thread, as each worker process
of the main job samples. The reference is ``tests/bayes/gibbs_reference.py``, a verbatim
copy of the step functions before the sweep was sped up; both run the sweep of
``_run_block`` from the same seed, alternating, and the median over repeats is reported
(the machine is shared, so the ratio within one process is the figure to trust).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from causalmacro.bayes import gibbs
from causalmacro.bayes.design import StackedData
from causalmacro.build.assets import build_asset_model
from causalmacro.data.open import open_source
from causalmacro.panel.build import build_panel
from causalmacro.panel.regimes import regimes as compute_regimes
from causalmacro.pipeline.stages import svar_stage
from causalmacro.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "bayes"))
import gibbs_reference  # noqa: E402  (the verbatim copy of the step functions at 379c392)

FRED = ROOT / ".." / "shared" / "data" / "fred"


def design(spec_path: str, data_dir: Path | None) -> StackedData:
    """The asset model's stacked design, as the main job builds it (bootstrap replications are irrelevant here)."""
    spec = load_spec(ROOT / spec_path)
    panel = build_panel(spec, open_source(spec, data_dir=data_dir, offline=True) if data_dir else open_source(spec))
    sv = svar_stage(spec, panel, seed=0, n_reps=0, override=True)
    index = pd.DatetimeIndex(panel.data.index)
    regimes = compute_regimes(panel, spec) if spec.regimes else pd.DataFrame(index=index)
    return build_asset_model(spec, panel.data, sv.res.structural_shocks(), regimes).design


def sweeps(mod: ModuleType, dsg: StackedData, n: int, seed: int) -> float:
    """Seconds for ``n`` sweeps of 4 chains with ``mod``'s step functions (the sweep of ``_run_block``)."""
    rng = np.random.default_rng(seed)
    dn = mod._dense(dsg, True)
    st = mod._State(gibbs.CHAINS_PER_BLOCK, dn, rng)
    t0 = time.perf_counter()
    for _ in range(n):
        mod._draw_locations(st, dn, rng)
        resid = dn.y - mod._fitted(st, dn)
        mod._draw_residual_scales(st, dn, resid, rng)
        mod._draw_scales(st, dn, rng)
        resid = dn.y - mod._fitted(st, dn)
        if dn.n_cov:
            resid = mod._draw_covariates(st, dn, resid, rng)
        mod._draw_nu(st, dn, resid, rng)
        mod._draw_weights(st, dn, resid, rng)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sweeps", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--profile", action="store_true", help="print the top of a cProfile of today's sweep")
    args = ap.parse_args()
    designs = {"demo": design("models/demo.toml", None)}
    if FRED.is_dir():
        designs["weekly"] = design("models/events_weekly.toml", FRED)
    with threadpool_limits(limits=1):
        for name, dsg in designs.items():
            sweeps(gibbs, dsg, 20, 0)  # warm-up
            sweeps(gibbs_reference, dsg, 20, 0)
            old, new = [], []
            for r in range(args.repeat):
                old.append(sweeps(gibbs_reference, dsg, args.sweeps, r) / args.sweeps)
                new.append(sweeps(gibbs, dsg, args.sweeps, r) / args.sweeps)
            mo, mn = statistics.median(old), statistics.median(new)
            print(f"{name}: {len(dsg.assets)} assets, {len(dsg.dates)} dates, {dsg.x_free.shape[1] + dsg.x_terms.shape[1]} "
                  f"columns; per sweep of 4 chains, median of {args.repeat}: 379c392 {1e3 * mo:.2f} ms, "
                  f"now {1e3 * mn:.2f} ms, {mo / mn:.2f}x  (old {[round(1e3 * v, 1) for v in old]}, "
                  f"new {[round(1e3 * v, 1) for v in new]})", flush=True)
            if args.profile:
                prof = cProfile.Profile()
                prof.runcall(sweeps, gibbs, dsg, args.sweeps, 0)
                pstats.Stats(prof).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
