"""Narrative sign restrictions (Antolín-Díaz & Rubio-Ramírez 2018).

A narrative restriction says something about the structural shocks at a dated
event: the sign of one shock (``sign``), or that one shock was the largest
(type A, ``contribution="largest"``) or the overwhelming (type B,
``contribution="overwhelming"``) contributor to a variable's unexpected change
over ``periods`` periods from the date. They are applied to the models that the
sign restrictions accept: a model :math:`B` (impact matrix) implies the shocks
:math:`\\varepsilon_t = B^{-1} u_t`, and the historical decomposition of the
unexpected change of variable :math:`i` over :math:`t..t+h` (forecast error of
:math:`y_{i,t+h}` made at :math:`t-1`) is, for shock :math:`k`,

.. math::

    H_{i,k} = \\sum_{l=0}^{h} (\\Phi_l B)_{i,k}\\, \\varepsilon_{k,t+h-l}

(their eqs. 8-10). Type A holds when :math:`|H_{i,j}| \\ge \\max_{k \\ne j}
|H_{i,k}|`, type B when :math:`|H_{i,j}| \\ge \\sum_{k \\ne j} |H_{i,k}|`.

Importance weights: conditioning on a narrative event changes the likelihood by
the probability :math:`\\omega(B)` that the event happens under the model, so a
model kept by the restrictions is weighted by :math:`1/\\omega(B)` (their
Algorithm 1, step 4). :math:`\\omega` is estimated by drawing the shocks of the
restricted periods ``weight_draws`` times from :math:`N(0, I)` and counting how
often every restriction holds (vectorised over models and draws). Sign-only
restrictions have a constant :math:`\\omega = 2^{-m}` and need no weights.

In the bootstrap a replication's shocks at the dated periods are its own
residuals *on the observed data*, :math:`u^b_t = y_t - \\sum_j A^b_j y_{t-j} -
c^b` with :math:`c^b` implied by the sample mean: the event happened in the
observed sample, not at the same position of a resampled one (where a moving
block puts another month's residual).

References
----------
Antolín-Díaz, J. & Rubio-Ramírez, J. F. (2018). Narrative sign restrictions for SVARs.
*American Economic Review* 108(10), 2802-2829.
Giacomini, R., Kitagawa, T. & Read, M. (2023). Identification and inference under
narrative restrictions. *Journal of Business & Economic Statistics*, forthcoming.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from causalmacro.errors import ArgumentError
from causalmacro.svar.dynamics import ma_coefficients
from causalmacro.svar.reduced_form import ReducedForm
from causalmacro.svar.sign_weights import effective_sample_size

__all__ = [
    "NARRATIVE_POOL",
    "WEIGHT_DRAWS",
    "NarrativeCheck",
    "NarrativeRestriction",
    "combine_weights",
    "event_date",
    "narrative_filter",
    "narrative_report",
    "pick_narrative",
]

Contribution = Literal["largest", "overwhelming"]
#: Simulated shock draws per model for the importance weight :math:`1/\omega`.
WEIGHT_DRAWS = 1000
#: Rotations drawn per pending bootstrap replication and round, one kept by its weight.
NARRATIVE_POOL = 16
_CHUNK = 2_000_000  # floats per simulation chunk


@dataclass(frozen=True)
class NarrativeRestriction:
    """One narrative restriction on the structural shocks at a dated event.

    Parameters
    ----------
    date : str, int, datetime-like or pandas.Period
        The (first) restricted period, matched against the sample's dates: a
        date inside a period of a monthly or quarterly sample matches that period
        (``"2022-11-11"`` is November 2022 on a monthly index). Stored as a string
        (an int label stays an int).
    shock : str
        The restricted structural shock (shock ``j`` is named after the ``j``-th
        variable of the order).
    sign : {+1, -1}, optional
        The shock's sign in each of the ``periods`` periods from ``date``.
    variable : str, optional
        The variable whose unexpected change the shock dominates; needs ``contribution``.
    contribution : {"largest", "overwhelming"}, optional
        ``"largest"`` (type A): the shock's contribution to the variable's
        unexpected change over the window is the largest in absolute value;
        ``"overwhelming"`` (type B): larger than all other shocks' together.
    periods : int
        Length of the window starting at ``date`` (1: the date alone).

    Raises
    ------
    ArgumentError
        Neither ``sign`` nor ``contribution``, a sign other than +1/-1, an unknown
        contribution, ``variable`` without ``contribution`` or the reverse, ``periods < 1``.

    Examples
    --------
    >>> ftx = cm.NarrativeRestriction("2022-11", shock="hy_spread", sign=1,
    ...                               variable="hy_spread", contribution="largest")  # doctest: +SKIP
    >>> cm.SignRestrictions(signs=..., narrative=[ftx])  # doctest: +SKIP

    References
    ----------
    Antolín-Díaz, J. & Rubio-Ramírez, J. F. (2018). Narrative sign restrictions for SVARs.
    *American Economic Review* 108(10), 2802-2829.
    """

    date: str | int
    shock: str
    sign: int | None = None
    variable: str | None = None
    contribution: Contribution | None = None
    periods: int = 1

    def __post_init__(self) -> None:
        date: Any = self.date
        if isinstance(date, bool) or not isinstance(date, str | int | dt.date | pd.Period | np.datetime64):
            raise ArgumentError(f"narrative date must be a date, a period or a string, got {date!r}")
        if isinstance(date, pd.Timestamp | dt.datetime | np.datetime64):
            date = str(pd.Timestamp(date))
        elif isinstance(date, dt.date | pd.Period):
            date = str(date)
        object.__setattr__(self, "date", date)
        if not isinstance(self.shock, str):
            raise ArgumentError(f"narrative shock must be a variable name, got {self.shock!r}")
        if self.sign is not None and (isinstance(self.sign, bool) or self.sign not in (1, -1)):
            raise ArgumentError(f"narrative sign must be +1, -1 or None, got {self.sign!r}")
        if self.contribution is not None and self.contribution not in get_args(Contribution):
            raise ArgumentError(
                f"narrative contribution must be one of {list(get_args(Contribution))}, got {self.contribution!r}"
            )
        if (self.variable is None) != (self.contribution is None):
            raise ArgumentError("narrative variable and contribution go together: give both or neither")
        if self.sign is None and self.contribution is None:
            raise ArgumentError(f"narrative restriction on {self.shock!r} at {date} needs a sign or a contribution")
        if isinstance(self.periods, bool) or not isinstance(self.periods, int) or self.periods < 1:
            raise ArgumentError(f"narrative periods must be an int >= 1, got {self.periods!r}")

    @classmethod
    def from_value(cls, value: NarrativeRestriction | Mapping[str, Any]) -> NarrativeRestriction:
        """A restriction from itself or from a mapping of its fields (a saved results file, a spec).

        Parameters
        ----------
        value : NarrativeRestriction or mapping

        Returns
        -------
        NarrativeRestriction

        Raises
        ------
        ArgumentError
            Neither, or a mapping with an unknown key.
        """
        if isinstance(value, NarrativeRestriction):
            return value
        if not isinstance(value, Mapping):
            raise ArgumentError(f"narrative restrictions must be NarrativeRestriction objects, got {value!r}")
        valid = ["date", "shock", "sign", "variable", "contribution", "periods"]
        unknown = [k for k in value if k not in valid]
        if unknown:
            raise ArgumentError(f"narrative restriction has unknown key {unknown[0]!r}; valid keys are {valid}")
        return cls(**value)

    def label(self) -> str:
        """Short text: ``"2022-11: hy_spread > 0, largest in hy_spread"``."""
        parts = []
        if self.sign is not None:
            parts.append(f"{self.shock} {'>' if self.sign > 0 else '<'} 0")
        if self.contribution is not None:
            parts.append(f"{self.shock} {self.contribution} in {self.variable}")
        span = f" (+{self.periods - 1})" if self.periods > 1 else ""
        return f"{self.date}{span}: " + ", ".join(parts)


def event_date(event_id: str) -> str:
    """The date of a catalogue event, for ``NarrativeRestriction(date=...)``.

    Parameters
    ----------
    event_id : str
        An id of the events catalogue (``causalmacro/data/events.toml``), e.g.
        ``"ftx_collapse_2022"``.

    Returns
    -------
    str
        ISO date.

    Raises
    ------
    ArgumentError
        Unknown id (the message lists the catalogue's ids).
    """
    from causalmacro.spec.events import event_catalogue

    cat = event_catalogue()
    if event_id not in cat:
        raise ArgumentError(f"unknown catalogue event {event_id!r}; valid ids are {sorted(cat)}")
    return cat[event_id].date.isoformat()


def _locate(date: str | int, index: pd.Index) -> int:
    """Position of ``date`` in ``index`` (a date inside a period matches the period)."""
    span = f"the sample runs from {index[0]} to {index[-1]}"
    if isinstance(date, int):
        pos = np.flatnonzero(np.asarray(index == date))
        if pos.size != 1:
            raise ArgumentError(f"narrative date {date!r} is not in the sample; {span}")
        return int(pos[0])
    try:
        if isinstance(index, pd.PeriodIndex):
            return int(index.get_loc(pd.Period(date, freq=index.freq)))
        if isinstance(index, pd.DatetimeIndex):
            stamp = pd.Timestamp(date)
            if stamp in index:
                return int(index.get_loc(stamp))
            freq = index.freqstr or (pd.infer_freq(index) if len(index) > 2 else None)
            if freq is None:
                raise KeyError(date)
            periods = pd.DatetimeIndex(index, freq=freq).to_period()  # "MS" and "ME" both become months
            return int(periods.get_loc(stamp.to_period(periods.freq)))
        pos = np.flatnonzero(np.asarray(index.astype(str) == str(date)))
        if pos.size == 1:
            return int(pos[0])
    except (KeyError, ValueError, TypeError):
        pass
    raise ArgumentError(f"narrative date {date!r} is not in the sample; {span}")


@dataclass(frozen=True)
class _Item:
    shock: int
    sign: int | None
    variable: int | None
    contribution: str | None
    cols: tuple[int, ...]  # positions in the restricted-period stack, in date order


@dataclass(frozen=True)
class _Plan:
    rows: np.ndarray  # (D,) residual rows of the restricted periods, sorted
    items: tuple[_Item, ...]
    labels: tuple[str, ...]
    window: int  # longest window

    @property
    def weighted(self) -> bool:
        return any(it.contribution is not None for it in self.items)


def _plan(restrictions: Sequence[NarrativeRestriction], names: Sequence[str], index: pd.Index) -> _Plan:
    pos = {n: i for i, n in enumerate(names)}

    def idx(name: str, what: str) -> int:
        if name not in pos:
            raise ArgumentError(f"narrative restriction names unknown {what} {name!r}; order is {list(names)}")
        return pos[name]

    starts = []
    for r in restrictions:
        t0 = _locate(r.date, index)
        if t0 + r.periods > len(index):
            raise ArgumentError(
                f"narrative window of {r.periods} periods from {r.date} runs past the sample's end {index[-1]}"
            )
        starts.append(t0)
    rows = np.array(sorted({t0 + s for t0, r in zip(starts, restrictions, strict=True) for s in range(r.periods)}))
    col = {int(t): c for c, t in enumerate(rows)}
    items = tuple(
        _Item(
            shock=idx(r.shock, "shock"), sign=r.sign,
            variable=None if r.variable is None else idx(r.variable, "variable"),
            contribution=r.contribution, cols=tuple(col[t0 + s] for s in range(r.periods)),
        )
        for t0, r in zip(starts, restrictions, strict=True)
    )
    return _Plan(rows, items, tuple(r.label() for r in restrictions), max(r.periods for r in restrictions))


def _holds(plan: _Plan, theta: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """Whether each restriction holds: ``(..., m)`` bool.

    ``theta`` (n, L, K, K) structural MA coefficients; ``eps`` (n, S, D, K) shocks
    at the restricted periods (S draws per model, 1 for the data).
    """
    out = []
    for it in plan.items:
        ok = np.ones(eps.shape[:2], dtype=bool)
        cols = list(it.cols)
        if it.sign is not None:
            ok &= np.all(eps[:, :, cols, it.shock] * it.sign > 0, axis=-1)
        if it.contribution is not None:
            n_p = len(cols)
            th = theta[:, :n_p, it.variable, :][:, ::-1]  # (n, L, K): Theta_{h-l} for period l of the window
            hd = np.abs(np.einsum("nlk,nslk->nsk", th, eps[:, :, cols, :]))
            own = hd[..., it.shock]
            others = np.delete(hd, it.shock, axis=-1)
            rival = others.max(axis=-1) if it.contribution == "largest" else others.sum(axis=-1)
            ok &= own >= rival
        out.append(ok)
    return np.stack(out, axis=-1)


def _omega(plan: _Plan, theta: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Simulated probability that all restrictions hold, per model: ``(n,)``."""
    n, _, k, _ = theta.shape
    d = len(plan.rows)
    hits = np.zeros(n)
    step = max(1, _CHUNK // max(1, draws * d * k))
    for a in range(0, n, step):
        sl = slice(a, min(n, a + step))
        eps = rng.standard_normal((sl.stop - sl.start, draws, d, k))
        hits[sl] = _holds(plan, theta[sl], eps).all(axis=-1).mean(axis=1)
    return hits


def _quantile_width(x: np.ndarray) -> np.ndarray:
    if x.shape[0] == 0:
        return np.full(x.shape[1:], np.nan)
    q = np.quantile(x, [0.05, 0.95], axis=0)
    return q[1] - q[0]


@dataclass(frozen=True, eq=False)
class NarrativeCheck:
    """Outcome of :func:`narrative_filter`.

    Attributes
    ----------
    keep : ndarray of bool, shape (n,)
        Which of the sign-accepted models meet every narrative restriction.
    weights : ndarray or None, shape (keep.sum(),)
        Normalised importance weights :math:`\\propto 1/\\omega` of the kept
        models; None when all are equal (sign restrictions only).
    details : dict
        JSON-ready report (see :func:`narrative_report`).
    """

    keep: np.ndarray
    weights: np.ndarray | None
    details: dict[str, Any]


def _structural(coefs: np.ndarray, impact: np.ndarray, window: int) -> np.ndarray:
    phi = ma_coefficients(coefs, window - 1)  # (..., L, K, K)
    return phi @ impact[..., None, :, :] if phi.ndim == 4 else phi[None] @ impact[:, None]


def _shock_data(rf: ReducedForm, rows: np.ndarray) -> dict[str, Any]:
    """What the bootstrap needs to rebuild a replication's residuals at the restricted periods.

    ``u^b_t = base_t - sum_j A^b_j lagged_{t,j}`` with lagged data centred on the
    sample mean (when the model has a constant) and ``base_t = u_t + sum_j A_j lagged_{t,j}``.
    """
    p = rf.lags
    data = np.asarray(rf.data)
    centre = data.mean(axis=0) if "c" in str(rf.trend) else np.zeros(data.shape[1])
    lagged = np.stack([data[rows + p - j] - centre for j in range(1, p + 1)], axis=1)  # (D, p, K)
    coefs = np.asarray(rf.coefs)
    base = np.asarray(rf.resid)[rows] + np.einsum("jab,djb->da", coefs, lagged)
    return {"base": base.tolist(), "lagged": lagged.tolist()}


def narrative_filter(
    restrictions: Sequence[NarrativeRestriction],
    rf: ReducedForm,
    accepted: np.ndarray,
    rng: np.random.Generator,
    *,
    weight_draws: int = WEIGHT_DRAWS,
) -> NarrativeCheck:
    """Apply narrative restrictions to the sign-accepted models of the point estimate.

    Parameters
    ----------
    restrictions : sequence of NarrativeRestriction
    rf : ReducedForm
        Its residuals at the restricted dates give each model's shocks.
    accepted : ndarray, shape (n, K, K)
        Sign-accepted (and sign-normalised) impact matrices.
    rng : numpy.random.Generator
        Draws the shocks that estimate :math:`\\omega`.
    weight_draws : int
        Simulated draws per model for :math:`\\omega`.

    Returns
    -------
    NarrativeCheck
        The keep mask, the importance weights of the kept models, and the
        report: per restriction the share of sign-accepted models it keeps
        alone, the models left after it and every earlier one, and the 5-95%
        width of the restricted shock's impact responses before and after.
    """
    names = list(rf.names)
    plan = _plan(restrictions, names, rf.index)
    theta = _structural(np.asarray(rf.coefs), accepted, plan.window)
    u = np.asarray(rf.resid)[plan.rows]  # (D, K)
    eps = np.linalg.solve(accepted[:, None], u[None, :, :, None])[..., 0]  # (n, D, K)
    holds = _holds(plan, theta, eps[:, None])[:, 0]  # (n, m)
    keep = np.asarray(holds.all(axis=1), dtype=bool)
    n0 = int(accepted.shape[0])
    steps = []
    cum = np.ones(n0, dtype=bool)
    for r, (it, label) in enumerate(zip(plan.items, plan.labels, strict=True)):
        before = accepted[cum][:, :, it.shock]
        cum = cum & holds[:, r]
        after = accepted[cum][:, :, it.shock]
        wb, wa = _quantile_width(before), _quantile_width(after)
        steps.append({
            "restriction": label,
            "shock": names[it.shock],
            "keeps_alone": float(holds[:, r].mean()) if n0 else 0.0,
            "accepted_after": int(cum.sum()),
            "share_after": float(cum.mean()) if n0 else 0.0,
            "width_before": dict(zip(names, wb.tolist(), strict=True)),
            "width_after": dict(zip(names, wa.tolist(), strict=True)),
        })
    weights = None
    floor = 0
    ess = float(keep.sum())
    if plan.weighted and keep.any():
        omega = _omega(plan, theta[keep], weight_draws, rng)
        floor = int((omega == 0).sum())
        w = 1.0 / np.maximum(omega, 1.0 / weight_draws)
        weights = w / w.sum()
        ess = effective_sample_size(weights)
    details = {
        "restrictions": [dict(r.__dict__) for r in restrictions],
        "dates": [str(rf.index[t]) for t in plan.rows],
        "sign_accepted": n0,
        "accepted": int(keep.sum()),
        "weight_draws": int(weight_draws) if plan.weighted else 0,
        "weight_floor": floor,
        "ess": ess,
        "steps": steps,
        "rows": plan.rows.tolist(),
        "items": [dict(it.__dict__) for it in plan.items],
        "shock_data": _shock_data(rf, plan.rows),
    }
    return NarrativeCheck(keep=keep, weights=weights, details=details)


def _plan_from(details: Mapping[str, Any]) -> _Plan:
    items = tuple(
        _Item(shock=int(it["shock"]), sign=it["sign"], variable=it["variable"], contribution=it["contribution"],
              cols=tuple(int(c) for c in it["cols"]))
        for it in details["items"]
    )
    labels = tuple(str(st["restriction"]) for st in details["steps"])
    return _Plan(np.asarray(details["rows"], dtype=np.int64), items, labels, max(len(it.cols) for it in items))


def narrative_batch(
    details: Mapping[str, Any],
    coefs: np.ndarray,
    cand: np.ndarray,
    rng: np.random.Generator,
    *,
    weight_draws: int = WEIGHT_DRAWS,
) -> tuple[np.ndarray, np.ndarray]:
    """Narrative check of one candidate per replication, in the bootstrap.

    Parameters
    ----------
    details : mapping
        ``details["narrative"]`` of the point identification: the restrictions
        resolved against the sample (the dates are fixed) and the data that give
        each replication's residuals at the restricted periods (``shock_data``).
    coefs : ndarray, shape (n, p, K, K)
        Each candidate's replication's lag matrices.
    cand : ndarray, shape (n, K, K)
        Candidate impact matrices.
    rng : numpy.random.Generator
    weight_draws : int

    Returns
    -------
    ok : ndarray of bool, shape (n,)
        The candidate meets every restriction on its replication's shocks.
    weight : ndarray, shape (n,)
        Unnormalised :math:`1/\\omega` (1 where not weighted or not ok).
    """
    plan = _plan_from(details)
    data = details["shock_data"]
    base = np.asarray(data["base"], dtype=np.float64)  # (D, K)
    lagged = np.asarray(data["lagged"], dtype=np.float64)  # (D, p, K)
    u = base[None] - np.einsum("njab,djb->nda", coefs, lagged)  # (n, D, K)
    eps = np.linalg.solve(cand[:, None], u[..., None])[..., 0]
    theta = _structural(coefs, cand, plan.window)
    ok = np.asarray(_holds(plan, theta, eps[:, None])[:, 0].all(axis=1), dtype=bool)
    weight = np.ones(cand.shape[0])
    if plan.weighted and ok.any():
        omega = _omega(plan, theta[ok], weight_draws, rng)
        weight[ok] = 1.0 / np.maximum(omega, 1.0 / weight_draws)
    return ok, weight


def pick_narrative(
    details: Mapping[str, Any],
    coefs: np.ndarray,
    cand: np.ndarray,
    sign_ok: np.ndarray,
    pool: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """One candidate per replication among ``pool``, by importance weight, in the bootstrap.

    Parameters
    ----------
    details : mapping
        ``details["narrative"]`` of the point identification.
    coefs : ndarray, shape (n * pool, p, K, K)
        Lag matrices of each candidate's replication (``pool`` consecutive candidates a replication).
    cand : ndarray, shape (n * pool, K, K)
        Candidate impact matrices.
    sign_ok : ndarray of bool, shape (n * pool,)
        Candidates meeting the sign restrictions.
    pool : int
    rng : numpy.random.Generator

    Returns
    -------
    has : ndarray of bool, shape (n,)
        Replications with at least one candidate meeting every restriction.
    chosen : ndarray of int, shape (has.sum(),)
        Index into ``cand`` of the candidate picked for each of them, with
        probability proportional to :math:`1/\\omega`.
    """
    weight = np.zeros(cand.shape[0])
    idx = np.flatnonzero(sign_ok)
    if idx.size:
        ok, w = narrative_batch(details, coefs[idx], cand[idx], rng)
        weight[idx[ok]] = w[ok]
    wmat = weight.reshape(-1, pool)
    total = wmat.sum(axis=1)
    has = total > 0
    u = rng.random(int(has.sum())) * total[has]
    choice = np.minimum((np.cumsum(wmat[has], axis=1) < u[:, None]).sum(axis=1), pool - 1)
    return has, np.flatnonzero(has) * pool + choice


def combine_weights(first: np.ndarray | None, second: np.ndarray | None) -> np.ndarray | None:
    """Product of two sets of importance weights, normalised; None (all equal) is neutral.

    Parameters
    ----------
    first, second : ndarray or None, shape (n,)

    Returns
    -------
    ndarray or None
    """
    if first is None and second is None:
        return None
    w = np.ones_like(first if first is not None else second)
    for part in (first, second):
        if part is not None:
            w = w * part
    return w / w.sum()


def narrative_report(details: Mapping[str, Any]) -> pd.DataFrame:
    """How much each narrative restriction shrinks the identified set, as a table.

    Parameters
    ----------
    details : mapping
        ``res.identification_details`` of a model with narrative restrictions
        (or its ``"narrative"`` entry).

    Returns
    -------
    pandas.DataFrame
        One row per restriction and response variable: ``keeps_alone`` (share of
        the sign-accepted models the restriction keeps by itself),
        ``share_after`` (share left after it and every earlier one),
        ``accepted_after``, and the 5-95% width of the restricted shock's impact
        response before and after it (``width_before``, ``width_after``) and
        their ratio ``shrink``.

    Raises
    ------
    ArgumentError
        The details hold no narrative restrictions.
    """
    narr = details.get("narrative", details)
    if not isinstance(narr, Mapping) or "steps" not in narr:
        raise ArgumentError("these results have no narrative restrictions; pass SignRestrictions(narrative=[...])")
    rows = []
    for st in narr["steps"]:
        for var, wb in st["width_before"].items():
            wa = st["width_after"][var]
            rows.append({
                "restriction": st["restriction"], "shock": st["shock"], "response": var,
                "keeps_alone": st["keeps_alone"], "share_after": st["share_after"],
                "accepted_after": st["accepted_after"], "width_before": wb, "width_after": wa,
                "shrink": (wa / wb) if wb and wa is not None and wb == wb else float("nan"),
            })
    return pd.DataFrame(rows).set_index(["restriction", "response"])
