"""Joint Granger-causality tests between sets of variables.

:math:`H_0`: the lags of the ``causing`` variables do not enter the equations of
the ``caused`` variables, :math:`C\\beta = 0`. The Wald statistic
:math:`\\lambda_W = (C\\hat\\beta)'[C \\hat\\Sigma_{\\hat\\beta} C']^{-1}(C\\hat\\beta)`
is asymptotically :math:`\\chi^2(N)` with :math:`N` restrictions; the F form
:math:`\\lambda_W / N` is referred to :math:`F(N, K(T - Kp - k_{trend}))`
(Lütkepohl 2005, sec. 3.6.1, eq. 3.6.5 and 3.6.7). The numbers are statsmodels'
``VARResults.test_causality``; ``causing=None`` is resolved to the complement
of ``caused`` here because statsmodels 0.15 mishandles that default (it counts
the restrictions with ``caused`` in place of ``causing`` and fails).

References
----------
Granger, C. W. J. (1969). Investigating causal relations by econometric models and
cross-spectral methods. *Econometrica* 37(3), 424-438.
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*. Springer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from causalmacro.errors import ArgumentError
from causalmacro.svar.diagnostics import TestResult

__all__ = ["CausalityKind", "CausalityResult", "granger_causality", "variable_set"]

CausalityKind = Literal["f", "wald"]


@dataclass(frozen=True)
class CausalityResult(TestResult):
    """A joint Granger-causality test (a :class:`TestResult` with the sets and the decision).

    Attributes
    ----------
    caused, causing : tuple of str
        The variables whose equations are tested, and those whose lags are excluded.
    signif : float
        Significance level of ``crit_value`` and ``reject``.
    crit_value : float
        Critical value of the reference distribution at ``signif``.
    reject : bool
        Whether :math:`H_0` is rejected at ``signif``.
    """

    caused: tuple[str, ...] = ()
    causing: tuple[str, ...] = ()
    signif: float = 0.05
    crit_value: float = float("nan")
    reject: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        d = super().to_dict()
        d["caused"], d["causing"] = list(self.caused), list(self.causing)
        return d


def variable_set(value: Any, names: Sequence[str], argument: str) -> list[str]:
    """A variable name or list of names checked against ``names`` (duplicates dropped, order kept).

    Raises
    ------
    ArgumentError
        Naming ``argument`` when it is empty, not strings, or names an unknown variable.
    """
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Sequence) or isinstance(items, bytes) or not items:
        raise ArgumentError(f"{argument} must be a variable name or a non-empty list of names, got {value!r}")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ArgumentError(f"{argument} must hold variable names (str), got {item!r}")
        if item not in names:
            raise ArgumentError(f"{argument} names unknown variable {item!r}; variables are {list(names)}")
        if item not in out:
            out.append(item)
    return out


def _join(vs: Sequence[str]) -> str:
    return vs[0] if len(vs) == 1 else "{" + ", ".join(vs) + "}"


def granger_causality(
    sm_res: Any,
    names: Sequence[str],
    caused: str | Sequence[str],
    causing: str | Sequence[str] | None = None,
    *,
    kind: CausalityKind = "f",
    signif: float = 0.05,
) -> CausalityResult:
    """Test that ``causing`` does not Granger-cause ``caused`` (jointly).

    Parameters
    ----------
    sm_res : statsmodels VARResults
        Fitted on the columns ``names`` in this order.
    names : sequence of str
    caused : str or sequence of str
    causing : str or sequence of str, optional
        Defaults to every variable not in ``caused``.
    kind : {"f", "wald"}
        F form or Wald chi-square form.
    signif : float
        Level for the critical value and the decision.

    Returns
    -------
    CausalityResult
    """
    if kind not in ("f", "wald"):
        raise ArgumentError(f"kind must be 'f' or 'wald', got {kind!r}")
    if isinstance(signif, bool) or not isinstance(signif, int | float) or not 0 < signif < 1:
        raise ArgumentError(f"signif must be between 0 and 1, got {signif!r}")
    ed = variable_set(caused, names, "caused")
    if causing is None:
        ing = [n for n in names if n not in ed]
        if not ing:
            raise ArgumentError("caused holds every variable, so causing=None leaves nothing to test")
    else:
        ing = variable_set(causing, names, "causing")
    both = [n for n in ing if n in ed]
    if both:
        raise ArgumentError(f"variable {both[0]!r} is in both caused and causing")
    pos = {n: i for i, n in enumerate(names)}
    r = sm_res.test_causality([pos[n] for n in ed], [pos[n] for n in ing], kind=kind, signif=signif)
    df = tuple(float(v) for v in r.df) if kind == "f" else (float(r.df),)
    verb = "does" if len(ing) == 1 else "jointly do"
    return CausalityResult(
        name=f"granger {_join(ing)} -> {_join(ed)}",
        statistic=float(r.test_statistic),
        pvalue=float(r.pvalue),
        df=df,
        distribution="F" if kind == "f" else "chi2",
        null=f"{_join(ing)} {verb} not Granger-cause {_join(ed)}",
        caused=tuple(ed),
        causing=tuple(ing),
        signif=float(signif),
        crit_value=float(r.crit_value),
        reject=bool(r.test_statistic > r.crit_value),  # statsmodels' conclusion rule
    )
