"""The run's headline answer: does the spec's liquidity variable move its focus variable (BTC)?

:func:`answer` gathers the evidence on the one link the run exists for,
``liquidity -> focus``, as a frozen :class:`Answer` the report opens with:

- the impact and cumulative response to a one-s.d. liquidity shock with joint
  (sup-t) bands over the horizons ``0..[var].horizon`` (Montiel Olea &
  Plagborg-Møller 2019; :meth:`SVARResults.irf` with ``joint=True``);
- the sup-t test that the whole response path is zero
  (:meth:`SVARResults.irf_test`), and the Granger and instantaneous causality
  tests (:meth:`SVARResults.causality_table`), each adjusted for the family of
  every ordered pair of VAR variables tested alike (:func:`causalmacro.bands.adjust`,
  Holm by default: the family-wise error rate);
- the share of the focus variable's forecast-error variance the liquidity
  shock explains at 12 and 24 periods (pointwise bands);
- the focus asset's place on the asset spectrum of the liquidity shock, with
  its highest-density interval (:attr:`RunResults.asset_tables`);
- the sign shares of the link across a specification grid
  (:attr:`RunResults.robustness`), when the run has one.

Every number is computed here from the run's own estimates and draws; the
report only formats :meth:`Answer.lines`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from causalmacro.bands import adjust
from causalmacro.labelled import ThawedPickle, has_bands
from causalmacro.pipeline.tracker import liquidity_variable

if TYPE_CHECKING:
    import networkx as nx
    import xarray as xr

    from causalmacro.pipeline.tables import AssetTables, Robustness
    from causalmacro.spec import ModelSpec
    from causalmacro.svar import BootstrapDraws, SVARResults

__all__ = ["FEVD_AT", "Answer", "Estimate", "answer", "robustness_shares", "with_answer_robustness"]

FEVD_AT: tuple[int, ...] = (12, 24)
"""The forecast horizons (periods) at which the answer reads the liquidity shock's variance share."""


@dataclass(frozen=True)
class Estimate:
    """A number with its band: ``lower`` and ``upper`` are None without bands."""

    point: float
    lower: float | None = None
    upper: float | None = None

    @property
    def excludes_zero(self) -> bool:
        """Whether the band lies wholly on one side of zero (False without a band)."""
        return self.lower is not None and self.upper is not None and (self.lower > 0 or self.upper < 0)

    def text(self, fmt: str = "+.3g") -> str:
        """``+0.52 [+0.10, +0.94]``, or the point alone without a band."""
        if self.lower is None or self.upper is None:
            return f"{self.point:{fmt}}"
        return f"{self.point:{fmt}} [{self.lower:{fmt}}, {self.upper:{fmt}}]"

    def to_dict(self) -> dict[str, float | None]:
        """The point and bounds."""
        return {"point": self.point, "lower": self.lower, "upper": self.upper}


def _estimate(cell: xr.DataArray) -> Estimate:
    if has_bands(cell):
        return Estimate(float(cell.sel(bound="point")), float(cell.sel(bound="lower")), float(cell.sel(bound="upper")))
    return Estimate(float(cell.sel(bound="point")))


@dataclass(frozen=True)
class Answer(ThawedPickle):
    """The evidence on ``liquidity -> target``, read-only (see the module docstring).

    Attributes
    ----------
    liquidity, target : str
        The shock (the spec's liquidity variable) and the response (its focus variable).
    horizon : int
        The last horizon of the response paths (``[var].horizon``).
    level : float
        Coverage of the bands.
    band : str
        How the bands were drawn (``"sup-t joint over horizons 0..24, 1000 block bootstrap replications"``),
        or why there are none.
    units : str
        The target's units in the VAR (the cumulative response sums them).
    impact, cumulative : Estimate
        The response on impact and summed over ``0..horizon``, with joint bands.
    multiplicity : str
        The adjustment of the p-values: the graph's (``[graph] multiplicity``).
    alpha : float
        The significance level of the verdict (``[graph] alpha``).
    n_tests : int
        The family: ordered pairs of VAR variables tested alike.
    path_pvalue, path_pvalue_adjusted : float or None
        The sup-t test that the whole response path is zero (None without bootstrap draws).
    granger_pvalue, granger_pvalue_adjusted, instantaneous_pvalue, instantaneous_pvalue_adjusted : float
        Granger (liquidity's lags help predict the target) and instantaneous causality, raw and adjusted.
    fevd : mapping
        Forecast horizon -> the liquidity shock's share of the target's
        forecast-error variance (pointwise band), at :data:`FEVD_AT`.
    spectrum : mapping or None
        The focus asset on the liquidity shock's asset spectrum: ``asset``,
        ``group``, ``mean``, ``lower``, ``upper`` (HDI), ``prob_positive``,
        ``rank`` (1 = highest), ``n_assets``, ``scale``, ``regime``; None without the asset model.
    robustness : mapping or None
        ``"impact"`` / ``"peak"`` -> ``specifications``, ``positive``,
        ``negative`` (shares whose band excludes zero on that side) of the link
        across the grid (:func:`robustness_shares`); None without a grid.
    not_identified : str or None
        Why the identification leaves the liquidity shock unidentified (a proxy
        for another shock, no sign restriction on it), else None; then the
        verdict says so instead of reading the numbers.
    weakly_identified : str or None
        Which shocks the data cannot tell the liquidity shock apart from
        (variance ratios or shock distributions not distinct), else None.
    """

    liquidity: str
    target: str
    horizon: int
    level: float
    band: str
    units: str
    impact: Estimate
    cumulative: Estimate
    multiplicity: str
    alpha: float
    n_tests: int
    path_pvalue: float | None
    path_pvalue_adjusted: float | None
    granger_pvalue: float
    granger_pvalue_adjusted: float
    instantaneous_pvalue: float
    instantaneous_pvalue_adjusted: float
    fevd: Mapping[int, Estimate] = field(default_factory=dict)
    spectrum: Mapping[str, Any] | None = None
    robustness: Mapping[str, Mapping[str, float]] | None = None
    not_identified: str | None = None
    weakly_identified: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "fevd", MappingProxyType(dict(self.fevd)))
        if self.spectrum is not None:
            object.__setattr__(self, "spectrum", MappingProxyType(dict(self.spectrum)))
        if self.robustness is not None:
            object.__setattr__(self, "robustness", MappingProxyType(
                {k: MappingProxyType(dict(v)) for k, v in self.robustness.items()}))

    @property
    def question(self) -> str:
        """``Does net_liquidity move btc?``"""
        return f"Does {self.liquidity} move {self.target}?"

    @property
    def significant(self) -> bool | None:
        """Whether the adjusted path test rejects at ``alpha``; None without bootstrap draws."""
        if self.path_pvalue_adjusted is None:
            return None
        return self.path_pvalue_adjusted < self.alpha

    @property
    def verdict(self) -> str:
        """The answer in one sentence."""
        adj = f"{self.multiplicity.capitalize()}-adjusted over {self.n_tests} tested links"
        if self.not_identified is not None:
            return f"Not identified: {self.not_identified}, so the run's numbers for it do not answer the question."
        if self.significant is None:
            return (f"Not tested: {self.band}, so the run has no test of the whole response of {self.target} to "
                    f"{self.liquidity}.")
        p = f"p = {self.path_pvalue_adjusted:.3g} ({adj})"
        if self.significant:
            sign = "rise" if self.cumulative.point > 0 else "fall"
            return (f"Yes: {self.target}'s response to a one-s.d. {self.liquidity} shock is not zero at the "
                    f"{self.alpha:.0%} family-wise level, {p}; its cumulative response over {self.horizon} periods "
                    f"is a {sign} of {abs(self.cumulative.point):.3g}.")
        return (f"Not detectably: the run cannot tell {self.target}'s response to a one-s.d. {self.liquidity} shock "
                f"from zero at the {self.alpha:.0%} family-wise level, {p}.")

    def lines(self) -> list[str]:
        """The evidence, one line each, as the report opens with it."""
        adj = f"{self.multiplicity}-adjusted"
        out = [
            f"Impact response of {self.target} to a one-s.d. {self.liquidity} shock: {self.impact.text()} "
            f"({self.units}; {self.band}).",
            f"Cumulative response over horizons 0..{self.horizon}: {self.cumulative.text()} (cumulated "
            f"{self.units}; the joint band of the cumulative path).",
        ]
        if self.weakly_identified is not None:
            out.append(f"Weakly identified: {self.weakly_identified}.")
        if self.path_pvalue is not None:
            out.append(f"Test that the whole response path is zero (sup-t): p = {self.path_pvalue:.3g}, "
                       f"{adj} {self.path_pvalue_adjusted:.3g} over {self.n_tests} links.")
        out.append(f"Granger causality ({self.liquidity}'s past predicts {self.target}): p = "
                   f"{self.granger_pvalue:.3g}, {adj} {self.granger_pvalue_adjusted:.3g}; instantaneous causality: "
                   f"p = {self.instantaneous_pvalue:.3g}, {adj} {self.instantaneous_pvalue_adjusted:.3g}.")
        if self.fevd:
            shares = "; ".join(f"{h} periods {e.text('.1%')}" for h, e in self.fevd.items())
            out.append(f"Share of {self.target}'s forecast-error variance explained by the {self.liquidity} shock "
                       f"(pointwise bands): {shares}.")
        sp = self.spectrum
        if sp is not None:
            where = f" in the current regime ({sp['regime']})" if sp.get("regime") else ""
            out.append(f"On the asset spectrum of the {self.liquidity} shock{where}, {sp['asset']} ({sp['group']}) "
                       f"ranks {sp['rank']} of {sp['n_assets']}: {sp['mean']:+.3g} [{sp['lower']:+.3g}, "
                       f"{sp['upper']:+.3g}] ({sp['scale']} cumulative response, HDI), P(gain) = "
                       f"{sp['prob_positive']:.0%}.")
        if self.robustness is not None:
            for at, s in self.robustness.items():
                out.append(f"Across {s['specifications']:.0f} specifications of the grid, the {at} response's band "
                           f"excludes zero above in {s['positive']:.0%} and below in {s['negative']:.0%}.")
        return out

    def to_dict(self) -> dict[str, Any]:
        """The ``answer`` key of ``results.json``."""
        return {
            "question": self.question, "verdict": self.verdict, "significant": self.significant,
            "liquidity": self.liquidity, "target": self.target, "horizon": self.horizon, "level": self.level,
            "band": self.band, "units": self.units, "impact": self.impact.to_dict(),
            "cumulative": self.cumulative.to_dict(), "multiplicity": self.multiplicity, "alpha": self.alpha,
            "n_tests": self.n_tests, "path_pvalue": self.path_pvalue, "path_pvalue_adjusted": self.path_pvalue_adjusted,
            "granger_pvalue": self.granger_pvalue, "granger_pvalue_adjusted": self.granger_pvalue_adjusted,
            "instantaneous_pvalue": self.instantaneous_pvalue,
            "instantaneous_pvalue_adjusted": self.instantaneous_pvalue_adjusted,
            "fevd": {str(h): e.to_dict() for h, e in self.fevd.items()},
            "spectrum": None if self.spectrum is None else dict(self.spectrum),
            "robustness": None if self.robustness is None else {k: dict(v) for k, v in self.robustness.items()},
            "not_identified": self.not_identified, "weakly_identified": self.weakly_identified,
            "lines": self.lines(),
        }


def _adjusted(frame: pd.DataFrame, column: str, mask: np.ndarray, multiplicity: str) -> tuple[float, float]:
    """The raw p-value of the row ``mask`` picks and its value adjusted over every row of ``frame``."""
    p = frame[column].to_numpy(dtype=float)
    adj = adjust(p, multiplicity)  # type: ignore[arg-type]
    i = int(np.flatnonzero(mask)[0])
    return float(p[i]), float(adj[i])


def robustness_shares(rob: Robustness, liquidity: str, target: str) -> dict[str, dict[str, float]] | None:
    """The grid's sign shares of ``liquidity -> target`` at impact and peak; None when the grid has not that link."""
    link = f"{liquidity} -> {target}"
    out = {}
    for at, table in rob.sign_shares.items():
        if link in table.index:
            row = table.loc[link]
            out[at] = {"specifications": float(row["specifications"]), "positive": float(row["positive"]),
                       "negative": float(row["negative"])}
    return out or None


def _spectrum(tables: AssetTables | None, shock: str, target: str, groups: Mapping[str, str]) -> dict[str, Any] | None:
    """The focus asset (or the first crypto asset) on ``shock``'s spectrum."""
    if tables is None or shock not in tables.spectra:
        return None
    table = tables.spectra[shock]
    names = [str(a) for a in table.index]
    asset = target if target in names else next((a for a in names if groups.get(a) == "crypto"), None)
    if asset is None:
        return None
    row = table.loc[asset]
    return {"asset": asset, "group": str(row["group"]), "mean": float(row["mean"]), "lower": float(row["lower"]),
            "upper": float(row["upper"]), "prob_positive": float(row["prob_positive"]),
            "rank": names.index(asset) + 1, "n_assets": len(names), "scale": tables.scale, "regime": tables.regime_now
            if tables.regime_now is None else f"{tables.regime}: {tables.regime_now}"}


def identification_caveats(res: SVARResults, shock: str) -> tuple[str | None, str | None]:
    """Whether the run's identification identifies ``shock``: (why not, else None; why only weakly, else None).

    A proxy identifies its own shock only (the other columns are placeholders);
    sign restrictions identify the shocks they restrict; a data-driven scheme
    identifies shocks apart only where its test tells them apart (changes in
    volatility: ``weak_pairs``; non-Gaussian shocks: at most one may look
    Gaussian, ``gaussian_shocks``).
    """
    det, name = res.identified.details, res.identification.name
    if shock in det.get("placeholder_shocks", ()):
        return (f"the {name} identifies only the {det.get('shock')} shock; the {shock} shock's column is a "
                "placeholder"), None
    if name == "sign" and "restrictions" in det and "names" in det:
        restricted = {str(det["names"][int(r[0])]) for r in det["restrictions"]}
        if shock not in restricted:
            return f"no sign restriction names the {shock} shock, so the sign restrictions do not identify it", None
    weak = [str(b if a == shock else a) for a, b in det.get("weak_pairs", ()) if shock in (a, b)]
    if weak:
        return None, (f"the {name} identification cannot tell the {shock} shock apart from "
                      f"{', '.join(weak)} (their test does not reject at its level)")
    gaussian = [str(g) for g in det.get("gaussian_shocks", ())]
    if shock in gaussian and len(gaussian) > 1:
        others = ", ".join(g for g in gaussian if g != shock)
        return None, (f"the {name} identification cannot tell the {shock} shock apart from {others} (all look "
                      "Gaussian, and Gaussian shocks can be rotated into each other)")
    return None, None


def answer(spec: ModelSpec, res: SVARResults, draws: BootstrapDraws | None, causality: pd.DataFrame, *,
           units: str, graph: nx.DiGraph, asset_tables: AssetTables | None = None,
           robustness: Robustness | None = None) -> Answer | None:
    """The evidence on ``liquidity -> focus`` from the run's estimates; None when the spec has no liquidity variable.

    Parameters
    ----------
    spec : ModelSpec
        The run's spec: its liquidity variable (:func:`~causalmacro.pipeline.tracker.liquidity_variable`),
        ``focus``, ``[var] horizon`` and ``level``, ``[graph] alpha``.
    res : SVARResults
    draws : BootstrapDraws or None
        The run's bootstrap draws (None: no joint bands and no path test).
    causality : DataFrame
        :meth:`SVARResults.causality_table` (the instantaneous-causality p-values).
    units : str
        The focus variable's units in the VAR.
    graph : networkx.DiGraph
        The run's dependency graph: the path test and the Granger test of the
        link, raw and adjusted, are its edge's (one rule, computed once; its
        ``multiplicity`` adjusts the instantaneous tests the same way).
    asset_tables, robustness : optional
        :attr:`RunResults.asset_tables` and :attr:`RunResults.robustness`.

    Returns
    -------
    Answer or None
    """
    assert spec.var is not None and spec.focus is not None
    liq, target = liquidity_variable(spec), spec.focus
    if liq is None or liq == target:
        return None
    v, horizon = spec.var, spec.var.horizon
    sel: dict[str, str] = {"response": target, "shock": liq}
    bands = draws if draws is not None else None
    joint = draws is not None
    irf = res.irf(horizon, bands=bands, level=v.level, joint=joint).sel(sel)
    cum = res.irf(horizon, bands=bands, level=v.level, joint=joint, cumulative=True).sel(sel)
    fevd_h = max(FEVD_AT)
    fevd = res.fevd(fevd_h, bands=bands, level=v.level).sel(sel)
    names = list(res.names)
    n_tests = len(names) * (len(names) - 1)
    multiplicity = str(graph.graph["multiplicity"])
    edge = graph.edges[liq, target]
    path_p, path_adj = edge["p_value_raw"], edge["p_value"]
    if draws is not None:
        band = (f"{100 * v.level:.0f}% sup-t joint bands over horizons 0..{horizon} from {draws.n_kept} "
                f"{draws.method} bootstrap replications")
    else:
        band = "no bootstrap bands (reps 0, or bands from an identified set)"
    pair = ((causality["cause"] == liq) & (causality["effect"] == target)).to_numpy()
    granger = (edge["granger_pvalue_raw"], edge["granger_pvalue"])
    inst = _adjusted(causality, "instantaneous_pvalue", pair, multiplicity)
    groups = dict(spec.assets.groups) if spec.assets is not None else {}
    not_identified, weak = identification_caveats(res, liq)
    return Answer(
        liquidity=liq, target=target, horizon=horizon, level=v.level, band=band, units=units,
        impact=_estimate(irf.sel(horizon=0)), cumulative=_estimate(cum.sel(horizon=horizon)),
        multiplicity=multiplicity, alpha=spec.graph.alpha, n_tests=n_tests, path_pvalue=path_p,
        path_pvalue_adjusted=path_adj, granger_pvalue=granger[0], granger_pvalue_adjusted=granger[1],
        instantaneous_pvalue=inst[0], instantaneous_pvalue_adjusted=inst[1],
        fevd={h: _estimate(fevd.sel(horizon=h)) for h in FEVD_AT if h <= fevd_h},
        spectrum=_spectrum(asset_tables, liq, target, groups),
        robustness=None if robustness is None else robustness_shares(robustness, liq, target),
        not_identified=not_identified, weakly_identified=weak,
    )


def with_answer_robustness(ans: Answer | None, rob: Robustness) -> Answer | None:
    """``ans`` with the grid's sign shares of its link (:func:`robustness_shares`)."""
    if ans is None:
        return None
    return replace(ans, robustness=robustness_shares(rob, ans.liquidity, ans.target))
