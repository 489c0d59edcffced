"""Text, HTML and JSON formatting of SVAR results (no estimation here)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from causalmacro.svar.results import SVARResults

__all__ = ["jsonable", "summary_html", "summary_text"]


def jsonable(obj: Any) -> Any:
    """Convert numpy scalars and arrays inside dicts and lists to plain Python."""
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _facts(res: SVARResults) -> list[tuple[str, str]]:
    rf = res.reduced_form
    facts = [
        ("Variables (order)", " -> ".join(res.names)),
        ("Sample", f"{_date(rf.index[0])} to {_date(rf.index[-1])} ({res.nobs} obs)"),
        ("Lags", str(res.lags) + (f" ({res.lag_selection['criterion'].upper()})" if res.lag_selection else "")),
        ("Trend", rf.trend),
        *([("Exogenous", ", ".join(res.exog_names))] if res.exog_names else []),
        ("Identification", res.identification.name),
        ("Largest root", f"{rf.roots[0]:.4f} ({'stable' if res.is_stable else 'EXPLOSIVE'})"),
    ]
    det = res.identified.details
    for key in ("acceptance_rate", "ess", "iterations", "overid_lr", "llf", "weak_pairs"):
        if key in det:
            facts.append((key.replace("_", " "), str(jsonable(det[key]))))
    if "variance_ratios" in det:
        for regime, ratios in det["variance_ratios"].items():
            facts.append((f"variance ratios {regime}", ", ".join(f"{k} {v:.3g}" for k, v in ratios.items())))
    if "first_stage" in det:
        fs = det["first_stage"]
        facts.append(("first stage", f"effective F {fs['effective_f']:.2f} on {fs.get('nobs', '?')} periods"
                      + (" (WEAK)" if fs.get("weak") else "")))
    d = res.diagnostics
    if d.portmanteau is not None:
        facts.append(("Portmanteau", f"{d.portmanteau.statistic:.3f} (p={d.portmanteau.pvalue:.3g})"))
    facts.append(("Normality", f"{d.normality.statistic:.3f} (p={d.normality.pvalue:.3g})"))
    facts.extend(("Note", n) for n in res.notes)
    return facts


def summary_text(res: SVARResults) -> str:
    """Plain-text summary."""
    lines = ["Structural VAR results", "=" * 22]
    lines += [f"{k:<20} {v}" for k, v in _facts(res)]
    lines += ["", "Impact matrix B0^-1 (rows: responses, columns: shocks)", res.impact.to_string(float_format="{:.4f}".format)]
    return "\n".join(lines)


def summary_html(res: SVARResults) -> str:
    """HTML summary for notebooks."""
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in _facts(res))
    return (
        "<div><h4>Structural VAR results</h4><table>" + rows + "</table>"
        "<p>Impact matrix B0<sup>-1</sup></p>" + res.impact.to_html(float_format="{:.4f}".format) + "</div>"
    )


def _date(value: Any) -> str:
    """A sample bound: ``2015-03-01`` for timestamps, as-is for other labels."""
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)
