"""Structural vector autoregressions for the macro liquidity chain.

``SVAR(data, order=..., lags=..., identification=..., exog=...).fit()`` returns frozen
:class:`SVARResults` with labelled impulse responses, variance decompositions,
historical decompositions, structural shocks, forecasts and batched bootstrap bands,
A/B standard errors, long-run impact matrices, joint Granger-causality tests and
save/load (``res.save(path)``, :func:`load_results`). Exogenous regressors (a VARX)
and the trend terms form one :class:`Deterministic` block.

References
----------
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*. Springer.
Kilian, L. & Lütkepohl, H. (2017). *Structural Vector Autoregressive Analysis*. CUP.
"""

from causalmacro.svar.bootstrap import BootstrapDraws
from causalmacro.svar.causality import CausalityResult
from causalmacro.svar.deterministic import Deterministic
from causalmacro.svar.diagnostics import ResidualDiagnostics, TestResult
from causalmacro.svar.diagnostics import (
    __getattr__ as __getattr__,  # the deprecated name Diagnostics, once
)
from causalmacro.svar.identification import (
    Identification,
    IdentificationError,
    LongRun,
    Recursive,
)
from causalmacro.svar.model import SVAR, ExplosiveVARWarning, LagSelectionWarning
from causalmacro.svar.narrative import NarrativeRestriction, narrative_report
from causalmacro.svar.nongaussian import NonGaussian, NonGaussianBandsWarning
from causalmacro.svar.proxy import FirstStage, Proxy, WeakInstrumentWarning
from causalmacro.svar.results import (
    ExplosiveReplicationsWarning,
    SVARResults,
    WildImpactWarning,
    load_results,
)
from causalmacro.svar.short_run import ShortRun
from causalmacro.svar.sign import SignRestrictions
from causalmacro.svar.volatility import (
    ChangesInVolatility,
    DegenerateLikelihoodWarning,
    WeakIdentificationWarning,
)

__all__ = [
    "SVAR",
    "BootstrapDraws",
    "CausalityResult",
    "ChangesInVolatility",
    "DegenerateLikelihoodWarning",
    "Deterministic",
    "ExplosiveReplicationsWarning",
    "ExplosiveVARWarning",
    "FirstStage",
    "Identification",
    "IdentificationError",
    "LagSelectionWarning",
    "LongRun",
    "NarrativeRestriction",
    "NonGaussian",
    "NonGaussianBandsWarning",
    "Proxy",
    "Recursive",
    "ResidualDiagnostics",
    "SVARResults",
    "ShortRun",
    "SignRestrictions",
    "TestResult",
    "WeakIdentificationWarning",
    "WeakInstrumentWarning",
    "WildImpactWarning",
    "load_results",
    "narrative_report",
]
