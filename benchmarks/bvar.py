"""Benchmark: the Bayesian VAR's posterior draws with the GLP hyperparameter search, against R BVAR and puremacro.

Run from the repository root::

    python benchmarks/bvar.py                  # 10,000 draws, ../shared/data/fred, else simulated data
    python benchmarks/bvar.py --draws 2000 --no-r   # a quick look

What it times, at equal draws, on a 6-variable 12-lag monthly VAR:

* **causalmacro**: ``cm.BVAR(data, lags=12, prior=cm.Minnesota(soc=1, sur=1), hyper="glp").fit(draws=N)``,
  wall time in this process, best of ``--repeat`` (the first, with lazy imports, printed too): psi by exact ML (as R), the search of lambda, soc and
  sur, and ``N`` exact i.i.d. draws of the coefficients and ``Sigma``; the split into the three is printed.
* **R BVAR** 1.0.5 (Kuschnig & Vashold), through ``Rscript``, timed inside R with ``system.time``:
  ``bvar(data, lags = 12, n_draw = N, n_burn = 0, priors = bv_priors(hyper = "auto", soc = bv_soc(),
  sur = bv_sur()))``: the same psi (``arima``), the same search (``optim`` L-BFGS-B), then ``N``
  Metropolis-Hastings steps over the hyperparameters with a posterior draw at each (R integrates the
  hyperparameters out; causalmacro conditions on their mode, see :mod:`causalmacro.bvar.model`).
* **puremacro** (PyPI): ``minnesota_optimal_lambda`` (a grid search of the marginal likelihood) then
  ``minnesota_gibbs(n_draws=N, burn=0)`` (conjugate Normal-inverse-Wishart draws), same process.

The data: the chain of ``models/liquidity_chain.toml`` (inflation, real rate, net liquidity, HY spread,
BTC) and the Nasdaq, built by the panel builder from ``../shared/data/fred`` (130 months); without it a
simulated 6-variable VAR(1) of 130 months, said so in the output.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import causalmacro as cm

ROOT = Path(__file__).resolve().parents[1]
FRED = ROOT.parent / "shared" / "data" / "fred"
LAGS = 12
SEED = 20261203
VARIABLES = ["inflation", "real_rate", "net_liquidity", "hy_spread", "btc", "nasdaq"]

R_SCRIPT = """suppressMessages(library(BVAR)); set.seed(1)
d <- as.matrix(read.csv("{csv}"))
pri <- bv_priors(hyper = "auto", soc = bv_soc(), sur = bv_sur())
t <- system.time(fit <- bvar(d, lags = {lags}, n_draw = {draws}, n_burn = 0, priors = pri, verbose = FALSE))
cat(t[["elapsed"]], dim(fit$beta)[1], format(fit$optim$par, digits = 10), "\\n")
"""


def load() -> tuple[pd.DataFrame, str]:
    """Six monthly series (the FRED chain and the Nasdaq, else simulated) and where they came from."""
    if FRED.is_dir():
        from causalmacro.data.sources.csvdir import CsvDirSource

        panel = cm.build_panel(cm.load_spec(ROOT / "models" / "liquidity_chain.toml"), CsvDirSource(FRED))
        return panel.data[VARIABLES], f"FRED chain + nasdaq from {FRED.relative_to(ROOT.parent)}"
    rng = np.random.default_rng(SEED)
    a = 0.6 * np.eye(6) + 0.05 * rng.standard_normal((6, 6))
    y = np.zeros((130, 6))
    for t in range(1, 130):
        y[t] = a @ y[t - 1] + rng.standard_normal(6)
    index = pd.date_range("2015-01-01", periods=130, freq="MS")
    return (pd.DataFrame(y, index=index, columns=VARIABLES),
            f"SIMULATED VAR(1) ({FRED} is absent: not the FRED chain's figures)")


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Best and first (cold: lazy imports included) wall time, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), times[0], out


def split(data: pd.DataFrame, draws: int) -> tuple[float, float, float]:
    """Seconds for psi, for the search, for the draws (one run, the same code as ``fit``)."""
    from causalmacro.bvar import posterior as post_
    from causalmacro.bvar.prior import auto_psi

    y, _ = post_.design(data.to_numpy(dtype=np.float64), LAGS)
    t0 = time.perf_counter()
    psi = auto_psi(y, LAGS)
    t1 = time.perf_counter()
    fixed = cm.BVAR(data, lags=LAGS, prior=cm.Minnesota(psi=tuple(psi), soc=1, sur=1), hyper="glp")
    fixed.fit(draws=1, rng=0)
    t2 = time.perf_counter()
    res = fixed.fit(draws=draws, rng=0)
    t3 = time.perf_counter()
    assert res.draws == draws
    return t1 - t0, t2 - t1, (t3 - t2) - (t2 - t1)


def run_r(data: pd.DataFrame, draws: int) -> tuple[float, str] | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "data.csv"
        data.to_csv(csv, index=False)
        script = R_SCRIPT.format(csv=csv.as_posix(), lags=LAGS, draws=draws)
        out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=3600)
    if out.returncode:
        print(f"  [R BVAR failed: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else out.returncode}]")
        return None
    fields = out.stdout.split()
    return float(fields[0]), f"{fields[1]} draws; mode lambda, soc, sur = {', '.join(fields[2:])}"


def run_puremacro(data: pd.DataFrame, draws: int) -> float | None:
    try:
        from puremacro.var.bvar import minnesota_gibbs, minnesota_optimal_lambda
    except ImportError:
        return None

    def job() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            best = minnesota_optimal_lambda(data, lags=LAGS)
            return minnesota_gibbs(data, lags=LAGS, n_draws=draws, burn=0, lambda1=best["lambda1"],
                                   lambda3=best.get("lambda3", 1.0), rng=np.random.default_rng(SEED))

    t0 = time.perf_counter()
    job()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000, help="posterior draws (all systems)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs (causalmacro)")
    parser.add_argument("--no-r", action="store_true", help="skip R BVAR")
    parser.add_argument("--no-puremacro", action="store_true", help="skip puremacro")
    args = parser.parse_args()
    data, where = load()
    n = args.draws
    print(f"data: {where}; {data.index[0]:%Y-%m}..{data.index[-1]:%Y-%m}, T={len(data)}, M={data.shape[1]}, "
          f"VAR({LAGS}), {n} draws")
    print(f"machine: {platform.node()}, {os.cpu_count()} cores (shared), load {os.getloadavg()[0]:.1f}, "
          f"numpy {np.__version__}")
    prior = cm.Minnesota(soc=1, sur=1)
    t_cm, cold, res = best_of(lambda: cm.BVAR(data, lags=LAGS, prior=prior, hyper="glp").fit(draws=n, rng=SEED),
                        args.repeat)
    hyper = ", ".join(f"{res.hyperparameters[k]:.4f}" for k in ("lambda", "soc", "sur"))
    psi_s, search_s, draw_s = split(data, n)
    print(f"causalmacro: {t_cm:.2f} s ({n / t_cm:,.0f} draws/s; first run {cold:.2f} s); psi {psi_s:.2f} s, search {search_s:.2f} s, "
          f"draws {draw_s:.2f} s; mode lambda, soc, sur = {hyper}")
    rows = [("causalmacro", t_cm, "")]
    if not args.no_r:
        r = run_r(data, n)
        if r is not None:
            print(f"R BVAR: {r[0]:.2f} s ({n / r[0]:,.0f} draws/s); {r[1]}")
            rows.append(("R BVAR 1.0.5", r[0], r[1]))
    if not args.no_puremacro:
        t_pm = run_puremacro(data, n)
        if t_pm is not None:
            print(f"puremacro: {t_pm:.2f} s ({n / t_pm:,.0f} draws/s)")
            rows.append(("puremacro", t_pm, "grid search of lambda1, lambda3; no dummies"))
    print("\n| system | seconds | draws/s | causalmacro's draws/s over it |\n|---|---|---|---|")
    for name, t, _ in rows:
        print(f"| {name} | {t:.2f} | {n / t:,.0f} | {t / t_cm:.1f}x |")


if __name__ == "__main__":
    main()
