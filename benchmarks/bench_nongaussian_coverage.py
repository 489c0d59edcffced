"""Monte Carlo of the non-Gaussian scheme: coverage of its bands, its labelling and its normality test.

Run from the repository root::

    python benchmarks/bench_nongaussian_coverage.py            # a quick look (20 samples, 199 replications)
    python benchmarks/bench_nongaussian_coverage.py --full     # the recorded figures (see benchmarks/README.md)

Simulates the liquidity chain of :mod:`mc_chain` (4-variable VAR(2); its impact
matrix ``IMPACT`` is the true ``B``) with independent structural shocks of unit
variance whose laws are, shock by shock (real_rate, net_liquidity, hy_spread, btc):

* ``t``: Student-t with 3, 4, 6 and 8 degrees of freedom (identified: no Gaussian shock);
* ``gauss2``: t(3), t(4), Gaussian, Gaussian (hy_spread and btc are not identified
  apart: the scheme should say so);
* ``garch``: the ``t`` shocks as the innovations of a GARCH(1,1) each,
  ``h_t = 0.05 + 0.10 e_{t-1}^2 + 0.85 h_{t-1}`` (unconditional variance 1). The
  model is misspecified then: the shocks are uncorrelated but not independent
  (their variances move), and each is not a t.

T = 130 and T = 300 months. Each sample is fitted with ``NonGaussian()`` and
measured, for 90% moving-block bootstrap bands (the package default) of the 16
responses at impact and horizons 1, 6, 12 (average over responses, and ``own``: the
4 own impact responses), with

* ``joint``: the share of the 16 response paths (horizons 0..12) that the sup-t band
  (``joint=True``) covers whole;
* ``named``: the share of samples in which the labelling gives every estimated shock
  the name of the true shock it estimates (largest absolute correlation of scaled
  columns, as in ``bench_volatility_coverage.py``);
* ``reject <shock>``: the share of samples whose normality test (``normality_test``,
  one-sided Wald of 1/nu = 0 at 5%) rejects for the shock labelled so: its size when
  the true shock is Gaussian, its power when it is t;
* ``warned``: the share of samples with a ``WeakIdentificationWarning`` (more than
  one shock looks Gaussian): power in ``gauss2``, false alarm in ``t``;
* ``failed``: the share of samples whose point search did not converge (counted as
  misses in every coverage); ``unident``: the mean share of bootstrap replications
  whose search did not converge (dropped from the bands);
* ``sec``: seconds per sample (fit and bootstrap), on the shared 2-core machine.

Monte Carlo standard error of a coverage near 0.9: ``sqrt(0.09 / samples)`` (an upper
bound for averages over responses).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mc_chain as m
from bench_volatility_coverage import named

from causalmacro.svar import SVAR, NonGaussian, NonGaussianBandsWarning, WeakIdentificationWarning
from causalmacro.svar.bootstrap import run_bootstrap

LEVEL = 0.9
HORIZONS = (0, 1, 6, 12)
DF = (3.0, 4.0, 6.0, 8.0)
DESIGNS = ("t", "gauss2", "garch")


def shocks(design: str, nobs: int, rng: np.random.Generator) -> np.ndarray:
    """Independent unit-variance structural shocks of ``design``, shape ``(nobs, 4)``."""
    df = np.array(DF)
    eps = rng.standard_t(df, size=(nobs, len(df))) / np.sqrt(df / (df - 2))
    if design == "gauss2":
        eps[:, 2:] = rng.standard_normal((nobs, 2))
    elif design == "garch":
        h, prev = np.ones(len(df)), np.zeros(len(df))
        for t in range(nobs):
            h = 0.05 + 0.10 * prev**2 + 0.85 * h
            prev = np.sqrt(h) * eps[t]
            eps[t] = prev
    elif design != "t":
        raise ValueError(f"unknown design {design!r}")
    return eps


def simulate(design: str, nobs: int, rng: np.random.Generator, burn: int = 200) -> pd.DataFrame:
    """One sample of ``nobs`` months of the chain with the shocks of ``design``."""
    p, k = m.COEFS.shape[0], len(m.NAMES)
    u = shocks(design, nobs + burn + p, rng) @ m.IMPACT.T
    y = np.zeros((nobs + burn + p, k))
    y[:p] = np.linalg.solve(np.eye(k) - m.COEFS.sum(axis=0), m.CONST)
    for t in range(p, len(y)):
        y[t] = m.CONST + m.COEFS[0] @ y[t - 1] + m.COEFS[1] @ y[t - 2] + u[t]
    index = pd.period_range(end="2025-10", periods=nobs, freq="M")
    return pd.DataFrame(y[-nobs:], index=index, columns=list(m.NAMES))


def cell(design: str, nobs: int, samples: int, reps: int, seed: int, *, joint: bool = True) -> dict:
    """Coverage, labelling and test rates of one design over ``samples`` samples (see the module docstring)."""
    rng = np.random.default_rng(seed)
    hmax = max(HORIZONS)
    truth = m.true_irf(hmax)  # (h, response, shock)
    k = len(m.NAMES)
    hits = np.zeros(len(HORIZONS))
    own = 0.0
    joint_hits = 0.0
    rejects = np.zeros(k)
    warned = good_names = n_done = failed = 0
    dropped = 0.0
    t0 = time.perf_counter()
    for _ in range(samples):
        df = simulate(design, nobs, rng)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", WeakIdentificationWarning)
            try:
                res = SVAR(df, order=list(m.NAMES), lags=2, identification=NonGaussian()).fit(
                    rng=int(rng.integers(2**31)))
            except Exception:  # a search that does not converge counts as a miss everywhere
                failed += 1
                continue
        n_done += 1
        warned += any(issubclass(w.category, WeakIdentificationWarning) for w in caught)
        good_names += named(np.asarray(res.identified.impact))
        tests = res.identification_details["normality_test"]
        rejects += np.array([t["pvalue"] < NonGaussian().alpha for t in tests])
        gen = np.random.default_rng(int(rng.integers(2**31)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NonGaussianBandsWarning)  # what this benchmark measures
            draws = run_bootstrap(res.reduced_form, res.identification, res.identified, reps=reps, method="block",
                                  rng=gen)
        dropped += draws.n_unidentified / reps
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            irf = res.irf(hmax, bands=draws, level=LEVEL).transpose("bound", "horizon", "response", "shock")
        lo, hi = irf.sel(bound="lower").to_numpy(), irf.sel(bound="upper").to_numpy()
        inside = (lo <= truth) & (truth <= hi)
        hits += np.array([inside[h].mean() for h in HORIZONS])
        own += np.diag(inside[0]).mean()
        if joint:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                jb = res.irf(hmax, bands=draws, level=LEVEL, joint=True).transpose(
                    "bound", "horizon", "response", "shock")
            jlo, jhi = jb.sel(bound="lower").to_numpy(), jb.sel(bound="upper").to_numpy()
            joint_hits += ((jlo <= truth) & (truth <= jhi)).all(axis=0).mean()
    n = max(n_done, 1)
    row: dict = {"design": design, "T": nobs, "samples": samples}
    # a failed fit counts as no coverage: divide by all samples
    row.update({f"h={h}": hits[i] / samples for i, h in enumerate(HORIZONS)})
    row["own h=0"] = own / samples
    if joint:
        row["joint"] = joint_hits / samples
    row["named"] = good_names / samples
    row.update({f"reject {name}": rejects[j] / n for j, name in enumerate(m.NAMES)})
    row["warned"] = warned / n
    row["failed"] = failed / samples
    row["unident"] = dropped / n
    row["sec"] = (time.perf_counter() - t0) / samples
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="200 samples, 199 replications (the recorded figures)")
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--reps", type=int, default=None)
    parser.add_argument("--cells", default=None, help="comma-separated design:T, e.g. t:130,gauss2:300")
    args = parser.parse_args()
    samples = args.samples or (200 if args.full else 20)
    reps = args.reps or 199
    cells = ([c.split(":") for c in args.cells.split(",")] if args.cells else
             [(d, t) for d in DESIGNS for t in (130, 300)])
    rows: list[dict] = []
    t0 = time.perf_counter()
    for seed, (design, nobs) in enumerate(cells):
        rows.append(cell(design, int(nobs), samples, reps, seed))
        print(pd.DataFrame(rows).round(2).to_string(index=False), flush=True)
    print(f"{samples} samples x {reps} block-bootstrap replications per cell, {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
