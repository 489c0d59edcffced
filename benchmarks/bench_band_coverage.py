"""Monte Carlo: do the bands hold their level, and are the graph's arrows real?

Run from the repository root::

    python benchmarks/bench_band_coverage.py --samples 500 --reps 499          # the recorded study (~10 min)
    python benchmarks/bench_band_coverage.py --samples 100 --methods block     # a quick look

Simulates the liquidity chain of :mod:`mc_chain` (a 4-variable VAR(2) calibrated on
FRED data, with 7 exactly absent links among 12) under Gaussian, Student-t(5),
GARCH(1,1)-t(5) and common-volatility errors; fits each sample with the package
(``SVAR(lags=2)``, recursive identification), draws ``--reps`` bootstrap
replications with each method, and measures, for 90% bands:

* **impact coverage**: how often the band at horizon 0 covers the true response,
  for the off-diagonal pairs the recursive scheme estimates (6) and for the own
  shocks (4);
* **pointwise coverage** at horizons 1, 6 and 12 (every pair);
* **joint coverage**: how often the sup-t band covers the whole true path
  ``0..24`` (:meth:`SVARResults.irf` with ``joint=True``), for the links (the 12
  off-diagonal paths) and the own-shock paths;
* **the graph rule**: the share of absent links drawn as edges by the sup-t path
  test (:meth:`SVARResults.irf_test`) at 10%, raw, Holm- and Benjamini-Hochberg
  adjusted over the 12 links (:func:`causalmacro.bands.adjust`: the rule of
  :func:`causalmacro.dependency_graph`), the family-wise error rate (any absent
  link drawn, Holm) and the false discovery rate (BH), and the power on the 5
  present links. The old rule (a pointwise band excluding zero on impact or over
  two consecutive horizons) is shown beside it.

Monte Carlo standard errors are about ``sqrt(p (1 - p) / samples)``: 0.013 for a
90% coverage over 500 samples of one pair, less for averages over pairs.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mc_chain as m

from causalmacro.bands import adjust
from causalmacro.svar import SVAR

HORIZON = 24
LEVEL = 0.9
ALPHA = 0.10
POINTWISE_AT = (1, 6, 12)


@dataclass
class Study:
    """Per-sample measurements of one (errors, method) cell; :meth:`row` averages them."""

    impact_off: list[float]
    impact_own: list[float]
    pointwise: list[float]
    joint_links: list[float]
    joint_own: list[float]
    edge_raw: list[float]
    edge_holm: list[float]
    edge_bh: list[float]
    edge_old: list[float]
    fwer_holm: list[float]
    fdr_bh: list[float]
    power_holm: list[float]
    power_bh: list[float]

    @classmethod
    def empty(cls) -> Study:
        return cls(*([] for _ in range(13)))

    def row(self) -> dict[str, float]:
        return {k: float(np.mean(v)) for k, v in self.__dict__.items()}


def _indices() -> tuple[list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, int]]]:
    """(response, shock) index pairs: absent links, present links, estimated off-diagonal impact, own shocks."""
    at = {n: i for i, n in enumerate(m.NAMES)}
    absent = [(at[t], at[s]) for s, t in m.ABSENT]
    present = [(at[t], at[s]) for s, t in m.PRESENT]
    k = len(m.NAMES)
    lower = [(i, j) for i in range(k) for j in range(i)]
    own = [(i, i) for i in range(k)]
    return absent, present, lower, own


def one_sample(study: Study, nobs: int, errors: m.Errors, method: str, reps: int, seed: int) -> None:
    """Simulate, fit, bootstrap and score one sample into ``study``."""
    absent, present, lower, own = _indices()
    links = absent + present
    truth = m.true_irf(HORIZON)
    data = m.simulate(nobs, errors, np.random.default_rng([2026, seed, m.ERRORS.index(errors)]))
    res = SVAR(data, lags=2).fit()
    draws = res.bootstrap(reps, method=method, rng=seed)  # type: ignore[arg-type]
    pw = res.irf(HORIZON, bands=draws, level=LEVEL).transpose("bound", "horizon", "response", "shock").to_numpy()
    joint = res.irf(HORIZON, bands=draws, level=LEVEL, joint=True)
    jt = joint.transpose("bound", "horizon", "response", "shock").to_numpy()
    inside = (pw[1] <= truth + 1e-12) & (truth - 1e-12 <= pw[2])
    study.impact_off.append(np.mean([inside[0, i, j] for i, j in lower]))
    study.impact_own.append(np.mean([inside[0, i, j] for i, j in own]))
    study.pointwise.append(float(inside[list(POINTWISE_AT)].mean()))
    path_in = ((jt[1] <= truth + 1e-12) & (truth - 1e-12 <= jt[2])).all(axis=0)
    study.joint_links.append(np.mean([path_in[i, j] for i, j in links]))
    study.joint_own.append(np.mean([path_in[i, j] for i, j in own]))
    test = res.irf_test(HORIZON, bands=draws).set_index(["response", "shock"])["p_value"]
    p = np.array([test[(m.NAMES[i], m.NAMES[j])] for i, j in links])
    holm, bh = adjust(p, "holm") < ALPHA, adjust(p, "bh") < ALPHA
    na = len(absent)
    study.edge_raw.append(float((p[:na] < ALPHA).mean()))
    study.edge_holm.append(float(holm[:na].mean()))
    study.edge_bh.append(float(bh[:na].mean()))
    excl = (pw[1] > 0) | (pw[2] < 0)
    old = excl[0] | (excl[1:] & excl[:-1]).any(axis=0)
    study.edge_old.append(float(np.mean([old[i, j] for i, j in absent])))
    study.fwer_holm.append(float(holm[:na].any()))
    study.fdr_bh.append(float(bh[:na].sum() / max(1, bh.sum())))
    study.power_holm.append(float(holm[na:].mean()))
    study.power_bh.append(float(bh[na:].mean()))


def run_cell(nobs: int, errors: m.Errors, method: str, reps: int, samples: int) -> dict[str, float]:
    study = Study.empty()
    with warnings.catch_warnings():
        # wild draws warn on every read (that is the point of this study); explosive replications are counted
        warnings.simplefilter("ignore")
        for s in range(samples):
            one_sample(study, nobs, errors, method, reps, s)
    return study.row()


COLUMNS = (("impact_off", "impact off-diag"), ("impact_own", "impact own"), ("pointwise", "pointwise h=1,6,12"),
           ("joint_links", "joint, links"), ("joint_own", "joint, own"), ("edge_raw", "absent edge raw"),
           ("edge_holm", "absent edge Holm"), ("edge_bh", "absent edge BH"), ("edge_old", "absent edge old rule"),
           ("fwer_holm", "FWER Holm"), ("fdr_bh", "FDR BH"), ("power_holm", "power Holm"), ("power_bh", "power BH"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--reps", type=int, default=499)
    ap.add_argument("--nobs", type=int, nargs="+", default=[130])
    ap.add_argument("--errors", nargs="+", default=list(m.ERRORS), choices=m.ERRORS)
    ap.add_argument("--methods", nargs="+", default=["block", "residual", "wild"],
                    choices=["block", "residual", "wild"])
    a = ap.parse_args(argv)
    print(f"{a.samples} samples, {a.reps} replications, {LEVEL:.0%} bands, rule at {ALPHA:.0%}; "
          f"{len(m.ABSENT)} absent and {len(m.PRESENT)} present links\n")
    print("| T | errors | method | " + " | ".join(label for _, label in COLUMNS) + " |")
    print("|---|---|---|" + "---|" * len(COLUMNS))
    for nobs in a.nobs:
        for errors in a.errors:
            for method in a.methods:
                t0 = time.perf_counter()
                row = run_cell(nobs, errors, method, a.reps, a.samples)
                cells = " | ".join(f"{row[key]:.2f}" if not key.startswith(("edge", "fwer", "fdr")) else f"{row[key]:.3f}"
                                   for key, _ in COLUMNS)
                print(f"| {nobs} | {errors} | {method} | {cells} |  <!-- {time.perf_counter() - t0:.0f} s -->",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
