"""The spec's Bayesian VAR (``[var] estimator = "bvar"``): its prior, its lag order, the model unfitted."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from causalmacro.errors import SpecError
from causalmacro.spec import ModelSpec

if TYPE_CHECKING:
    from causalmacro.bvar import BVAR, Minnesota
    from causalmacro.svar.identification import Identification

__all__ = ["build_bvar", "bvar_identification", "bvar_lags", "bvar_prior"]


def bvar_prior(spec: ModelSpec) -> Minnesota:
    """The Minnesota prior of ``[var.prior]`` (its defaults where unset; ``psi`` in ``[var].order``)."""
    from causalmacro.bvar import Minnesota
    from causalmacro.spec.schema import PriorSpec

    if spec.var is None:
        raise SpecError(f"{spec.path or spec.name}: the spec has no [var] section")
    p = spec.var.prior if spec.var.prior is not None else PriorSpec()
    psi = None if p.psi is None else tuple(p.psi[name] for name in spec.var.order)
    return Minnesota(lambda_=p.lambda_, alpha=p.alpha, psi=psi, soc=p.soc, sur=p.sur)


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
