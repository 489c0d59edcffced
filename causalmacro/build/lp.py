"""The spec's local projections: each ``[lp]`` link, on the source's identified shock, pooled and by state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from causalmacro.errors import SpecError
from causalmacro.spec import ModelSpec

if TYPE_CHECKING:
    from causalmacro.lp import LocalProjections

__all__ = ["build_local_projections", "lp_lags"]


def lp_lags(spec: ModelSpec, res: Any) -> int:
    """Control lags of the local projections: ``[lp].lags``, else the fitted VAR's lag order."""
    return int(spec.lp.lags) if spec.lp.lags is not None else int(res.lags)


def build_local_projections(
    spec: ModelSpec, data: pd.DataFrame, shocks: pd.DataFrame, regimes: pd.DataFrame, *, lags: int
) -> dict[str, tuple[LocalProjections, LocalProjections | None]]:
    """The local projections of every ``[lp]`` link, unfitted: pooled, and by ``[lp].state`` when set.

    Parameters
    ----------
    spec : ModelSpec
        Needs ``[var]`` (the chain the links run along) and ``[lp]``.
    data : DataFrame
        The panel's data (or a window of it).
    shocks : DataFrame
        The SVAR's structural shocks.
    regimes : DataFrame
        The spec's regimes on the panel (for ``[lp].state``).
    lags : int
        Control lags (:func:`lp_lags`).

    Returns
    -------
    dict
        ``"source -> target"`` to ``(pooled, by_state or None)``.
    """
    from causalmacro.lp import LocalProjections

    if spec.var is None:
        raise SpecError(f"{spec.path or spec.name}: the spec has no [var] section")
    horizon = spec.lp.horizon or spec.var.horizon
    out: dict[str, tuple[LocalProjections, LocalProjections | None]] = {}
    for source, target in spec.lp.link_pairs(list(spec.var.order)):
        y, s = data[[target]], shocks[[source]]
        # the structural shocks have unit variance: a unit move is one standard deviation
        kw: dict[str, Any] = {"horizon": horizon, "lags": lags, "lag_augment": spec.lp.lag_augment,
                              "hac_lags": spec.lp.hac_lags, "cumulative": spec.lp.cumulative, "shock_size": "std"}
        state = None
        if spec.lp.state is not None:
            state = LocalProjections(y, s, state=regimes[spec.lp.state].astype(object), **kw)
        out[f"{source} -> {target}"] = (LocalProjections(y, s, **kw), state)
    return out
