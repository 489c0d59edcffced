"""The run folder's ``report.md``: the answer first, the summary lines, the choices, the SVAR summary and the figures."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from causalmacro.pipeline import RunResults
from causalmacro.report.html import (
    FAN_FIGURE,
    KL_SENTENCE,
    scenario_assets,
    scenario_assets_text,
    scenario_figures,
    scenario_paths,
)
from causalmacro.report.html import TRACKER_FIGURE as _TRACKER

__all__ = ["markdown"]


def _answer(run: RunResults, files: Sequence[str]) -> str:
    """The headline section: the answer in words, its evidence, the tracker figure (or why none)."""
    ans = run.answer
    if ans is None:
        out = ("## The headline question\n\nThe spec has no liquidity variable in `[var].order`, so the report has no "
               "headline link to answer.\n\n")
    else:
        evidence = "\n".join(f"- {line}" for line in ans.lines())
        out = (f"## {ans.question}\n\n**{ans.verdict}**\n\n{evidence}\n\nAn answer of *yes* needs the "
               f"{ans.multiplicity}-adjusted p-value of the path test below {ans.alpha:g} (family-wise error "
               f"{ans.alpha:.0%} over {ans.n_tests} ordered pairs of the VAR's variables).\n\n")
    tr = run.tracker
    if _TRACKER in files:
        out += f"![{_TRACKER}]({_TRACKER})\n\n"
    elif tr is not None and tr.skipped is not None:
        out += f"No liquidity tracker: {tr.skipped}.\n\n"
    return out


def _md_table(frame: pd.DataFrame, *, index: bool = True) -> str:
    """A pipe table (cells as given, floats to 3 significant digits)."""
    frame = frame.reset_index() if index else frame
    def cell(v: object) -> str:
        return f"{v:.3g}" if isinstance(v, float) else str(v)
    rows = [" | ".join(cell(v) for v in row) for row in frame.itertuples(index=False)]
    head = " | ".join(str(c) for c in frame.columns)
    return "\n".join([f"| {head} |", "|" + "---|" * len(frame.columns), *(f"| {r} |" for r in rows)]) + "\n\n"


def _scenarios(run: RunResults, files: Sequence[str]) -> str:
    """The Scenarios section: each scenario's conditions in both units, plausibility, paths; the density's quantiles."""
    stage = run.scenarios
    if stage is None:
        return ""
    out = "## Scenarios\n\nPaths in the VAR's units: the scenario's mean (* conditioned) with the baseline in brackets.\n\n"
    for name, ds in stage.scenarios.items():
        out += f"### {name} ({ds.attrs['kind']}; shocks allowed: {', '.join(ds.attrs['shocks_allowed'])})\n\n"
        if run.spec.scenarios[name].description:
            out += f"{run.spec.scenarios[name].description}\n\n"
        out += "".join(f"- {r['variable']} at {r['period']} (horizon {r['horizon']}): {r['value']:g} ({r['units']}), "
                       f"{r['model_value']:.4g} in the VAR's units\n" for r in stage.condition_rows(run.spec, name))
        out += "\n" + KL_SENTENCE.format(kl=float(ds.attrs["kl_mean"])) + "\n\n"
        out += "".join(f"![{f}]({f})\n\n" for f in scenario_figures(name) if f in files)
        out += _md_table(scenario_paths(run, name))
        assets = scenario_assets(run, name)
        out += f"{scenario_assets_text(run, name)}\n\n{_md_table(assets)}" if assets is not None else ""
    out += f"### Density forecast of the chain\n\n{stage.density_note}.\n\n"
    out += f"![{FAN_FIGURE}]({FAN_FIGURE})\n\n" if FAN_FIGURE in files else ""
    density = stage.density_table()
    return out + (_md_table(density) if density is not None else "")


def markdown(run: RunResults, files: Sequence[str], changes: str | None = None) -> str:
    """Markdown report of a run whose folder holds ``files``: the answer first, a "What changed" section if given."""
    title = f"# causalmacro report: {run.spec.name}\n\n"
    warn = "> **Synthetic data** from the embedded demo: not real observations.\n\n" if run.synthetic else ""
    head = _answer(run, files)
    changed = f"{changes}\n" if changes else ""
    body = "\n".join(f"- {ln}" for ln in run.summary_lines())
    choices = "\n".join(f"| {k} | {v} |" for k, v in run.choices_text().items())
    figs = "\n".join(f"![{f}]({f})" for f in files if f.endswith(".png") and f != _TRACKER
                     and f != FAN_FIGURE and not f.startswith("scenario_"))
    return (f"{title}{warn}{head}{changed}## The run in brief\n\n{body}\n\n{_scenarios(run, files)}"
            "## Analysis choices\n\n"
            f"| choice | value |\n|---|---|\n{choices}\n\n```\n{run.svar.summary()}\n```\n\n{figs}\n")
