"""Serve series from the local FRED store (see :class:`causalmacro.data.store.Store`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from causalmacro.data.store import Store

__all__ = ["StoreSource"]


class StoreSource:
    """Serve series from the local store (see :class:`causalmacro.data.store.Store`)."""

    synthetic = False

    def __init__(self, store: Store) -> None:
        self.store = store
        self.name = f"store {store.path}"

    def load(self, series_id: str) -> pd.Series:
        """Read one stored series; KeyError if the store lacks it."""
        if self.store.missing([series_id]):
            raise KeyError(series_id)
        return self.store.read(series_id)
