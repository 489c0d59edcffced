"""The main job: from a panel to a written report.

``causalmacro run SPEC`` builds the panel, fits the structural VAR the spec
describes, computes bootstrap bands for the impulse responses, the variance and
historical decompositions and the causality table, draws the dependency graph,
fits the Bayesian asset-response model (unless skipped) and writes everything
under one folder: figures (PNG), tables (CSV), ``results.json`` and
``report.md``. Outputs made from the embedded demo say they are synthetic.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import networkx as nx

from .errors import CausalMacroError
from .panel import Panel
from .spec import ModelSpec

__all__ = ["RunOutput", "run_report"]


@dataclass(frozen=True)
class RunOutput:
    """What :func:`run_report` wrote and whether every fit passed its checks."""

    folder: Path
    files: tuple[str, ...]
    ok: bool
    lines: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        """Human-readable lines for the terminal."""
        return "\n".join([*self.lines, f"wrote {len(self.files)} files to {self.folder}"])


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def run_report(
    spec: ModelSpec,
    panel: Panel,
    *,
    out: str | os.PathLike[str],
    reps: int | None = None,
    assets: bool = True,
    rng: int = 0,
    progress: bool = True,
) -> RunOutput:
    """Fit the spec's models on a panel and write the report.

    Parameters
    ----------
    spec : ModelSpec
        Needs a ``[var]`` section; ``[assets]`` for the asset model.
    panel : Panel
        From :func:`causalmacro.build_panel`.
    out : path-like
        Folder to write (created if missing).
    reps : int, optional
        Bootstrap replications (default: the spec's).
    assets : bool
        Fit the Bayesian asset-response model when the spec has ``[assets]``.
    rng : int
        Seed; every random step derives from it.
    progress : bool
        Show the sampler's progress bar (the CLI turns it off with ``--quiet``).

    Returns
    -------
    RunOutput
    """
    import numpy as np

    from .graph import dependency_graph
    from .plotting import (
        plot_fevd,
        plot_graph,
        plot_historical_decomposition,
        plot_irf,
        plot_spectrum,
        save_figure,
    )
    from .svar import SVAR

    if spec.var is None:
        raise CausalMacroError(f"{spec.path or spec.name}: the spec has no [var] section to run")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    seeds = np.random.SeedSequence(rng).spawn(3)
    synthetic = panel.synthetic
    files: list[str] = []
    lines: list[str] = []
    if synthetic:
        lines.append("NOTE: synthetic data from the embedded demo; the numbers illustrate, they do not estimate.")

    def save(fig: Any, name: str) -> None:
        save_figure(fig, folder / name)
        files.append(name)

    v = spec.var
    t0 = time.perf_counter()
    order = list(v.order)
    model = SVAR(panel.data[order], order=order, lags=v.lags, maxlags=v.max_lags, trend=v.trend,
                 identification=v.identification, **v.identification_options())
    res = model.fit(rng=np.random.default_rng(seeds[0]))
    n_reps = v.reps if reps is None else reps
    bands: Literal["wild", "residual", "set"] = "wild" if v.bootstrap == "wild" else "residual"
    if v.identification == "sign":
        bands = "set"  # the identified set, not a bootstrap (see causalmacro.svar.sign)
    irf = res.irf(v.horizon, bands=bands if n_reps >= 2 else None, reps=max(n_reps, 2), level=v.level,
                  rng=np.random.default_rng(seeds[2]))
    fevd = res.fevd(min(v.horizon, 12))
    hd = res.historical_decomposition()
    causality = res.causality_table()
    graph = dependency_graph(irf, causality, alpha=0.10)
    if bands == "set":
        det = res.identified.details
        band_text = (f"bands from the identified set of {det['accepted']} accepted models "
                     f"(acceptance rate {det['acceptance_rate']:.2%})")
    else:
        band_text = f"{n_reps} {bands} bootstrap reps"
    lines.append(
        f"SVAR: {len(order)} variables, {res.lags} lags, {res.nobs} obs "
        f"({panel.data.index[0]:%Y-%m}..{panel.data.index[-1]:%Y-%m}), {v.identification} identification, "
        f"{'stable' if res.is_stable else 'NOT STABLE'}; {band_text} in {time.perf_counter() - t0:.1f} s"
    )

    save(plot_irf(irf, synthetic=synthetic), "irf.png")
    last = order[-1]
    save(plot_fevd(fevd, last, synthetic=synthetic), f"fevd_{last}.png")
    save(plot_historical_decomposition(hd, last, last=36, synthetic=synthetic), f"hd_{last}.png")
    save(plot_graph(graph, synthetic=synthetic), "graph.png")
    panel.to_csv(folder / "panel.csv")
    causality.to_csv(folder / "causality.csv", index=False)
    irf.to_dataframe(name="irf").to_csv(folder / "irf.csv")
    files += ["panel.csv", "causality.csv", "irf.csv"]

    results: dict[str, Any] = {
        "synthetic": synthetic,
        "spec": spec.name,
        "panel": panel.to_dict(),
        "svar": res.to_dict(),
        "graph": nx.node_link_data(graph, edges="edges"),
    }
    hd_last = hd.sel(variable=last).isel(time=slice(-12, None)).sum("time").to_series()
    lines.append(
        f"last 12 months of {last}: contributions by shock "
        + ", ".join(f"{k} {val:+.1f}" for k, val in hd_last.items())
    )
    ok = bool(res.is_stable)

    if assets and spec.assets is not None:
        from .bayes import AssetResponseModel

        a = spec.assets
        shocks = res.structural_shocks()[spec.asset_shocks]
        returns = panel.data[list(a.groups)].copy()
        returns[a.flip] = -returns[a.flip]  # yields and spreads: a rise is a loss to holders
        t1 = time.perf_counter()
        arm = AssetResponseModel(returns, shocks, groups=dict(a.groups), lags=a.lags)
        ares = arm.fit(draws=a.draws, tune=a.tune, chains=a.chains, target_accept=a.target_accept,
                       rng=np.random.default_rng(seeds[1]), progressbar=progress)
        diag = ares.diagnostics
        gate = "passed" if diag.passed else "FAILED"
        lines.append(f"asset model: {len(a.groups)} assets, diagnostics gate {gate} "
                     f"({time.perf_counter() - t1:.0f} s)")
        if not diag.passed:
            lines.append(f"WARNING: the asset model failed its diagnostics gate: {diag}")
            ok = False
        for shock in spec.asset_shocks:
            spec_df = ares.spectrum(shock=shock)
            save(plot_spectrum(spec_df, title=f"Asset spectrum: response to a {shock} shock",
                               synthetic=synthetic), f"spectrum_{shock}.png")
            spec_df.to_csv(folder / f"spectrum_{shock}.csv")
            files.append(f"spectrum_{shock}.csv")
        ares.idata.to_netcdf(str(folder / "asset_posterior.nc"))
        files.append("asset_posterior.nc")
        results["assets"] = ares.to_dict()

    _write_text(folder / "results.json", json.dumps(results, indent=2, default=str))
    files.append("results.json")
    _write_text(folder / "report.md", _markdown(spec, panel, res, lines, files))
    files.append("report.md")
    return RunOutput(folder=folder, files=tuple(files), ok=ok, lines=tuple(lines))


def _markdown(spec: ModelSpec, panel: Panel, res: Any, lines: list[str], files: list[str]) -> str:
    title = f"# causalmacro report: {spec.name}\n\n"
    warn = "> **Synthetic data** from the embedded demo: not real observations.\n\n" if panel.synthetic else ""
    body = "\n".join(f"- {ln}" for ln in lines)
    figs = "\n".join(f"![{f}]({f})" for f in files if f.endswith(".png"))
    return f"{title}{warn}{body}\n\n```\n{res.summary()}\n```\n\n{figs}\n"
