"""Specification grids on Dask: the 14,400-SVAR target, 2 workers against 1, the engine's overhead, resume.

Run from the repository root (``source .venv/bin/activate``)::

    python benchmarks/bench_grid.py            # everything (about 10 minutes on 2 cores)
    python benchmarks/bench_grid.py --quick    # a 1/5 grid, for a smoke test

What it measures, in one process:

1. **target**: 120 orderings x 6 lag lengths x 20 rolling windows of the 5-variable monthly chain
   (14,400 SVARs) with 500-replication wild-bootstrap bands, on a local Dask cluster of 2 workers.
2. **plain loop**: what a user would otherwise write: for each specification, ``cm.SVAR(...).fit()`` then
   ``res.irf(24, bands=res.bootstrap(500))``; timed on a random sample of 60 specifications and scaled to
   the grid (the ratio is per specification).
3. **2 vs 1 worker**: the same grid (lag lengths 1..6, 6 windows) on 2 workers and in-process on 1.
4. **engine overhead**: the same grid on a 1-worker Dask cluster against the in-process loop over the same
   blocks: the per-specification cost of scheduling, scattering and transfers.
5. **resume**: a grid interrupted after half its blocks, restarted: how many blocks the restart fits.

Data: the monthly chain of ``models/liquidity_chain.toml`` from ``../shared/data/fred`` when present, else the
embedded synthetic demo (same shape: 5 variables, ~130 months).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import causalmacro as cm
from causalmacro.specgrid import grid

ROOT = Path(__file__).resolve().parents[1]
FRED = ROOT / ".." / "shared" / "data" / "fred"


def chain() -> tuple[cm.ModelSpec, cm.Panel, str]:
    if FRED.is_dir():
        from causalmacro.data.sources.csvdir import CsvDirSource

        spec = cm.load_spec(ROOT / "models" / "liquidity_chain.toml")
        return spec, cm.build_panel(spec, CsvDirSource(FRED)), "liquidity_chain on ../shared/data/fred"
    spec = cm.load_spec(ROOT / "models" / "demo.toml")
    return spec, cm.build_panel(spec, cm.open_source(spec)), "demo (synthetic)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--skip-target", action="store_true", help="skip step 1 (the 14,400-SVAR grid)")
    args = ap.parse_args()
    spec, panel, source = chain()
    names = list(spec.var.order)
    windows = 4 if args.quick else 20
    print(f"data: {source}, {len(panel.data)} months; chain {' -> '.join(names)}")

    # 1. the target grid on 2 workers
    t0 = time.perf_counter()
    g = grid(spec, panel, orderings="all", lags=list(range(1, 7)), windows=2 if args.skip_target else windows,
             reps=500, workers=2)
    target = time.perf_counter() - t0
    n = g.n_specifications
    print(f"target: {n} SVARs x 500 reps on 2 workers: {target:.1f} s ({1e3 * target / n:.2f} ms per SVAR); "
          f"goal <= 300 s for 14,400")

    # 2. a plain loop of SVAR fits, timed on 60 random specifications
    rng = np.random.default_rng(0)
    data = g.data
    picks = [(str(rng.choice(data["ordering"].values)), int(rng.choice(data["lags"].values)),
              int(rng.integers(data.sizes["window"]))) for _ in range(60)]
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for ordering, lags, w in picks:
            order = ordering.split(">")
            frame = panel.data.loc[data["window_start"].values[w]:data["window_end"].values[w], order]
            res = cm.SVAR(frame, order=order, lags=lags).fit(rng=0)
            # an explosive window leaves too few stationary replications: the grid keeps no band there
            with contextlib.suppress(cm.DataError):
                res.irf(24, bands=res.bootstrap(500, method="wild"))
    per_spec = (time.perf_counter() - t0) / len(picks)
    print(f"plain loop: {1e3 * per_spec:.1f} ms per SVAR -> {per_spec * n:.0f} s for the grid in one process; "
          f"the grid is {per_spec * n / target:.1f}x faster")

    # 3 and 4. 2 workers vs 1, and the engine's overhead, on a mid-size grid
    kw = dict(orderings="all", lags=list(range(1, 7)), windows=2 if args.quick else 6, reps=500)
    t0 = time.perf_counter()
    one = grid(spec, panel, workers=1, **kw)
    t_one = time.perf_counter() - t0
    from distributed import Client, LocalCluster

    def on_cluster(n_workers: int) -> tuple[cm.GridResults, float, float]:
        """The grid on a local cluster started beforehand: (result, grid seconds, start-up seconds)."""
        t0 = time.perf_counter()
        with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                          silence_logs=40) as cluster, Client(cluster) as client:
            client.wait_for_workers(n_workers)
            started = time.perf_counter() - t0
            t0 = time.perf_counter()
            result = grid(spec, panel, client=client, **kw)
            return result, time.perf_counter() - t0, started

    two, t_two, start_two = on_cluster(2)
    dask_one, t_dask_one, start_one = on_cluster(1)
    assert np.array_equal(one.irf.to_numpy(), two.irf.to_numpy(), equal_nan=True)
    assert np.array_equal(one.irf.to_numpy(), dask_one.irf.to_numpy(), equal_nan=True)
    m = one.n_specifications
    print(f"workers: {m} SVARs in {t_one:.1f} s on 1 (in process), {t_two:.1f} s on 2 (local cluster; its start-up, "
          f"{start_two:.1f} s, apart): {t_one / t_two:.2f}x; goal >= 1.7x")
    overhead = (t_dask_one - t_one) / t_one
    print(f"engine overhead: 1-worker Dask cluster {t_dask_one:.1f} s vs in-process {t_one:.1f} s: "
          f"{100 * overhead:+.1f}% ({1e3 * (t_dask_one - t_one) / m:.2f} ms per SVAR; start-up {start_one:.1f} s "
          f"apart); goal < 10%")

    # 5. resume after an interrupt at half the blocks
    folder = Path(tempfile.mkdtemp(prefix="grid-resume-"))
    blocks = len(one.data["lags"]) * one.data.sizes["window"]
    done: list[str] = []

    def stop_half(block: object) -> None:
        done.append(block.key)  # type: ignore[attr-defined]
        if len(done) == blocks // 2:
            raise KeyboardInterrupt

    try:
        with contextlib.suppress(KeyboardInterrupt):
            grid(spec, panel, workers=1, out=folder, on_block=stop_half, **kw)
        again = grid(spec, panel, workers=1, out=folder, **kw)
        assert np.array_equal(again.irf.to_numpy(), one.irf.to_numpy(), equal_nan=True)
        print(f"resume: interrupted after {len(done)} of {blocks} blocks; the restart reused "
              f"{again.facts['reused']} and fitted {again.facts['fitted']}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
