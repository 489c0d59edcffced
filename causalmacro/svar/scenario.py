"""Conditional forecasts and structural scenarios of a structural VAR.

Over the forecast horizon :math:`h = 1, \\dots, H` the VAR's path is the unconditional
forecast plus the responses to the future structural shocks,

.. math:: y_{T+h} = \\bar y_{T+h} + \\sum_{s=1}^{h} \\Theta_{h-s}\\, \\varepsilon_{T+s},
   \\qquad \\Theta_i = \\Phi_i B_0^{-1},

so with the shocks stacked period by period, :math:`\\varepsilon = (\\varepsilon_{T+1}', \\dots,
\\varepsilon_{T+H}')'` of length :math:`KH`, every hard condition "variable ``k`` equals ``c`` at
horizon ``h``" is one linear restriction :math:`R \\varepsilon = r` with
:math:`r = c - \\bar y_{T+h,k}` (Waggoner & Zha 1999, eq. 8). A structural scenario
(Antolín-Díaz, Petrella & Rubio-Ramírez 2021) lets only a chosen set :math:`A` of shocks
produce the conditions: the other shocks are held at zero over the horizon, and
:math:`R_A` keeps the columns of :math:`R` of the allowed shocks.

Given the conditions, the allowed shocks are Gaussian (Waggoner & Zha 1999, sec. 3; no
Gibbs step is needed when the coefficients are held at their estimates):

.. math:: \\varepsilon_A \\mid R_A \\varepsilon_A = r \\sim
   N\\bigl(R_A' (R_A R_A')^{-1} r,\\; I - R_A' (R_A R_A')^{-1} R_A\\bigr).

The mean is the minimum-norm solution of the restrictions and gives the mean path; draws
of the shocks from this distribution give the distribution of the free variables, while
the conditioned ones stay exactly on their condition. For an SVAR parameter uncertainty
is not included: the coefficients and impact matrix are the point estimates. A Bayesian
VAR passes its posterior draws (:class:`ParameterDraws`): each path then uses one draw's
coefficients and impact matrix, so the bands carry the posterior's parameter uncertainty.

Plausibility (Antolín-Díaz, Petrella & Rubio-Ramírez 2021, sec. 2.4): the Kullback-Leibler
divergence of the scenario's distribution of all :math:`KH` shocks,
:math:`N(\\mu_\\varepsilon, \\Sigma_\\varepsilon)`, from their unconditional :math:`N(0, I)`,

.. math:: D_{KL} = \\tfrac12 \\bigl(\\operatorname{tr} \\Sigma_\\varepsilon + \\mu_\\varepsilon' \\mu_\\varepsilon
   - KH - \\ln \\det \\Sigma_\\varepsilon\\bigr).

Under hard conditions :math:`\\Sigma_\\varepsilon` is singular (every condition removes a
direction, and a scenario fixes the other shocks), so :math:`D_{KL}` is infinite; the
finite part that measures how far the conditions push the shocks from zero, the
divergence of :math:`N(\\mu_\\varepsilon, I)` from :math:`N(0, I)`, is :math:`\\mu_\\varepsilon'\\mu_\\varepsilon / 2`
and is reported as ``kl_mean``.

References
----------
Waggoner, D. F. & Zha, T. (1999). Conditional forecasts in dynamic multivariate models.
*Review of Economics and Statistics* 81(4), 639-651.
Antolín-Díaz, J., Petrella, I. & Rubio-Ramírez, J. F. (2021). Structural scenario analysis
with SVARs. *Journal of Monetary Economics* 117, 798-815.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.errors import ArgumentError
from causalmacro.labelled import check_level
from causalmacro.svar.dynamics import structural_irf
from causalmacro.svar.forecast import forecast_index, var_forecast
from causalmacro.svar.reduced_form import ReducedForm

__all__ = ["SCENARIO_METHOD", "SCENARIO_POSTERIOR", "ParameterDraws", "condition_system", "conditional_forecast"]

SCENARIO_POSTERIOR = ("Gaussian conditional distribution of the structural shocks given the hard conditions "
                      "(Waggoner & Zha 1999), one posterior draw of the coefficients and impact matrix per path")


@dataclass(frozen=True)
class ParameterDraws:
    """Draws of a VAR's parameters for :func:`conditional_forecast`: ``params`` ``(n, k_det + K p, K)`` in the
    reduced form's layout, ``coefs`` ``(n, p, K, K)``, ``impact`` ``(n, K, K)``."""

    params: np.ndarray
    coefs: np.ndarray
    impact: np.ndarray


_MAX_UNBOUNDED = 600
"""Periods searched for a dated condition when ``steps`` is not given."""

SCENARIO_METHOD = ("Gaussian conditional distribution of the structural shocks given the hard conditions "
                   "(Waggoner & Zha 1999), coefficients and impact matrix at their estimates")


def _horizons(conditions: pd.DataFrame, index: pd.Index, steps: int | None) -> tuple[np.ndarray, int]:
    """Horizons 1..H of the conditions' rows, and the horizon H of the forecast."""
    rows = conditions.index
    if len(rows) == 0:
        h = np.zeros(0, dtype=int)
    elif pd.api.types.is_integer_dtype(rows):
        h = np.asarray(rows, dtype=int)
        if (h < 1).any():
            raise ArgumentError(f"conditions: horizon {int(h[h < 1][0])} is before the first forecast period; "
                                "integer rows are horizons 1, 2, ...")
    else:
        reach = int(steps) if steps is not None else _MAX_UNBOUNDED
        periods = forecast_index(index, reach)
        pos = periods.get_indexer(rows)
        if (pos < 0).any():
            bad = rows[pos < 0][0]
            span = f"{periods[0]} to {periods[-1]}" if steps is not None else f"from {periods[0]} on"
            raise ArgumentError(f"conditions: period {bad} is outside the forecast horizon ({span}, "
                                "continuing the data's frequency)")
        h = pos + 1
    if len(set(h.tolist())) != len(h):
        raise ArgumentError("conditions: a forecast period appears twice in the rows")
    horizon = int(steps) if steps is not None else (int(h.max()) if len(h) else 0)
    if horizon < 1:
        raise ArgumentError("steps: give steps, or at least one condition to set the horizon")
    if len(h) and h.max() > horizon:
        raise ArgumentError(f"conditions: horizon {int(h.max())} is outside the forecast horizon of {horizon} steps")
    return h, horizon


def condition_system(
    theta: np.ndarray, baseline: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """The restrictions :math:`R \\varepsilon = r` of hard conditions (Waggoner & Zha 1999, eq. 8).

    Parameters
    ----------
    theta : ndarray, shape (H, K, K)
        Structural responses at horizons ``0..H-1``.
    baseline : ndarray, shape (H, K)
        Unconditional forecast :math:`\\bar y_{T+1}, \\dots, \\bar y_{T+H}`.
    targets : ndarray, shape (H, K)
        Conditions, NaN where the variable is free.

    Returns
    -------
    R : ndarray, shape (q, K H)
        Columns ordered period by period: column ``(s - 1) K + j`` is shock ``j`` at ``T + s``.
    r : ndarray, shape (q,)
    where : list of (horizon index, variable index)
        The condition each row restricts, in time order.
    """
    steps, k = baseline.shape
    where = [(int(h), int(v)) for h, v in zip(*np.nonzero(~np.isnan(targets)), strict=True)]
    big = np.zeros((len(where), k * steps))
    r = np.zeros(len(where))
    for row, (h, v) in enumerate(where):
        for s in range(h + 1):
            big[row, s * k:(s + 1) * k] = theta[h - s, v, :]
        r[row] = targets[h, v] - baseline[h, v]
    return big, r, where


def _allowed(shocks: Sequence[str] | None, names: Sequence[str]) -> list[int]:
    if shocks is None:
        return list(range(len(names)))
    if isinstance(shocks, str):
        shocks = [shocks]
    out = []
    for s in shocks:
        if s not in names:
            raise ArgumentError(f"shocks: unknown shock {s!r}; shocks are {list(names)}")
        out.append(list(names).index(s))
    if not out:
        raise ArgumentError("shocks: give at least one shock allowed to move, or None for all")
    return sorted(set(out))


def _shock_distribution(r_a: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of the allowed shocks given :math:`R_A \\varepsilon_A = r` (Waggoner & Zha 1999)."""
    n = r_a.shape[1]
    if not len(r):
        return np.zeros(n), np.eye(n)
    if np.linalg.matrix_rank(r_a) < len(r):
        raise ArgumentError(
            "conditions: the allowed shocks cannot meet these conditions together (the restrictions are "
            "rank deficient); allow other shocks or drop a condition"
        )
    gram = r_a @ r_a.T
    return r_a.T @ np.linalg.solve(gram, r), np.eye(n) - r_a.T @ np.linalg.solve(gram, r_a)


def _shock_to_path(theta: np.ndarray) -> np.ndarray:
    """The map from the stacked shocks to the path: :math:`y_h = \\bar y_h + \\sum_{s \\le h} \\Theta_{h-s} \\varepsilon_s`."""
    horizon, k = theta.shape[0], theta.shape[1]
    lower_tri = np.zeros((horizon * k, horizon * k))
    for h in range(horizon):
        for s in range(h + 1):
            lower_tri[h * k:(h + 1) * k, s * k:(s + 1) * k] = theta[h - s]
    return lower_tri


def conditional_forecast(
    rf: ReducedForm,
    impact: np.ndarray,
    conditions: pd.DataFrame,
    steps: int | None = None,
    *,
    shocks: Sequence[str] | None = None,
    draws: int = 0,
    level: float = 0.9,
    rng: int | np.random.Generator | None = None,
    exog_future: Any = None,
    parameters: ParameterDraws | None = None,
) -> xr.Dataset:
    """Conditional forecast (Waggoner & Zha 1999) or structural scenario (Antolín-Díaz et al. 2021).

    Parameters
    ----------
    rf : ReducedForm
    impact : ndarray, shape (K, K)
        Impact matrix :math:`B_0^{-1}`; column ``j`` is shock ``j``'s impact.
    conditions : pandas.DataFrame
        Rows: forecast periods, either labels continuing the data's index (as
        :func:`~causalmacro.svar.forecast.forecast_index` gives them) or integer horizons
        ``1..H`` (integer rows are always horizons). Columns: some of the variables.
        Values: what each variable must equal, in the VAR's units (the series as
        transformed for the VAR, e.g. a log-difference); NaN where free.
    steps : int, optional
        Horizon :math:`H`; by default the last conditioned period.
    shocks : sequence of str, optional
        Shocks allowed to move (a structural scenario); the others are zero over the
        horizon. None: all shocks (the Waggoner-Zha conditional forecast).
    draws : int
        Draws of the shocks from their conditional distribution; 0 gives the mean path only.
    level : float
        Coverage of the pointwise percentile bands when ``draws > 0``.
    rng : int or numpy.random.Generator, optional
    exog_future : optional
        Future exogenous values, as in :func:`~causalmacro.svar.forecast.var_forecast`.
    parameters : ParameterDraws, optional
        Draws of the coefficients and impact matrix (a Bayesian VAR's posterior). With
        them, draw ``i`` of the path uses parameter draw ``i`` (its own baseline, responses
        and conditional shock distribution), so the bands include parameter uncertainty;
        the mean path and ``kl`` stay at ``rf`` and ``impact``. ``draws`` must not exceed
        the parameter draws. None (an SVAR): the point estimates only, as described above.

    Returns
    -------
    xarray.Dataset
        ``forecast`` (``horizon``, ``variable``, ``bound``) and ``shocks`` (``horizon``,
        ``shock``, ``bound``): the mean path and the implied mean shocks (``bound`` is
        ``"point"`` only without draws, else also ``"lower"``/``"upper"``), with the
        forecast periods as the ``period`` coordinate of ``horizon``. With draws also
        ``path_draws`` (``draw``, ``horizon``, ``variable``) and ``shock_draws``
        (``draw``, ``horizon``, ``shock``). ``attrs``: ``kind`` (``"conditional"`` or
        ``"scenario"``), ``shocks_allowed``, ``conditions`` (their count), ``kl``
        (infinite under hard conditions, see the module), ``kl_mean``, ``draws``,
        ``level``, ``method``.

    Raises
    ------
    ArgumentError
        An unknown variable or shock, a period outside the horizon, more conditions up to
        a period than the allowed shocks can meet, or conditions the allowed shocks cannot
        meet together (a rank-deficient system).
    """
    names = list(rf.names)
    k = len(names)
    if not isinstance(conditions, pd.DataFrame):
        raise ArgumentError(f"conditions must be a pandas DataFrame, got {type(conditions).__name__}")
    for col in conditions.columns:
        if col not in names:
            raise ArgumentError(f"conditions: unknown variable {col!r}; variables are {names}")
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 0:
        raise ArgumentError(f"draws must be a non-negative int, got {draws!r}")
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1):
        raise ArgumentError(f"steps must be a positive int, got {steps!r}")
    level = check_level(level)
    allowed = _allowed(shocks, names)
    h_rows, horizon = _horizons(conditions, rf.index, steps)

    base = var_forecast(rf, horizon, exog_future=exog_future)
    baseline = base.xs("point", axis=1, level="bound")[names].to_numpy()
    targets = np.full((horizon, k), np.nan)
    values = conditions.reindex(columns=names).to_numpy(dtype=float)
    targets[h_rows - 1] = values
    theta = structural_irf(np.asarray(rf.coefs), np.asarray(impact), horizon - 1)
    big, r, where = condition_system(theta, baseline, targets)

    cols = np.array([s * k + j for s in range(horizon) for j in allowed], dtype=int)
    for h in range(horizon):  # a necessary count: conditions up to T+h need as many shocks up to T+h
        n_cond = sum(1 for hh, _ in where if hh <= h)
        if n_cond > len(allowed) * (h + 1):
            raise ArgumentError(
                f"conditions: {n_cond} conditions up to horizon {h + 1} but only {len(allowed) * (h + 1)} shock "
                f"values ({len(allowed)} shocks x {h + 1} periods) may move; allow more shocks or drop conditions"
            )
    mean_a, cov_a = _shock_distribution(big[:, cols], r)
    mu = np.zeros(k * horizon)
    mu[cols] = mean_a
    cov = np.zeros((k * horizon, k * horizon))
    cov[np.ix_(cols, cols)] = cov_a
    eig = np.linalg.eigvalsh(cov)
    logdet = float(np.sum(np.log(eig))) if eig.min() > 1e-10 else -np.inf
    kl = 0.5 * (float(np.trace(cov)) + float(mu @ mu) - k * horizon - logdet)
    kl_mean = 0.5 * float(mu @ mu)

    lower_tri = _shock_to_path(theta)
    path = baseline + (lower_tri @ mu).reshape(horizon, k)
    eps = mu.reshape(horizon, k)

    coords: dict[str, Any] = {"horizon": np.arange(1, horizon + 1), "period": ("horizon", base.index)}
    kind = "conditional" if shocks is None else "scenario"
    attrs = {
        "kind": kind, "shocks_allowed": [names[j] for j in allowed], "conditions": len(where),
        "kl": kl, "kl_mean": kl_mean, "draws": int(draws), "level": level, "method": SCENARIO_METHOD,
    }
    data: dict[str, Any] = {}
    if draws:
        gen = np.random.default_rng(rng)
        # cov_a is a projection (idempotent, symmetric): mean + cov_a z has covariance cov_a
        z = gen.standard_normal((int(draws), len(cols)))
        e_draws = np.zeros((int(draws), k * horizon))
        if parameters is None:
            e_draws[:, cols] = mean_a + z @ cov_a
            y_draws = baseline[None] + (e_draws @ lower_tri.T).reshape(int(draws), horizon, k)
        else:
            y_draws = _parameter_draws(rf, parameters, int(draws), targets, cols, z, e_draws, horizon,
                                       exog_future)
            attrs["method"] = SCENARIO_POSTERIOR
        e_draws3 = e_draws.reshape(int(draws), horizon, k)
        lo, hi = (1 - level) / 2, (1 + level) / 2
        path_b = np.stack([path, *np.quantile(y_draws, [lo, hi], axis=0)], axis=-1)
        eps_b = np.stack([eps, *np.quantile(e_draws3, [lo, hi], axis=0)], axis=-1)
        bounds = ["point", "lower", "upper"]
        data["path_draws"] = (("draw", "horizon", "variable"), y_draws)
        data["shock_draws"] = (("draw", "horizon", "shock"), e_draws3)
        coords["draw"] = np.arange(int(draws))
    else:
        path_b, eps_b, bounds = path[..., None], eps[..., None], ["point"]
    data["forecast"] = (("horizon", "variable", "bound"), path_b)
    data["shocks"] = (("horizon", "shock", "bound"), eps_b)
    coords.update(variable=names, shock=names, bound=bounds)
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _parameter_draws(rf: ReducedForm, parameters: ParameterDraws, draws: int, targets: np.ndarray, cols: np.ndarray,
                     z: np.ndarray, e_draws: np.ndarray, horizon: int, exog_future: Any) -> np.ndarray:
    """Paths, one parameter draw each: its baseline, responses and conditional shocks (``e_draws`` filled in)."""
    from causalmacro.svar.density import simulate_paths
    from causalmacro.svar.exog import validate_exog_future

    n = parameters.impact.shape[0]
    if draws > n:
        raise ArgumentError(f"draws: {draws} paths asked for but only {n} parameter draws exist; "
                            f"pass draws <= {n}")
    k, det = len(rf.names), rf.deterministic
    params, coefs, impact = (np.asarray(a)[:draws] for a in (parameters.params, parameters.coefs, parameters.impact))
    index = forecast_index(rf.index, horizon)
    x_future = validate_exog_future(exog_future, det.exog_names, horizon, index)
    future_det = det.future(horizon, x_future if det.k_exog else None)
    det_mean = np.einsum("hd,rdk->rhk", future_det, params[:, :det.k])
    baselines = simulate_paths(np.asarray(rf.data[-rf.lags:]), det_mean, coefs, np.zeros((draws, horizon, k)))
    thetas = structural_irf(coefs, impact, horizon - 1)
    y_draws = np.empty((draws, horizon, k))
    for i in range(draws):
        big, r, _ = condition_system(thetas[i], baselines[i], targets)
        mean_i, cov_i = _shock_distribution(big[:, cols], r)
        e_draws[i, cols] = mean_i + z[i] @ cov_i
        y_draws[i] = baselines[i] + (_shock_to_path(thetas[i]) @ e_draws[i]).reshape(horizon, k)
    return y_draws
