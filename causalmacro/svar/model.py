"""The structural VAR model: validated specification, ``fit`` returns frozen results.

References
----------
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*. Springer.
Kilian, L. & Lütkepohl, H. (2017). *Structural Vector Autoregressive Analysis*. CUP.
Stock, J. H. & Watson, M. W. (2001). Vector autoregressions. *JEP* 15(4), 101-115.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from causalmacro.errors import SpecError
from causalmacro.svar._validate import validate_frame
from causalmacro.svar.diagnostics import residual_diagnostics
from causalmacro.svar.exog import validate_exog
from causalmacro.svar.identification import (
    Identification,
    IdentificationName,
    LongRun,
    Recursive,
)
from causalmacro.svar.reduced_form import (
    K_TREND,
    LagCriterion,
    Trend,
    fit_reduced_form,
    select_lags,
)
from causalmacro.svar.results import SVARResults
from causalmacro.svar.short_run import ShortRun
from causalmacro.svar.sign import SignRestrictions

__all__ = ["SVAR", "ExplosiveVARWarning"]


class ExplosiveVARWarning(RuntimeWarning):
    """The estimated VAR has a companion root on or outside the unit circle."""


def make_identification(
    identification: IdentificationName | Identification, **kwargs: Any
) -> Identification:
    """Turn a scheme name plus keyword options into an identification object.

    Parameters
    ----------
    identification : str or Identification
        ``"recursive"``, ``"short_run"`` (keywords ``A``, ``B``), ``"sign"``
        (keywords of :class:`SignRestrictions`), ``"long_run"``, or an object.
    **kwargs
        Options of the named scheme.
    """
    if isinstance(identification, Identification):
        if kwargs:
            raise SpecError("identification options go into the identification object, not SVAR(...)")
        return identification
    schemes: dict[str, type[Identification]] = {
        "recursive": Recursive,
        "short_run": ShortRun,
        "sign": SignRestrictions,
        "long_run": LongRun,
    }
    if identification not in schemes:
        raise SpecError(
            f"identification {identification!r} is not one of {sorted(schemes)}"
        )
    try:
        return schemes[identification](**kwargs)
    except TypeError as exc:
        raise SpecError(f"bad options for identification {identification!r}: {exc}") from None


class SVAR:
    """Structural vector autoregression.

    Parameters
    ----------
    data : pandas.DataFrame
        One numeric column per variable, rows in time order, no missing values.
    order : sequence of str, optional
        Variables in chain order (the Cholesky order of the recursive scheme;
        shock ``j`` is named after ``order[j]``). Defaults to the frame's columns.
    lags : int or {"aic", "bic", "hqic"}
        Fixed lag order, or the criterion that picks it (statsmodels'
        ``select_order``); a criterion choosing 0 is raised to 1 with a note.
    trend : {"n", "c", "ct", "ctt"}
        Deterministic terms as in statsmodels.
    exog : pandas.DataFrame, optional
        Exogenous regressors (event dummies, policy indicators), one column each,
        entering every equation contemporaneously and without lags, as in
        statsmodels' ``VAR(endog, exog=)`` (a VARX; Lütkepohl 2005, ch. 10). Indexed
        like ``data`` (or covering every date of it, and then reindexed). Held
        fixed in the bootstrap; impulse responses and variance decompositions
        do not depend on it, the historical decomposition shows its contribution
        and forecasts need its future path.
    identification : str or Identification
        ``"recursive"``, ``"short_run"``, ``"sign"``, ``"long_run"`` or an object
        (:class:`Recursive`, :class:`ShortRun`, :class:`SignRestrictions`, :class:`LongRun`).
    maxlags : int, optional
        Largest lag order tried by the criterion.
    **identification_options
        Options of a scheme given by name, e.g. ``A=..., B=...`` for ``"short_run"``.

    Examples
    --------
    >>> res = SVAR(df, order=["inflation", "real_rate", "btc"], lags="aic").fit()  # doctest: +SKIP
    >>> res.irf(horizon=24, bands="residual", reps=1000, rng=0)  # doctest: +SKIP
    >>> dummies = pd.DataFrame({"covid": (df.index == "2020-03").astype(float)}, index=df.index)  # doctest: +SKIP
    >>> SVAR(df, lags=2, exog=dummies).fit().forecast(8, exog_future=np.zeros((8, 1)))  # doctest: +SKIP
    """

    def __init__(
        self,
        data: pd.DataFrame,
        order: Sequence[str] | None = None,
        *,
        lags: int | LagCriterion = "aic",
        trend: Trend = "c",
        identification: IdentificationName | Identification = "recursive",
        maxlags: int | None = None,
        exog: pd.DataFrame | None = None,
        **identification_options: Any,
    ) -> None:
        self.frame = validate_frame(data, order)
        if isinstance(lags, str):
            if lags not in ("aic", "bic", "hqic"):
                raise SpecError(f"lags must be a positive int or 'aic', 'bic', 'hqic', got {lags!r}")
        elif isinstance(lags, bool) or not isinstance(lags, int | np.integer) or lags < 1:
            raise SpecError(f"lags must be a positive int or 'aic', 'bic', 'hqic', got {lags!r}")
        if trend not in K_TREND:
            raise SpecError(f"trend must be one of {sorted(K_TREND)}, got {trend!r}")
        self.lags = lags
        self.trend: Trend = trend
        self.exog = None if exog is None else validate_exog(exog, self.frame.index, trend, self.names)
        self.maxlags = maxlags
        self.identification = make_identification(identification, **identification_options)

    @property
    def names(self) -> tuple[str, ...]:
        """Variables in chain order."""
        return tuple(self.frame.columns)

    def fit(self, *, rng: int | np.random.Generator | None = None) -> SVARResults:
        """Estimate the reduced form, identify, and return frozen results.

        Parameters
        ----------
        rng : int or numpy.random.Generator, optional
            Only sign restrictions draw at fit time.

        Returns
        -------
        SVARResults

        Warns
        -----
        ExplosiveVARWarning
            When a companion root has modulus >= 1.
        """
        values = self.frame.to_numpy()
        notes: list[str] = []
        selection: dict[str, Any] | None = None
        if isinstance(self.lags, str):
            x = None if self.exog is None else self.exog.to_numpy()
            lags, selected, note = select_lags(values, self.lags, self.trend, self.maxlags, x)
            selection = {"criterion": self.lags, "selected": selected}
            if note:
                notes.append(note)
        else:
            lags = int(self.lags)
        rf, sm_res = fit_reduced_form(self.frame, lags, self.trend, self.exog)
        if not rf.is_stable:
            msg = (
                f"VAR({lags}) is explosive: largest companion root modulus {rf.roots[0]:.4f} >= 1; "
                "impulse responses grow without bound"
            )
            notes.append(msg)
            warnings.warn(msg, ExplosiveVARWarning, stacklevel=2)
        gen = np.random.default_rng(rng)
        identified = self.identification.identify(rf, gen)
        return SVARResults(
            reduced_form=rf,
            identification=self.identification,
            identified=identified,
            lag_selection=selection,
            notes=tuple(notes),
            diagnostics=residual_diagnostics(sm_res, rf),
            _sm=sm_res,
        )
