"""The forecast evaluation of the chain: ``[evaluation]`` and ``causalmacro evaluate``.

A pseudo-out-of-sample exercise with recursive windows
(:func:`causalmacro.svar.evaluate.forecast_evaluation`) on the VAR's variables
(``[var].order``; without the event dummies): the OLS VAR (``[var]``'s lags, a
criterion applied again in each window), the Bayesian VAR
(:func:`causalmacro.bvar.forecasting.bvar_forecaster`, the spec's ``[var.prior]``
where it has one, else the Minnesota prior with ``b`` by each series' transform, 0
for changes and 1 for levels (:func:`evaluation_prior`); hyperparameters chosen
again in each window), the per-variable AR(1) and the
random walk, which is always the benchmark. The choices (first origin, horizons,
models) come from the spec's ``[evaluation]`` table, each of which the caller may
override; this module also computes the table the CLI prints and the one-line
verdict per variable, so that the CLI only formats.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd

from causalmacro.build.bvar import auto_b, bvar_prior
from causalmacro.bvar.forecasting import bvar_forecaster
from causalmacro.bvar.prior import Minnesota
from causalmacro.errors import ArgumentError
from causalmacro.spec.defaults import EvaluationModel
from causalmacro.svar.evaluate import (
    Forecaster,
    ar1,
    forecast_evaluation,
    random_walk,
    var_forecaster,
)
from causalmacro.svar.model import ExplosiveVARWarning

if TYPE_CHECKING:
    from causalmacro.panel import Panel
    from causalmacro.spec import ModelSpec

__all__ = ["EvaluationStage", "evaluation_models", "evaluation_stage", "relative_table", "verdicts"]

MODELS: tuple[str, ...] = get_args(EvaluationModel)
BENCHMARK = "random_walk"


@dataclass(frozen=True)
class EvaluationStage:
    """The evaluation's results and the choices that shaped them.

    Attributes
    ----------
    table : pandas.DataFrame
        :func:`~causalmacro.svar.evaluate.forecast_evaluation`'s table: ``model, variable,
        horizon, rmse, log_score, n``.
    relative : pandas.DataFrame
        :func:`relative_table`: each model against the random walk.
    verdicts : mapping of str to str
        Variable -> one line (:func:`verdicts`).
    start : str
        The first origin, ``YYYY-MM``; ``start_source`` says where it came from.
    horizons : int
    models : tuple of str
    data_range : str
        ``YYYY-MM..YYYY-MM (N periods)``.
    explosive_windows : int
        Windows in which the OLS VAR was explosive (each raised an ``ExplosiveVARWarning``, counted here).
    """

    table: pd.DataFrame
    relative: pd.DataFrame
    verdicts: Mapping[str, str]
    start: str
    start_source: str
    horizons: int
    models: tuple[str, ...]
    data_range: str
    explosive_windows: int
    choices: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verdicts", MappingProxyType(dict(self.verdicts)))
        object.__setattr__(self, "choices", MappingProxyType(dict(self.choices)))

    def __reduce__(self) -> tuple[Any, ...]:
        return (EvaluationStage, (self.table, self.relative, dict(self.verdicts), self.start, self.start_source,
                                  self.horizons, self.models, self.data_range, self.explosive_windows,
                                  dict(self.choices)))

    def tidy(self) -> pd.DataFrame:
        """``table`` with each model's ``rmse_rel_rw`` and ``score_minus_rw`` (the CSV written by ``--out``)."""
        rel = self.relative[["model", "variable", "horizon", "rmse_rel_rw", "score_minus_rw"]]
        return self.table.merge(rel, on=["model", "variable", "horizon"], how="left")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the choices, the table with the relative columns, the verdicts."""
        rows = [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
                for row in self.tidy().to_dict(orient="records")]
        return {"start": self.start, "start_source": self.start_source, "horizons": self.horizons,
                "models": list(self.models), "benchmark": BENCHMARK, "data": self.data_range,
                "explosive_windows": self.explosive_windows, "choices": dict(self.choices),
                "windows": "recursive (expanding)", "score": "Gaussian log predictive density",
                "verdicts": dict(self.verdicts), "table": rows}


def evaluation_prior(spec: ModelSpec) -> tuple[Minnesota, Literal["fixed", "glp"], str]:
    """The evaluation BVAR's prior, its ``hyper``, and the sentence the choices record.

    With a ``[var.prior]`` table: that prior (``bvar_prior``) and its ``hyper``, as the main
    run fits it, except that ``psi`` left unset is chosen on each window by conditional least
    squares (``psi="ols"``: the exact-ML AR refuses windows where a series' AR is not
    stationary). Without one: ``Minnesota(psi="ols")`` with ``b`` by each series' transform,
    as ``b = "auto"`` does (Banbura, Giannone & Reichlin 2010): 0 (white noise) for a series
    in changes (``diff``, ``logdiff``, ``yoy``), 1 (random walk) for one in levels, and
    ``hyper="glp"``.
    """
    assert spec.var is not None
    if spec.var.prior is not None:
        prior = bvar_prior(spec)
        if spec.var.prior.psi is None:
            prior = dataclasses.replace(prior, psi="ols")
        return prior, spec.var.prior.hyper, f"[var.prior]: {prior.describe()}, psi {prior.psi!r} per window " \
            f"where unset, hyper={spec.var.prior.hyper!r} in each window"
    b, rule = auto_b(spec)
    prior = Minnesota(psi="ols", b=b)
    return prior, "glp", f"no [var.prior]: Minnesota(psi='ols') (R BVAR's other defaults) with {rule}; " \
        "hyper='glp' in each window"


def evaluation_models(spec: ModelSpec, names: Sequence[str], *, seed: int = 0) -> dict[str, Forecaster]:
    """The forecasters of ``names`` as the spec sets them (the random walk added if missing).

    The BVAR's prior is :func:`evaluation_prior`'s: the spec's ``[var.prior]``, else ``b``
    by each series' transform (0 for changes, 1 for levels).
    """
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        raise ArgumentError(f"unknown model {unknown[0]!r}; valid: {', '.join(MODELS)}")
    if spec.var is None:
        raise ArgumentError(f"{spec.name}: the forecast evaluation needs a [var] section")
    var, ev = spec.var, spec.evaluation
    make = {
        "var": lambda: var_forecaster(var.lags, max_lags=var.max_lags, trend=var.trend),
        "bvar": lambda: bvar_forecaster(*evaluation_prior(spec)[:2], draws=ev.draws, lags=ev.bvar_lags,
                                        seed=seed),
        "random_walk": random_walk,
        "ar1": ar1,
    }
    chosen = list(dict.fromkeys([*names, BENCHMARK]))
    return {name: make[name]() for name in chosen}


def _min_window(spec: ModelSpec, models: Sequence[str], k: int) -> tuple[int, str]:
    """The fewest periods the first window needs, and which model needs them."""
    assert spec.var is not None
    need = {"random_walk": (3, "the random walk needs 3 periods"), "ar1": (4, "the AR(1) needs 4 periods")}
    p = spec.var.lags if isinstance(spec.var.lags, int) else spec.var.max_lags
    # statsmodels' VAR: p lags lost, K p + 1 regressors, K more for the residual covariance
    need["var"] = (p + k * p + 1 + k, f"the OLS VAR with {'up to ' if not isinstance(spec.var.lags, int) else ''}"
                                       f"{p} lags of {k} variables needs {p + k * p + 1 + k} periods")
    q = spec.evaluation.bvar_lags
    need["bvar"] = (q + 2 + k, f"the BVAR with {q} lags of {k} variables needs {q + 2 + k} periods")
    return max((need[m] for m in models), key=lambda t: t[0])


def _start(start: object) -> tuple[pd.Timestamp | None, str]:
    if start is None:
        return None, "the sample's midpoint"
    try:
        return pd.Timestamp(start), ""  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ArgumentError(f"start {start!r} is not a date (YYYY-MM or YYYY-MM-DD)") from None


def evaluation_stage(spec: ModelSpec, panel: Panel, *, start: object = None, horizons: int | None = None,
                     models: Sequence[str] | None = None, seed: int = 0) -> EvaluationStage:
    """Run the spec's forecast evaluation on the panel; ``start``, ``horizons``, ``models`` override the spec's.

    Raises
    ------
    ArgumentError
        One line: an unknown model (the valid ones listed), a start that is not a date, one
        that leaves the first window too short for a model (its need and the earliest valid
        start named), one that leaves no later observation.
    """
    if spec.var is None:
        raise ArgumentError(f"{spec.name}: the forecast evaluation needs a [var] section")
    ev = spec.evaluation
    names = tuple(models) if models is not None else tuple(ev.models)
    forecasters = evaluation_models(spec, names, seed=seed)
    horizons = ev.horizons if horizons is None else int(horizons)
    data = panel.data[list(spec.var.order)]
    given, source = _start(start if start is not None else ev.start)
    if start is not None:
        source = "--start"
    elif ev.start is not None:
        source = "[evaluation] start"
    index = pd.DatetimeIndex(data.index)
    first = int(index.searchsorted(given)) if given is not None else len(index) // 2
    if first >= len(index) - 1:
        raise ArgumentError(f"start {given:%Y-%m}: no forecast origin with a later observation "
                            f"(the data end {index[-1]:%Y-%m})")
    need, why = _min_window(spec, list(forecasters), data.shape[1])
    if first + 1 < need:
        raise ArgumentError(f"start {index[first]:%Y-%m}: the first window ({index[0]:%Y-%m}..{index[first]:%Y-%m}) "
                            f"has {first + 1} periods and {why}; start at {index[need - 1]:%Y-%m} or later")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ExplosiveVARWarning)
        table = forecast_evaluation(data, forecasters, start=data.index[first], horizons=horizons)
    explosive = 0
    for w in caught:  # only the explosive windows are counted here; anything else is shown as it came
        if issubclass(w.category, ExplosiveVARWarning):
            explosive += 1
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    rel = relative_table(table)
    order = list(spec.var.order)
    return EvaluationStage(
        table=table, relative=rel, verdicts=verdicts(rel, order), start=f"{index[first]:%Y-%m}",
        start_source=source, horizons=horizons, models=tuple(forecasters),
        data_range=f"{index[0]:%Y-%m}..{index[-1]:%Y-%m} ({len(index)} periods)", explosive_windows=explosive,
        choices={"var_lags": spec.var.lags, "var_max_lags": spec.var.max_lags, "bvar_lags": ev.bvar_lags,
                 "bvar_prior": evaluation_prior(spec)[2] if "bvar" in forecasters else None,
                 "bvar_draws": ev.draws,
                 "seed": int(seed)},
    )


def relative_table(table: pd.DataFrame) -> pd.DataFrame:
    """Each model against the random walk, by variable and horizon (the random walk's own rows: 1 and 0).

    ``rmse_rel_rw`` is the model's RMSE over the random walk's (below 1: better);
    ``score_minus_rw`` its mean log score minus the random walk's (above 0: better).
    """
    base = table[table.model == BENCHMARK].set_index(["variable", "horizon"])
    out = table.copy()
    key = pd.MultiIndex.from_frame(out[["variable", "horizon"]])
    out["rmse_rel_rw"] = out.rmse.to_numpy() / base.rmse.reindex(key).to_numpy()
    out["score_minus_rw"] = out.log_score.to_numpy() - base.log_score.reindex(key).to_numpy()
    return out.reset_index(drop=True)


def _ranges(hs: Sequence[int]) -> str:
    parts: list[str] = []
    for h in sorted(hs):
        if parts and int(parts[-1].split("-")[-1]) == h - 1:
            parts[-1] = f"{parts[-1].split('-')[0]}-{h}"
        else:
            parts.append(str(h))
    return ", ".join(parts)


def verdicts(relative: pd.DataFrame, variables: Sequence[str]) -> dict[str, str]:
    """One line per variable: where each model's RMSE beats the random walk's.

    E.g. ``"var beats the random walk at h=1-3, loses at h=4-12; bvar loses at every horizon"``.
    """
    out = {}
    for v in variables:
        parts = []
        mine = relative[(relative.variable == v) & (relative.model != BENCHMARK)]
        for model, rows in mine.groupby("model", sort=False):
            wins = [int(h) for h, r in zip(rows.horizon, rows.rmse_rel_rw, strict=True) if r < 1]
            losses = [int(h) for h in rows.horizon if int(h) not in wins]
            if not losses:
                parts.append(f"{model} beats the random walk at every horizon")
            elif not wins:
                parts.append(f"{model} loses to the random walk at every horizon")
            else:
                parts.append(f"{model} beats the random walk at h={_ranges(wins)}, loses at h={_ranges(losses)}")
        out[v] = "; ".join(parts) + " (RMSE)"
    return out
