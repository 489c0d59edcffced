"""The structural VAR model: validated specification, ``fit`` returns frozen results.

References
----------
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*. Springer.
Kilian, L. & Lütkepohl, H. (2017). *Structural Vector Autoregressive Analysis*. CUP.
Stock, J. H. & Watson, M. W. (2001). Vector autoregressions. *JEP* 15(4), 101-115.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from causalmacro.errors import ArgumentError
from causalmacro.spec.defaults import VAR
from causalmacro.svar._validate import validate_frame
from causalmacro.svar.diagnostics import residual_diagnostics
from causalmacro.svar.exog import validate_exog
from causalmacro.svar.identification import (
    Identification,
    IdentificationName,
)
from causalmacro.svar.reduced_form import (
    K_TREND,
    LagCriterion,
    Trend,
    fit_reduced_form,
    select_lags,
)
from causalmacro.svar.results import SVARResults
from causalmacro.svar.schemes import SCHEMES

__all__ = ["SVAR", "ExplosiveVARWarning", "LagSelectionWarning"]


class ExplosiveVARWarning(RuntimeWarning):
    """The estimated VAR has a companion root on or outside the unit circle."""


class LagSelectionWarning(UserWarning):
    """The information criterion chose the largest lag order it was allowed to try."""


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
            raise TypeError(
                f"SVAR() got an unexpected keyword argument {sorted(kwargs)[0]!r} "
                "(options of an identification object go into its constructor)"
            )
        return identification
    schemes = SCHEMES
    if identification not in schemes:
        raise ArgumentError(
            f"identification {identification!r} is not one of {sorted(schemes)}"
        )
    scheme = schemes[identification]
    allowed = [f.name for f in dataclasses.fields(scheme)]  # type: ignore[arg-type]
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        opts = f"options of identification {identification!r} are {', '.join(allowed)}" if allowed else (
            f"identification {identification!r} takes no options")
        raise TypeError(f"SVAR() got an unexpected keyword argument {unknown[0]!r} ({opts})")
    return scheme(**kwargs)


class SVAR:
    """Structural vector autoregression.

    Parameters
    ----------
    data : pandas.DataFrame
        One numeric column per variable, rows in time order, no missing values.
    order : sequence of str, optional
        Variables in chain order (the Cholesky order of the recursive scheme;
        shock ``j`` is named after ``order[j]``). Defaults to the frame's columns.
    lags : int or {"aic", "bic", "hqic"}, default "aic"
        Fixed lag order, or the criterion that picks it (statsmodels'
        ``select_order``); a criterion choosing 0 is raised to 1 with a note.
    trend : {"n", "c", "ct", "ctt"}, default "c"
        Deterministic terms as in statsmodels.
    identification : str or Identification, default "recursive"
        ``"recursive"``, ``"short_run"``, ``"sign"``, ``"long_run"`` or an object
        (:class:`Recursive`, :class:`ShortRun`, :class:`SignRestrictions`, :class:`LongRun`).
    max_lags : int or None, default 6
        Largest lag order tried by the criterion, as the spec's ``[var] max_lags``
        (the defaults of ``lags``, ``trend``, ``identification`` and ``max_lags``
        are the spec's, :data:`causalmacro.spec.defaults.VAR`). Always capped so
        that the largest model keeps positive residual degrees of freedom; a
        :class:`LagSelectionWarning` says when the criterion picks the top.
        ``None``: statsmodels' rule :math:`12 (T/100)^{1/4}`, capped so that lag
        coefficients use at most a quarter of the sample in each equation
        (:math:`K p ≤ (T - p)/4`). The old name ``maxlags`` still works, with a
        ``DeprecationWarning`` (under that name the default was ``None``,
        the rule above).
    exog : pandas.DataFrame, optional
        Exogenous regressors (event dummies, policy indicators), one column each,
        entering every equation contemporaneously and without lags, as in
        statsmodels' ``VAR(endog, exog=)`` (a VARX; Lütkepohl 2005, ch. 10). Indexed
        like ``data`` (or covering every date of it, and then reindexed). Held
        fixed in the bootstrap; impulse responses and variance decompositions
        do not depend on it, the historical decomposition shows its contribution
        and forecasts need its future path.
    **identification_options
        Options of a scheme given by name, e.g. ``A=..., B=...`` for ``"short_run"``.

    Examples
    --------
    Your own series as a DataFrame (here simulated): one column per variable,
    a date index (a monthly one labels the figures' horizons in months).

    >>> import numpy as np
    >>> import pandas as pd
    >>> import causalmacro as cm
    >>> rng = np.random.default_rng(0)
    >>> x = np.zeros((120, 3))
    >>> for t in range(1, 120):
    ...     x[t] = 0.5 * x[t - 1] + rng.standard_normal(3)
    >>> df = pd.DataFrame(x, columns=["inflation", "real_rate", "btc"],
    ...                   index=pd.date_range("2015-01-01", periods=120, freq="MS"))

    Fit (lag order by AIC, recursive identification in the given order), then
    the impulse responses with 90% moving-block bootstrap bands:

    >>> res = cm.SVAR(df, order=["inflation", "real_rate", "btc"], lags="aic").fit()
    >>> res.lags
    1
    >>> irf = res.irf(horizon=24, bands="block", reps=200, rng=0)
    >>> dict(irf.sizes)
    {'horizon': 25, 'response': 3, 'shock': 3, 'bound': 3}

    The grid of responses with their bands (``res.plot_irf(24, bands="block")``
    does both steps):

    >>> fig = cm.plot_irf(irf)
    >>> fig.axes[-1].get_xlabel()
    'horizon (months)'

    Event dummies enter as exogenous regressors; a forecast then needs their future path:

    >>> dummies = pd.DataFrame({"covid": (df.index == "2020-03-01").astype(float)}, index=df.index)
    >>> cm.SVAR(df, lags=2, exog=dummies).fit().forecast(8, exog_future=np.zeros((8, 1))).shape
    (8, 9)

    The tutorial :doc:`/tutorials/your-data` goes from CSV files to this figure.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        order: Sequence[str] | None = None,
        *,
        lags: int | LagCriterion = VAR.lags,
        trend: Trend = VAR.trend,
        identification: IdentificationName | Identification = VAR.identification,
        max_lags: int | None = VAR.max_lags,
        exog: pd.DataFrame | None = None,
        **identification_options: Any,
    ) -> None:
        if "maxlags" in identification_options:
            warnings.warn("SVAR(maxlags=) is deprecated; use max_lags=", DeprecationWarning, stacklevel=2)
            max_lags = identification_options.pop("maxlags")
        self.frame = validate_frame(data, order)
        if isinstance(lags, str):
            if lags not in ("aic", "bic", "hqic"):
                raise ArgumentError(f"lags must be a positive int or 'aic', 'bic', 'hqic', got {lags!r}")
        elif isinstance(lags, bool) or not isinstance(lags, int | np.integer) or lags < 1:
            raise ArgumentError(f"lags must be a positive int or 'aic', 'bic', 'hqic', got {lags!r}")
        if trend not in K_TREND:
            raise ArgumentError(f"trend must be one of {sorted(K_TREND)}, got {trend!r}")
        if max_lags is not None and (
            isinstance(max_lags, bool) or not isinstance(max_lags, int | np.integer) or max_lags < 1
        ):
            raise ArgumentError(f"max_lags must be a positive int or None, got {max_lags!r}")
        self.lags = lags
        self.trend: Trend = trend
        self.exog = None if exog is None else validate_exog(exog, self.frame.index, trend, self.names)
        self.max_lags = max_lags
        self.identification = make_identification(identification, **identification_options)

    @property
    def maxlags(self) -> int | None:
        """Deprecated name of :attr:`max_lags`."""
        warnings.warn("SVAR.maxlags is deprecated; use max_lags", DeprecationWarning, stacklevel=2)
        return self.max_lags

    @property
    def names(self) -> tuple[str, ...]:
        """Variables in chain order."""
        return tuple(self.frame.columns)

    def fit(self, *, rng: int | np.random.Generator | None = 0) -> SVARResults:
        """Estimate the reduced form, identify, and return frozen results.

        Parameters
        ----------
        rng : int, numpy.random.Generator or None, default 0
            Seed of every random step: sign-restriction draws at fit time, and
            the bootstrap draws of the results when no ``rng`` is given there.
            The seed is recorded in :attr:`SVARResults.seed` (a Generator or
            None contributes a fresh seed drawn from it), so bands reproduce.

        Returns
        -------
        SVARResults

        Warns
        -----
        ExplosiveVARWarning
            When a companion root has modulus >= 1.
        LagSelectionWarning
            When the criterion picks the largest order of its search range.
        """
        values = self.frame.to_numpy()
        notes: list[str] = []
        selection: dict[str, Any] | None = None
        if isinstance(self.lags, str):
            x = None if self.exog is None else self.exog.to_numpy()
            lags, selected, note, top = select_lags(values, self.lags, self.trend, self.max_lags, x)
            selection = {"criterion": self.lags, "selected": selected, "max_lags": top}
            if note:
                notes.append(note)
            if lags == top and top > 1:
                msg = (
                    f"{self.lags.upper()} chose {lags} lags, the top of its search range 1..{top}; "
                    "pass max_lags= to search further, or fix lags"
                )
                notes.append(msg)
                warnings.warn(msg, LagSelectionWarning, stacklevel=2)
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
        if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
            seed = int(rng)
        else:
            seed = int(np.random.default_rng(rng).integers(2**63))
        gen = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[0])
        identified = self.identification.identify(rf, gen)
        return SVARResults(
            reduced_form=rf,
            identification=self.identification,
            identified=identified,
            lag_selection=selection,
            notes=tuple(notes),
            diagnostics=residual_diagnostics(sm_res, rf),
            _sm=sm_res,
            seed=seed,
        )
