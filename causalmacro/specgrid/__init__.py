"""Specification grids: the chain's structural VAR over orderings, lag lengths, windows and identifications.

:func:`grid` fits every combination with bootstrap bands on Dask distributed
(a local cluster by default, any cluster by its scheduler address or a client),
writes each finished block as a shard so that an interrupted grid resumes, and
returns :class:`GridResults`: one labelled Dataset plus the summaries a user
reads (sign shares of the headline links, specification curves).
"""

from causalmacro.specgrid.api import grid
from causalmacro.specgrid.options import GRID_IDENTIFICATIONS, GridOptions
from causalmacro.specgrid.results import GRID_DIMS, GridResults, load_grid

__all__ = ["GRID_DIMS", "GRID_IDENTIFICATIONS", "GridOptions", "GridResults", "grid", "load_grid"]
