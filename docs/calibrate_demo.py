"""Calibrate the embedded demo's structural model on real US monthly data.

Reads the FRED downloads and market files in ``../shared/data`` (see its
PROVENANCE.md), aggregates them to monthly means (FRED's default "avg"
aggregation, first-of-month labels; asset prices: month-end close, as the
package catalog aggregates them), estimates the model documented in
:mod:`causalmacro.data.sources.demo` and writes only the fitted parameters
(VAR coefficients, impact matrix, means, AR coefficients, loadings, start
levels) to ``causalmacro/data/demo_params.json``. No series values are
written besides the 2010-01 (and BTC 2014-12, ETH 2016-05) start levels.

Run from the repository root::

    python docs/calibrate_demo.py [--data ../shared/data] [--out causalmacro/data/demo_params.json]

Method
------
1. Core: a VAR(2) in the chain order (inflation, policy rate, real rate, net
   liquidity, HY spread, Nasdaq, Bitcoin; rates and the log spread in levels,
   the rest in log changes), mean-adjusted form, estimated by
   equation-wise OLS on the demeaned transforms (Lütkepohl 2005, ch. 3). The
   impact matrix is the lower Cholesky factor of the residual covariance
   (degrees-of-freedom corrected), i.e. recursive identification.
2. Satellites: each further series' transform ``z_t`` is regressed by OLS on
   ``1, z_{t-1}`` and the seven core structural shocks; the residual standard
   deviation is its idiosyncratic scale.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / ".." / "shared" / "data"
DEFAULT_OUT = ROOT / "causalmacro" / "data" / "demo_params.json"

ORIGIN = "2010-01"
CORE_SAMPLE = ("2015-01", "2025-09")  # BTC starts 2014-12; CPI 2025-10 was never published
LAGS = 2
SHARE_CLIP = 0.01  # RRP share of the drain is clipped to [0.01, 0.99] before the logit
ASSETS = ("NASDAQCOM", "SP500", "CBBTCUSD", "CBETHUSD")  # month-end close, as causalmacro.spec.catalog
CORE = ("inflation", "policy_rate", "real_rate", "net_liquidity", "hy_spread", "nasdaq", "bitcoin")


def _fred(data: Path, sid: str) -> pd.Series:
    df = pd.read_csv(data / "fred" / f"{sid}.csv", parse_dates=["observation_date"])
    s = pd.to_numeric(df[sid], errors="coerce")
    s.index = pd.DatetimeIndex(df["observation_date"])
    return s.dropna()


def _monthly(s: pd.Series, how: str = "mean") -> pd.Series:
    out = s.resample("MS").agg(how)
    out.index.name = "date"
    return out


def load_monthly(data: Path) -> pd.DataFrame:
    """Monthly means of every input series, first-of-month labels.

    Parameters
    ----------
    data : Path
        The ``shared/data`` folder.

    Returns
    -------
    pandas.DataFrame
        One column per series in FRED units (RRPONTSYD missing months = 0;
        asset prices are month-end closes).
    """
    ids = [
        "CPIAUCSL",
        "FEDFUNDS",
        "DGS2",
        "DGS10",
        "DFII10",
        "T10YIE",
        "WALCL",
        "WTREGEN",
        "RRPONTSYD",
        "M2SL",
        "VIXCLS",
        "BAMLH0A0HYM2",
        "NFCI",
        "DTWEXBGS",
        "NASDAQCOM",
        "SP500",
        "CBBTCUSD",
        "CBETHUSD",
    ]
    cols = {sid: _monthly(_fred(data, sid), "last" if sid in ASSETS else "mean") for sid in ids}
    eth_y = pd.read_csv(data / "markets" / "ETH-USD.csv", parse_dates=["date"]).set_index("date")
    cols["ETH_YAHOO"] = _monthly(eth_y["close"].astype(float), "last")
    gold = pd.read_csv(data / "markets" / "gold_monthly.csv")
    cols["GOLD"] = pd.Series(
        gold["usd_per_oz"].to_numpy(float), index=pd.DatetimeIndex(pd.to_datetime(gold["month"]))
    )
    df = pd.DataFrame(cols).loc["2003-01":]
    df["RRPONTSYD"] = df["RRPONTSYD"].fillna(0.0)
    return df


def transforms(m: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Core and satellite transforms as defined in :mod:`causalmacro.data.sources.demo`.

    Parameters
    ----------
    m : pandas.DataFrame
        Output of :func:`load_monthly`.

    Returns
    -------
    core, sat : pandas.DataFrame
        Core VAR variables (chain order) and satellite variables.
    """

    def dlog(s: pd.Series) -> pd.Series:
        return 100.0 * np.log(s).diff()

    walcl, tga, rrp = m["WALCL"] / 1000.0, m["WTREGEN"] / 1000.0, m["RRPONTSYD"]
    nl = walcl - tga - rrp
    drain = (tga + rrp) / walcl
    rrp_share = (rrp / (tga + rrp)).clip(SHARE_CLIP, 1.0 - SHARE_CLIP)
    core = pd.DataFrame(
        {
            "inflation": dlog(m["CPIAUCSL"]),
            "policy_rate": m["FEDFUNDS"],
            "real_rate": m["DFII10"],
            "net_liquidity": dlog(nl),
            "hy_spread": 100.0 * np.log(m["BAMLH0A0HYM2"]),
            "nasdaq": dlog(m["NASDAQCOM"]),
            "bitcoin": dlog(m["CBBTCUSD"]),
        }
    )
    # ETH: Coinbase (FRED) returns while they last, then Yahoo close returns.
    eth = dlog(m["CBETHUSD"]).fillna(dlog(m["ETH_YAHOO"]))
    sat = pd.DataFrame(
        {
            "breakeven": m["T10YIE"],
            "term_spread_2y": m["DGS2"] - m["FEDFUNDS"],
            "m2": dlog(m["M2SL"]),
            "vix": 100.0 * np.log(m["VIXCLS"]),
            "nfci": m["NFCI"],
            "dollar": dlog(m["DTWEXBGS"]),
            "sp500": dlog(m["SP500"]),
            "ethereum": eth,
            "gold": dlog(m["GOLD"]),
            "drain_share": 100.0 * np.log(drain / (1.0 - drain)),
            "rrp_share": 100.0 * np.log(rrp_share / (1.0 - rrp_share)),
        }
    )
    return core, sat


def fit_core(y: np.ndarray, p: int) -> dict[str, np.ndarray]:
    """Mean-adjusted VAR(p) by OLS with a Cholesky impact matrix.

    Parameters
    ----------
    y : ndarray, shape (T, k)
    p : int

    Returns
    -------
    dict
        ``mean`` (k,), ``coefs`` (p, k, k), ``impact`` (k, k) lower triangular,
        ``shocks`` (T - p, k) structural shocks, ``radius`` the companion
        matrix's spectral radius.
    """
    t, k = y.shape
    mu = y.mean(axis=0)
    yc = y - mu
    x = np.hstack([yc[p - i - 1 : t - i - 1] for i in range(p)])
    yy = yc[p:]
    beta, *_ = np.linalg.lstsq(x, yy, rcond=None)
    resid = yy - x @ beta
    sigma = resid.T @ resid / (len(yy) - k * p - 1)
    impact = np.linalg.cholesky(sigma)
    coefs = beta.T.reshape(k, p, k).transpose(1, 0, 2)
    shocks = np.linalg.solve(impact, resid.T).T
    comp = np.zeros((k * p, k * p))
    comp[:k] = np.hstack(list(coefs))
    comp[k:, :-k] = np.eye(k * (p - 1))
    rho = float(np.max(np.abs(np.linalg.eigvals(comp))))
    if rho >= 1.0:
        raise RuntimeError(f"estimated core VAR is not stable (spectral radius {rho:.3f})")
    return {"mean": mu, "coefs": coefs, "impact": impact, "shocks": shocks, "radius": np.array(rho)}


def fit_satellite(z: pd.Series, shocks: pd.DataFrame) -> dict[str, Any]:
    """OLS of ``z_t`` on ``1, z_{t-1}`` and the core structural shocks.

    Parameters
    ----------
    z : pandas.Series
    shocks : pandas.DataFrame

    Returns
    -------
    dict
        ``mean``, ``ar``, ``loadings``, ``sd``, ``nobs``; the AR(1) is in
        mean-adjusted form ``z_t - m = ar (z_{t-1} - m) + loadings' eps_t + sd e_t``.
    """
    d = pd.concat([z.rename("z"), z.shift(1).rename("zl"), shocks], axis=1).dropna()
    x = np.column_stack([np.ones(len(d)), d["zl"], d[shocks.columns]])
    beta, *_ = np.linalg.lstsq(x, d["z"].to_numpy(), rcond=None)
    resid = d["z"].to_numpy() - x @ beta
    ar = float(beta[1])
    if abs(ar) >= 1.0:
        raise RuntimeError(f"satellite {z.name} has a unit or explosive AR root ({ar:.3f})")
    return {
        "mean": float(beta[0] / (1.0 - ar)),
        "ar": ar,
        "loadings": [float(b) for b in beta[2:]],
        "sd": float(np.sqrt(resid @ resid / (len(d) - x.shape[1]))),
        "nobs": len(d),
    }


def _at(df: pd.DataFrame, month: str, col: str) -> float:
    return float(np.asarray(df.loc[[pd.Timestamp(month)], col], dtype=float)[0])


def _r(a: object, digits: int = 8) -> object:
    return np.round(np.asarray(a, dtype=float), digits).tolist()


def calibrate(data: Path) -> dict[str, Any]:
    """Estimate every parameter of the demo model.

    Parameters
    ----------
    data : Path
        The ``shared/data`` folder.

    Returns
    -------
    dict
        The content of ``demo_params.json``.
    """
    m = load_monthly(data)
    core, sat = transforms(m)
    sample = core.loc[CORE_SAMPLE[0] : CORE_SAMPLE[1]]
    if sample.isna().any().any():
        raise RuntimeError(f"missing core values in {CORE_SAMPLE}: {sample.isna().sum().to_dict()}")
    fit = fit_core(sample.to_numpy(), LAGS)
    shocks = pd.DataFrame(fit["shocks"], index=sample.index[LAGS:], columns=list(CORE))
    mean = fit["mean"]
    sats = {name: fit_satellite(sat[name], shocks) for name in sat.columns}
    for name in ("breakeven", "term_spread_2y", "vix", "nfci", "drain_share", "rrp_share"):
        sats[name]["kind"] = "level"
    for name in ("m2", "dollar", "sp500", "ethereum", "gold"):
        sats[name]["kind"] = "log_return"
    o = ORIGIN
    walcl, tga, rrp = _at(m, o, "WALCL") / 1e3, _at(m, o, "WTREGEN") / 1e3, _at(m, o, "RRPONTSYD")
    start_levels = {
        sid: _at(m, o, sid) for sid in ("CPIAUCSL", "NASDAQCOM", "M2SL", "DTWEXBGS", "GOLD")
    }
    start_levels["NET_LIQUIDITY"] = walcl - tga - rrp
    start_levels["CBBTCUSD"] = _at(m, "2014-12", "CBBTCUSD")
    start_levels["CBETHUSD"] = _at(m, "2016-05", "CBETHUSD")
    # FRED's SP500 starts 2016: the 2010-01 level is Shiller's monthly average.
    shiller = pd.read_csv(data / "markets" / "shiller_sp500_monthly.csv", parse_dates=["Date"])
    start_levels["SP500"] = _at(shiller.set_index("Date"), o, "SP500")
    init = {name: _at(sat, o, name) for name in sats if sats[name]["kind"] == "level"}
    for name in ("policy_rate", "real_rate", "hy_spread"):  # the core's level variables
        init[name] = _at(core, o, name)
    return {
        "about": (
            "Parameters of the causalmacro embedded demo (synthetic data). Estimated by "
            "docs/calibrate_demo.py on monthly means of US data; contains no series values "
            "besides start levels."
        ),
        "origin": ORIGIN,
        "core_sample": [str(shocks.index[0])[:7], CORE_SAMPLE[1]],
        "core": {
            "names": list(CORE),
            "lags": LAGS,
            "mean": _r(mean),
            "coefs": _r(fit["coefs"]),
            "impact": _r(fit["impact"]),
            "nobs": len(shocks),
            "spectral_radius": round(float(fit["radius"]), 6),
        },
        "satellites": {
            k: {
                **v,
                "loadings": _r(v["loadings"]),
                "mean": _r(v["mean"]),
                "ar": _r(v["ar"]),
                "sd": _r(v["sd"]),
            }
            for k, v in sats.items()
        },
        "init": {k: round(v, 8) for k, v in init.items()},
        "start_levels": {k: round(v, 6) for k, v in start_levels.items()},
        "series_start": {"CBBTCUSD": "2014-12", "CBETHUSD": "2016-05"},
        "floors": {"FEDFUNDS": 0.05, "DGS2": 0.05},
    }


def main() -> None:
    """Command-line entry point: calibrate and write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    params = calibrate(args.data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(params, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
