"""Sampling to the convergence gate (:mod:`causalmacro.bayes.rounds`): schedule, kept history, cap, spec keys."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import numpy as np
import pytest

from causalmacro.bayes import AssetResponseModel
from causalmacro.bayes.gibbs import GibbsDraws, gibbs_sample
from causalmacro.bayes.results import FitFailedWarning
from causalmacro.bayes.rounds import GateRecord, Rounds, gibbs_to_gate
from causalmacro.errors import ArgumentError, SpecError
from causalmacro.pipeline.choices import asset_sampling
from causalmacro.report.manifest import manifest
from causalmacro.spec import defaults, load_spec

ROOT = Path(__file__).resolve().parents[2]
FIELDS = ("mu", "sigma", "tau", "mu_group", "beta_std", "a_std", "sigma_e_std", "nu", "gamma_std")


def test_schedule_adds_extensions_up_to_the_cap() -> None:
    assert Rounds(400, 400, 1000).schedule() == (400, 800, 1000)
    assert Rounds(10, 5, 10).schedule() == (10,)
    assert Rounds().schedule()[:2] == (defaults.ASSETS.first_sweeps,
                                       defaults.ASSETS.first_sweeps + defaults.ASSETS.extra_sweeps)
    assert Rounds().schedule()[-1] == defaults.ASSETS.max_sweeps
    with pytest.raises(ArgumentError, match=r"^first_sweeps: expected an integer >= 4, got 2$"):
        Rounds(2, 10, 100)
    with pytest.raises(ArgumentError, match=r"^max_sweeps: expected at least first_sweeps \(50\), got 40$"):
        Rounds(50, 10, 40)


@pytest.mark.parametrize("cores", [1, 2])
def test_rounds_continue_every_chain_and_keep_the_second_half(model: AssetResponseModel, cores: int) -> None:
    """No restart: after rounds of 20 + 10 sweeps the kept draws are the last 15 of one 30-sweep run."""
    seen: list[int] = []

    def gate(kept: GibbsDraws) -> bool:
        seen.append(kept.nu.shape[1])
        return len(seen) == 2

    out, record = gibbs_to_gate(model.design, chains=6, rng=np.random.default_rng(3), gate=gate,
                                rounds=Rounds(20, 10, 100), cores=cores)
    ref = gibbs_sample(model.design, draws=30, tune=0, chains=6, rng=np.random.default_rng(3))
    assert seen == [10, 15]
    assert record == GateRecord(sweeps=30, rounds=2, gate_met=True, cap=100)
    assert record.reason == "gate met at round 2 (30 sweeps a chain, the first half warm-up)"
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(out, name), getattr(ref, name)[:, 15:], err_msg=name)


def test_the_cap_fails_the_gate_with_one_line(model: AssetResponseModel) -> None:
    with pytest.warns(FitFailedWarning, match=r"^FIT FAILED THE CONVERGENCE GATE: .*bulk ESS \d+ < 400 for .*"
                                              r" \(after 40 sweeps a chain, the cap max_sweeps=40\)$"):
        res = model.fit(chains=4, rng=1, first_sweeps=20, extra_sweeps=15, max_sweeps=40)
    s = res.settings
    assert (s["sweeps"], s["rounds"], s["max_sweeps"], s["draws"], s["tune"]) == (40, 3, 40, 20, 20)
    assert s["stop"] == "cap of 40 sweeps a chain reached after 3 rounds, gate not met"
    assert res.idata["posterior"].sizes["draw"] == 20
    assert res.idata["posterior"].attrs["tuning_steps"] == 20
    assert not res.diagnostics.passed
    assert "sampled to the convergence gate: cap of 40 sweeps" in str(res)
    assert asset_sampling(s, res.diagnostics.passed) == {
        "sweeps": 40, "rounds": 3, "gate_met": False, "cap": 40, "reason": s["stop"]}


def test_a_fixed_count_is_kept_and_recorded(model: AssetResponseModel) -> None:
    with pytest.warns(FitFailedWarning):
        res = model.fit(draws=30, chains=2, rng=1)
    assert "sweeps" not in res.settings and (res.settings["draws"], res.settings["tune"]) == (30, 200)
    assert asset_sampling(res.settings, False) == {
        "sweeps": 230, "rounds": None, "gate_met": False, "cap": None,
        "reason": "fixed count: 200 warm-up + 30 kept per chain"}
    with pytest.raises(ArgumentError, match=r"^tune: set draws too \(a fixed count\), or neither .*got tune=100$"):
        model.fit(tune=100, rng=1)


def test_fit_defaults_are_the_table() -> None:
    for method in (AssetResponseModel.fit, AssetResponseModel.fit_shock_draws):
        params = inspect.signature(method).parameters
        assert params["first_sweeps"].default == defaults.ASSETS.first_sweeps == 400
        assert params["extra_sweeps"].default == defaults.ASSETS.extra_sweeps == 400
        assert params["max_sweeps"].default == defaults.ASSETS.max_sweeps == 4000


def test_spec_keys(tmp_path: Path) -> None:
    text = (ROOT / "models" / "demo.toml").read_text()
    ok = tmp_path / "ok.toml"
    ok.write_text(text.replace("[assets]\n", "[assets]\nfirst_sweeps = 200\nextra_sweeps = 100\nmax_sweeps = 900\n", 1))
    a = load_spec(ok).assets
    assert a is not None and (a.first_sweeps, a.extra_sweeps, a.max_sweeps) == (200, 100, 900)
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("[assets]\n", "[assets]\ntune = 300\n", 1))
    with pytest.raises(SpecError, match=re.escape("tune: set draws too (a fixed count), or neither")):
        load_spec(bad)
    bad.write_text(text.replace("[assets]\n", "[assets]\nfirst_sweeps = 500\nmax_sweeps = 400\n", 1))
    with pytest.raises(SpecError, match=re.escape("max_sweeps: expected at least first_sweeps (500), got 400")):
        load_spec(bad)


def test_manifest_records_the_sampling(demo) -> None:
    _, panel = demo
    sampling = {"sweeps": 800, "rounds": 2, "gate_met": True, "cap": 4000, "reason": "gate met at round 2"}
    out = manifest({"seed": 1}, panel, timings={}, files=[], spec_file=None, sampling=sampling)
    assert out["sampling"] == sampling
    assert manifest({"seed": 1}, panel, timings={}, files=[], spec_file=None)["sampling"] is None
