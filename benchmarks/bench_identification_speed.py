"""Benchmark: each identification scheme on the monthly chain, 1000 bootstrap replications, against puremacro.

Run from the repository root::

    python benchmarks/bench_identification_speed.py            # ../shared/data/fred, else the demo
    python benchmarks/bench_identification_speed.py --reps 200 --repeat 1   # a quick look

What it times, in one process, best of ``--repeat``: for each scheme, the fit plus
``--reps`` moving-block bootstrap replications that re-identify every replication, plus
the impulse-response bands at 24 horizons (``SVAR(...).fit()`` then
``irf(24, bands="block", reps=...)``); for the Giacomini-Kitagawa robust sets,
``robust_irf(24, draws=..., rotations=...)`` (posterior draws of the reduced form).

The data: the monthly chain of ``models/liquidity_chain.toml`` (inflation, real rate,
net liquidity, HY spread, BTC) built by the panel builder from ``../shared/data/fred``,
the plain VAR without event dummies, lags by AIC as the spec says (the case study's
identification comparison, ``docs/make_figures.py``). Without ``../shared/data`` it falls
back to the embedded demo (``models/demo.toml``) and says so.

The peer: ``puremacro`` (PyPI), on the same data and lag order with the same number of
replications or draws where its API allows; statsmodels' ``irf_errband_mc`` for the
recursive scheme. The ``notes`` column says where the work differs (puremacro's sign
restrictions identify one shock and draw no bootstrap; its proxy bands are a wild
bootstrap; its non-Gaussian SVAR has no bands).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import causalmacro as cm
from causalmacro.data.sources.csvdir import CsvDirSource
from causalmacro.svar.identification import IdentificationError
from causalmacro.svar.narrative import event_date

ROOT = Path(__file__).resolve().parents[1]
FRED = ROOT.parent / "shared" / "data" / "fred"
SEED = 20261121
H = 24
LEVEL = 0.9
# the crypto stress months of the case study: the COVID crash; Terra to FTX
STRESS = [("2020-03-01", "2020-06-01"), ("2022-05-01", "2022-12-01")]
# the case study's sign restrictions (docs/make_figures.py SIGNS), held at horizons 0..2
SIGNS = {"real_rate": {"real_rate": 1, "hy_spread": 1}, "net_liquidity": {"net_liquidity": 1, "hy_spread": -1}}
# narrative restrictions: (catalogue event, shock, sign, variable the shock drove most)
NARRATIVE = [("covid_market_crash_2020", "hy_spread", 1, "hy_spread"),
             ("terra_ust_collapse_2022", "btc", -1, "btc"),
             ("ftx_collapse_2022", "btc", -1, "btc")]
# sign restrictions under the narrative ones: the case study's, plus the two shocks the narrative names
SIGNS_NARRATIVE = {**SIGNS, "hy_spread": {"hy_spread": 1, "real_rate": -1}, "btc": {"btc": 1}}


@dataclass
class Row:
    scheme: str
    ours: float | None
    peer: float | None
    peer_name: str
    notes: str


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The shortest wall time of ``repeat`` calls, and the last call's value."""
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def load_chain() -> tuple[pd.DataFrame, list[str], str]:
    """The chain's data (the VAR's variables in order), its order, and where it came from."""
    source: Any
    if FRED.is_dir():
        spec = cm.load_spec(ROOT / "models" / "liquidity_chain.toml")
        source = CsvDirSource(FRED)
        where = f"monthly chain of models/liquidity_chain.toml from {FRED.relative_to(ROOT.parent)}"
    else:
        spec = cm.load_spec(ROOT / "models" / "demo.toml")
        source = cm.open_source(spec)
        where = f"EMBEDDED DEMO (models/demo.toml): {FRED} is absent, these are not the FRED chain's figures"
    panel = cm.build_panel(spec, source)
    assert spec.var is not None
    order = list(spec.var.order)
    return panel.data[order], order, where


def stress_regimes(index: pd.Index) -> pd.Series:
    stress = pd.Series("calm", index=index, name="crypto_stress")
    for start, end in STRESS:
        stress[start:end] = "stress"
    return stress


def impact(irf: Any, response: str, shock: str) -> str:
    cell = irf.sel(response=response, shock=shock, horizon=0)
    return (f"{float(cell.sel(bound='point')):+.2f} "
            f"[{float(cell.sel(bound='lower')):+.2f}, {float(cell.sel(bound='upper')):+.2f}]")


def peer_impact(point: np.ndarray | None, lower: np.ndarray | None, upper: np.ndarray | None,
                i: int, j: int) -> str:
    """``+1.23 [-0.40, +2.80]`` from puremacro's (H+1, n, n) arrays (response i, shock j)."""
    if point is None:
        return "-"
    text = f"{point[0, i, j]:+.2f}"
    if lower is not None and upper is not None:
        text += f" [{lower[0, i, j]:+.2f}, {upper[0, i, j]:+.2f}]"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000, help="bootstrap replications (and GK posterior draws)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs (causalmacro)")
    parser.add_argument("--peer-repeat", type=int, default=1, help="best of this many runs (peers)")
    parser.add_argument("--sign-draws", type=int, default=50000, help="rotations for the sign-identified set")
    parser.add_argument("--gk-rotations", type=int, default=1000, help="rotations per GK posterior draw")
    parser.add_argument("--no-peer", action="store_true", help="time causalmacro only")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # weak-instrument and ESS warnings are expected on a synthetic proxy

    data, order, where = load_chain()
    rec = cm.SVAR(data, order=order, lags="aic", max_lags=6).fit(rng=SEED)
    p = rec.lags
    print(f"data: {where}; {data.index[0]:%Y-%m}..{data.index[-1]:%Y-%m}, T={len(data)}, K={len(order)}, VAR({p}) by AIC")
    print(f"machine: {platform.node()}, {os.cpu_count()} cores (shared), numpy {np.__version__}, "
          f"date {dt.date.today()}")
    print(f"reps={args.reps}, horizon={H}, level={LEVEL}, best of {args.repeat} (causalmacro), "
          f"{args.peer_repeat} (peers)\n")
    R = args.reps
    b, nl, hy = order.index("btc"), order.index("net_liquidity"), order.index("hy_spread")

    kept: dict[str, int] = {}

    def ours(scheme: Any) -> tuple[float, Any, Any]:
        def job() -> tuple[Any, Any, int]:
            res = cm.SVAR(data, order=order, lags=p, identification=scheme).fit(rng=SEED)
            draws = res.bootstrap(R, method="block", rng=SEED)  # what irf(bands="block", reps=R) runs
            return res, res.irf(H, bands=draws, level=LEVEL), draws.n_kept
        t, (res, irf, n_kept) = best_of(job, args.repeat)
        kept[scheme.name + ("+narrative" if getattr(scheme, "narrative", ()) else "")] = n_kept
        print(f"  [{scheme.name}: {t:.2f} s, {n_kept} of {R} replications kept]", flush=True)
        return t, res, irf

    rows: list[Row] = []
    sanity: list[tuple[str, str, str, str]] = []  # scheme, shock, ours, peer

    def peer(fn: Callable[[], Any]) -> tuple[float | None, Any]:
        if args.no_peer:
            return None, None
        t, out = best_of(fn, args.peer_repeat)
        print(f"  [peer: {t:.2f} s]", flush=True)
        return t, out

    from puremacro.var.identify.cholesky import cholesky_svar
    from puremacro.var.identify.hetero import rigobon_svar
    from puremacro.var.identify.narrative_sign import NarrativeRestriction as PMNarrative
    from puremacro.var.identify.narrative_sign import identify_narrative_sign
    from puremacro.var.identify.non_gaussian import non_gaussian_svar
    from puremacro.var.identify.proxy import proxy_svar
    from puremacro.var.identify.sign import sign_restriction_svar
    from puremacro.var.identify.sign_robust import gk_robust_bands
    from statsmodels.tsa.api import VAR

    Y = data.to_numpy(dtype=float)
    K = len(order)

    # ---------------------------------------------------------------- recursive
    t, res, irf = ours(cm.Recursive())
    tp, pm = peer(lambda: cholesky_svar(Y, p=p, horizon=H, n_boot=R, ci=LEVEL, seed=0))
    ts, _ = peer(lambda: VAR(data).fit(p).irf_errband_mc(orth=True, repl=R, steps=H, signif=1 - LEVEL, seed=0))
    rows.append(Row("recursive", t, tp, "puremacro cholesky_svar",
                    "puremacro: i.i.d. residual bootstrap (ours: moving blocks)"))
    rows.append(Row("recursive", t, ts, "statsmodels irf_errband_mc", "statsmodels: Gaussian Monte Carlo"))
    for shock, j in (("net_liquidity", nl), ("hy_spread", hy)):
        sanity.append(("recursive", shock, impact(irf, "btc", shock),
                       peer_impact(pm.irf_point, pm.irf_lower, pm.irf_upper, b, j) if pm is not None else "-"))

    # ---------------------------------------------------------------- changes in volatility
    regimes = stress_regimes(data.index)
    t, res, irf = ours(cm.ChangesInVolatility(regimes=regimes))
    ri = (regimes == "stress").to_numpy(dtype=int)
    tp, pm = peer(lambda: rigobon_svar(Y, p=p, horizon=H, regime_indicator=ri, n_boot=R, ci=LEVEL, seed=0))
    rows.append(Row("volatility (2 regimes)", t, tp, "puremacro rigobon_svar",
                    "both moving-block; puremacro: closed-form Rigobon (2 regimes), ours: ML"))
    if pm is not None:
        # puremacro's columns are generalised eigenvectors in the order of the variance ratios, not named: show
        # the column that moves the shock's own variable most, signed to raise it
        for shock, j in (("net_liquidity", nl), ("hy_spread", hy)):
            k = int(np.argmax(np.abs(pm.B[j, :])))
            g = 1.0 if pm.B[j, k] > 0 else -1.0
            lo, hi = sorted((g * pm.lower[0, b, k], g * pm.upper[0, b, k]))
            sanity.append(("volatility", f"{shock} (peer: column {k}, ratio {pm.variance_ratios[k]:.2f})",
                           impact(irf, "btc", shock), f"{g * pm.point[0, b, k]:+.2f} [{lo:+.2f}, {hi:+.2f}]"))
    vr = res.identification_details["variance_ratios"]["stress"]
    print("volatility: our variance ratios (stress/calm) "
          + ", ".join(f"{k} {v:.3g}" for k, v in vr.items())
          + ("" if pm is None else "; puremacro's " + ", ".join(f"{v:.3g}" for v in pm.variance_ratios)))

    # ---------------------------------------------------------------- sign restrictions
    sign = cm.SignRestrictions(signs=SIGNS, horizons=2, draws=args.sign_draws)
    t_fit, res_sign = best_of(lambda: cm.SVAR(data, order=order, lags=p, identification=sign).fit(rng=SEED),
                              args.repeat)
    t, res, irf = ours(sign)
    set_irf = res_sign.irf(H, bands="set", level=LEVEL)
    restr = {h: [0] * K for h in range(3)}
    for h in range(3):
        restr[h][nl], restr[h][hy] = 1, -1
    # puremacro identifies one shock, in column 0 of P Q: order net_liquidity first so that column 0 is its shock
    perm = [nl] + [i for i in range(K) if i != nl]
    Yp = Y[:, perm]
    restr_p = {h: [v[i] for i in perm] for h, v in restr.items()}
    tp, pm = peer(lambda: sign_restriction_svar(Yp, p=p, horizon=H, restrictions=restr_p, n_draws=args.sign_draws,
                                                ci=LEVEL, seed=0))
    acc = res_sign.identified.details["acceptance_rate"]
    rows.append(Row("sign: identified set at the estimate", t_fit, tp, "puremacro sign_restriction_svar",
                    f"{args.sign_draws} rotations, h=0..2; ours: 2 shocks, {acc:.1%} accepted; puremacro: the "
                    "net_liquidity shock only (no sign flip), "
                    + ("" if pm is None else f"{pm.n_accepted / pm.n_draws:.1%} accepted")))
    rows.append(Row(f"sign: + {R} block-bootstrap replications", t, None, "-",
                    f"{kept['sign']} of {R} replications found an accepted rotation; "
                    "puremacro has no bootstrap of the sign-identified set"))
    bp = perm.index(b)
    sanity.append(("sign, set at the estimate", "net_liquidity", impact(set_irf, "btc", "net_liquidity"),
                   "-" if pm is None else peer_impact(pm.irf_median, pm.irf_lower, pm.irf_upper, bp, 0)))
    sanity.append((f"sign, {R} bootstrap", "net_liquidity", impact(irf, "btc", "net_liquidity"), "-"))

    # ---------------------------------------------------------------- sign + narrative
    def narrative_section() -> None:
        narrative = [cm.NarrativeRestriction(event_date(e), shock=s, sign=g, variable=v, contribution="largest")
                     for e, s, g, v in NARRATIVE]
        scheme = cm.SignRestrictions(signs=SIGNS_NARRATIVE, draws=args.sign_draws, narrative=narrative)
        t_fit, res_nar = best_of(lambda: cm.SVAR(data, order=order, lags=p, identification=scheme).fit(rng=SEED),
                                 args.repeat)
        t, _, _ = ours(scheme)
        det = res_nar.identified.details
        print("narrative: " + ", ".join(f"{k} {det[k]}" for k in ("acceptance_rate", "n_accepted", "ess") if k in det))
        print(res_nar.narrative_report().round(3).to_string())
        S = np.zeros((K, K))
        for shock, resp in SIGNS_NARRATIVE.items():
            for var, g in resp.items():
                S[order.index(var), order.index(shock)] = g
        pm_restr = []
        for e, s, g, v in NARRATIVE:
            d = pd.Timestamp(event_date(e)).to_period("M").to_timestamp()
            pm_restr.append(PMNarrative("shock_sign", d, order.index(s), sign=g))
            pm_restr.append(PMNarrative("hd_dominance", d, order.index(s), variable=order.index(v), dominance="most"))
        tp, pm = peer(lambda: identify_narrative_sign(data, pm_restr, p=p, horizon=H, sign_matrix={0: S},
                                                      n_draws=args.sign_draws, n_weight_sims=500, ci=LEVEL, seed=0))
        rows.append(Row("sign + narrative: set at the estimate", t_fit, tp, "puremacro identify_narrative_sign",
                        f"{args.sign_draws} rotations, impact signs on 4 shocks, 3 events (sign + largest contributor); "
                        "puremacro: no sign flip, "
                        + ("" if pm is None else f"{pm.n_narrative_accepted} of {pm.n_draws} accepted")))
        rows.append(Row(f"sign + narrative: + {R} block-bootstrap replications", t, None, "-",
                        f"{kept['sign+narrative']} of {R} replications kept; puremacro: no bootstrap (bayes_draws=True redraws the reduced form per rotation instead)"))
        for shock, j in (("net_liquidity", nl), ("hy_spread", hy)):
            sanity.append(("sign + narrative, set", shock, impact(res_nar.irf(H, bands="set", level=LEVEL), "btc", shock),
                           "-" if pm is None else peer_impact(pm.irf_median, pm.irf_lower, pm.irf_upper, b, j)))

    try:
        narrative_section()
    except IdentificationError as err:  # the embedded demo's synthetic data do not meet them
        print(f"narrative restrictions skipped: {err}")
        rows.append(Row("sign + narrative", None, None, "-", f"skipped: {str(err)[:80]}"))

    # ---------------------------------------------------------------- GK robust sets
    t, gk = best_of(lambda: res_sign.robust_irf(H, level=LEVEL, draws=R, rotations=args.gk_rotations, rng=SEED),
                    args.repeat)
    pm_draws = R if args.gk_rotations * R <= 200_000 else max(1, 200_000 // args.gk_rotations)
    tp, pm = peer(lambda: gk_robust_bands(Yp, p=p, horizon=H, restrictions=restr_p, shock_idx=0, n_var_draws=pm_draws,
                                          n_q_per_draw=args.gk_rotations, ci=LEVEL, seed=0))
    scaled = tp is not None and pm_draws < R
    rows.append(Row(f"GK robust set ({R} draws x {args.gk_rotations} rotations)", t,
                    None if tp is None else tp * R / pm_draws, "puremacro gk_robust_bands",
                    "ours: Normal-inverse-Wishart posterior draws, 2 shocks; puremacro: i.i.d. residual bootstrap "
                    "draws, one shock" + (f"; puremacro timed at {pm_draws} draws and scaled x{R / pm_draws:.0f}"
                                         if scaled else "")))
    if pm is not None:
        cell = gk.sel(response="btc", shock="net_liquidity", horizon=0)
        sanity.append(("GK robust credible region", "net_liquidity",
                       f"[{float(cell.sel(bound='lower')):+.2f}, {float(cell.sel(bound='upper')):+.2f}] (set of "
                       f"posterior means [{float(cell.sel(bound='set_lower')):+.2f}, "
                       f"{float(cell.sel(bound='set_upper')):+.2f}])",
                       f"[{pm.irf_lower[0, bp]:+.2f}, {pm.irf_upper[0, bp]:+.2f}] (at {pm_draws} draws)"))

    # ---------------------------------------------------------------- proxy
    rng = np.random.default_rng(SEED)
    # no high-frequency surprise series in ../shared/data: the recursive real-rate shock plus as much noise
    shocks_rec = rec.structural_shocks()["real_rate"]
    z = (shocks_rec + rng.standard_normal(len(shocks_rec))).rename("synthetic_surprise").reindex(data.index)
    t, res, irf = ours(cm.Proxy(instrument=z, shock="real_rate"))
    rr = order.index("real_rate")
    zz = np.nan_to_num(z.to_numpy(dtype=float, copy=True))  # the first p months (no residual) as 0
    tp, pm = peer(lambda: proxy_svar(Y, zz, p=p, horizon=H, shock_target_idx=rr, n_boot=R, ci=LEVEL, seed=0,
                                     sign_var=rr, sign=1.0))
    f_ours = res.first_stage.effective_f
    rows.append(Row("proxy (synthetic instrument)", t, tp, "puremacro proxy_svar",
                    "ours: Jentsch-Lunsford moving blocks (instrument resampled with the residuals); puremacro: "
                    f"wild bootstrap; effective F ours {f_ours:.1f}"
                    + ("" if pm is None else f", puremacro {pm.first_stage_F:.1f}")))
    sanity.append(("proxy", "real_rate", impact(irf, "btc", "real_rate"),
                   "-" if pm is None else peer_impact(pm.irf_point, pm.irf_lower, pm.irf_upper, b, 0)))

    # ---------------------------------------------------------------- non-Gaussian
    if hasattr(cm, "NonGaussian"):
        t, res, irf = ours(cm.NonGaussian())
        tp, pm = peer(lambda: non_gaussian_svar(Y, p=p, horizon=H, seed=0))
        rows.append(Row("non-Gaussian", t, tp, "puremacro non_gaussian_svar",
                        "ours: ML + bootstrap; puremacro: FastICA point estimate only, no bands"))
    else:
        tp, pm = peer(lambda: non_gaussian_svar(Y, p=p, horizon=H, seed=0))
        rows.append(Row("non-Gaussian", None, tp, "puremacro non_gaussian_svar",
                        "cm.NonGaussian is not on this branch yet: skipped; puremacro: FastICA point only"))

    print_table(rows)
    print_sanity(sanity)


def print_table(rows: list[Row]) -> None:
    print("| scheme | ours (s) | peer | peer (s) | ratio | notes |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        ours = "-" if r.ours is None else f"{r.ours:.2f}"
        peer = "-" if r.peer is None else f"{r.peer:.2f}"
        ratio = "-" if r.peer is None or r.ours is None else f"{r.peer / r.ours:.1f}x"
        print(f"| {r.scheme} | {ours} | {r.peer_name} | {peer} | {ratio} | {r.notes} |")


def print_sanity(sanity: list[tuple[str, str, str, str]]) -> None:
    print("\nBTC impact response (percent, one-s.d. shock), point [90% band]:")
    print("| scheme | shock | causalmacro | puremacro |")
    print("|---|---|---|---|")
    for s in sanity:
        print("| " + " | ".join(s) + " |")


if __name__ == "__main__":
    main()
