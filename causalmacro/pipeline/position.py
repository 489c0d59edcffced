"""Where the chain stands now: each link's latest value against its history, the current regimes.

:func:`cycle_position` is the package's answer to "where are we in the chain":
for every variable of the VAR, its latest value, that value's percentile in the
sample's history and its change over the last 3 and 6 periods; for every regime
definition, the current label and how long it has lasted; and, when the asset
model was fitted by regime, the asset spectrum conditional on the current
regime (each asset's cumulative response to each shock, in that regime).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from causalmacro.errors import ArgumentError

__all__ = ["CyclePosition", "cycle_position"]

#: Periods over which the direction of each link is read.
def _ordinal(value: float) -> str:
    n = round(value)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


DIRECTION_PERIODS: tuple[int, int] = (3, 6)


def _direction(change: float, scale: float) -> str:
    """``rising``/``falling``, or ``flat`` for a change under a tenth of a standard deviation."""
    if not np.isfinite(change):
        return "n/a"
    if abs(change) < 0.1 * scale:
        return "flat"
    return "rising" if change > 0 else "falling"


@dataclass(frozen=True, eq=False)
class CyclePosition:
    """The chain's current position (see :func:`cycle_position`).

    Attributes
    ----------
    date : pandas.Timestamp
        The latest period of the panel.
    links : pandas.DataFrame
        One row per VAR variable: ``value`` (latest), ``percentile`` (share of
        the sample's values at or below it, 0-100), ``change_3``/``change_6``
        (change over the last 3 and 6 periods; for a return or a change, that of
        its level: the sum of the last 3 or 6 values), ``direction_3``/``direction_6``
        (``rising``, ``falling`` or ``flat``: under a tenth of the standard
        deviation of such a change) and ``direction_of``.
    regimes : pandas.DataFrame
        One row per regime definition: the current ``label``, the period it began
        (``since``) and its length in ``periods``.
    spectrum : pandas.DataFrame or None
        Asset x shock posterior mean cumulative responses in the current regime
        of the asset model's regime definition (``spectrum_regime``), or None.
    prob_positive : pandas.DataFrame or None
        Posterior probability of a gain (positive cumulative response), same layout.
    spectrum_regime : tuple of (str, str) or None
        ``(definition, current label)`` the spectrum is conditional on.
    period : str
        The panel's period in words (``"week"``, ``"month"`` or ``"period"``), for the summary's sentences.
    """

    date: pd.Timestamp
    links: pd.DataFrame
    regimes: pd.DataFrame
    spectrum: pd.DataFrame | None = None
    prob_positive: pd.DataFrame | None = None
    spectrum_regime: tuple[str, str] | None = None
    period: str = "period"

    def summary_lines(self) -> list[str]:
        """The position in a few lines.

        Returns
        -------
        list of str
            The date, each link's value, percentile and direction, and each
            regime's current label and length.
        """
        lines = [f"cycle position at {self.date:%Y-%m-%d}:"]
        for name, row in self.links.iterrows():
            lines.append(f"  {name}: {row['value']:.2f} ({_ordinal(row['percentile'])} percentile), "
                         f"{row['direction_3']} over 3 {self.period}s, {row['direction_6']} over 6")
        for name, row in self.regimes.iterrows():
            if not isinstance(row["label"], str):
                lines.append(f"  regime {name}: undetermined")
                continue
            n = int(row["periods"])
            lines.append(f"  regime {name}: {row['label']} since {row['since']:%Y-%m-%d} "
                         f"({n} {self.period}{'s' if n != 1 else ''})")
        return lines

    def __str__(self) -> str:
        return "\n".join(self.summary_lines())

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self.summary_lines()[1:])
        return f"<div><h4>cycle position at {self.date:%Y-%m-%d}</h4><ul>{items}</ul></div>"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready position.

        Returns
        -------
        dict
            The ``position`` key of ``results.json``: ``date``, ``links``,
            ``regimes``, ``spectrum_regime``, ``spectrum``, ``prob_positive``
            (missing values as None, dates as ISO strings).
        """
        def records(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
            out: dict[str, dict[str, Any]] = {}
            for name, row in frame.iterrows():
                out[str(name)] = {k: (v.date().isoformat() if isinstance(v, pd.Timestamp)
                                      else None if (isinstance(v, float) and not np.isfinite(v)) or v is None
                                      or (not isinstance(v, str) and pd.isna(v))
                                      else v.item() if hasattr(v, "item") else v)
                                  for k, v in row.items()}
            return out

        return {
            "date": self.date.date().isoformat(),
            "links": records(self.links),
            "regimes": records(self.regimes),
            "spectrum_regime": list(self.spectrum_regime) if self.spectrum_regime else None,
            "spectrum": None if self.spectrum is None else records(self.spectrum),
            "prob_positive": None if self.prob_positive is None else records(self.prob_positive),
        }


def _check_horizon(horizon: int, cum: Any) -> int:
    """``horizon`` if the cumulative responses ``cum`` have it, else an :class:`ArgumentError` naming the range."""
    last = int(cum["horizon"][-1])
    if not (isinstance(horizon, int | np.integer) and 0 <= horizon <= last):
        raise ArgumentError(f"horizon must be a whole number from 0 to {last} (the asset model's lags), got {horizon!r}")
    return int(horizon)


def cycle_position(
    data: pd.DataFrame,
    variables: Sequence[str],
    regimes: pd.DataFrame,
    *,
    assets: Any = None,
    asset_regime: str | None = None,
    horizon: int | None = None,
    cumulate: Sequence[str] = (),
) -> CyclePosition:
    """The chain's latest position against its history.

    Parameters
    ----------
    data : DataFrame
        The panel's data.
    variables : sequence of str
        The chain's variables (``[var].order``).
    regimes : DataFrame
        From :func:`causalmacro.regimes` (may have no columns).
    assets : AssetResponseResults, optional
        Fitted by regime (betas with a ``regime`` dim), for the conditional spectrum.
    asset_regime : str, optional
        The regime definition the asset model was fitted by.
    horizon : int, optional
        Horizon of the cumulative responses (default: the last lag, the total response); one the
        asset model does not have is refused (:class:`~causalmacro.errors.ArgumentError`), not clamped.
    cumulate : sequence of str
        Variables that are changes or returns (``diff``/``logdiff``): their
        direction is that of their level, the sum of the last 3 or 6 changes
        (a return rising from -40% to +12% is not a rising price).

    Returns
    -------
    CyclePosition
    """
    rows = {}
    for name in variables:
        x = data[name].dropna()
        last = float(x.iloc[-1])
        growth = name in cumulate
        scale = float(x.std(ddof=1)) if len(x) > 1 else 0.0
        row: dict[str, Any] = {"value": last, "percentile": 100.0 * float((x <= last).mean()),
                               "direction_of": "level (sum of the changes)" if growth else "value"}
        for k in DIRECTION_PERIODS:
            if len(x) <= k:
                change = float("nan")
            elif growth:  # the level's change: the sum of the last k changes, against k periods' spread
                change = float(x.iloc[-k:].sum())
            else:
                change = last - float(x.iloc[-1 - k])
            row[f"change_{k}"] = change
            row[f"direction_{k}"] = _direction(change, scale * (np.sqrt(k) if growth else 1.0))
        rows[name] = row
    links = pd.DataFrame.from_dict(rows, orient="index")
    reg_rows: dict[str, dict[str, Any]] = {}
    for name in regimes.columns:
        s = regimes[name]
        label = s.iloc[-1]
        if pd.isna(label):
            reg_rows[name] = {"label": None, "since": None, "periods": 0}
            continue
        same = (s.astype(object) == label).to_numpy()[::-1]
        run = int(np.argmin(same)) if not same.all() else len(same)
        reg_rows[name] = {"label": str(label), "since": s.index[-run], "periods": run}
    reg = pd.DataFrame.from_dict(reg_rows, orient="index", columns=["label", "since", "periods"])
    spectrum = prob = None
    which = None
    if assets is not None and asset_regime is not None and asset_regime in reg.index:
        label = reg.loc[asset_regime, "label"]
        cum = assets.cumulative()
        cum = cum.isel(horizon=-1) if horizon is None else cum.sel(horizon=_check_horizon(horizon, cum))
        if isinstance(label, str) and "regime" in cum.dims and label in cum["regime"].values:
            now = cum.sel(regime=label)
            spectrum = now.mean(("chain", "draw")).to_pandas()
            prob = (now > 0).mean(("chain", "draw")).to_pandas()
            which = (asset_regime, label)
    freq = getattr(data.index, "freqstr", None) or ""
    period = "week" if freq.startswith("W") else "month" if freq.startswith("M") else "period"
    return CyclePosition(date=pd.Timestamp(data.index[-1]), links=links, regimes=reg, spectrum=spectrum,
                         prob_positive=prob, spectrum_regime=which, period=period)
