"""Monte Carlo: does the narrative-restricted set contain the true impact response, and how much narrower is it?

Each replication simulates a VAR(1) of three variables with a known impact matrix ``B`` and one dated large
shock (``eps_a = 5`` at row 250 of 400), with Gaussian or GARCH(1,1)-t(5) errors (unit unconditional variance),
fits ``SignRestrictions(signs={"a": {"a": 1, "b": 1}})`` with and without the narrative restriction "at the
event, shock a was positive and the overwhelming contributor to a's unexpected change" (Antolín-Díaz &
Rubio-Ramírez 2018), and records for the impact responses of shock ``a`` on every variable:

* ``set``: whether the truth lies inside the reported identified set (min to max of the accepted models);
* ``band``: whether it lies inside the pointwise 5-95% range of the (importance-weighted) accepted models;
* the width of that range;
* with ``--bands``: whether it lies inside the pointwise 90% moving-block bootstrap band
  (``res.irf(0, bands="block", reps=199)``, which redraws the sign rotations and re-applies the narrative
  restriction in each replication), and that band's width. Unlike the set, the band carries the sampling
  uncertainty of the reduced form.

The narrative restriction is true in a replication only when the other shocks at the event are small enough;
the share where it holds is printed (``true``), and coverage is reported over all replications.

Command (from the repository root)::

    python benchmarks/bench_narrative_coverage.py            # quick: 40 replications
    python benchmarks/bench_narrative_coverage.py --full     # the recorded figures: 400 replications
    python benchmarks/bench_narrative_coverage.py --bands --reps 150   # the bootstrap bands too (~15 min)
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import causalmacro as cm

B_TRUE = np.array([[1.0, 0.5, 0.3], [0.6, 1.0, -0.4], [-0.3, 0.4, 1.0]])
A_TRUE = np.array([[0.5, 0.1, 0.0], [0.0, 0.4, 0.1], [0.1, 0.0, 0.3]])
T, EVENT = 400, 250
SIGNS = {"a": {"a": 1, "b": 1}}


def shocks(rng: np.random.Generator, errors: str) -> np.ndarray:
    if errors == "gaussian":
        return rng.standard_normal((T, 3))
    nu, omega, alpha, beta = 5.0, 0.05, 0.15, 0.8
    z = rng.standard_t(nu, (T, 3)) / np.sqrt(nu / (nu - 2))
    e = np.zeros((T, 3))
    h = np.ones(3)
    for t in range(T):
        e[t] = np.sqrt(h) * z[t]
        h = omega + alpha * e[t] ** 2 + beta * h
    return e


def simulate(rng: np.random.Generator, errors: str) -> tuple[pd.DataFrame, bool]:
    eps = shocks(rng, errors)
    eps[EVENT, 0] = 5.0
    contrib = np.abs(B_TRUE[0] * eps[EVENT])
    true = bool(contrib[0] >= contrib[1:].sum())
    y = np.zeros((T, 3))
    for t in range(1, T):
        y[t] = A_TRUE @ y[t - 1] + B_TRUE @ eps[t]
    idx = pd.period_range("1990-01", periods=T, freq="M").to_timestamp()
    return pd.DataFrame(y, index=idx, columns=["a", "b", "c"]), true


def weighted_range(x: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    if w is None:
        return np.quantile(x, [0.05, 0.95], axis=0)
    out = np.empty((2, x.shape[1]))
    for i in range(x.shape[1]):
        o = np.argsort(x[:, i])
        c = np.cumsum(w[o])
        out[:, i] = x[o, i][np.minimum(np.searchsorted(c, [0.05, 0.95]), len(c) - 1)]
    return out


def one(df: pd.DataFrame, narrative: list, seed: int, draws: int, band_reps: int = 0) -> dict[str, np.ndarray]:
    """Coverage of the true impact responses of shock ``a`` by the set, its 5-95% range and (``band_reps`` > 0)
    the pointwise 90% block-bootstrap band."""
    scheme = cm.SignRestrictions(signs=SIGNS, draws=draws, narrative=narrative)
    res = cm.SVAR(df, order=["a", "b", "c"], lags=1, identification=scheme).fit(rng=seed)
    acc = np.array(res.identified.accepted)[:, :, 0]
    w = None if res.identified.weights is None else np.array(res.identified.weights)
    lo, hi = weighted_range(acc, w)
    truth = B_TRUE[:, 0]
    out = {
        "set": (acc.min(axis=0) <= truth) & (truth <= acc.max(axis=0)),
        "band": (lo <= truth) & (truth <= hi),
        "width": hi - lo,
    }
    if band_reps:
        irf = res.irf(0, bands="block", reps=band_reps, level=0.9, rng=seed).sel(shock="a", horizon=0)
        b_lo = irf.sel(bound="lower").sel(response=["a", "b", "c"]).to_numpy()
        b_hi = irf.sel(bound="upper").sel(response=["a", "b", "c"]).to_numpy()
        out["boot"] = (b_lo <= truth) & (truth <= b_hi)
        out["boot width"] = b_hi - b_lo
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="400 replications (the recorded figures)")
    parser.add_argument("--reps", type=int, default=None)
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--bands", action="store_true",
                        help="also the 90%% block-bootstrap bands (199 replications each)")
    parser.add_argument("--band-reps", type=int, default=199)
    args = parser.parse_args()
    band_reps = args.band_reps if args.bands else 0
    keys = ("set", "band", "width") + (("boot", "boot width") if band_reps else ())
    reps = args.reps or (400 if args.full else 40)
    rows = []
    for errors in ("gaussian", "garch_t"):
        rng = np.random.default_rng(args.seed)
        start = time.perf_counter()
        out: dict[str, list[dict[str, np.ndarray]]] = {"sign only": [], "narrative": []}
        truths = []
        for r in range(reps):
            df, true = simulate(rng, errors)
            truths.append(true)
            date = df.index[EVENT].strftime("%Y-%m")
            nr = cm.NarrativeRestriction(date, shock="a", sign=1, variable="a", contribution="overwhelming")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out["sign only"].append(one(df, [], r, args.draws, band_reps))
                try:
                    out["narrative"].append(one(df, [nr], r, args.draws, band_reps))
                except cm.svar.IdentificationError:
                    miss = {k: np.zeros(3, bool) if "width" not in k else np.full(3, np.nan) for k in keys}
                    out["narrative"].append(miss)
        secs = time.perf_counter() - start
        for scheme, res in out.items():
            stack = {k: np.array([d[k] for d in res]) for k in keys}
            for i, var in enumerate("abc"):
                row = {
                    "errors": errors, "scheme": scheme, "response": var,
                    "set covers": stack["set"][:, i].mean(), "5-95% covers": stack["band"][:, i].mean(),
                    "mean width": np.nanmean(stack["width"][:, i]),
                }
                if band_reps:
                    row["90% band covers"] = stack["boot"][:, i].mean()
                    row["band width"] = np.nanmean(stack["boot width"][:, i])
                rows.append(row)
        print(f"{errors}: {reps} replications in {secs:.0f} s; restriction true in {np.mean(truths):.1%}")
    table = pd.DataFrame(rows)
    print(table.to_markdown(index=False, floatfmt=".3f"))
    print(f"Monte Carlo s.e. of a share p: sqrt(p (1 - p) / {reps}); near 0.9: {np.sqrt(0.09 / reps):.3f}")


if __name__ == "__main__":
    main()
