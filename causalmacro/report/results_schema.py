"""The JSON schema of ``results.json`` (published as ``docs/results.schema.json``).

Every labelled array is ``{name, dims, coords, values, attrs}`` (the shared
response type, :mod:`causalmacro.labelled`); every matrix is ``{index, columns,
data}``; dates are ISO strings. :func:`results_schema` is the source of truth and
a test keeps the published file and every written ``results.json`` in line with it.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["dump_results_schema", "results_schema"]

_LABELLED = {
    "type": "object",
    "required": ["name", "dims", "coords", "values", "attrs"],
    "properties": {
        "name": {"type": ["string", "null"]},
        "dims": {"type": "array", "items": {"type": "string"}},
        "coords": {"type": "object", "additionalProperties": {"type": "array"}},
        "values": {"type": "array"},
        "attrs": {"type": "object"},
    },
}
_MATRIX = {
    "type": "object",
    "required": ["index", "columns", "data"],
    "properties": {
        "index": {"type": "array", "items": {"type": "string"}},
        "columns": {"type": "array", "items": {"type": "string"}},
        "data": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
    },
}
_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}"}


def results_schema() -> dict[str, Any]:
    """The schema, as a dict."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "causalmacro results.json",
        "description": "Everything a run estimated (RunResults.to_dict()); the run folder's manifest.json says what "
                       "it read.",
        "type": "object",
        "$defs": {"labelled": _LABELLED, "matrix": _MATRIX, "date": _DATE},
        "required": ["synthetic", "spec", "choices", "panel", "svar", "irf", "fevd", "causality", "graph"],
        "properties": {
            "synthetic": {"type": "boolean", "description": "true when the data are the embedded demo"},
            "spec": {"type": "string"},
            "choices": {"type": "object", "description": "every analysis choice of the run, as used",
                        "required": ["seed", "bands", "level", "irf_horizon", "fevd_horizon", "focus"]},
            "panel": {"type": "object", "required": ["start", "end", "n_obs", "columns", "filled", "inputs", "window"],
                      "properties": {"start": {"$ref": "#/$defs/date"}, "end": {"$ref": "#/$defs/date"}}},
            "svar": {
                "type": "object",
                "required": ["variables", "lags", "trend", "nobs", "sample", "impact", "sigma_u", "params",
                             "identification", "stable", "diagnostics"],
                "properties": {
                    "variables": {"type": "array", "items": {"type": "string"}},
                    "sample": {"type": "array", "items": {"$ref": "#/$defs/date"}, "minItems": 2, "maxItems": 2},
                    "impact": {"$ref": "#/$defs/matrix"},
                    "sigma_u": {"$ref": "#/$defs/matrix"},
                    "params": {"$ref": "#/$defs/matrix"},
                },
            },
            "irf": {"$ref": "#/$defs/labelled"},
            "fevd": {"$ref": "#/$defs/labelled"},
            "channels": {"type": "object", "additionalProperties": {"$ref": "#/$defs/labelled"}},
            "causality": {"type": "array", "items": {"type": "object", "required": ["cause", "effect"]}},
            "graph": {"type": "object", "required": ["nodes", "edges"]},
            "assets": {"type": "object", "required": ["settings", "design", "diagnostics", "responses", "spectrum"]},
            "events": {"type": ["object", "null"], "description": "the event dummies of the VAR: names and the "
                       "periods each is 1", "required": ["names", "periods"]},
            "event_effects": {"oneOf": [{"$ref": "#/$defs/labelled"}, {"type": "null"}],
                              "description": "each event's effect on every variable, along its shape"},
            "regimes": {"type": "object", "required": ["time", "definitions"],
                        "properties": {"time": {"type": "array", "items": {"$ref": "#/$defs/date"}},
                                       "definitions": {"type": "object", "additionalProperties": {
                                           "type": "object", "required": ["labels", "values"]}}}},
            "lp": {"type": "object", "description": "'source -> target' -> local-projection responses",
                   "additionalProperties": {"$ref": "#/$defs/labelled"}},
            "lp_state": {"type": "object", "description": "the same, by state (a 'state' dim)",
                         "additionalProperties": {"$ref": "#/$defs/labelled"}},
            "position": {"type": ["object", "null"], "description": "where the chain stands now",
                         "required": ["date", "links", "regimes"]},
        },
    }


def dump_results_schema() -> str:
    """The schema as formatted text."""
    return json.dumps(results_schema(), indent=2, sort_keys=True) + "\n"
