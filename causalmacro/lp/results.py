"""Frozen results of local projections (:class:`LocalProjectionsResults`); see :mod:`causalmacro.lp`."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from causalmacro import plotdispatch
from causalmacro.errors import ArgumentError, DataError
from causalmacro.labelled import RESPONSE_DIMS, check_level, point_only, rebuild, with_bounds
from causalmacro.spec.defaults import LP

__all__ = ["LocalProjectionsResults"]


@dataclass(frozen=True, eq=False, repr=False)
class LocalProjectionsResults:
    """Local-projection coefficients and standard errors, read-only.

    Attributes
    ----------
    coef, se : ndarray, shape (H + 1, responses, shocks, states or 1)
    nobs : ndarray, shape (H + 1, shocks, states or 1)
        Observations in each regression (the last response's).
    responses, shocks, states : tuple of str
    lags : int
    lag_augment : bool
    cov : str
        The standard errors' kind.
    shock_size : {"unit", "std"}
        ``"unit"``: responses to a one-unit move of each shock series (what a
        local projection estimates; the SVAR's ``shock_size="unit"`` means the
        same thing there: a unit move of the shocked series). ``"std"``: the
        shock series have unit variance (the SVAR's structural shocks, as the
        main job passes them), so a unit move is one standard deviation. Given
        by :class:`LocalProjections`; recorded in ``irf().attrs`` so figures
        title it right.
    corr : ndarray, shape (H + 1, H + 1, responses, shocks, states or 1), optional
        Correlation of each path's estimates across horizons (the joint bands'); None in
        results saved before it existed (then ``irf(joint=True)`` is refused).
    hac_lags : int or None
        Newey-West lags given (None: ``h + 1`` at horizon ``h``).
    joint_lags : int
        Newey-West bandwidth of the joint covariance across horizons.
    cumulative : bool
        Responses of ``y_t + ... + y_{t+h}``.
    controls : tuple of str
        The exogenous controls.
    """

    coef: np.ndarray
    se: np.ndarray
    nobs: np.ndarray
    responses: tuple[str, ...]
    shocks: tuple[str, ...]
    states: tuple[str, ...] = ()
    lags: int = 0
    lag_augment: bool = True
    cov: str = "HC1"
    shock_size: str = "unit"
    corr: np.ndarray | None = None
    hac_lags: int | None = LP.hac_lags
    joint_lags: int = 0
    cumulative: bool = LP.cumulative
    controls: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("coef", "se", "nobs", "corr"):
            if getattr(self, name) is None:
                continue
            a = np.array(getattr(self, name), copy=True)
            a.flags.writeable = False
            object.__setattr__(self, name, a)

    def __reduce__(self) -> tuple[Any, ...]:
        # through the constructor, so the arrays come back read-only
        return (rebuild, (type(self), {f.name: getattr(self, f.name) for f in fields(self)}))

    # ------------------------------------------------------------ results protocol
    # (written over the dataclass fields: the arrays as variables, the rest as one JSON attr)
    def _arrays(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self) if isinstance(getattr(self, f.name), np.ndarray)}

    def _settings(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if not isinstance(getattr(self, f.name), np.ndarray)}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready results: ``model``, the settings (names, lags, standard errors, shock size) and the arrays as lists.

        Returns
        -------
        dict
            ``model`` (``"local_projections"``), every field of the results
            (tuples as lists), and ``coef``, ``se``, ``nobs`` as nested lists
            with their ``shape``.
        """
        out: dict[str, Any] = {"model": "local_projections"}
        out.update({k: list(v) if isinstance(v, tuple) else v for k, v in self._settings().items()})
        out.update({k: a.tolist() for k, a in self._arrays().items()})
        out["shape"] = list(self.coef.shape)
        return out

    def to_dataframe(self, *, level: float | None = 0.9) -> pd.DataFrame:
        """The responses (:meth:`irf`) as a long table.

        Parameters
        ----------
        level : float or None
            Coverage of the bands; None for the point only.

        Returns
        -------
        DataFrame
            Index ``(horizon, response, shock)`` (plus the state dim); columns
            ``point``, and ``lower``, ``upper`` with bands.
        """
        irf = self.irf(level=level)
        if "bound" not in irf.dims:
            return irf.to_dataframe(name="point")[["point"]]
        frame = irf.to_dataframe(name="irf")["irf"].unstack("bound")[["point", "lower", "upper"]]
        frame.columns.name = None
        return frame

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        import html

        return f"<div><h4>Local projections</h4><pre>{html.escape(self.summary())}</pre></div>"

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the results to one NetCDF file, atomically (:func:`causalmacro.fileutil.write_netcdf`).

        Parameters
        ----------
        path : str or path-like
            The file to write; :meth:`load` reads it back equal.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        import json

        from causalmacro.fileutil import write_netcdf

        data = xr.Dataset({k: (tuple(f"{k}_{i}" for i in range(a.ndim)), a) for k, a in self._arrays().items()},
                          attrs={"model": "local_projections", "settings": json.dumps(self._settings())})
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        return write_netcdf(target, [(None, data)])

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LocalProjectionsResults:
        """Read results written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like
            The file :meth:`save` wrote.

        Returns
        -------
        LocalProjectionsResults

        Raises
        ------
        DataError
            The file is missing or holds no local projections.
        """
        import json

        try:
            with xr.open_dataset(path, engine="h5netcdf") as ds:
                data = ds.load()
        except (OSError, ValueError) as exc:
            raise DataError(f"{path}: not saved local projections ({type(exc).__name__})") from None
        if data.attrs.get("model") != "local_projections":
            raise DataError(f"{path}: not saved local projections (model {data.attrs.get('model')!r})")
        state: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                                 for k, v in json.loads(data.attrs["settings"]).items()}
        state.update({str(k): data[k].to_numpy() for k in data.data_vars})
        return cls(**state)

    def irf(self, *, level: float | None = 0.9, joint: bool = False) -> xr.DataArray:
        """Responses as the package's response type: dims ``(horizon, response, shock)`` (plus ``state``) and ``bound``.

        Parameters
        ----------
        level : float or None
            Coverage of the normal bands; None for the point only (``bound`` is then
            ``["point"]``: the dims are the same either way).
        joint : bool, default False
            Simultaneous (sup-t) bands over the horizons of each path (Montiel Olea &
            Plagborg-Møller 2019): ``point ± c se`` with ``c`` from the estimates' joint
            correlation across horizons (:func:`causalmacro.bands.sup_t_gaussian`, fixed
            seed); False: pointwise, ``c = z_{(1+level)/2}``. ``attrs["joint"]`` records which.

        Returns
        -------
        xarray.DataArray
            ``attrs`` hold the settings (``lags``, ``lag_augment``, ``cov``, ``hac_lags``
            (``"h + 1"`` for the rule), ``cumulative``, ``shock_size``) and, with bands,
            ``level``, ``interval`` and ``joint``.
        """
        dims: list[str] = list(RESPONSE_DIMS) + (["state"] if self.states else [])
        data = self.coef if self.states else self.coef[..., 0]
        coords: dict[str, Any] = {"horizon": np.arange(self.coef.shape[0]), "response": list(self.responses),
                                  "shock": list(self.shocks)}
        if self.states:
            coords["state"] = list(self.states)
        point = xr.DataArray(data, dims=dims, coords=coords, name="irf",
                             attrs={"model": "local_projections", "lags": self.lags,
                                    "lag_augment": int(self.lag_augment), "cov": self.cov,
                                    "hac_lags": "h + 1" if self.hac_lags is None else int(self.hac_lags),
                                    "cumulative": int(self.cumulative), "shock_size": self.shock_size})
        if level is None:
            return point_only(point)
        level = check_level(level)
        if not joint:
            z = float(stats.norm.ppf(0.5 + level / 2))
            se = self.se if self.states else self.se[..., 0]
            point.attrs["joint"] = 0
            return with_bounds(point, point - z * se, point + z * se, level=level,
                               interval=f"pointwise normal, {self.cov} standard errors")
        lo, hi, _ = self._sup_t(level)
        point.attrs["joint"] = 1
        if not self.states:
            lo, hi = lo[..., 0], hi[..., 0]
        return with_bounds(point, point.copy(data=lo), point.copy(data=hi), level=level,
                           interval=f"sup-t simultaneous over horizons (Montiel Olea & Plagborg-Møller 2019), "
                                    f"{self.cov} standard errors, joint Newey-West {self.joint_lags} lags")

    def _sup_t(self, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sup-t bounds (coef's shape) and the p-value of each path being zero (shape without horizon)."""
        from causalmacro.bands import sup_t_gaussian

        if self.corr is None:
            raise ArgumentError("joint: these results were saved without the correlation across horizons; refit")
        lo, hi = np.full(self.coef.shape, np.nan), np.full(self.coef.shape, np.nan)
        pval = np.full(self.coef.shape[1:], np.nan)
        for i, j, k in np.ndindex(*self.coef.shape[1:]):
            b, s = self.coef[:, i, j, k], self.se[:, i, j, k]
            ok = np.isfinite(b) & np.isfinite(s)
            if not ok.any():
                continue
            cov = self.corr[np.ix_(ok, ok)][:, :, i, j, k] * np.outer(s[ok], s[ok])
            lo[ok, i, j, k], hi[ok, i, j, k], pval[i, j, k] = sup_t_gaussian(b[ok], cov, level)
        return lo, hi, pval

    def irf_test(self) -> pd.DataFrame:
        """Test, for every shock and response (and state), that the whole response path is zero.

        The sup-t test behind the joint bands: the statistic is ``max_h |coef_h| / se_h``,
        its p-value the probability that the largest absolute value of the Gaussian path
        with the estimates' correlation across horizons is at least as large.
        ``irf(level=1 - a, joint=True)`` excludes zero somewhere exactly when the p-value is
        below ``a`` (up to the Monte Carlo error of both, fixed seed). The p-values are raw:
        adjust them for the paths tested together (:func:`causalmacro.bands.adjust`).

        Returns
        -------
        pandas.DataFrame
            One row per ``(shock, response[, state])``: ``statistic``, ``p_value``.
        """
        _, _, pval = self._sup_t(0.9)
        ratio = np.where(self.se > 0, np.abs(self.coef) / np.where(self.se > 0, self.se, 1.0), 0.0)
        stat = np.nanmax(np.where(np.isfinite(self.coef), ratio, np.nan), axis=0)
        rows = []
        for i, j, k in np.ndindex(*self.coef.shape[1:]):
            row: dict[str, Any] = {"shock": self.shocks[j], "response": self.responses[i]}
            if self.states:
                row["state"] = self.states[k]
            rows.append({**row, "statistic": float(stat[i, j, k]), "p_value": float(pval[i, j, k])})
        return pd.DataFrame(rows)

    def plot(self, *, level: float | None = 0.9, joint: bool = False, state: str | None = None,
             **plot_options: Any) -> Any:
        """Grid of the responses (one row per response, one column per shock): ``irf(level)`` drawn.

        Parameters
        ----------
        level : float or None
            Coverage of the bands; None for the point only.
        joint : bool
            Sup-t bands over the horizons (see :meth:`irf`).
        state : str, optional
            With state-dependent projections, the state to draw (required then).
        **plot_options
            Passed to :func:`causalmacro.plotting.plot_irf` (``responses=``, ``shocks=``, ``axes=``, ``units=``).

        Returns
        -------
        matplotlib.figure.Figure
        """
        irf = self.irf(level=level, joint=joint)
        if self.states:
            if state not in self.states:
                raise ArgumentError(f"state: {state!r} is not a state of these projections; states are "
                                    f"{list(self.states)}")
            irf = irf.sel(state=state, drop=True)
        elif state is not None:
            raise ArgumentError("state: these projections are not state-dependent")
        return plotdispatch.call("plot_irf", irf, **plot_options)

    def summary(self) -> str:
        """Plain text: the setting and the impact responses."""
        lines = [f"Local projections: {len(self.responses)} responses, {len(self.shocks)} shocks, horizons "
                 f"0..{self.coef.shape[0] - 1}, {self.lags} lags" + (" + 1 (lag-augmented)" if self.lag_augment else "")
                 + f", {self.cov} standard errors" + (f", states {list(self.states)}" if self.states else "")
                 + (", cumulative" if self.cumulative else "")
                 + (f", controls {list(self.controls)}" if self.controls else "")]
        impact = self.irf(level=None).isel(horizon=0).sel(bound="point", drop=True)
        lines.append(impact.to_dataframe().to_string() if not self.states else str(impact.values))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"LocalProjectionsResults(responses={list(self.responses)}, shocks={list(self.shocks)}, "
                f"horizon={self.coef.shape[0] - 1}, states={list(self.states)})")

