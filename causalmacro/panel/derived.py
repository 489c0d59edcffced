"""Derived series: linear combinations of aligned series.

Net liquidity (Fed total assets - Treasury General Account - reverse repo, in
billions of USD), the 10-year real rate (TIPS yield, with nominal minus
breakeven as the documented fallback) and the term spread are catalogued in
:data:`causalmacro.spec.catalog.DERIVED`; a spec can declare others with
``combine = {ID = coefficient, ...}``. They are computed after alignment, so
every input has first been brought to the panel frequency by its own rule.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["combine", "describe_terms"]


def combine(
    aligned: Mapping[str, pd.Series],
    terms: Mapping[str, float],
    *,
    name: str,
    fallback: Mapping[str, float] | None = None,
) -> tuple[pd.Series, pd.DatetimeIndex]:
    """Compute ``sum(coef * series)``, filling from ``fallback`` where it is missing.

    Parameters
    ----------
    aligned : mapping of str to pandas.Series
        Aligned inputs on the panel frequency.
    terms : mapping of str to float
        Series ID -> coefficient.
    name : str
        Name of the result.
    fallback : mapping of str to float, optional
        Alternative combination for the dates where ``terms`` is missing.

    Returns
    -------
    values : pandas.Series
        The combination; missing where any input is missing (and the fallback
        too).
    filled : pandas.DatetimeIndex
        Dates whose value came from the fallback.
    """
    primary = _weighted_sum(aligned, terms)
    filled = pd.DatetimeIndex([], name="date")
    if fallback:
        alt = _weighted_sum(aligned, fallback)
        union = primary.index.union(alt.index)
        primary, alt = primary.reindex(union), alt.reindex(union)
        use = primary.isna() & alt.notna()
        filled = pd.DatetimeIndex(union[use.to_numpy()], name="date")
        primary = primary.where(~use, alt)
    primary.name = name
    return primary, filled


def _weighted_sum(aligned: Mapping[str, pd.Series], terms: Mapping[str, float]) -> pd.Series:
    parts = [aligned[sid] * coef for sid, coef in terms.items()]
    frame = pd.concat(parts, axis=1, join="outer", sort=True)
    total = frame.sum(axis=1, min_count=frame.shape[1])
    freq = parts[0].index.freq
    if freq is not None:
        total = total.asfreq(freq)
    return total


def describe_terms(terms: Mapping[str, float]) -> str:
    """Readable formula of a combination, e.g. ``0.001*WALCL - 0.001*WTREGEN``."""
    out = ""
    for i, (sid, coef) in enumerate(terms.items()):
        sign = "-" if coef < 0 else "+"
        mag = abs(coef)
        body = sid if mag == 1 else f"{mag:g}*{sid}"
        out += (f"-{body}" if sign == "-" else body) if i == 0 else f" {sign} {body}"
    return out
