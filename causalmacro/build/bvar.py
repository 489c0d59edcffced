"""The spec's Bayesian VAR (``[var] estimator = "bvar"``): its prior, its lag order, the model unfitted."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from causalmacro.errors import SpecError
from causalmacro.spec import ModelSpec

if TYPE_CHECKING:
    from causalmacro.bvar import BVAR, Minnesota
    from causalmacro.svar.identification import Identification

__all__ = ["auto_b", "build_bvar", "bvar_b", "bvar_identification", "bvar_lags", "bvar_prior"]


def auto_b(spec: ModelSpec) -> tuple[dict[str, float], str]:
    """``b = "auto"``: 0 for each ``[var].order`` series whose transform is a change, 1 for one in levels.

    Banbura, Giannone & Reichlin (2010): a random-walk prior for series in levels, white
    noise for series in changes. Returns ``{variable: b}`` and the sentence that says so
    (recorded in the run's choices).
    """
    from causalmacro.spec.defaults import MINNESOTA

    if spec.var is None:
        raise SpecError(f"{spec.path or spec.name}: the spec has no [var] section")
    transforms = {name: spec.series[name].resolved_transform for name in spec.var.order}
    b = {name: 0.0 if t in MINNESOTA.b_changes else 1.0 for name, t in transforms.items()}
    rule = (f"b = \"auto\": 0 for series in changes ({', '.join(MINNESOTA.b_changes)}), 1 for levels; "
            + ", ".join(f"{name} ({transforms[name]}) {b[name]:g}" for name in b))
    return b, rule


def bvar_b(spec: ModelSpec) -> tuple[float | dict[str, float], str]:
    """The prior mean ``b`` of ``[var.prior]`` and where it came from: the spec's number or table, or ``"auto"``."""
    from causalmacro.spec.schema import PriorSpec

    if spec.var is None:
        raise SpecError(f"{spec.path or spec.name}: the spec has no [var] section")
    given = spec.var.prior is not None and "b" in spec.var.prior.model_fields_set
    b = (spec.var.prior if spec.var.prior is not None else PriorSpec()).b
    if b == "auto":
        return auto_b(spec)
    if isinstance(b, dict):
        return {name: float(b[name]) for name in spec.var.order}, "[var.prior] b, by variable"
    return float(b), "[var.prior] b" if given else f"the default b = {float(b):g} (random walk)"


def bvar_prior(spec: ModelSpec) -> Minnesota:
    """The Minnesota prior of ``[var.prior]`` (its defaults where unset; ``psi`` and ``b`` in ``[var].order``)."""
    from causalmacro.bvar import Minnesota
    from causalmacro.spec.schema import PriorSpec

    if spec.var is None:
        raise SpecError(f"{spec.path or spec.name}: the spec has no [var] section")
    p = spec.var.prior if spec.var.prior is not None else PriorSpec()
    psi = None if p.psi is None else tuple(p.psi[name] for name in spec.var.order)
    return Minnesota(lambda_=p.lambda_, alpha=p.alpha, psi=psi, soc=p.soc, sur=p.sur, b=bvar_b(spec)[0])


def bvar_lags(spec: ModelSpec, data: pd.DataFrame) -> tuple[int, str | None]:
    """The lag order: ``[var].lags`` when a number, else the criterion's choice on the OLS VAR of ``data``.

    Returns the order and, for a criterion, the sentence that says how it was chosen.
    """
    from causalmacro.svar.reduced_form import select_lags

    assert spec.var is not None
    v = spec.var
    if isinstance(v.lags, int):
        return v.lags, None
    lags, _, raised, max_lags = select_lags(data[list(v.order)].to_numpy(dtype=float), v.lags, "c", v.max_lags)
    note = f"lag order {lags} chosen by {v.lags.upper()} on the OLS VAR (1..{max_lags})"
    return lags, note + (f"; {raised}" if raised else "")


def build_bvar(spec: ModelSpec, data: pd.DataFrame, *, lags: int) -> BVAR:
    """The Bayesian VAR the spec describes, on ``data``'s ``[var].order`` columns, unfitted.

    Fit it with ``.fit(draws, rng=seed)``; identify it with
    ``.structural(identification_of(spec, scheme, data), rng=seed)``.
    """
    from causalmacro.bvar import BVAR

    assert spec.var is not None
    hyper = spec.var.prior.hyper if spec.var.prior is not None else None
    prior = bvar_prior(spec)
    if hyper is None:
        return BVAR(data[list(spec.var.order)], lags=lags, prior=prior)
    return BVAR(data[list(spec.var.order)], lags=lags, prior=prior, hyper=hyper)


def bvar_identification(spec: ModelSpec, scheme: str, data: pd.DataFrame) -> Identification:
    """The scheme object for :meth:`causalmacro.BVARResults.structural` (its ``[var.<scheme>]`` table applied)."""
    from causalmacro.build.identification import identification_of
    from causalmacro.svar.schemes import SCHEMES

    ident = identification_of(spec, scheme, data)
    return SCHEMES[ident]() if isinstance(ident, str) else ident
