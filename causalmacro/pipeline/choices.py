"""The analysis choices of a run as a typed, frozen record (:class:`RunChoices`).

:func:`~causalmacro.pipeline.fit_spec` records every choice that shaped an
output here; ``results.json`` holds :meth:`RunChoices.to_dict` (its keys and
values are those of the untyped dict this record replaced), and the report
layer only formats it (:meth:`RunChoices.as_text`).
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

__all__ = ["EventChoice", "RunChoices", "ScenarioChoice", "asset_sampling"]


@dataclass(frozen=True)
class EventChoice:
    """One event dummy of the run as the spec resolved it.

    Attributes
    ----------
    date : str
        ISO date of the event.
    shape : str
        ``pulse``, ``step`` or ``ramp``.
    periods : int or None
        The ramp's length.
    var, assets : bool
        Whether the event enters the VAR / the asset model.
    title : str
        Its title in figures.
    """

    date: str
    shape: str
    periods: int | None
    var: bool
    assets: bool
    title: str

    def text(self, name: str) -> str:
        """``name date shape [periods]``, as the reports list it."""
        return f"{name} {self.date} {self.shape}" + (f" {self.periods}" if self.periods else "")


@dataclass(frozen=True)
class ScenarioChoice:
    """One ``[scenarios.<name>]`` table as the run's scenario stage used it.

    Attributes
    ----------
    steps : int
        Periods forecast.
    shocks : tuple of str
        The structural shocks allowed to move (empty: every shock, a Waggoner-Zha
        conditional forecast).
    draws : int
        Draws of the shocks behind the scenario's bands.
    units : mapping of str to str
        Conditioned variable -> the units its values were given in (``model``,
        ``level``, ``change``).
    seed : tuple of int
        The scenario's random stream, ``numpy.random.default_rng(seed)``: the run's
        seed and the scenario's position in the spec.
    """

    steps: int
    shocks: tuple[str, ...]
    draws: int
    units: Mapping[str, str]
    seed: tuple[int, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "shocks", tuple(self.shocks))
        object.__setattr__(self, "seed", tuple(int(s) for s in self.seed))
        object.__setattr__(self, "units", MappingProxyType(dict(self.units)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (sequences as lists)."""
        return {"steps": self.steps, "shocks": list(self.shocks), "draws": self.draws, "units": dict(self.units),
                "seed": list(self.seed)}

    def text(self, name: str) -> str:
        """``name: 12 steps, shocks net_liquidity, 1000 draws, net_liquidity in change, seed [0, 0]``."""
        shocks = ", ".join(self.shocks) or "all"
        units = ", ".join(f"{v} in {u}" for v, u in self.units.items())
        return (f"{name}: {self.steps} steps, shocks {shocks}, {self.draws} draws, {units}, "
                f"seed {list(self.seed)}")


@dataclass(frozen=True)
class RunChoices:
    """Every analysis choice of a run, as used (seeds, bands, horizons, graph rule, assets, events, LP).

    The field order is the key order of :meth:`to_dict` (``results.json``'s
    ``choices``). Sequences are tuples and ``events`` a read-only mapping, so
    the record is frozen all the way down.

    Attributes
    ----------
    seed, svar_seed, asset_seed : int
        The run's seed and the independent streams spawned from it for the SVAR
        and the asset model (``asset_seed`` None without an asset model).
    bands, bootstrap, reps, reps_requested, reps_override, reps_kept, reps_explosive, reps_unidentified, level
        The bands: ``bootstrap``/``set``/``none``, the bootstrap method,
        replications used / asked for / whether ``--reps`` overrode the spec,
        replications kept and dropped, and the band level.
    block_length, bias_correct, bands_missing, joint
        The moving-block bootstrap's block length (None for the other methods),
        whether Kilian's bias correction was applied, why a run that asked
        for bootstrap bands has none (every replication explosive), else None,
        and whether the bands of the responses are joint (sup-t) over horizons.
    irf_horizon, fevd_horizon, focus, hd_periods
        Horizons, the focus variable, the periods the historical decomposition plots.
    graph_alpha, graph_multiplicity, graph_rule
        The dependency graph's rule: its error rate, how the p-values of the
        chain links tested together are adjusted (``holm``, ``bh``, ``none``),
        and the rule in one sentence (the graph's ``rule`` attribute).
    channel_shocks, channels
        Shocks whose responses are split through the channel variables.
    asset_flip, asset_shocks, asset_sampler, assets_fitted
        The asset model: sign-flipped assets, its shocks, its sampler, whether it was fitted.
    events, event_bands, asset_events
        Event dummies (name -> :class:`EventChoice`), how their bands were drawn,
        events entering the asset model.
    asset_regime, asset_regime_now
        The asset model's regime definition and the regime the chain is in now.
    asset_sampling
        How long the asset model's sampler ran and why it stopped (:func:`asset_sampling`): ``sweeps`` per
        chain, ``warm_up`` (of those, discarded), ``rounds``, ``gate_met``, ``cap``, ``reason``; None when not fitted.
    lp_links, lp_lags, lp_lag_augment, lp_state
        Local projections: links, control lags, lag augmentation, the state regime.
    identification, compare
        The VAR's identification scheme and the schemes drawn beside it (``[var] compare``).
    scenarios, scenario_density, scenario_parameters
        The spec's scenarios as run (name -> :class:`ScenarioChoice`; empty: none),
        how the chain's density forecast beside them was drawn, and where the scenarios'
        parameter draws came from (the run's own bootstrap draws, or the point estimates
        with ``reps = 0``) (both None without scenarios).
    estimator, bvar, estimator_notes
        ``ols`` or ``bvar`` (``[var] estimator``); for the Bayesian VAR, its prior,
        how the hyperparameters were set and their values, the log marginal
        likelihood and the posterior draws (else None); and what the run could not
        do with that estimator (events left out of the VAR, the grid's OLS VARs).
    """

    seed: int
    svar_seed: int
    asset_seed: int | None
    bands: str
    bootstrap: str | None
    reps: int
    reps_requested: int
    reps_override: bool
    reps_kept: int
    reps_explosive: int
    reps_unidentified: int
    level: float
    block_length: int | None
    bias_correct: bool
    bands_missing: str | None
    joint: bool
    irf_horizon: int
    fevd_horizon: int
    focus: str
    hd_periods: int
    graph_alpha: float
    graph_multiplicity: str
    graph_rule: str
    channel_shocks: tuple[str, ...]
    channels: tuple[str, ...]
    asset_flip: tuple[str, ...]
    asset_shocks: tuple[str, ...]
    asset_sampler: str | None
    assets_fitted: bool
    events: Mapping[str, EventChoice]
    event_bands: str | None
    asset_events: tuple[str, ...]
    asset_regime: str | None
    asset_regime_now: str | None
    lp_links: tuple[str, ...]
    lp_lags: int | None
    lp_lag_augment: bool | None
    lp_state: str | None
    identification: str = "recursive"  # defaults: runs saved before these keys still load
    compare: tuple[str, ...] = ()
    scenarios: Mapping[str, ScenarioChoice] = dataclasses.field(default_factory=dict)
    scenario_density: str | None = None
    estimator: str = "ols"
    bvar: Mapping[str, Any] | None = None
    estimator_notes: tuple[str, ...] = ()
    scenario_parameters: str | None = None
    asset_sampling: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, list):
                object.__setattr__(self, f.name, tuple(value))
        if self.bvar is not None:
            bvar = {k: MappingProxyType(dict(v)) if isinstance(v, Mapping) else v for k, v in self.bvar.items()}
            object.__setattr__(self, "bvar", MappingProxyType(bvar))
        events = {k: v if isinstance(v, EventChoice) else EventChoice(**v) for k, v in self.events.items()}
        object.__setattr__(self, "events", MappingProxyType(events))
        scenarios = {k: v if isinstance(v, ScenarioChoice) else ScenarioChoice(**v) for k, v in self.scenarios.items()}
        object.__setattr__(self, "scenarios", MappingProxyType(scenarios))

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """The record's keys, in ``results.json`` order."""
        return tuple(f.name for f in dataclasses.fields(cls))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: sequences as lists, events as dicts (``results.json``'s ``choices``)."""
        out: dict[str, Any] = {}
        for name in self.keys():
            value = getattr(self, name)
            if name == "events":
                value = {k: dataclasses.asdict(e) for k, e in value.items()}
            elif name == "scenarios":
                value = {k: c.to_dict() for k, c in value.items()}
            elif name == "bvar" and value is not None:
                value = {k: dict(v) if isinstance(v, Mapping) else v for k, v in value.items()}
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RunChoices:
        """The record from :meth:`to_dict`'s output (extra keys refused by the constructor)."""
        return cls(**dict(d))

    def as_text(self) -> dict[str, str]:
        """Every choice as one readable line (events as ``name date shape``; sequences as JSON)."""
        out = {}
        for key, value in self.to_dict().items():
            if key == "events":
                out[key] = "; ".join(e.text(name) for name, e in self.events.items()) or "none"
            elif key == "scenarios":
                out[key] = "; ".join(c.text(name) for name, c in self.scenarios.items()) or "none"
            elif isinstance(value, dict | list):
                out[key] = json.dumps(value)
            else:
                out[key] = str(value)
        return out

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (RunChoices.from_dict, (self.to_dict(),))

    # ---------------------------------------------------------------- the old dict reading, deprecated
    def __getitem__(self, key: str) -> Any:
        warnings.warn(f"run.choices[{key!r}] is deprecated; use the attribute run.choices.{key}",
                      DeprecationWarning, stacklevel=2)
        if key not in self.keys():
            raise KeyError(key)
        return self.to_dict()[key]

    def get(self, key: str, default: Any = None) -> Any:
        """Deprecated dict-style reading; use the attribute."""
        warnings.warn(f"run.choices.get({key!r}) is deprecated; use the attribute run.choices.{key}",
                      DeprecationWarning, stacklevel=2)
        return self.to_dict().get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())


def asset_sampling(settings: Mapping[str, Any], passed: bool) -> dict[str, Any]:
    """How long the asset model's sampler ran and why it stopped, from its fit's ``settings`` and gate.

    Sampling to the gate (:mod:`causalmacro.bayes.rounds`) records its sweeps, rounds and reason; a fixed
    count (``[assets].draws`` set, or a NUTS sampler) is its warm-up plus its kept draws.
    """
    if "stop" in settings:
        return {"sweeps": int(settings["sweeps"]), "warm_up": int(settings["tune"]), "rounds": int(settings["rounds"]),
                "gate_met": bool(passed), "cap": int(settings["max_sweeps"]), "reason": str(settings["stop"])}
    sweeps = int(settings["draws"]) + int(settings["tune"])
    return {"sweeps": sweeps, "warm_up": int(settings["tune"]), "rounds": None, "gate_met": passed, "cap": None,
            "reason": f"fixed count: {settings['tune']} warm-up + {settings['draws']} kept per chain"}
