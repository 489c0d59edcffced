"""One defaults table (causalmacro.spec.defaults): the spec schema and the Python classes agree with it."""

from __future__ import annotations

import dataclasses

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
