"""Coverage of Giacomini-Kitagawa robust credible regions, and speed of sign restrictions.

Monte Carlo: a 3-variable SVAR(1) with a known impact matrix (tests/svar/svar_sim.py),
shock y0 sign-restricted on impact (y0 +, y1 +, y2 -); Gaussian or GARCH(1,1) shocks
(unit unconditional variance). Reported: the share of (simulation, horizon, response)
where the true response of shock y0 lies inside the 90% robust region (should be at
least 0.90: the region covers the whole identified set), and inside the set of
posterior means. Speed: 1000 block-bootstrap replications with sign restrictions on a
6-variable monthly-sized VAR(2), and robust sets against puremacro's gk_robust_bands
in the same process (same draws x rotations), printing the ratio.

    python benchmarks/bench_sign_coverage.py          # quick (about a minute)
    python benchmarks/bench_sign_coverage.py --full   # recorded figures (400 simulations a kind of shock, ~6 min)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "svar"))
from svar_sim import TRUE_A, TRUE_B0INV

from causalmacro.svar import SVAR, SignRestrictions
from causalmacro.svar.dynamics import structural_irf
from causalmacro.svar.robust import ROBUST_BOUNDS

SIGNS = {"y0": {"y0": 1, "y1": 1, "y2": -1}}


def simulate(n: int, rng: np.random.Generator, garch: bool) -> pd.DataFrame:
    k = TRUE_B0INV.shape[0]
    z = rng.standard_normal((n + 200, k))
    if garch:
        h = np.ones(k)
        for t in range(z.shape[0]):
            e = np.sqrt(h) * z[t]
            h = 0.1 + 0.1 * e**2 + 0.8 * h
            z[t] = e
    y = np.zeros((n + 200, k))
    for t in range(1, n + 200):
        y[t] = TRUE_A[0] @ y[t - 1] + TRUE_B0INV @ z[t]
    return pd.DataFrame(y[200:], columns=[f"y{i}" for i in range(k)])


def coverage(sims: int, nobs: int, draws: int, rotations: int, garch: bool,
             horizon: int = 4, seed0: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Per simulation: the share of (horizon, response) cells inside the robust region, and inside the means' set."""
    truth = structural_irf(TRUE_A, TRUE_B0INV, horizon)[:, :, 0]
    inside, inside_means = np.empty(sims), np.empty(sims)
    for s in range(sims):
        rng = np.random.default_rng(seed0 + s)
        res = SVAR(simulate(nobs, rng, garch), lags=1, identification=SignRestrictions(signs=SIGNS, draws=500)).fit(rng=s)
        r = res.robust_irf(horizon, draws=draws, rotations=rotations, rng=s).sel(shock="y0").to_numpy()
        lo, hi = r[..., ROBUST_BOUNDS.index("lower")], r[..., ROBUST_BOUNDS.index("upper")]
        inside[s] = np.mean((lo <= truth) & (truth <= hi))
        m_lo, m_hi = r[..., ROBUST_BOUNDS.index("set_lower")], r[..., ROBUST_BOUNDS.index("set_upper")]
        inside_means[s] = np.mean((m_lo <= truth) & (truth <= m_hi))
    return inside, inside_means


def mean_se(x: np.ndarray) -> str:
    """The share and its Monte Carlo s.e. across simulations (cells of one simulation are correlated)."""
    return f"{x.mean():.3f} (s.e. {x.std(ddof=1) / np.sqrt(len(x)):.3f})"


def speed() -> None:
    rng = np.random.default_rng(5)
    k, n = 6, 240
    a1 = 0.5 * np.eye(k) + 0.05 * rng.standard_normal((k, k))
    impact = np.linalg.cholesky(np.eye(k) + 0.3)
    y = np.zeros((n, k))
    for t in range(1, n):
        y[t] = a1 @ y[t - 1] + impact @ rng.standard_normal(k)
    df = pd.DataFrame(y, columns=[f"v{i}" for i in range(k)])
    scheme = SignRestrictions(signs={"v1": {"v1": 1, "v3": 1, "v5": -1}}, horizons=2, draws=2000)
    res = SVAR(df, lags=2, identification=scheme).fit(rng=0)
    t0 = time.perf_counter()
    irf = res.irf(24, bands="block", reps=1000, rng=1)
    t_boot = time.perf_counter() - t0
    print(f"6-variable VAR(2), 1000 block-bootstrap reps with sign restrictions: {t_boot:.2f} s "
          f"({irf.attrs['reps_kept']} kept)")
    draws, rot = 50, 300
    t0 = time.perf_counter()
    res.robust_irf(12, draws=draws, rotations=rot, rng=2)
    t_ours = time.perf_counter() - t0
    try:
        from puremacro.var.identify.sign_robust import gk_robust_bands
    except ImportError:
        print(f"robust sets ({draws} draws x {rot} rotations): {t_ours:.2f} s; puremacro not importable")
        return
    t0 = time.perf_counter()
    gk_robust_bands(df.to_numpy(), p=2, horizon=12, restrictions={h: [0, 1, 0, 1, 0, -1] for h in range(3)},
                    shock_idx=1, n_var_draws=draws, n_q_per_draw=rot, ci=0.9, seed=0)
    t_ref = time.perf_counter() - t0
    print(f"robust sets ({draws} draws x {rot} rotations): causalmacro {t_ours:.2f} s, "
          f"puremacro {t_ref:.2f} s, ratio {t_ref / t_ours:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the recorded figures (slow)")
    parser.add_argument("--sims", type=int, default=None, help="simulations per kind of shock")
    parser.add_argument("--no-speed", action="store_true", help="skip the timing")
    args = parser.parse_args()
    sims, nobs, draws, rot = (400, 300, 300, 500) if args.full else (10, 300, 100, 300)
    sims = args.sims or sims
    for garch in (False, True):
        t0 = time.perf_counter()
        cov, cov_means = coverage(sims, nobs, draws, rot, garch)
        print(f"{'GARCH' if garch else 'Gaussian'} shocks, {sims} sims, T={nobs}: true response inside the 90% "
              f"robust region {mean_se(cov)}, inside the set of posterior means {mean_se(cov_means)}; "
              f"simulations with every cell inside the region {np.mean(cov == 1):.3f}; "
              f"{time.perf_counter() - t0:.0f} s", flush=True)
    if not args.no_speed:
        speed()


if __name__ == "__main__":
    main()
