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
the conditioned ones stay exactly on their condition.

Parameter uncertainty (``parameters="bootstrap"``, the default with draws): draw ``d``
takes replication ``d`` (cycling when fewer are kept) of the model's ``bootstrap()``
(the bootstrap replications of an SVAR, the posterior draws of a Bayesian VAR), computes
that replication's unconditional forecast :math:`\\bar y^{(d)}` (its coefficients and
deterministic terms from the observed last ``p`` rows) and responses
:math:`\\Theta^{(d)}`, and draws the shocks from the Gaussian conditional distribution
above given that replication's restrictions :math:`R^{(d)}_A \\varepsilon_A = r^{(d)}`.
Every draw meets the conditions exactly; the bands mix the shocks' and the parameters'
uncertainty. The ``point`` path stays the one at the estimates.

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
from typing import Any, Protocol

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.errors import ArgumentError
from causalmacro.labelled import check_level
from causalmacro.svar.density import simulate_paths
from causalmacro.svar.dynamics import structural_irf
from causalmacro.svar.exog import validate_exog_future
from causalmacro.svar.forecast import forecast_index, var_forecast
from causalmacro.svar.reduced_form import ReducedForm

__all__ = ["PARAMETER_CHOICES", "SCENARIO_METHOD", "ParameterDraws", "condition_system", "conditional_forecast"]

_MAX_UNBOUNDED = 600
"""Periods searched for a dated condition when ``steps`` is not given."""

SCENARIO_METHOD = ("Gaussian conditional distribution of the structural shocks given the hard conditions "
                   "(Waggoner & Zha 1999), coefficients and impact matrix at their estimates")
SCENARIO_METHOD_DRAWN = ("Gaussian conditional distribution of the structural shocks given the hard conditions "
                         "(Waggoner & Zha 1999), each draw with the coefficients and impact matrix of one replication "
                         "of the model's bootstrap() (parameter uncertainty)")
PARAMETER_CHOICES = ("bootstrap", "point")
"""Values of ``parameters``: draw the coefficients from ``bootstrap()``, or hold them at the estimates."""


class ParameterDraws(Protocol):
    """Coefficient draws a conditional forecast mixes over (duck type of :class:`~causalmacro.svar.bootstrap.BootstrapDraws`).

    Anything with ``params`` ``(n, k_det + K p, K)``, ``coefs`` ``(n, p, K, K)`` and
    ``impact`` ``(n, K, K)`` arrays serves: the SVAR's bootstrap replications, a Bayesian
    VAR's posterior draws.
    """

    params: np.ndarray
    coefs: np.ndarray
    impact: np.ndarray


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


def _shock_map(theta: np.ndarray) -> np.ndarray:
    """The block lower-triangular map from stacked shocks to the stacked path, batched: ``(..., H K, H K)``."""
    *batch, horizon, k, _ = theta.shape
    out = np.zeros((*batch, horizon * k, horizon * k))
    for h in range(horizon):
        for s in range(h + 1):
            out[..., h * k:(h + 1) * k, s * k:(s + 1) * k] = theta[..., h - s, :, :]
    return out


def _drawn_parameters(
    rf: ReducedForm, replications: ParameterDraws, targets: np.ndarray, where: list[tuple[int, int]],
    cols: np.ndarray, horizon: int, z: np.ndarray, e_draws: np.ndarray, exog_future: Any,
) -> np.ndarray:
    """Paths of the draws, each with one replication's parameters; fills ``e_draws`` in place."""
    n_draws = z.shape[0]
    coefs_all = np.asarray(replications.coefs)
    n_rep = coefs_all.shape[0]
    if n_rep == 0:
        raise ArgumentError("parameters='bootstrap': the bootstrap kept no replication")
    if coefs_all.shape[1:] != np.asarray(rf.coefs).shape:
        raise ArgumentError(f"replications: coefficients of shape {coefs_all.shape[1:]}, the model's are "
                            f"{np.asarray(rf.coefs).shape}")
    pick = np.arange(n_draws) % n_rep
    coefs = coefs_all[pick]
    impact = np.asarray(replications.impact)[pick]
    det = rf.deterministic
    index = forecast_index(rf.index, horizon)
    x_future = validate_exog_future(exog_future, det.exog_names, horizon, index)
    future_det = det.future(horizon, x_future if det.k_exog else None)
    det_mean = np.einsum("hd,rdk->rhk", future_det, np.asarray(replications.params)[pick][:, :det.k])
    k = coefs.shape[-1]
    baseline = simulate_paths(np.asarray(rf.data[-rf.lags:]), det_mean, coefs, np.zeros((n_draws, horizon, k)))
    theta = structural_irf(coefs, impact, horizon - 1)
    lower_tri = _shock_map(theta)  # (n, HK, HK)
    rows = np.array([h * k + v for h, v in where], dtype=int)
    if len(rows):
        big = lower_tri[:, rows][:, :, cols]  # (n, q, |A|)
        r = targets[tuple(np.array(where).T)][None] - baseline.reshape(n_draws, -1)[:, rows]
        gram = big @ np.swapaxes(big, 1, 2)
        ranks = np.linalg.matrix_rank(big)
        if (ranks < len(rows)).any():
            bad = int(np.argmax(ranks < len(rows)))
            raise ArgumentError(f"conditions: with the parameters of replication {int(pick[bad])} the allowed "
                                "shocks cannot meet these conditions together (rank-deficient restrictions)")
        bt = np.swapaxes(big, 1, 2)
        mean = np.einsum("nij,nj->ni", bt, np.linalg.solve(gram, r[..., None])[..., 0])
        proj = bt @ np.linalg.solve(gram, big)
        e_draws[:, cols] = mean + z - np.einsum("nij,nj->ni", proj, z)
    else:
        e_draws[:, cols] = z
    return baseline + np.einsum("nij,nj->ni", lower_tri, e_draws).reshape(n_draws, horizon, k)


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
    replications: ParameterDraws | None = None,
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
    replications : BootstrapDraws or alike, optional
        Parameter draws (``params``, ``coefs``, ``impact``): draw ``d`` uses replication
        ``d`` modulo their number. None: every draw at the estimates.

    Returns
    -------
    xarray.Dataset
        ``forecast`` (``horizon``, ``variable``, ``bound``) and ``shocks`` (``horizon``,
        ``shock``, ``bound``): the mean path and the implied mean shocks (``bound`` is
        ``"point"`` only without draws, else also ``"lower"``/``"upper"``), with the
        forecast periods as the ``period`` coordinate of ``horizon``; ``conditioned``
        (``horizon``, ``variable``) marks the conditioned cells. With draws also
        ``path_draws`` (``draw``, ``horizon``, ``variable``) and ``shock_draws``
        (``draw``, ``horizon``, ``shock``). ``attrs``: ``kind`` (``"conditional"`` or
        ``"scenario"``), ``shocks_allowed``, ``conditions`` (their count), ``kl``
        (infinite under hard conditions, see the module), ``kl_mean``, ``draws``,
        ``level``, ``method``, ``parameters`` (``"bootstrap"`` or ``"point"``) and
        ``replications`` (how many parameter draws were cycled over; 0 at the estimates).

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
    r_a = big[:, cols]
    mean_a = np.zeros(len(cols))
    proj = np.zeros((len(cols), len(cols)))
    if len(where):
        if np.linalg.matrix_rank(r_a) < len(where):
            raise ArgumentError(
                "conditions: the allowed shocks cannot meet these conditions together (the restrictions are "
                "rank deficient); allow other shocks or drop a condition"
            )
        gram = r_a @ r_a.T
        mean_a = r_a.T @ np.linalg.solve(gram, r)
        proj = r_a.T @ np.linalg.solve(gram, r_a)
    cov_a = np.eye(len(cols)) - proj

    mu = np.zeros(k * horizon)
    mu[cols] = mean_a
    cov = np.zeros((k * horizon, k * horizon))
    cov[np.ix_(cols, cols)] = cov_a
    eig = np.linalg.eigvalsh(cov)
    logdet = float(np.sum(np.log(eig))) if eig.min() > 1e-10 else -np.inf
    kl = 0.5 * (float(np.trace(cov)) + float(mu @ mu) - k * horizon - logdet)
    kl_mean = 0.5 * float(mu @ mu)

    # the shock-to-path map: y_h = baseline_h + sum_{s<=h} Theta_{h-s} eps_s
    lower_tri = _shock_map(theta)
    path = baseline + (lower_tri @ mu).reshape(horizon, k)
    eps = mu.reshape(horizon, k)

    coords: dict[str, Any] = {"horizon": np.arange(1, horizon + 1), "period": ("horizon", base.index)}
    kind = "conditional" if shocks is None else "scenario"
    attrs = {
        "kind": kind, "shocks_allowed": [names[j] for j in allowed], "conditions": len(where),
        "kl": kl, "kl_mean": kl_mean, "draws": int(draws), "level": level, "method": SCENARIO_METHOD,
    }
    data: dict[str, Any] = {}
    attrs["parameters"] = ("point" if replications is None
                           else "posterior" if getattr(replications, "method", None) == "posterior" else "bootstrap")
    attrs["replications"] = 0 if replications is None else int(np.asarray(replications.coefs).shape[0])
    if replications is not None:
        attrs["method"] = SCENARIO_METHOD_DRAWN
    if draws:
        gen = np.random.default_rng(rng)
        # cov_a is a projection (idempotent, symmetric): mean + cov_a z has covariance cov_a
        z = gen.standard_normal((int(draws), len(cols)))
        e_draws = np.zeros((int(draws), k * horizon))
        if replications is None:
            e_draws[:, cols] = mean_a + z @ cov_a
            y_draws = baseline[None] + (e_draws @ lower_tri.T).reshape(int(draws), horizon, k)
        else:
            y_draws = _drawn_parameters(rf, replications, targets, where, cols, horizon, z, e_draws, exog_future)
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
    data["conditioned"] = (("horizon", "variable"), ~np.isnan(targets))
    data["shocks"] = (("horizon", "shock", "bound"), eps_b)
    coords.update(variable=names, shock=names, bound=bounds)
    return xr.Dataset(data, coords=coords, attrs=attrs)
