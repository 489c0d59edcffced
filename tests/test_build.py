"""The build layer: the grid's own-spec cell is the main job's model (events, regimes, covariates included)."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import causalmacro as cm
from causalmacro.build import build_svar, split_seed
from causalmacro.errors import ArgumentError
from causalmacro.spec import parse_spec
from causalmacro.specgrid import grid
from causalmacro.specgrid.assets import fit_window_assets
from causalmacro.specgrid.engine import fit_block
from causalmacro.specgrid.options import Block, GridOptions, make_options

DEMO = Path(__file__).resolve().parents[1] / "models" / "demo.toml"
REPS = 30
pytestmark = pytest.mark.filterwarnings("ignore::causalmacro.bayes.results.FitFailedWarning")  # short chains


@pytest.fixture(scope="module")
def setup() -> tuple:
    raw = tomllib.loads(DEMO.read_text())
    raw["assets"].update(draws=120, tune=100, chains=2)
    spec = parse_spec(raw, path=DEMO)
    panel = cm.build_panel(spec, cm.open_source(spec))
    run = cm.fit_spec(spec, panel, rng=5, reps=REPS)
    g = grid(spec, panel, orderings=None, lags=[run.svar.lags], reps=REPS, workers=1, assets=True)
    return spec, panel, run, g


def test_the_demo_spec_has_what_the_comparison_needs(setup) -> None:
    spec, _, run, _ = setup
    assert run.events is not None and list(run.events.columns) == list(spec.events)
    assert spec.assets.regime == "liquidity" and run.assets is not None and run.assets.regimes
    assert list(run.assets.covariate_effects()["covariate"].values) == list(spec.events)


def test_grid_defaults_come_from_the_spec(setup) -> None:
    spec, _, _, g = setup
    assert list(g.data["identification"].values) == [spec.var.identification]
    assert g.data.attrs["method"] == spec.var.bootstrap and g.data.attrs["level"] == spec.var.level
    assert g.data.sizes["horizon"] == spec.var.horizon + 1
    sized = grid(spec, setup[1], orderings=None, lags=[2], workers=1, horizon=2)
    assert sized.data.attrs["reps"] == spec.var.reps == 1000


def test_own_spec_cell_equals_fit_spec_responses_and_event_effects(setup) -> None:
    spec, _, run, g = setup
    cell = g.irf.sel(ordering=">".join(spec.var.order), lags=run.svar.lags,
                     identification=spec.var.identification).isel(window=0)
    names = list(spec.var.order)
    want = run.irf.sel(bound="point", response=names, shock=names).transpose("horizon", "response", "shock")
    np.testing.assert_allclose(cell.sel(bound="point").transpose("horizon", "response", "shock").to_numpy(),
                               want.to_numpy(), rtol=0, atol=1e-10)
    effects = g.data["event_effects"].sel(lags=run.svar.lags).isel(window=0)
    for event in spec.events:
        got = effects.sel(event=event).transpose("horizon", "response").to_numpy()
        ref = run.event_effects.sel(bound="point", shock=event, response=names).transpose("horizon", "response")
        np.testing.assert_allclose(got, ref.to_numpy(), rtol=0, atol=1e-10)
    assert g.data["nobs"].item() == run.svar.nobs


class _SeededOptions(GridOptions):
    """Grid options whose blocks take one given seed (the main job's SVAR seed)."""

    def block_seed(self, block: Block) -> int:
        return int(self.seed)


def test_own_spec_bands_equal_fit_spec_bands_at_equal_seeds(setup) -> None:
    spec, panel, run, _ = setup
    v = spec.var
    opts = make_options(list(v.order), pd.DatetimeIndex(panel.data.index), orderings=None, lags=run.svar.lags,
                        windows=None, window_length=None, identifications=v.identification, reps=REPS,
                        method=v.bootstrap, level=v.level, horizon=v.horizon, trend=v.trend,
                        seed=run.choices.svar_seed, block_length=v.block_length, bias_correct=v.bias_correct,
                        joint=v.joint)
    seeded = _SeededOptions(**{f.name: getattr(opts, f.name) for f in dataclasses.fields(opts)})
    ds = fit_block(panel.data[list(v.order)], seeded, seeded.blocks()[0], spec)
    got = ds["irf"].isel(ordering=0, identification=0).transpose("horizon", "response", "shock", "bound")
    names = list(v.order)
    want = run.irf.sel(response=names, shock=names).transpose("horizon", "response", "shock", "bound")
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=0, atol=1e-10)
    assert int(ds["reps_kept"]) == run.choices.reps_kept


def test_window_asset_model_equals_the_main_jobs_at_equal_seeds(setup) -> None:
    spec, panel, run, _ = setup
    start, end = panel.data.index[0], panel.data.index[-1]
    ds = fit_window_assets(panel.data, spec, start, end, run.choices.asset_seed, run.regimes)
    now = run.choices.asset_regime_now
    assert ds["regime_now"].item() == now
    for shock in spec.asset_shocks:
        table = run.assets.spectrum(shock, regime=now, scale="standardized").reindex(list(spec.assets.groups))
        np.testing.assert_allclose(ds["spectrum"].sel(shock=shock).to_numpy(), table["mean"].to_numpy(),
                                   rtol=0, atol=1e-10)


def test_grid_asset_spectrum_within_monte_carlo_error_of_the_main_job(setup) -> None:
    spec, _, run, g = setup
    now = run.choices.asset_regime_now
    assert g.data["asset_regime_now"].isel(window=0).item() == now
    for shock in spec.asset_shocks:
        table = run.assets.spectrum(shock, regime=now, scale="standardized").reindex(list(spec.assets.groups))
        got = g.data["asset_spectrum"].isel(window=0).sel(asset_shock=shock).to_numpy()
        # the posterior mean's Monte Carlo error at 2 x 120 draws: well under a tenth of the 90% HDI's width
        width = (table["upper"] - table["lower"]).to_numpy()
        assert (np.abs(got - table["mean"].to_numpy()) < 0.1 * width).all()


def test_build_svar_and_seeds(setup) -> None:
    spec, panel, run, _ = setup
    assert split_seed(5) == (run.choices.svar_seed, run.choices.asset_seed)
    model = build_svar(spec, panel.data)
    assert list(model.exog.columns) == list(spec.events)
    # a window without an event leaves it out (grid) or refuses it (main job)
    early = panel.data.loc[:"2019-12"]
    assert build_svar(spec, early, strict_events=False).exog is None
    with pytest.raises(cm.DataError, match="falls outside the sample"):
        build_svar(spec, early)


def test_grid_refuses_a_spec_identification_the_ordering_does_not_fix(setup) -> None:
    spec, panel, _, _ = setup
    signed = spec.model_copy(update={"var": spec.var.model_copy(update={"identification": "sign"})})
    with pytest.raises(ArgumentError, match=re.escape("identifications: the spec's [var].identification 'sign'")):
        grid(signed, panel, orderings=None, lags=[2], workers=1, reps=2)
