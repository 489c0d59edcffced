"""The report layer: write a run folder from :class:`~causalmacro.pipeline.RunResults`.

``causalmacro run`` is :func:`causalmacro.fit_spec` followed by :func:`write_run`.
The names below load on first use, so that :mod:`causalmacro.report.figures`
imports without the writer (the command starts its figure processes from its
first moment, before it has loaded pandas or the models).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from causalmacro.report.manifest import reusable, run_key
    from causalmacro.report.write import RunOutput, run_report, write_run

__all__ = ["RunOutput", "reusable", "run_key", "run_report", "write_run"]

_HOME = {"reusable": "manifest", "run_key": "manifest", "RunOutput": "write", "run_report": "write",
         "write_run": "write"}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(f"causalmacro.report.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
