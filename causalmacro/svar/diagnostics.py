"""Residual diagnostics and the instantaneous-causality test of a VAR.

Portmanteau (Lütkepohl 2005, sec. 4.4.3) and Jarque-Bera-type multivariate
normality (Lütkepohl 2005, sec. 4.5) tests come from statsmodels; Granger
causality is in :mod:`causalmacro.svar.causality`; pairwise instantaneous causality is the Wald test of one residual covariance
(Lütkepohl 2005, sec. 3.6.3), which for two variables equals statsmodels'
``test_inst_causality``.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from causalmacro.svar.reduced_form import ReducedForm

__all__ = ["ResidualDiagnostics", "TestResult", "instantaneous_test", "residual_diagnostics"]


@dataclass(frozen=True)
class TestResult:
    """One hypothesis test.

    Attributes
    ----------
    name : str
    statistic : float
    pvalue : float
    df : tuple of float
        Degrees of freedom: ``(df_num, df_denom)`` for F tests, ``(df,)`` for chi-square.
    distribution : str
        ``"F"`` or ``"chi2"``.
    null : str
        The null hypothesis in words.
    """

    name: str
    statistic: float
    pvalue: float
    df: tuple[float, ...]
    distribution: str
    null: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        d = asdict(self)
        d["df"] = list(self.df)
        return d

    def __str__(self) -> str:
        df = ", ".join(f"{v:g}" for v in self.df)
        return f"{self.name}: {self.distribution}({df}) = {self.statistic:.4f}, p = {self.pvalue:.4g}  [H0: {self.null}]"


@dataclass(frozen=True)
class ResidualDiagnostics:
    """The residual checks reported with every fit: portmanteau and normality tests.

    Named apart from :class:`causalmacro.bayes.ConvergenceDiagnostics` (the
    sampler's checks); ``causalmacro.svar.Diagnostics`` is a deprecated alias.
    """

    portmanteau: TestResult | None
    normality: TestResult

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "portmanteau": None if self.portmanteau is None else self.portmanteau.to_dict(),
            "normality": self.normality.to_dict(),
        }


def residual_diagnostics(sm_res: Any, rf: ReducedForm) -> ResidualDiagnostics:
    """Portmanteau test up to ``max(12, 2p)`` lags (when the sample allows) and normality."""
    nlags = max(12, 2 * rf.lags)
    port = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if rf.nobs > nlags + 1 and nlags > rf.lags:
            w = sm_res.test_whiteness(nlags=nlags, adjusted=False)
            port = TestResult(
                name=f"portmanteau({nlags})",
                statistic=float(w.test_statistic),
                pvalue=float(w.pvalue),
                df=(float(w.df),),
                distribution="chi2",
                null="no residual autocorrelation",
            )
        n = sm_res.test_normality()
    norm = TestResult(
        name="normality",
        statistic=float(n.test_statistic),
        pvalue=float(n.pvalue),
        df=(float(n.df),),
        distribution="chi2",
        null="residuals are multivariate normal",
    )
    return ResidualDiagnostics(portmanteau=port, normality=norm)


def instantaneous_test(rf: ReducedForm, a: str, b: str) -> TestResult:
    """Wald test that the residuals of ``a`` and ``b`` are uncorrelated.

    :math:`\\lambda = T \\sigma_{ab}^2 / (\\sigma_{aa}\\sigma_{bb} + \\sigma_{ab}^2) \\sim \\chi^2(1)`.
    """
    i, j = rf.names.index(a), rf.names.index(b)
    s = np.asarray(rf.sigma_u)
    stat = rf.nobs * s[i, j] ** 2 / (s[i, i] * s[j, j] + s[i, j] ** 2)
    return TestResult(
        name=f"instantaneous {a} <-> {b}",
        statistic=float(stat),
        pvalue=float(stats.chi2.sf(stat, 1)),
        df=(1.0,),
        distribution="chi2",
        null=f"no instantaneous causality between {a} and {b}",
    )


def __getattr__(name: str) -> Any:
    """``Diagnostics``: the deprecated name of :class:`ResidualDiagnostics`."""
    if name == "Diagnostics":
        warnings.warn("causalmacro.svar.Diagnostics is deprecated; use ResidualDiagnostics",
                      DeprecationWarning, stacklevel=2)
        return ResidualDiagnostics
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
