"""From a spec and a source to the aligned, transformed panel.

The pipeline, in order: load the raw series the spec names; align each to the
panel frequency by its aggregation rule (:mod:`causalmacro.panel.align`); compute
the spec's columns, derived series included (:mod:`causalmacro.panel.derived`);
find the common window and handle the gaps inside it
(:mod:`causalmacro.panel.gaps`); apply the transforms
(:mod:`causalmacro.panel.transforms`); cut to the spec's ``start``/``end``.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TextIO

import pandas as pd

from causalmacro.data.sources.base import Source, load_all
from causalmacro.errors import DataError
from causalmacro.fileutil import replace_atomically
from causalmacro.spec import ModelSpec, SeriesSpec
from causalmacro.spec.catalog import DERIVED, lookup

from .align import PANEL_RULES, PERIODS_PER_YEAR, align_series
from .derived import combine, describe_terms
from .gaps import common_window, fill_gaps, longest_complete
from .transforms import TRANSFORM_UNITS, apply_transform, lookback

__all__ = ["ColumnInfo", "Panel", "build_panel"]

SYNTHETIC_NOTE = "synthetic data from the causalmacro embedded demo: not real observations"


@dataclass(frozen=True)
class ColumnInfo:
    """How one panel column was produced.

    Attributes
    ----------
    name : str
        Column name (the spec's series name).
    origin : str
        ``"CPIAUCSL"``, or the formula of a derived series.
    transform : str
        Transform applied to the aligned levels.
    units : str
        Units after the transform.
    aggregation : str
        Rule that brought the raw series to the panel frequency.
    ragged : bool
        Whether the column may start late or end early.
    """

    name: str
    origin: str
    transform: str
    units: str
    aggregation: str
    ragged: bool = False


@dataclass(frozen=True)
class Panel:
    """The aligned, transformed data of a spec, with a record of how it was made.

    Attributes
    ----------
    data : pandas.DataFrame
        Transformed columns on a regular ``DatetimeIndex`` whose ``freq`` is
        set. Columns not marked ragged have no missing value.
    levels : pandas.DataFrame
        The aligned, gap-handled columns before transforms, over the window
        (plus the periods transforms consumed before it).
    columns : Mapping[str, ColumnInfo]
        Column name -> how it was produced.
    filled : pandas.DataFrame
        One row per value that was not observed as such: ``column``, ``date``,
        ``method`` (interpolation, or the fallback formula of a derived series).
    source : str
        Description of where the raw data came from.
    synthetic : bool
        True for the embedded demo.
    inputs : Mapping[str, Mapping]
        Raw series ID -> ``sha256`` of its observations (dates and values),
        ``first`` and ``last`` observation dates and ``n`` observations: what a
        rerun compares to know whether the data changed.
    window : Mapping
        Why the sample is what it is: ``start``, ``end``, the data's common end
        ``data_end``, the spec's ``spec_end``, the columns that end first
        (``binding``) with the raw input that ends first in each, and a sentence
        (``reason``).
    components : pandas.DataFrame
        The inputs of each catalogued derived series (e.g. ``WALCL``,
        ``WTREGEN``, ``RRPONTSYD`` of ``net_liquidity``), aligned to the panel
        frequency in their own raw units, over the rows of ``levels``: the
        parts a report draws beside the derived level (empty without derived series).
    spec_name : str
        Name of the spec the panel was built from (empty when built without one).
    notes : tuple of str
        Things the user should know about the data (the embedded demo is synthetic).
    """

    data: pd.DataFrame
    levels: pd.DataFrame
    columns: Mapping[str, ColumnInfo]
    filled: pd.DataFrame
    source: str
    synthetic: bool = False
    spec_name: str = ""
    notes: tuple[str, ...] = field(default=())
    inputs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    window: Mapping[str, Any] = field(default_factory=dict)
    components: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with the read-only mappings as plain dicts (a mapping proxy does not pickle); read-only again on load."""
        state = {f: getattr(self, f) for f in self.__dataclass_fields__}
        state["columns"] = dict(self.columns)
        state["inputs"] = {k: dict(v) for k, v in self.inputs.items()}
        state["window"] = dict(self.window)
        return (_rebuild_panel, (state,))

    @property
    def transforms(self) -> dict[str, str]:
        """Column -> ``"transform(origin)"``, e.g. ``{"inflation": "yoy(CPIAUCSL)"}``."""
        return {c: f"{i.transform}({i.origin})" for c, i in self.columns.items()}

    def describe(self) -> pd.DataFrame:
        """One row per column: origin, transform, units, aggregation, first and last date.

        Returns
        -------
        pandas.DataFrame
            Index ``column``; columns ``origin``, ``transform``, ``units``,
            ``aggregation``, ``first``, ``last`` (first and last valid date) and
            ``missing`` (missing values in the window).
        """
        rows = []
        for c, info in self.columns.items():
            col = self.data[c]
            rows.append(
                {
                    "column": c,
                    "origin": info.origin,
                    "transform": info.transform,
                    "units": info.units,
                    "aggregation": info.aggregation,
                    "first": col.first_valid_index(),
                    "last": col.last_valid_index(),
                    "missing": int(col.isna().sum()),
                }
            )
        return pd.DataFrame(rows).set_index("column")

    def to_csv(self, target: str | os.PathLike[str] | TextIO | None = None) -> str | None:
        """Write the panel as CSV (dates in the first column).

        Synthetic panels start with a ``#`` comment line saying so (read them
        back with ``pd.read_csv(..., comment="#")``).

        Parameters
        ----------
        target : path, file object, or None
            Where to write; None returns the text.

        Returns
        -------
        str or None
            The CSV text when ``target`` is None, else None.
        """
        buf = io.StringIO()
        if self.synthetic:
            buf.write(f"# {SYNTHETIC_NOTE}\n")
        fmt = "%Y-%m-%d"
        self.data.to_csv(buf, date_format=fmt, float_format="%.10g")
        text = buf.getvalue()
        if target is None:
            return text
        if hasattr(target, "write"):
            target.write(text)  # type: ignore[union-attr]
        else:
            _atomic_write(os.fspath(target), text)  # type: ignore[arg-type]
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (no data values).

        Returns
        -------
        dict
            The ``panel`` key of ``results.json``: spec, source, frequency, first
            and last period, columns and how each was made, filled values, the raw
            inputs' fingerprints and the window's reason.
        """
        return {
            "spec": self.spec_name,
            "source": self.source,
            "synthetic": self.synthetic,
            "frequency": self.data.index.freqstr,
            "start": f"{self.data.index[0]:%Y-%m-%d}",
            "end": f"{self.data.index[-1]:%Y-%m-%d}",
            "n_obs": len(self.data),
            "columns": {c: vars(i) for c, i in self.columns.items()},
            "filled": [
                {"column": r.column, "date": f"{r.date:%Y-%m-%d}", "method": r.method}
                for r in self.filled.itertuples()
            ],
            "inputs": {k: dict(v) for k, v in self.inputs.items()},
            "window": dict(self.window),
        }


def _rebuild_panel(state: dict[str, Any]) -> Panel:
    """Unpickle a :class:`Panel`: its mappings read-only again, as :func:`build_panel` makes them."""
    state["columns"] = MappingProxyType(state["columns"])
    state["inputs"] = MappingProxyType({k: MappingProxyType(v) for k, v in state["inputs"].items()})
    state["window"] = MappingProxyType(state["window"])
    return Panel(**state)


def _atomic_write(path: str, text: str) -> None:
    """Write through a temporary file and a rename: a failure or an interrupt leaves ``path`` as it was."""
    try:
        replace_atomically(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8", newline=""))
    except OSError as exc:
        raise DataError(f"cannot write {path}: {exc.strerror or exc}") from None


def _aggregation_of(spec: ModelSpec, series_id: str) -> str:
    for s in spec.series.values():
        if s.id == series_id and s.aggregation is not None:
            return s.aggregation
    info = lookup(series_id)
    return info.aggregation if info is not None else "mean"


def _column(
    name: str, s: SeriesSpec, aligned: Mapping[str, pd.Series]
) -> tuple[pd.Series, pd.DatetimeIndex, str, str]:
    """Levels of one column, the dates filled by a fallback, its origin and units."""
    if s.id is not None:
        info = lookup(s.id)
        col = aligned[s.id].rename(name)
        return col, pd.DatetimeIndex([]), s.id, info.units if info else ""
    if s.derived is not None:
        d = DERIVED[s.derived]
        col, filled = combine(aligned, d.terms, name=name, fallback=d.fallback)
        origin = f"{d.name} = {describe_terms(d.terms)}"
        if d.fallback:
            origin += f" (else {describe_terms(d.fallback)})"
        return col, filled, origin, d.units
    assert s.combine is not None
    col, filled = combine(aligned, s.combine, name=name)
    return col, filled, describe_terms(s.combine), ""


def build_panel(spec: ModelSpec, source: Source) -> Panel:
    """Build the panel a spec describes from a source.

    Parameters
    ----------
    spec : ModelSpec
        A validated spec (:func:`causalmacro.load_spec`).
    source : Source
        Where the raw series come from (see :func:`causalmacro.open_source`).

    Returns
    -------
    Panel
        Frozen panel with ``data`` (the transformed columns), ``levels``,
        the per-column record and the list of filled values.

    Raises
    ------
    DataError
        Missing series (all named at once), malformed series, gaps the
        policy refuses, or no common window; one line each.

    Examples
    --------
    >>> from causalmacro import load_spec, open_source, build_panel
    >>> spec = load_spec("models/demo.toml")                       # doctest: +SKIP
    >>> panel = build_panel(spec, open_source(spec))               # doctest: +SKIP
    >>> panel.data.index.freqstr                                   # doctest: +SKIP
    'MS'
    """
    freq = spec.frequency
    rule = PANEL_RULES[freq]
    ppy = PERIODS_PER_YEAR[freq]
    raw = load_all(source, spec.raw_ids)
    aligned = {
        sid: align_series(series, frequency=freq, aggregation=_aggregation_of(spec, sid))  # type: ignore[arg-type]
        for sid, series in raw.items()
    }

    cols: dict[str, pd.Series] = {}
    infos: dict[str, ColumnInfo] = {}
    fallback_rows: list[dict[str, object]] = []
    for name, s in spec.series.items():
        col, by_fallback, origin, units = _column(name, s, aligned)
        cols[name] = col
        tr = s.resolved_transform
        infos[name] = ColumnInfo(
            name=name,
            origin=origin,
            transform=tr,
            units=TRANSFORM_UNITS[tr].format(units=units or "units of the series"),
            aggregation=_aggregation_of(spec, s.id) if s.id else "per input",
            ragged=s.ragged,
        )
        fallback_rows += [{"column": name, "date": d, "method": "fallback formula"} for d in by_fallback]
    raw_levels = pd.concat(cols, axis=1, sort=True).asfreq(rule)
    offset = pd.tseries.frequencies.to_offset(rule)

    firm = [n for n, s in spec.series.items() if not s.ragged]
    if not firm:
        raise DataError(f"{_where(spec)}: every series is ragged; at least one must set the window")
    lbs = {n: lookback(s.resolved_transform, ppy) for n, s in spec.series.items()}
    spec_start, spec_end = spec.window
    start, end = common_window(raw_levels, firm, lbs)
    window = _window_reason(spec, raw, raw_levels, firm, end, spec_end)
    if spec_start is not None:
        start = max(start, spec_start)
    if spec_end is not None:
        end = min(end, spec_end)
    if start > end:
        raise DataError(f"{_where(spec)}: the data do not cover the window {spec.start}..{spec.end}")

    level_cols: dict[str, pd.Series] = {}
    transformed: dict[str, pd.Series] = {}
    filled: list[dict[str, object]] = []
    for n, s in spec.series.items():
        lo = start - lbs[n] * offset
        col = raw_levels[n].loc[lo:]
        col, records = fill_gaps(
            col, policy=spec.gaps.policy, max_gap=spec.gaps.max_gap, within=(lo, end)
        )
        col = col.loc[:end]
        filled += records
        level_cols[n] = col
        tr = s.resolved_transform
        if tr != "zscore":
            transformed[n] = apply_transform(col, tr, periods_per_year=ppy)
        else:
            transformed[n] = col
    data = pd.concat(transformed, axis=1, sort=True).asfreq(rule).loc[start:end]
    if spec.gaps.policy == "drop":
        data = longest_complete(data, firm)
    for n, s in spec.series.items():  # z-scores over the final window only
        if s.resolved_transform == "zscore":
            data[n] = apply_transform(data[n], "zscore", periods_per_year=ppy)
    data = data.asfreq(rule)
    data.index.name = "date"
    levels = pd.concat(level_cols, axis=1, sort=True).asfreq(rule).loc[: data.index[-1]]
    levels.index.name = "date"
    parts = [sid for s in spec.series.values() if s.derived is not None for sid in DERIVED[s.derived].inputs]
    components = (pd.concat({sid: aligned[sid] for sid in dict.fromkeys(parts) if sid in aligned}, axis=1, sort=True)
                  .reindex(levels.index) if parts else pd.DataFrame(index=levels.index))
    components.index.name = "date"
    if data[firm].isna().any().any():  # pragma: no cover - guarded by the gap policy
        bad = data[firm].columns[data[firm].isna().any()][0]
        raise DataError(f"{_where(spec)}: series {bad} has missing values after transforms")

    filled_all = pd.DataFrame(filled + fallback_rows, columns=["column", "date", "method"])
    filled_all = filled_all[filled_all["date"].between(data.index[0], data.index[-1])].reset_index(drop=True)
    synthetic = bool(source.synthetic)
    return Panel(
        data=data,
        levels=levels,
        columns=MappingProxyType(infos),
        filled=filled_all,
        source=source.name,
        synthetic=synthetic,
        spec_name=spec.name,
        notes=(SYNTHETIC_NOTE,) if synthetic else (),
        inputs=MappingProxyType({sid: MappingProxyType(_fingerprint(x)) for sid, x in raw.items()}),
        window=MappingProxyType({"start": f"{data.index[0]:%Y-%m-%d}", "end": f"{data.index[-1]:%Y-%m-%d}",
                                 **window}),
        components=components,
    )


def _fingerprint(series: pd.Series) -> dict[str, Any]:
    """Hash, first and last date and length of a raw series (what a rerun compares)."""
    s = series.dropna()
    digest = hashlib.sha256()
    digest.update(pd.DatetimeIndex(s.index).asi8.tobytes())
    digest.update(s.to_numpy(dtype="float64").tobytes())
    return {
        "sha256": digest.hexdigest(),
        "first": f"{s.index[0]:%Y-%m-%d}" if len(s) else None,
        "last": f"{s.index[-1]:%Y-%m-%d}" if len(s) else None,
        "n": len(s),
    }


def _window_reason(
    spec: ModelSpec, raw: Mapping[str, pd.Series], levels: pd.DataFrame, firm: list[str],
    data_end: pd.Timestamp, spec_end: pd.Timestamp | None,
) -> dict[str, Any]:
    """Which series end first, and whether the spec's end or the data's end binds."""
    binding = {}
    for name in firm:
        if levels[name].last_valid_index() == data_end:
            ids = spec.series[name].inputs
            lasts = {sid: raw[sid].dropna().index[-1] for sid in ids if sid in raw and raw[sid].notna().any()}
            first_out = min(lasts, key=lambda k: lasts[k]) if lasts else None
            binding[name] = {"input": first_out, "last_observation": f"{lasts[first_out]:%Y-%m-%d}"} \
                if first_out else {}
    if spec_end is not None and spec_end <= data_end:
        reason = f"the sample ends at the spec's end {spec_end:%Y-%m-%d}; the data run to {data_end:%Y-%m-%d}"
        binding = {}
    else:
        named = ", ".join(f"{c} ({b['input']}, last observation {b['last_observation']})" if b else c
                          for c, b in binding.items())
        reason = (f"the sample ends {data_end:%Y-%m-%d}, the last complete period of {named}"
                  + (f"; the spec asks for data to {spec_end:%Y-%m-%d}" if spec_end is not None else ""))
    return {"data_end": f"{data_end:%Y-%m-%d}", "spec_end": None if spec_end is None else f"{spec_end:%Y-%m-%d}",
            "binding": binding, "reason": reason}


def _where(spec: ModelSpec) -> str:
    return str(spec.path) if spec.path is not None else spec.name
