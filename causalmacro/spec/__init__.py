"""Model specs: ``models/*.toml`` files validated by a schema.

A spec names the series of a model, where they come from, how they are aligned
and transformed, and every analysis choice of the estimators and the main job.
Unknown keys are refused and every choice is a closed set; errors name the file
and the key, with a "did you mean" hint where a near match exists.

:mod:`~causalmacro.spec.catalog` describes the known FRED series and derived
series, :mod:`~causalmacro.spec.schema` the pydantic models and
:mod:`~causalmacro.spec.load` reading and validation.

Examples
--------
>>> from causalmacro.spec import load_spec
>>> spec = load_spec("models/demo.toml")          # doctest: +SKIP
>>> spec.var.order                                 # doctest: +SKIP
['inflation', 'real_rate', 'net_liquidity', 'hy_spread', 'btc']
"""

from causalmacro.spec.events import EVENT_KINDS, CatalogueEvent, event_catalogue
from causalmacro.spec.load import dump_json_schema, json_schema, load_spec, parse_spec
from causalmacro.spec.schema import (
    AssetsSpec,
    ConditionSpec,
    DataSpec,
    EventSpec,
    GapSpec,
    GraphSpec,
    LPSpec,
    ModelSpec,
    RegimePeriod,
    RegimeSpec,
    ReportSpec,
    ScenarioSpec,
    SeriesSpec,
    ShortRunSpec,
    SignSpec,
    VARSpec,
)

__all__ = [
    "EVENT_KINDS",
    "AssetsSpec",
    "CatalogueEvent",
    "ConditionSpec",
    "DataSpec",
    "EventSpec",
    "GapSpec",
    "GraphSpec",
    "LPSpec",
    "ModelSpec",
    "RegimePeriod",
    "RegimeSpec",
    "ReportSpec",
    "ScenarioSpec",
    "SeriesSpec",
    "ShortRunSpec",
    "SignSpec",
    "VARSpec",
    "dump_json_schema",
    "event_catalogue",
    "json_schema",
    "load_spec",
    "parse_spec",
]
