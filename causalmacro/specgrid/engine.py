"""Fitting a specification grid: blocks of SVARs as Dask tasks, written shard by shard.

A block is one lag length and one window: its reduced form and bootstrap
replications are computed once, then every ordering and identification of the
grid is applied to them (the reduced form does not depend on the ordering).
Each block equals a plain loop of :class:`causalmacro.SVAR` fits with the
block's seed (tested to 1e-10). Blocks are batched into tasks, the data are
scattered to the workers once, and the client writes each finished block as a
NetCDF shard through a temporary file, so an interrupted grid resumes without
refitting a finished block, and a worker killed mid-grid costs only its task
(Dask reruns it elsewhere).
"""

from __future__ import annotations

import contextlib
import math
import os
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.bands import sup_t
from causalmacro.build import build_svar, var_events
from causalmacro.errors import CausalMacroError, DataError
from causalmacro.fileutil import write_netcdf
from causalmacro.spec import ModelSpec
from causalmacro.specgrid.options import DATA_IDENTIFICATIONS, Block, GridOptions

__all__ = ["Job", "fit_block", "fit_many", "run_jobs", "shard_path"]

SHARDS = "shards"


def fit_block(frame: pd.DataFrame, opts: GridOptions, block: Block, spec: ModelSpec) -> xr.Dataset:
    """Every specification of one block: responses with bands for each ordering and identification.

    The block's VAR is the spec's (:func:`causalmacro.build.build_svar`): its
    trend and its events as exogenous dummies (those the window holds), at the
    block's lag length and window; each ordering and identification is then
    applied to its reduced form and bootstrap replications.

    Parameters
    ----------
    frame : DataFrame
        The panel's chain variables.
    opts : GridOptions
    block : Block
    spec : ModelSpec
        The spec the grid varies.

    Returns
    -------
    xarray.Dataset
        ``irf`` with dims ``(ordering, identification, horizon, response, shock,
        bound)``, ``event_effects`` (point responses to the spec's VAR events,
        dims ``(event, horizon, response)``, NaN for an event outside the
        window) and the block's ``nobs``, ``reps_kept`` and ``n_explosive``.
    """
    from threadpoolctl import threadpool_limits

    from causalmacro.svar.dynamics import structural_irf
    from causalmacro.svar.identification import LongRun, Recursive
    from causalmacro.svar.model import ExplosiveVARWarning
    from causalmacro.svar.results import ExplosiveReplicationsWarning

    names = list(opts.variables)
    data = frame.loc[block.start:block.end, names]
    with threadpool_limits(limits=1), warnings.catch_warnings():
        # explosive replications are dropped and counted per block (n_explosive), not warned about 14,400 times
        warnings.simplefilter("ignore", ExplosiveReplicationsWarning)
        warnings.simplefilter("ignore", ExplosiveVARWarning)  # recorded per block as ``stable``
        model = build_svar(spec, data, order=names, lags=block.lags, identification="recursive",
                           strict_events=False)
        res = model.fit(rng=opts.block_seed(block))
        draws = res.bootstrap(opts.reps, method=opts.method, block_length=opts.block_length,  # type: ignore[arg-type]
                              bias_correct=opts.bias_correct)
        coefs_b, sigma_b = np.asarray(draws.coefs), np.asarray(draws.sigma_u)
        coefs_p, sigma_p = np.asarray(res.reduced_form.coefs)[None], np.asarray(res.reduced_form.sigma_u)[None]
        schemes = {"recursive": Recursive(), "long_run": LongRun()}
        k, h = len(names), opts.horizon
        out = np.full((len(opts.orderings), len(opts.identifications), h + 1, k, k, 3), np.nan)
        for o, order in enumerate(opts.orderings):
            perm = np.array([names.index(v) for v in order])
            inv = np.argsort(perm)
            for i, ident in enumerate(opts.identifications):
                if ident in DATA_IDENTIFICATIONS:
                    continue
                parts = []
                for coefs, sigma in ((coefs_p, sigma_p), (coefs_b, sigma_b)):
                    cp = coefs[..., perm, :][..., :, perm]
                    sp = sigma[..., perm, :][..., :, perm]
                    impact, ok = schemes[ident].identify_batch(cp, sp, res.identified, np.random.default_rng(0))
                    theta = structural_irf(cp[ok], impact[ok], h)
                    parts.append(theta[..., inv, :][..., :, inv])  # back to the chain's labels
                point, stack = parts
                if point.shape[0]:
                    out[o, i, ..., 0] = point[0]
                if stack.shape[0] >= 2:  # an explosive VAR may leave no stationary replication: no band
                    out[o, i, ..., 1], out[o, i, ..., 2] = _band(point[0], stack, opts)
        for i, ident in enumerate(opts.identifications):
            if ident in DATA_IDENTIFICATIONS:
                out[:, i] = _data_identified(spec, data, names, ident, block, opts)[None]
    coords = {"ordering": opts.ordering_labels, "identification": list(opts.identifications),
              "horizon": np.arange(h + 1), "response": names, "shock": names, "bound": ["point", "lower", "upper"]}
    return xr.Dataset(
        {"irf": (tuple(coords), out), "event_effects": _event_effects(spec, res, h),
         "nobs": ((), res.nobs), "reps_kept": ((), draws.n_kept), "n_explosive": ((), draws.n_explosive),
         "stable": ((), bool(res.is_stable)), "max_root": ((), float(np.max(res.roots)))},
        coords={**coords, "event": var_events(spec)},
        attrs={"lags": block.lags, "window": block.window, "start": f"{block.start:%Y-%m-%d}",
               "end": f"{block.end:%Y-%m-%d}", "seed": opts.block_seed(block)},
    )


def _data_identified(spec: ModelSpec, data: pd.DataFrame, names: list[str], ident: str, block: Block,
                     opts: GridOptions) -> np.ndarray:
    """Responses and band of a scheme identified by the data, ``(horizon, response, shock, bound)``.

    Fitted once per block with a bootstrap of its own (the scheme re-identifies
    every replication from its residuals); NaN where the block's window or lags
    leave the scheme unidentified (a break outside the window, a regime or an
    instrument with too few periods): a grid cell the data cannot fill, not an error.
    """
    from causalmacro.svar.dynamics import structural_irf

    h, k = opts.horizon, len(names)
    out = np.full((h + 1, k, k, 3), np.nan)
    try:
        res = build_svar(spec, data, order=names, lags=block.lags, identification=ident,
                         strict_events=False).fit(rng=opts.block_seed(block))
        draws = res.bootstrap(opts.reps, method=opts.method, block_length=opts.block_length,  # type: ignore[arg-type]
                              bias_correct=opts.bias_correct)
    except CausalMacroError:
        return out
    out[..., 0] = structural_irf(np.asarray(res.reduced_form.coefs)[None], np.asarray(res.identified.impact)[None],
                                 h)[0]
    if draws.n_kept >= 2:
        stack = structural_irf(np.asarray(draws.coefs), np.asarray(draws.impact), h)
        out[..., 1], out[..., 2] = _band(out[..., 0], stack, opts)
    return out


def _band(point: np.ndarray, stack: np.ndarray, opts: GridOptions) -> tuple[np.ndarray, np.ndarray]:
    """The band of one specification's responses: sup-t over the horizons (``opts.joint``, as the main job), or
    pointwise percentiles."""
    if opts.joint:
        return sup_t(point, stack, opts.level, axis=0)
    alpha = (1 - opts.level) / 2
    # replications last and contiguous: the partition behind the quantiles runs faster
    lo, hi = np.quantile(np.moveaxis(stack, 0, -1).copy(), [alpha, 1 - alpha], axis=-1)
    return lo, hi


def _event_effects(spec: ModelSpec, res: Any, horizon: int) -> tuple[tuple[str, ...], np.ndarray]:
    """Point responses to each VAR event of the spec (its path, as in the main job); NaN where the window lacks it."""
    from causalmacro.panel.events import event_path

    events = var_events(spec)
    names = list(res.names)
    out = np.full((len(events), horizon + 1, len(names)), np.nan)
    held = [e for e in events if e in res.exog_names]
    if held:
        eff = res.exog_response(horizon, paths={n: event_path(spec.events[n], horizon + 1) for n in held})
        for n in held:
            out[events.index(n)] = eff.sel(shock=n, bound="point").transpose("horizon", "response").to_numpy()
    return ("event", "horizon", "response"), out


_MALLOC_TUNED = False


def _untrim_malloc() -> None:
    """Undo, inside a Dask worker process, the allocator setting that doubles a block's time.

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which also
    fixes glibc's mmap threshold at 128 kB: every array of a block is then
    mmapped and page-faulted afresh (measured: 2.3 s a block instead of 1.0 s).
    Restoring glibc's dynamic thresholds (``mallopt``) gives the in-process speed
    back; off Linux/glibc this does nothing. Only ever called in a worker process.
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_mmap_threshold, 64 * 1024 * 1024)
        libc.mallopt(m_trim_threshold, 128 * 1024 * 1024)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass


def fit_many(fn: Callable[..., xr.Dataset], shared: Any, calls: Sequence[tuple[Any, ...]]) -> list[xr.Dataset]:
    """A task: several jobs in a row (one SVAR block takes a second at most: many per task)."""
    try:
        from distributed import get_worker

        get_worker()
    except (ImportError, ValueError):
        pass  # not in a Dask worker: leave the process's allocator alone
    else:
        _untrim_malloc()
    return [fn(shared, *args) for args in calls]


@dataclass(frozen=True)
class Job:
    """One unit of the grid with its own shard: ``fn(shared, *args)`` returns a Dataset."""

    key: str
    fn: Callable[..., xr.Dataset]
    args: tuple[Any, ...]
    specs: int = 1  # specifications it counts for on the progress bar
    batch: bool = True  # may share a task with other jobs
    tag: str = ""  # what else the result depends on, added to the grid's fingerprint


def shard_path(folder: Path, key: str) -> Path:
    """Where a job's shard is written."""
    return folder / SHARDS / f"{key}.nc"


def _write_shard(folder: Path, key: str, ds: xr.Dataset, fingerprint: str) -> None:
    ds = ds.assign_attrs(fingerprint=fingerprint)
    path = shard_path(folder, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_netcdf(path, [(None, ds)])


def _read_shard(folder: Path, key: str, fingerprint: str) -> xr.Dataset | None:
    """A finished job, if its shard is there and was computed from the same options and data."""
    path = shard_path(folder, key)
    if not path.is_file():
        return None
    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            if ds.attrs.get("fingerprint") != fingerprint:
                return None
            return ds.load()
    except (OSError, ValueError):
        return None  # a damaged shard is refitted


def _batches(jobs: Sequence[Job], workers: int) -> list[list[Job]]:
    """Tasks of whole jobs of one function: ~200 specifications each, but at least 8 tasks per worker.

    Small tasks keep the workers evenly loaded to the end (a 120-ordering block
    takes about a second); Dask's per-task cost is about a millisecond.
    """
    out: list[list[Job]] = []
    for fn in dict.fromkeys(j.fn for j in jobs):
        same = [j for j in jobs if j.fn is fn]
        if not same[0].batch:
            out += [[j] for j in same]
            continue
        per_task = max(1, min(math.ceil(len(same) / (8 * workers)), math.ceil(200 / max(1, same[0].specs))))
        out += [list(same[i:i + per_task]) for i in range(0, len(same), per_task)]
    return out


@contextlib.contextmanager
def _client(client: Any, scheduler: str | None, workers: int, say: Callable[[str], None]) -> Iterator[Any]:
    """The Dask client to use: the one given, one connected to ``scheduler``, or a local cluster."""
    if client is not None:
        yield client
        return
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler) as c:
            say(f"grid: connected to the Dask scheduler at {scheduler}")
            yield c
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=40) as cluster, Client(cluster) as c:
        say(f"grid: local Dask cluster of {workers} workers, dashboard {c.dashboard_link}")
        yield c


def _fp(fingerprint: str, job: Job) -> str:
    import hashlib

    return fingerprint if not job.tag else fingerprint + "-" + hashlib.sha256(job.tag.encode()).hexdigest()[:12]


def run_jobs(
    jobs: Sequence[Job],
    shared: Any,
    *,
    folder: Path | None,
    fingerprint: str,
    workers: int,
    client: Any = None,
    scheduler: str | None = None,
    progress: bool = False,
    on_done: Callable[[Job], None] | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> tuple[dict[str, xr.Dataset], dict[str, Any]]:
    """Run every job not already in ``folder``'s shards; return all results by key and run facts.

    With ``workers == 1`` and no client or scheduler, jobs run in this process,
    in order (Dask's synchronous case, without its overhead). Otherwise ``shared``
    (the data) is scattered to every worker once, jobs are batched into tasks,
    and the client writes each finished job's shard as its task returns.
    """
    done: dict[str, xr.Dataset] = {}
    if folder is not None:
        for job in jobs:
            ds = _read_shard(folder, job.key, _fp(fingerprint, job))
            if ds is not None:
                done[job.key] = ds
    todo = [j for j in jobs if j.key not in done]
    facts: dict[str, Any] = {"jobs": len(jobs), "reused": len(done), "fitted": len(todo), "workers": workers}
    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=sum(j.specs for j in todo), unit="spec", desc="grid", leave=False)

    def finish(job: Job, ds: xr.Dataset) -> None:
        if folder is not None:
            _write_shard(folder, job.key, ds, _fp(fingerprint, job))
        done[job.key] = ds
        if bar is not None:
            bar.update(job.specs)
        if on_done is not None:
            on_done(job)

    t0 = time.perf_counter()
    try:
        if todo and workers == 1 and client is None and scheduler is None:
            for job in todo:
                finish(job, job.fn(shared, *job.args))
        elif todo:
            from distributed import as_completed

            with _client(client, scheduler, workers, say) as c:
                n_workers = max(1, len(c.scheduler_info().get("workers", {})) or workers)
                data = c.scatter(shared, broadcast=True)
                futures = {c.submit(fit_many, batch[0].fn, data, [j.args for j in batch], retries=2, pure=False):
                           batch for batch in _batches(todo, n_workers)}
                for fut in as_completed(futures):
                    for job, ds in zip(futures[fut], fut.result(), strict=True):
                        finish(job, ds)
    finally:
        if bar is not None:
            bar.close()
    facts["seconds"] = time.perf_counter() - t0
    missing = [j.key for j in jobs if j.key not in done]
    if missing:
        raise DataError(f"grid: jobs {missing[:3]} did not finish")
    return done, facts


def data_fingerprint(frame: pd.DataFrame) -> str:
    """sha256 of the chain's data (dates and values), for the shards' fingerprint."""
    import hashlib

    h = hashlib.sha256()
    h.update(np.asarray(frame.index.asi8).tobytes())
    h.update(np.ascontiguousarray(frame.to_numpy(dtype=np.float64)).tobytes())
    h.update(",".join(map(str, frame.columns)).encode())
    return h.hexdigest()


def cpu_workers() -> int:
    """Workers of a local cluster: the machine's usable cores."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)
