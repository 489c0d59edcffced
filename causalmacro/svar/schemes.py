"""The identification schemes by name: one table for ``SVAR(identification=...)``, specs and saved results."""

from __future__ import annotations

from causalmacro.svar.identification import Identification, LongRun, Recursive
from causalmacro.svar.nongaussian import NonGaussian
from causalmacro.svar.proxy import Proxy
from causalmacro.svar.short_run import ShortRun
from causalmacro.svar.sign import SignRestrictions
from causalmacro.svar.volatility import ChangesInVolatility

__all__ = ["SCHEMES"]

#: Scheme name -> class; each class's ``name`` is its key.
SCHEMES: dict[str, type[Identification]] = {
    "recursive": Recursive,
    "short_run": ShortRun,
    "sign": SignRestrictions,
    "long_run": LongRun,
    "proxy": Proxy,
    "volatility": ChangesInVolatility,
    "non_gaussian": NonGaussian,
}
