"""Frozen results of a structural VAR: responses, decompositions, shocks, tests.

References
----------
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*. Springer,
sec. 2.3 (structural responses), 2.3.3 (FEVD).
Kilian, L. & Lütkepohl, H. (2017). *Structural Vector Autoregressive Analysis*. CUP,
sec. 4.3 (historical decomposition), ch. 12 (bootstrap inference).
Fry, R. & Pagan, A. (2011). Sign restrictions in structural vector autoregressions:
a critical review. *JEL* 49(4), 938-960.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro import plotdispatch
from causalmacro.bands import path_test, pointwise, sup_t
from causalmacro.errors import ArgumentError, DataError
from causalmacro.labelled import (
    RESPONSE_DIMS,
    check_level,
    freeze,
    horizon_unit,
    point_only,
    rebuild,
    with_bounds,
)
from causalmacro.spec.defaults import VAR as _VAR
from causalmacro.svar import _format
from causalmacro.svar._frozen import thaw
from causalmacro.svar.bootstrap import BootstrapDraws, BootstrapMethod, run_bootstrap
from causalmacro.svar.causality import CausalityKind, CausalityResult, granger_causality
from causalmacro.svar.decomposition import historical_contributions
from causalmacro.svar.density import density_forecast
from causalmacro.svar.diagnostics import ResidualDiagnostics, TestResult, instantaneous_test
from causalmacro.svar.dynamics import fevd_shares, ma_coefficients, structural_irf
from causalmacro.svar.forecast import var_forecast
from causalmacro.svar.identification import Identification, IdentificationError, Identified
from causalmacro.svar.inference import ab_covariance, ab_standard_errors, free_labels, overid_test
from causalmacro.svar.longrun import total_impact
from causalmacro.svar.proxy import FirstStage, Proxy, anderson_rubin, first_stage
from causalmacro.svar.reduced_form import ReducedForm, lag_matrix
from causalmacro.svar.scenario import conditional_forecast
from causalmacro.svar.short_run import ShortRun
from causalmacro.svar.sign_weights import weighted_quantile

__all__ = ["Bands", "ExplosiveReplicationsWarning", "SVARResults", "ShockSize", "StableFlag", "WildImpactWarning",
           "load_results"]

Bands = Literal["block", "residual", "bootstrap", "wild", "set", "posterior"]
ShockSize = Literal["std", "unit"]

EXPLOSIVE_SHARE_WARN = 0.05
"""Share of explosive bootstrap replications above which :meth:`SVARResults.bootstrap` warns."""


class ExplosiveReplicationsWarning(RuntimeWarning):
    """Many bootstrap replications were explosive and dropped: the bands rest on the rest."""


class WildImpactWarning(UserWarning):
    """Bands drawn from the wild bootstrap: too narrow on impact (and for variance shares).

    The Rademacher weight is shared across equations and squares to one, so every
    replication keeps the estimated residual covariance and the impact matrix
    barely moves (Brüggemann, Jentsch & Trenkler 2016). A Monte Carlo of the
    liquidity chain (``benchmarks/bench_band_coverage.py``) measured 90% wild
    bands covering the true impact response about 30% of the time. The wild
    bootstrap stays valid for the slope coefficients, so for responses after
    impact; ``method="block"`` is valid for both.
    """


class StableFlag:
    """A bool that is also callable: ``res.is_stable()`` (statsmodels) and ``if res.is_stable:`` agree.

    Parameters
    ----------
    value : bool
    """

    __slots__ = ("_value",)

    def __init__(self, value: bool) -> None:
        self._value = bool(value)

    def __call__(self) -> bool:
        return self._value

    def __bool__(self) -> bool:
        return self._value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, bool | StableFlag | np.bool_) and self._value == bool(other)

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return repr(self._value)


@dataclass(frozen=True, eq=False, repr=False)
class SVARResults:
    """Estimated structural VAR. Read-only; every method returns new objects.

    Attributes
    ----------
    reduced_form : ReducedForm
        Least-squares reduced form (coefficients, residuals, covariance, roots).
    identification : Identification
        The scheme used.
    identified : Identified
        Impact matrix and identification facts.
    lag_selection : dict or None
        Criterion and the orders each criterion chose, when lags were selected.
    notes : tuple of str
        Things the user should know (lag order raised from 0, explosive system).
    diagnostics : ResidualDiagnostics
        Residual portmanteau and normality tests.
    seed : int
        Seed of the fit; bootstrap draws asked for without ``rng`` derive from it,
        so bands reproduce from run to run.
    """

    reduced_form: ReducedForm
    identification: Identification
    identified: Identified
    lag_selection: Mapping[str, Any] | None
    notes: tuple[str, ...]
    diagnostics: ResidualDiagnostics
    _sm: Any
    seed: int = 0
    _cache: dict[tuple[Any, ...], BootstrapDraws] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.lag_selection is not None:
            object.__setattr__(self, "lag_selection", freeze(dict(self.lag_selection)))

    def __reduce__(self) -> tuple[Any, ...]:
        # the read-only lag_selection goes over plain (frozen again on load); the bootstrap cache stays behind
        state = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "_cache"}
        state["lag_selection"] = thaw(self.lag_selection)
        return (rebuild, (type(self), state))

    # ------------------------------------------------------------------ basics
    @property
    def names(self) -> tuple[str, ...]:
        """Variables in chain order; shock ``j`` is named after ``names[j]``."""
        return self.reduced_form.names

    @property
    def lags(self) -> int:
        """Lag order."""
        return self.reduced_form.lags

    @property
    def nobs(self) -> int:
        """Effective number of observations."""
        return self.reduced_form.nobs

    @property
    def impact(self) -> pd.DataFrame:
        """Impact matrix :math:`B_0^{-1}` (rows: responses, columns: shocks)."""
        return pd.DataFrame(np.array(self.identified.impact), index=list(self.names), columns=list(self.names))

    @property
    def sigma_u(self) -> pd.DataFrame:
        """Residual covariance (degrees-of-freedom corrected, as statsmodels)."""
        return pd.DataFrame(np.array(self.reduced_form.sigma_u), index=list(self.names), columns=list(self.names))

    @property
    def params(self) -> pd.DataFrame:
        """Reduced-form coefficients, one column per equation, statsmodels' row labels.

        Rows: trend terms (``const``, ``trend``, ``trend**2``), the exogenous
        columns by name, then ``L1.x, ..., Lp.x``.
        """
        rows = list(self.reduced_form.deterministic.names)
        rows += [f"L{j}.{n}" for j in range(1, self.lags + 1) for n in self.names]
        return pd.DataFrame(np.array(self.reduced_form.params), index=rows, columns=list(self.names))

    def to_dataframe(self) -> pd.DataFrame:
        """Coefficient table: one row per (equation, regressor), as statsmodels reports it.

        Returns
        -------
        pandas.DataFrame
            Index ``(equation, regressor)`` with :attr:`params`' labels; columns
            ``coef``, ``std_err``, ``t``, ``pvalue`` (statsmodels' OLS standard
            errors, Lütkepohl 2005, sec. 3.2.2).
        """
        cols = {"coef": self._sm.params, "std_err": self._sm.stderr, "t": self._sm.tvalues, "pvalue": self._sm.pvalues}
        frames = {k: pd.DataFrame(np.asarray(v), index=self.params.index, columns=list(self.names))
                  for k, v in cols.items()}
        out = pd.concat({k: f.T.stack() for k, f in frames.items()}, axis=1)
        out.index = out.index.set_names(["equation", "regressor"])
        return out

    @property
    def exog_names(self) -> tuple[str, ...]:
        """Exogenous regressors of the VARX (empty without exog)."""
        return self.reduced_form.exog_names

    @property
    def roots(self) -> np.ndarray:
        """Moduli of the companion eigenvalues, largest first."""
        return np.array(self.reduced_form.roots)

    @property
    def is_stable(self) -> StableFlag:
        """Whether the estimated VAR is stable: call it, ``res.is_stable()``, as in statsmodels.

        Every companion root has modulus below one. The value is also truthy
        itself, so code that read ``res.is_stable`` as an attribute still works.
        """
        return StableFlag(self.reduced_form.is_stable)

    # --------------------------------------------------------------- helpers
    def _scale(self, theta: np.ndarray, impact: np.ndarray, shock_size: ShockSize,
               scale: float | Mapping[str, float]) -> np.ndarray:
        k = len(self.names)
        if isinstance(scale, Mapping):
            unknown = set(scale) - set(self.names)
            if unknown:
                raise ArgumentError(f"scale names unknown shock {sorted(unknown)[0]!r}")
            factors = np.array([float(scale.get(n, 1.0)) for n in self.names])
        else:
            factors = np.full(k, float(scale))
        if shock_size == "unit":
            factors = factors / np.diagonal(impact, axis1=-2, axis2=-1)
        elif shock_size != "std":
            raise ArgumentError(f"shock_size must be 'std' or 'unit', got {shock_size!r}")
        return theta * factors[..., None, None, :]

    def bootstrap(
        self,
        reps: int = 1000,
        *,
        method: BootstrapMethod = _VAR.bootstrap,
        bias_correct: bool = _VAR.bias_correct,
        rng: int | np.random.Generator | None = None,
        block_length: int | None = _VAR.block_length,
    ) -> BootstrapDraws:
        """Bootstrap replications of the whole structural VAR, to reuse across outputs.

        Pass the result to ``irf(bands=draws)``, ``fevd(bands=draws)`` (and the
        other banded outputs) so that every band comes from the same replications
        and the bootstrap runs once.

        Parameters
        ----------
        reps : int
            Replications (all simulated and estimated in one batched computation).
        method : {"block", "residual", "wild"}, default "block"
            ``"block"``: the residual-based moving-block bootstrap of Brüggemann,
            Jentsch & Trenkler (2016), valid for impact responses under
            conditional heteroskedasticity (GARCH, common volatility) as well as
            for the dynamics; ``"residual"``: i.i.d. resampling of the residuals,
            valid under homoskedastic errors; ``"wild"``: Rademacher sign flips
            (Gonçalves & Kilian 2004), valid for responses after impact only: its
            impact bands are far too narrow, and every output drawn from it warns
            (:class:`WildImpactWarning`). Residuals are rescaled by
            ``sqrt(T / (T - k))`` (their degrees of freedom) before resampling.
        bias_correct : bool, default False
            Kilian (1998) bootstrap-after-bootstrap: the slopes' small-sample bias,
            estimated by a first round, is removed from the data-generating
            process and from every replication (shrunk where it would make the
            system explosive).
        rng : int or numpy.random.Generator, optional
            Default: a stream derived from the fit's :attr:`seed`, so the same
            call gives the same draws (and is computed once).
        block_length : int, optional
            Block length of ``method="block"``; default
            :func:`~causalmacro.svar.bootstrap.block_length_rule` (5 for 130 months).

        Returns
        -------
        BootstrapDraws
            Kept replications and the counts of explosive / unidentified ones.

        Warns
        -----
        ExplosiveReplicationsWarning
            When more than 5% of the replications are explosive (they are dropped).
        """
        if isinstance(reps, bool) or not isinstance(reps, int | np.integer) or reps < 2:
            raise ArgumentError(f"reps must be an integer of at least 2, got {reps!r}")
        if method not in ("block", "residual", "wild"):
            raise ArgumentError(f"bootstrap method must be 'block', 'residual' or 'wild', got {method!r}")
        if block_length is not None and (isinstance(block_length, bool) or not isinstance(block_length, int | np.integer)
                                         or not 1 <= block_length <= self.nobs // 2):
            raise ArgumentError(f"block_length must be an integer from 1 to {self.nobs // 2} (half the "
                                f"{self.nobs} periods), got {block_length!r}")
        if block_length is not None and method != "block":
            raise ArgumentError(f"block_length applies to method='block' only, not {method!r}")
        key = (int(reps), method, bool(bias_correct), block_length)
        if rng is None and key in self._cache:
            return self._cache[key]
        seed: int | None = self.seed
        if rng is None:
            gen = np.random.default_rng(np.random.SeedSequence(self.seed).spawn(2)[1])
        else:
            gen, seed = np.random.default_rng(rng), (int(rng) if isinstance(rng, int | np.integer) else None)
        draws = run_bootstrap(
            self.reduced_form, self.identification, self.identified,
            reps=int(reps), method=method, rng=gen, bias_correct=bias_correct, seed=seed, block_length=block_length,
        )
        if draws.n_explosive > EXPLOSIVE_SHARE_WARN * reps:
            warnings.warn(
                f"{draws.n_explosive} of {reps} bootstrap replications ({draws.n_explosive / reps:.0%}) are "
                f"explosive and were dropped; the VAR(p={self.lags}) is close to a unit root "
                f"(largest root {self.roots[0]:.3f}): consider fewer lags or differenced data",
                ExplosiveReplicationsWarning,
                stacklevel=2,
            )
        if rng is None:
            self._cache[key] = draws
        return draws

    def _draws_for(self, bands: Bands | BootstrapDraws, reps: int, bias_correct: bool,
                   rng: int | np.random.Generator | None) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        """Coefficient and impact stacks behind a band, plus attrs."""
        if isinstance(bands, BootstrapDraws):
            if bands.coefs.shape[1:] != self.reduced_form.coefs.shape:
                raise ArgumentError(
                    f"bands: these bootstrap draws have lag matrices of shape {bands.coefs.shape[1:]}, "
                    f"this model {self.reduced_form.coefs.shape}; draw them with this model's bootstrap()"
                )
            draws = bands
        elif bands == "set":
            if self.identified.accepted is None:
                raise ArgumentError("bands='set' needs sign restrictions; use 'block', 'residual' or 'wild'")
            acc = np.array(self.identified.accepted)
            coefs = np.broadcast_to(np.array(self.reduced_form.coefs), (acc.shape[0], *self.reduced_form.coefs.shape))
            w = self.identified.weights
            return coefs, acc, {"bands": "set", "models": int(acc.shape[0]),
                                "interval": "identified set at the point estimate, pointwise quantiles"
                                + (", importance-weighted" if w is not None else ""),
                                "_weights": None if w is None else np.array(w)}
        elif bands in ("block", "residual", "bootstrap", "wild"):
            method: BootstrapMethod = _VAR.bootstrap if bands == "bootstrap" else bands  # type: ignore[assignment]
            draws = self.bootstrap(reps, method=method, bias_correct=bias_correct, rng=rng)
        else:
            raise ArgumentError(
                f"bands must be 'block', 'residual', 'bootstrap', 'wild', 'set' or BootstrapDraws, got {bands!r}"
            )
        if draws.n_kept < 2:
            raise DataError(
                f"only {draws.n_kept} of {draws.reps} bootstrap replications were usable "
                f"({draws.n_explosive} explosive, {draws.n_unidentified} unidentified)"
            )
        if draws.method == "wild":
            warnings.warn(
                "wild bootstrap bands understate the uncertainty of the impact responses and of variance shares "
                "(Brüggemann, Jentsch & Trenkler 2016); read them after impact only, or use method='block'",
                WildImpactWarning, stacklevel=3,
            )
        return draws.coefs, draws.impact, {"bands": draws.method, **draws.attrs(), "interval": _interval(draws)}

    def _add_horizon_unit(self, attrs: dict[str, Any]) -> None:
        """``attrs["horizon_unit"]`` from the data's index (``"months"`` for monthly data), when it says one."""
        unit = horizon_unit(self.reduced_form.index)
        if unit is not None:
            attrs["horizon_unit"] = unit

    def _banded(self, point: xr.DataArray, draws: np.ndarray, level: float, attrs: dict[str, Any],
                joint: bool = False) -> xr.DataArray:
        """``point`` with its band from ``draws``: pointwise percentiles, or sup-t over the horizons (``joint``)."""
        interval = attrs.pop("interval")
        weights = attrs.pop("_weights", None)
        if joint:
            if attrs.get("bands") == "set":
                raise ArgumentError("joint=True needs bootstrap draws: the identified set has no sampling distribution")
            lo, hi = sup_t(point.to_numpy(), draws, level, axis=point.dims.index("horizon"))
            interval += ", sup-t simultaneous over horizons (Montiel Olea & Plagborg-Møller 2019)"
        else:
            if weights is not None:  # importance-weighted identified set (sign and zero restrictions)
                lo, hi = weighted_quantile(draws, weights, [(1 - level) / 2, (1 + level) / 2])
            else:
                lo, hi = pointwise(draws, level)
            interval += ", pointwise percentile" if attrs.get("bands") != "set" else ""
        point.attrs.update(attrs)
        point.attrs["joint"] = int(joint)
        return with_bounds(point, point.copy(data=lo), point.copy(data=hi), level=level, interval=interval)

    # ---------------------------------------------------------------- outputs
    def irf(
        self,
        horizon: int = 24,
        *,
        bands: Bands | BootstrapDraws | None = None,
        reps: int = 1000,
        level: float = 0.9,
        rng: int | np.random.Generator | None = None,
        shock_size: ShockSize = "std",
        scale: float | Mapping[str, float] = 1.0,
        cumulative: bool = False,
        bias_correct: bool = _VAR.bias_correct,
        orth: bool = True,
        joint: bool = False,
    ) -> xr.DataArray:
        """Structural impulse responses :math:`\\Theta_h = \\Phi_h B_0^{-1}`, or with ``orth=False`` :math:`\\Phi_h`.

        Parameters
        ----------
        horizon : int
            Last horizon; horizons ``0..horizon`` are returned.
        bands : {"block", "residual", "wild", "bootstrap", "set"} or BootstrapDraws, optional
            Bands from the bootstrap :meth:`bootstrap` draws with that method
            (``"bootstrap"``: the default method, ``"block"``); ``"set"``:
            pointwise quantiles of the sign-identified set; or the draws of
            :meth:`bootstrap`, reused as they are (the way to share one bootstrap
            between outputs).
        reps : int
            Bootstrap replications (when ``bands`` names a method).
        level : float
            Coverage of the bands: at each horizon (pointwise), or of the whole
            path over the horizons (``joint=True``).
        rng : int or numpy.random.Generator, optional
            Default: derived from the fit's seed (see :meth:`bootstrap`).
        shock_size : {"std", "unit"}
            One-standard-deviation shocks, or shocks that move their own variable by
            one unit on impact.
        scale : float or mapping
            Multiplies the shock size, e.g. ``{"real_rate": 0.25}`` with
            ``shock_size="unit"`` for a 25bp move.
        cumulative : bool
            Accumulated responses (for variables in differences).
        bias_correct : bool, default False
            Kilian (1998) bootstrap-after-bootstrap (when ``bands`` names a method).
        orth : bool
            False: the forecast-error (non-orthogonalised) responses :math:`\\Phi_h`
            to a unit reduced-form innovation :math:`u_j` (statsmodels'
            ``VARResults.irf(h).irfs``; Lütkepohl 2005, sec. 2.3.2), which do not
            depend on the identification; shocks are then named after the
            innovations' variables and ``bands="set"`` does not apply.
        joint : bool, default False
            Simultaneous (sup-t) bands over the horizons of each response path
            (Montiel Olea & Plagborg-Møller 2019; :mod:`causalmacro.bands`): the
            whole path lies inside with probability ``level``, where pointwise
            bands only hold it at each horizon separately. Same ``bound`` layout;
            ``attrs["joint"]`` records which.

        Returns
        -------
        xarray.DataArray
            Named ``"irf"``, dims ``("horizon", "response", "shock", "bound")``:
            ``bound`` is ``["point", "lower", "upper"]`` with bands, ``["point"]``
            without (the same dims either way, so ``.sel(bound="point")`` always works); the
            package's response type (:mod:`causalmacro.labelled`). ``attrs`` hold
            the level and count kept, explosive and unidentified replications, and
            ``horizon_unit`` (``"months"`` for monthly data, from the index's
            frequency; absent when the index has none), which figures label the
            horizon axis with.

        Notes
        -----
        Pointwise bands are percentiles (Efron) at every horizon separately; joint
        bands are ``point -+ c * sd`` with ``sd`` the draws' standard deviation at
        each horizon and ``c`` the ``level`` quantile of the draws' largest
        standardised distance from the point over the path.
        Under sign restrictions the point is the median-target model (Fry & Pagan
        2011); ``bands="set"`` summarises the identified set at the point estimate
        (identification uncertainty only), while bootstrap bands draw one accepted
        rotation per replication and so mix sampling and identification uncertainty.
        """
        _check_horizon(horizon, 0)
        k = len(self.names)
        impact = np.array(self.identified.impact) if orth else np.eye(k)
        coefs = np.array(self.reduced_form.coefs)
        point = self._scale(structural_irf(coefs, impact, horizon, cumulative=cumulative), impact, shock_size, scale)
        names = list(self.names)
        coords = {"horizon": np.arange(horizon + 1), "response": names, "shock": names}
        attrs: dict[str, Any] = {
            "identification": self.identification.name if orth else "none (forecast-error responses)",
            "shock_size": shock_size if orth else "unit innovation",
            "cumulative": int(cumulative),
        }
        self._add_horizon_unit(attrs)
        if not orth:
            attrs["orth"] = 0
        out = xr.DataArray(point, dims=RESPONSE_DIMS, coords=coords, attrs=attrs, name="irf")
        if bands is None:
            return point_only(out)
        level = check_level(level)
        if not orth and isinstance(bands, str) and bands == "set":
            raise ArgumentError("bands='set' needs orth=True: the forecast-error responses have no identified set")
        dc, di, battrs = self._draws_for(bands, reps, bias_correct, rng)
        if not orth:
            di = np.broadcast_to(np.eye(k), di.shape)
        draws = self._scale(structural_irf(dc, di, horizon, cumulative=cumulative), di, shock_size, scale)
        return self._banded(out, draws, level, battrs, joint)

    def robust_irf(self, horizon: int = 24, *, level: float = 0.9, draws: int = 500, rotations: int = 1000,
                   rng: int | np.random.Generator | None = None) -> xr.DataArray:
        """Giacomini-Kitagawa (2021) robust credible sets of sign-identified responses.

        What holds for every prior on the rotation: for posterior draws of the
        reduced form (Normal-inverse-Wishart, flat prior), the bounds of each
        response over the identified set; the shortest interval containing those
        bounds with posterior probability ``level``; the set of posterior means of
        the bounds; and, for comparison, the standard credible interval under the
        uniform prior on the rotation (:mod:`causalmacro.svar.robust`).

        Parameters
        ----------
        horizon : int
        level : float
        draws : int
            Posterior draws of the reduced form.
        rotations : int
            Rotations per draw used to find the set's bounds.
        rng : int or numpy.random.Generator, optional
            Default: derived from the fit's seed.

        Returns
        -------
        xarray.DataArray
            Dims ``("horizon", "response", "shock", "bound")``, ``bound`` in
            ``["point", "lower", "upper", "set_lower", "set_upper", "credible_lower",
            "credible_upper"]``: the median-target point, the robust credible region,
            the set of posterior means, the standard credible interval.
            :func:`causalmacro.svar.robust.prior_informativeness` gives the share of
            the region the single prior removes.

        Raises
        ------
        ArgumentError
            The model is not identified by sign restrictions.
        """
        from causalmacro.svar.robust import robust_irf
        from causalmacro.svar.sign import SignRestrictions

        if not isinstance(self.identification, SignRestrictions):
            raise ArgumentError(f"robust_irf needs sign restrictions; this model is identified by "
                                f"{self.identification.name!r}")
        _check_horizon(horizon, 0)
        level = check_level(level)
        gen = (np.random.default_rng(np.random.SeedSequence(self.seed).spawn(3)[2]) if rng is None
               else np.random.default_rng(rng))
        point = structural_irf(np.array(self.reduced_form.coefs), np.array(self.identified.impact), horizon)
        return robust_irf(self.reduced_form, self.identification, point, horizon, level=level, draws=draws,
                          rotations=rotations, rng=gen)

    def irf_test(
        self,
        horizon: int = 24,
        *,
        bands: Bands | BootstrapDraws = "bootstrap",
        reps: int = 1000,
        rng: int | np.random.Generator | None = None,
        cumulative: bool = False,
        bias_correct: bool = _VAR.bias_correct,
    ) -> pd.DataFrame:
        """Test, for every shock and response, that the whole response path ``0..horizon`` is zero.

        The sup-t test behind the joint bands (:func:`causalmacro.bands.path_pvalue`):
        the statistic is the path's largest point estimate in units of the
        bootstrap standard deviation at its horizon, its p-value the share of
        replications whose largest standardised distance from the point is at
        least as large. ``irf(..., joint=True, level=1 - a)`` excludes zero
        somewhere exactly when the p-value is below ``a``. The p-values are
        raw: adjust them for the number of paths tested together
        (:func:`causalmacro.bands.adjust`), as :func:`causalmacro.dependency_graph` does.

        Parameters
        ----------
        horizon : int
        bands, reps, rng, cumulative, bias_correct
            As in :meth:`irf` (bootstrap draws only; share them with the bands).

        Returns
        -------
        pandas.DataFrame
            One row per ``(shock, response)``: ``statistic``, ``p_value``,
            ``horizons`` (the horizons whose draws vary: a recursive scheme fixes
            the impact response of the variables ordered before the shock).
            ``attrs`` hold the bootstrap's facts and the horizon.
        """
        _check_horizon(horizon, 0)
        if isinstance(bands, str) and bands == "set":
            raise ArgumentError("irf_test needs bootstrap draws: the identified set has no sampling distribution")
        dc, di, battrs = self._draws_for(bands, reps, bias_correct, rng)
        point = structural_irf(np.array(self.reduced_form.coefs), np.array(self.identified.impact), horizon,
                               cumulative=cumulative)
        stat, pval, varies = path_test(point, structural_irf(dc, di, horizon, cumulative=cumulative), axis=0)
        names = list(self.names)
        rows = [{"shock": s, "response": r, "statistic": float(stat[i, j]), "p_value": float(pval[i, j]),
                 "horizons": int(varies[i, j])}
                for j, s in enumerate(names) for i, r in enumerate(names)]
        out = pd.DataFrame(rows)
        battrs.pop("interval")
        out.attrs = {**battrs, "horizon": horizon, "cumulative": int(cumulative),
                     "test": "sup-t: the response path is zero at every horizon"}
        return out

    def exog_response(
        self,
        horizon: int = 24,
        *,
        paths: Mapping[str, Any] | None = None,
        bands: Bands | BootstrapDraws | None = None,
        reps: int = 1000,
        level: float = 0.9,
        rng: int | np.random.Generator | None = None,
        joint: bool = False,
    ) -> xr.DataArray:
        """Dynamic effects of the exogenous regressors (event dummies) of a VARX.

        The effect at horizon ``h`` of regressor ``j`` following the path
        ``d_0, d_1, ...`` from its first period is
        :math:`\\sum_{i=0}^{h} \\Phi_{h-i} c_j d_i`, with :math:`\\Phi` the
        reduced-form MA coefficients and :math:`c_j` the regressor's coefficients
        (Lütkepohl 2005, sec. 10.2: the dynamic multipliers). The default path is
        a unit pulse (``d_0 = 1``); an event dummy's own shape is its path (a
        step: all ones; a window of ``n`` periods: ``n`` ones).

        Parameters
        ----------
        horizon : int
            Last horizon; ``0..horizon`` are returned.
        paths : mapping of str to array-like, optional
            Regressor -> its path from its first period (shorter paths are padded
            with zeros, longer ones cut at ``horizon``).
        bands : {"block", "residual", "wild", "bootstrap"} or BootstrapDraws, optional
            Bootstrap bands (the exogenous columns held fixed).
        reps, level, rng, joint
            As in :meth:`irf`.

        Returns
        -------
        xarray.DataArray
            Named ``"exog_response"``, dims ``("horizon", "response", "shock")`` with
            the regressors as shocks, plus ``bound`` (``["point"]`` without bands); in the
            variables' units per unit of the regressor.

        Raises
        ------
        ArgumentError
            Without exogenous regressors, or for a path naming none of them.

        Notes
        -----
        Draw the bands of one-period dummies with the residual bootstrap: a pulse
        dummy fits its period exactly, so that period's residual is zero and the
        wild bootstrap, which rescales each period's own residual, never perturbs
        it (an observation of leverage one), which makes the bands far too narrow.
        """
        _check_horizon(horizon, 0)
        rf = self.reduced_form
        if not rf.k_exog:
            raise ArgumentError("exog_response: this VAR has no exogenous regressors")
        exog = list(rf.exog_names)
        unknown = [name for name in (paths or {}) if name not in exog]
        if unknown:
            raise ArgumentError(f"paths: '{unknown[0]}' is not an exogenous regressor of this VAR ({exog})")
        d = np.zeros((horizon + 1, len(exog)))
        d[0] = 1.0
        for name, path in (paths or {}).items():
            values = np.asarray(path, dtype=float).ravel()[: horizon + 1]
            d[:, exog.index(name)] = 0.0
            d[: len(values), exog.index(name)] = values
        rows = slice(rf.k_trend, rf.k_trend + rf.k_exog)

        def effects(params: np.ndarray, coefs: np.ndarray) -> np.ndarray:
            phi = ma_coefficients(coefs, horizon)  # (..., H+1, K, K)
            c = params[..., rows, :]  # (..., J, K)
            unit = np.einsum("...hik,...jk->...hij", phi, c)  # response to a pulse of each regressor
            out = np.zeros_like(unit)
            for h in range(horizon + 1):  # out[h] = sum_m unit[h - m] d[m]
                out[..., h, :, :] = np.einsum("...mij,mj->...ij", unit[..., h::-1, :, :], d[: h + 1])
            return out

        point = effects(np.array(rf.params), np.array(rf.coefs))
        coords = {"horizon": np.arange(horizon + 1), "response": list(self.names), "shock": exog}
        out = xr.DataArray(point, dims=RESPONSE_DIMS, coords=coords, name="exog_response",
                           attrs={"shock_size": "unit of the regressor"})
        self._add_horizon_unit(out.attrs)
        if bands is None:
            return point_only(out)
        level = check_level(level)
        if isinstance(bands, str) and bands == "set":
            raise ArgumentError("bands='set' does not apply to exogenous responses: use bootstrap draws")
        if not isinstance(bands, BootstrapDraws):
            if bands not in ("block", "residual", "bootstrap", "wild"):
                raise ArgumentError(f"bands must be 'block', 'residual', 'bootstrap', 'wild' or BootstrapDraws, "
                                    f"got {bands!r}")
            bands = self.bootstrap(reps, method=_VAR.bootstrap if bands == "bootstrap" else bands, rng=rng)
        if bands.params.shape[1:] != rf.params.shape:
            raise ArgumentError("bands: these bootstrap draws are not of this model; draw them with its bootstrap()")
        self._draws_for(bands, reps, bands.bias_corrected, None)  # counts the kept draws, warns for wild ones
        stack = effects(np.array(bands.params), np.array(bands.coefs))
        return self._banded(out, stack, level, {"bands": bands.method, **bands.attrs(),
                                                "interval": _interval(bands)}, joint)

    def fevd(
        self,
        horizon: int = 12,
        *,
        bands: Bands | BootstrapDraws | None = None,
        reps: int = 1000,
        level: float = 0.9,
        rng: int | np.random.Generator | None = None,
        bias_correct: bool = _VAR.bias_correct,
        joint: bool = False,
    ) -> xr.DataArray:
        """Forecast-error variance decomposition for forecast horizons ``1..horizon``.

        Entry ``[h, k, j]`` is the share of the ``h``-step-ahead forecast-error
        variance of variable ``k`` due to shock ``j`` (Lütkepohl 2005, eq. 2.2.36);
        shares over shocks sum to one. Band bounds are pointwise and need not sum to one.

        Parameters
        ----------
        horizon : int
        bands, reps, level, rng, bias_correct, joint
            As in :meth:`irf`.

        Returns
        -------
        xarray.DataArray
            Named ``"fevd"``, dims ``("horizon", "response", "shock", "bound")``
            (``bound`` is ``["point"]`` without bands, as in :meth:`irf`).
        """
        _check_horizon(horizon, 1)
        impact = np.array(self.identified.impact)
        point = fevd_shares(structural_irf(np.array(self.reduced_form.coefs), impact, horizon - 1))
        names = list(self.names)
        coords = {"horizon": np.arange(1, horizon + 1), "response": names, "shock": names}
        attrs: dict[str, Any] = {"identification": self.identification.name}
        self._add_horizon_unit(attrs)
        out = xr.DataArray(point, dims=RESPONSE_DIMS, coords=coords, attrs=attrs, name="fevd")
        if bands is None:
            return point_only(out)
        level = check_level(level)
        dc, di, battrs = self._draws_for(bands, reps, bias_correct, rng)
        return self._banded(out, fevd_shares(structural_irf(dc, di, horizon - 1)), level, battrs, joint)

    def channel_decomposition(
        self,
        shock: str,
        channels: str | Sequence[str],
        horizon: int = 24,
        *,
        bands: Bands | BootstrapDraws | None = None,
        reps: int = 1000,
        level: float = 0.9,
        rng: int | np.random.Generator | None = None,
        joint: bool = False,
    ) -> xr.DataArray:
        """How much of each response to ``shock`` runs through the ``channels`` variables.

        The responses are recomputed with the channel variables' responses held at
        zero by offsetting shocks to them (Bernanke, Gertler & Watson 1997; Sims &
        Zha 2006; :mod:`causalmacro.svar.channels`). This keeps every estimated
        coefficient fixed while a channel is shut, so it is an accounting of the
        estimated dynamics, open to the Lucas (1976) critique, not the effect of a
        policy that would shut the channel.

        Parameters
        ----------
        shock : str
            The shock (e.g. ``"real_rate"``).
        channels : str or sequence of str
            Intermediate variables (e.g. ``["net_liquidity", "hy_spread"]``).
        horizon : int
        bands, reps, level, rng, joint
            As in :meth:`irf`; every part is computed on each replication.

        Returns
        -------
        xarray.DataArray
            Named ``"channel_decomposition"``, dims ``("horizon", "response",
            "part", "bound")`` (``bound`` is ``["point"]`` without bands). Parts: ``"total"``
            (the impulse response), ``"held"`` (all channels shut: what does not
            run through them), ``"through channels"`` (total minus held), and
            ``"through <c>"`` for each channel shut alone (these need not add up
            when channels interact). One-standard-deviation shock. ``attrs``
            hold ``max_offset``, the largest shock to the channel variables
            (in their standard deviations) that holding them all takes at the
            point estimate, and ``credible``: whether it stays within
            :data:`causalmacro.svar.channels.OFFSET_LIMIT`. When it does not,
            the offsets explode with the horizon and the parts are not an
            account of the estimated dynamics; the run summary and the figure
            say so instead of reporting shares.
        """
        from causalmacro.svar.channels import OFFSET_LIMIT, hold_channels, offsetting_shocks

        chans = [channels] if isinstance(channels, str) else list(channels)
        self._check_name(shock, "shock")
        self._check_names("channels", chans)
        if shock in chans or not chans or len(set(chans)) != len(chans):
            raise ArgumentError(f"channels must be distinct variables other than the shock {shock!r}, got {chans}")
        _check_horizon(horizon, 0)
        j = self.names.index(shock)
        idx = [self.names.index(c) for c in chans]

        def parts(theta: np.ndarray) -> np.ndarray:
            total = theta[..., :, :, j]
            held = hold_channels(theta, j, idx)
            each = [total - hold_channels(theta, j, [i]) for i in idx]
            return np.stack([total, held, total - held, *each], axis=-1)

        labels = ["total", "held", "through channels", *[f"through {c}" for c in chans]]
        point_theta = structural_irf(np.array(self.reduced_form.coefs), np.array(self.identified.impact), horizon)
        max_offset = float(np.abs(offsetting_shocks(point_theta, j, idx)).max())
        point = xr.DataArray(
            parts(point_theta), dims=("horizon", "response", "part"),
            coords={"horizon": np.arange(horizon + 1), "response": list(self.names), "part": labels},
            attrs={"identification": self.identification.name, "shock": shock, "channels": ",".join(chans),
                   "shock_size": "std", "max_offset": max_offset,
                   "credible": bool(np.isfinite(max_offset) and max_offset <= OFFSET_LIMIT)},
            name="channel_decomposition",
        )
        self._add_horizon_unit(point.attrs)
        if bands is None:
            return point_only(point)
        level = check_level(level)
        dc, di, battrs = self._draws_for(bands, reps, False, rng)
        return self._banded(point, parts(structural_irf(dc, di, horizon)), level, battrs, joint)

    def structural_shocks(self) -> pd.DataFrame:
        """Structural shocks :math:`\\varepsilon_t = B_0 u_t`.

        Returns
        -------
        pandas.DataFrame
            Effective-sample dates by shocks, one column per shock named after its
            variable in ``order``; unit variance under exact identification.
        """
        eps = np.linalg.solve(np.array(self.identified.impact), np.array(self.reduced_form.resid).T).T
        return pd.DataFrame(eps, index=self.reduced_form.index, columns=list(self.names))

    def bootstrap_shocks(
        self,
        reps: int = 1000,
        *,
        method: BootstrapMethod = _VAR.bootstrap,
        bias_correct: bool = _VAR.bias_correct,
        rng: int | np.random.Generator | None = None,
    ) -> xr.DataArray:
        """Structural shocks of the observed data under bootstrap parameter draws.

        Each kept replication's coefficients and impact matrix are applied to the
        *observed* series, :math:`\\varepsilon^{*}_t = B_0^{*}(y_t - \\nu^{*} - \\sum_j A^{*}_j y_{t-j})`,
        so the draws carry estimation and identification uncertainty about the
        historical shocks; feed them to downstream models to propagate it.
        :math:`\\nu^{*}` includes the exogenous terms at their observed values.

        Parameters
        ----------
        reps, method, bias_correct, rng
            As in :meth:`bootstrap`.

        Returns
        -------
        xarray.DataArray
            Dims ``("draw", "time", "shock")``.
        """
        draws = self.bootstrap(reps, method=method, bias_correct=bias_correct, rng=rng)
        rf = self.reduced_form
        z = lag_matrix(np.array(rf.data), rf.lags, rf.deterministic)
        u = np.array(rf.data[rf.lags:])[None] - z[None] @ draws.params
        eps = np.swapaxes(np.linalg.solve(draws.impact, np.swapaxes(u, -1, -2)), -1, -2)
        return xr.DataArray(
            eps, dims=["draw", "time", "shock"],
            coords={"draw": np.arange(draws.n_kept), "time": rf.index.rename("time"), "shock": list(self.names)},
            attrs=draws.attrs(),
        )

    def historical_decomposition(
        self,
        *,
        bands: BootstrapDraws | None = None,
        level: float = 0.9,
    ) -> xr.DataArray:
        """Historical decomposition of the data into the contributions of each shock.

        :math:`y_t = d_t + \\sum_j \\sum_{i=0}^{t-p-1} \\Theta_{i,\\cdot j}\\, \\varepsilon_{j,t-i}`,
        where :math:`d_t` (coordinate ``"deterministic"``) is the path from the
        trend terms and the first ``p`` observations with all shocks off
        (Kilian & Lütkepohl 2017, sec. 4.3). With exogenous regressors their
        contribution :math:`x^c_t = \\Gamma_x' x_t + \\sum_j A_j x^c_{t-j}` (from zero)
        is the coordinate ``"exogenous"``. Uses the chosen identification
        (:func:`~causalmacro.svar.decomposition.historical_contributions`).

        Parameters
        ----------
        bands : BootstrapDraws, optional
            Draws of :meth:`bootstrap`: each replication's coefficients and impact
            matrix decompose the *observed* sample (its own structural shocks), and
            the band is the pointwise percentile interval of the contributions.
        level : float
            Coverage of the bands.

        Returns
        -------
        xarray.DataArray
            Named ``"historical_decomposition"``, dims ``("time", "response",
            "shock")`` (``response`` as in every other output; it was ``variable``) (plus a last ``bound`` dim with bands); shock coordinates
            are the shock names plus ``"deterministic"`` (and ``"exogenous"``
            when the model has exog), and ``.sum("shock")`` of the point equals
            the data (bounds need not add up).
        """
        rf = self.reduced_form
        z = lag_matrix(np.array(rf.data), rf.lags, rf.deterministic)

        def contributions(params: np.ndarray, coefs: np.ndarray, impact: np.ndarray) -> np.ndarray:
            return historical_contributions(z, np.array(rf.data), params, coefs, impact,
                                            k_trend=rf.k_trend, k_exog=rf.k_exog)

        terms = [*self.names, "deterministic"] + (["exogenous"] if rf.k_exog else [])
        point = xr.DataArray(
            contributions(np.array(rf.params), np.array(rf.coefs), np.array(self.identified.impact)),
            dims=["time", "response", "shock"],
            coords={"time": rf.index.rename("time"), "response": list(self.names), "shock": terms},
            attrs={"identification": self.identification.name}, name="historical_decomposition",
        )
        if bands is None:
            return point
        level = check_level(level)
        dc, di, battrs = self._draws_for(bands, bands.reps, bands.bias_corrected, None)
        draws = contributions(np.asarray(bands.params), dc, di)
        return self._banded(point, draws, level, battrs)

    def forecast(self, steps: int, *, level: float = 0.9, exog_future: Any = None) -> pd.DataFrame:
        """Point forecasts and Gaussian intervals for the ``steps`` periods after the sample.

        Parameters
        ----------
        steps : int
        level : float
            Coverage of the intervals.
        exog_future : pandas.DataFrame or array_like, optional
            Future values of the exogenous columns, ``steps`` rows; required
            exactly when the model has exog.

        Returns
        -------
        pandas.DataFrame
            Forecast dates by a ``(variable, bound)`` column ``MultiIndex``,
            ``bound`` in ``"point"``, ``"lower"``, ``"upper"``; ``attrs`` record
            ``level`` and ``method``.

        Notes
        -----
        Equal to statsmodels' ``forecast`` / ``forecast_interval(y, steps, alpha=1-level)``:
        the interval uses the forecast MSE with the coefficients treated as known
        (Lütkepohl 2005, eq. 2.2.11), as R's ``vars::predict`` does, so it is too
        narrow in short samples. See :mod:`causalmacro.svar.forecast`.
        """
        return var_forecast(self.reduced_form, steps, level=level, exog_future=exog_future)

    def conditional_forecast(
        self,
        conditions: pd.DataFrame,
        steps: int | None = None,
        shocks: Sequence[str] | None = None,
        draws: int = 0,
        rng: int | np.random.Generator | None = None,
        *,
        level: float = _VAR.level,
        exog_future: Any = None,
        parameters: Literal["bootstrap", "point"] | BootstrapDraws | None = None,
    ) -> xr.Dataset:
        """Forecast given hard conditions on future values, or a structural scenario.

        With ``shocks=None`` the Waggoner & Zha (1999) conditional forecast: every
        structural shock may move, and the mean path comes from the minimum-norm shocks
        that meet the conditions exactly. With ``shocks=[...]`` a structural scenario
        (Antolín-Díaz, Petrella & Rubio-Ramírez 2021): only those shocks may move, the
        others stay at zero. With draws, each draw takes by default the coefficients and
        impact matrix of one replication of :meth:`bootstrap` (``parameters="bootstrap"``),
        so the bands carry parameter uncertainty; conditions hold exactly in every draw.

        Parameters
        ----------
        conditions : pandas.DataFrame
            Rows: forecast periods (labels continuing the data's index, or integer
            horizons ``1..H``); columns: some of :attr:`names`; NaN where free.
        steps : int, optional
            Horizon; by default the last conditioned period.
        shocks : sequence of str, optional
            Shocks allowed to move (named after their variables, as in :attr:`names`).
        draws : int
            Draws from the conditional distribution of the shocks (percentile bands).
        rng : int or numpy.random.Generator, optional
            By default the fit's :attr:`seed`, so draws reproduce.
        level : float
            Coverage of the bands.
        exog_future : optional
            Future exogenous values, as in :meth:`forecast`.
        parameters : {"bootstrap", "point"} or BootstrapDraws, optional
            Default ``"bootstrap"`` when ``draws > 0``: ``self.bootstrap(reps)`` with the
            defaults table's ``reps`` (the cached replications when they exist; a Bayesian
            VAR's posterior draws); pass the replications of another ``bootstrap(...)`` call
            to use those (e.g. the run's, with its method and block length). Draw
            ``d`` using replication ``d`` (cycling when fewer were kept). ``"point"``:
            every draw at the estimates (shock uncertainty only). Given replications
            (from :meth:`bootstrap`) are used as they are. Recorded in ``attrs["parameters"]``.

        Returns
        -------
        xarray.Dataset
            ``forecast`` (``horizon``, ``variable``, ``bound``), the implied ``shocks``,
            and with draws ``path_draws`` and ``shock_draws``; ``attrs`` ``kind``,
            ``shocks_allowed``, ``kl``, ``kl_mean``, ``parameters``, ``replications``.
            See :mod:`causalmacro.svar.scenario`.
        """
        replications: Any = None
        if parameters is not None and not isinstance(parameters, str):
            if not all(hasattr(parameters, a) for a in ("params", "coefs", "impact")):
                raise ArgumentError(f"parameters: expected 'bootstrap', 'point' or parameter draws with params, coefs "
                                    f"and impact, got {type(parameters).__name__}")
            replications = parameters
        elif parameters is None or parameters == "bootstrap":
            if draws and not isinstance(draws, bool) and isinstance(draws, int | np.integer) and draws > 0:
                replications = self.bootstrap(_VAR.reps)
            elif parameters == "bootstrap":
                raise ArgumentError("parameters='bootstrap' needs draws > 0")
        elif parameters != "point":
            raise ArgumentError(f"parameters: unknown choice {parameters!r}; expected one of ['bootstrap', 'point'] "
                                "or the replications of bootstrap()")
        return conditional_forecast(self.reduced_form, np.asarray(self.identified.impact), conditions, steps,
                                    shocks=shocks, draws=draws, level=level,
                                    rng=self.seed if rng is None else rng, exog_future=exog_future,
                                    replications=replications)

    def forecast_density(
        self,
        steps: int,
        reps: int = 1000,
        *,
        method: BootstrapMethod = _VAR.bootstrap,
        level: float = _VAR.level,
        rng: int | np.random.Generator | None = None,
        block_length: int | None = _VAR.block_length,
        exog_future: Any = None,
    ) -> xr.DataArray:
        """Predictive distribution of the ``steps`` periods after the sample (a fan chart's data).

        Bootstrap replications (:meth:`bootstrap`, same ``reps``, ``method`` and
        ``block_length``) give re-estimated coefficients; each simulates one future
        path from the last observations with future errors resampled from the
        residuals (moving blocks for ``"block"``). See :mod:`causalmacro.svar.density`.

        Parameters
        ----------
        steps : int
            Periods ahead.
        reps : int, default 1000
            Replications (paths).
        method : {"block", "residual"}, default "block"
            ``"wild"`` has no future errors to draw and raises :class:`ArgumentError`.
        level : float, default 0.9
            Coverage of the outer interval.
        rng : int or numpy.random.Generator, optional
            Default: streams derived from the fit's :attr:`seed` (reproducible).
        block_length : int, optional
        exog_future : pandas.DataFrame or array_like, optional
            Exogenous values of the forecast periods.

        Returns
        -------
        xarray.DataArray
            Dims ``("period", "variable", "quantile")`` with a ``point``
            coordinate holding :meth:`forecast`'s point forecast.
        """
        if method == "wild":
            raise ArgumentError("density forecasts need method 'block' or 'residual', got 'wild' "
                                "(the wild bootstrap keeps each residual at its date and has no future errors to draw)")
        if rng is None:
            gen = np.random.default_rng(np.random.SeedSequence(self.seed).spawn(3)[2])
        else:
            gen = np.random.default_rng(rng)
        draws = self.bootstrap(reps, method=method, rng=None if rng is None else gen, block_length=block_length)
        return density_forecast(self.reduced_form, draws, steps, level=level, rng=gen, exog_future=exog_future)

    # ----------------------------------------------------------------- plots
    def plot(self, horizon: int = 24, **options: Any) -> Any:
        """The impulse-response grid, statsmodels' ``irf().plot()``: the same as :meth:`plot_irf`.

        Parameters
        ----------
        horizon : int
        **options
            Passed to :meth:`plot_irf` (``responses=``, ``shocks=``, ``axes=``, ``units=``, ``bands=``, ...).

        Returns
        -------
        matplotlib.figure.Figure
        """
        return self.plot_irf(horizon, **options)

    def plot_irf(
        self,
        horizon: int = 24,
        *,
        responses: Sequence[str] | None = None,
        shocks: Sequence[str] | None = None,
        axes: Any = None,
        units: Mapping[str, str] | None = None,
        **irf_options: Any,
    ) -> Any:
        """Grid of impulse responses (one row per response, one column per shock): ``irf(...)`` drawn.

        Parameters
        ----------
        horizon : int
        responses, shocks : sequence of str, optional
            Rows and columns to draw; default all.
        axes : array of Axes, optional
        units : mapping, optional
            Variable -> units of its series.
        **irf_options
            Passed to :meth:`irf` (``bands=``, ``reps=``, ``orth=``, ``shock_size=`` ...).

        Returns
        -------
        matplotlib.figure.Figure
            From :func:`causalmacro.plotting.plot_irf`.
        """
        self._check_names("responses", responses or ())
        self._check_names("shocks", shocks or ())
        return plotdispatch.call("plot_irf", self.irf(horizon, **irf_options), responses=responses,
                                 shocks=shocks, axes=axes, units=units)

    def plot_fevd(self, response: str, horizon: int = 12, *, ax: Any = None, **fevd_options: Any) -> Any:
        """Stacked variance shares of ``response`` by shock: ``fevd(...)`` drawn.

        Parameters
        ----------
        response : str
        horizon : int
        ax : matplotlib Axes, optional
        **fevd_options
            Passed to :meth:`fevd`.

        Returns
        -------
        matplotlib.figure.Figure
            From :func:`causalmacro.plotting.plot_fevd`.
        """
        self._check_names("response", [response])
        return plotdispatch.call("plot_fevd", self.fevd(horizon, **fevd_options), response, ax=ax)

    def plot_hd(self, response: str, *, last: int | None = None, ax: Any = None, units: str | None = None) -> Any:
        """Contributions of each shock to ``response`` over time: ``historical_decomposition()`` drawn.

        Parameters
        ----------
        response : str
        last : int, optional
            Only the last ``last`` periods.
        ax : matplotlib Axes, optional
        units : str, optional
            Units of ``response``.

        Returns
        -------
        matplotlib.figure.Figure
            From :func:`causalmacro.plotting.plot_historical_decomposition`.
        """
        self._check_names("response", [response])
        hd = self.historical_decomposition()
        time = hd.indexes["time"]
        if isinstance(time, pd.PeriodIndex):  # the figure's time axis takes dates
            hd = hd.assign_coords(time=time.to_timestamp())
        return plotdispatch.call("plot_historical_decomposition", hd, response,
                                 last=last, ax=ax, units=None if units is None else {response: units})

    # ----------------------------------------------------------------- tests
    def _proxy(self, what: str) -> Proxy:
        if not isinstance(self.identification, Proxy):
            raise ArgumentError(
                f"{what} exists only for identification='proxy'; this model uses {self.identification.name!r}"
            )
        return self.identification

    @property
    def first_stage(self) -> FirstStage:
        """First-stage diagnostics of a proxy SVAR: coefficient, Montiel Olea-Pflueger effective F, overlap.

        See :class:`~causalmacro.svar.proxy.FirstStage`; :class:`ArgumentError` for other schemes.
        """
        return first_stage(self.reduced_form, self._proxy("first_stage"), impact=np.asarray(self.identified.impact))

    def anderson_rubin(self, level: float = 0.9, horizon: int | Sequence[int] = 0) -> pd.DataFrame:
        """Weak-instrument-robust Anderson-Rubin sets of a proxy SVAR's responses.

        Responses of each variable per unit impact response of the instrumented
        variable (Montiel Olea, Stock & Watson 2021): a bounded interval, two rays
        or the whole line; on impact by default, at any horizon with ``horizon``.
        See :func:`causalmacro.svar.proxy.anderson_rubin`.

        Parameters
        ----------
        level : float, default 0.9
        horizon : int or sequence of int, default 0
            One horizon (rows by response) or several (rows by horizon and response).

        Returns
        -------
        pandas.DataFrame
            ``estimate``, ``kind``, ``lower``, ``upper``, ``set`` by response, or by
            ``(horizon, response)`` for a sequence of horizons.
        """
        return anderson_rubin(self.reduced_form, self._proxy("anderson_rubin"), level, horizon)

    def _check_name(self, name: str, argument: str = "variable") -> None:
        if name not in self.names:
            raise ArgumentError(f"{argument}: unknown variable {name!r}; variables are {list(self.names)}")

    def _check_names(self, argument: str, names: Sequence[str]) -> None:
        for name in names:
            self._check_name(name, argument)

    def granger(self, cause: str, effect: str) -> CausalityResult:
        """Deprecated: ``granger(cause, effect)`` is ``causality(effect, cause)``.

        Granger causality has one method, :meth:`causality` (the caused variables
        first, as statsmodels' ``test_causality``); this alias returns the same
        F test and warns.
        """
        warnings.warn("SVARResults.granger(cause, effect) is deprecated; use causality(effect, cause)",
                      DeprecationWarning, stacklevel=2)
        return self.causality(effect, cause)

    def instantaneous(self, a: str, b: str) -> TestResult:
        """Wald test of no instantaneous causality between ``a`` and ``b``.

        Parameters
        ----------
        a, b : str
            Variables of the VAR.

        Returns
        -------
        TestResult
            The chi-square(1) Wald statistic that the residuals of ``a`` and ``b``
            are uncorrelated, and its p-value (symmetric in ``a`` and ``b``).

        Raises
        ------
        ArgumentError
            An unknown variable.
        """
        self._check_name(a, "a")
        self._check_name(b, "b")
        return instantaneous_test(self.reduced_form, a, b)

    def causality_table(self) -> pd.DataFrame:
        """Granger and instantaneous causality for every ordered pair of variables.

        Returns
        -------
        pandas.DataFrame
            One row per ``(cause, effect)``; ``chain_link`` marks pairs adjacent in
            ``order`` (the links of the chain).
        """
        rows = []
        pos = {n: i for i, n in enumerate(self.names)}
        for cause in self.names:
            for effect in self.names:
                if cause == effect:
                    continue
                g = self.causality(effect, cause)
                ins = self.instantaneous(cause, effect)
                rows.append({
                    "cause": cause, "effect": effect, "chain_link": pos[effect] == pos[cause] + 1,
                    "granger_F": g.statistic, "granger_df_num": g.df[0], "granger_df_denom": g.df[1],
                    "granger_pvalue": g.pvalue, "instantaneous_wald": ins.statistic,
                    "instantaneous_pvalue": ins.pvalue,
                })
        return pd.DataFrame(rows)

    # ------------------------------------------------------ inference and I/O
    def _frame(self, m: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(np.array(m, dtype=np.float64), index=list(self.names), columns=list(self.names))

    def _ab(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Estimated A, B and their patterns; only short-run models have them."""
        if not isinstance(self.identification, ShortRun):
            raise IdentificationError(
                "A and B exist only for identification='short_run'; "
                f"this model uses {self.identification.name!r} (see impact)"
            )
        a_pat, b_pat = self.identification.patterns(len(self.names))
        return np.asarray(self.identified.details["A"]), np.asarray(self.identified.details["B"]), a_pat, b_pat

    @property
    def A(self) -> pd.DataFrame:
        """Estimated :math:`A` of the AB-model :math:`A u_t = B \\varepsilon_t` (short-run only).

        Signs are normalised so that each shock raises its own variable on impact.
        Other schemes raise :class:`~causalmacro.svar.IdentificationError`; their
        counterpart is :attr:`impact` (:math:`A = I`, :math:`B = B_0^{-1}`).
        """
        return self._frame(self._ab()[0])

    @property
    def B(self) -> pd.DataFrame:
        """Estimated :math:`B` of the AB-model (short-run only); see :attr:`A`."""
        return self._frame(self._ab()[1])

    @property
    def ab_cov(self) -> pd.DataFrame:
        """Asymptotic covariance of the free entries of A and B (short-run only).

        :math:`(T\\,\\mathcal{I}_a(\\hat\\gamma))^{-1}`, the inverse information matrix
        restricted to the free entries (Lütkepohl 2005, Prop. 9.3), with
        :math:`T` = :attr:`nobs`, evaluated at the estimate; labels ``"A[row,col]"``.
        See :mod:`causalmacro.svar.inference`.
        """
        a, b, a_pat, b_pat = self._ab()
        labels = free_labels(self.names, a_pat, b_pat)
        return pd.DataFrame(ab_covariance(a, b, a_pat, b_pat, self.nobs), index=labels, columns=labels)

    @property
    def A_se(self) -> pd.DataFrame:
        """Asymptotic standard errors of :attr:`A`; fixed entries are 0, as R's ``vars::SVAR``."""
        a, b, a_pat, b_pat = self._ab()
        return self._frame(ab_standard_errors(a, b, a_pat, b_pat, self.nobs)[0])

    @property
    def B_se(self) -> pd.DataFrame:
        """Asymptotic standard errors of :attr:`B`; fixed entries are 0, as R's ``vars::SVAR``."""
        a, b, a_pat, b_pat = self._ab()
        return self._frame(ab_standard_errors(a, b, a_pat, b_pat, self.nobs)[1])

    @property
    def overid_test(self) -> TestResult | None:
        """LR test of the over-identifying short-run restrictions.

        None when the model is exactly identified or not identified by short-run
        restrictions (Lütkepohl 2005, sec. 9.3.2).
        """
        return overid_test(self.identified.details)

    @property
    def long_run(self) -> pd.DataFrame:
        """Long-run (total) impact :math:`\\Xi B_0^{-1}`, :math:`\\Xi = (I - \\sum_j A_j)^{-1}`.

        Rows are responses, columns shocks: the limit of the cumulative impulse
        responses, for any identification of a stable VAR (lower triangular with
        a positive diagonal under ``identification="long_run"``). An explosive VAR
        raises :class:`~causalmacro.errors.DataError`, since its cumulative
        responses do not converge.
        """
        if not self.is_stable():
            raise DataError(
                f"long_run needs a stable VAR; the largest companion root modulus is {self.roots[0]:.4f} >= 1"
            )
        return self._frame(total_impact(np.array(self.reduced_form.coefs), np.array(self.identified.impact)))

    def causality(
        self,
        caused: str | Sequence[str],
        causing: str | Sequence[str] | None = None,
        *,
        kind: CausalityKind = "f",
        signif: float = 0.05,
    ) -> CausalityResult:
        """Joint Granger-causality test: ``causing`` does not Granger-cause ``caused``.

        Parameters
        ----------
        caused : str or sequence of str
            Variable(s) whose equations are tested.
        causing : str or sequence of str, optional
            Variable(s) whose lags are excluded; default: all variables not in ``caused``.
        kind : {"f", "wald"}
            F form or chi-square Wald form (Lütkepohl 2005, sec. 3.6.1).
        signif : float
            Level of the reported critical value and decision.

        Returns
        -------
        CausalityResult
            Statistic, p-value and degrees of freedom equal to statsmodels'
            ``VARResults.test_causality``.
        """
        return granger_causality(self._sm, self.names, caused, causing, kind=kind, signif=signif)

    @property
    def identification_details(self) -> dict[str, Any]:
        """Facts of the identification at the point estimate (read-only mappings), as in :meth:`to_dict`.

        For ``"volatility"``: ``variance_ratios``, their standard errors, ``impact_se``,
        ``llf`` and the tests that the ratios are distinct
        (:class:`~causalmacro.svar.ChangesInVolatility`); for ``"non_gaussian"``: ``df``,
        ``df_se``, ``impact_se``, ``llf``, ``gaussian_shocks``
        (:class:`~causalmacro.svar.NonGaussian`); for ``"proxy"``: ``first_stage``,
        ``placeholder_shocks``; for ``"sign"``: ``acceptance_rate``, ``ess`` and,
        with narrative restrictions, ``narrative``. The keys of every scheme are
        listed in the ``results.json`` reference.
        """
        return dict(self.identified.details)

    @property
    def llf(self) -> float:
        """Log-likelihood: the identification scheme's own where it has one, else the reduced form's.

        Schemes estimated by maximum likelihood (``"volatility"``: the Gaussian
        likelihood with regime covariances :math:`B \\Lambda_m B'` at the GLS
        coefficients, as svars' ``id.cv``; ``"non_gaussian"``: the Student-t
        likelihood of the shocks at the OLS residuals, as svars' ``id.ngml``) put theirs in
        ``identification_details["llf"]``; for every other scheme this is the Gaussian
        log-likelihood of the reduced form (statsmodels' ``VARResults.llf``).
        """
        if "llf" in self.identified.details:
            return float(self.identified.details["llf"])
        return float(self._sm.llf)

    @property
    def aic(self) -> float:
        """Akaike criterion :math:`\\log|\\tilde\\Sigma_u| + 2 n / T`, as statsmodels computes it.

        Lütkepohl (2005), section 4.3.
        """
        return float(self._sm.aic)

    @property
    def bic(self) -> float:
        """Schwarz criterion :math:`\\log|\\tilde\\Sigma_u| + n \\log T / T`, as statsmodels computes it.

        Lütkepohl (2005), section 4.3.
        """
        return float(self._sm.bic)

    @property
    def hqic(self) -> float:
        """Hannan-Quinn criterion :math:`\\log|\\tilde\\Sigma_u| + 2 n \\log\\log T / T`, as statsmodels computes it.

        Lütkepohl (2005), section 4.3.
        """
        return float(self._sm.hqic)

    @property
    def fpe(self) -> float:
        """Final prediction error, as statsmodels computes it.

        Lütkepohl (2005), section 4.3.
        """
        return float(self._sm.fpe)

    def narrative_report(self) -> pd.DataFrame:
        """How much each narrative restriction shrinks the identified set.

        Returns
        -------
        pandas.DataFrame
            See :func:`causalmacro.svar.narrative.narrative_report`.

        Raises
        ------
        ArgumentError
            The model has no narrative restrictions.
        """
        from causalmacro.svar.narrative import narrative_report

        return narrative_report(self.identified.details)

    @property
    def resid(self) -> pd.DataFrame:
        """Reduced-form residuals :math:`\\hat u_t`: effective-sample dates by variables."""
        return pd.DataFrame(np.array(self.reduced_form.resid), index=self.reduced_form.index, columns=list(self.names))

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write these results to ``path`` (a zip of JSON and ``.npy``; see :mod:`causalmacro.svar.io`).

        The data, fit options and the identification (impact matrix, details,
        accepted sign-restricted models) are stored; :meth:`load` re-estimates the
        reduced form and restores the identification without redrawing. The write
        is atomic: a temporary file in the target folder, then a rename.

        Parameters
        ----------
        path : str or path-like
            The file to write.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        from causalmacro.svar.io import save_results

        return save_results(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SVARResults:
        """Read results written by :meth:`save` (:func:`causalmacro.svar.load_results`).

        Parameters
        ----------
        path : str or path-like
            The file :meth:`save` wrote.

        Returns
        -------
        SVARResults
        """
        from causalmacro.svar.io import read_results

        return cls(**read_results(path))

    # ---------------------------------------------------------------- output
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary of the fit: matrices labelled (``index``, ``columns``, ``data``), ISO dates.

        Returns
        -------
        dict
            The ``svar`` key of ``results.json``: variables, lags, sample, lag
            selection, identification, impact matrix, residual covariance,
            coefficients, stability and residual diagnostics.
        """
        rf = self.reduced_form

        def matrix(frame: pd.DataFrame) -> dict[str, Any]:
            return {"index": [str(i) for i in frame.index], "columns": [str(c) for c in frame.columns],
                    "data": frame.to_numpy().tolist()}

        def iso(value: Any) -> str:
            return value.date().isoformat() if isinstance(value, pd.Timestamp) else str(value)

        return {
            "variables": list(self.names),
            "lags": self.lags,
            "trend": rf.trend,
            "exog": list(self.exog_names),
            "nobs": self.nobs,
            "sample": [iso(rf.index[0]), iso(rf.index[-1])],
            "lag_selection": _format.jsonable(self.lag_selection),
            "identification": self.identification.describe(),
            "identification_details": _format.jsonable(dict(self.identified.details)),
            "impact": matrix(self.impact),
            "sigma_u": matrix(self.sigma_u),
            "params": matrix(self.params),
            "max_root": float(rf.roots[0]),
            "stable": self.is_stable(),
            "diagnostics": self.diagnostics.to_dict(),
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        """Plain-text summary: sample, lags, stability, diagnostics, impact matrix.

        Returns
        -------
        str
        """
        return _format.summary_text(self)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (
            f"SVARResults(variables={list(self.names)}, lags={self.lags}, nobs={self.nobs}, "
            f"identification={self.identification.name!r}, stable={self.is_stable()})"
        )

    def _repr_html_(self) -> str:
        return _format.summary_html(self)



def _interval(draws: BootstrapDraws) -> str:
    """What a band from these draws is: ``"<method> bootstrap"`` (and its strata), or ``"posterior credible"``."""
    if draws.method == "posterior":
        return "posterior credible"
    return f"{draws.method} bootstrap" + (f" within {draws.strata}" if draws.strata else "")


def _check_horizon(horizon: int, low: int) -> None:
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < low:
        raise ArgumentError(f"horizon must be an integer >= {low}, got {horizon!r}")


def load_results(path: str | os.PathLike[str]) -> SVARResults:
    """Read SVAR results written by :meth:`SVARResults.save` (same as :meth:`SVARResults.load`).

    Parameters
    ----------
    path : str or path-like
        The file :meth:`SVARResults.save` wrote.

    Returns
    -------
    SVARResults
        The reduced form re-estimated from the stored data and options, the
        identification restored without redrawing.

    Raises
    ------
    DataError
        Naming the file, when it is missing, not a results file, of another
        format version, or corrupt.
    """
    return SVARResults.load(path)
