"""Monte Carlo of changes-in-volatility bands: which bootstrap covers, and how often is the model identified?

Run from the repository root::

    python benchmarks/bench_volatility_coverage.py            # a quick look (30 samples, 199 replications)
    python benchmarks/bench_volatility_coverage.py --full     # the recorded figures (see benchmarks/README.md)

Simulates the liquidity chain of :mod:`mc_chain` (4-variable VAR(2); its impact
matrix ``IMPACT`` is the true ``B``, shocks of unit variance in the first regime)
with the structural shocks' variances changing between dated regimes:

* ``break``: one break in the middle of the sample, variance ratios (0.3, 1, 2.5, 5);
* ``stress``: two stress spans of a monthly sample ending 2025-10, 2020-03..06 and
  2022-05..12 (12 months, one recurring regime), ratios (4, 1.5, 9, 0.5).

Shocks are Gaussian or GARCH(1,1)-t(5) (``mc_chain.shocks``) times the square root
of their regime's ratio; T = 130 and T = 300 months. Each sample is fitted with
``ChangesInVolatility`` on the true regimes and measured, for 90% bands of the 16
responses at impact and horizons 1, 6, 12 (average over responses), under

* ``block``: moving blocks from anywhere in the sample (the package default);
* ``residual``: i.i.d. residuals from anywhere;
* ``wild``: Rademacher signs, every residual at its date (svars' choice for id.cv);
* ``strat-block``: moving blocks within each regime's spans (``stratify=True``);
* ``strat-resid``: i.i.d. within each regime.

``joint`` is the share of the 16 response paths (horizons 0..12) that the sup-t band
(``joint=True``) covers whole. ``distinct`` is the share of samples in which every
pair of variance ratios is distinct at 5% (no ``WeakIdentificationWarning``),
``named`` the share in which the labelling gives every estimated shock the name of
the true shock it estimates (the largest absolute correlation of scaled columns).
Monte Carlo standard error of a coverage near 0.9: ``sqrt(0.09 / samples)``.
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

from causalmacro.svar import SVAR, ChangesInVolatility, WeakIdentificationWarning
from causalmacro.svar.bootstrap import run_bootstrap

LEVEL = 0.9
HORIZONS = (0, 1, 6, 12)
RATIOS = {"break": np.array([0.3, 1.0, 2.5, 5.0]), "stress": np.array([4.0, 1.5, 9.0, 0.5])}
STRESS = (("2020-03", "2022-06"), ("2022-05", "2023-01"))  # [start, stop) in months
METHODS = ("block", "residual", "wild", "strat-block", "strat-resid")


def regimes(design: str, index: pd.PeriodIndex) -> np.ndarray:
    """Regime (0 calm / first, 1 the other) of each month."""
    if design == "break":
        return (np.arange(len(index)) >= len(index) // 2).astype(int)
    out = np.zeros(len(index), dtype=int)
    for start, stop in (("2020-03", "2020-07"), ("2022-05", "2023-01")):
        out[(index >= pd.Period(start, "M")) & (index < pd.Period(stop, "M"))] = 1
    return out


def simulate(design: str, nobs: int, errors: m.Errors, rng: np.random.Generator,
             burn: int = 200) -> tuple[pd.DataFrame, pd.Series]:
    p, k = m.COEFS.shape[0], len(m.NAMES)
    index = pd.period_range(end="2025-10", periods=nobs, freq="M")
    label = regimes(design, index)
    eps = m.shocks(errors, nobs + burn + p, rng)
    scale = np.ones((nobs + burn + p, k))
    scale[-nobs:] = np.where(label[:, None] == 1, np.sqrt(RATIOS[design]), 1.0)
    u = (eps * scale) @ m.IMPACT.T
    y = np.zeros((nobs + burn + p, k))
    y[:p] = np.linalg.solve(np.eye(k) - m.COEFS.sum(axis=0), m.CONST)
    for t in range(p, len(y)):
        y[t] = m.CONST + m.COEFS[0] @ y[t - 1] + m.COEFS[1] @ y[t - 2] + u[t]
    return pd.DataFrame(y[-nobs:], index=index, columns=list(m.NAMES)), pd.Series(
        np.where(label == 1, "stress", "calm"), index=index)


def named(impact: np.ndarray) -> bool:
    """Does estimated shock j estimate true shock j (largest |correlation| of row-scaled columns)?"""
    sd = np.sqrt(np.sum(m.IMPACT**2, axis=1))
    est, tru = impact / sd[:, None], m.IMPACT / sd[:, None]
    est, tru = est / np.linalg.norm(est, axis=0), tru / np.linalg.norm(tru, axis=0)
    return bool(np.all(np.argmax(np.abs(est.T @ tru), axis=1) == np.arange(len(m.NAMES))))


def cell(design: str, nobs: int, errors: m.Errors, samples: int, reps: int, seed: int,
         methods: tuple[str, ...] = METHODS) -> list[dict]:
    """Coverage of each bootstrap in ``methods`` (default all) and the identification rates of one cell."""
    rng = np.random.default_rng(seed)
    hmax = max(HORIZONS)
    truth = m.true_irf(hmax)  # (h, response, shock)
    hits = {meth: np.zeros(len(HORIZONS) + 1) for meth in methods}
    distinct, good_names, n_done = 0, 0, 0
    for _ in range(samples):
        df, reg = simulate(design, nobs, errors, rng)
        reg = reg.iloc[2:]  # the effective sample of a VAR(2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", WeakIdentificationWarning)
            res = SVAR(df, order=list(m.NAMES), lags=2,
                       identification=ChangesInVolatility(regimes=reg)).fit(rng=int(rng.integers(2**31)))
        distinct += not any(issubclass(w.category, WeakIdentificationWarning) for w in caught)
        good_names += named(np.asarray(res.identified.impact))
        n_done += 1
        strat = ChangesInVolatility(regimes=reg, stratify=True)
        for meth in methods:
            method = {"strat-block": "block", "strat-resid": "residual"}.get(meth, meth)
            ident = strat if meth.startswith("strat") else res.identification
            gen = np.random.default_rng(int(rng.integers(2**31)))
            draws = run_bootstrap(res.reduced_form, ident, res.identified, reps=reps, method=method, rng=gen)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                irf = res.irf(hmax, bands=draws, level=LEVEL).transpose("bound", "horizon", "response", "shock")
                joint = res.irf(hmax, bands=draws, level=LEVEL, joint=True).transpose(
                    "bound", "horizon", "response", "shock")
            lo, hi = irf.sel(bound="lower").to_numpy(), irf.sel(bound="upper").to_numpy()
            inside = (lo <= truth) & (truth <= hi)
            for n, h in enumerate(HORIZONS):
                hits[meth][n] += inside[h].mean()
            jlo, jhi = joint.sel(bound="lower").to_numpy(), joint.sel(bound="upper").to_numpy()
            hits[meth][-1] += (((jlo <= truth) & (truth <= jhi)).all(axis=0)).mean()
    rows = []
    for meth in methods:
        row: dict = {"design": design, "T": nobs, "errors": errors, "method": meth}
        row.update({f"h={h}": hits[meth][n] / n_done for n, h in enumerate(HORIZONS)})
        row["joint"] = hits[meth][-1] / n_done
        row["distinct"] = distinct / n_done
        row["named"] = good_names / n_done
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="100 samples, 299 replications (the recorded figures)")
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--reps", type=int, default=None)
    parser.add_argument("--cells", default=None, help="comma-separated design:T:errors, e.g. stress:130:gaussian")
    args = parser.parse_args()
    samples = args.samples or (100 if args.full else 30)
    reps = args.reps or (299 if args.full else 199)
    cells = ([c.split(":") for c in args.cells.split(",")] if args.cells else
             [(d, t, e) for d in ("break", "stress") for t in (130, 300) for e in ("gaussian", "garch")])
    rows: list[dict] = []
    t0 = time.perf_counter()
    for seed, (design, nobs, errors) in enumerate(cells):
        rows += cell(design, int(nobs), errors, samples, reps, seed)  # type: ignore[arg-type]
        print(pd.DataFrame(rows).round(2).to_string(index=False), flush=True)
    print(f"{samples} samples x {reps} replications per cell and method, {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
