"""The schema of model specs: frozen pydantic models, unknown keys refused.

Each section of a ``models/*.toml`` file is one model below (:class:`ModelSpec`
the whole file); every choice is a closed ``Literal`` set, and cross-references
(``[var].order`` naming series, assets naming classes) are checked after the
fields. :mod:`causalmacro.spec.load` turns validation errors into one line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .catalog import DERIVED, Aggregation, Transform, lookup
from .defaults import ASSETS as _ASSETS
from .defaults import BVAR as _BVAR
from .defaults import EVALUATION as _EVALUATION
from .defaults import GRAPH as _GRAPH
from .defaults import LP as _LP
from .defaults import MINNESOTA as _MINNESOTA
from .defaults import SCENARIO as _SCENARIO
from .defaults import SIGN as _SIGN
from .defaults import VAR as _VAR
from .defaults import EvaluationModel, LagRule, Trend
from .events import event_catalogue

__all__ = [
    "AssetsSpec",
    "DataSpec",
    "EvaluationSpec",
    "EventSpec",
    "GapSpec",
    "GraphSpec",
    "LPSpec",
    "ModelSpec",
    "PriorSpec",
    "RegimePeriod",
    "RegimeSpec",
    "ReportSpec",
    "SeriesSpec",
    "ShortRunSpec",
    "SignSpec",
    "VARSpec",
]

PanelFrequency = Literal["monthly", "weekly"]
SourceKind = Literal["fred", "csv_dir", "csv", "demo"]
GapPolicy = Literal["error", "drop", "interpolate"]
Identification = Literal["recursive", "short_run", "sign", "long_run", "volatility", "non_gaussian", "proxy"]
RESIDUAL_SCHEMES = ("volatility", "non_gaussian", "proxy")
"""Schemes that re-estimate the shocks from the residuals (``needs_resid``): not on a Bayesian VAR's posterior."""
Name = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]
EventShape = Literal["pulse", "step", "window"]
RegimeRule = Literal["change", "sign", "median", "dates"]

#: Default ``[low, high]`` labels of each rule of :class:`RegimeSpec`.
REGIME_LABELS: dict[str, tuple[str, str]] = {
    "change": ("falling", "rising"),
    "sign": ("negative", "positive"),
    "median": ("below", "above"),
}


_DATE_TEXT = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def _month_date(v: Any) -> Any:
    """A date field's input as a date: TOML dates as they are, ``YYYY-MM-DD`` or ``YYYY-MM`` text parsed.

    The published schema types dates as strings in date format, so text is
    accepted as well as TOML's native dates; anything else (a number, a
    boolean) is left to the strict date check, which refuses it.
    """
    if isinstance(v, str):
        text = v.strip()
        if not _DATE_TEXT.match(text):
            raise ValueError(f"{v!r} is not a date (YYYY-MM-DD or YYYY-MM)")
        try:
            return dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01")
        except ValueError:
            raise ValueError(f"{v!r} is not a valid date") from None
    return v


class _Strict(BaseModel):
    # strict: a value of the wrong JSON type ("24" for an integer, "yes" for a boolean) is refused, as the
    # published schema refuses it; integers stay accepted where a number is expected
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, strict=True)


class DataSpec(_Strict):
    """Where the raw series come from.

    ``fred`` reads the FRED API through the local store (refreshed
    incrementally); ``csv_dir`` a folder of FRED CSV downloads; ``csv`` one CSV
    file with a date column and one column per series; ``demo`` the embedded
    synthetic demo. ``path`` is relative to the spec file.
    """

    source: SourceKind = Field(
        default="fred",
        description="Where the raw series come from: ``fred`` (the FRED API through the local store, refreshed "
        "incrementally; needs a FRED API key), ``csv_dir`` (a folder of FRED CSV downloads), ``csv`` (one CSV "
        "file: a date column and one column per series ID) or ``demo`` (the embedded synthetic demo, offline).",
    )
    path: str | None = Field(
        default=None,
        description="The folder (``csv_dir``) or file (``csv``) to read, relative to the spec file's folder; "
        "required by those two sources and unused by ``fred`` and ``demo``.",
    )
    revision_window_days: int = Field(
        default=92, ge=0, le=3660,
        description="``fred`` only: days before a stored series' last observation that a refresh fetches again "
        "when FRED reports the series updated, so revisions of the latest releases are picked up (0: from the "
        "last stored observation on).",
    )

    @model_validator(mode="after")
    def _path_needed(self) -> DataSpec:
        if self.source in ("csv_dir", "csv") and not self.path:
            raise ValueError(f"source '{self.source}' needs a 'path'")
        return self


class GapSpec(_Strict):
    """What to do with missing values inside the sample window.

    ``error`` refuses them; ``drop`` keeps the longest stretch of the window
    without any (the panel stays regular); ``interpolate`` fills gaps of at most
    ``max_gap`` periods linearly and refuses longer ones. Leading and trailing
    missing values only narrow the window. Nothing is ever forward-filled.
    """

    policy: GapPolicy = Field(
        default="error",
        description="Missing values inside the sample window: ``error`` refuses them, ``drop`` keeps the longest "
        "stretch of the window without any, ``interpolate`` fills gaps of at most ``max_gap`` periods linearly.",
    )
    max_gap: int = Field(
        default=1, ge=1, le=12,
        description="``interpolate`` only: the longest gap filled, in panel periods; a longer gap is an error.",
    )


class SeriesSpec(_Strict):
    """One column of the panel.

    Exactly one of ``id`` (a FRED ID or user column), ``derived`` (a catalogued
    derived series such as ``net_liquidity``) or ``combine`` (a linear
    combination ``{ID = coefficient}``) names where it comes from.
    ``transform`` and ``aggregation`` default to the catalog's (``level`` and
    ``mean`` for uncatalogued series); ``aggregation`` applies to an ``id``
    series only, since a derived or combined column is computed from inputs
    each aligned by its own rule. ``ragged = true`` lets the column start
    later or end earlier than the window (assets with short histories); the
    window is set by the other columns.
    """

    id: str | None = Field(
        default=None, min_length=1,
        description="A FRED series ID (e.g. ``CPIAUCSL``) or a column of the user's data; one of ``id``, "
        "``derived`` and ``combine`` is required.",
    )
    derived: str | None = Field(
        default=None,
        description="A catalogued derived series, computed from its inputs after alignment: ``net_liquidity``, "
        "``real_rate_10y`` or ``term_spread``.",
    )
    combine: dict[str, float] | None = Field(
        default=None,
        description="A linear combination of raw series, ``{ID = coefficient}``, computed after alignment (e.g. "
        "``{DGS10 = 1, DGS2 = -1}``).",
    )
    transform: Transform | None = Field(
        default=None,
        description="Transform of the aligned levels: ``level``, ``log``, ``diff`` (change), ``logdiff`` (100 x "
        "log change, in percent), ``yoy`` (percent change from a year ago) or ``zscore`` (standardised over the "
        "final window); unset: the catalog's (the derived series' own), else ``level``.",
    )
    aggregation: Aggregation | None = Field(
        default=None,
        description="How an ``id`` series is brought to the panel frequency: the period's ``mean``, its ``last`` "
        "value or the ``sum`` (flows); unset: the catalog's, else ``mean``. Not for derived or combined columns.",
    )
    ragged: bool = Field(
        default=False,
        description="Let the column start later or end earlier than the window (an asset with a short history); "
        "the window is set by the other columns.",
    )

    @model_validator(mode="after")
    def _one_origin(self) -> SeriesSpec:
        given = [k for k in ("id", "derived", "combine") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'id', 'derived' or 'combine'")
        if self.derived is not None and self.derived not in DERIVED:
            raise ValueError(
                f"unknown derived series '{self.derived}'{_hint(self.derived, DERIVED)}; "
                f"choose from {sorted(DERIVED)}"
            )
        if self.combine is not None and not self.combine:
            raise ValueError("'combine' needs at least one series")
        return self

    @field_validator("aggregation")
    @classmethod
    def _raw_only(cls, v: Aggregation | None, info: ValidationInfo) -> Aggregation | None:
        # a field validator, so that the error names the key; fields before it are in info.data
        if v is not None and info.data.get("id") is None and (
            info.data.get("derived") is not None or info.data.get("combine") is not None
        ):
            raise ValueError(
                "applies to a raw series ('id') only; "
                "a derived or combined column is computed from inputs each aligned by its own rule"
            )
        return v

    @property
    def inputs(self) -> tuple[str, ...]:
        """Raw series IDs this column reads."""
        if self.id is not None:
            return (self.id,)
        if self.derived is not None:
            return DERIVED[self.derived].inputs
        assert self.combine is not None
        return tuple(self.combine)

    @property
    def resolved_transform(self) -> Transform:
        """The transform applied: the spec's, else the catalog's default."""
        if self.transform is not None:
            return self.transform
        if self.derived is not None:
            return DERIVED[self.derived].transform
        if self.id is not None and (info := lookup(self.id)) is not None:
            return info.transform
        return "level"


PatternEntry = float | Literal["*"]


class ShortRunSpec(_Strict):
    """Short-run A/B restrictions: ``A u_t = B e_t``.

    Each matrix is a list of rows in ``[var].order``; a number fixes an entry,
    ``"*"`` leaves it free. Omitted ``A`` is the identity, omitted ``B`` is
    diagonal and free.
    """

    A: list[list[PatternEntry]] | None = Field(
        default=None,
        description="Pattern of ``A`` in ``A u_t = B e_t``: one row per variable of ``[var].order``, each with one "
        'entry per variable; a number fixes the entry, ``"*"`` leaves it free. Unset: the identity.',
    )
    B: list[list[PatternEntry]] | None = Field(
        default=None,
        description="Pattern of ``B``, written like ``A``. Unset: a free diagonal (one free standard deviation "
        "per shock).",
    )


class NarrativeSpec(_Strict):
    """One narrative restriction on a dated event (Antolín-Díaz & Rubio-Ramírez 2018).

    ``{event = "ftx_collapse_2022", shock = "hy_spread", sign = 1}`` says the
    ``shock`` was positive in the event's period; adding ``variable`` and
    ``contribution`` says it was the largest (or an overwhelming) contributor to
    that variable's unexpected move over ``periods`` periods.
    """

    event: str = Field(
        description="The event: a table of ``[events]`` or an entry of the shipped catalogue (``causalmacro "
        "events`` lists them); its date picks the panel period.",
    )
    shock: Name = Field(description="The restricted shock (a variable of ``[var].order``; a shock is named after "
                        "its variable).")
    sign: Literal[-1, 1] | None = Field(
        default=None, description="The shock's sign in the event's period (1 or -1). Unset: no sign restriction.",
    )
    variable: Name | None = Field(
        default=None,
        description="The variable whose unexpected move the shock drove (with ``contribution``). Unset: none.",
    )
    contribution: Literal["largest", "overwhelming"] | None = Field(
        default=None,
        description="``largest``: the shock is the largest absolute contributor to ``variable``'s unexpected move "
        "over ``periods`` periods; ``overwhelming``: larger than all other shocks together. Unset: none.",
    )
    periods: int = Field(default=1, ge=1, le=24, description="Periods of the contribution restriction, from the "
                         "event's period on.")

    @model_validator(mode="after")
    def _something(self) -> NarrativeSpec:
        if self.sign is None and self.contribution is None:
            raise ValueError("a narrative restriction needs 'sign', or 'contribution' with 'variable'")
        if (self.variable is None) != (self.contribution is None):
            raise ValueError("'variable' and 'contribution' go together")
        return self


class SignEntry(_Strict):
    """A sign that holds over its own horizons: ``{sign = -1, horizons = [2, 6]}``."""

    sign: Literal[-1, 1] = Field(description="The required sign of the response (1 or -1).")
    horizons: Annotated[int, Field(ge=0, le=60)] | Annotated[list[Annotated[int, Field(ge=0, le=60)]],
                                                            Field(min_length=2, max_length=2)] = Field(
        description="Horizons the sign holds at: ``h`` (``0..h``) or ``[first, last]``.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> SignEntry:
        if isinstance(self.horizons, list) and self.horizons[0] > self.horizons[1]:
            raise ValueError(f"horizons [{self.horizons[0]}, {self.horizons[1]}] run backwards; give [first, last]")
        return self


SignValue = Annotated[
    Annotated[Literal[-1, 1], Tag("literal[sign]")] | Annotated[SignEntry, Tag("literal[table]")],
    Discriminator(lambda v: "literal[table]" if isinstance(v, Mapping | BaseModel) else "literal[sign]"),
]


class SignSpec(_Strict):
    """Sign (and zero) restrictions on impulse responses.

    ``signs = { shock = { variable = 1 or -1 } }`` restricts the response of
    ``variable`` to ``shock`` at horizons ``0..horizons``; ``zeros = { shock =
    [variable, ...] }`` sets impact responses to zero.
    """

    signs: dict[Name, dict[Name, SignValue]] = Field(
        min_length=1,
        description="``{shock = {variable = 1 or -1}}``: the sign of each restricted response (names from "
        "``[var].order``; a shock is named after its variable), at horizons ``0..horizons``; or ``{sign = -1, "
        "horizons = [2, 6]}`` for a sign over its own horizons. Unrestricted shocks are not individually "
        "identified.",
    )
    zeros: dict[Name, list[Name]] | None = Field(
        default=None,
        description="``{shock = [variable, ...]}``: responses that are zero on impact. Unset: none.",
    )
    horizons: int = Field(
        default=_SIGN.horizons, ge=0, le=60,
        description="The signs must hold at horizons ``0..horizons`` (0: on impact only), in panel periods.",
    )
    draws: int = Field(
        default=_SIGN.draws, ge=100, le=1_000_000,
        description="Random rotations drawn for the identified set of the point estimate; the accepted ones make "
        "the set bands.",
    )
    narrative: list[NarrativeSpec] = Field(
        default_factory=list,
        description="Narrative restrictions on dated events (Antolín-Díaz & Rubio-Ramírez 2018), one table each: "
        "``{event, shock, sign}`` and/or ``{variable, contribution, periods}``. Empty: none.",
    )


class VolatilitySpec(_Strict):
    """Identification through changes in volatility (Rigobon 2003; Lanne & Lütkepohl 2008).

    The residual covariance changes at known dates while the impact matrix stays
    put; the variance regimes come from ``breaks`` (dates, each starting a new
    regime) or from a ``[regimes]`` definition (``regime``). Give exactly one.
    """

    breaks: list[Annotated[dt.date, BeforeValidator(_month_date)]] | None = Field(
        default=None, min_length=1,
        description="Dates (``YYYY-MM`` or ``YYYY-MM-DD``) each starting a new variance regime, in time order.",
    )
    regime: Name | None = Field(
        default=None, description="A ``[regimes]`` definition whose labels are the variance regimes.",
    )
    stratify: bool = Field(
        default=False,
        description="Draw the bootstrap's blocks within each regime's own periods (false: from the whole sample, "
        "which covered better in the Monte Carlo of ``benchmarks/bench_volatility_coverage.py``).",
    )

    @model_validator(mode="after")
    def _one_source(self) -> VolatilitySpec:
        if (self.breaks is None) == (self.regime is None):
            raise ValueError("give exactly one of 'breaks' (dates) and 'regime' (a [regimes] definition)")
        if self.breaks is not None and sorted(set(self.breaks)) != list(self.breaks):
            raise ValueError("'breaks' must be distinct dates in time order")
        return self


class ProxySpec(_Strict):
    """An external instrument for one shock (proxy SVAR; Stock & Watson 2012, Mertens & Ravn 2013).

    ``file`` is a CSV with a date column first and the instrument in ``column``
    (high-frequency policy surprises, say), relative to the spec file; it may
    cover part of the sample (missing values are left out of the first stage).
    """

    file: str = Field(min_length=1, description="The instrument's CSV file (a date column first), relative to the "
                      "spec file's folder.")
    column: str = Field(min_length=1, description="The instrument's column in ``file``.")
    shock: Name = Field(description="The variable of ``[var].order`` whose shock the instrument moves.")


class PriorSpec(_Strict):
    """The Minnesota prior of the Bayesian VAR (``[var] estimator = "bvar"``; :class:`causalmacro.Minnesota`).

    The keys are R ``BVAR``'s hyperparameters by their meaning (Giannone, Lenza &
    Primiceri 2015). With ``hyper = "glp"`` the values of ``lambda``, ``soc`` and
    ``sur`` are the modes of their Gamma hyperpriors and the search's start; the
    values chosen are recorded in the run's ``choices.bvar``.
    """

    lambda_: float = Field(
        default=_MINNESOTA.lambda_, gt=0, alias="lambda",
        description="Overall tightness of the coefficients around a random walk (smaller: tighter); with "
        "``hyper = \"glp\"`` the mode of its Gamma hyperprior.",
    )
    alpha: float = Field(
        default=_MINNESOTA.alpha, gt=0,
        description="Lag decay: the prior variance of lag ``l`` shrinks as ``1 / l**alpha``.",
    )
    psi: dict[Name, Annotated[float, Field(gt=0)]] | None = Field(
        default=None,
        description="``{variable = scale}``: the diagonal of the inverse-Wishart scale, one per variable of "
        "``[var].order``. Unset: R ``BVAR``'s automatic choice (each series' AR(p) residual standard deviation).",
    )
    b: Annotated[float, Field(allow_inf_nan=False)] | dict[Name, Annotated[float, Field(allow_inf_nan=False)]] | \
        Literal["auto"] = Field(
        default=_MINNESOTA.b,
        description="Prior mean of each variable's own first lag: one number (1: random walk, R ``BVAR``'s "
        "default; 0: white noise), ``{variable = value}`` for every variable of ``[var].order``, or ``\"auto\"``: "
        f"0 for a series whose transform is a change ({', '.join(_MINNESOTA.b_changes)}), 1 for one in levels "
        "(Banbura, Giannone & Reichlin 2010), the values recorded in the run's ``choices.bvar.b``.",
    )
    soc: float | None = Field(
        default=None, gt=0,
        description="Tightness of the sum-of-coefficients dummy (smaller: tighter). Unset: no such dummy.",
    )
    sur: float | None = Field(
        default=None, gt=0,
        description="Tightness of the single-unit-root dummy (smaller: tighter). Unset: no such dummy.",
    )
    hyper: Literal["fixed", "glp"] = Field(
        default=_BVAR.hyper,
        description="``glp``: ``lambda`` (and ``soc``, ``sur`` where set) at the mode of their posterior, marginal "
        "likelihood times Gamma hyperpriors (Giannone, Lenza & Primiceri 2015); ``fixed``: as given.",
    )
    draws: int | None = Field(
        default=None, ge=2, le=1_000_000,
        description="Exact posterior draws behind the bands. Unset: the run's replications (``[var].reps``, or "
        "``causalmacro run --reps``).",
    )


class VARSpec(_Strict):
    """Settings of the structural VAR (see :class:`causalmacro.SVAR`) and of its outputs.

    ``identification = "short_run"`` needs a ``[var.short_run]`` table and
    ``"sign"`` a ``[var.sign]`` table. ``reps`` bootstrap replications (0: no
    bands) of the ``bootstrap`` kind give the impulse-response and FEVD bands of
    coverage ``level``; ``bands = "auto"`` uses them, except under sign
    restrictions, where the bands summarise the identified set (``"set"``).
    ``fevd_horizon`` is the last forecast horizon of the variance decomposition.
    """

    order: list[Name] = Field(
        min_length=2,
        description="The VAR's variables (series of the spec) in causal order along the chain: the Cholesky "
        "order of the recursive scheme; shock ``j`` is named after the ``j``-th variable.",
    )
    lags: Annotated[int, Field(ge=1)] | LagRule = Field(
        default=_VAR.lags,
        description="Lag order: a number of periods (>= 1), or the information criterion (``aic``, ``bic``, "
        "``hqic``) that picks it from ``1..max_lags`` (a choice of 0 is raised to 1, with a note).",
    )
    max_lags: int = Field(
        default=_VAR.max_lags, ge=1, le=48,
        description="The largest lag order a criterion tries (lowered where the sample cannot support it); "
        "unused when ``lags`` is a number.",
    )
    trend: Trend = Field(
        default=_VAR.trend,
        description="Deterministic terms of every equation, as in statsmodels: ``n`` none, ``c`` a constant, "
        "``ct`` a constant and a linear trend, ``ctt`` and a quadratic trend.",
    )
    identification: Identification = Field(
        default=_VAR.identification,
        description="How the structural shocks are identified: ``recursive`` (Cholesky along ``order``), "
        "``short_run`` (A/B restrictions, ``[var.short_run]``), ``sign`` (sign and zero restrictions, "
        "``[var.sign]``; set-identified) or ``long_run`` (Blanchard-Quah: no long-run effect on earlier "
        "variables).",
    )
    horizon: int = Field(
        default=_VAR.horizon, ge=1, le=240,
        description="Last horizon of the impulse responses (and channel decompositions and event effects), in "
        "panel periods: horizons ``0..horizon``.",
    )
    reps: int = Field(
        default=_VAR.reps, ge=0, le=100_000,
        description="Bootstrap replications behind the bands (0: no bootstrap bands, 1 is refused); "
        "``causalmacro run --reps`` overrides it.",
    )
    level: float = Field(
        default=_VAR.level, gt=0, lt=1,
        description="Coverage of every band of the run, pointwise (0.9: 90% bands): the VAR's bootstrap or "
        "set bands, the local projections' intervals and the asset model's HDIs.",
    )
    bootstrap: Literal["block", "residual", "wild"] = Field(
        default=_VAR.bootstrap,
        description="Bootstrap kind: ``block`` (default) resamples moving blocks of residuals (Brüggemann, Jentsch "
        "& Trenkler 2016), valid for impact responses under conditional heteroskedasticity such as crypto and "
        "credit returns; ``residual`` resamples them i.i.d. (homoskedastic errors); ``wild`` flips their signs "
        "(Rademacher): valid for responses after impact only, its impact bands are far too narrow.",
    )
    block_length: int | None = Field(
        default=_VAR.block_length, ge=1, le=120,
        description="Block length of the ``block`` bootstrap, in panel periods; unset: ``round(1.5 T^(1/4))`` "
        "(5 for 130 months; :func:`causalmacro.svar.bootstrap.block_length_rule`).",
    )
    bias_correct: bool = Field(
        default=_VAR.bias_correct,
        description="Kilian (1998) bootstrap-after-bootstrap bias correction of the slopes behind every band.",
    )
    joint: bool = Field(
        default=_VAR.joint,
        description="Simultaneous (sup-t) bootstrap bands over the horizons (Montiel Olea & Plagborg-Møller 2019) "
        "for the run's impulse responses, channel decompositions, event effects and local projections: each path "
        "lies inside its band with probability ``level``; false: pointwise bands, which hold at each horizon "
        "separately. Variance decompositions stay pointwise.",
    )
    bands: Literal["auto", "bootstrap", "set", "posterior", "none"] = Field(
        default=_VAR.bands,
        description="The bands drawn: ``bootstrap``, ``set`` (the identified set of sign restrictions), "
        "``posterior`` (credible bands of the Bayesian VAR), ``none``; ``auto`` is ``posterior`` with "
        "``estimator = \"bvar\"``, else ``set`` under sign restrictions, else ``bootstrap`` (``none`` when "
        "``reps`` is 0).",
    )
    fevd_horizon: int = Field(
        default=_VAR.fevd_horizon, ge=1, le=240,
        description="Last forecast horizon of the variance decomposition, in panel periods: horizons "
        "``1..fevd_horizon``.",
    )
    short_run: ShortRunSpec | None = Field(
        default=None,
        description='The A/B restrictions; required when ``identification = "short_run"``.',
    )
    sign: SignSpec | None = Field(
        default=None,
        description='The sign restrictions; required when ``identification = "sign"``.',
    )
    volatility: VolatilitySpec | None = Field(
        default=None,
        description='The variance regimes; required when ``identification = "volatility"``.',
    )
    proxy: ProxySpec | None = Field(
        default=None,
        description='The external instrument; required when ``identification = "proxy"``.',
    )
    compare: list[Identification] = Field(
        default_factory=list,
        description="Schemes whose impulse responses the report draws beside the chosen one's (e.g. "
        '``["recursive"]``), each configured by its own table. Empty: none.',
    )
    estimator: Literal["ols", "bvar"] = Field(
        default=_VAR.estimator,
        description="``ols``: the VAR by least squares, bootstrap bands. ``bvar``: the Bayesian VAR with the "
        "Minnesota prior of ``[var.prior]`` (:class:`causalmacro.BVAR`), identified on its exact posterior draws "
        "(posterior credible bands); a constant only (``trend = \"c\"``), no event dummies in the VAR, and "
        "schemes that read the posterior's ``(B, Sigma)`` only: ``recursive``, ``short_run``, ``sign``, "
        "``long_run``.",
    )
    prior: PriorSpec | None = Field(
        default=None,
        description='The Bayesian VAR\'s Minnesota prior; only with ``estimator = "bvar"`` (unset: its defaults).',
    )

    @field_validator("reps")
    @classmethod
    def _reps_zero_or_two(cls, v: int) -> int:
        if v == 1:
            raise ValueError("reps must be 0 (no bands) or at least 2")
        return v

    @property
    def band_kind(self) -> Literal["bootstrap", "set", "posterior", "none"]:
        """The bands the main job draws: ``bands`` with ``"auto"`` resolved."""
        return self.band_kind_for(self.reps)

    def band_kind_for(self, reps: int) -> Literal["bootstrap", "set", "posterior", "none"]:
        """The bands drawn with ``reps`` bootstrap replications (a command-line override)."""
        if self.estimator == "bvar":
            return "posterior" if self.bands != "none" and self.posterior_draws(reps) >= 2 else "none"
        if self.bands in ("set", "none"):
            return self.bands
        if self.bands == "auto" and self.identification == "sign":
            return "set"
        return "bootstrap" if reps >= 2 else "none"

    def posterior_draws(self, reps: int) -> int:
        """The Bayesian VAR's posterior draws: ``[var.prior].draws``, else the run's ``reps``."""
        return self.prior.draws if self.prior is not None and self.prior.draws is not None else int(reps)

    def _check_estimator(self) -> None:
        """The Bayesian VAR's limits, and a prior only with it."""
        if self.estimator == "ols":
            if self.prior is not None:
                raise _KeyError(("var", "prior"), "a prior needs estimator 'bvar'; set [var] estimator = \"bvar\" "
                                "or remove [var.prior]")
            if self.bands == "posterior":
                raise _KeyError(("var", "bands"), "'posterior' bands need estimator 'bvar'; use 'bootstrap'")
            return
        for loc, scheme in [(("var", "identification"), self.identification),
                            *((("var", "compare", i), s) for i, s in enumerate(self.compare))]:
            if scheme in RESIDUAL_SCHEMES:
                raise _KeyError(loc, f"identification '{scheme}' re-estimates the shocks from the residuals, which a "
                                "Bayesian VAR's posterior does not describe; with estimator 'bvar' use recursive, "
                                "short_run, sign or long_run")
        if self.bands in ("bootstrap", "set"):
            raise _KeyError(("var", "bands"), f"'{self.bands}' bands need estimator 'ols'; a Bayesian VAR's bands "
                            "are 'posterior' (or 'auto')")
        if self.trend != "c":
            raise _KeyError(("var", "trend"), f"'{self.trend}': the Bayesian VAR has a constant only; use trend = "
                            "\"c\" with estimator 'bvar'")
        if self.bias_correct:
            raise _KeyError(("var", "bias_correct"), "bias correction applies to bootstrap bands, not to estimator "
                            "'bvar'")
        for key in ("psi", "b"):
            table = getattr(self.prior, key) if self.prior is not None else None
            if isinstance(table, dict) and sorted(table) != sorted(self.order):
                odd = [n for n in table if n not in self.order] or [n for n in self.order if n not in table]
                raise _KeyError(("var", "prior", key), f"needs one value for each variable of [var].order; "
                                f"'{odd[0]}' is {'not a variable of [var].order' if odd[0] in table else 'missing'}")

    @model_validator(mode="after")
    def _scheme_options(self) -> VARSpec:
        self._check_estimator()
        if self.bands == "set" and self.identification != "sign":
            raise _KeyError(("var", "bands"), "'set' bands need identification 'sign'; use 'bootstrap'")
        if self.bands == "bootstrap" and self.reps < 2:
            raise _KeyError(("var", "bands"), "bootstrap bands need reps >= 2")
        for i, scheme in enumerate(self.compare):
            if scheme == self.identification:
                raise _KeyError(("var", "compare", i), f"'{scheme}' is the chosen identification; compare others")
            self._check_scheme(scheme, ("var", "compare", i))
        if len(set(self.compare)) != len(self.compare):
            raise _KeyError(("var", "compare"), "a scheme appears twice")
        self._check_scheme(self.identification, ("var", "identification"))
        return self

    def _check_scheme(self, scheme: str, where: tuple[str | int, ...]) -> None:
        """The table a scheme needs is there and names variables of the order."""
        k = len(self.order)
        table = {"short_run": "short_run", "sign": "sign", "volatility": "volatility", "proxy": "proxy"}.get(scheme)
        if table is not None and getattr(self, table) is None:
            what = {"short_run": "A and/or B", "sign": "signs", "volatility": "breaks or regime",
                    "proxy": "file, column and shock"}[table]
            at = where if where[-1] != "identification" else ("var", table)
            raise _KeyError(at, f"identification '{scheme}' needs a [var.{table}] table with {what}")
        named: list[tuple[tuple[str | int, ...], str]] = []
        if scheme == "short_run" and self.short_run is not None:
            for key in ("A", "B"):
                mat = getattr(self.short_run, key)
                if mat is not None and (len(mat) != k or any(len(row) != k for row in mat)):
                    raise _KeyError(("var", "short_run", key), f"must be {k} rows of {k} entries (one per variable of order)")
        if scheme == "sign" and self.sign is not None:
            for shock, responses in self.sign.signs.items():
                named += [(("var", "sign", "signs"), n) for n in (shock, *responses)]
            for shock, zeroed in (self.sign.zeros or {}).items():
                named += [(("var", "sign", "zeros"), n) for n in (shock, *zeroed)]
            for i, r in enumerate(self.sign.narrative):
                named += [(("var", "sign", "narrative", i), n) for n in (r.shock, r.variable) if n is not None]
        if scheme == "proxy" and self.proxy is not None:
            named.append((("var", "proxy", "shock"), self.proxy.shock))
            if self.bootstrap == "wild":
                raise _KeyError(("var", "bootstrap"), "a proxy needs 'block' (or 'residual') bootstrap bands: the "
                                "wild bootstrap does not keep the instrument's link to the shocks (Jentsch & Lunsford 2022)")
        for loc, name in named:
            if name not in self.order:
                raise _KeyError(loc, f"'{name}' is not a variable of [var].order{_hint(name, self.order)}")


class AssetsSpec(_Strict):
    """Settings of the Bayesian asset-response model.

    ``groups`` maps each asset (a series of the spec, usually a return) to its
    class, e.g. ``{btc = "crypto", nasdaq = "equity"}``; ``shocks`` names the
    SVAR shocks used (default: every variable of ``[var].order`` that is not an
    asset; naming an asset is refused, since its own shock would explain its
    returns). ``flip`` lists assets measured so that a rise is a loss to their
    holders (a yield or spread change): their sign is flipped before fitting,
    so every response on the spectrum reads as a gain (positive) or a loss.
    ``sampler`` is the blocked Gibbs sampler (default; see
    :mod:`causalmacro.bayes.gibbs`), PyMC's NUTS or nutpie, which sample the same
    posterior; ``draws`` and ``tune`` are per chain. Unset, the Gibbs sampler
    (8 chains) samples to the convergence gate: ``burn_sweeps`` of warm-up, then
    ``first_sweeps`` kept sweeps a chain, then ``extra_sweeps`` more a round until
    R-hat and bulk ESS pass on all kept sweeps, at most ``max_sweeps`` in all
    (:mod:`causalmacro.bayes.rounds`);
    set, it runs that fixed count. The NUTS samplers' defaults are PyMC 4 x
    (1000 tuning + 1000) steps, nutpie 4 x (1500 tuning + 2500) steps, what the
    demo needs to pass the gate; ``target_accept`` applies to the NUTS samplers
    only.
    """

    groups: dict[Name, Name] = Field(
        min_length=2,
        description="``{asset = class}``: the assets (series of the spec, usually returns) and the class each is "
        'pooled in, e.g. ``{btc = "crypto", nasdaq = "equity"}``; two assets at least.',
    )
    shocks: list[Name] | None = Field(
        default=None,
        description="The SVAR shocks the assets respond to (variables of ``[var].order`` that are not assets: an "
        "asset's own shock would explain its returns, and is refused). Unset: every variable of the order that is "
        "not an asset.",
    )
    flip: list[Name] = Field(
        default_factory=list,
        description="Assets whose sign is flipped before fitting because a rise is a loss to their holders (a "
        "yield or spread change), so every response reads as a gain (positive) or a loss. Unset: none.",
    )
    lags: int = Field(
        default=_ASSETS.lags, ge=0, le=12,
        description="Highest lag ``L`` of the shocks in each asset's regression (lags ``0..L``, in panel periods); "
        "the responses are cumulative up to it.",
    )
    sampler: Literal["gibbs", "pymc", "nutpie"] = Field(
        default=_ASSETS.sampler,
        description="The posterior sampler: ``gibbs`` (the package's blocked Gibbs sampler), ``pymc`` or "
        "``nutpie`` (NUTS); all sample the same posterior. ``causalmacro run --sampler`` overrides it.",
    )
    draws: int | None = Field(
        default=None, ge=100,
        description="Kept draws per chain. Unset: Gibbs samples to the convergence gate (``burn_sweeps``, "
        "``first_sweeps``, ``extra_sweeps``, ``max_sweeps``), PyMC keeps 1000, nutpie 2500.",
    )
    tune: int | None = Field(
        default=None, ge=100,
        description="Burn-in sweeps (Gibbs, with ``draws``) or tuning steps (NUTS) per chain, discarded. Unset: "
        "the sampler's default (Gibbs 200 with ``draws``, PyMC 1000, nutpie 1500).",
    )
    chains: int | None = Field(
        default=None, ge=1, le=16,
        description="Number of chains. Unset: the sampler's default (Gibbs 8, NUTS 4).",
    )
    target_accept: float = Field(
        default=_ASSETS.target_accept, gt=0.5, lt=1,
        description="Target acceptance rate of the NUTS samplers (``pymc``, ``nutpie``); unused by Gibbs.",
    )
    burn_sweeps: int = Field(
        default=_ASSETS.burn_sweeps, ge=0, le=1_000_000,
        description="Gibbs without ``draws``: warm-up sweeps of every chain, discarded, before the kept sweeps.",
    )
    first_sweeps: int = Field(
        default=_ASSETS.first_sweeps, ge=4, le=1_000_000,
        description="Gibbs without ``draws``: kept sweeps of every chain (after the warm-up) before the "
        "convergence gate is first applied (to every kept sweep).",
    )
    extra_sweeps: int = Field(
        default=_ASSETS.extra_sweeps, ge=1, le=1_000_000,
        description="Gibbs without ``draws``: kept sweeps added to every chain (continuing it) each time the gate "
        "fails.",
    )
    max_sweeps: int = Field(
        default=_ASSETS.max_sweeps, ge=4, le=1_000_000,
        description="Gibbs without ``draws``: the cap on sweeps per chain, warm-up included; reaching it with the "
        "gate failing fails the fit as a fixed count does (a warning, the report's banner).",
    )
    regime: Name | None = Field(
        default=None,
        description="A ``[regimes]`` definition to fit the responses by: each return gets the regime of the "
        "period before it, and the spectrum is reported per regime. Unset: one set of responses.",
    )

    @model_validator(mode="after")
    def _check_sweeps(self) -> AssetsSpec:
        if self.sampler == "gibbs" and self.tune is not None and self.draws is None:
            raise ValueError("tune: set draws too (a fixed count), or neither (the Gibbs sampler samples to the "
                             "convergence gate)")
        if self.max_sweeps < self.burn_sweeps + self.first_sweeps:
            raise ValueError(f"max_sweeps: expected at least burn_sweeps + first_sweeps "
                             f"({self.burn_sweeps + self.first_sweeps}), got {self.max_sweeps}")
        return self


class GraphSpec(_Strict):
    """The significance rule of the dependency graph (see :func:`causalmacro.graph.dependency_graph`).

    A chain edge ``source -> target`` is significant when the sup-t test that
    the whole response path of ``target`` to ``source``'s shock is zero has a
    p-value below ``alpha`` once adjusted by ``multiplicity`` for every chain
    link tested together (``holm``: the chance of any false edge is at most
    ``alpha``; ``bh``: the expected share of false edges among those drawn is
    at most ``alpha``; ``none``: ``alpha`` per link). Granger p-values are
    adjusted the same way and reported. ``min_run`` is deprecated and ignored.
    """

    alpha: float = Field(
        default=_GRAPH.alpha, gt=0, lt=1,
        description="Error rate of the graph's rule: a chain edge is significant when the adjusted p-value of the "
        "sup-t test of its whole response path is below it.",
    )
    multiplicity: Literal["holm", "bh", "none"] = Field(
        default=_GRAPH.multiplicity,
        description="How the p-values of all chain links tested together are adjusted: ``holm`` (family-wise "
        "error rate), ``bh`` (Benjamini-Hochberg, false discovery rate) or ``none`` (each link at ``alpha``).",
    )
    min_run: int | None = Field(
        default=None, ge=1, le=60,
        description="Deprecated and ignored (the whole-path test replaced the run of consecutive horizons); "
        "accepted with a DeprecationWarning.",
    )

    @field_validator("min_run")
    @classmethod
    def _deprecated_min_run(cls, v: int | None) -> int | None:
        if v is not None:
            warnings.warn("[graph] min_run is deprecated and ignored: a chain edge is decided by the sup-t test "
                          "of its whole response path ([graph] alpha, multiplicity)", DeprecationWarning,
                          stacklevel=2)
        return v


class ReportSpec(_Strict):
    """What the main job's report shows.

    ``focus`` is the variable whose variance and historical decompositions are
    drawn (default: the last of ``[var].order``, the asset at the end of the
    chain); ``hd_periods`` the number of most recent periods of the historical
    decomposition figure. ``channels`` are the intermediate variables of the
    channel decomposition of the focus variable's responses to ``channel_shocks``
    (:meth:`causalmacro.SVARResults.channel_decomposition`); by default the
    middle of the chain (``order[2:-1]``: liquidity and risk appetite) and its
    first two shocks (inflation and rates), when the chain has four variables or
    more; ``[]`` turns it off.
    """

    focus: Name | None = Field(
        default=None,
        description="The variable of ``[var].order`` whose variance and historical decompositions and channels "
        "are drawn. Unset: the last of the order (the asset at the end of the chain).",
    )
    hd_periods: int = Field(
        default=36, ge=2, le=1200,
        description="Most recent periods shown in the historical-decomposition figure.",
    )
    channels: list[Name] | None = Field(
        default=None,
        description="Intermediate variables of the channel decomposition (variables of ``[var].order``). Unset: "
        "``order[2:-1]`` when the order has four variables or more; ``[]`` turns it off.",
    )
    channel_shocks: list[Name] | None = Field(
        default=None,
        description="Shocks whose responses are decomposed through ``channels``. Unset: the first two of the "
        "order, when it has four variables or more.",
    )


class EventSpec(_Strict):
    """One dated event, entering the models as an exogenous dummy.

    ``catalogue`` names an entry of the shipped catalogue
    (``causalmacro/data/events.toml``, listed by ``causalmacro events``);
    ``date`` gives a date of the user's own instead; with neither, the table's
    own name is looked up in the catalogue. ``shape`` is ``pulse`` (1 in the
    period containing the date), ``step`` (1 from that period on) or ``window``
    (1 in the ``periods`` periods starting there). ``var`` and ``assets`` say
    whether it enters the VAR (an exogenous term) and the asset model (a
    covariate).
    """

    catalogue: str | None = Field(
        default=None,
        description="An entry of the shipped event catalogue (``causalmacro events`` lists them) whose date and "
        "title are used. Unset, with no ``date``: the table's own name is looked up.",
    )
    date: dt.date | None = Field(
        default=None,
        description="The event's own date (``YYYY-MM-DD``, or ``YYYY-MM`` for the first of the month), instead "
        "of a catalogue entry; the dummy starts in the panel period containing it.",
    )
    shape: EventShape = Field(
        default="pulse",
        description="The dummy's shape: ``pulse`` (1 in the event's period), ``step`` (1 from that period on) or "
        "``window`` (1 in ``periods`` periods starting there).",
    )
    periods: int | None = Field(
        default=None, ge=1, le=520,
        description="Length of a ``window`` event in panel periods; required by ``window``, refused otherwise.",
    )
    title: str = Field(
        default="",
        description="Title in the report and figures. Empty: the catalogue entry's, else the table's name.",
    )
    var: bool = Field(
        default=True,
        description="Whether the event enters the VAR as an exogenous dummy (then its effects are estimated).",
    )
    assets: bool = Field(
        default=True,
        description="Whether the event enters the asset model as a covariate.",
    )

    @field_validator("date", mode="before")
    @classmethod
    def _month(cls, v: Any) -> Any:
        return _month_date(v)

    @model_validator(mode="after")
    def _consistent(self) -> EventSpec:
        if self.catalogue is not None and self.date is not None:
            raise ValueError("give 'catalogue' or 'date', not both")
        if self.catalogue is not None and self.catalogue not in event_catalogue():
            raise _KeyError(("catalogue",), f"'{self.catalogue}' is not in the event catalogue"
                            f"{_hint(self.catalogue, event_catalogue())}")
        if self.shape == "window" and self.periods is None:
            raise _KeyError(("periods",), "shape 'window' needs 'periods' (the window's length in periods)")
        if self.shape != "window" and self.periods is not None:
            raise _KeyError(("periods",), f"applies to shape 'window' only, not '{self.shape}'")
        if not (self.var or self.assets):
            raise ValueError("the event enters neither the VAR nor the asset model ('var' and 'assets' both false)")
        return self


class RegimePeriod(_Strict):
    """A dated stretch of a ``rule = "dates"`` regime (``start`` and ``end`` inclusive)."""

    start: dt.date = Field(description="First day of the stretch (``YYYY-MM-DD`` or ``YYYY-MM``), inclusive.")
    end: dt.date = Field(description="Last day of the stretch (``YYYY-MM-DD`` or ``YYYY-MM``), inclusive.")
    label: Name = Field(description="The regime's label in this stretch.")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _month(cls, v: Any) -> Any:
        return _month_date(v)

    @model_validator(mode="after")
    def _ordered(self) -> RegimePeriod:
        if self.start > self.end:
            raise _KeyError(("end",), f"{self.end} is before key 'start' ({self.start})")
        return self


class RegimeSpec(_Strict):
    """A regime definition computed from the panel (see :func:`causalmacro.regimes`).

    Rules, each on the panel column ``series`` (a series of the spec, as
    transformed) at period ``t``, from data up to ``t`` only:

    - ``change``: the sign of ``x_t - x_{t-window}``, e.g. the policy rate
      falling (easing) or rising (tightening);
    - ``sign``: the sign of the mean of ``x`` over the last ``window`` periods,
      e.g. net-liquidity growth (expanding or contracting);
    - ``median``: ``x_t`` against its median over the ``window`` periods before
      ``t``, e.g. the HY spread or the VIX above (risk-off) or below (risk-on);
    - ``dates``: the labelled ``periods`` given, ``default`` elsewhere.

    ``labels = [low, high]`` names the two states (defaults ``falling/rising``,
    ``negative/positive``, ``below/above``). A period with no value (the first
    ``window`` periods, an exact tie) has no regime.
    """

    rule: RegimeRule = Field(
        description="How the regime is read: ``change`` (sign of ``x_t - x_{t-window}``), ``sign`` (sign of the "
        "mean over the last ``window`` periods), ``median`` (against the median of the ``window`` periods before) "
        "or ``dates`` (the ``periods`` given).",
    )
    series: Name | None = Field(
        default=None,
        description="The series of the spec the rule reads, as transformed in the panel; required by every rule "
        "but ``dates``.",
    )
    window: int | None = Field(
        default=None, ge=1, le=520,
        description="The rule's look-back in panel periods; required by every rule but ``dates``.",
    )
    labels: list[Name] | None = Field(
        default=None, min_length=2, max_length=2,
        description="``[low, high]`` names of the two states. Unset: ``falling/rising`` (change), "
        "``negative/positive`` (sign), ``below/above`` (median). Not for ``dates``.",
    )
    periods: list[RegimePeriod] | None = Field(
        default=None, min_length=1,
        description="``dates`` only: the labelled stretches ``[{start, end, label}, ...]``, not overlapping.",
    )
    default: Name | None = Field(
        default=None,
        description="``dates`` only: the label of periods outside every stretch. Unset: no regime there.",
    )

    @model_validator(mode="after")
    def _rule_options(self) -> RegimeSpec:
        if self.rule == "dates":
            if self.periods is None:
                raise _KeyError(("periods",), "rule 'dates' needs 'periods' ([{start, end, label}, ...])")
            for key in ("series", "window", "labels"):
                if getattr(self, key) is not None:
                    raise _KeyError((key,), "does not apply to rule 'dates'")
            spans = sorted((p.start, p.end) for p in self.periods)
            for (_, end), (start, _) in itertools.pairwise(spans):
                if start <= end:
                    raise _KeyError(("periods",), f"periods overlap ({start} is not after {end})")
            if len({p.label for p in self.periods} | ({self.default} if self.default else set())) < 2:
                raise _KeyError(("periods",), "a regime needs two labels at least (add periods or a 'default')")
        else:
            if self.series is None:
                raise _KeyError(("series",), f"rule '{self.rule}' needs 'series' (a series of the spec)")
            if self.window is None:
                raise _KeyError(("window",), f"rule '{self.rule}' needs 'window' (periods)")
            for key in ("periods", "default"):
                if getattr(self, key) is not None:
                    raise _KeyError((key,), f"applies to rule 'dates' only, not '{self.rule}'")
            if self.labels is not None and self.labels[0] == self.labels[1]:
                raise _KeyError(("labels",), "the two labels are the same")
        return self

    @property
    def state_labels(self) -> tuple[str, ...]:
        """The regime's labels: ``(low, high)``, or the dated labels in first-use order."""
        if self.rule == "dates":
            assert self.periods is not None
            names = [p.label for p in sorted(self.periods, key=lambda p: p.start)]
            if self.default is not None:
                names.append(self.default)
            return tuple(dict.fromkeys(names))
        return tuple(self.labels) if self.labels is not None else REGIME_LABELS[self.rule]


class LPSpec(_Strict):
    """Local projections drawn beside the VAR's responses (see :class:`causalmacro.LocalProjections`).

    Each of ``links`` (``"source -> target"``, variables of ``[var].order``;
    default: each consecutive link of the chain) is projected: ``target`` on the
    SVAR's identified ``source`` shock, with ``lags`` lags of both (default: the
    VAR's lag order), lag-augmented by default; ``horizon`` defaults to
    ``[var].horizon``. ``state`` names a ``[regimes]`` definition for
    state-dependent projections (the regime of the period before the shock).
    ``links = []`` turns them off.
    """

    links: list[str] | None = Field(
        default=None,
        description='The links projected, ``"source -> target"`` (variables of ``[var].order``). Unset: each '
        "consecutive link of the chain; ``[]`` turns the projections off.",
    )
    lags: int | None = Field(
        default=None, ge=1, le=104,
        description="Lags of the target and the shock in each projection, in panel periods. Unset: the VAR's lag "
        "order.",
    )
    lag_augment: bool = Field(
        default=_LP.lag_augment,
        description="Add one more lag of the controls (lag augmentation), so that plain HC1 standard errors are "
        "valid (Montiel Olea & Plagborg-Møller 2021); false: Newey-West (HAC) standard errors.",
    )
    hac_lags: int | None = Field(
        default=_LP.hac_lags, ge=0, le=240,
        description="Newey-West lags of the HAC standard errors (``lag_augment = false``) at every horizon, and the "
        "least bandwidth of the joint bands' covariance across horizons. Unset: ``h + 1`` at horizon ``h`` (Jordà "
        "2005).",
    )
    cumulative: bool = Field(
        default=_LP.cumulative,
        description="Project the cumulated target ``y_t + ... + y_{t+h}`` (the level's response when the target is a "
        "difference or a return, as lpirfs' ``cumul_mult``) instead of ``y_{t+h}``.",
    )
    horizon: int | None = Field(
        default=None, ge=1, le=240,
        description="Last horizon of the projections, in panel periods. Unset: ``[var].horizon``.",
    )
    state: Name | None = Field(
        default=None,
        description="A ``[regimes]`` definition for state-dependent projections (the regime of the period before "
        "the shock). Unset: pooled projections only.",
    )

    @field_validator("links")
    @classmethod
    def _arrows(cls, v: list[str] | None) -> list[str] | None:
        for link in v or []:
            parts = [p.strip() for p in link.split("->")]
            if len(parts) != 2 or not all(parts):
                raise ValueError(f"link {link!r} is not of the form 'source -> target'")
        return v

    def link_pairs(self, order: Sequence[str]) -> list[tuple[str, str]]:
        """The ``(source, target)`` pairs projected (the chain's consecutive links by default)."""
        if self.links is None:
            return list(itertools.pairwise(order))
        return [(a.strip(), b.strip()) for a, b in (link.split("->") for link in self.links)]


ConditionUnits = Literal["model", "level", "change"]
"""The units of a scenario's condition: the VAR's own, a level or a one-period change of the source series.

The one definition: :mod:`causalmacro.panel.invert` imports it (the panel sits above the spec)."""
_HORIZON_KEY = re.compile(r"^[1-9][0-9]{0,3}$")


class ConditionSpec(_Strict):
    """The path one variable must follow in a scenario: ``[scenarios.<name>.conditions.<variable>]``.

    ``values`` maps a forecast period to the value the variable must take there, the
    period either a horizon (``1`` is the first period after the data's end) or a date
    (``"2026-01"``, a period after the data's end). ``units`` says what the values are:
    ``model`` the variable as the VAR holds it (after its transform, e.g. a log change
    in percent), ``level`` the level of the source series in its own units (e.g. billions
    of dollars of net liquidity), ``change`` the change of that level from the period
    before. Levels and changes are converted with the series' transform and the last
    observed levels (:func:`causalmacro.panel.invert.to_model_units`).
    """

    units: ConditionUnits = Field(
        description="What ``values`` are: ``model`` (the VAR's own transformed units), ``level`` (the level of "
        "the source series, in its units) or ``change`` (the change of that level from the period before).",
    )
    values: dict[str, float] = Field(
        min_length=1,
        description="Forecast period -> value: the period a horizon (``1`` the first period after the data's "
        "end) or a date (``YYYY-MM`` or ``YYYY-MM-DD``, after the data's end).",
    )

    @field_validator("values")
    @classmethod
    def _periods(cls, v: dict[str, float]) -> dict[str, float]:
        for key in v:
            if not (_HORIZON_KEY.match(key) or _DATE_TEXT.match(key)):
                raise ValueError(f"period {key!r} is neither a horizon (1, 2, ...) nor a date (YYYY-MM)")
            if _DATE_TEXT.match(key):
                _month_date(key)
        return v

    def periods(self) -> dict[int | dt.date, float]:
        """The conditions keyed by horizon (int) or date."""
        return {(int(k) if _HORIZON_KEY.match(k) else _month_date(k)): val for k, val in self.values.items()}


class ScenarioSpec(_Strict):
    """A conditional forecast or structural scenario of the chain: ``[scenarios.<name>]``.

    The ``conditions`` fix the path of some variables over the next ``steps`` periods;
    the VAR's structural shocks produce them (Waggoner & Zha 1999), or only the
    ``shocks`` named (a structural scenario, Antolín-Díaz, Petrella & Rubio-Ramírez
    2021), see :meth:`causalmacro.SVARResults.conditional_forecast`.
    """

    description: str = Field(default="", description="What the scenario says, for the report.")
    steps: int = Field(
        default=_SCENARIO.steps, ge=1, le=240,
        description="Periods forecast after the data's end; every condition must fall within them.",
    )
    shocks: list[Name] | None = Field(
        default=None, min_length=1,
        description="The structural shocks allowed to move (variables of ``[var].order``): a structural "
        "scenario. Unset: every shock (the Waggoner-Zha conditional forecast).",
    )
    draws: int = Field(
        default=_SCENARIO.draws, ge=0, le=1_000_000,
        description="Draws of the shocks from their conditional distribution, for the bands (0: the mean path only).",
    )
    conditions: dict[Name, ConditionSpec] = Field(
        min_length=1,
        description="One table per conditioned variable of ``[var].order``: its ``units`` and ``values``.",
    )


class EvaluationSpec(_Strict):
    """The pseudo-out-of-sample forecast evaluation of the chain: ``[evaluation]`` (``causalmacro evaluate``).

    Recursive windows (:func:`causalmacro.svar.evaluate.forecast_evaluation`): at each
    origin from ``start`` every model of ``models`` is fitted on the data up to it and
    scored ``1..horizons`` periods ahead (RMSE and Gaussian log score, against the
    random walk). The OLS VAR takes ``[var]``'s lags (a criterion is applied again in
    each window); the BVAR is the Minnesota prior with GLP hyperparameters.
    """

    start: dt.date | None = Field(
        default=None,
        description="The first forecast origin (``YYYY-MM`` or ``YYYY-MM-DD``). Unset: the sample's midpoint.",
    )
    horizons: int = Field(default=_EVALUATION.horizons, ge=1, le=120,
                          description="Forecasts ``h = 1..horizons`` periods ahead are scored.")
    models: list[EvaluationModel] = Field(
        default=list(_EVALUATION.models), min_length=1,
        description="The models compared: ``var`` (OLS), ``bvar`` (Minnesota, GLP), ``random_walk``, ``ar1``; "
        "the random walk is always added as the benchmark.",
    )
    draws: int = Field(default=_EVALUATION.draws, ge=2, le=1_000_000,
                       description="The BVAR's posterior draws (and predictive paths) in each window.")
    bvar_lags: int = Field(default=_EVALUATION.bvar_lags, ge=1, le=24, description="The BVAR's lag order.")

    @field_validator("start", mode="before")
    @classmethod
    def _month(cls, v: Any) -> Any:
        return _month_date(v)


class ModelSpec(_Strict):
    """A whole model spec (one ``models/*.toml`` file).

    Read one with :func:`causalmacro.load_spec` (or validate a parsed mapping with
    :func:`causalmacro.spec.parse_spec`); the spec is frozen. Each TOML table is an
    attribute holding its own model; the spec reference lists every key with its
    type, default and meaning.

    Attributes
    ----------
    name : str
        The model's name.
    description : str
        Free text.
    frequency : {"monthly", "weekly"}
        Panel frequency.
    start, end : datetime.date or None
        The sample window (None where open).
    data : DataSpec
        Where the raw series come from (``[data]``).
    gaps : GapSpec
        What to do with missing values (``[gaps]``).
    series : dict of str to SeriesSpec
        The panel's columns (``[series.<name>]``).
    var : VARSpec or None
        The structural VAR (``[var]``).
    assets : AssetsSpec or None
        The asset-response model (``[assets]``).
    graph : GraphSpec
        The dependency graph's significance rule (``[graph]``).
    report : ReportSpec
        What the report shows (``[report]``).
    events : dict of str to EventSpec
        Dated events (``[events.<name>]``).
    regimes : dict of str to RegimeSpec
        Regime definitions (``[regimes.<name>]``).
    lp : LPSpec
        Local projections (``[lp]``).
    scenarios : dict of str to ScenarioSpec
        Conditional forecasts and structural scenarios (``[scenarios.<name>]``).
    evaluation : EvaluationSpec
        The forecast evaluation (``[evaluation]``, ``causalmacro evaluate``).
    """

    name: Name = Field(
        description="The model's name (letters, digits and ``_``): it names the run in the reports, "
        "``results.json`` and the manifest.",
    )
    description: str = Field(
        default="",
        description="Free text for the reader of the spec; the estimators do not read it.",
    )
    frequency: PanelFrequency = Field(
        default="monthly",
        description="Panel frequency: ``monthly`` (periods labelled by the first of the month) or ``weekly`` "
        "(weeks ending Friday). Every series is aligned to it by its aggregation.",
    )
    start: dt.date | None = Field(
        default=None,
        description="First period of the sample (``YYYY-MM`` or ``YYYY-MM-DD``). Unset: as early as every "
        "non-ragged series allows.",
    )
    end: dt.date | None = Field(
        default=None,
        description="Last period of the sample. Unset: the last period every non-ragged series covers.",
    )
    data: DataSpec = Field(default=DataSpec(), description="Where the raw series come from.")
    gaps: GapSpec = Field(default=GapSpec(), description="What to do with missing values inside the window.")
    series: dict[Name, SeriesSpec] = Field(
        min_length=1,
        description="The panel's columns, one table ``[series.<name>]`` each; the names are used everywhere else.",
    )
    var: VARSpec | None = Field(
        default=None,
        description="The structural VAR; required by ``causalmacro run`` and by ``[assets]``.",
    )
    assets: AssetsSpec | None = Field(
        default=None,
        description="The Bayesian asset-response model. Unset: no asset model.",
    )
    graph: GraphSpec = Field(default=GraphSpec(), description="The significance rule of the dependency graph.")
    report: ReportSpec = Field(default=ReportSpec(), description="What the report decomposes and shows.")
    events: dict[Name, EventSpec] = Field(
        default_factory=dict,
        description="Dated events, one table ``[events.<name>]`` each, entering the models as dummies. Unset: none.",
    )
    regimes: dict[Name, RegimeSpec] = Field(
        default_factory=dict,
        description="Regime definitions computed from the panel, one table ``[regimes.<name>]`` each. Unset: none.",
    )
    lp: LPSpec = Field(default=LPSpec(), description="Local projections drawn beside the VAR's responses.")
    scenarios: dict[Name, ScenarioSpec] = Field(
        default_factory=dict,
        description="Conditional forecasts and structural scenarios of the chain, one table "
        "``[scenarios.<name>]`` each. Unset: none.",
    )
    evaluation: EvaluationSpec = Field(
        default=EvaluationSpec(),
        description="The pseudo-out-of-sample forecast evaluation (``causalmacro evaluate``).",
    )
    _path: Path | None = PrivateAttr(default=None)

    @property
    def path(self) -> Path | None:
        """The spec file this spec was read from, if any."""
        return self._path

    @field_validator("start", "end", mode="before")
    @classmethod
    def _month_dates(cls, v: Any) -> Any:
        return _month_date(v)

    @model_validator(mode="after")
    def _cross_references(self) -> ModelSpec:
        if self.start and self.end and self.start >= self.end:
            raise _KeyError(("end",), f"{self.end} is not after key 'start' ({self.start})")
        names = list(self.series)
        if self.var is not None:
            for i, v in enumerate(self.var.order):
                if v not in self.series:
                    raise _KeyError(("var", "order", i), f"'{v}' is not a series of this spec{_hint(v, names)}")
            if len(set(self.var.order)) != len(self.var.order):
                raise _KeyError(("var", "order"), "a variable appears twice")
        focus = self.report.focus
        order = self.var.order if self.var is not None else []
        if focus is not None and (self.var is None or focus not in self.var.order):
            raise _KeyError(("report", "focus"), f"'{focus}' is not a variable of [var].order{_hint(focus, order)}")
        for key in ("channels", "channel_shocks"):
            for i, name in enumerate(getattr(self.report, key) or []):
                if name not in order:
                    raise _KeyError(("report", key, i), f"'{name}' is not a variable of [var].order{_hint(name, order)}")
        if self.assets is not None:
            for a in self.assets.groups:
                if a not in self.series:
                    raise _KeyError(("assets", "groups", a), f"'{a}' is not a series of this spec{_hint(a, names)}")
            order = self.var.order if self.var is not None else []
            for i, f in enumerate(self.assets.flip):
                if f not in self.assets.groups:
                    raise _KeyError(("assets", "flip", i), f"'{f}' is not an asset of [assets].groups{_hint(f, list(self.assets.groups))}")
            for i, s in enumerate(self.assets.shocks or []):
                if s not in order:
                    raise _KeyError(("assets", "shocks", i), f"'{s}' is not a variable of [var].order{_hint(s, order)}")
                if s in self.assets.groups:
                    raise _KeyError(("assets", "shocks", i), f"'{s}' is an asset of [assets].groups: its own shock "
                                    "would explain its returns; shocks must be non-asset variables of [var].order")
            if self.var is None:
                raise _KeyError(("assets",), "the asset model needs a [var] section to identify shocks")
            if self.assets.regime is not None and self.assets.regime not in self.regimes:
                raise _KeyError(("assets", "regime"), f"'{self.assets.regime}' is not a regime of [regimes]"
                                f"{_hint(self.assets.regime, list(self.regimes))}")
        for rname, regime in self.regimes.items():
            if regime.series is not None and regime.series not in self.series:
                raise _KeyError(("regimes", rname, "series"),
                                f"'{regime.series}' is not a series of this spec{_hint(regime.series, names)}")
        for ename, event in self.events.items():
            if event.catalogue is None and event.date is None and ename not in event_catalogue():
                raise _KeyError(("events", ename), "give 'date' or 'catalogue' (the name is not in the event "
                                f"catalogue{_hint(ename, event_catalogue())})")
            date = self.event_date(ename)
            if (self.start and date < self.start) or (self.end and date > self.end):
                raise _KeyError(("events", ename), f"date {date} is outside the spec's window "
                                f"{self.start or '...'}..{self.end or '...'}")
        self._identification_references()
        if self.lp.state is not None and self.lp.state not in self.regimes:
            raise _KeyError(("lp", "state"), f"'{self.lp.state}' is not a regime of [regimes]"
                            f"{_hint(self.lp.state, list(self.regimes))}")
        for i, (a, b) in enumerate(self.lp.link_pairs(order) if self.lp.links is not None else []):
            for name in (a, b):
                if name not in order:
                    raise _KeyError(("lp", "links", i), f"'{name}' is not a variable of [var].order{_hint(name, order)}")
            if a == b:
                raise _KeyError(("lp", "links", i), f"'{a}' is linked to itself")
        self._scenario_references(order)
        return self

    def _scenario_references(self, order: Sequence[str]) -> None:
        """Each scenario's variables and shocks are in ``[var].order``, its horizons within its ``steps``."""
        for sname, sc in self.scenarios.items():
            if self.var is None:
                raise _KeyError(("scenarios", sname), "a scenario needs a [var] section")
            for var, cond in sc.conditions.items():
                if var not in order:
                    raise _KeyError(("scenarios", sname, "conditions", var),
                                    f"'{var}' is not a variable of [var].order{_hint(var, order)}")
                for key, h in zip(cond.values, cond.periods(), strict=True):
                    if isinstance(h, int) and h > sc.steps:
                        raise _KeyError(("scenarios", sname, "conditions", var, "values", key),
                                        f"horizon {h} is outside the scenario's {sc.steps} steps")
            for i, shock in enumerate(sc.shocks or []):
                if shock not in order:
                    raise _KeyError(("scenarios", sname, "shocks", i),
                                    f"'{shock}' is not a shock of [var].order{_hint(shock, order)}")

    def _identification_references(self) -> None:
        """The ``[regimes]`` definition and the events that identification tables name exist."""
        if self.var is None:
            return
        vol = self.var.volatility
        if vol is not None and vol.regime is not None and vol.regime not in self.regimes:
            raise _KeyError(("var", "volatility", "regime"), f"'{vol.regime}' is not a regime of [regimes]"
                            f"{_hint(vol.regime, list(self.regimes))}")
        for i, r in enumerate(self.var.sign.narrative if self.var.sign is not None else []):
            if r.event not in self.events and r.event not in event_catalogue():
                raise _KeyError(("var", "sign", "narrative", i, "event"), f"'{r.event}' is neither an [events] "
                                f"table nor in the event catalogue{_hint(r.event, [*self.events, *event_catalogue()])}")
            if r.event in self.events and self.events[r.event].var:
                raise _KeyError(("var", "sign", "narrative", i, "event"), f"'{r.event}' enters the VAR as a dummy "
                                f"([events.{r.event}] var = true): its period's residual is fitted away, so no shock "
                                "is left to restrict; set var = false there")

    def narrative_date(self, event: str) -> dt.date:
        """The date of a narrative restriction's event: an ``[events]`` table's, else the catalogue entry's.

        Parameters
        ----------
        event : str
            A key of :attr:`events` or an id of the event catalogue.

        Returns
        -------
        datetime.date
        """
        return self.event_date(event) if event in self.events else event_catalogue()[event].date

    def event_date(self, name: str) -> dt.date:
        """The date of event ``name``: its own, else its catalogue entry's.

        Parameters
        ----------
        name : str
            A key of :attr:`events`.

        Returns
        -------
        datetime.date
        """
        event = self.events[name]
        if event.date is not None:
            return event.date
        return event_catalogue()[event.catalogue or name].date

    def event_title(self, name: str) -> str:
        """The title of event ``name``: its own, else its catalogue entry's, else its name.

        Parameters
        ----------
        name : str
            A key of :attr:`events`.

        Returns
        -------
        str
        """
        event = self.events[name]
        if event.title:
            return event.title
        key = event.catalogue or (name if event.date is None else None)
        return event_catalogue()[key].title if key is not None else name

    @property
    def raw_ids(self) -> list[str]:
        """Every raw series ID the spec reads, in first-use order."""
        ids: list[str] = []
        for s in self.series.values():
            for sid in s.inputs:
                if sid not in ids:
                    ids.append(sid)
        return ids

    @property
    def focus(self) -> str | None:
        """The variable the report decomposes: ``[report].focus``, else the last of ``[var].order``."""
        if self.report.focus is not None:
            return self.report.focus
        return self.var.order[-1] if self.var is not None else None

    @property
    def channel_plan(self) -> tuple[list[str], list[str]]:
        """``(shocks, channels)`` of the report's channel decomposition (empty when there is none)."""
        order = list(self.var.order) if self.var is not None else []
        channels = self.report.channels if self.report.channels is not None else (order[2:-1] if len(order) >= 4 else [])
        shocks = self.report.channel_shocks if self.report.channel_shocks is not None else (
            order[:2] if len(order) >= 4 else [])
        shocks = [s for s in shocks if s not in channels and s != self.focus]
        return (shocks, list(channels)) if channels and shocks else ([], [])

    @property
    def asset_shocks(self) -> list[str]:
        """The SVAR shocks the asset model uses."""
        if self.assets is None or self.var is None:
            return []
        if self.assets.shocks is not None:
            return list(self.assets.shocks)
        return [v for v in self.var.order if v not in self.assets.groups]

    @property
    def asset_var_overlap(self) -> dict[str, str]:
        """Assets built from the same raw series as a VAR variable: asset -> that variable.

        ``credit`` (the change of BAMLH0A0HYM2) beside the VAR's ``hy_spread``
        (BAMLH0A0HYM2), or ``treasury_10y`` (DGS10) beside ``real_rate``
        (``real_rate_10y``, which reads DGS10): the asset's response to that
        variable's shock is the shock itself, a conclusion by construction. The
        dependency graph marks these assets (``transform_of``) and does not
        test their edge from that shock. An asset that is itself a VAR variable
        (BTC in the chain) is not listed. Detected from the series' inputs
        (FRED IDs, and the inputs of derived and combined series, fallbacks included).
        """
        if self.assets is None or self.var is None:
            return {}
        out: dict[str, str] = {}
        for a in self.assets.groups:
            if a in self.var.order:
                continue
            mine = set(self.series[a].inputs)
            for v in self.var.order:
                if mine & set(self.series[v].inputs):
                    out[a] = v
                    break
        return out

    def resolve_path(self, value: str | os.PathLike[str]) -> Path:
        """Resolve a path of the spec relative to the spec file's folder.

        Parameters
        ----------
        value : str or path-like
            A path as written in the spec (``~`` is expanded).

        Returns
        -------
        pathlib.Path
            Absolute paths as given; relative ones against the spec file's folder
            (as given when the spec was not read from a file).
        """
        p = Path(value).expanduser()
        if p.is_absolute() or self.path is None:
            return p
        return (self.path.parent / p).resolve()

    @property
    def window(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """``(start, end)`` as timestamps (None where open)."""
        return (
            pd.Timestamp(self.start) if self.start else None,
            pd.Timestamp(self.end) if self.end else None,
        )


class _KeyError(ValueError):
    """A cross-reference error that knows its key path."""

    def __init__(self, loc: tuple[str | int, ...], msg: str) -> None:
        super().__init__(msg)
        self.loc = loc
        self.msg = msg


def _hint(word: str, choices: Sequence[str] | Mapping[str, Any]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


