"""The spec's asset-response model: flipped returns, the SVAR's shocks, regimes, event covariates, sampler."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from causalmacro.build.events import events_on
from causalmacro.errors import SpecError
from causalmacro.spec import ModelSpec

if TYPE_CHECKING:
    from causalmacro.bayes import AssetResponseModel

__all__ = ["asset_events", "asset_fit_options", "asset_returns", "build_asset_model", "regime_now"]


def _assets(spec: ModelSpec) -> Any:
    if spec.assets is None:
        raise SpecError(f"{spec.path or spec.name}: the spec has no [assets] section")
    return spec.assets


def asset_returns(spec: ModelSpec, panel: Any) -> pd.DataFrame:
    """The asset model's returns: the spec's assets, with ``[assets].flip`` columns negated.

    Yields and spreads rise when their holders lose; flipping them makes every
    response on the asset spectrum read as a gain (positive) or a loss.

    Parameters
    ----------
    spec : ModelSpec
        Needs an ``[assets]`` section.
    panel : Panel or DataFrame
        From :func:`causalmacro.build_panel` on the same spec, or its data (a window of it).

    Returns
    -------
    pandas.DataFrame
        One column per asset of ``[assets].groups`` (in its order), in the panel's
        units, the ``flip`` columns with their sign changed.

    Raises
    ------
    SpecError
        The spec has no ``[assets]`` section.
    """
    a = _assets(spec)
    data = panel if isinstance(panel, pd.DataFrame) else panel.data
    returns = data[list(a.groups)].copy()
    returns[a.flip] = -returns[a.flip]
    return returns


def asset_events(spec: ModelSpec) -> list[str]:
    """The events that enter the asset model as covariates (``[events.*].assets``), in spec order."""
    return [name for name, e in spec.events.items() if e.assets]


def build_asset_model(
    spec: ModelSpec,
    data: pd.DataFrame,
    shocks: pd.DataFrame,
    regimes: pd.DataFrame,
    *,
    strict_events: bool = True,
) -> AssetResponseModel:
    """The asset-response model the spec describes, unfitted.

    Parameters
    ----------
    spec : ModelSpec
        Needs ``[assets]``: groups, flips, lags, regime; the ``[events]`` with
        ``assets = true`` become covariates.
    data : DataFrame
        The panel's data or a window of it.
    shocks : DataFrame
        The SVAR's structural shocks (every shock; the spec's asset shocks are taken).
    regimes : DataFrame
        :func:`causalmacro.panel.regimes.regimes` on the whole panel (a window's
        first periods keep the regime their trailing data give).
    strict_events : bool
        True (the main job): an event outside the sample raises; False (a grid
        window): it is left out.

    Returns
    -------
    AssetResponseModel
        Fit it with ``.fit(**asset_fit_options(spec), rng=seed)``.
    """
    from causalmacro.bayes import AssetResponseModel

    a = _assets(spec)
    shocks = shocks[spec.asset_shocks]
    index = pd.DatetimeIndex(data.index)
    covariates = events_on(spec, index, asset_events(spec), pd.DatetimeIndex(shocks.index[a.lags:]),
                           strict=strict_events)
    # the regime of the period before the return, as for the state-dependent projections
    by = regimes[a.regime].shift(1).reindex(index) if a.regime is not None else None
    extra: dict[str, Any] = {k: val for k, val in (("regimes", by), ("covariates", covariates)) if val is not None}
    return AssetResponseModel(asset_returns(spec, data), shocks, groups=dict(a.groups), lags=a.lags, **extra)


def asset_fit_options(spec: ModelSpec, *, sampler: str | None = None, draws: int | None = None) -> dict[str, Any]:
    """The sampler settings of ``[assets]`` for :meth:`AssetResponseModel.fit` (without the seed).

    Parameters
    ----------
    spec : ModelSpec
    sampler : str, optional
        Overrides ``[assets].sampler`` (``causalmacro run --sampler``).
    draws : int, optional
        Overrides ``[assets].draws`` (a grid's ``asset_draws``).
    """
    a = _assets(spec)
    return {"draws": a.draws if draws is None else int(draws), "tune": a.tune, "chains": a.chains,
            "target_accept": a.target_accept, "sampler": sampler or a.sampler, "burn_sweeps": a.burn_sweeps,
            "first_sweeps": a.first_sweeps,
            "extra_sweeps": a.extra_sweeps, "max_sweeps": a.max_sweeps}


def regime_now(spec: ModelSpec, regimes: pd.DataFrame, until: pd.Timestamp | None = None) -> str | None:
    """The asset model's regime in the last labelled period (up to ``until``); None without ``[assets].regime``."""
    if spec.assets is None or spec.assets.regime is None:
        return None
    labels = regimes[spec.assets.regime]
    if until is not None:
        labels = labels.loc[:until]
    return str(labels.dropna().iloc[-1])
