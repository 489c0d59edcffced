"""Sampling to the convergence gate (:mod:`causalmacro.bayes.rounds`): schedule, kept history, cap, spec keys."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

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
    assert Rounds(400, 400, 1000, burn=0).schedule() == (400, 800, 1000)
    assert Rounds(400, 200, 1000, burn=100).schedule() == (500, 700, 900, 1000)
    assert Rounds(10, 5, 10, burn=0).schedule() == (10,)
    burn, first = defaults.ASSETS.burn_sweeps, defaults.ASSETS.first_sweeps
    assert Rounds().schedule()[:2] == (burn + first, burn + first + defaults.ASSETS.extra_sweeps)
    assert Rounds().schedule()[-1] == defaults.ASSETS.max_sweeps
    with pytest.raises(ArgumentError, match=r"^first_sweeps: expected an integer >= 4, got 2$"):
        Rounds(2, 10, 100)
    with pytest.raises(ArgumentError, match=r"^burn_sweeps: expected an integer >= 0, got -1$"):
        Rounds(20, 10, 100, burn=-1)
    with pytest.raises(ArgumentError,
                       match=r"^max_sweeps: expected at least burn_sweeps \+ first_sweeps \(60\), got 50$"):
        Rounds(50, 10, 50, burn=10)


@pytest.mark.parametrize("cores", [1, 2])
def test_rounds_continue_every_chain_and_keep_all_after_the_warm_up(model: AssetResponseModel, cores: int) -> None:
    """No restart: after 8 warm-up sweeps and rounds of 12 + 10 kept, the kept draws are the last 22 of one
    30-sweep run."""
    seen: list[int] = []

    def gate(kept: GibbsDraws) -> bool:
        seen.append(kept.nu.shape[1])
        return len(seen) == 2

    out, record = gibbs_to_gate(model.design, chains=6, rng=np.random.default_rng(3), gate=gate,
                                rounds=Rounds(12, 10, 100, burn=8), cores=cores)
    ref = gibbs_sample(model.design, draws=30, tune=0, chains=6, rng=np.random.default_rng(3))
    assert seen == [12, 22]
    assert record == GateRecord(sweeps=30, rounds=2, gate_met=True, cap=100, burn=8)
    assert record.reason == "gate met at round 2 (30 sweeps a chain, the first 8 warm-up)"
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(out, name), getattr(ref, name)[:, 8:], err_msg=name)


def test_the_cap_fails_the_gate_with_one_line(model: AssetResponseModel) -> None:
    with pytest.warns(FitFailedWarning, match=r"^FIT FAILED THE CONVERGENCE GATE: .*bulk ESS \d+ < 400 for .*"
                                              r" \(after 40 sweeps a chain, the cap max_sweeps=40\)$"):
        res = model.fit(chains=4, rng=1, burn_sweeps=10, first_sweeps=10, extra_sweeps=15, max_sweeps=40)
    s = res.settings
    assert (s["sweeps"], s["rounds"], s["max_sweeps"], s["draws"], s["tune"]) == (40, 3, 40, 30, 10)
    assert s["stop"] == "cap of 40 sweeps a chain reached after 3 rounds, gate not met"
    assert res.idata["posterior"].sizes["draw"] == 30
    assert res.idata["posterior"].attrs["tuning_steps"] == 10
    assert not res.diagnostics.passed
    assert "sampled to the convergence gate: cap of 40 sweeps" in str(res)
    assert asset_sampling(s, res.diagnostics.passed) == {
        "sweeps": 40, "warm_up": 10, "rounds": 3, "gate_met": False, "cap": 40, "reason": s["stop"]}


def test_a_fixed_count_is_kept_and_recorded(model: AssetResponseModel) -> None:
    with pytest.warns(FitFailedWarning):
        res = model.fit(draws=30, chains=2, rng=1)
    assert "sweeps" not in res.settings and (res.settings["draws"], res.settings["tune"]) == (30, 200)
    assert asset_sampling(res.settings, False) == {
        "sweeps": 230, "warm_up": 200, "rounds": None, "gate_met": False, "cap": None,
        "reason": "fixed count: 200 warm-up + 30 kept per chain"}
    with pytest.raises(ArgumentError, match=r"^tune: set draws too \(a fixed count\), or neither .*got tune=100$"):
        model.fit(tune=100, rng=1)


def test_fit_defaults_are_the_table() -> None:
    for method in (AssetResponseModel.fit, AssetResponseModel.fit_shock_draws):
        params = inspect.signature(method).parameters
        assert params["burn_sweeps"].default == defaults.ASSETS.burn_sweeps == 100
        assert params["first_sweeps"].default == defaults.ASSETS.first_sweeps == 400
        assert params["extra_sweeps"].default == defaults.ASSETS.extra_sweeps == 100
        assert params["max_sweeps"].default == defaults.ASSETS.max_sweeps == 4000


def test_spec_keys(tmp_path: Path) -> None:
    text = (ROOT / "models" / "demo.toml").read_text()
    ok = tmp_path / "ok.toml"
    ok.write_text(text.replace("[assets]\n", "[assets]\nburn_sweeps = 50\nfirst_sweeps = 200\nextra_sweeps = 100\n"
                                         "max_sweeps = 900\n", 1))
    a = load_spec(ok).assets
    assert a is not None and (a.burn_sweeps, a.first_sweeps, a.extra_sweeps, a.max_sweeps) == (50, 200, 100, 900)
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("[assets]\n", "[assets]\ntune = 300\n", 1))
    with pytest.raises(SpecError, match=re.escape("tune: set draws too (a fixed count), or neither")):
        load_spec(bad)
    bad.write_text(text.replace("[assets]\n", "[assets]\nfirst_sweeps = 500\nmax_sweeps = 400\n", 1))
    with pytest.raises(SpecError, match=re.escape("max_sweeps: expected at least burn_sweeps + first_sweeps (600), "
                                                  "got 400")):
        load_spec(bad)


def test_manifest_records_the_sampling(demo) -> None:
    _, panel = demo
    sampling = {"sweeps": 800, "rounds": 2, "gate_met": True, "cap": 4000, "reason": "gate met at round 2"}
    out = manifest({"seed": 1}, panel, timings={}, files=[], spec_file=None, sampling=sampling)
    assert out["sampling"] == sampling
    assert manifest({"seed": 1}, panel, timings={}, files=[], spec_file=None)["sampling"] is None


def _arviz_triple(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import arviz as az

    ds = az.convert_to_dataset({"v": x})
    return az.rhat(ds)["v"].values, az.ess(ds, method="bulk")["v"].values, az.ess(ds, method="tail")["v"].values


@pytest.mark.parametrize(("shape", "kind"), [((8, 200, 6), "ar"), ((4, 101, 3), "ar"), ((2, 9, 4), "iid"),
                                             ((8, 600, 4), "sticky"), ((3, 300, 5), "anti")])
def test_vectorised_rhat_and_ess_equal_arviz(shape: tuple[int, int, int], kind: str) -> None:
    """The numpy R-hat, bulk and tail ESS (the per-round gate check and diagnose()) equal arviz's
    element-by-element values to 1e-10."""
    from causalmacro.bayes.diagnostics import ess_bulk, ess_tail, rhat_rank

    rng = np.random.default_rng(sum(shape))
    e = rng.normal(size=shape)
    phi = {"ar": 0.7, "iid": 0.0, "sticky": 0.97, "anti": -0.6}[kind]
    x = np.empty(shape)
    x[:, 0] = e[:, 0]
    for t in range(1, shape[1]):
        x[:, t] = phi * x[:, t - 1] + e[:, t]
    x[:, :, 0] += np.arange(shape[0])[:, None] * 1.5  # chains apart: R-hat well above 1
    x[:, :, -1] = np.round(x[:, :, -1])  # ties: average ranks
    r_az, e_az, t_az = _arviz_triple(x)
    np.testing.assert_allclose(rhat_rank(x), r_az, rtol=1e-10, atol=0)
    np.testing.assert_allclose(ess_bulk(x), e_az, rtol=1e-10, atol=0)
    np.testing.assert_allclose(ess_tail(x), t_az, rtol=1e-10, atol=0)
    assert rhat_rank(x)[0] > 1.05  # the test could fail: a real spread between chains


def test_gate_check_equals_diagnose_on_a_gibbs_fit(model: AssetResponseModel) -> None:
    """What the rounds check each round (raw arrays, the rank copies skipped) is the final diagnose()'s gate."""
    from causalmacro.bayes.diagnostics import gate_check
    from causalmacro.bayes.sampling import RANK_COPIES

    with pytest.warns(FitFailedWarning):
        res = model.fit(draws=150, tune=100, chains=4, rng=2)
    post = res.idata["posterior"]
    arrays = {name: post[name].values for name in post.data_vars if name not in RANK_COPIES}
    passed, max_rhat, min_ess = gate_check(arrays)
    assert passed == res.diagnostics.passed
    np.testing.assert_allclose([max_rhat, min_ess], [res.diagnostics.max_rhat, res.diagnostics.min_ess_bulk],
                               rtol=1e-10)


def test_diagnose_equals_arviz_on_a_gibbs_fit(model: AssetResponseModel) -> None:
    """diagnose() (numpy, every element at once) gives arviz's worst R-hat, bulk and tail ESS, and the same labels."""
    import arviz as az

    from causalmacro.bayes.diagnostics import _extreme, diagnose

    with pytest.warns(FitFailedWarning):
        res = model.fit(draws=150, tune=100, chains=4, rng=3)
    post = res.idata["posterior"]
    ours = diagnose(res.idata)

    def values(ds: Any) -> dict[str, np.ndarray]:
        return {k: np.asarray(v.values) for k, v in ds.data_vars.items()}

    r_az, r_name = _extreme(post, values(az.rhat(post)), "max")
    b_az, b_name = _extreme(post, values(az.ess(post, method="bulk")), "min")
    t_az, _ = _extreme(post, values(az.ess(post, method="tail")), "min")
    np.testing.assert_allclose([ours.max_rhat, ours.min_ess_bulk, ours.min_ess_tail], [r_az, b_az, t_az], rtol=1e-10)
    assert (ours.worst_rhat, ours.worst_ess) == (r_name, b_name)
    assert ours.max_rhat > 1.0 and not ours.passed  # 150 draws: short enough to fail, so the labels mean something


def test_first_failing_agrees_with_gate_check_and_checks_the_named_variable_first() -> None:
    """The per-round check decides as gate_check does; it names the failing variable, the one asked first."""
    from causalmacro.bayes.diagnostics import first_failing, gate_check

    rng = np.random.default_rng(11)
    good = rng.normal(size=(4, 400, 3))
    bad = rng.normal(size=(4, 400, 2))
    bad[:, :, 1] += np.arange(4)[:, None]  # chains apart: R-hat far above 1.01
    sticky = np.cumsum(rng.normal(size=(4, 400)), axis=1)  # a random walk: bulk ESS far below 400
    assert first_failing({"good": good}) is None and gate_check({"good": good})[0]
    draws = {"good": good, "bad": bad, "sticky": sticky}
    assert not gate_check(draws)[0]
    assert first_failing(draws) == "bad"  # the declared order
    assert first_failing(draws, ["sticky"]) == "sticky"  # the named variable first
    assert first_failing(draws, ["good", "missing"]) == "bad"


def test_rhat_and_ess_are_remembered_by_value_not_by_object() -> None:
    """diagnose() reuses the last gate check's numbers for the same draws (equal bytes), and only for those."""
    from causalmacro.bayes import diagnostics as d

    x = np.random.default_rng(5).normal(size=(4, 300, 3))
    first = d._rhat_and_bulk_ess(x)
    again = d._rhat_and_bulk_ess(x.copy())  # another object, the same values: the remembered arrays
    assert again[0] is first[0] and again[1] is first[1]
    y = x.copy()
    y[0, 0, 0] += 1e-9  # one draw changed: computed afresh
    assert d._rhat_and_bulk_ess(y)[0] is not first[0]
    assert not first[0].flags.writeable  # the remembered arrays cannot be changed by a caller
    r = d.rhat_rank(x)
    r[0] = 99.0  # the public functions return copies
    assert d.rhat_rank(x)[0] != 99.0
