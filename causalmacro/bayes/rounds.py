"""Sampling to the convergence gate: rounds of Gibbs sweeps until R-hat and bulk ESS pass, or a cap.

The blocked Gibbs sampler (:mod:`causalmacro.bayes.gibbs`) needs no adaptation, so the
only question is how long to run it. Rather than a fixed count, :func:`gibbs_to_gate`
runs every chain ``burn`` sweeps of warm-up, discarded, then ``first`` kept sweeps,
and applies the convergence gate's criteria (rank-normalised split R-hat and bulk ESS
of every posterior variable, :func:`causalmacro.bayes.diagnostics.first_failing` on the
raw draw arrays, the variable that failed the round before checked first) to **every
kept sweep so far**; while they fail and the cap allows,
every chain runs ``extra`` more kept sweeps, continuing from where it stopped (no
restart: each chain's history is kept, and its draws are those a single run of the
same length would give with the same seed). The warm-up is fixed, not a share of the
run: the exact-conditional sampler forgets its over-dispersed start within tens of
sweeps on these models (measured on the demo and weekly designs, ``benchmarks/README.md``,
"Warm-up of the Gibbs sampler"), so discarding half of every run (Gelman et al., 2013,
*Bayesian Data Analysis*, 3rd ed., sec. 11.4-11.5) would double the sweeps for nothing.
That the stopping rule does not bias the reported intervals is checked by
simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman, 2018):
``tests/bayes/test_sbc_slow.py`` and ``benchmarks/bench_sbc.py``. The full diagnostics
(:func:`causalmacro.bayes.diagnostics.diagnose`, tail ESS and labels included) are
computed once, on the draws returned.

When the cap is reached with the gate still failing, the last round's draws are
returned as they are and the fit fails the gate as a fixed-count fit does
(:class:`causalmacro.bayes.results.FitFailedWarning`, ``diagnostics.passed`` False),
its one line saying that the cap was reached.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ArgumentError
from ..spec.defaults import ASSETS
from .design import StackedData
from .gibbs import CHAINS_PER_BLOCK, GibbsDraws, _dense, _empty_draws, _record, _State, _sweep

__all__ = ["GateRecord", "Rounds", "gibbs_to_gate"]


@dataclass(frozen=True)
class Rounds:
    """The stopping rule's schedule: sweeps per chain in the first round, in each extension, and the cap.

    Parameters
    ----------
    first : int
        Kept sweeps of every chain before the gate is first applied (``[assets] first_sweeps``).
    extra : int
        Kept sweeps added to every chain by each further round (``[assets] extra_sweeps``).
    cap : int
        Most sweeps a chain runs, warm-up included (``[assets] max_sweeps``); the last round stops there.
    burn : int
        Warm-up sweeps of every chain, discarded (``[assets] burn_sweeps``).

    Raises
    ------
    ArgumentError
        A count below its minimum (``first`` 4, ``extra`` 1, ``burn`` 0) or a cap below ``burn + first``.
    """

    first: int = ASSETS.first_sweeps
    extra: int = ASSETS.extra_sweeps
    cap: int = ASSETS.max_sweeps
    burn: int = ASSETS.burn_sweeps

    def __post_init__(self) -> None:
        for name, value, low in (("first_sweeps", self.first, 4), ("extra_sweeps", self.extra, 1),
                                 ("max_sweeps", self.cap, 4), ("burn_sweeps", self.burn, 0)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
                raise ArgumentError(f"{name}: expected an integer >= {low}, got {value!r}")
        if self.cap < self.burn + self.first:
            raise ArgumentError(f"max_sweeps: expected at least burn_sweeps + first_sweeps "
                                f"({self.burn + self.first}), got {self.cap}")

    def schedule(self) -> tuple[int, ...]:
        """Sweeps per chain (warm-up included) after each round: ``burn + first``, then ``extra`` more, ... up to
        ``cap``."""
        out = [self.burn + self.first]
        while out[-1] < self.cap:
            out.append(min(out[-1] + self.extra, self.cap))
        return tuple(out)


@dataclass(frozen=True)
class GateRecord:
    """How many sweeps a gated fit ran, and why it stopped.

    Attributes
    ----------
    sweeps : int
        Sweeps per chain run in all, warm-up included.
    rounds : int
        Rounds run (1: the gate was met after the first round).
    gate_met : bool
        Whether the gate was met (else the cap was reached).
    cap : int
        The cap on sweeps per chain.
    burn : int
        Warm-up sweeps per chain, discarded (the rest are kept).
    """

    sweeps: int
    rounds: int
    gate_met: bool
    cap: int
    burn: int = 0

    @property
    def reason(self) -> str:
        """Why the sampler stopped, in words."""
        if self.gate_met:
            return (f"gate met at round {self.rounds} ({self.sweeps} sweeps a chain, the first {self.burn} "
                    f"warm-up)")
        return f"cap of {self.cap} sweeps a chain reached after {self.rounds} rounds, gate not met"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"sweeps": self.sweeps, "rounds": self.rounds, "gate_met": self.gate_met, "cap": self.cap,
                "burn": self.burn, "reason": self.reason}


def _advance(args: tuple[StackedData, bool, _State, np.random.Generator, int]
             ) -> tuple[dict[str, np.ndarray], _State, np.random.Generator]:
    """Run ``n`` more sweeps of one block of chains, returning every sweep and where the chains stopped."""
    design, pooled, st, rng, n = args
    dn = _dense(design, pooled)
    keep = _empty_draws(dn, st.a.shape[0], n)
    for j in range(n):
        _sweep(st, dn, rng)
        _record(keep, j, st)
    return keep, st, rng


def _advance_in_worker(args: tuple[StackedData, bool, _State, np.random.Generator, int]
                       ) -> tuple[dict[str, np.ndarray], _State, np.random.Generator]:
    """:func:`_advance` in a worker process, with one BLAS thread (workers share the cores).

    The objects the worker inherited from the process that forked it are frozen (:func:`gc.freeze`, in the
    worker only): the sweeps create few cycles, and each full collection would otherwise walk the parent's
    whole heap (0.2 CPU-seconds a worker on the demo).
    """
    import gc

    from threadpoolctl import threadpool_limits

    gc.freeze()
    with threadpool_limits(limits=1):
        return _advance(args)


def gibbs_to_gate(
    design: StackedData,
    *,
    chains: int,
    rng: np.random.Generator,
    gate: Callable[[GibbsDraws], bool],
    rounds: Rounds | None = None,
    pooled: bool = True,
    cores: int = 1,
) -> tuple[GibbsDraws, GateRecord]:
    """Run the Gibbs sampler in rounds until ``gate`` passes on every chain's kept sweeps, or the cap.

    Chains are split into blocks and seeded exactly as :func:`causalmacro.bayes.gibbs.gibbs_sample`
    does, so after ``n`` sweeps the chains hold the draws of ``gibbs_sample(draws=n, tune=0)``
    with the same ``rng``.

    Parameters
    ----------
    design : StackedData
    chains : int
    rng : numpy.random.Generator
    gate : callable
        Takes the kept draws (every chain's sweeps so far after the ``burn`` warm-up) and says
        whether the convergence gate is met.
    rounds : Rounds, optional
        The schedule; default ``Rounds()`` (:data:`causalmacro.spec.defaults.ASSETS`).
    pooled : bool
        Partial pooling (the default model); ``False`` samples ``pooling="none"``.
    cores : int
        Worker processes (1: every block in this process).

    Returns
    -------
    draws : GibbsDraws
        The kept draws of the last round (``seconds``: the whole run, checks included).
    record : GateRecord
    """
    rounds = rounds or Rounds()
    t0 = time.perf_counter()
    sizes = [min(CHAINS_PER_BLOCK, chains - i) for i in range(0, chains, CHAINS_PER_BLOCK)]
    seeds = np.random.SeedSequence(int(rng.integers(2**63))).spawn(len(sizes))
    dn = _dense(design, pooled)
    blocks: list[tuple[_State, np.random.Generator]] = []
    for n, seed in zip(sizes, seeds, strict=True):
        gen = np.random.default_rng(seed)
        blocks.append((_State(n, dn, gen), gen))
    history: list[list[dict[str, np.ndarray]]] = [[] for _ in sizes]
    pool: Any = None
    if cores > 1 and len(sizes) > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        pool = ProcessPoolExecutor(max_workers=min(cores, len(sizes)), mp_context=mp.get_context(method))
    try:
        done = 0
        for k, target in enumerate(rounds.schedule(), start=1):  # noqa: B007 (k: the rounds run)
            jobs = [(design, pooled, st, gen, target - done) for st, gen in blocks]
            parts = list(pool.map(_advance_in_worker, jobs)) if pool is not None else [_advance(j) for j in jobs]
            blocks = [(st, gen) for _, st, gen in parts]
            for past, (keep, _, _) in zip(history, parts, strict=True):
                past.append(keep)
            done = target
            kept = _kept(history, rounds.burn)
            met = gate(kept)
            if met or done >= rounds.cap:
                break
    finally:
        if pool is not None:
            pool.shutdown()
    out = dataclasses.replace(kept, seconds=time.perf_counter() - t0)
    return out, GateRecord(sweeps=done, rounds=k, gate_met=bool(met), cap=rounds.cap, burn=rounds.burn)


_FIELDS = ("mu", "sigma", "tau", "mu_group", "beta_std", "a_std", "sigma_e_std", "nu", "gamma_std")


def _kept(history: list[list[dict[str, np.ndarray]]], burn: int) -> GibbsDraws:
    """Every chain's sweeps after the first ``burn`` (the warm-up)."""
    arrays: dict[str, Any] = {}
    for name in _FIELDS:
        per_block = [np.concatenate([keep[name] for keep in past], axis=1)[:, burn:] for past in history]
        arrays[name] = np.concatenate(per_block, axis=0)
    return GibbsDraws(**arrays)
