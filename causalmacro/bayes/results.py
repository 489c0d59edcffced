"""Frozen results of the hierarchical asset-response model.

Responses are cumulative distributed-lag responses: the response of asset
``i`` at horizon ``h`` to a unit shock ``k`` at ``t`` is
``sum_{l <= h} beta[i, k, l]`` (a cumulative dynamic multiplier; Stock &
Watson, 2019, *Introduction to Econometrics*, 4th ed., ch. 16). Intervals are
highest-density intervals of the posterior draws (Hyndman, 1996) and every
probability is a share of posterior draws.

Two scales are offered. ``"data"`` (:data:`DEFAULT_SCALE`, the default of every
method that takes ``scale``): returns' units per unit of the shock (SVAR
structural shocks have unit variance, so per one-standard-deviation shock).
``"standardized"``: standard deviations of the asset's returns per standard
deviation of the shock; this is the scale of the hierarchy, the only one on
which class means (``mu_group``) exist and on which assets quoted in different
units (percent returns, yield changes) can be ranked against each other: ask
for it (``spectrum(shock, scale="standardized")``) to rank such assets.
Comparisons of assets with classes (:meth:`AssetResponseResults.prob_greater`,
:meth:`AssetResponseResults.prob_regime_greater`) are always standardised.

With regimes (``AssetResponseModel(..., regimes=...)``) every beta, class mean
and response gains a ``regime`` dim (before ``bound``); select one regime with
``.sel(regime=...)`` to get the package's plain response type back (e.g. for
:func:`causalmacro.plotting.plot_irf`). :meth:`AssetResponseResults.prob_regime_greater`
compares regimes; :meth:`AssetResponseResults.covariate_effects` reports the
exogenous covariates' effects.
"""

from __future__ import annotations

import html
import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from .. import plotdispatch
from ..errors import ArgumentError, DataError
from ..labelled import RESPONSE_DIMS, check_level, freeze, thaw, with_bounds
from .design import StackedData
from .diagnostics import ConvergenceDiagnostics
from .posterior import PosteriorGroups, as_groups, hdi, to_inference_data

if TYPE_CHECKING:
    import arviz as az

__all__ = ["DEFAULT_SCALE", "AssetResponseResults", "FitFailedWarning", "Scale"]

Scale = Literal["data", "standardized"]
DEFAULT_SCALE: Scale = "data"
"""Scale of every output that takes ``scale`` when none is given (see the module docstring)."""


def _unknown(argument: str, name: object, valid: Sequence[str]) -> ArgumentError:
    """The one-line error of a name the fit does not have, listing the valid names."""
    return ArgumentError(f"{argument}: {name!r} is not in the fit (expected one of {', '.join(map(repr, valid))})")


class FitFailedWarning(UserWarning):
    """A posterior sample failed the convergence gate."""


def _hdi(samples: xr.DataArray, level: float) -> tuple[xr.DataArray, xr.DataArray]:
    """Lower and upper HDI bounds over ``chain`` and ``draw`` (:func:`arviz.hdi`'s, without ArviZ)."""
    return hdi(samples, check_level(level))


@dataclass(frozen=True, repr=False, init=False, eq=False)
class AssetResponseResults:
    """Posterior of the asset-response model (read-only).

    Parameters
    ----------
    idata : arviz.InferenceData or mapping of str to xarray.Dataset
        The fit's groups: an InferenceData, or its groups by name (a
        :class:`~causalmacro.bayes.posterior.PosteriorGroups`, as the Gibbs
        sampler gives them, so that ArviZ is imported only when :attr:`idata`
        is first read).
    design, diagnostics, settings
        As the attributes.

    Attributes
    ----------
    idata : arviz.InferenceData
        Posterior (``beta`` dims ``asset, shock, lag`` in data units, plus
        ``regime`` with regimes; ``beta_std`` and ``mu_group`` on the
        standardised scale; ``gamma`` dims ``asset, covariate`` with
        covariates), sample stats, observed data and, on request, the
        pointwise log-likelihood. Built from the fit's groups when first read
        (importing ArviZ); the same Datasets as :attr:`posterior`.
    posterior : xarray.Dataset
        The posterior draws (``idata.posterior``, without ArviZ).
    design : StackedData
        The long-format design the model was fitted on.
    diagnostics : ConvergenceDiagnostics
        Convergence gate (R-hat, bulk/tail ESS, divergences, ``passed``).
    settings : mapping
        Sampler, draws, tune, chains, target_accept, pooling, parameterisation
        and, with shock propagation, the shock draws used.
    """

    design: StackedData
    diagnostics: ConvergenceDiagnostics
    settings: Mapping[str, Any] = field(default_factory=dict)
    _groups: PosteriorGroups = field(init=False, repr=False)
    _idata: az.InferenceData | None = field(init=False, repr=False)
    _cumulative: dict[tuple[str, str], xr.DataArray] = field(init=False, repr=False)

    def __init__(self, idata: az.InferenceData | Mapping[str, xr.Dataset], design: StackedData,
                 diagnostics: ConvergenceDiagnostics, settings: Mapping[str, Any] | None = None) -> None:
        object.__setattr__(self, "design", design)
        object.__setattr__(self, "diagnostics", diagnostics)
        object.__setattr__(self, "settings", freeze(dict(settings or {})))
        object.__setattr__(self, "_groups", as_groups(idata))
        arviz = sys.modules.get("arviz")  # without it loaded, ``idata`` is no InferenceData
        object.__setattr__(self, "_idata", idata if arviz is not None and isinstance(idata, arviz.InferenceData)
                           else None)
        object.__setattr__(self, "_cumulative", {})

    @property
    def idata(self) -> az.InferenceData:
        """The fit as an :class:`arviz.InferenceData` (built on first use, from the same Datasets)."""
        if self._idata is None:
            object.__setattr__(self, "_idata", to_inference_data(self._groups))
        assert self._idata is not None
        return self._idata

    @property
    def posterior(self) -> xr.Dataset:
        """The posterior draws, dims ``(chain, draw, ...)``: ``idata.posterior`` without importing ArviZ."""
        return self._groups["posterior"]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle through the constructor, the settings as a plain dict (a mapping proxy does not pickle)."""
        return (type(self), (self._idata if self._idata is not None else self._groups, self.design, self.diagnostics,
                             thaw(self.settings)))

    # ------------------------------------------------------------------ draws
    @property
    def groups(self) -> dict[str, str]:
        """Asset -> class mapping used in the fit."""
        return self.design.group_of

    def _draws(self, name: str, scale: Scale) -> xr.DataArray:
        if scale not in ("data", "standardized"):
            raise ArgumentError(f"scale: expected 'data' or 'standardized', got {scale!r}")
        var = "beta" if scale == "data" else "beta_std"
        if name == "beta":
            return self.posterior[var]
        if name == "mu_group":
            if "mu_group" not in self.posterior:
                raise DataError("class means: this fit has no pooling (pooling='none')")
            if scale == "data":
                raise DataError("class means exist on the standardized scale only")
            return self.posterior["mu_group"]
        raise KeyError(name)

    def _check_shock(self, shock: str) -> None:
        if shock not in self.design.shocks:
            raise _unknown("shock", shock, self.design.shocks)

    @property
    def regimes(self) -> tuple[str, ...]:
        """Regime labels of the fit (empty without regimes)."""
        return self.design.regimes

    def _check_regime(self, regime: str | None) -> str | None:
        """``regime`` validated: required with regimes, refused without."""
        if not self.design.regimes:
            if regime is not None:
                raise ArgumentError(f"regime: this fit has no regimes, got {regime!r}")
            return None
        if regime is None:
            raise ArgumentError(f"regime: this fit has regimes {list(self.design.regimes)}; pass regime=")
        if regime not in self.design.regimes:
            raise _unknown("regime", regime, self.design.regimes)
        return regime

    def _horizon(self, horizon: int | None) -> int:
        if horizon is None:
            return self.design.lags
        if not 0 <= horizon <= self.design.lags:
            raise ArgumentError(f"horizon: expected 0..{self.design.lags}, got {horizon!r}")
        return int(horizon)

    def cumulative(self, *, scale: Scale = DEFAULT_SCALE, of: str = "beta") -> xr.DataArray:
        """Posterior draws of cumulative responses, dims ``(..., horizon)`` (then ``regime``).

        Parameters
        ----------
        scale : {"data", "standardized"}
            Units of the responses (see the module docstring).
        of : {"beta", "mu_group"}
            Asset responses or class means (standardised scale only).

        Returns
        -------
        xarray.DataArray
            Dims ``(chain, draw, asset, shock, horizon)`` (the class in place of
            ``asset`` for class means), then ``regime`` with regimes: the running
            sums of the lag coefficients, horizon ``h`` summing lags ``0..h``.
            Computed once per ``scale`` and ``of`` and shared by every later call
            (the spectra, responses and tables of a run ask for it dozens of
            times), so read-only: ``.copy()`` it to modify it.
        """
        key = (scale, of)
        if key not in self._cumulative:
            out = self._draws(of, scale).cumsum("lag").rename(lag="horizon")
            out.values.flags.writeable = False
            self._cumulative[key] = out
        return self._cumulative[key]

    # --------------------------------------------------------------- outputs
    def responses(self, *, level: float = 0.9, scale: Scale = DEFAULT_SCALE) -> xr.DataArray:
        """Cumulative response paths with HDI bands: the package's response type.

        Parameters
        ----------
        level : float
            Probability mass of the highest-density interval.
        scale : {"data", "standardized"}
            Units of the responses.

        Returns
        -------
        DataArray
            Named ``"irf"``, dims ``("horizon", "response", "shock", "bound")`` as
            the structural VAR's :meth:`~causalmacro.SVARResults.irf`: ``response``
            holds the assets, ``bound`` holds ``"point"`` (the posterior mean),
            ``"lower"``, ``"upper"``; ``attrs["level"]`` the HDI mass. Draw it
            with :func:`causalmacro.plotting.plot_irf`. With regimes the dims are
            ``("horizon", "response", "shock", "regime", "bound")``; select a
            regime (``.sel(regime=...)``) before plotting.
        """
        dims = (*RESPONSE_DIMS, "regime") if self.design.regimes else RESPONSE_DIMS
        cum = self.cumulative(scale=scale).rename(asset="response")
        lower, upper = _hdi(cum, level)
        mean = cum.mean(("chain", "draw")).transpose(*dims).rename("irf")
        mean.attrs = {"scale": scale, "cumulative": 1, "model": "asset_response",
                      "shock_size": "std" if scale == "data" else "std of the asset per std of the shock"}
        return with_bounds(mean, lower.transpose(*dims), upper.transpose(*dims),
                           level=check_level(level), interval="posterior highest-density interval")

    def spectrum(
        self,
        shock: str,
        *,
        regime: str | None = None,
        horizon: int | None = None,
        level: float = 0.9,
        scale: Scale = DEFAULT_SCALE,
    ) -> pd.DataFrame:
        """Assets ranked by their cumulative response to one shock.

        Parameters
        ----------
        shock : str
            Shock name.
        regime : str, optional
            The regime ranked; required when the fit has regimes.
        horizon : int, optional
            Horizon of the cumulative response (default the last lag).
        level : float
            HDI mass.
        scale : {"data", "standardized"}
            Default :data:`DEFAULT_SCALE` (``"data"``), as every output; pass
            ``"standardized"`` to rank assets quoted in different units fairly
            (the run report does).

        Returns
        -------
        DataFrame
            Index ``asset`` (highest response first); columns ``group``,
            ``mean``, ``lower``, ``upper``, ``prob_positive``, ``rank_mean``
            (posterior mean rank, 1 = highest).

        Raises
        ------
        ArgumentError
            An unknown shock or regime (the message lists the fit's names).
        """
        self._check_shock(shock)
        regime = self._check_regime(regime)
        h = self._horizon(horizon)
        cum = self.cumulative(scale=scale).sel(shock=shock, horizon=h)
        if regime is not None:
            cum = cum.sel(regime=regime, drop=True)
        lower, upper = _hdi(cum, level)
        order = np.argsort(np.argsort(-cum.transpose(..., "asset").values, axis=-1), axis=-1)
        ranks = (order + 1).reshape(-1, cum.sizes["asset"]).mean(axis=0)
        frame = pd.DataFrame(
            {
                "group": [self.groups[a] for a in self.design.assets],
                "mean": cum.mean(("chain", "draw")).values,
                "lower": lower.values,
                "upper": upper.values,
                "prob_positive": (cum > 0).mean(("chain", "draw")).values,
                "rank_mean": ranks,
            },
            index=pd.Index(list(cum["asset"].values), name="asset"),
        )
        frame.attrs.update({"shock": shock, "horizon": h, "level": level, "scale": scale})
        if regime is not None:
            frame.attrs["regime"] = regime
        return frame.sort_values("mean", ascending=False)

    def scenario(
        self,
        shocks: Any,
        *,
        level: float = 0.9,
        regime: str | None = None,
        scale: Scale = DEFAULT_SCALE,
    ) -> xr.Dataset:
        """Each asset's cumulative return caused by a scenario's structural shock path.

        The scenario's shocks over horizons ``1..H`` (relative to a baseline with no future
        shocks) go through every posterior draw's lag coefficients ``0..L``; the effect on
        the returns summed over ``T+1..T+H`` is :math:`\\sum_k \\sum_s \\varepsilon_{k,T+s}
        C_{i,k,\\min(L, H-s)}` (:mod:`causalmacro.bayes.scenario`). Shocks before ``T+1``,
        the intercept and the residuals are the same in scenario and baseline and cancel.

        Parameters
        ----------
        shocks : xarray.DataArray or pandas.DataFrame
            The ``shocks`` of :meth:`causalmacro.SVARResults.conditional_forecast` (its mean
            path) or its ``shock_draws`` (to carry the VAR's uncertainty too: posterior draw
            ``j`` takes shock draw ``j`` modulo their number), in structural-shock units
            (the units the model was fitted on), or a frame of horizons by shocks. Every
            shock of this fit must be there.
        level : float
            HDI mass of the bounds.
        regime : str, optional
            Keep one regime; None keeps every regime of a fit with regimes.
        scale : {"data", "standardized"}
            ``"data"``: the asset's return units; ``"standardized"``: standard deviations
            of the asset's monthly returns (to compare assets quoted in different units).

        Returns
        -------
        xarray.Dataset
            ``effect`` (``asset[, regime], bound``; ``bound`` ``"point"`` the posterior
            mean, ``"lower"``/``"upper"`` the HDI), ``prob_positive`` (``asset[, regime]``),
            ``draws`` (``chain, draw, asset[, regime]``), coordinate ``group`` on ``asset``.
            ``attrs``: ``horizon`` (H), ``level``, ``scale``, ``shock_paths`` (1 for a mean
            path), ``shocks`` (the fit's), ``shocks_not_in_model`` (scenario shocks that move
            but have no betas here, so move no asset), ``regime``, ``units``.

        Raises
        ------
        ArgumentError
            A scenario missing one of the fit's shocks, an unknown regime or scale.
        """
        from .scenario import scenario_effect, shock_path

        if scale not in ("data", "standardized"):
            raise ArgumentError(f"scale: expected 'data' or 'standardized', got {scale!r}")
        if regime is not None:
            regime = self._check_regime(regime)
        level = check_level(level)
        paths, left_out, steps = shock_path(shocks, self.design.shocks)
        cum = self.cumulative(scale="data")
        draws = scenario_effect(cum, paths)
        if scale == "standardized":
            draws = draws / xr.DataArray(self.design.y_scale, dims="asset", coords={"asset": list(self.design.assets)})
        if regime is not None:
            draws = draws.sel(regime=regime, drop=True)
        keep = [d for d in draws.dims if d not in ("chain", "draw")]
        lower, upper = _hdi(draws, level)
        effect = xr.concat([draws.mean(("chain", "draw")), lower.transpose(*keep), upper.transpose(*keep)],
                           dim=pd.Index(["point", "lower", "upper"], name="bound"))
        group = ("asset", [self.groups[a] for a in draws["asset"].values])
        units = "asset's return units" if scale == "data" else "standard deviations of the asset's returns"
        out = xr.Dataset(
            {"effect": effect.transpose(*keep, "bound"), "prob_positive": (draws > 0).mean(("chain", "draw")),
             "draws": draws},
            coords={"group": group},
            attrs={"horizon": steps, "level": level, "scale": scale, "shock_paths": int(paths.shape[0]),
                   "shocks": list(self.design.shocks), "shocks_not_in_model": left_out,
                   "regime": regime if regime is not None else "", "cumulative": 1,
                   "units": f"{units}, cumulative over the {steps} periods of the scenario, scenario minus baseline",
                   "interval": "posterior highest-density interval", "model": "asset_response"},
        )
        return out

    def scenario_spectrum(
        self,
        shocks: Any,
        *,
        regime: str | None = None,
        level: float = 0.9,
        scale: Scale = DEFAULT_SCALE,
    ) -> pd.DataFrame:
        """Assets ranked by their cumulative return under a scenario, as :meth:`spectrum` ranks responses.

        Parameters
        ----------
        shocks : xarray.DataArray or pandas.DataFrame
            As in :meth:`scenario`.
        regime : str, optional
            The regime ranked; required when the fit has regimes.
        level : float
            HDI mass.
        scale : {"data", "standardized"}
            Pass ``"standardized"`` to rank assets quoted in different units fairly.

        Returns
        -------
        DataFrame
            Index ``asset`` (highest first); columns ``group``, ``mean``, ``lower``,
            ``upper``, ``prob_positive``, ``rank_mean`` (posterior mean rank, 1 = highest);
            ``attrs`` as :meth:`scenario`'s plus ``what = "scenario"``.
        """
        regime = self._check_regime(regime)
        out = self.scenario(shocks, level=level, regime=regime, scale=scale)
        draws = out["draws"].transpose("chain", "draw", "asset")
        order = np.argsort(np.argsort(-draws.values, axis=-1), axis=-1)
        ranks = (order + 1).reshape(-1, draws.sizes["asset"]).mean(axis=0)
        eff = out["effect"]
        frame = pd.DataFrame(
            {"group": list(out["group"].values), "mean": eff.sel(bound="point").values,
             "lower": eff.sel(bound="lower").values, "upper": eff.sel(bound="upper").values,
             "prob_positive": out["prob_positive"].values, "rank_mean": ranks},
            index=pd.Index([str(a) for a in out["asset"].values], name="asset"),
        )
        frame.attrs.update({k: v for k, v in out.attrs.items()})
        frame.attrs["what"] = "scenario"
        return frame.sort_values("mean", ascending=False)

    def forecast_density(
        self,
        steps: int,
        *,
        level: float = 0.9,
        regime: str | None = None,
        rng: np.random.Generator | int | None = None,
        shocks: Any = None,
    ) -> xr.DataArray:
        """Density forecast of every asset's cumulative return over the ``steps`` periods after the fit.

        Each posterior draw simulates one path: its intercept and betas (lags ``0..L``) on the
        sample's last observed structural shocks and on future shocks, plus a Student-t
        residual of its own ``nu`` and ``sigma_e`` per asset and period; covariates (event
        dummies) are zero in the future. See :mod:`causalmacro.bayes.forecast`.

        Parameters
        ----------
        steps : int
            Periods ahead, at least 1.
        level : float
            Coverage of the outer interval.
        regime : str, optional
            The regime whose betas and intercepts hold; required when the fit has regimes. It is
            assumed to persist over the whole horizon.
        rng : numpy.random.Generator or int, optional
            Random source of the future shocks and residuals.
        shocks : xarray.DataArray or pandas.DataFrame, optional
            None: future shocks are the in-sample structural shock vectors resampled i.i.d. as
            rows (their fat tails and cross-correlation kept). A conditional forecast's
            ``shock_draws`` (or its ``shocks``, or a frame of horizons by shocks, as
            :meth:`scenario` takes): the density **under the scenario**, posterior draw ``j``
            taking shock path ``j`` modulo their number; ``steps`` at most the paths' horizon.

        Returns
        -------
        xarray.DataArray
            The layout of :meth:`causalmacro.SVARResults.forecast_density` (so
            :func:`causalmacro.plotting.plot_fan` draws it): dims ``("period", "variable",
            "quantile")``, ``variable`` the assets, ``quantile`` the outer interval's ends,
            the quartiles and the median; coordinate ``point`` ``(period, variable)`` the
            posterior predictive mean. Values are cumulative returns from ``T+1`` to the
            period, in each asset's units. ``attrs``: ``level``, ``steps``, ``method``,
            ``regime`` (``""`` without), ``units`` (asset -> unit), ``future_shocks``
            (``"resampled"`` or ``"scenario"``), ``shock_paths``, ``draws``, ``last_date``.

        Raises
        ------
        ArgumentError
            A bad ``steps`` or ``level``, a missing or unknown regime, a scenario without one of
            the fit's shocks or shorter than ``steps``.
        """
        from .forecast import density_forecast

        return density_forecast(self, steps, level=level, regime=regime, rng=rng, shocks=shocks)

    def prob_greater(
        self,
        first: str,
        second: str,
        *,
        shock: str,
        horizon: int | None = None,
        regime: str | None = None,
    ) -> float:
        """Posterior probability that ``first`` responds more than ``second``.

        Names may be assets or classes; class responses are the class means
        ``mu_group``. The comparison is on the standardised scale (the only one
        shared by classes and by assets in different units), on the cumulative
        response at ``horizon`` (default the last lag).

        Parameters
        ----------
        first, second : str
            Asset or class names.
        shock : str
            Shock name.
        horizon : int, optional
            Horizon of the cumulative response.
        regime : str, optional
            The regime compared in; required when the fit has regimes.

        Returns
        -------
        float
            Share of posterior draws in which ``first`` > ``second``.
        """
        self._check_shock(shock)
        regime = self._check_regime(regime)
        h = self._horizon(horizon)
        sides = [self._side(name, shock, h) for name in (first, second)]
        if regime is not None:
            sides = [side.sel(regime=regime) for side in sides]
        return float((sides[0] > sides[1]).mean())

    def _side(self, name: str, shock: str, h: int) -> xr.DataArray:
        if name in self.design.assets:
            return self.cumulative(scale="standardized").sel(asset=name, shock=shock, horizon=h)
        if name in self.design.groups:
            return self.cumulative(scale="standardized", of="mu_group").sel(
                group=name, shock=shock, horizon=h
            )
        raise _unknown("first/second", name, [*self.design.assets, *self.design.groups])

    def prob_regime_greater(
        self, first: str, second: str, *, shock: str, horizon: int | None = None
    ) -> pd.DataFrame:
        """Posterior probability that each asset and class responds more in regime ``first``.

        "More" is signed: the cumulative response to ``shock`` over lags
        ``0..horizon`` is larger in ``first`` than in ``second``. Classes are
        compared through their class means ``mu_group``; the comparison is on
        the standardised scale (for one asset the ordering is the same in data
        units).

        Parameters
        ----------
        first, second : str
            Regime labels.
        shock : str
            Shock name.
        horizon : int, optional
            Horizon of the cumulative response (default the last lag).

        Returns
        -------
        DataFrame
            Index ``name`` (the assets, then the classes when the fit pools);
            columns ``kind`` (``"asset"`` or ``"class"``), ``group``, ``prob``
            (share of draws with ``first`` > ``second``) and ``mean_difference``
            (posterior mean of ``first`` minus ``second``, standardised).
            ``attrs`` hold ``shock``, ``horizon``, ``first``, ``second``.

        Raises
        ------
        ArgumentError
            The fit has no regimes, ``first == second``, or an unknown shock or
            regime.
        """
        if not self.design.regimes:
            raise ArgumentError("prob_regime_greater: this fit has no regimes")
        self._check_shock(shock)
        for name in (first, second):
            self._check_regime(name)
        if first == second:
            raise ArgumentError(f"prob_regime_greater: first and second are both '{first}'")
        h = self._horizon(horizon)
        parts = [("asset", self.cumulative(scale="standardized").rename(asset="name"), self.groups)]
        if "mu_group" in self.posterior:
            cls = self.cumulative(scale="standardized", of="mu_group").rename(group="name")
            parts.append(("class", cls, {g: g for g in self.design.groups}))
        rows = []
        for kind, cum, group in parts:
            one = cum.sel(shock=shock, horizon=h)
            diff = one.sel(regime=first) - one.sel(regime=second)
            prob = (diff > 0).mean(("chain", "draw"))
            mean = diff.mean(("chain", "draw"))
            for name in one["name"].values:
                rows.append({"name": str(name), "kind": kind, "group": group[str(name)],
                             "prob": float(prob.sel(name=name)), "mean_difference": float(mean.sel(name=name))})
        frame = pd.DataFrame(rows).set_index("name")
        frame.attrs.update({"shock": shock, "horizon": h, "first": first, "second": second,
                            "scale": "standardized"})
        return frame

    def covariate_effects(self, *, level: float = 0.9) -> xr.DataArray:
        """Effects of the exogenous covariates, in the asset's return units, with HDI bands.

        Parameters
        ----------
        level : float
            HDI mass.

        Returns
        -------
        DataArray
            Named ``"covariate_effect"``, dims ``("asset", "covariate", "bound")``:
            the change in the asset's return for a unit of the covariate (an
            event dummy's effect on the dates it is 1); ``bound`` holds
            ``"point"`` (posterior mean), ``"lower"``, ``"upper"``. Missing (NaN)
            where the covariate is 0 on every date the asset is observed (an
            event after an asset's history ends): there only the prior speaks.

        Raises
        ------
        DataError
            The fit has no covariates.
        """
        if not self.design.covariates:
            raise DataError("covariate_effects: this fit has no covariates")
        draws = self.posterior["gamma"]
        lower, upper = _hdi(draws, level)
        dims = ("asset", "covariate")
        mean = draws.mean(("chain", "draw")).transpose(*dims).rename("covariate_effect")
        mean.attrs = {"units": "asset's return units per unit of the covariate", "model": "asset_response",
                      "missing": "where the covariate is 0 on every observed date of the asset (prior only)"}
        d = self.design
        touched = np.zeros((len(d.assets), len(d.covariates)), dtype=bool)
        nonzero = d.z[d.time_idx] != 0  # (n_obs, n_cov)
        np.logical_or.at(touched, d.asset_idx, nonzero)
        informed = xr.DataArray(touched, dims=dims, coords={"asset": list(d.assets), "covariate": list(d.covariates)})
        return with_bounds(mean.where(informed), lower.transpose(*dims).where(informed),
                           upper.transpose(*dims).where(informed),
                           level=check_level(level), interval="posterior highest-density interval")

    # ---------------------------------------------------------------- checks
    def posterior_predictive(
        self, rng: np.random.Generator | int | None = None
    ) -> az.InferenceData:
        """Posterior predictive draws of the standardised returns (a new InferenceData).

        Parameters
        ----------
        rng : numpy.random.Generator or int, optional
            Random source, passed to PyMC as ``random_seed``.

        Returns
        -------
        arviz.InferenceData
            A copy of ``idata`` with a ``posterior_predictive`` group (variable
            ``y``, standardised returns, same rows as ``observed_data``), ready
            for :func:`arviz.plot_ppc`.
        """
        import pymc as pm

        from .model import build_model

        if self.settings.get("n_shock_draws"):
            raise DataError("posterior_predictive: not available after shock propagation")
        model = build_model(
            self.design,
            pooling=self.settings.get("pooling", "partial"),
            parameterization=self.settings.get("parameterization", "noncentered"),
        )
        out: az.InferenceData = pm.sample_posterior_predictive(
            self.idata.copy(),
            model=model,
            random_seed=np.random.default_rng(rng),
            progressbar=False,
            extend_inferencedata=True,
        )
        return out

    def loo(self, **kwargs: Any) -> Any:
        """PSIS-LOO (Vehtari, Gelman & Gabry, 2017) via :func:`arviz.loo`.

        Requires a fit with ``log_likelihood=True``.

        Parameters
        ----------
        **kwargs
            Passed to :func:`arviz.loo` (e.g. ``pointwise=True``).

        Returns
        -------
        arviz.ELPDData
            The expected log pointwise predictive density and its diagnostics.

        Raises
        ------
        DataError
            The fit holds no log-likelihood.
        """
        if "log_likelihood" not in self._groups:
            raise DataError("loo: refit with log_likelihood=True to store the log-likelihood")
        import arviz as az

        return az.loo(self.idata, **kwargs)

    def to_netcdf(self, path: str | Path) -> Path:
        """Save the InferenceData alone to NetCDF (h5netcdf engine); returns the path.

        For a file that :meth:`load` turns back into results, use :meth:`save`.

        Parameters
        ----------
        path : str or path-like
            The file to write.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        out = Path(path)
        self.idata.to_netcdf(str(out), engine="h5netcdf")
        return out

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Save the results to one NetCDF file that :meth:`load` reads back.

        The file is an ordinary ArviZ InferenceData file (``az.from_netcdf`` opens
        it) whose ``constant_data`` group also holds the design and whose attributes
        hold the settings and the diagnostics. Written to a temporary file in the
        same folder and renamed into place
        (:func:`causalmacro.fileutil.write_netcdf`), so an interrupted save
        leaves any earlier file whole.

        Stored compactly: the draws as float32 (about seven significant digits,
        far below their Monte Carlo error; every reported figure, the responses,
        spectra, HDIs and regime probabilities, prints the same to its shown
        digits after :meth:`load`), and without the data-unit betas ``beta``,
        which :meth:`load` recomputes from ``beta_std`` and the design. On the
        demo (``causalmacro run models/demo.toml``) the file shrinks from
        77.0 MB to 32.4 MB. :meth:`to_netcdf` writes the draws as they are.

        Parameters
        ----------
        path : str or path-like
            The file to write.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        from ._persist import write_results

        return write_results(self, Path(path))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> AssetResponseResults:
        """Read results written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like
            The file :meth:`save` wrote.

        Returns
        -------
        AssetResponseResults

        Raises
        ------
        DataError
            The file is missing, unreadable or not written by :meth:`save`.
        """
        from ._persist import read_results

        idata, design, diagnostics, settings = read_results(Path(path))
        return cls(idata=idata, design=design, diagnostics=diagnostics, settings=settings)

    # ----------------------------------------------------------- formatting
    def to_dataframe(self, *, level: float = 0.9, scale: Scale = DEFAULT_SCALE) -> pd.DataFrame:
        """Cumulative response at the last lag, one row per (asset, shock).

        Parameters
        ----------
        level : float
            Probability mass of the highest-density intervals.
        scale : {"data", "standardized"}
            Units of the responses (see the module docstring).

        Returns
        -------
        DataFrame
            Index ``(asset, shock)``, or ``(asset, shock, regime)`` with regimes;
            columns ``group``, ``mean``, ``lower``, ``upper`` (HDI of mass
            ``level``), ``prob_positive``. ``attrs["diagnostics"]`` holds the
            convergence line.
        """
        cum = self.cumulative(scale=scale).isel(horizon=-1)
        lower, upper = _hdi(cum, level)
        mean = cum.mean(("chain", "draw"))
        ppos = (cum > 0).mean(("chain", "draw"))
        regimes: tuple[str | None, ...] = self.design.regimes or (None,)
        rows = []
        for a in self.design.assets:
            for k in self.design.shocks:
                for r in regimes:
                    at = {"asset": a, "shock": k} if r is None else {"asset": a, "shock": k, "regime": r}
                    rows.append(
                        {
                            **at,
                            "group": self.groups[a],
                            "mean": float(mean.sel(at)),
                            "lower": float(lower.sel(at)),
                            "upper": float(upper.sel(at)),
                            "prob_positive": float(ppos.sel(at)),
                        }
                    )
        index = ["asset", "shock", "regime"] if self.design.regimes else ["asset", "shock"]
        frame = pd.DataFrame(rows).set_index(index)
        frame.attrs.update({"diagnostics": str(self.diagnostics), "level": level, "scale": scale})
        return frame

    def summary(self, *, level: float = 0.9) -> str:
        """Plain-text summary: model, sampler, the convergence gate, the response table.

        A failed gate is shown in the text and raises a :class:`FitFailedWarning`.

        Parameters
        ----------
        level : float
            Probability mass of the table's highest-density intervals.

        Returns
        -------
        str
        """
        if not self.diagnostics.passed:
            warnings.warn(self._failure_line(), FitFailedWarning, stacklevel=2)
        body = self.to_dataframe(level=level).to_string(float_format=lambda v: f"{v: .3f}")
        return "\n".join([*self._header(), "", body])

    def _failure_line(self) -> str:
        cap = self.settings.get("max_sweeps") if self.settings.get("sweeps") else None
        reached = f" (after {self.settings['sweeps']} sweeps a chain, the cap max_sweeps={cap})" if cap else ""
        return "FIT FAILED THE CONVERGENCE GATE: " + "; ".join(self.diagnostics.messages) + reached

    def _header(self) -> list[str]:
        s = self.settings
        lines = [
            "Hierarchical asset-response model (Student-t, partial pooling by class)"
            if s.get("pooling", "partial") == "partial"
            else "Asset-response model (Student-t, no pooling)",
            f"assets: {len(self.design.assets)}  classes: {len(self.design.groups)}  "
            f"shocks: {len(self.design.shocks)}  lags: 0..{self.design.lags}  "
            f"observations: {len(self.design.y)}",
            *(["regimes: " + ", ".join(f"{r} ({n} dates)" for r, n in self.design.regime_counts.items())]
              if self.design.regimes else []),
            *([f"covariates: {', '.join(self.design.covariates)}"] if self.design.covariates else []),
            f"sampler: {s.get('sampler', '?')}  chains: {s.get('chains', '?')}  "
            f"draws: {s.get('draws', '?')}  {'burn-in' if s.get('sampler') == 'gibbs' else 'tune'}: "
            f"{s.get('tune', '?')}"
            + ("" if s.get("sampler") == "gibbs" else f"  target_accept: {s.get('target_accept', '?')}"),
        ]
        if s.get("stop"):
            lines.append(f"sampled to the convergence gate: {s['stop']}")
        if s.get("n_shock_draws"):
            lines.append(f"shock uncertainty: {s['n_shock_draws']} SVAR shock draws pooled")
        if not self.diagnostics.passed:
            lines.append("!!! " + self._failure_line())
        lines.append(str(self.diagnostics))
        return lines

    def __str__(self) -> str:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitFailedWarning)
            return self.summary()

    def __repr__(self) -> str:
        state = "passed" if self.diagnostics.passed else "FAILED"
        return (
            f"AssetResponseResults(assets={len(self.design.assets)}, "
            f"shocks={len(self.design.shocks)}, lags={self.design.lags}, "
            + (f"regimes={list(self.design.regimes)}, " if self.design.regimes else "")
            + (f"covariates={list(self.design.covariates)}, " if self.design.covariates else "")
            + f"gate={state})"
        )

    def _repr_html_(self) -> str:
        table = self.to_dataframe()
        head = "".join(
            f"<p style='color:#b00;font-weight:bold'>{html.escape(line)}</p>"
            if line.startswith("!!!")
            else f"<p>{html.escape(line)}</p>"
            for line in self._header()
        )
        return head + table.to_html(float_format=lambda v: f"{v:.3f}")

    def to_dict(self, *, level: float = 0.9) -> dict[str, Any]:
        """JSON-ready export: settings, design, diagnostics, responses, spectra.

        With regimes, responses and spectra are nested by regime
        (``responses.values[asset][shock][regime][bound]``,
        ``spectrum.values[shock][regime]``) and ``regime_comparisons`` holds
        :meth:`prob_regime_greater` for every pair of regimes; with covariates,
        ``covariate_effects`` holds :meth:`covariate_effects`.

        Parameters
        ----------
        level : float
            Probability mass of every highest-density interval.

        Returns
        -------
        dict
            JSON-ready: the ``assets`` key of ``results.json``, whose reference
            lists every key.
        """
        from ._export import results_dict

        return results_dict(self, level)

    # --------------------------------------------------------------- figures
    def plot(self, *, regime: str | None = None, level: float = 0.9, scale: Scale = DEFAULT_SCALE,
             **kwargs: Any) -> Any:
        """Draw :meth:`responses` with :func:`causalmacro.plotting.plot_irf`.

        Parameters
        ----------
        regime : str, optional
            The regime drawn; required when the fit has regimes.
        level : float
            HDI mass of the bands.
        scale : {"data", "standardized"}
            Units of the responses.
        **kwargs
            Passed to :func:`~causalmacro.plotting.plot_irf` (``responses=``,
            ``shocks=``, ``units=``, ...).

        Returns
        -------
        matplotlib.figure.Figure
        """
        regime = self._check_regime(regime)
        irf = self.responses(level=level, scale=scale)
        if regime is not None:
            irf = irf.sel(regime=regime, drop=True)
        return plotdispatch.call("plot_irf", irf, **kwargs)

    def plot_spectrum(
        self,
        shock: str,
        *,
        regime: str | None = None,
        horizon: int | None = None,
        level: float = 0.9,
        scale: Scale = DEFAULT_SCALE,
        **kwargs: Any,
    ) -> Any:
        """Draw :meth:`spectrum` of ``shock`` with :func:`causalmacro.plotting.plot_spectrum`.

        Parameters
        ----------
        shock, regime, horizon, level, scale
            As in :meth:`spectrum`.
        **kwargs
            Passed to :func:`~causalmacro.plotting.plot_spectrum` (``ax=``,
            ``title=``, ...).

        Returns
        -------
        matplotlib.figure.Figure
        """
        table = self.spectrum(shock, regime=regime, horizon=horizon, level=level, scale=scale)
        return plotdispatch.call("plot_spectrum", table, **kwargs)
