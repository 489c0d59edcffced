"""The fit's groups without ArviZ (issue 22): ArviZ's HDI to the bit, its group order, the InferenceData built once
from the same Datasets, and a Gibbs fit, its tables and its saved file that never import ArviZ."""

from __future__ import annotations

import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import arviz as az
import numpy as np
import pytest
import xarray as xr

import causalmacro as cm
from causalmacro.bayes import AssetResponseResults, FitFailedWarning
from causalmacro.bayes.posterior import (
    GROUP_ORDER,
    PosteriorGroups,
    as_groups,
    hdi,
    to_inference_data,
)


def _draws(chains: int, draws: int, seed: int = 0) -> xr.DataArray:
    """Skewed draws with two extra dims and a coordinate along ``chain`` (as a pooled shock-draw fit has)."""
    rng = np.random.default_rng(seed)
    values = rng.gamma(2.0, 1.0, size=(3, chains, draws, 2)) * np.array([1.0, -3.0])
    return xr.DataArray(values, dims=("asset", "chain", "draw", "shock"),
                        coords={"asset": ["a", "b", "c"], "chain": np.arange(chains), "draw": np.arange(draws),
                                "shock": ["s0", "s1"], "shock_draw": ("chain", np.arange(chains) + 10)})


@pytest.mark.parametrize(("chains", "draws", "prob"), [(4, 250, 0.9), (3, 101, 0.5), (2, 7, 0.94), (1, 40, 0.999)])
def test_hdi_is_arvizs_to_the_last_bit(chains: int, draws: int, prob: float) -> None:
    samples = _draws(chains, draws, seed=chains)
    ref = az.hdi(samples.to_dataset(name="x"), hdi_prob=prob)["x"]
    lower, upper = hdi(samples, prob)
    for ours, bound in ((lower, "lower"), (upper, "higher")):
        theirs = ref.sel(hdi=bound, drop=True)
        assert ours.dims == theirs.dims == ("asset", "shock")
        assert np.array_equal(ours.values, theirs.values)  # the same draws picked, not close ones
        assert list(ours["asset"].values) == ["a", "b", "c"] and "shock_draw" not in ours.coords


def test_hdi_picks_the_narrowest_window_by_hand() -> None:
    """Ten draws, 60%: an interval spans floor(0.6 * 10) = 6 steps of the sorted draws, [1, 4.6], [2, 4.8],
    [3, 5.0] or [4, 5.05] (widths 3.6, 2.8, 2.0, 1.05): the last is the narrowest."""
    values = np.array([1.0, 2.0, 3.0, 4.0, 4.2, 4.4, 4.6, 4.8, 5.0, 5.05])
    samples = xr.DataArray(values[::-1].reshape(2, 5), dims=("chain", "draw"))  # any order: the draws are sorted
    lower, upper = hdi(samples, 0.6)
    assert (float(lower), float(upper)) == (4.0, 5.05)


def test_groups_in_arvizs_order_and_not_copied() -> None:
    ds = {name: xr.Dataset({"v": ("x", np.arange(3.0))}) for name in
          ("observed_data", "custom", "sample_stats", "posterior", "constant_data")}
    groups = PosteriorGroups(ds)
    assert groups.groups() == ["posterior", "sample_stats", "observed_data", "constant_data", "custom"]
    assert groups.groups()[:4] == [g for g in GROUP_ORDER if g in ds]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ArviZ warns of the custom group
        idata = to_inference_data(groups)
    assert idata.groups() == groups.groups()
    assert all(idata[name] is ds[name] for name in ds)
    assert all(as_groups(idata)[name] is ds[name] for name in ds)
    assert as_groups(groups) is groups and "posterior" in groups and len(groups) == 5


def test_results_build_their_inference_data_once_from_the_same_datasets(model) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        res = model.fit(draws=30, tune=30, chains=2)
    assert isinstance(res._groups, PosteriorGroups)  # the Gibbs fit hands over its groups, not an InferenceData
    idata = res.idata
    assert isinstance(idata, az.InferenceData) and res.idata is idata
    assert idata["posterior"] is res.posterior
    back = pickle.loads(pickle.dumps(res))
    xr.testing.assert_identical(back.posterior, res.posterior)
    again = AssetResponseResults(idata, res.design, res.diagnostics, res.settings)  # an InferenceData is kept as is
    assert again.idata is idata and again.posterior is res.posterior


def test_the_gibbs_fit_its_tables_and_its_file_never_import_arviz(tmp_path: Path) -> None:
    """ArviZ loads its plotting module, matplotlib and numba (about 0.4 CPU-seconds): the main job needs none."""
    out = tmp_path / "post.nc"
    code = ("import sys, causalmacro as cm; spec = cm.load_spec('models/demo.toml'); "
            "run = cm.fit_spec(spec, cm.build_panel(spec, cm.open_source(spec)), reps=0); "
            f"run.assets.save({str(out)!r}); run.assets.to_dataframe(); "
            "print(sorted(m for m in ('arviz', 'numba', 'matplotlib') if m in sys.modules))")
    root = Path(cm.__file__).resolve().parents[1]
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root).stdout
    assert printed.strip().splitlines()[-1] == "[]"
    read = az.from_netcdf(out, engine="h5netcdf")  # an ordinary ArviZ file, its groups in ArviZ's order
    assert read.groups() == ["posterior", "observed_data", "constant_data"]
    loaded = AssetResponseResults.load(out)
    assert loaded.idata.groups() == ["posterior", "observed_data"]  # the design, read from constant_data, apart
    assert loaded.posterior["beta"].dims[:2] == ("chain", "draw")  # recomputed from beta_std on reading
