"""Local projections (Jordà 2005), optionally state-dependent (Ramey & Zubairy 2018).

Definition, so anyone can recompute it: the response of variable ``y`` at
horizon ``h`` to ``shock`` is the OLS coefficient on ``shock_t`` in the
regression of ``y_{t+h}`` on a constant, ``shock_t`` and ``lags`` lags of every
response variable and every shock (``lag_augment=True`` adds one more lag of
each). With lag augmentation ordinary heteroskedasticity-robust (HC1) standard
errors are valid (Montiel Olea & Plagborg-Møller 2021); without it the
standard errors are HAC (Newey-West, ``h + 1`` lags), as the regression errors
of horizon ``h`` are serially correlated up to order ``h``. Bands are
``point ± z_{(1+level)/2} se``, pointwise.

With a ``state`` series (labels per period), every regressor is interacted with
the indicator of the state at ``t - 1``, the period before the shock, so each
state gets its own response (Ramey & Zubairy 2018).

References
----------
Jordà, Ò. (2005). Estimation and inference of impulse responses by local projections.
*American Economic Review* 95(1), 161-182.
Montiel Olea, J. L. & Plagborg-Møller, M. (2021). Local projection inference is simpler
and more robust than you think. *Econometrica* 89(4), 1789-1823.
Ramey, V. A. & Zubairy, S. (2018). Government spending multipliers in good times and in
bad. *Journal of Political Economy* 126(2), 850-901.
"""

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

__all__ = ["LocalProjections", "LocalProjectionsResults"]


def _frame(data: pd.DataFrame | pd.Series, what: str) -> pd.DataFrame:
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] == 0:
        raise DataError(f"{what}: expected a DataFrame with at least one column")
    for c in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            raise DataError(f"{what}: column {c!r} is not numeric")
    return frame.astype(float)


class LocalProjections:
    """Local-projection impulse responses of ``responses`` to each column of ``shocks``.

    Parameters
    ----------
    responses : pandas.DataFrame
        One column per response variable, a time index.
    shocks : pandas.DataFrame or Series
        One column per shock on the same index (e.g. ``SVARResults.structural_shocks()``,
        an event dummy, any series). Rows missing in either are dropped per regression.
    horizon : int
        Last horizon; responses at ``0..horizon``.
    lags : int
        Lags of every response and every shock among the controls.
    lag_augment : bool, default True
        Add one more lag of each (then HC1 standard errors; HAC otherwise); the
        default is the spec's ``[lp] lag_augment`` (:data:`causalmacro.spec.defaults.LP`).
    state : pandas.Series, optional
        Regime label per period; responses are estimated per state at ``t - 1``.
    shock_size : {"unit", "std"}
        What a one-unit move of a shock series is, for labels: ``"unit"`` (a
        unit of the series), or ``"std"`` when the shocks have unit variance
        (``SVARResults.structural_shocks()``), so a unit move is one standard
        deviation. The estimates are the same either way.

    Examples
    --------
    >>> lp = LocalProjections(panel[["btc"]], svar.structural_shocks()[["net_liquidity"]], horizon=12, lags=2)  # doctest: +SKIP
    >>> lp.fit().irf(level=0.9)  # doctest: +SKIP
    """

    def __init__(
        self,
        responses: pd.DataFrame,
        shocks: pd.DataFrame | pd.Series,
        *,
        horizon: int,
        lags: int,
        lag_augment: bool = LP.lag_augment,
        state: pd.Series | None = None,
        shock_size: str = "unit",
    ) -> None:
        if shock_size not in ("unit", "std"):
            raise ArgumentError(f"shock_size must be 'unit' or 'std', got {shock_size!r}")
        self.shock_size = shock_size
        self.responses = _frame(responses, "responses")
        self.shocks = _frame(shocks, "shocks")
        for name, value, low in (("horizon", horizon, 0), ("lags", lags, 0)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
                raise ArgumentError(f"{name} must be an integer >= {low}, got {value!r}")
        self.horizon, self.lags, self.lag_augment = int(horizon), int(lags), bool(lag_augment)
        self.state = state
        common = self.responses.index.intersection(self.shocks.index)
        if len(common) <= self.horizon + self.lags + 2:
            raise DataError(f"responses and shocks share {len(common)} periods: too few for horizon {horizon}")
        if state is not None:
            if not isinstance(state, pd.Series):
                raise DataError("state: expected a pandas Series of labels")
            missing = self.responses.index.difference(state.index)
            if len(missing):
                raise DataError(f"state: no label for {len(missing)} periods (first {missing[0]})")

    def fit(self) -> LocalProjectionsResults:
        """Run every regression and return frozen results.

        Returns
        -------
        LocalProjectionsResults
            The coefficients and standard errors of every (response, shock,
            horizon); :meth:`LocalProjectionsResults.irf` gives the banded
            responses.
        """
        p = self.lags + (1 if self.lag_augment else 0)
        index = self.responses.index.intersection(self.shocks.index)
        y = self.responses.loc[index]
        s = self.shocks.loc[index]
        lagged = [frame.shift(j).add_suffix(f"_L{j}") for frame in (y, s) for j in range(1, p + 1)]
        controls = pd.concat(lagged, axis=1) if lagged else pd.DataFrame(index=index)
        states = ["all"] if self.state is None else sorted(map(str, pd.unique(self.state.dropna())))
        prior_state = None if self.state is None else self.state.reindex(index).shift(1).astype(object)
        shape = (self.horizon + 1, y.shape[1], s.shape[1], len(states))
        coef, se = np.full(shape, np.nan), np.full(shape, np.nan)
        nobs = np.zeros(shape[:1] + shape[2:], dtype=int)
        for h in range(self.horizon + 1):
            lead = y.shift(-h)
            for j, shock in enumerate(s.columns):
                base = pd.concat([s[[shock]], controls], axis=1)
                for k, st in enumerate(states):
                    mask = pd.Series(True, index=index) if prior_state is None else (prior_state.astype(str) == st)
                    x = base[mask]
                    x = pd.concat([pd.Series(1.0, index=x.index, name="const"), x], axis=1)
                    for i, resp in enumerate(y.columns):
                        rows = pd.concat([lead[resp][mask], x], axis=1).dropna()
                        if len(rows) <= x.shape[1] + 1:
                            continue
                        b, v = _ols(rows.iloc[:, 1:].to_numpy(), rows.iloc[:, 0].to_numpy(),
                                    "HC1" if self.lag_augment else ("HAC", h + 1))
                        coef[h, i, j, k], se[h, i, j, k] = b[1], np.sqrt(v[1, 1])
                        nobs[h, j, k] = len(rows)
        return LocalProjectionsResults(
            coef=coef, se=se, nobs=nobs, responses=tuple(map(str, y.columns)), shocks=tuple(map(str, s.columns)),
            states=tuple(states) if self.state is not None else (), lags=self.lags, lag_augment=self.lag_augment,
            cov="HC1" if self.lag_augment else "HAC (Newey-West, h + 1 lags)", shock_size=self.shock_size,
        )


def _ols(x: np.ndarray, y: np.ndarray, cov: Any) -> tuple[np.ndarray, np.ndarray]:
    """OLS coefficients and their HC1 or Newey-West covariance."""
    sv = np.linalg.svd(x / np.maximum(np.abs(x).max(axis=0), 1e-300), compute_uv=False)
    if sv[-1] < 1e-9 * sv[0]:
        raise DataError(
            "local projections: the regressors are collinear (the shocks and the lags of the responses and shocks "
            "are linearly dependent, as when the shocks are a VAR's full set of innovations); use fewer shocks"
        )
    xtx_inv = np.linalg.inv(x.T @ x)
    b = xtx_inv @ x.T @ y
    u = y - x @ b
    n, k = x.shape
    scores = x * u[:, None]
    if cov == "HC1":
        meat = scores.T @ scores * n / (n - k)
    else:
        _, maxlags = cov
        meat = scores.T @ scores
        for lag in range(1, maxlags + 1):
            w = 1.0 - lag / (maxlags + 1.0)  # Bartlett kernel
            g = scores[lag:].T @ scores[:-lag]
            meat += w * (g + g.T)
    return b, xtx_inv @ meat @ xtx_inv


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

    def __post_init__(self) -> None:
        for name in ("coef", "se", "nobs"):
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

    def irf(self, *, level: float | None = 0.9) -> xr.DataArray:
        """Responses as the package's response type: dims ``(horizon, response, shock)`` (plus ``state``) and ``bound``.

        Parameters
        ----------
        level : float or None
            Coverage of the pointwise normal bands; None for the point only (``bound`` is then
            ``["point"]``: the dims are the same either way).
        """
        dims: list[str] = list(RESPONSE_DIMS) + (["state"] if self.states else [])
        data = self.coef if self.states else self.coef[..., 0]
        coords: dict[str, Any] = {"horizon": np.arange(self.coef.shape[0]), "response": list(self.responses),
                                  "shock": list(self.shocks)}
        if self.states:
            coords["state"] = list(self.states)
        point = xr.DataArray(data, dims=dims, coords=coords, name="irf",
                             attrs={"model": "local_projections", "lags": self.lags,
                                    "lag_augment": int(self.lag_augment), "cov": self.cov, "shock_size": self.shock_size})
        if level is None:
            return point_only(point)
        level = check_level(level)
        z = float(stats.norm.ppf(0.5 + level / 2))
        se = self.se if self.states else self.se[..., 0]
        return with_bounds(point, point - z * se, point + z * se, level=level,
                           interval=f"pointwise normal, {self.cov} standard errors")

    def plot(self, *, level: float | None = 0.9, state: str | None = None, **plot_options: Any) -> Any:
        """Grid of the responses (one row per response, one column per shock): ``irf(level)`` drawn.

        Parameters
        ----------
        level : float or None
            Coverage of the bands; None for the point only.
        state : str, optional
            With state-dependent projections, the state to draw (required then).
        **plot_options
            Passed to :func:`causalmacro.plotting.plot_irf` (``responses=``, ``shocks=``, ``axes=``, ``units=``).

        Returns
        -------
        matplotlib.figure.Figure
        """
        irf = self.irf(level=level)
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
                 + f", {self.cov} standard errors" + (f", states {list(self.states)}" if self.states else "")]
        impact = self.irf(level=None).isel(horizon=0).sel(bound="point", drop=True)
        lines.append(impact.to_dataframe().to_string() if not self.states else str(impact.values))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"LocalProjectionsResults(responses={list(self.responses)}, shocks={list(self.shocks)}, "
                f"horizon={self.coef.shape[0] - 1}, states={list(self.states)})")

