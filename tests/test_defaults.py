"""One defaults table (causalmacro.spec.defaults): the spec schema and the Python classes agree with it."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from causalmacro.spec import defaults, schema

TABLES = [
    (schema.VARSpec, defaults.VAR),
    (schema.AssetsSpec, defaults.ASSETS),
    (schema.LPSpec, defaults.LP),
    (schema.GraphSpec, defaults.GRAPH),
    (schema.SignSpec, defaults.SIGN),
]


@pytest.mark.parametrize(("model", "table"), TABLES, ids=[m.__name__ for m, _ in TABLES])
def test_spec_defaults_are_the_table(model: type, table: object) -> None:
    for field in dataclasses.fields(table):  # type: ignore[arg-type]
        assert model.model_fields[field.name].default == getattr(table, field.name), (model.__name__, field.name)


def test_asset_model_defaults_are_the_table() -> None:
    from causalmacro.bayes import AssetResponseModel

    assert inspect.signature(AssetResponseModel).parameters["lags"].default == defaults.ASSETS.lags
    for method in (AssetResponseModel.fit, AssetResponseModel.fit_shock_draws):
        params = inspect.signature(method).parameters
        assert params["sampler"].default == defaults.ASSETS.sampler, method.__name__
        assert params["target_accept"].default == defaults.ASSETS.target_accept, method.__name__
        assert params["chains"].default is None and params["rng"].default == 0, method.__name__


def test_trend_and_lag_rule_are_defined_once() -> None:
    """One definition each, in the defaults table (typing caches equal Literals, so identity proves nothing)."""
    import re
    from pathlib import Path

    package = Path(defaults.__file__).resolve().parents[1]
    for values in ('"n", "c", "ct", "ctt"', '"aic", "bic", "hqic"'):
        pattern = re.compile(r"^\w+ = Literal\[" + re.escape(values) + r"\]", re.MULTILINE)
        where = [str(p.relative_to(package)) for p in sorted(package.rglob("*.py")) if pattern.search(p.read_text())]
        assert where == ["spec/defaults.py"], (values, where)


def test_svar_and_local_projections_defaults_are_the_table() -> None:
    from causalmacro.lp import LocalProjections
    from causalmacro.svar import SVAR

    params = inspect.signature(SVAR).parameters
    for name in ("lags", "max_lags", "trend", "identification"):
        assert params[name].default == getattr(defaults.VAR, name), name
    assert "maxlags" not in params  # the old name is accepted, with a DeprecationWarning, but not advertised
    lp_params = inspect.signature(LocalProjections).parameters
    for field in dataclasses.fields(defaults.LP):
        assert lp_params[field.name].default == getattr(defaults.LP, field.name), field.name


def test_bvar_and_minnesota_defaults_are_the_table() -> None:
    from causalmacro.bvar import BVAR, Minnesota

    params = inspect.signature(BVAR).parameters
    assert (params["lags"].default, params["hyper"].default) == (defaults.BVAR.lags, defaults.BVAR.hyper)
    assert inspect.signature(BVAR.fit).parameters["draws"].default == defaults.BVAR.draws
    prior = Minnesota()
    for field in dataclasses.fields(defaults.MINNESOTA):
        if field.name == "b_changes":  # the spec's b = "auto" rule (build/bvar.py), not a Minnesota argument
            continue
        assert getattr(prior, field.name) == getattr(defaults.MINNESOTA, field.name), field.name
