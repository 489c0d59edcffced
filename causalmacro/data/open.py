"""Open the source a spec reads from, and refresh the FRED store.

Precedence: a DataFrame passed in Python, then ``data_dir`` (``--data-dir`` on
the CLI, a folder of FRED CSV downloads), then the spec's ``[data] source``.
The FRED source reads the local store after an incremental refresh, or the
store alone with ``offline=True``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pandas as pd

from causalmacro.data.sources.base import Source
from causalmacro.data.sources.csvdir import CsvDirSource
from causalmacro.data.sources.demo import DemoSource
from causalmacro.data.sources.frame import FrameSource, read_user_csv
from causalmacro.data.sources.store import StoreSource
from causalmacro.errors import DataError, FetchError

if TYPE_CHECKING:
    from causalmacro.data.refresh import RefreshReport
    from causalmacro.data.store import Store
    from causalmacro.spec import ModelSpec

__all__ = ["fetch", "open_source"]

PathLike = str | os.PathLike[str]


def fetch(
    spec: ModelSpec,
    *,
    store: Store | PathLike | None = None,
    full: bool = False,
    progress: bool = True,
) -> RefreshReport:
    """Refresh the store with the FRED series a spec reads.

    Only observations after the last stored one (less the spec's revision
    window) are asked for, and a series whose FRED ``last_updated`` has not
    changed is skipped. See :func:`causalmacro.data.refresh.refresh`.

    Parameters
    ----------
    spec : ModelSpec
        Every raw series it reads (:attr:`ModelSpec.raw_ids`) is refreshed; its
        ``[data].revision_window_days`` sets how far back each refresh reaches.
    store : Store or path-like, optional
        The local store (default: the user cache dir, :func:`causalmacro.data.store.default_store_dir`).
    full : bool, default False
        Fetch every series in full, e.g. after a benchmark revision.
    progress : bool, default True
        Show a progress bar.

    Returns
    -------
    RefreshReport
        Per-series outcome; a series that failed left the store as it was.

    Raises
    ------
    FetchError
        No FRED API key is found (``FRED_API_KEY``).
    """
    from causalmacro.data.refresh import client_from_env, refresh
    from causalmacro.data.store import Store

    st = store if isinstance(store, Store) else Store(store)
    client = client_from_env()
    return refresh(
        spec.raw_ids,
        st,
        client,
        revision_window=spec.data.revision_window_days,
        full=full,
        progress=progress,
    )


def open_source(
    spec: ModelSpec,
    *,
    data: pd.DataFrame | None = None,
    data_dir: PathLike | None = None,
    store: Store | PathLike | None = None,
    offline: bool = False,
    progress: bool = False,
) -> Source:
    """The source a spec reads from.

    Parameters
    ----------
    spec : ModelSpec
        Its ``[data]`` section says which source (``fred``, ``csv_dir``, ``csv``
        or ``demo``); the arguments below override it.
    data : pandas.DataFrame, optional
        User data, one column per series ID; overrides everything else.
    data_dir : path-like, optional
        A folder of FRED CSV downloads; overrides the spec's source.
    store : Store or path-like, optional
        The local store for the FRED source (default: the user cache dir).
    offline : bool, default False
        FRED source only: read the store without asking FRED; every series the
        store lacks is named in the error.
    progress : bool, default False
        Show a progress bar while refreshing (the CLI turns it on).

    Returns
    -------
    Source
        Hands out the raw series by ID (pass it to :func:`causalmacro.build_panel`);
        for ``fred``, the refreshed local store.

    Raises
    ------
    DataError
        Offline and series missing from the store.
    FetchError
        A series could not be fetched (the store keeps what it had).
    """
    if data is not None:
        return FrameSource(data)
    if data_dir is not None:
        return CsvDirSource(data_dir)
    kind = spec.data.source
    if kind == "demo":
        return DemoSource()
    if kind == "csv":
        assert spec.data.path is not None
        return read_user_csv(spec.resolve_path(spec.data.path))
    if kind == "csv_dir":
        assert spec.data.path is not None
        return CsvDirSource(spec.resolve_path(spec.data.path))
    from causalmacro.data.store import Store

    st = store if isinstance(store, Store) else Store(store)
    if offline:
        missing = st.missing(spec.raw_ids)
        if missing:
            raise DataError(
                f"offline: the store {st.path} lacks series {', '.join(missing)}; "
                "run 'causalmacro fetch' when online, or use --data-dir"
            )
        return StoreSource(st)
    report = fetch(spec, store=st, progress=progress)
    failed = report.failed
    if failed:
        raise FetchError(f"could not refresh {len(failed)} series: {report.failure_text}")
    return StoreSource(st)
