"""The pipeline layer: a spec and a panel in, every estimate of the main job out, no I/O.

:func:`fit_spec` fits what ``causalmacro run`` fits and returns
:class:`RunResults`; the report layer only writes them.
"""

from causalmacro.pipeline.choices import RunChoices
from causalmacro.pipeline.fit import asset_returns, fit_spec
from causalmacro.pipeline.position import CyclePosition, cycle_position
from causalmacro.pipeline.results import RunResults

__all__ = ["CyclePosition", "RunChoices", "RunResults", "asset_returns", "cycle_position", "fit_spec"]
