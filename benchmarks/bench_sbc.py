"""Simulation-based calibration of the asset model's Gibbs sampler, sampling to the gate.

Talts, Betancourt, Simpson, Vehtari & Gelman (2018), "Validating Bayesian inference
algorithms with simulation-based calibration", arXiv:1804.06788. If the sampler
draws from the posterior, then for parameters drawn from the prior and data simulated
from them, the rank of the true value among ``L`` independent posterior draws is
uniform on ``0..L``. A stopping rule that looks at the draws (here: rounds of sweeps
until the convergence gate passes, :mod:`causalmacro.bayes.rounds`) could break this
(a run stopped when the chains happen to agree is a selected run); this script checks
that it does not, with the rule in place.

Each replication ``r = 1..R``:

1. parameters and returns drawn from the model's own prior predictive
   (``pm.sample_prior_predictive`` on :func:`causalmacro.bayes.model.build_model` of a
   small design: 4 assets in 2 classes, 2 shocks, lags 0..1, 80 periods; Student-t
   errors with the prior's ``nu``). The shocks (the design's ``x``) are drawn once and
   fixed: SBC holds conditionally on the regressors. The simulated returns are the
   standardised ``y`` of the design (``y_loc`` 0, ``y_scale`` 1), so the sampler
   conditions on exactly the data the prior generated (refitting through
   :func:`causalmacro.bayes.design.stack` would re-standardise them by their sample
   sd and move the parameters off their prior draws);
2. the fit: :func:`causalmacro.bayes.sampling.gibbs_inference_data` with the default
   schedule (``Rounds()``: 100 warm-up, 400 kept, +100 a round, cap 4000) and the
   default 8 chains: the path ``AssetResponseModel.fit(draws=None)`` takes;
3. the kept draws of all chains, pooled, thinned to ``L`` evenly spaced ones (the gate
   guarantees bulk ESS >= 400 for every variable, so ``L = 99`` are roughly
   independent), and the rank of each true value among them (the number below it).

Reported: per parameter the rank histogram over ``B`` bins and a chi-square test of
uniformity (``B - 1`` degrees of freedom), the smallest p-value and its Bonferroni
reading (reject at level ``alpha`` when ``min p < alpha / n_parameters``), and the
sweeps each replication used (gate met at which round, or the cap). Ranks piled at
one end mean a biased posterior; a hump in the middle an over-dispersed one; a U a
too narrow one.

Run from the repository root::

    python benchmarks/bench_sbc.py --reps 200 --workers 2
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from causalmacro.bayes.design import StackedData, stack
from causalmacro.bayes.estimator import SAMPLER_DEFAULTS
from causalmacro.bayes.model import build_model
from causalmacro.bayes.rounds import Rounds
from causalmacro.bayes.sampling import gibbs_inference_data

PARAMETERS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("beta_std[A1,s1,0]", "beta_std", (0, 0, 0)),
    ("beta_std[A2,s2,1]", "beta_std", (1, 1, 1)),
    ("beta_std[B1,s1,1]", "beta_std", (2, 0, 1)),
    ("mu[s1,0]", "mu", (0, 0)),
    ("mu[s2,1]", "mu", (1, 1)),
    ("sigma[s1]", "sigma", (0,)),
    ("tau[g1,s1]", "tau", (0, 0)),
    ("tau[g2,s2]", "tau", (1, 1)),
    ("nu", "nu", ()),
    ("sigma_e_std[A1]", "sigma_e_std", (0,)),
    ("a_std[B2]", "a_std", (3,)),
)
"""The scalar parameters ranked: label, posterior variable, index after ``(chain, draw)`` (standardised scale)."""


def rank_of(truth: float, draws: np.ndarray) -> int:
    """Rank of ``truth`` among ``draws``: how many draws are below it (``0..len(draws)``)."""
    return int(np.sum(np.asarray(draws) < truth))


def rank_chi2(ranks: Sequence[int] | np.ndarray, n_draws: int, bins: int) -> tuple[np.ndarray, float, float]:
    """Chi-square test that ranks in ``0..n_draws`` are uniform, over ``bins`` equal bins.

    Parameters
    ----------
    ranks : sequence of int
        One rank per replication, each in ``0..n_draws``.
    n_draws : int
        Posterior draws each rank was taken among (``L``); ``L + 1`` rank values.
    bins : int
        Bins of the histogram; must divide ``L + 1`` so every bin holds as many rank values.

    Returns
    -------
    counts : ndarray of int, shape (bins,)
    statistic, p_value : float
        Pearson's chi-square against ``len(ranks) / bins`` per bin, ``bins - 1`` degrees of freedom.

    Raises
    ------
    ValueError
        ``bins`` not dividing ``n_draws + 1``, or a rank outside ``0..n_draws``.
    """
    r = np.asarray(ranks, dtype=np.int64)
    if bins < 2 or (n_draws + 1) % bins:
        raise ValueError(f"bins: expected a divisor >= 2 of n_draws + 1 ({n_draws + 1}), got {bins}")
    if r.size == 0 or r.min() < 0 or r.max() > n_draws:
        raise ValueError(f"ranks: expected values in 0..{n_draws}, got {r.min() if r.size else 'none'}.."
                         f"{r.max() if r.size else 'none'}")
    counts = np.bincount(r * bins // (n_draws + 1), minlength=bins)
    stat, p = stats.chisquare(counts)
    return counts, float(stat), float(p)


def template_design(n_periods: int = 80, seed: int = 0) -> StackedData:
    """The fixed design: 4 assets in 2 classes, 2 standard-normal shocks, lags 0..1 (returns: placeholders)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2000-01-31", periods=n_periods + 1, freq="ME")
    shocks = pd.DataFrame(rng.standard_normal((n_periods + 1, 2)), index=dates, columns=["s1", "s2"])
    assets = ["A1", "A2", "B1", "B2"]
    returns = pd.DataFrame(rng.standard_normal((n_periods + 1, 4)), index=dates, columns=assets)
    groups = {"A1": "g1", "A2": "g1", "B1": "g2", "B2": "g2"}
    design = stack(returns, shocks, groups, lags=1)
    n_a = len(design.assets)
    return dataclasses.replace(design, y_loc=np.zeros(n_a), y_scale=np.ones(n_a))


@lru_cache(maxsize=2)
def _model(n_periods: int, seed: int) -> Any:
    """The PyMC graph of the template design (built once per process)."""
    return build_model(template_design(n_periods, seed))


def prior_draws(reps: int, seed: int, n_periods: int = 80, design_seed: int = 0
                ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """``reps`` draws of the parameters (one array per ranked variable, replication first) and of ``y``."""
    import pymc as pm

    with _model(n_periods, design_seed):
        idata = pm.sample_prior_predictive(draws=reps, random_seed=seed)
    prior = idata["prior"]
    truth = {var: prior[var].to_numpy()[0] for var in {v for _, v, _ in PARAMETERS}}
    return truth, idata["prior_predictive"]["y"].to_numpy()[0]


@dataclasses.dataclass(frozen=True)
class Replication:
    """One replication's ranks (``None`` when the sampler raised), sweeps and stop."""

    ranks: tuple[int, ...] | None
    sweeps: int
    rounds: int
    gate_met: bool
    seconds: float
    error: str = ""


def replicate(truth: dict[str, Any], y: np.ndarray, seed: int, *, n_draws: int = 99, n_periods: int = 80,
              design_seed: int = 0, rounds: Rounds | None = None) -> Replication:
    """Fit one simulated data set to the gate and rank each true value among ``n_draws`` thinned draws."""
    import warnings

    design = dataclasses.replace(template_design(n_periods, design_seed), y=np.asarray(y, dtype=np.float64))
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            idata = gibbs_inference_data(design, draws=0, tune=0,
                                         chains=SAMPLER_DEFAULTS["gibbs"]["chains"],
                                         rng=np.random.default_rng(seed), rounds=rounds or Rounds())
    except np.linalg.LinAlgError as exc:  # the known defect on prior-possible data with tiny nu (issue 22)
        return Replication(None, 0, 0, False, time.perf_counter() - t0,
                           f"{type(exc).__name__}: {exc} (true nu {float(truth['nu']):.3g})")
    post = idata["posterior"]
    ranks = []
    for _, var, index in PARAMETERS:
        arr = post[var].to_numpy()
        column = int(np.ravel_multi_index(index, arr.shape[2:])) if index else 0
        values = arr.reshape(arr.shape[0] * arr.shape[1], -1)[:, column]  # chains pooled
        pick = np.round(np.linspace(0, values.size - 1, n_draws)).astype(np.int64)
        ranks.append(rank_of(float(np.asarray(truth[var])[index]), values[pick]))
    return Replication(tuple(ranks), int(post.attrs["sweeps"]), int(post.attrs["rounds"]),
                       bool(post.attrs["gate_met"]), time.perf_counter() - t0)


def _job(args: tuple[dict[str, Any], np.ndarray, int, int, int]) -> Replication:
    truth, y, seed, n_draws, n_periods = args
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return replicate(truth, y, seed, n_draws=n_draws, n_periods=n_periods)


def run_sbc(reps: int, *, seed: int = 0, n_draws: int = 99, n_periods: int = 80, workers: int = 1,
            time_limit: float | None = None) -> list[Replication]:
    """``reps`` replications (fewer if ``time_limit`` seconds pass first), in ``workers`` processes."""
    truth, ys = prior_draws(reps, seed, n_periods)
    seeds = np.random.SeedSequence(seed).generate_state(reps, dtype=np.uint64)
    jobs = [({k: v[r] for k, v in truth.items()}, ys[r], int(seeds[r]), n_draws, n_periods) for r in range(reps)]
    t0 = time.perf_counter()
    out: list[Replication] = []
    if workers <= 1:
        for job in jobs:
            out.append(_job(job))
            if time_limit is not None and time.perf_counter() - t0 > time_limit:
                break
        return out
    import multiprocessing as mp

    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
        futures = [pool.submit(_job, job) for job in jobs]
        for fut in futures:  # in order, so a time limit keeps a prefix of the replications (no selection)
            out.append(fut.result())
            if time_limit is not None and time.perf_counter() - t0 > time_limit:
                for rest in futures:
                    rest.cancel()
                break
    return out


def summarise(reps: list[Replication], n_draws: int, bins: int) -> tuple[list[tuple[str, np.ndarray, float, float]],
                                                                           float]:
    """Per parameter ``(label, bin counts, chi-square, p)`` over the replications that ran, and the min p."""
    ranks = np.array([r.ranks for r in reps if r.ranks is not None], dtype=np.int64)
    rows = []
    for j, (label, _, _) in enumerate(PARAMETERS):
        counts, stat, p = rank_chi2(ranks[:, j], n_draws, bins)
        rows.append((label, counts, stat, p))
    return rows, min(p for *_, p in rows)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=200, help="replications R (default 200)")
    ap.add_argument("--draws", type=int, default=99, help="thinned posterior draws L per replication (default 99)")
    ap.add_argument("--bins", type=int, default=10, help="histogram bins B, a divisor of L + 1 (default 10)")
    ap.add_argument("--periods", type=int, default=80, help="periods of the simulated panel (default 80)")
    ap.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    ap.add_argument("--seed", type=int, default=20181)
    ap.add_argument("--time-limit", type=float, default=None,
                    help="stop after this many seconds (the first replications in order are kept)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    reps = run_sbc(args.reps, seed=args.seed, n_draws=args.draws, n_periods=args.periods, workers=args.workers,
                   time_limit=args.time_limit)
    wall = time.perf_counter() - t0
    ok = [r for r in reps if r.ranks is not None]
    failed = [r for r in reps if r.ranks is None]
    print(f"SBC of the Gibbs sampler to the gate: R = {len(ok)} replications ({len(failed)} raised), "
          f"L = {args.draws} draws, B = {args.bins} bins, {args.periods} periods, 4 assets / 2 classes, "
          f"2 shocks, lags 0..1; {wall:.0f} s wall, {np.mean([r.seconds for r in reps]):.1f} s a fit")
    for r in failed:
        print(f"  raised: {r.error}")
    rows, p_min = summarise(ok, args.draws, args.bins)
    print(f"{'parameter':<20} {'bin counts':<{4 * args.bins}} {'chi2':>7} {'p':>7}")
    for label, counts, stat, p in rows:
        print(f"{label:<20} {' '.join(f'{c:3d}' for c in counts):<{4 * args.bins}} {stat:7.2f} {p:7.3f}")
    n = len(rows)
    print(f"min p = {p_min:.4f}; Bonferroni over {n}: adjusted {min(1.0, p_min * n):.3f}; "
          f"{'REJECTED' if p_min < 0.01 / n else 'not rejected'} at 1% (threshold {0.01 / n:.5f}), "
          f"{'rejected' if p_min < 0.05 / n else 'not rejected'} at 5%")
    sweeps = collections.Counter((r.sweeps, r.gate_met) for r in ok)
    print("sweeps a chain (warm-up included) -> replications:")
    for (s, met), c in sorted(sweeps.items()):
        print(f"  {s:5d} {'gate met' if met else 'CAP, gate not met'}: {c}")
    first = sum(r.rounds == 1 and r.gate_met for r in ok)
    capped = sum(not r.gate_met for r in ok)
    print(f"gate met in the first round: {first}; after more rounds: {len(ok) - first - capped}; cap: {capped}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
