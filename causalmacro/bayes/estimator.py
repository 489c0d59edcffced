"""Estimator of the hierarchical asset-response model.

Each asset's distributed-lag response to the structural shocks of an SVAR is
estimated with partial pooling within asset classes and across classes
(Gelman & Hill, 2007, *Data Analysis Using Regression and Multilevel/
Hierarchical Models*, ch. 12-13; Gelman et al., 2013, *Bayesian Data
Analysis*, 3rd ed., ch. 5), so that assets with short histories (ETH) borrow
strength from their class. Errors are Student-t (Geweke, 1993; Juárez & Steel,
2010) with asset-specific scales and shared degrees of freedom. The model is
defined in :mod:`causalmacro.bayes.model`.

Shock uncertainty
-----------------
The SVAR shocks are estimates. :meth:`AssetResponseModel.fit_shock_draws`
propagates their uncertainty by refitting the model on ``n_shock_draws``
bootstrap draws of the shocks (picked at random) and pooling the posterior
draws of all fits, as in multiple imputation by posterior mixing (Gelman et
al., 2013, sec. 18.2; Zhou & Reiter, 2010, "A note on Bayesian inference after
multiple imputation", *The American Statistician* 64(2)). The pooled
posterior is a mixture over shock draws, so its chains are not comparable
with R-hat; the convergence gate is applied to each fit and the worst case is
reported. Cost: one model build, then ``n_shock_draws`` samplings (see
:mod:`causalmacro.bayes.sampling` for what is reused between them).

Regimes and covariates
----------------------
``regimes`` lets every response differ by regime, in effects coding pooled
through the same hierarchy (:mod:`causalmacro.bayes.regimes`); ``covariates``
adds exogenous regressors (event dummies) with unpooled coefficients. Both are
kept by the shock refits of :meth:`AssetResponseModel.fit_shock_draws`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import ArgumentError, DataError
from ..spec.defaults import ASSETS
from .design import DEFAULT_GROUPS, ShockSource, StackedData, as_shock_frame, stack
from .diagnostics import ConvergenceDiagnostics, diagnose
from .model import Parameterization, Pooling, build_model, data_values
from .posterior import PosteriorGroups
from .results import AssetResponseResults, FitFailedWarning
from .rounds import Rounds
from .sampling import SAMPLERS, Sampler, SamplerSession

if TYPE_CHECKING:
    import arviz as az
    import pymc as pm

__all__ = ["SAMPLER_DEFAULTS", "AssetResponseModel"]

SAMPLER_DEFAULTS: dict[str, dict[str, int]] = {
    "gibbs": {"draws": 1000, "tune": 200, "chains": 8},
    "pymc": {"draws": 1000, "tune": 1000, "chains": 4},
    "nutpie": {"draws": 2500, "tune": 1500, "chains": 4},
}
"""Draws, tuning (burn-in) iterations and chains of each sampler when not given.

The Gibbs sampler needs no adaptation and its chains run vectorised in blocks of
four, so eight shorter-burn-in chains cost little more than four. nutpie gets
2500 draws after 1500 tuning steps: with 1000 + 1000 the demo failed the gate
(R-hat 1.019, bulk ESS 218 for a one-asset class's scale ``tau``); with
these it passes (``causalmacro run models/demo.toml --sampler nutpie``).
The same defaults hold for :meth:`AssetResponseModel.fit` and, per shock draw,
:meth:`AssetResponseModel.fit_shock_draws`."""


def _defaults(sampler: str, draws: int | None, tune: int | None, chains: int | None) -> tuple[int, int, int]:
    """Draws, tune and chains: the given values, else :data:`SAMPLER_DEFAULTS` of a known ``sampler``."""
    if sampler not in SAMPLERS:
        raise ArgumentError(f"sampler: expected one of {', '.join(map(repr, SAMPLERS))}, got {sampler!r}")
    d = SAMPLER_DEFAULTS[sampler]
    return (d["draws"] if draws is None else draws, d["tune"] if tune is None else tune,
            d["chains"] if chains is None else chains)


def _seed(rng: np.random.Generator | int | None) -> int:
    """The seed of a fit, as :meth:`causalmacro.SVAR.fit` makes it: an int as given, else one drawn from ``rng``."""
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
        return int(rng)
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise ArgumentError(f"rng: expected an int, a numpy Generator or None, got {type(rng).__name__}")
    return int(np.random.default_rng(rng).integers(2**63))


class AssetResponseModel:
    """Hierarchical Bayesian model of asset responses to structural shocks.

    ``r[i,t] = a[i] + sum_k sum_l beta[i,k,l] shock[k,t-l] + e[i,t]``, with
    ``beta[i,k,l] ~ Normal(mu_group[g(i),k,l], tau[g(i),k])`` and
    ``mu_group[g,k,l] ~ Normal(mu[k,l], sigma[k])`` (non-centred), Student-t
    errors. Constructing the model only validates and stacks the data.

    With ``regimes``, ``beta[i,k,l,r] = sum_e M[r,e] coef[i,k,e,l]``: a common
    response and ``R - 1`` contrasts (for two regimes the contrast is the
    difference, first regime in sorted order minus second), each pooled by the
    hierarchy above, so differences between regimes shrink toward zero unless
    the data say otherwise; the intercept shifts by regime. With
    ``covariates``, ``r[i,t]`` gains ``sum_j gamma[i,j] z[j,t]``.

    Parameters
    ----------
    returns : DataFrame
        Asset returns: a date index, one column per asset, NaN where an asset
        has no observation (unequal histories are used in full).
    shocks : DataFrame or object with ``structural_shocks()``
        Structural shocks (e.g. ``SVARResults``), one column per shock.
    groups : mapping of str to str, optional
        Class of each asset; default :data:`DEFAULT_GROUPS`.
    lags : int
        Highest shock lag ``L`` (lags ``0..L``); default ``[assets] lags`` of
        the spec (:data:`causalmacro.spec.defaults.ASSETS`).
    regimes : Series, optional
        Regime label of each date (two or more distinct labels; ``NaN`` or a
        date absent from the series: regime unknown, the date is dropped from
        the fit). The row at date ``t`` uses the label at ``t``: to condition
        on the regime before the shock, pass ``regimes.shift(1)``.
    covariates : DataFrame, optional
        Exogenous regressors on dates (event dummies 0/1, pulses, steps,
        windows), entered raw with a Normal(0, 2) prior per asset on the
        standardised-return scale, no pooling. They must be finite on every
        date of the fit and not constant there.
    pooling : {"partial", "none"}
        Partial pooling (default) or independent betas (a reference fit).
    parameterization : {"noncentered", "centered"}
        Hierarchy form; the centred one is a baseline that diverges on small
        classes.

    Raises
    ------
    DataError
        An asset without class, all-NaN or with fewer observations than
        parameters, returns and shocks without common dates, regimes with
        fewer than two labels on the fit's dates (or none at all), or a
        covariate that is constant or has a gap there.

    Examples
    --------
    >>> model = AssetResponseModel(returns, shocks, groups={"BTC": "crypto"}, lags=3)  # doctest: +SKIP
    >>> res = model.fit(draws=1000, tune=1000, chains=4, rng=0)  # doctest: +SKIP
    >>> res.spectrum(shock="net_liquidity")  # doctest: +SKIP
    """

    def __init__(
        self,
        returns: pd.DataFrame,
        shocks: pd.DataFrame | ShockSource,
        *,
        groups: Mapping[str, str] | None = None,
        lags: int = ASSETS.lags,
        regimes: pd.Series | None = None,
        covariates: pd.DataFrame | None = None,
        pooling: Pooling = "partial",
        parameterization: Parameterization = "noncentered",
    ) -> None:
        if pooling not in ("partial", "none"):
            raise ArgumentError(f"pooling: expected 'partial' or 'none', got {pooling!r}")
        if parameterization not in ("noncentered", "centered"):
            raise ArgumentError(
                f"parameterization: expected 'noncentered' or 'centered', got {parameterization!r}"
            )
        self._shocks = as_shock_frame(shocks)
        self._groups = dict(DEFAULT_GROUPS if groups is None else groups)
        self._design = stack(returns, self._shocks, self._groups, lags, regimes=regimes,
                             covariates=covariates)
        self._pooling: Pooling = pooling
        self._parameterization: Parameterization = parameterization

    @property
    def design(self) -> StackedData:
        """The validated long-format design."""
        return self._design

    @property
    def pooling(self) -> Pooling:
        """Pooling of the betas."""
        return self._pooling

    @property
    def parameterization(self) -> Parameterization:
        """Form of the hierarchy."""
        return self._parameterization

    def build(self) -> pm.Model:
        """A fresh PyMC model of this design (for inspection and fast checks).

        Returns
        -------
        pymc.Model
            The model :meth:`fit` samples with the NUTS samplers (the Gibbs
            sampler samples the same posterior without it).
        """
        return build_model(
            self._design, pooling=self._pooling, parameterization=self._parameterization
        )

    def _settings(self, **kw: Any) -> dict[str, Any]:
        return {"pooling": self._pooling, "parameterization": self._parameterization, **kw}

    def fit(
        self,
        *,
        draws: int | None = None,
        tune: int | None = None,
        chains: int | None = None,
        target_accept: float = ASSETS.target_accept,
        sampler: Sampler = ASSETS.sampler,
        rng: np.random.Generator | int | None = 0,
        log_likelihood: bool = False,
        cores: int | None = None,
        progressbar: bool = False,
        burn_sweeps: int = ASSETS.burn_sweeps,
        first_sweeps: int = ASSETS.first_sweeps,
        extra_sweeps: int = ASSETS.extra_sweeps,
        max_sweeps: int = ASSETS.max_sweeps,
    ) -> AssetResponseResults:
        """Sample the posterior; the model is not changed.

        Parameters
        ----------
        draws, tune, chains : int, optional
            Kept draws and tuning steps per chain (burn-in sweeps for Gibbs);
            number of chains. ``None``: the sampler's default,
            :data:`SAMPLER_DEFAULTS` (Gibbs 8 chains; NUTS 4 x (1000 + 1000)).
            The Gibbs sampler with ``draws=None`` samples to the convergence
            gate (:mod:`causalmacro.bayes.rounds`): rounds of sweeps until
            R-hat and bulk ESS pass on every chain's sweeps after a fixed
            warm-up (``burn_sweeps``), or
            ``max_sweeps``; ``tune`` must then be None too.
        target_accept : float
            NUTS target acceptance (NUTS samplers only); default 0.95
            (:data:`causalmacro.spec.defaults.ASSETS`) because classes of 2-3
            assets produce divergences at PyMC's default 0.8.
        sampler : {"gibbs", "pymc", "nutpie"}
            The blocked Gibbs sampler of :mod:`causalmacro.bayes.gibbs` (default,
            as the spec's: the same posterior, tens of times the effective draws
            per second and nothing to compile), PyMC's NUTS, or nutpie (must be
            installed). Checked before anything is built.
        rng : int, numpy.random.Generator or None, default 0
            Seed of the sampler, as in :meth:`causalmacro.SVAR.fit`: an int is
            the seed, a Generator or None contributes a fresh seed drawn from it.
            The seed is recorded in ``settings["seed"]``, so the fit reproduces.
        log_likelihood : bool
            Store the pointwise log-likelihood (needed by ``res.loo()``).
        cores : int, optional
            Chains run in parallel; default ``min(chains, cpu count)``.
        progressbar : bool
            Show the sampler's progress bar (off by default).
        burn_sweeps, first_sweeps, extra_sweeps, max_sweeps : int
            Gibbs sampling to the gate: warm-up sweeps per chain (discarded), kept
            sweeps in the first round, added by each further round, and the cap on
            all sweeps (defaults ``[assets]`` of the spec,
            :data:`causalmacro.spec.defaults.ASSETS`: 100, 400, 200, 4000). Unused
            with ``draws`` set or a NUTS sampler.

        Returns
        -------
        AssetResponseResults
            Frozen results; a failed convergence gate (with the gate rule: the
            cap reached) warns (:class:`FitFailedWarning`) and sets
            ``diagnostics.passed=False``. Sampling to the gate records
            ``settings["sweeps"]``, ``["rounds"]``, ``["max_sweeps"]`` and
            ``["stop"]`` (why it stopped); ``draws`` and ``tune`` are then the
            kept sweeps and the warm-up.
        """
        rounds = _rounds(sampler, draws, tune, first_sweeps, extra_sweeps, max_sweeps, burn_sweeps)
        draws, tune, chains = _defaults(sampler, draws, tune, chains)
        _check_counts(draws, tune, chains, target_accept)
        seed = _seed(rng)
        session = SamplerSession(self.build, sampler, pooled=self._pooling == "partial")  # built if NUTS needs it
        idata = session.sample(
            None,
            design=self._design,
            draws=draws,
            tune=tune,
            chains=chains,
            target_accept=target_accept,
            rng=np.random.default_rng(seed),
            log_likelihood=log_likelihood,
            cores=cores,
            progressbar=progressbar,
            rounds=rounds,
        )
        if rounds is not None:  # the kept sweeps and the warm-up
            draws = idata["posterior"].sizes["draw"]
            tune = int(idata["posterior"].attrs["sweeps"]) - draws
        diagnostics = diagnose(idata)
        settings = self._settings(
            sampler=sampler, draws=draws, tune=tune, chains=chains, target_accept=target_accept, seed=seed,
            **_gate_settings([idata]),
        )
        return _finish(idata, self._design, diagnostics, settings)

    def fit_shock_draws(
        self,
        shock_draws: xr.DataArray,
        *,
        n_shock_draws: int = 5,
        draws: int | None = None,
        tune: int | None = None,
        chains: int | None = None,
        target_accept: float = ASSETS.target_accept,
        sampler: Sampler = ASSETS.sampler,
        rng: np.random.Generator | int | None = 0,
        log_likelihood: bool = False,
        cores: int | None = None,
        progressbar: bool = False,
        burn_sweeps: int = ASSETS.burn_sweeps,
        first_sweeps: int = ASSETS.first_sweeps,
        extra_sweeps: int = ASSETS.extra_sweeps,
        max_sweeps: int = ASSETS.max_sweeps,
    ) -> AssetResponseResults:
        """Propagate shock uncertainty: refit on SVAR bootstrap draws of the shocks.

        Parameters
        ----------
        shock_draws : DataArray
            Dims ``("draw", "time", "shock")``, e.g.
            ``SVARResults.bootstrap_shocks(reps, rng)``; must hold this model's
            shocks on its dates and the ``lags`` dates before them.
        n_shock_draws : int
            Shock draws refitted (chosen at random without replacement).
            Cost grows linearly: ``n_shock_draws`` samplings of ``chains`` chains.
        draws, tune, chains, target_accept, sampler, log_likelihood, cores, progressbar
            As in :meth:`fit`, per shock draw (the same :data:`SAMPLER_DEFAULTS`).
        burn_sweeps, first_sweeps, extra_sweeps, max_sweeps : int
            As in :meth:`fit`; with the Gibbs sampler and ``draws=None`` every refit
            samples to the gate, and all are then cut to the fewest kept draws of
            any (so that they pool along ``chain``; each stays past its own warm-up).
        rng : int, numpy.random.Generator or None, default 0
            Seed of the choice of draws and of the samplers, as in :meth:`fit`;
            recorded in ``settings["seed"]``.

        Returns
        -------
        AssetResponseResults
            Posterior pooled over the refits: ``n_shock_draws * chains``
            chains, coordinate ``shock_draw`` along ``chain``. The gate is the
            worst case over the fits.
        """
        rounds = _rounds(sampler, draws, tune, first_sweeps, extra_sweeps, max_sweeps, burn_sweeps)
        draws, tune, chains = _defaults(sampler, draws, tune, chains)
        _check_counts(draws, tune, chains, target_accept)
        if not isinstance(shock_draws, xr.DataArray) or set(shock_draws.dims) != {
            "draw",
            "time",
            "shock",
        }:
            raise DataError("shock_draws: expected a DataArray with dims ('draw', 'time', 'shock')")
        missing = [s for s in self._design.shocks if s not in shock_draws["shock"].values]
        if missing:
            raise DataError(f"shock '{missing[0]}' is missing from shock_draws")
        available = shock_draws.sizes["draw"]
        if not 1 <= n_shock_draws <= available:
            raise DataError(
                f"shock_draws: n_shock_draws={n_shock_draws} but {available} draws given"
            )
        seed = _seed(rng)
        gen = np.random.default_rng(seed)
        picks = np.sort(gen.choice(available, size=n_shock_draws, replace=False))
        designs = []
        for j in picks:
            one = shock_draws.isel(draw=int(j)).transpose("time", "shock")
            frame = pd.DataFrame(
                np.asarray(one.values, dtype=float),
                index=pd.DatetimeIndex(one["time"].values),
                columns=[str(c) for c in one["shock"].values],
            )
            designs.append(self._design.with_shocks(frame))

        first = designs[0]
        session = SamplerSession(lambda: build_model(first, pooling=self._pooling,
                                                     parameterization=self._parameterization),
                                 sampler, pooled=self._pooling == "partial")
        parts: list[az.InferenceData | PosteriorGroups] = []
        for design in designs:
            parts.append(
                session.sample(
                    data_values(design),
                    design=design,
                    draws=draws,
                    tune=tune,
                    chains=chains,
                    target_accept=target_accept,
                    rng=gen,
                    log_likelihood=log_likelihood,
                    cores=cores,
                    progressbar=progressbar,
                    rounds=rounds,
                )
            )
        gate = _gate_settings(parts)
        if rounds is not None:  # pool along chain: every fit's last ``n`` draws, n the fewest any fit kept
            draws = min(p["posterior"].sizes["draw"] for p in parts)
            parts = [_last_draws(p, draws) for p in parts]
            tune = int(gate["sweeps"]) - draws
        # the gate of the draws reported (a refit cut to fewer draws is checked on those)
        diagnostics = ConvergenceDiagnostics.combine([diagnose(p) for p in parts])
        labels = [
            int(shock_draws["draw"].values[j])
            if np.issubdtype(shock_draws["draw"].dtype, np.integer)
            else int(j)
            for j in picks
        ]
        idata = _pool(parts, labels)
        settings = self._settings(
            sampler=sampler,
            draws=draws,
            tune=tune,
            chains=chains,
            target_accept=target_accept,
            n_shock_draws=n_shock_draws,
            seed=seed,
            shock_draws=",".join(str(v) for v in labels),
            **gate,
        )
        return _finish(idata, self._design, diagnostics, settings)


def _rounds(sampler: str, draws: int | None, tune: int | None, first: int, extra: int, cap: int,
            burn: int) -> Rounds | None:
    """The gate's schedule when the Gibbs sampler runs to the gate (``draws`` unset), else None."""
    if sampler != "gibbs" or draws is not None:
        return None
    if tune is not None:
        raise ArgumentError(f"tune: set draws too (a fixed count), or neither (the Gibbs sampler samples to the "
                            f"convergence gate after burn_sweeps of warm-up); got tune={tune!r}")
    return Rounds(first=first, extra=extra, cap=cap, burn=burn)


def _gate_settings(parts: list[az.InferenceData | PosteriorGroups]) -> dict[str, Any]:
    """What sampling to the gate recorded (the longest fit when several), else nothing."""
    attrs = [p["posterior"].attrs for p in parts if "sweeps" in p["posterior"].attrs]
    if not attrs:
        return {}
    longest = max(attrs, key=lambda a: int(a["sweeps"]))
    out = {"sweeps": int(longest["sweeps"]), "rounds": int(longest["rounds"]),
           "max_sweeps": int(longest["max_sweeps"]), "stop": str(longest["stop"])}
    if len(attrs) > 1:
        out["stop"] = f"longest of {len(attrs)} fits: {out['stop']}"
    return out


def _last_draws(idata: az.InferenceData | PosteriorGroups, n: int) -> PosteriorGroups:
    """The last ``n`` draws of every chain (groups with a ``draw`` dim), renumbered from 0."""
    groups: dict[str, Any] = {}
    for g in idata.groups():
        ds = idata[g]
        if "draw" in ds.dims:
            ds = ds.isel(draw=slice(ds.sizes["draw"] - n, None)).assign_coords(draw=np.arange(n))
        groups[g] = ds
    return PosteriorGroups(groups)


def _check_counts(draws: int, tune: int, chains: int, target_accept: float) -> None:
    for name, v in (("draws", draws), ("tune", tune), ("chains", chains)):
        if (
            isinstance(v, bool)
            or not isinstance(v, int | np.integer)
            or v < (0 if name == "tune" else 1)
        ):
            raise ArgumentError(f"{name}: expected a positive integer, got {v!r}")
    if not 0 < target_accept < 1:
        raise ArgumentError(f"target_accept: expected a number in (0, 1), got {target_accept!r}")


def _pool(parts: list[az.InferenceData | PosteriorGroups], labels: list[int]) -> PosteriorGroups:
    """Concatenate fits along ``chain``, labelling each chain by its shock draw."""
    groups: dict[str, xr.Dataset] = {}
    for group in ("posterior", "sample_stats", "log_likelihood"):
        if group not in parts[0].groups():
            continue
        pieces = []
        offset = 0
        for part, label in zip(parts, labels, strict=True):
            ds = part[group]
            n = ds.sizes["chain"]
            ds = ds.assign_coords(chain=np.arange(offset, offset + n))
            ds = ds.assign_coords(shock_draw=("chain", np.full(n, label)))
            pieces.append(ds)
            offset += n
        groups[group] = xr.concat(pieces, dim="chain")
    if "observed_data" in parts[0].groups():
        groups["observed_data"] = parts[0]["observed_data"]
    return PosteriorGroups(groups)


def _finish(
    idata: az.InferenceData | PosteriorGroups,
    design: StackedData,
    diagnostics: ConvergenceDiagnostics,
    settings: dict[str, Any],
) -> AssetResponseResults:
    res = AssetResponseResults(
        idata=idata, design=design, diagnostics=diagnostics, settings=settings
    )
    if not diagnostics.passed:
        warnings.warn(res._failure_line(), FitFailedWarning, stacklevel=3)
    return res
