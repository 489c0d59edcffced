"""Check a JSON document against the published ``results.json`` schema, key by key.

:func:`check_results` validates and then walks the document beside the schema:
every key must be named by the schema (or fall under a table keyed by names,
``additionalProperties``) with a ``description``, so that the generated
reference lists every key a user finds in a file.
"""

from __future__ import annotations

from typing import Any

import jsonschema


def _resolve(node: dict[str, Any]) -> dict[str, Any] | None:
    """None for a shared shape (``$ref`` to ``$defs``), which documents itself; else the node."""
    return None if "$ref" in node else node


def undescribed(instance: Any, node: dict[str, Any], root: dict[str, Any], path: str = "$") -> list[str]:
    """Paths of keys of ``instance`` that ``node`` does not name, or names without a description."""
    here = _resolve(node)
    if here is None:
        return []
    alts = here.get("anyOf") or here.get("oneOf")
    if alts:
        for alt in alts:
            if jsonschema.Draft202012Validator({**alt, "$defs": root["$defs"]}).is_valid(instance):
                return undescribed(instance, alt, root, path)
        return [f"{path}: matches no alternative"]
    out: list[str] = []
    if isinstance(instance, dict):
        props = here.get("properties", {})
        extra = here.get("additionalProperties")
        for key, value in instance.items():
            if key in props:
                if "description" not in props[key]:
                    out.append(f"{path}.{key}: no description")
                out += undescribed(value, props[key], root, f"{path}.{key}")
            elif isinstance(extra, dict):
                out += undescribed(value, extra, root, f"{path}.<{key}>")
            elif props:  # a table with known keys: this one is not among them
                out.append(f"{path}.{key}: not in the schema")
    elif isinstance(instance, list) and isinstance(here.get("items"), dict):
        for i, value in enumerate(instance[:5]):
            out += undescribed(value, here["items"], root, f"{path}[{i}]")
    return out


def check_results(document: Any, *, part: str | None = None) -> None:
    """Validate ``document`` (a whole ``results.json``, or its key ``part``) and check every key is described."""
    from causalmacro.report.results_schema import results_schema

    schema = results_schema()
    node = schema if part is None else {**schema["properties"][part], "$defs": schema["$defs"]}
    jsonschema.validate(document, node)
    missing = undescribed(document, node, schema)
    assert not missing, f"keys the results schema does not describe: {missing}"
