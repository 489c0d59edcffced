"""The report layer: write a run folder from :class:`~causalmacro.pipeline.RunResults`.

``causalmacro run`` is :func:`causalmacro.fit_spec` followed by :func:`write_run`.
"""

from causalmacro.report.manifest import reusable, run_key
from causalmacro.report.write import RunOutput, run_report, write_run

__all__ = ["RunOutput", "reusable", "run_key", "run_report", "write_run"]
