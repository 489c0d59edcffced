"""Saving and loading asset-response results as one ArviZ NetCDF file.

The file is a plain InferenceData file: the posterior and its companions as
ArviZ writes them, the design in the standard ``constant_data`` group (variables ``design_*``,
beside PyMC's data containers), and the
settings and diagnostics as JSON in the attributes of the posterior group.
Fits with regimes or covariates are written as format 2 (the regime of each
date and the covariates beside the design), so that a reader of format 1 refuses
them rather than dropping their regimes.

Compact storage: the draws (posterior, log-likelihood) are stored as float32,
and the data-unit betas ``beta``, a fixed rescaling of ``beta_std`` by the
design's scales, are not stored but recomputed on reading. Float32 keeps about
seven significant digits, far below the Monte Carlo error of any reported
figure; :func:`read_results` returns float64 arrays.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import DataError
from ..fileutil import write_netcdf
from .design import StackedData
from .diagnostics import ConvergenceDiagnostics
from .posterior import PosteriorGroups

if TYPE_CHECKING:
    import arviz as az

    from .results import AssetResponseResults

__all__ = ["read_results", "write_results"]

FORMAT = "causalmacro.asset_response/1"
FORMAT_REGIMES = "causalmacro.asset_response/2"
"""Format of fits with regimes or covariates (design fields a reader of format 1 would miss)."""
_ATTR = "causalmacro"


def _design_dataset(d: StackedData) -> xr.Dataset:
    ds = xr.Dataset(
        {
            "design_y": ("design_row", d.y),
            "design_asset_idx": ("design_row", d.asset_idx),
            "design_time_idx": ("design_row", d.time_idx),
            "design_x": (("design_date", "design_column"), d.x),
            "design_asset_group": ("design_asset", d.asset_group),
            "design_y_loc": ("design_asset", d.y_loc),
            "design_y_scale": ("design_asset", d.y_scale),
            "design_x_loc": ("design_shock", d.x_loc),
            "design_x_scale": ("design_shock", d.x_scale),
        },
        coords={
            "design_date": d.dates.to_numpy(),
            "design_asset": list(d.assets),
            "design_shock": list(d.shocks),
        },
    )
    if d.regimes:
        ds["design_regime_idx"] = ("design_date", d.regime_idx)
    if d.covariates:
        ds = ds.assign_coords(design_covariate=list(d.covariates))
        ds["design_z"] = (("design_date", "design_covariate"), d.z)
    return ds


DERIVED = ("beta",)
"""Posterior variables not stored: recomputed by :func:`_rederive` from ``beta_std`` and the design."""


def _compact(ds: xr.Dataset, drop: tuple[str, ...] = ()) -> xr.Dataset:
    """``ds`` without ``drop``, its float64 variables as float32."""
    out = ds.drop_vars([v for v in drop if v in ds.data_vars])
    return out.assign({name: v.astype(np.float32) for name, v in out.data_vars.items() if v.dtype == np.float64})


def _widen(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with its float32 variables as float64."""
    return ds.assign({name: v.astype(np.float64) for name, v in ds.data_vars.items() if v.dtype == np.float32})


def _rederive(post: xr.Dataset, design: StackedData) -> xr.Dataset:
    """The posterior with ``beta`` (data units) recomputed: ``beta_std * y_scale[asset] / x_scale[shock]``."""
    if "beta" in post.data_vars or "beta_std" not in post.data_vars:
        return post
    y_scale = xr.DataArray(design.y_scale, dims="asset", coords={"asset": list(design.assets)})
    x_scale = xr.DataArray(design.x_scale, dims="shock", coords={"shock": list(design.shocks)})
    std = post["beta_std"]
    return post.assign(beta=(std * y_scale / x_scale).transpose(*std.dims))


def write_results(res: AssetResponseResults, path: Path) -> Path:
    """Write ``res`` to ``path`` atomically (temporary file, then rename), compactly (module docstring).

    Works on the fit's groups (:class:`~causalmacro.bayes.posterior.PosteriorGroups`): nothing of ``res`` is
    modified or copied beyond the compacted groups, and ArviZ is not imported.
    """
    groups = dict(res._groups)
    groups["posterior"] = _compact(groups["posterior"], DERIVED)
    if "log_likelihood" in groups:
        groups["log_likelihood"] = _compact(groups["log_likelihood"])
    had = "constant_data" in groups
    design = _design_dataset(res.design)
    # PyMC's data containers live in constant_data: the design goes beside them
    groups["constant_data"] = xr.merge([groups["constant_data"], design]) if had else design
    meta = {
        "format": FORMAT_REGIMES if res.design.regimes or res.design.covariates else FORMAT,
        "had_constant_data": had,
        "groups": list(res.design.groups),
        "lags": res.design.lags,
        "regimes": list(res.design.regimes),
        "settings": dict(res.settings),
        "diagnostics": {**res.diagnostics.to_dict(), "messages": list(res.diagnostics.messages)},
    }
    groups["posterior"].attrs = {**groups["posterior"].attrs, _ATTR: json.dumps(meta, default=str)}
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_idata(PosteriorGroups(groups), path)


def write_idata(idata: az.InferenceData | PosteriorGroups, path: Path) -> Path:
    """Write ``idata`` as ArviZ does (one NetCDF group per group, in its order; uncompressed, see
    :func:`write_netcdf`), atomically.

    The file is built in memory and only its bytes go to disk (temporary file,
    then rename): when the disk is full the write fails with a plain
    :class:`OSError` and no HDF5 file is left open (h5py would crash the
    interpreter closing it later, during garbage collection).
    """
    return write_netcdf(path, [(group, idata[group]) for group in idata.groups()])


def _regimes_and_covariates(c: xr.Dataset, meta: dict[str, Any]) -> dict[str, Any]:
    """The design's regime and covariate fields (absent from files of fits without them)."""
    out: dict[str, Any] = {}
    if meta.get("regimes"):
        out["regimes"] = tuple(str(r) for r in meta["regimes"])
        out["regime_idx"] = np.asarray(c["design_regime_idx"].values, dtype=np.int64)
    if "design_z" in c:
        out["covariates"] = tuple(str(v) for v in c["design_covariate"].values)
        out["z"] = np.asarray(c["design_z"].values, dtype=np.float64)
    return out


def read_results(path: Path) -> tuple[az.InferenceData, StackedData, ConvergenceDiagnostics, dict[str, Any]]:
    """Read the parts of results written by :func:`write_results`; one-line :class:`DataError` otherwise.

    Returns
    -------
    idata, design, diagnostics, settings
        The fields of :class:`~causalmacro.bayes.results.AssetResponseResults`.
    """
    if not path.is_file():
        raise DataError(f"{path}: no such results file")
    import arviz as az

    try:
        idata = az.from_netcdf(str(path), engine="h5netcdf")
        meta = json.loads(idata["posterior"].attrs[_ATTR])
        c = idata["constant_data"]
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise DataError(f"{path}: not an asset-response results file written by save() ({type(exc).__name__})") from None
    if meta.get("format") not in (FORMAT, FORMAT_REGIMES):
        raise DataError(f"{path}: unknown results format {meta.get('format')!r}; expected {FORMAT!r}")
    design = StackedData(
        assets=tuple(str(a) for a in c["design_asset"].values),
        groups=tuple(meta["groups"]),
        shocks=tuple(str(s) for s in c["design_shock"].values),
        lags=int(meta["lags"]),
        dates=pd.DatetimeIndex(c["design_date"].values),
        asset_group=np.asarray(c["design_asset_group"].values, dtype=np.int64),
        y=np.asarray(c["design_y"].values, dtype=np.float64),
        asset_idx=np.asarray(c["design_asset_idx"].values, dtype=np.int64),
        time_idx=np.asarray(c["design_time_idx"].values, dtype=np.int64),
        x=np.asarray(c["design_x"].values, dtype=np.float64),
        y_loc=np.asarray(c["design_y_loc"].values, dtype=np.float64),
        y_scale=np.asarray(c["design_y_scale"].values, dtype=np.float64),
        x_loc=np.asarray(c["design_x_loc"].values, dtype=np.float64),
        x_scale=np.asarray(c["design_x_scale"].values, dtype=np.float64),
        **_regimes_and_covariates(c, meta),
    )
    diag = dict(meta["diagnostics"])
    diag.pop("thresholds", None)
    diag["messages"] = tuple(diag.get("messages", ()))
    if meta.get("had_constant_data"):
        names = [v for v in [*c.data_vars, *c.coords] if str(v).startswith("design_")]
        setattr(idata, "constant_data", c.drop_vars(names))  # noqa: B010
    else:
        del idata.constant_data
    post = _rederive(_widen(idata["posterior"]), design)
    post.attrs = {k: v for k, v in idata["posterior"].attrs.items() if k != _ATTR}
    setattr(idata, "posterior", post)  # noqa: B010
    if "log_likelihood" in idata.groups():
        setattr(idata, "log_likelihood", _widen(idata["log_likelihood"]))  # noqa: B010
    return idata, design, ConvergenceDiagnostics(**diag), dict(meta["settings"])
