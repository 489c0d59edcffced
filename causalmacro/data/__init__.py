"""The data layer: sources of raw series, the FRED client, the local store and its refresh.

It only does I/O and caching. :mod:`~causalmacro.data.sources` serve raw series
(a folder of FRED CSV downloads, a user CSV or DataFrame, the embedded synthetic
demo, the local store); :mod:`~causalmacro.data.fred` is the FRED client;
:mod:`~causalmacro.data.store` the SQLite store; :mod:`~causalmacro.data.refresh`
decides (a pure planner) and performs the incremental refresh;
:func:`open_source` picks the source a spec reads from.
"""

from causalmacro.data.open import fetch, open_source
from causalmacro.data.store import Store

__all__ = ["Store", "fetch", "open_source"]
