"""The stages of :func:`~causalmacro.pipeline.fit_spec`, each a small function returning a frozen record.

``fit_spec`` chains them: :func:`svar_stage` (the VAR, its bands and
decompositions), :func:`lp_stage` (local projections), :func:`asset_stage` (the
Bayesian asset model), :func:`graph_stage` (the dependency graph and the cycle
position). Each record holds what later stages and :class:`RunResults` need.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.build import (
    asset_fit_options,
    build_asset_model,
    build_bvar,
    build_local_projections,
    build_svar,
    bvar_identification,
    bvar_lags,
    lp_lags,
    var_events,
)
from causalmacro.build import regime_now as current_regime
from causalmacro.errors import ArgumentError
from causalmacro.graph import dependency_graph
from causalmacro.labelled import point_of
from causalmacro.panel.events import event_path
from causalmacro.pipeline.position import CyclePosition, cycle_position
from causalmacro.pipeline.sample import check_var_window

if TYPE_CHECKING:
    import networkx as nx

    from causalmacro.bayes import AssetResponseResults
    from causalmacro.bvar import BayesianSVARResults
    from causalmacro.panel import Panel
    from causalmacro.spec import ModelSpec
    from causalmacro.svar import BootstrapDraws, SVARResults

__all__ = [
    "DRAWN_BANDS",
    "AssetStage",
    "BandFacts",
    "GraphStage",
    "LpStage",
    "SvarStage",
    "asset_stage",
    "compare_irf",
    "fit_bvar",
    "graph_stage",
    "lp_stage",
    "svar_stage",
]


DRAWN_BANDS = ("bootstrap", "posterior")
"""Band kinds drawn from draws (bootstrap replications, a Bayesian VAR's posterior): joint bands and path tests."""


@dataclass(frozen=True)
class BandFacts:
    """How the run's bands were drawn (the ``bands`` .. ``level`` keys of :class:`RunChoices`)."""

    bands: str
    bootstrap: str | None
    reps: int
    reps_requested: int
    reps_override: bool
    reps_kept: int
    reps_explosive: int
    reps_unidentified: int
    level: float
    block_length: int | None = None
    bias_correct: bool = False
    bands_missing: str | None = None
    joint: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The facts as the choices' keys."""
        return asdict(self)


@dataclass(frozen=True)
class SvarStage:
    """The structural VAR and everything read off it."""

    res: SVARResults
    draws: BootstrapDraws | None
    irf: xr.DataArray
    fevd: xr.DataArray
    hd: xr.DataArray
    causality: pd.DataFrame
    channels: Mapping[str, xr.DataArray]
    channel_shocks: tuple[str, ...]
    channel_vars: tuple[str, ...]
    events: pd.DataFrame | None
    event_names: tuple[str, ...]
    event_effects: xr.DataArray | None
    band_facts: BandFacts
    notes: tuple[str, ...] = ()  # what the estimator left out (the Bayesian VAR: lag rule, events)


@dataclass(frozen=True)
class LpStage:
    """Local projections of the ``[lp]`` links, pooled and by state."""

    lp: Mapping[str, xr.DataArray]
    by_state: Mapping[str, xr.DataArray]
    lags: int | None


@dataclass(frozen=True)
class AssetStage:
    """The Bayesian asset model (None when not fitted) and the regime the chain is in now."""

    res: AssetResponseResults | None
    sampler: str | None
    regime_now: str | None


@dataclass(frozen=True)
class GraphStage:
    """The dependency graph and the cycle position."""

    graph: nx.DiGraph
    position: CyclePosition


def check_reps(spec: ModelSpec, reps: int | None) -> int:
    """Bootstrap replications: ``reps`` or ``[var].reps``, refused unless 0 or at least 2."""
    assert spec.var is not None
    n_reps = spec.var.reps if reps is None else reps
    if isinstance(n_reps, bool) or not isinstance(n_reps, int | np.integer) or n_reps < 0 or n_reps == 1:
        raise ArgumentError(f"reps must be 0 (no bands) or at least 2, got {n_reps!r}")
    return int(n_reps)


def _band_facts(band_kind: str, bootstrap: str, n_reps: int, override: bool, draws: BootstrapDraws | None,
                level: float, missing: str | None, joint: bool) -> BandFacts:
    boot = band_kind == "bootstrap"
    drawn = band_kind in DRAWN_BANDS  # posterior draws count as replications: reps, reps_kept
    return BandFacts(
        bands=band_kind, bootstrap=bootstrap if boot else None,
        reps=(draws.reps if band_kind == "posterior" and draws is not None else n_reps) if drawn else 0,
        reps_requested=n_reps, reps_override=override, reps_kept=draws.n_kept if draws is not None and drawn else 0,
        reps_explosive=draws.n_explosive if draws is not None else 0,
        reps_unidentified=draws.n_unidentified if draws is not None else 0, level=level,
        block_length=draws.block_length if draws is not None and boot else None,
        bias_correct=bool(draws.bias_corrected) if draws is not None and boot else False, bands_missing=missing,
        joint=joint)


def _usable(res: SVARResults, draws: BootstrapDraws) -> str | None:
    """Why the bootstrap cannot give bands (too few replications kept), or None when it can."""
    if draws.n_kept >= 2:
        return None
    if draws.method == "posterior":
        return f"only {draws.n_kept} of {draws.reps} posterior draws were identified"
    return (f"only {draws.n_kept} of {draws.reps} bootstrap replications were usable ({draws.n_explosive} "
            f"explosive, {draws.n_unidentified} unidentified; the VAR's largest root is {res.roots[0]:.3f})")


def svar_stage(spec: ModelSpec, panel: Panel, *, seed: int, n_reps: int, override: bool) -> SvarStage:
    """Fit the spec's VAR; its bands, decompositions, causality table, channels and event effects."""
    assert spec.var is not None
    v = spec.var
    band_kind = v.band_kind_for(n_reps)
    notes: tuple[str, ...] = ()
    res: SVARResults
    if v.estimator == "bvar":
        res, notes = fit_bvar(spec, panel, seed=seed, draws=v.posterior_draws(n_reps))
        events, exog, draws = [], None, res.posterior if band_kind == "posterior" else None
    else:
        events = var_events(spec)
        check_var_window(spec, panel, n_exog=len(events))
        model = build_svar(spec, panel.data)
        res = model.fit(rng=seed)
        exog, draws = model.exog, _run_bootstrap(res, spec, n_reps) if band_kind == "bootstrap" else None
    missing = _usable(res, draws) if draws is not None else None
    if missing is not None:
        # an explosive point estimate: every replication explodes; report the run without bands, and say why
        band_kind = "none"
    bands: Any = {"bootstrap": draws, "posterior": draws, "set": "set", "none": None}[band_kind]
    hd = res.historical_decomposition()
    event_effects = None
    if events:
        # the pipeline's only exogenous terms are the events
        hd = hd.assign_coords(shock=["events" if t == "exogenous" else t for t in hd["shock"].values])
        event_effects = _event_effects(spec, res, draws if missing is None else None, n_reps, events,
                                       joint=run_joint(spec, band_kind))
    channel_shocks, channel_vars = spec.channel_plan
    joint = run_joint(spec, band_kind)
    channels = {shock: res.channel_decomposition(shock, channel_vars, v.horizon, bands=bands, level=v.level,
                                                 joint=joint)
                for shock in channel_shocks}
    return SvarStage(
        res=res, draws=draws, irf=res.irf(v.horizon, bands=bands, level=v.level, joint=joint),
        fevd=res.fevd(v.fevd_horizon, bands=bands, level=v.level), hd=hd, causality=res.causality_table(),
        channels=MappingProxyType(channels), channel_shocks=tuple(channel_shocks), channel_vars=tuple(channel_vars),
        events=exog, event_names=tuple(events), event_effects=event_effects,
        band_facts=_band_facts(band_kind, v.bootstrap, n_reps, override, draws, v.level, missing, joint), notes=notes)


def fit_bvar(spec: ModelSpec, panel: Panel, *, seed: int, draws: int) -> tuple[BayesianSVARResults, tuple[str, ...]]:
    """The spec's Bayesian VAR (``[var] estimator = "bvar"``) and its identification, both seeded by ``seed``.

    ``BVAR(...).fit(draws, rng=seed).structural(scheme, rng=seed)``, exactly as a
    Python user would call it; ``draws`` below 1 (a run without bands) fits one
    draw. Returns the results and what the run must say it left out: how a lag
    rule chose the order, and the events, which a Bayesian VAR cannot take as
    exogenous dummies (no event effects).
    """
    assert spec.var is not None
    lags, lag_note = bvar_lags(spec, panel.data)
    check_var_window(spec, panel, n_exog=0)
    bvar = build_bvar(spec, panel.data, lags=lags).fit(max(int(draws), 1), rng=seed)
    res = bvar.structural(bvar_identification(spec, spec.var.identification, panel.data), rng=seed)
    notes = [lag_note] if lag_note else []
    if left_out := var_events(spec):
        notes.append(f"events {', '.join(left_out)} stay out of the Bayesian VAR, which has no exogenous terms: "
                     "no event effects")
    return res, tuple(notes)


def _run_bootstrap(res: SVARResults, spec: ModelSpec, n_reps: int) -> BootstrapDraws:
    """``n_reps`` replications with the spec's bootstrap method, block length and bias correction."""
    assert spec.var is not None
    v = spec.var
    return res.bootstrap(n_reps, method=v.bootstrap, block_length=v.block_length if v.bootstrap == "block" else None,
                         bias_correct=v.bias_correct)


def _scheme_irf(spec: ModelSpec, panel: Panel, scheme: str, *, seed: int, n_reps: int,
                sv: SvarStage) -> xr.DataArray:
    """Impulse responses under another identification, with the run's sample and lag rule, and bands: the sign
    scheme's identified set as the run's ``bands`` allows, the others' bootstrap when the run has replications;
    under a Bayesian VAR, the same posterior identified by the scheme, with posterior bands as the run has them."""
    assert spec.var is not None
    v = spec.var
    if v.estimator == "bvar":
        scheme_obj = bvar_identification(spec, scheme, panel.data)
        post = cast("BayesianSVARResults", sv.res).bvar.structural(scheme_obj, rng=seed)
        drawn = sv.band_facts.bands == "posterior" and _usable(post, post.posterior) is None
        return post.irf(v.horizon, bands=post.posterior if drawn else None, level=v.level, joint=drawn and v.joint)
    res = build_svar(spec, panel.data, identification=scheme).fit(rng=seed)
    bands: Any = None
    if scheme == "sign" and v.bands in ("auto", "set"):
        bands = "set"
    elif n_reps >= 2 and v.bands != "none":
        draws = _run_bootstrap(res, spec, n_reps)
        bands = draws if _usable(res, draws) is None else None
    return res.irf(v.horizon, bands=bands, level=v.level, joint=bands is not None and bands != "set" and v.joint)


def _has_band(da: xr.DataArray) -> bool:
    return "bound" in da.dims and da.sizes["bound"] > 1


def _band_kind(da: xr.DataArray) -> str:
    """How a layer of the comparison is banded, in the figure's words."""
    if not _has_band(da):
        return "no bands"
    if "posterior" in da.attrs:
        return "posterior credible"
    return "identified set" if da.attrs.get("bands") == "set" else "bootstrap"


def compare_irf(spec: ModelSpec, panel: Panel, sv: SvarStage, *, seed: int, n_reps: int) -> xr.DataArray | None:
    """The responses under the chosen scheme and each ``[var] compare`` scheme, along an ``identification`` dim.

    Every scheme is fitted to the same sample with the same lag rule and seed and
    banded like the run (a bootstrap of its own, or the identified set for sign
    restrictions); a scheme whose bootstrap leaves fewer than two usable
    replications is drawn without bands (NaN bounds), and the ``bands``
    coordinate says which kind each layer has. None when ``compare`` is empty.
    """
    assert spec.var is not None
    if not spec.var.compare:
        return None
    layers = {spec.var.identification: sv.irf}
    for scheme in spec.var.compare:
        layers[scheme] = _scheme_irf(spec, panel, scheme, seed=seed, n_reps=n_reps, sv=sv)
    kinds = [_band_kind(da) for da in layers.values()]
    if any(_has_band(da) for da in layers.values()):
        bound = pd.Index(["point", "lower", "upper"], name="bound")
        layers = {k: da if _has_band(da) else
                  xr.concat([point_of(da), point_of(da) * np.nan, point_of(da) * np.nan], dim=bound)
                  .transpose(*sv.irf.dims) for k, da in layers.items()}
    out = xr.concat([da.expand_dims(identification=[k]) for k, da in layers.items()], dim="identification",
                    combine_attrs="drop_conflicts").assign_coords(bands=("identification", kinds))
    out.attrs["identifications"] = ", ".join(layers)
    return out.rename("irf_compare")


def event_band_method(method: str) -> str:
    """The bootstrap behind the event bands: the run's, or the residual one when the run's is wild."""
    return "residual" if method == "wild" else method


def run_joint(spec: ModelSpec, band_kind: str) -> bool:
    """Whether the run's bands are joint (sup-t): ``[var] joint`` with bootstrap or posterior bands (a set has no
    sampling law)."""
    assert spec.var is not None
    return bool(spec.var.joint) and band_kind in DRAWN_BANDS


def _event_effects(spec: ModelSpec, res: SVARResults, draws: BootstrapDraws | None, n_reps: int,
                   events: list[str], *, joint: bool) -> xr.DataArray:
    """Each event's dynamic effect along its own shape, banded from the run's bootstrap (not a wild one).

    A pulse dummy fits its period exactly, so that period's residual is zero:
    the wild bootstrap, which rescales each period's own residual, would never
    perturb it and the bands would be far too narrow (an observation of leverage
    one). The block and residual bootstraps move the residuals to other periods,
    so that period draws an error from the pool; a run on the wild bootstrap
    takes its event bands from the residual one (:func:`event_band_method`).
    """
    assert spec.var is not None
    v = spec.var
    event_draws = (draws if draws is None or draws.method != "wild"
                   else res.bootstrap(n_reps, method="residual", bias_correct=v.bias_correct))
    paths = {n: event_path(spec.events[n], v.horizon + 1) for n in events}
    return res.exog_response(v.horizon, paths=paths, bands=event_draws, level=v.level,
                             joint=joint and event_draws is not None).rename("event_effects")


def lp_stage(spec: ModelSpec, panel: Panel, res: SVARResults, regime_frame: pd.DataFrame) -> LpStage:
    """LP responses of each ``[lp]`` link (target on the source's identified shock), pooled and by state."""
    assert spec.var is not None
    lags = lp_lags(spec, res)
    models = build_local_projections(spec, panel.data, res.structural_shocks(), regime_frame, lags=lags)
    level, joint = spec.var.level, bool(spec.var.joint)
    lp = {key: pooled.fit().irf(level=level, joint=joint) for key, (pooled, _) in models.items()}
    by_state = {key: state.fit().irf(level=level, joint=joint) for key, (_, state) in models.items()
                if state is not None}
    return LpStage(lp=MappingProxyType(lp), by_state=MappingProxyType(by_state), lags=lags if lp else None)


def asset_stage(spec: ModelSpec, panel: Panel, res: SVARResults, regime_frame: pd.DataFrame, *, fit: bool,
                sampler: str | None, seed: int, progress: bool) -> AssetStage:
    """The asset model built from the spec on the VAR's structural shocks (when ``fit`` and ``[assets]``)."""
    if not fit or spec.assets is None:
        return AssetStage(res=None, sampler=None, regime_now=None)
    arm = build_asset_model(spec, panel.data, res.structural_shocks(), regime_frame)
    options = asset_fit_options(spec, sampler=sampler)
    asset_res = arm.fit(**options, rng=seed, progressbar=progress)
    # the graph's asset edges are those of the regime the chain is in now (the last labelled period)
    now = current_regime(spec, regime_frame) if spec.assets.regime is not None else None
    return AssetStage(res=asset_res, sampler=sampler or spec.assets.sampler, regime_now=now)


def graph_stage(spec: ModelSpec, panel: Panel, svar: SvarStage, assets: AssetStage,
                regime_frame: pd.DataFrame) -> GraphStage:
    """The dependency graph (asset edges in the regime now) and the cycle position.

    Chain edges are decided by the sup-t test of each whole response path from
    the run's own bootstrap draws (:meth:`SVARResults.irf_test`), adjusted by
    ``[graph] multiplicity``, and carry the joint (sup-t) band of the same
    draws; without usable draws (identified set, no bands, explosive) no chain
    edge is tested and the graph's rule says so.
    """
    assert spec.var is not None
    v = spec.var
    asset_irf = prob_positive = None
    if assets.res is not None:
        asset_irf = assets.res.responses(level=v.level)
        cumulative = assets.res.cumulative()
        if assets.regime_now is not None:
            asset_irf, cumulative = asset_irf.sel(regime=assets.regime_now), cumulative.sel(regime=assets.regime_now)
        prob_positive = (cumulative > 0).mean(("chain", "draw")).rename(asset="response")
    groups = dict(spec.assets.groups) if spec.assets is not None else {}
    draws = svar.draws if svar.band_facts.bands in DRAWN_BANDS and svar.band_facts.bands_missing is None else None
    irf, path_test = svar.irf, None
    if draws is not None:
        irf = svar.irf if svar.band_facts.joint else svar.res.irf(v.horizon, bands=draws, level=v.level, joint=True)
        path_test = svar.res.irf_test(v.horizon, bands=draws)
    graph = dependency_graph(irf, svar.causality, path_test=path_test, multiplicity=spec.graph.multiplicity,
                             alpha=spec.graph.alpha, level=v.level, groups=groups, asset_irf=asset_irf,
                             asset_prob_positive=prob_positive, transform_of=spec.asset_var_overlap)
    index = svar.res.reduced_form.index
    graph.graph["sample"] = f"{index[0]:%Y-%m}..{index[-1]:%Y-%m}"
    asset_regime = spec.assets.regime if spec.assets is not None else None
    if assets.regime_now is not None:
        graph.graph["asset_regime"] = f"{asset_regime}: {assets.regime_now}"
    if assets.res is not None:
        _standardized_positions(graph, assets.res, list(spec.asset_shocks), v.level, assets.regime_now)
    order = list(v.order)
    position = cycle_position(panel.data, order, regime_frame, assets=assets.res, asset_regime=asset_regime,
                              cumulate=[n for n in order if panel.columns[n].transform in ("diff", "logdiff")])
    return GraphStage(graph=graph, position=position)


def _standardized_positions(graph: nx.DiGraph, res: AssetResponseResults, shocks: list[str], level: float,
                            regime: str | None) -> None:
    """Each asset edge's place on its shock's spectrum (the report's standardised scale): attribute ``standardized``."""
    from causalmacro.pipeline.tables import SPECTRUM_SCALE

    for shock in shocks:
        spectrum = res.spectrum(shock=shock, level=level, regime=regime, scale=SPECTRUM_SCALE)
        for asset, value in spectrum["mean"].items():
            if graph.has_edge(shock, str(asset)) and graph.edges[shock, str(asset)].get("kind") == "asset":
                graph.edges[shock, str(asset)]["standardized"] = float(value)
