"""The schema of model specs: frozen pydantic models, unknown keys refused.

Each section of a ``models/*.toml`` file is one model below (:class:`ModelSpec`
the whole file); every choice is a closed ``Literal`` set, and cross-references
(``[var].order`` naming series, assets naming classes) are checked after the
fields. :mod:`causalmacro.spec.load` turns validation errors into one line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .catalog import DERIVED, Aggregation, Transform, lookup

__all__ = [
    "AssetsSpec",
    "DataSpec",
    "GapSpec",
    "GraphSpec",
    "ModelSpec",
    "ReportSpec",
    "SeriesSpec",
    "ShortRunSpec",
    "SignSpec",
    "VARSpec",
]

PanelFrequency = Literal["monthly", "weekly"]
SourceKind = Literal["fred", "csv_dir", "csv", "demo"]
GapPolicy = Literal["error", "drop", "interpolate"]
LagRule = Literal["aic", "bic", "hqic"]
Trend = Literal["n", "c", "ct", "ctt"]
Identification = Literal["recursive", "short_run", "sign", "long_run"]
Name = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DataSpec(_Strict):
    """Where the raw series come from.

    ``fred`` reads the FRED API through the local store (refreshed
    incrementally); ``csv_dir`` a folder of FRED CSV downloads; ``csv`` one CSV
    file with a date column and one column per series; ``demo`` the embedded
    synthetic demo. ``path`` is relative to the spec file.
    """

    source: SourceKind = "fred"
    path: str | None = None
    revision_window_days: int = Field(default=92, ge=0, le=3660)

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

    policy: GapPolicy = "error"
    max_gap: int = Field(default=1, ge=1, le=12)


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

    id: str | None = Field(default=None, min_length=1)
    derived: str | None = None
    combine: dict[str, float] | None = None
    transform: Transform | None = None
    aggregation: Aggregation | None = None
    ragged: bool = False

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

    A: list[list[PatternEntry]] | None = None
    B: list[list[PatternEntry]] | None = None


class SignSpec(_Strict):
    """Sign (and zero) restrictions on impulse responses.

    ``signs = { shock = { variable = 1 or -1 } }`` restricts the response of
    ``variable`` to ``shock`` at horizons ``0..horizons``; ``zeros = { shock =
    [variable, ...] }`` sets impact responses to zero.
    """

    signs: dict[Name, dict[Name, Literal[-1, 1]]] = Field(min_length=1)
    zeros: dict[Name, list[Name]] | None = None
    horizons: int = Field(default=0, ge=0, le=60)
    draws: int = Field(default=5000, ge=100, le=1_000_000)


class VARSpec(_Strict):
    """Settings of the structural VAR (see :class:`causalmacro.SVAR`) and of its outputs.

    ``identification = "short_run"`` needs a ``[var.short_run]`` table and
    ``"sign"`` a ``[var.sign]`` table. ``reps`` bootstrap replications (0: no
    bands) of the ``bootstrap`` kind give the impulse-response and FEVD bands of
    coverage ``level``; ``bands = "auto"`` uses them, except under sign
    restrictions, where the bands summarise the identified set (``"set"``).
    ``fevd_horizon`` is the last forecast horizon of the variance decomposition.
    """

    order: list[Name] = Field(min_length=2)
    lags: int | LagRule = "aic"
    max_lags: int = Field(default=6, ge=1, le=48)
    trend: Trend = "c"
    identification: Identification = "recursive"
    horizon: int = Field(default=24, ge=1, le=240)
    reps: int = Field(default=1000, ge=0, le=100_000)
    level: float = Field(default=0.9, gt=0, lt=1)
    bootstrap: Literal["residual", "wild"] = "residual"
    bands: Literal["auto", "bootstrap", "set", "none"] = "auto"
    fevd_horizon: int = Field(default=12, ge=1, le=240)
    short_run: ShortRunSpec | None = None
    sign: SignSpec | None = None

    @field_validator("reps")
    @classmethod
    def _reps_zero_or_two(cls, v: int) -> int:
        if v == 1:
            raise ValueError("reps must be 0 (no bands) or at least 2")
        return v

    @property
    def band_kind(self) -> Literal["bootstrap", "set", "none"]:
        """The bands the main job draws: ``bands`` with ``"auto"`` resolved."""
        return self.band_kind_for(self.reps)

    def band_kind_for(self, reps: int) -> Literal["bootstrap", "set", "none"]:
        """The bands drawn with ``reps`` bootstrap replications (a command-line override)."""
        if self.bands in ("set", "none"):
            return self.bands
        if self.bands == "auto" and self.identification == "sign":
            return "set"
        return "bootstrap" if reps >= 2 else "none"

    @model_validator(mode="after")
    def _scheme_options(self) -> VARSpec:
        k = len(self.order)
        if self.bands == "set" and self.identification != "sign":
            raise _KeyError(("var", "bands"), "'set' bands need identification 'sign'; use 'bootstrap'")
        if self.bands == "bootstrap" and self.reps < 2:
            raise _KeyError(("var", "bands"), "bootstrap bands need reps >= 2")
        if self.identification == "short_run":
            if self.short_run is None:
                raise _KeyError(("var", "short_run"), "identification 'short_run' needs a [var.short_run] table with A and/or B")
            for key in ("A", "B"):
                mat = getattr(self.short_run, key)
                if mat is not None and (len(mat) != k or any(len(row) != k for row in mat)):
                    raise _KeyError(("var", "short_run", key), f"must be {k} rows of {k} entries (one per variable of order)")
        if self.identification == "sign":
            if self.sign is None:
                raise _KeyError(("var", "sign"), "identification 'sign' needs a [var.sign] table with signs")
            named: list[str] = []
            for shock, responses in self.sign.signs.items():
                named += [shock, *responses]
            for shock, zeroed in (self.sign.zeros or {}).items():
                named += [shock, *zeroed]
            for name in named:
                if name not in self.order:
                    raise _KeyError(("var", "sign"), f"'{name}' is not a variable of [var].order{_hint(name, self.order)}")
        return self

    def identification_options(self) -> dict[str, Any]:
        """Keyword options of the identification scheme for :class:`causalmacro.SVAR`."""
        if self.identification == "short_run" and self.short_run is not None:
            return {"A": self.short_run.A, "B": self.short_run.B}
        if self.identification == "sign" and self.sign is not None:
            return {
                "signs": {k: dict(v) for k, v in self.sign.signs.items()},
                "zeros": self.sign.zeros,
                "horizons": self.sign.horizons,
                "draws": self.sign.draws,
            }
        return {}

    @field_validator("lags")
    @classmethod
    def _positive_lags(cls, v: int | str) -> int | str:
        if isinstance(v, int) and v < 1:
            raise ValueError("lags must be at least 1 or one of 'aic', 'bic', 'hqic'")
        return v


class AssetsSpec(_Strict):
    """Settings of the Bayesian asset-response model.

    ``groups`` maps each asset (a series of the spec, usually a return) to its
    class, e.g. ``{btc = "crypto", nasdaq = "equity"}``; ``shocks`` names the
    SVAR shocks used (default: every variable of ``[var].order`` that is not an
    asset). ``flip`` lists assets measured so that a rise is a loss to their
    holders (a yield or spread change): their sign is flipped before fitting,
    so every response on the spectrum reads as a gain (positive) or a loss.
    ``sampler`` is the blocked Gibbs sampler (default; see
    :mod:`causalmacro.bayes.gibbs`), PyMC's NUTS or nutpie, which sample the same
    posterior; ``draws`` and ``tune`` are per chain, and unset they are the
    sampler's defaults (Gibbs: 8 chains x (200 burn-in + 1000) sweeps; NUTS: 4 x
    (1000 tuning + 1000) steps); ``target_accept`` applies to
    the NUTS samplers only.
    """

    groups: dict[Name, Name] = Field(min_length=2)
    shocks: list[Name] | None = None
    flip: list[Name] = Field(default_factory=list)
    lags: int = Field(default=2, ge=0, le=12)
    sampler: Literal["gibbs", "pymc", "nutpie"] = "gibbs"
    draws: int | None = Field(default=None, ge=100)
    tune: int | None = Field(default=None, ge=100)
    chains: int | None = Field(default=None, ge=1, le=16)
    target_accept: float = Field(default=0.95, gt=0.5, lt=1)


class GraphSpec(_Strict):
    """The significance rule of the dependency graph (see :func:`causalmacro.graph.dependency_graph`).

    An edge ``source -> target`` is drawn when the response band of ``target``
    to ``source``'s shock excludes zero over ``min_run`` consecutive horizons, or
    when ``source`` Granger-causes ``target`` at level ``alpha``.
    """

    alpha: float = Field(default=0.10, gt=0, lt=1)
    min_run: int = Field(default=2, ge=1, le=60)


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

    focus: Name | None = None
    hd_periods: int = Field(default=36, ge=2, le=1200)
    channels: list[Name] | None = None
    channel_shocks: list[Name] | None = None


class ModelSpec(_Strict):
    """A whole model spec (one ``models/*.toml`` file)."""

    name: Name
    description: str = ""
    frequency: PanelFrequency = "monthly"
    start: dt.date | None = None
    end: dt.date | None = None
    data: DataSpec = DataSpec()
    gaps: GapSpec = GapSpec()
    series: dict[Name, SeriesSpec] = Field(min_length=1)
    var: VARSpec | None = None
    assets: AssetsSpec | None = None
    graph: GraphSpec = GraphSpec()
    report: ReportSpec = ReportSpec()
    _path: Path | None = PrivateAttr(default=None)

    @property
    def path(self) -> Path | None:
        """The spec file this spec was read from, if any."""
        return self._path

    @field_validator("start", "end", mode="before")
    @classmethod
    def _month_dates(cls, v: Any) -> Any:
        # accept "2015-01" as well as "2015-01-01" and TOML dates
        if isinstance(v, str) and len(v) == 7:
            return f"{v}-01"
        return v

    @model_validator(mode="after")
    def _cross_references(self) -> ModelSpec:
        if self.start and self.end and self.start >= self.end:
            raise ValueError(f"start {self.start} is not before end {self.end}")
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
            if self.var is None:
                raise _KeyError(("assets",), "the asset model needs a [var] section to identify shocks")
        return self

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

    def resolve_path(self, value: str | os.PathLike[str]) -> Path:
        """Resolve a path of the spec relative to the spec file's folder."""
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


