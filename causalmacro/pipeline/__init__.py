"""The pipeline layer: a spec and a panel in, every estimate of the main job out, no I/O.

:func:`fit_spec` fits what ``causalmacro run`` fits and returns
:class:`RunResults`; the report layer only writes them.
The names below load on first use, so that a figure worker that unpickles one of
the pipeline's small results (a :class:`~causalmacro.pipeline.tracker.LiquidityTracker`,
a :class:`CyclePosition`) imports that module alone, not the estimators.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from causalmacro.pipeline.choices import RunChoices
    from causalmacro.pipeline.fit import asset_returns, fit_spec
    from causalmacro.pipeline.position import CyclePosition, cycle_position
    from causalmacro.pipeline.results import RunResults

__all__ = ["CyclePosition", "RunChoices", "RunResults", "asset_returns", "cycle_position", "fit_spec"]

_HOME = {"RunChoices": "choices", "asset_returns": "fit", "fit_spec": "fit", "CyclePosition": "position",
         "cycle_position": "position", "RunResults": "results"}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(f"causalmacro.pipeline.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
