"""Sources of raw series: each serves one series by ID (see :class:`~causalmacro.data.sources.base.Source`)."""

from causalmacro.data.sources.base import Source, load_all
from causalmacro.data.sources.csvdir import CsvDirSource
from causalmacro.data.sources.demo import DemoSource
from causalmacro.data.sources.frame import FrameSource, read_user_csv
from causalmacro.data.sources.store import StoreSource

__all__ = ["CsvDirSource", "DemoSource", "FrameSource", "Source", "StoreSource", "load_all", "read_user_csv"]
