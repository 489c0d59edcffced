"""The options of a specification grid, validated: every failure is one line naming the option."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from causalmacro.errors import ArgumentError

__all__ = ["DATA_IDENTIFICATIONS", "GRID_IDENTIFICATIONS", "ORDERED_IDENTIFICATIONS", "Block", "GridOptions",
           "make_options"]

#: Identification schemes whose only input is the ordering.
#: Schemes fixed by the ordering (applied to every ordering's permutation of one reduced form and its replications).
ORDERED_IDENTIFICATIONS: tuple[str, ...] = ("recursive", "long_run")
#: Schemes identified by the data (changes in volatility, non-Gaussian shocks, an instrument): the ordering plays no
#: part, so each (lags, window) block fits them once, with a bootstrap of their own, for every ordering alike.
DATA_IDENTIFICATIONS: tuple[str, ...] = ("volatility", "non_gaussian", "proxy")
GRID_IDENTIFICATIONS: tuple[str, ...] = ORDERED_IDENTIFICATIONS + DATA_IDENTIFICATIONS


@dataclass(frozen=True)
class Block:
    """One task of the grid: a lag length and a window; every ordering and identification inside it.

    The orderings of a block share the reduced form and its bootstrap
    replications (common random numbers): the reduced form does not depend on
    the ordering, so the grid's differences across orderings are identification,
    not simulation noise.
    """

    lags: int
    window: int
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def key(self) -> str:
        """File-name key of the block's shard."""
        return f"lags{self.lags}-window{self.window:03d}"


@dataclass(frozen=True)
class GridOptions:
    """Validated grid options (see :func:`causalmacro.grid`)."""

    variables: tuple[str, ...]
    orderings: tuple[tuple[str, ...], ...]
    lags: tuple[int, ...]
    windows: tuple[tuple[pd.Timestamp, pd.Timestamp], ...]
    identifications: tuple[str, ...]
    reps: int
    method: str
    level: float
    horizon: int
    trend: str
    seed: int
    block_length: int | None = None
    bias_correct: bool = False
    joint: bool = False

    @property
    def window_labels(self) -> list[str]:
        return [f"{a:%Y-%m}..{b:%Y-%m}" for a, b in self.windows]

    @property
    def ordering_labels(self) -> list[str]:
        return [">".join(o) for o in self.orderings]

    @property
    def n_specifications(self) -> int:
        return len(self.orderings) * len(self.lags) * len(self.windows) * len(self.identifications)

    def blocks(self) -> list[Block]:
        """Every task, lags-major."""
        return [Block(lags=p, window=w, start=a, end=b)
                for p in self.lags for w, (a, b) in enumerate(self.windows)]

    def block_seed(self, block: Block) -> int:
        """The block's seed: from the grid's seed and the block's coordinates (lags, window dates) only,
        so a result never depends on the number of workers or the order tasks finish in."""
        key = [int(self.seed), int(block.lags), int(block.start.value // 86_400_000_000_000),
               int(block.end.value // 86_400_000_000_000)]
        return int(np.random.SeedSequence(key).generate_state(1)[0])

    def fingerprint(self, data_sha: str) -> str:
        """What a shard was computed from: the options and the data (a resumed grid reuses only matching shards)."""
        payload = json.dumps({k: str(v) for k, v in self.__dict__.items()} | {"data": data_sha}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _orderings(value: Any, variables: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    if value is None:
        return (variables,)
    if isinstance(value, str):
        if value != "all":
            raise ArgumentError(f"orderings: expected 'all' or a list of orderings, got {value!r}")
        return tuple(itertools.permutations(variables))
    out = []
    for i, order in enumerate(value):
        order = tuple(str(v) for v in order)
        unknown = [v for v in order if v not in variables]
        if unknown:
            raise ArgumentError(f"orderings[{i}]: '{unknown[0]}' is not a variable of the chain {list(variables)}")
        if sorted(order) != sorted(variables):
            raise ArgumentError(f"orderings[{i}]: {list(order)} is not an ordering of every chain variable "
                                f"{list(variables)} (each exactly once)")
        out.append(order)
    if not out:
        raise ArgumentError("orderings: empty")
    if len(set(out)) != len(out):
        raise ArgumentError("orderings: an ordering appears twice")
    return tuple(out)


def _windows(value: Any, index: pd.DatetimeIndex, window_length: int | None, min_length: int
             ) -> tuple[tuple[pd.Timestamp, pd.Timestamp], ...]:
    n = len(index)
    if value is None:
        return ((index[0], index[-1]),)
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        count = int(value)
        length = int(window_length) if window_length is not None else max(min_length, (2 * n) // 3)
        if count < 1:
            raise ArgumentError(f"windows: expected at least 1 rolling window, got {count}")
        if not min_length <= length <= n:
            raise ArgumentError(f"window_length: {length} periods is outside {min_length}..{n} "
                                f"(the panel has {n} periods)")
        ends = np.unique(np.linspace(length - 1, n - 1, count).round().astype(int))
        if len(ends) < count:
            raise ArgumentError(f"windows: {count} rolling windows of {length} periods do not fit in {n} periods "
                                f"(at most {n - length + 1})")
        return tuple((index[e - length + 1], index[e]) for e in ends)
    out = []
    for i, pair in enumerate(value):
        try:
            a, b = (pd.Timestamp(x) for x in pair)
        except (TypeError, ValueError):
            raise ArgumentError(f"windows[{i}]: expected a (start, end) pair of dates, got {pair!r}") from None
        inside = index[(index >= a) & (index <= b)]
        if len(inside) < min_length:
            raise ArgumentError(f"windows[{i}]: {a:%Y-%m-%d}..{b:%Y-%m-%d} holds {len(inside)} periods of the "
                                f"panel, fewer than the {min_length} the largest lag needs")
        out.append((inside[0], inside[-1]))
    if not out:
        raise ArgumentError("windows: empty")
    return tuple(out)


def make_options(
    variables: Sequence[str],
    index: pd.DatetimeIndex,
    *,
    orderings: Any,
    lags: Any,
    windows: Any,
    window_length: int | None,
    identifications: Any,
    reps: int,
    method: str,
    level: float,
    horizon: int,
    trend: str,
    seed: int,
    block_length: int | None = None,
    bias_correct: bool = False,
    joint: bool = False,
) -> GridOptions:
    """Validate the grid's options against the chain and the panel's index."""
    names = tuple(variables)
    lag_list = (lags,) if isinstance(lags, int | np.integer) and not isinstance(lags, bool) else tuple(lags)
    if not lag_list or any(isinstance(p, bool) or not isinstance(p, int | np.integer) or p < 1 for p in lag_list):
        raise ArgumentError(f"lags: expected positive integers, got {lags!r}")
    if len(set(lag_list)) != len(lag_list):
        raise ArgumentError("lags: a lag length appears twice")
    ids = (identifications,) if isinstance(identifications, str) else tuple(identifications)
    for ident in ids:
        if ident not in GRID_IDENTIFICATIONS:
            raise ArgumentError(f"identifications: {ident!r} is not one of {list(GRID_IDENTIFICATIONS)} "
                                "(schemes fixed by the ordering or identified by the data)")
    if isinstance(reps, bool) or not isinstance(reps, int | np.integer) or reps < 2:
        raise ArgumentError(f"reps: expected at least 2 bootstrap replications, got {reps!r}")
    if method not in ("block", "residual", "wild"):
        raise ArgumentError(f"method: expected 'block', 'residual' or 'wild', got {method!r}")
    if not 0 < level < 1:
        raise ArgumentError(f"level: expected a coverage in (0, 1), got {level!r}")
    k = len(names)
    # observations a VAR(p) needs: more than its K p + 1 coefficients per equation, plus its p presample rows
    min_length = max(int(p) for p in lag_list) * (k + 1) + 10
    return GridOptions(
        variables=names, orderings=_orderings(orderings, names), lags=tuple(int(p) for p in lag_list),
        windows=_windows(windows, index, window_length, min_length), identifications=ids, reps=int(reps),
        method=method, level=float(level), horizon=int(horizon), trend=trend, seed=int(seed),
        block_length=block_length if method == "block" else None, bias_correct=bool(bias_correct),
        joint=bool(joint),
    )
