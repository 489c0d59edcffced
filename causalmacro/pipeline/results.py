"""Frozen results of the main job: every estimate of :func:`~causalmacro.pipeline.fit_spec` and its choices."""

from __future__ import annotations

import html
import json
import os
import pickle
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd
import xarray as xr

from causalmacro import plotdispatch
from causalmacro.errors import DataError
from causalmacro.fileutil import replace_atomically
from causalmacro.labelled import freeze, has_bands, point_of, rebuild, thaw
from causalmacro.pipeline.choices import RunChoices

if TYPE_CHECKING:
    from causalmacro.bayes import AssetResponseResults
    from causalmacro.panel import Panel
    from causalmacro.pipeline.answer import Answer
    from causalmacro.pipeline.position import CyclePosition
    from causalmacro.pipeline.scenarios import ScenarioStage
    from causalmacro.pipeline.tables import AssetTables, Robustness
    from causalmacro.pipeline.tracker import LiquidityTracker
    from causalmacro.spec import ModelSpec
    from causalmacro.svar import BootstrapDraws, SVARResults
    from causalmacro.svar.diagnostics import ResidualDiagnostics

__all__ = ["RunResults", "VarPart", "band_text"]


_METHOD_WORDS = {"block": "moving-block", "residual": "residual", "wild": "wild"}
_METHOD_WHY = {"residual": "i.i.d. resampling: valid under homoskedastic errors",
               "wild": "Rademacher: too narrow on impact, read after impact only"}


def band_text(choices: Mapping[str, Any] | RunChoices) -> str:
    """The run's bands in words, from its :attr:`RunResults.choices`.

    A Bayesian VAR's bands are posterior credible bands (``90% posterior credible
    bands from 1000 draws of the Bayesian VAR``). Bootstrap bands name the method and why it is valid, and count the
    replications actually used and those dropped (``90% bands from 927 of 1000
    moving-block bootstrap replications (blocks of 5 periods: valid on impact
    under heteroskedastic errors); 73 explosive ones dropped``); a run without
    bands says what turned them off (``no bands (--reps 0)``, or ``no bands:
    only 0 of 1000 bootstrap replications were usable ...``).

    Parameters
    ----------
    choices : RunChoices or Mapping
        The run's choices, or a mapping of ``bands``, ``level``, ``bootstrap``, ``reps`` and, where known,
        ``reps_kept``, ``reps_explosive``, ``reps_unidentified``,
        ``reps_requested`` and ``reps_override``.

    Returns
    -------
    str
    """
    if isinstance(choices, RunChoices):
        choices = choices.to_dict()
    level = f"{100 * float(choices['level']):.0f}%"
    if choices["bands"] == "set":
        return f"{level} bands from the identified set of the sign restrictions"
    if choices["bands"] == "posterior":
        reps, kept = int(choices["reps"]), int(choices.get("reps_kept", choices["reps"]))
        kind = "joint (sup-t) " if choices.get("joint") else ""
        text = f"{level} {kind}posterior credible bands from {kept if kept == reps else f'{kept} of {reps}'} draws"
        n = int(choices.get("reps_unidentified", 0))
        return text + (f" of the Bayesian VAR; {n} unidentified ones dropped" if n else " of the Bayesian VAR")
    if choices["bands"] == "bootstrap":
        reps = int(choices["reps"])
        kept = int(choices.get("reps_kept", reps))
        used = f"{reps}" if kept == reps else f"{kept} of {reps}"
        method = str(choices["bootstrap"])
        kind = "joint (sup-t) " if choices.get("joint") else ""
        text = f"{level} {kind}bands from {used} {_METHOD_WORDS.get(method, method)} bootstrap replications"
        if method == "block" and choices.get("block_length"):
            text += f" (blocks of {int(choices['block_length'])} periods: valid on impact under heteroskedastic errors)"
        elif method in _METHOD_WHY:
            text += f" ({_METHOD_WHY[method]})"
        if choices.get("bias_correct"):
            text += ", bias-corrected (Kilian 1998)"
        dropped = [f"{n} {why}" for why in ("explosive", "unidentified") if (n := int(choices.get(f"reps_{why}", 0)))]
        return text + (f"; {' and '.join(dropped)} ones dropped" if dropped else "")
    if choices.get("bands_missing"):
        return f"no bands: {choices['bands_missing']}"
    if int(choices.get("reps_requested", -1)) == 0:
        return "no bands (--reps 0)" if choices.get("reps_override") else "no bands ([var].reps = 0)"
    return "no bands ([var].bands = 'none')"


def _labelled(da: xr.DataArray) -> dict[str, Any]:
    """A labelled array as JSON: dims, coordinates (dates as ISO strings), nested values, attrs."""
    coords = {}
    for dim in da.dims:
        values = da[dim].values
        if pd.api.types.is_datetime64_any_dtype(values):
            coords[str(dim)] = [pd.Timestamp(t).date().isoformat() for t in values]
        else:
            coords[str(dim)] = [v.item() if hasattr(v, "item") else v for v in values]
    attrs = {k: (v.item() if hasattr(v, "item") else v) for k, v in da.attrs.items()}
    return {"name": da.name, "dims": [str(d) for d in da.dims], "coords": coords,
            "values": da.values.tolist(), "attrs": attrs}


def _thaw(obj: Any) -> Any:
    """Plain dicts and lists from the frozen mappings and tuples of :func:`causalmacro.labelled.freeze`."""
    if isinstance(obj, Mapping):
        return {k: _thaw(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return [_thaw(v) for v in obj]
    return obj


@dataclass(frozen=True, eq=False, repr=False)
class VarPart:
    """The part of a run known before the asset model samples: the VAR's outputs that its figures draw.

    :func:`~causalmacro.pipeline.fit_spec` hands it to ``on_var`` once the structural VAR,
    its comparisons, the local projections and the events are fitted, so that a caller can
    draw their figures while the asset model samples (``causalmacro run`` does); a finished
    run gives the same part, holding the same objects, as :meth:`RunResults.var_part`.
    The attributes are those of :class:`RunResults` of the same names; ``focus``,
    ``hd_periods`` and ``lp_state_name`` are ``choices.focus``, ``choices.hd_periods`` and
    ``choices.lp_state``.
    """

    spec: ModelSpec
    panel: Panel
    irf: xr.DataArray
    fevd: xr.DataArray
    historical_decomposition: xr.DataArray
    focus: str
    hd_periods: int
    channels: Mapping[str, xr.DataArray] = field(default_factory=dict)
    event_effects: xr.DataArray | None = None
    lp: Mapping[str, xr.DataArray] = field(default_factory=dict)
    lp_state: Mapping[str, xr.DataArray] = field(default_factory=dict)
    lp_state_name: str | None = None
    irf_compare: xr.DataArray | None = None
    tracker: LiquidityTracker | None = None

    @property
    def synthetic(self) -> bool:
        """Whether the data are the embedded synthetic demo."""
        return bool(self.panel.synthetic)


@dataclass(frozen=True, eq=False, repr=False)
class RunResults:
    """Everything the main job estimated, read-only.

    Attributes
    ----------
    spec : ModelSpec
        The spec the run fitted.
    panel : Panel
        The data the models were fitted on.
    svar : SVARResults
        The structural VAR the spec describes.
    draws : BootstrapDraws or None
        The bootstrap replications behind every band (None for identified-set
        bands or no bands).
    irf, fevd : xarray.DataArray
        Impulse responses (horizons ``0..[var].horizon``) and variance shares
        (``1..[var].fevd_horizon``), banded as ``choices.bands`` says.
    historical_decomposition : xarray.DataArray
        Dims ``(time, variable, shock)``.
    causality : pandas.DataFrame
        Granger and instantaneous causality for every ordered pair.
    graph : networkx.DiGraph
        The dependency graph under the spec's ``[graph]`` rule.
    assets : AssetResponseResults or None
        The Bayesian asset-response model, when fitted.
    channels : mapping
        Shock -> :meth:`SVARResults.channel_decomposition` of every response to
        it through the spec's channel variables (banded like ``irf``).
    events : pandas.DataFrame or None
        The event dummies that entered the VAR (one column per event).
    event_effects : xarray.DataArray or None
        Each event's dynamic effect on every variable along the event's own
        shape (:meth:`SVARResults.exog_response`; the events as ``shock``), banded
        like ``irf``; the historical decomposition's ``"events"`` term is their sum.
    regimes : pandas.DataFrame
        The spec's regime definitions on the panel (:func:`causalmacro.regimes`).
    lp, lp_state : mapping
        ``"source -> target"`` -> local-projection responses of the target to the
        source's identified shock (:class:`causalmacro.LocalProjections`), pooled
        and by ``[lp].state`` (a ``state`` dim).
    position : CyclePosition or None
        Where the chain stands now (:func:`causalmacro.pipeline.cycle_position`).
    choices : RunChoices
        Every analysis choice of the run (seeds, bands, horizons, the graph rule,
        the assets' sign flips, ...), as used; a typed frozen record
        (:class:`~causalmacro.pipeline.choices.RunChoices`, read by attribute).
    timings : mapping
        Seconds spent per stage (``svar``, ``compare``, ``regimes``, ``lp``, ``assets``, ``graph``, ``scenarios``:
        those the run has).
    asset_tables : AssetTables or None
        The asset spectra (standardised, per shock, now and per regime) and the
        regime contrast the report shows (:func:`causalmacro.pipeline.tables.asset_tables`).
    robustness : Robustness or None
        A specification grid's sign shares and specification curves, when
        :func:`fit_spec` was given a grid (:func:`causalmacro.pipeline.tables.robustness`).
    answer : Answer or None
        The headline: does the spec's liquidity variable move its focus variable, with its
        evidence and error rates (:func:`causalmacro.pipeline.answer.answer`); None when the
        spec has no liquidity variable.
    tracker : LiquidityTracker or None
        Net liquidity in levels with its parts, beside the focus variable's level, or why
        there is none (:func:`causalmacro.pipeline.tracker.liquidity_tracker`).
    irf_compare : xarray.DataArray or None
        The impulse responses under the chosen identification and each ``[var] compare``
        scheme, along an ``identification`` dim (:func:`causalmacro.pipeline.stages.compare_irf`);
        None when the spec compares nothing.
    scenarios : ScenarioStage or None
        The spec's ``[scenarios]`` on the fitted SVAR: each scenario's conditional
        forecast, its conditions in the VAR's units, its table against the baseline,
        and the chain's density forecast (:func:`causalmacro.pipeline.scenarios.scenario_stage`;
        how they were run in ``choices.scenarios``); None when the spec has no scenarios.
    """

    spec: ModelSpec
    panel: Panel
    svar: SVARResults
    draws: BootstrapDraws | None
    irf: xr.DataArray
    fevd: xr.DataArray
    historical_decomposition: xr.DataArray
    causality: pd.DataFrame
    graph: nx.DiGraph
    assets: AssetResponseResults | None
    channels: Mapping[str, xr.DataArray] = field(default_factory=dict)
    events: pd.DataFrame | None = None
    event_effects: xr.DataArray | None = None
    regimes: pd.DataFrame = field(default_factory=pd.DataFrame)
    lp: Mapping[str, xr.DataArray] = field(default_factory=dict)
    lp_state: Mapping[str, xr.DataArray] = field(default_factory=dict)
    position: CyclePosition | None = None
    choices: RunChoices = field(default=None)  # type: ignore[assignment]  # required: checked below
    timings: Mapping[str, float] = field(default_factory=dict)
    asset_tables: AssetTables | None = None
    robustness: Robustness | None = None
    answer: Answer | None = None
    tracker: LiquidityTracker | None = None
    irf_compare: xr.DataArray | None = None
    scenarios: ScenarioStage | None = None

    def __post_init__(self) -> None:
        if isinstance(self.choices, Mapping):
            object.__setattr__(self, "choices", RunChoices.from_dict(self.choices))
        if not isinstance(self.choices, RunChoices):
            raise TypeError(f"choices must be a RunChoices record, got {type(self.choices).__name__}")
        object.__setattr__(self, "channels", MappingProxyType(dict(self.channels)))
        object.__setattr__(self, "lp", MappingProxyType(dict(self.lp)))
        object.__setattr__(self, "lp_state", MappingProxyType(dict(self.lp_state)))
        object.__setattr__(self, "timings", freeze(dict(self.timings)))

    @property
    def synthetic(self) -> bool:
        """Whether the data are the embedded synthetic demo."""
        return bool(self.panel.synthetic)

    def var_part(self) -> VarPart:
        """The run's :class:`VarPart`: the VAR's outputs its figures draw (the same objects)."""
        c = self.choices
        return VarPart(spec=self.spec, panel=self.panel, irf=self.irf, fevd=self.fevd,
                       historical_decomposition=self.historical_decomposition, focus=c.focus,
                       hd_periods=c.hd_periods, channels=self.channels, event_effects=self.event_effects, lp=self.lp,
                       lp_state=self.lp_state, lp_state_name=c.lp_state, irf_compare=self.irf_compare,
                       tracker=self.tracker)

    @property
    def ok(self) -> bool:
        """Whether every fit passed its checks: a stable VAR and, if fitted, the asset model's gate."""
        return bool(self.svar.is_stable and (self.assets is None or self.assets.diagnostics.passed))

    # ---------------------------------------------------------------- text
    def summary_lines(self) -> list[str]:
        """The run in a few lines, as the command line prints them.

        Returns
        -------
        list of str
            The data, the SVAR and its bands, residual checks that reject, the
            focus variable's recent contributions, the channels, the events'
            impact, the cycle position and the asset model's gate.
        """
        res, c = self.svar, self.choices
        lines = []
        if self.synthetic:
            lines.append("NOTE: synthetic data from the embedded demo; the numbers illustrate, they do not estimate.")
        if c.bands == "set":
            det = res.identified.details
            band = (f"bands from the identified set of {det['accepted']} accepted models "
                    f"(acceptance rate {det['acceptance_rate']:.2%})")
        else:
            band = band_text(c)
        sample = res.resid.index  # the estimation sample: the panel less the first `lags` periods
        lines.append(
            f"SVAR: {len(res.names)} variables, {res.lags} lags, {res.nobs} obs "
            f"({sample[0]:%Y-%m}..{sample[-1]:%Y-%m}), {res.identification.name} identification, "
            f"{'stable' if res.is_stable else 'NOT STABLE'}; {band}"
        )
        lines.extend(_residual_check_lines(res.diagnostics))
        focus, n = c.focus, min(12, len(self.historical_decomposition["time"]))
        last = self.historical_decomposition.sel(response=focus).isel(time=slice(-n, None)).sum("time").to_series()
        lines.append(f"last {n} periods of {focus}: contributions by shock "
                     + ", ".join(f"{k} {val:+.1f}" for k, val in last.items()))
        for shock, da in self.channels.items():
            article = "an" if shock[:1] in "aeiou" else "a"
            held = da.attrs.get("channels", "").replace(",", " and ")
            if not da.attrs.get("credible", True):
                lines.append(f"channels: not reported for {article} {shock} shock: holding {held} takes offsetting "
                             f"shocks of up to {da.attrs['max_offset']:.2g} s.d. (the counterfactual explodes)")
                continue
            point = point_of(da.sel(response=focus))
            total = point.sel(part="total").to_numpy()
            k = int(abs(total).argmax())
            through = float(point.sel(part="through channels").to_numpy()[k])
            share = through / total[k] if total[k] else float("nan")
            lines.append(f"channels: at its peak (horizon {k}), {share:.0%} of {focus}'s response to {article} {shock} "
                         f"shock runs through {held}")
        if self.event_effects is not None:
            focus_fx = self.event_effects.sel(response=focus, horizon=0)
            parts = []
            for name in focus_fx["shock"].values:
                fx = focus_fx.sel(shock=name)
                if has_bands(fx):
                    parts.append(f"{name} {float(fx.sel(bound='point')):+.2f} "
                                 f"[{float(fx.sel(bound='lower')):+.2f}, {float(fx.sel(bound='upper')):+.2f}]")
                else:
                    parts.append(f"{name} {float(point_of(fx)):+.2f}")
            banded = f"{c.event_bands.replace(' ', '-')} bands" if c.event_bands else "no bands"
            lines.append(f"events: impact on {focus} ({banded}): " + ", ".join(parts))
        if self.position is not None:
            lines.extend(self.position.summary_lines())
        if self.assets is not None:
            diag = self.assets.diagnostics
            lines.append(f"asset model: {len(self.assets.design.assets)} assets, diagnostics gate "
                         f"{'passed' if diag.passed else 'FAILED'}")
            if not diag.passed:
                lines.append(f"WARNING: the asset model failed its diagnostics gate: {diag}")
        return lines

    def choices_text(self) -> dict[str, str]:
        """Every choice as one readable line (events as ``name date shape``), for the reports.

        Returns
        -------
        dict of str to str
            :attr:`choices`, each value as text (tables and lists as JSON).
        """
        return self.choices.as_text()

    def summary(self) -> str:
        """Plain-text summary: the run's lines, then the SVAR's summary.

        Returns
        -------
        str
        """
        return "\n".join([*self.summary_lines(), "", self.svar.summary()])

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (f"RunResults(spec={self.spec.name!r}, variables={len(self.svar.names)}, "
                f"bands={self.choices.bands!r}, assets={self.assets is not None}, ok={self.ok})")

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self.summary_lines())
        return f"<div><h4>causalmacro run: {html.escape(self.spec.name)}</h4><ul>{items}</ul></div>" + \
            self.svar._repr_html_()

    # ---------------------------------------------------------------- export
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready results (what ``results.json`` holds); no timings, so equal runs give equal dicts.

        Returns
        -------
        dict
            Every key is listed, with its type and contents, in the ``results.json``
            reference (the schema :func:`causalmacro.report.results_schema.results_schema`).
        """
        out: dict[str, Any] = {
            "synthetic": self.synthetic,
            "spec": self.spec.name,
            "choices": self.choices.to_dict(),
            "panel": self.panel.to_dict(),
            "svar": self.svar.to_dict(),
            "irf": _labelled(self.irf),
            "fevd": _labelled(self.fevd),
            "causality": self.causality.to_dict(orient="records"),
            "graph": nx.node_link_data(self.graph, edges="edges"),
            "channels": {shock: _labelled(da) for shock, da in self.channels.items()},
            "events": None if self.events is None else {
                "names": [str(c) for c in self.events.columns],
                "periods": {str(c): [t.date().isoformat() for t in self.events.index[self.events[c] > 0]]
                            for c in self.events.columns}},
            "event_effects": None if self.event_effects is None else _labelled(self.event_effects),
            "regimes": {
                "time": [pd.Timestamp(t).date().isoformat() for t in self.regimes.index],
                "definitions": {str(c): {"labels": [str(x) for x in self.regimes[c].cat.categories],
                                         "values": [None if pd.isna(x) else str(x) for x in self.regimes[c]]}
                                for c in self.regimes.columns}},
            "lp": {k: _labelled(da) for k, da in self.lp.items()},
            "lp_state": {k: _labelled(da) for k, da in self.lp_state.items()},
            "position": None if self.position is None else self.position.to_dict(),
            "answer": None if self.answer is None else self.answer.to_dict(),
            "tracker": None if self.tracker is None else self.tracker.to_dict(),
            "irf_compare": None if self.irf_compare is None else _labelled(self.irf_compare),
        }
        if self.assets is not None:
            out["assets"] = self.assets.to_dict(level=self.choices.level)
        if self.scenarios is not None:
            out["scenarios"] = self.scenarios.to_dict(self.spec)
        return out

    # ---------------------------------------------------------------- protocol
    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle through the constructor, read-only mappings as plain dicts (a mapping proxy does not pickle)."""
        return (rebuild, (type(self), {f.name: thaw(getattr(self, f.name)) for f in fields(self)}))

    def to_dataframe(self) -> pd.DataFrame:
        """The impulse responses (:attr:`irf`) as a long table.

        Returns
        -------
        DataFrame
            Index ``(horizon, response, shock)``; column ``point``, and
            ``lower``, ``upper`` where the run has bands.
        """
        if "bound" not in self.irf.dims:
            return self.irf.to_dataframe(name="point")[["point"]]
        frame = self.irf.to_dataframe(name="irf")["irf"].unstack("bound")[["point", "lower", "upper"]]
        frame.columns.name = None
        return frame

    def plot(self, **plot_options: Any) -> Any:
        """The impulse-response grid of the run (``irf.png``): :attr:`irf` drawn by :func:`causalmacro.plotting.plot_irf`.

        Parameters
        ----------
        **plot_options
            Passed to :func:`~causalmacro.plotting.plot_irf` (``responses=``,
            ``shocks=``, ``axes=``, ``units=``); ``synthetic`` defaults to the data's.

        Returns
        -------
        matplotlib.figure.Figure
        """
        plot_options.setdefault("synthetic", self.synthetic)
        return plotdispatch.call("plot_irf", self.irf, **plot_options)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the whole run to one archive file, atomically: what :meth:`load` reads back equal.

        The archive is a zip of ``results.json`` (:meth:`to_dict`: every estimate,
        readable without Python) and ``run.pickle`` (this object: the spec, the
        panel, the SVAR, its bootstrap draws, the asset posterior, ...). The report
        folder of a run is :func:`causalmacro.write_run`; this is the one file to
        keep or send a run in. As with statsmodels' ``results.save``, the pickle
        runs code when loaded: load only archives you trust.

        Parameters
        ----------
        path : str or path-like
            The file to write (by convention ``.zip``); an earlier file stays
            whole if the write fails.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        estimates = json.dumps(self.to_dict(), default=str)
        payload = pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

        def write(tmp: str) -> None:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(ARCHIVE_FORMAT, json.dumps({"format": ARCHIVE_VERSION, "type": "RunResults"}))
                zf.writestr("results.json", estimates)
                zf.writestr("run.pickle", payload)

        return replace_atomically(target, write)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RunResults:
        """Read a run written by :meth:`save` (load only archives you trust: see :meth:`save`).

        Parameters
        ----------
        path : str or path-like
            The archive :meth:`save` wrote.

        Returns
        -------
        RunResults

        Raises
        ------
        DataError
            The file is missing, is not a run archive, or has another format version.
        """
        p = Path(path)
        try:
            with zipfile.ZipFile(p) as zf:
                head = json.loads(zf.read(ARCHIVE_FORMAT))
                payload = zf.read("run.pickle")
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise DataError(f"{p}: not a causalmacro run archive ({type(exc).__name__})") from None
        if head.get("format") != ARCHIVE_VERSION or head.get("type") != "RunResults":
            raise DataError(f"{p}: a run archive of format {head.get('format')!r}; this version reads "
                            f"{ARCHIVE_VERSION!r}")
        run = pickle.loads(payload)  # a file the user wrote with save(); see its docstring
        if not isinstance(run, cls):
            raise DataError(f"{p}: not a causalmacro run archive (holds a {type(run).__name__})")
        return run


#: Name and version of the member that marks a :meth:`RunResults.save` archive.
ARCHIVE_FORMAT = "causalmacro-run.json"
ARCHIVE_VERSION = 1



def _residual_check_lines(checks: ResidualDiagnostics) -> list[str]:
    """The summary line on residual tests that reject at 5%, with what each rejection means for the run."""
    auto, normal = checks.portmanteau, checks.normality
    rejected = [t for t in (auto, normal) if t is not None and t.pvalue < 0.05]
    if not rejected:
        return []
    notes = []
    if normal in rejected:
        notes.append("the bootstrap bands do not assume normal errors")
    if auto is not None and auto in rejected:
        notes.append("residual autocorrelation suggests more lags")
    return ["residual checks reject at 5%: " + "; ".join(f"{t.name} p = {t.pvalue:.2g}" for t in rejected)
            + f" ({'; '.join(notes)})"]
