"""The run folder's ``report.md``: the answer first, the summary lines, the choices, the SVAR summary and the figures."""

from __future__ import annotations

from collections.abc import Sequence

from causalmacro.pipeline import RunResults
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


def markdown(run: RunResults, files: Sequence[str], changes: str | None = None) -> str:
    """Markdown report of a run whose folder holds ``files``: the answer first, a "What changed" section if given."""
    title = f"# causalmacro report: {run.spec.name}\n\n"
    warn = "> **Synthetic data** from the embedded demo: not real observations.\n\n" if run.synthetic else ""
    head = _answer(run, files)
    changed = f"{changes}\n" if changes else ""
    body = "\n".join(f"- {ln}" for ln in run.summary_lines())
    choices = "\n".join(f"| {k} | {v} |" for k, v in run.choices_text().items())
    figs = "\n".join(f"![{f}]({f})" for f in files if f.endswith(".png") and f != _TRACKER)
    return (f"{title}{warn}{head}{changed}## The run in brief\n\n{body}\n\n## Analysis choices\n\n"
            f"| choice | value |\n|---|---|\n{choices}\n\n```\n{run.svar.summary()}\n```\n\n{figs}\n")
