"""Saving and loading structural VAR results as an inspectable zip of JSON and ``.npy`` files.

File layout (format ``causalmacro.svar.results``, version 1)::

    manifest.json   format, version, variables, lags, trend, sample index,
                    identification scheme and all its options, identification
                    details, lag selection, notes
    data.npy        the estimation data, all rows (float64, nobs + lags by K)
    impact.npy      the identified impact matrix B0^-1
    accepted.npy    impact matrices of the accepted models (sign restrictions only)
    weights.npy     their importance weights (zero or narrative restrictions only)
    params.npy      reduced-form coefficients, a check on re-estimation
    sigma_u.npy     residual covariance, for inspection

A scheme option holding a pandas Series (a proxy's instrument) is stored in the
manifest as ``{"series": {"name", "index", "values"}}`` (NaN as null).

Every member opens with ``unzip`` and :func:`numpy.load`; nothing is pickled.
Loading re-estimates the reduced form from the stored data with the stored lag
order and trend (least squares is deterministic, Lütkepohl 2005, sec. 3.2) and
checks it against the stored coefficients; the identification is *restored* from
the file, never redone, so sign-restricted models keep their accepted draws and
short-run models their ML estimate. Residual diagnostics are recomputed from the
re-estimated reduced form.

References
----------
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*. Springer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from causalmacro.errors import ArgumentError, DataError
from causalmacro.fileutil import replace_atomically
from causalmacro.svar import _format
from causalmacro.svar.diagnostics import residual_diagnostics
from causalmacro.svar.identification import Identification, Identified
from causalmacro.svar.reduced_form import fit_reduced_form
from causalmacro.svar.schemes import SCHEMES

if TYPE_CHECKING:
    from causalmacro.svar.results import SVARResults

__all__ = ["FORMAT", "VERSION", "read_results", "save_results"]

FORMAT = "causalmacro.svar.results"
VERSION = 1
_SCHEMES = SCHEMES


class _Corrupt(Exception):
    """Internal: the file opened but its contents are inconsistent."""


# ------------------------------------------------------------------ encoding
def _plain(value: Any) -> Any:
    """JSON-ready copy: mappings to dicts, sequences and arrays to lists, NaN to None."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a narrative restriction
        return _plain(dataclasses.asdict(value))
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _encode_pattern(pattern: Any) -> Any:
    """A short-run pattern with every free marker (``"*"``, None, NaN) as None."""
    if pattern is None:
        return None
    out = []
    for row in pattern:
        enc = []
        for v in row:
            free = v is None or isinstance(v, str) or np.isnan(float(v))
            enc.append(None if free else float(v))
        out.append(enc)
    return out


def _encode_identification(ident: Identification) -> dict[str, Any]:
    scheme = _SCHEMES.get(ident.name)
    if scheme is None or type(ident) is not scheme or not dataclasses.is_dataclass(ident):
        raise ArgumentError(
            f"identification of type {type(ident).__name__} cannot be saved; only {sorted(_SCHEMES)} can"
        )
    options: dict[str, Any] = {}
    for f in dataclasses.fields(ident):
        value = getattr(ident, f.name)
        if isinstance(value, pd.Series):
            options[f.name] = _encode_series(value)
        else:
            options[f.name] = _encode_pattern(value) if f.name in ("A", "B") else _plain(value)
    return {"scheme": ident.name, "options": options}


def _encode_series(series: pd.Series) -> dict[str, Any]:
    """A scheme's series option: ``{"series": {name, index, values}}``; numbers (a proxy's instrument, NaN as None) or
    labels (a volatility scheme's regimes, as strings, ``"kind": "labels"``)."""
    name = series.name
    if name is not None and not isinstance(name, str):
        raise DataError(f"cannot save a series option whose name {name!r} is not a string")
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.to_numpy(dtype=float)
        return {"series": {"name": name, "index": _encode_index(series.index), "values": _plain(values)}}
    # labels (a volatility scheme's regimes), kept as strings, missing as None
    labels = [None if pd.isna(v) else str(v) for v in series]
    return {"series": {"name": name, "kind": "labels", "index": _encode_index(series.index), "values": labels}}


def _encode_index(index: pd.Index) -> dict[str, Any]:
    name = index.name
    if name is not None and not isinstance(name, str):
        raise DataError(f"cannot save results whose sample index name {name!r} is not a string")
    out: dict[str, Any] = {"name": name}
    if isinstance(index, pd.PeriodIndex):
        out.update(kind="period", freq=index.freqstr, values=index.asi8.tolist())
    elif isinstance(index, pd.DatetimeIndex):
        out.update(kind="datetime", unit=index.unit, tz=None if index.tz is None else str(index.tz),
                   freq=index.freqstr, values=index.asi8.tolist())
    elif isinstance(index, pd.RangeIndex):
        out.update(kind="range", start=index.start, stop=index.stop, step=index.step)
    elif index.dtype.kind in "iu":
        out.update(kind="int", dtype=str(index.dtype), values=index.tolist())
    elif index.dtype.kind == "f":
        out.update(kind="float", values=[float(v) for v in index])
    elif all(isinstance(v, str) for v in index):
        out.update(kind="str", values=[str(v) for v in index])
    else:
        raise DataError(f"cannot save results whose sample index has dtype {index.dtype}")
    return out


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array, dtype=np.float64), allow_pickle=False)
    return buf.getvalue()


def save_results(res: SVARResults, path: str | os.PathLike[str]) -> Path:
    """Write ``res`` to ``path`` atomically (temporary file in the same folder, then a rename).

    Parameters
    ----------
    res : SVARResults
    path : str or path-like
        Target file; any suffix (``.zip`` lets archive tools open it).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    DataError
        When the folder is missing or not writable, or the sample index cannot be stored.
    ArgumentError
        For an identification object of a class causalmacro does not define.
    """
    target = Path(path)
    rf = res.reduced_form
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "variables": list(rf.names),
        "lags": rf.lags,
        "trend": rf.trend,
        "nobs": rf.nobs,
        "index": _encode_index(rf.index),
        "identification": _encode_identification(res.identification),
        "identified_details": _format.jsonable(dict(res.identified.details)),
        "lag_selection": _format.jsonable(res.lag_selection),
        "notes": list(res.notes),
        "seed": res.seed,
        "exog_names": list(rf.exog_names),
    }
    arrays = {"data": rf.data, "impact": res.identified.impact, "params": rf.params, "sigma_u": rf.sigma_u}
    if rf.exog is not None:
        arrays["exog"] = rf.exog
    if res.identified.accepted is not None:
        arrays["accepted"] = res.identified.accepted
    if res.identified.weights is not None:
        arrays["weights"] = res.identified.weights
    return write_archive(target, manifest, arrays)


def write_archive(target: Path, manifest: dict[str, Any], arrays: Mapping[str, Any]) -> Path:
    """Write ``manifest.json`` and one ``.npy`` per array to the zip ``target`` atomically.

    The one writer of the package's zip results (the SVAR's here, the BVAR's in
    :mod:`causalmacro.bvar.io`); :func:`read_archive` reads them. A missing folder or a
    failed write is one ``DataError`` line naming the file; the previous file is kept.
    """
    manifest = {**manifest, "arrays": sorted(arrays)}
    if not target.parent.is_dir():
        raise DataError(f"cannot write {target}: folder {target.parent} does not exist")

    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("manifest.json", json.dumps(manifest, indent=1))
                for name, arr in arrays.items():
                    zf.writestr(f"{name}.npy", _npy(np.asarray(arr)))
            fh.flush()
            os.fsync(fh.fileno())

    try:
        replace_atomically(target, write)
    except OSError as exc:
        raise DataError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


# ------------------------------------------------------------------ decoding
def _decode_index(spec: Mapping[str, Any], n: int) -> pd.Index:
    kind = spec["kind"]
    index: pd.Index
    if kind == "period":
        index = pd.PeriodIndex.from_ordinals(np.asarray(spec["values"], dtype=np.int64), freq=spec["freq"])
    elif kind == "datetime":
        raw = np.asarray(spec["values"], dtype=np.int64).view(f"datetime64[{spec['unit']}]")
        index = pd.DatetimeIndex(raw)
        if spec["tz"] is not None:
            index = index.tz_localize("UTC").tz_convert(spec["tz"])
        if spec["freq"] is not None:
            index = pd.DatetimeIndex(index, freq=spec["freq"])
    elif kind == "range":
        index = pd.RangeIndex(spec["start"], spec["stop"], spec["step"])
    elif kind == "int":
        index = pd.Index(np.asarray(spec["values"], dtype=spec["dtype"]))
    elif kind == "float":
        index = pd.Index(np.asarray(spec["values"], dtype=np.float64))
    elif kind == "str":
        index = pd.Index([str(v) for v in spec["values"]])
    else:
        raise _Corrupt(f"unknown index kind {kind!r}")
    if len(index) != n:
        raise _Corrupt(f"index has {len(index)} dates for {n} observations")
    return index.rename(spec["name"])


def _decode_identification(spec: Mapping[str, Any]) -> Identification:
    scheme = _SCHEMES.get(spec["scheme"])
    if scheme is None:
        raise _Corrupt(f"unknown identification scheme {spec['scheme']!r}")
    options = {}
    for key, value in spec["options"].items():
        if isinstance(value, Mapping) and set(value) == {"series"}:
            enc = value["series"]
            if enc.get("kind") == "labels":
                vals: Any = [None if v is None else str(v) for v in enc["values"]]
                value = pd.Series(vals, index=_decode_index(enc["index"], len(vals)), name=enc.get("name"),
                                  dtype=object)
            else:
                floats = np.array([np.nan if v is None else v for v in enc["values"]], dtype=np.float64)
                value = pd.Series(floats, index=_decode_index(enc["index"], len(floats)), name=enc.get("name"))
        options[key] = value
    return scheme(**options)


def _zip_magic(path: Path) -> bool:
    """Whether the file starts like a zip archive (so a failure to open it means damage)."""
    with contextlib.suppress(OSError), open(path, "rb") as fh:
        return fh.read(4) == b"PK\x03\x04"
    return False


def _read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Manifest and arrays of a results file; DataError for foreign or unreadable files."""
    return read_archive(path, fmt=FORMAT, version=VERSION, what="SVAR results")


def read_archive(path: Path, *, fmt: str, version: int,
                 what: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Manifest and ``.npy`` arrays of a zip results file of format ``fmt``, version ``version``.

    The one reader of the package's zip results (the SVAR's here, the BVAR's in
    :mod:`causalmacro.bvar.io`); every failure is one ``DataError`` line naming the file:
    not such a file (``what``), another version, unreadable, or damaged.
    """
    foreign = DataError(f"{path} is not a causalmacro {what} file")
    try:
        with zipfile.ZipFile(path) as zf:
            if "manifest.json" not in zf.namelist():
                raise foreign
            manifest = json.loads(zf.read("manifest.json").decode("utf-8"))
            if not isinstance(manifest, dict) or manifest.get("format") != fmt:
                raise foreign
            if manifest.get("version") != version:
                raise DataError(
                    f"{path} has {what} format version {manifest.get('version')!r}; "
                    f"this causalmacro reads version {version}"
                )
            arrays = {
                name: np.load(io.BytesIO(zf.read(f"{name}.npy")), allow_pickle=False)
                for name in manifest["arrays"]
            }
    except DataError:
        raise
    except zipfile.BadZipFile as exc:
        if "File is not a zip file" in str(exc) and not _zip_magic(path):
            raise foreign from None
        raise DataError(f"{path} is corrupt: damaged zip archive ({exc})".splitlines()[0]) from None
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    except Exception as exc:  # any failure to parse an untrusted file (zlib, npy, JSON, ...) is damage
        raise DataError(f"{path} is corrupt: {type(exc).__name__}: {exc}".splitlines()[0]) from None
    return manifest, arrays


def read_results(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read the fields of results written by :meth:`SVARResults.save`.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    dict
        Keyword arguments of :class:`~causalmacro.svar.results.SVARResults`:
        the same coefficients, impact matrix, identification details and seed,
        so responses, decompositions and summaries equal the saved ones.

    Raises
    ------
    DataError
        Naming the file, when it is missing, not a results file, of another
        format version, or corrupt (including data that no longer reproduce the
        stored coefficients).
    """
    source = Path(path)
    if not source.is_file():
        raise DataError(f"results file {source} does not exist")
    manifest, arrays = _read(source)
    try:
        names = [str(n) for n in manifest["variables"]]
        lags, trend = int(manifest["lags"]), manifest["trend"]
        data = arrays["data"]
        if data.ndim != 2 or data.shape[1] != len(names):
            raise _Corrupt(f"data has shape {data.shape} for {len(names)} variables")
        exog_names = [str(n) for n in manifest.get("exog_names", [])]
        exog = None
        if exog_names:
            exog = pd.DataFrame(arrays["exog"], columns=exog_names)
        rf, sm_res = fit_reduced_form(pd.DataFrame(data, columns=names), lags, trend, exog)
        rf = dataclasses.replace(rf, index=_decode_index(manifest["index"], rf.nobs))
        stored = arrays["params"]
        if stored.shape != rf.params.shape or not np.allclose(rf.params, stored, rtol=1e-8, atol=1e-12):
            raise _Corrupt("stored coefficients do not match re-estimation from the stored data")
        impact = arrays["impact"]
        if impact.shape != (len(names), len(names)):
            raise _Corrupt(f"impact matrix has shape {impact.shape}")
        identified = Identified(
            impact=impact, details=dict(manifest["identified_details"]), accepted=arrays.get("accepted"),
            weights=arrays.get("weights")
        )
        identification = _decode_identification(manifest["identification"])
        selection = manifest["lag_selection"]
        if selection is not None and "maxlags" in selection:  # files written before the rename keep the old key name
            selection = {("max_lags" if k == "maxlags" else k): v for k, v in selection.items()}
        notes = tuple(str(n) for n in manifest["notes"])
        seed = int(manifest["seed"])
    except Exception as exc:  # the manifest is untrusted input: any inconsistency is damage
        reason = str(exc) if isinstance(exc, _Corrupt) else f"{type(exc).__name__}: {exc}"
        raise DataError(f"{source} is corrupt: {reason}".splitlines()[0]) from None
    return {
        "reduced_form": rf,
        "identification": identification,
        "identified": identified,
        "lag_selection": selection,
        "notes": notes,
        "diagnostics": residual_diagnostics(sm_res, rf),
        "_sm": sm_res,
        "seed": seed,
    }
