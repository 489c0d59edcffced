"""The run folder's ``report.md``: the run's summary lines, the SVAR summary and the figures."""

from __future__ import annotations

from collections.abc import Sequence

from causalmacro.pipeline import RunResults

__all__ = ["markdown"]


def markdown(run: RunResults, files: Sequence[str], changes: str | None = None) -> str:
    """Markdown report of a run whose folder holds ``files``, with a "What changed" section if given."""
    title = f"# causalmacro report: {run.spec.name}\n\n"
    warn = "> **Synthetic data** from the embedded demo: not real observations.\n\n" if run.synthetic else ""
    warn += f"{changes}\n" if changes else ""
    body = "\n".join(f"- {ln}" for ln in run.summary_lines())
    choices = "\n".join(f"| {k} | {v} |" for k, v in run.choices_text().items())
    figs = "\n".join(f"![{f}]({f})" for f in files if f.endswith(".png"))
    return (f"{title}{warn}{body}\n\n## Analysis choices\n\n| choice | value |\n|---|---|\n{choices}\n\n"
            f"```\n{run.svar.summary()}\n```\n\n{figs}\n")
