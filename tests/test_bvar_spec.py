"""``[var] estimator = "bvar"``: the spec's Bayesian VAR, its one-line errors, and the run fitted with it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import causalmacro as cm
from causalmacro.errors import SpecError
from causalmacro.pipeline.results import band_text

ROOT = Path(__file__).resolve().parents[1]
DEMO = (ROOT / "models" / "demo.toml").read_text()


def _spec(tmp_path: Path, keys: str = "", tables: str = "", scheme: str = "recursive") -> cm.ModelSpec:
    text = DEMO.replace('identification = "recursive"', f'identification = "{scheme}"\n{keys}', 1) + "\n" + tables
    path = tmp_path / "bvar.toml"
    path.write_text(text)
    return cm.load_spec(path)


def test_prior_keys_by_meaning_with_the_defaults_table(tmp_path: Path) -> None:
    spec = _spec(tmp_path, 'estimator = "bvar"', "[var.prior]\nlambda = 0.3\nsoc = 1.5\nhyper = \"fixed\"\n")
    assert spec.var is not None and spec.var.prior is not None
    p = spec.var.prior
    assert (p.lambda_, p.alpha, p.psi, p.soc, p.sur, p.hyper, p.draws) == (0.3, 2.0, None, 1.5, None, "fixed", None)
    assert spec.var.band_kind_for(200) == "posterior" and spec.var.band_kind_for(0) == "none"
    assert spec.var.posterior_draws(200) == 200
    default = _spec(tmp_path, 'estimator = "bvar"')
    assert default.var is not None and default.var.prior is None
    assert cm.build.bvar_prior(default) == cm.Minnesota()  # unset: the defaults table's prior


ERRORS = [
    ("", "[var.prior]\nlambda = 0.3\n", "recursive",
     "key 'var.prior': a prior needs estimator 'bvar'; set [var] estimator = \"bvar\" or remove [var.prior]"),
    ('bands = "posterior"', "", "recursive", "key 'var.bands': 'posterior' bands need estimator 'bvar'; use 'bootstrap'"),
    ('estimator = "bvar"', "", "non_gaussian",
     "key 'var.identification': identification 'non_gaussian' re-estimates the shocks from the residuals, which a "
     "Bayesian VAR's posterior does not describe; with estimator 'bvar' use recursive, short_run, sign or long_run"),
    ('estimator = "bvar"\ncompare = ["volatility"]', "[var.volatility]\nbreaks = [\"2020-03\"]\n", "recursive",
     "key 'var.compare.0': identification 'volatility' re-estimates the shocks from the residuals, which a "
     "Bayesian VAR's posterior does not describe; with estimator 'bvar' use recursive, short_run, sign or long_run"),
    ('estimator = "bvar"\nbands = "bootstrap"', "", "recursive",
     "key 'var.bands': 'bootstrap' bands need estimator 'ols'; a Bayesian VAR's bands are 'posterior' (or 'auto')"),
    ('estimator = "bvar"\nbias_correct = true', "", "recursive",
     "key 'var.bias_correct': bias correction applies to bootstrap bands, not to estimator 'bvar'"),
    ('estimator = "bvar"', "[var.prior]\npsi = {btc = 1.0}\n", "recursive",
     "key 'var.prior.psi': needs one value for each variable of [var].order; 'inflation' is missing"),
    ('estimator = "bvar"', "[var.prior]\nb = {inflation = 0, real_rate = 1, net_liquidity = 0, hy_spread = 1, "
     "btc = 0, gdp = 1}\n", "recursive",
     "key 'var.prior.b': needs one value for each variable of [var].order; 'gdp' is not a variable of [var].order"),
    ('estimator = "bvar"', "[var.prior]\nb = {inflation = 0, real_rate = 1}\n", "recursive",
     "key 'var.prior.b': needs one value for each variable of [var].order; 'net_liquidity' is missing"),
    ('estimator = "bvar"', "[var.prior]\nb = \"levels\"\n", "recursive",
     "key 'var.prior.b': expected a number or a table or 'auto', got the string 'levels'"),
    ('estimator = "bvar"', "[var.prior]\nlambda_ = 1.0\n", "recursive",
     "unknown key 'var.prior.lambda_' (did you mean 'lambda'?)"),
    ('estimator = "bvar"', "[var.prior]\nhyper = \"auto\"\n", "recursive",
     "key 'var.prior.hyper': 'auto' is not allowed; choose from 'fixed' or 'glp'"),
]


@pytest.mark.parametrize(("keys", "tables", "scheme", "message"), ERRORS)
def test_spec_errors_are_one_line_naming_the_key(tmp_path: Path, keys: str, tables: str, scheme: str,
                                                 message: str) -> None:
    with pytest.raises(SpecError) as err:
        _spec(tmp_path, keys, tables, scheme)
    assert str(err.value) == f"{tmp_path / 'bvar.toml'}: {message}"


def test_prior_b_a_number_a_table_or_auto(tmp_path: Path) -> None:
    spec = _spec(tmp_path, 'estimator = "bvar"', "[var.prior]\nb = 0.9\n")
    assert cm.build.bvar_prior(spec).b == 0.9 and cm.build.bvar_b(spec)[1] == "[var.prior] b"
    assert cm.build.bvar_b(_spec(tmp_path, 'estimator = "bvar"'))[1] == "the default b = 1 (random walk)"
    table = "[var.prior]\nb = {btc = 0, hy_spread = 1, net_liquidity = 0.5, real_rate = 1, inflation = 0.8}\n"
    spec = _spec(tmp_path, 'estimator = "bvar"', table)
    assert cm.build.bvar_prior(spec).b == {"inflation": 0.8, "real_rate": 1.0, "net_liquidity": 0.5,
                                           "hy_spread": 1.0, "btc": 0.0}  # in [var].order


def test_trend_other_than_a_constant_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as err:
        cm.load_spec(_write(tmp_path, DEMO.replace('trend = "c"', 'trend = "ct"', 1).replace(
            'identification = "recursive"', 'identification = "recursive"\nestimator = "bvar"', 1)))
    assert str(err.value).endswith("key 'var.trend': 'ct': the Bayesian VAR has a constant only; use trend = \"c\" "
                                   "with estimator 'bvar'")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bvar.toml"
    path.write_text(text)
    return path


def test_band_text_says_posterior_credible() -> None:
    facts = {"bands": "posterior", "level": 0.9, "reps": 500, "reps_kept": 500, "joint": False}
    assert band_text(facts) == "90% posterior credible bands from 500 draws of the Bayesian VAR"
    assert band_text({**facts, "reps_kept": 480, "reps_unidentified": 20, "joint": True}) == (
        "90% joint (sup-t) posterior credible bands from 480 of 500 draws of the Bayesian VAR; 20 unidentified "
        "ones dropped")


@pytest.fixture(scope="module")
def bvar_run(demo, tmp_path_factory: pytest.TempPathFactory) -> tuple[cm.ModelSpec, cm.RunResults]:
    _, panel = demo
    spec = _spec(tmp_path_factory.mktemp("bvar"), 'estimator = "bvar"', "[var.prior]\nsoc = 1.0\nb = \"auto\"\n")
    return spec, cm.fit_spec(spec, panel, rng=5, reps=60, assets=False)


def test_pipeline_irf_equals_the_direct_bvar_call(demo, bvar_run) -> None:
    """The run's responses are those of ``cm.BVAR(...).fit(...).structural(...)`` at the run's SVAR seed."""
    _, panel = demo
    spec, run = bvar_run
    seed, order = run.choices.svar_seed, list(spec.var.order)
    lags = run.choices.bvar["lags"]
    prior = cm.Minnesota(soc=1.0, b=(0, 1, 0, 1, 0))  # b = "auto": inflation (yoy) and btc (logdiff) are changes
    direct = cm.BVAR(panel.data[order], lags=lags, prior=prior, hyper="glp").fit(60, rng=seed)
    sres = direct.structural(cm.svar.Recursive(), rng=seed)
    irf = sres.irf(spec.var.horizon, bands=sres.posterior, level=0.9, joint=True)
    np.testing.assert_allclose(run.irf.values, irf.values, rtol=0, atol=1e-12)
    assert run.choices.bvar["hyperparameters"] == dict(direct.hyperparameters)
    assert run.choices.bvar["log_marginal_likelihood"] == direct.log_marginal_likelihood
    assert run.choices.bands == "posterior" and run.choices.bootstrap is None and run.choices.reps == 60
    assert run.irf.attrs["posterior"] == "posterior credible"


def test_run_records_the_estimator_and_what_it_left_out(bvar_run) -> None:
    _, run = bvar_run
    c = run.choices
    assert c.estimator == "bvar" and c.bvar["hyper"] == "glp" and c.bvar["searched"] == ["lambda", "soc"]
    assert c.bvar["prior"] == ("Minnesota(lambda=0.2, alpha=2, b={inflation: 0, real_rate: 1, net_liquidity: 0, "
                               "hy_spread: 1, btc: 0}, soc=1)") and c.bvar["draws"] == 60
    assert c.bvar["b"] == {"inflation": 0.0, "real_rate": 1.0, "net_liquidity": 0.0, "hy_spread": 1.0, "btc": 0.0}
    assert c.bvar["b_source"] == ('b = "auto": 0 for series in changes (diff, logdiff, yoy), 1 for levels; '
                                  "inflation (yoy) 0, real_rate (level) 1, net_liquidity (logdiff) 0, "
                                  "hy_spread (level) 1, btc (logdiff) 0")
    assert c.estimator_notes == (
        f"lag order {c.bvar['lags']} chosen by AIC on the OLS VAR (1..6)",
        "events covid_crash_2020, terra_collapse_2022, ftx_collapse_2022 stay out of the Bayesian VAR, which has no "
        "exogenous terms: no event effects",
    )
    assert run.event_effects is None and run.events is None
    assert "90% joint (sup-t) posterior credible bands from 60 draws of the Bayesian VAR" in run.summary()


def test_results_json_validates_and_round_trips_the_choices(bvar_run) -> None:
    import jsonschema

    from causalmacro.pipeline.choices import RunChoices
    from causalmacro.report.results_schema import results_schema

    _, run = bvar_run
    results = json.loads(json.dumps(run.to_dict()))
    jsonschema.validate(results, results_schema())
    assert results["choices"]["estimator"] == "bvar" and results["svar"]["posterior_draws"]["draws"] == 60
    assert RunChoices.from_dict(results["choices"]).to_dict() == results["choices"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**results, "choices": {**results["choices"], "estimator": "mcmc"}}, results_schema())
