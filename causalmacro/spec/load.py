"""Reading specs: TOML files and mappings validated by :mod:`causalmacro.spec.schema`.

Every failure is one :class:`~causalmacro.errors.SpecError` line naming the file
and the key, with a "did you mean" hint where a near match exists.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import SpecError
from .schema import ModelSpec, _hint, _KeyError

__all__ = ["dump_json_schema", "json_schema", "load_spec", "parse_spec"]


def _fields_at(loc: Sequence[str | int]) -> list[str]:
    """Allowed keys of the model at a location, for "did you mean" hints."""
    model: Any = ModelSpec
    for part in loc[:-1]:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
        field = model.model_fields.get(str(part))
        if field is None:
            # a dict entry such as series.<name>: step into the value type
            if model is ModelSpec:
                return []
            continue
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        nxt = next((a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if nxt is None and args:  # dict[str, Model]
            nxt = next((a for a in args[-1:] if isinstance(a, type) and issubclass(a, BaseModel)), None)
        model = nxt
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or name for name, f in model.model_fields.items()]  # the TOML key ("lambda")
    return []


_TAG = re.compile(r"^(function-\w+|literal|list|dict|tuple|set|frozenset)\[.*\]$")


def _union_loc(errors: Sequence[Any]) -> tuple[tuple[str | int, ...], list[Any]]:
    """The first error's location without union-member tags, and the errors of its other members.

    Pydantic reports a value that fits no member of a union once per member,
    each location carrying the member's name (``var.lags.int``,
    ``var.lags.literal['aic','bic','hqic']``): those errors share the input and
    differ in that one part of the location, which is dropped.
    """
    first = errors[0]
    loc = tuple(first["loc"])
    siblings = [
        e for e in errors[1:]
        if len(e["loc"]) == len(loc) and e.get("input") is first.get("input")
        and sum(a != b for a, b in zip(e["loc"], loc, strict=True)) == 1
    ]
    if siblings:
        i = next(i for i, (a, b) in enumerate(zip(siblings[0]["loc"], loc, strict=True)) if a != b)
        loc = (*loc[:i], *loc[i + 1:])
    loc = tuple(p for p in loc if not (isinstance(p, str) and (_TAG.match(p) or p == "[key]")))
    return loc, siblings


def _schema_at(loc: Sequence[str | int]) -> dict[str, Any] | None:
    """The published schema's node for a key path (None where it cannot be followed)."""
    root = json_schema()

    def deref(node: dict[str, Any], part: str | int | None) -> dict[str, Any]:
        if "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        if part is not None and "anyOf" in node:  # step into the alternative that has the part
            need = "items" if isinstance(part, int) else "object"
            for alt in node["anyOf"]:
                alt = deref(alt, None)
                if (need == "items" and "items" in alt) or (need == "object" and alt.get("type") == "object"):
                    return alt
        return node

    node: dict[str, Any] = root
    for part in loc:
        node = deref(node, part)
        if isinstance(part, int):
            nxt = node.get("items")
        else:
            nxt = node.get("properties", {}).get(part)
            if nxt is None:
                nxt = next(iter(node.get("patternProperties", {}).values()), node.get("additionalProperties"))
        if not isinstance(nxt, dict):
            return None
        node = nxt
    return deref(node, None)


def _describe(node: dict[str, Any]) -> str:
    """What a schema node allows, in words: ``an integer >= 1``, ``one of 'aic', 'bic' or 'hqic'``."""
    if "anyOf" in node:
        alts = [a for a in node["anyOf"] if a.get("type") != "null"]
        return " or ".join(_describe(a) for a in alts)
    if "enum" in node:
        return f"one of {_or([repr(v) for v in node['enum']])}"
    if "const" in node:
        return repr(node["const"])
    if "$ref" in node:
        return "a table"
    kind = node.get("type")
    if kind in ("integer", "number"):
        lo = node.get("minimum", node.get("exclusiveMinimum"))
        hi = node.get("maximum", node.get("exclusiveMaximum"))
        lo_op = ">=" if "minimum" in node else ">"
        hi_op = "<=" if "maximum" in node else "<"
        word = "an integer" if kind == "integer" else "a number"
        bounds = [f"{lo_op} {lo}"] if lo is not None else []
        bounds += [f"{hi_op} {hi}"] if hi is not None else []
        return f"{word} {' and '.join(bounds)}".strip()
    if kind == "string":
        return "a date (YYYY-MM-DD or YYYY-MM)" if node.get("format") == "date" else "a string"
    return {"boolean": "true or false", "array": "a list", "object": "a table"}.get(str(kind), "a valid value")


def _or(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _shown(value: Any) -> str:
    """A TOML value as the user wrote it, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return repr(value)


def _is_type_error(err: Any) -> bool:
    """A wrong type or a value out of bounds: the message says what the schema allows there."""
    etype = str(err["type"])
    return etype.endswith(("_type", "_parsing")) or etype in (
        "literal_error", "union_tag_invalid", "greater_than", "greater_than_equal", "less_than", "less_than_equal",
    )


def _format_error(where: str, errors: Sequence[Any]) -> str:
    err = errors[0]
    loc, siblings = _union_loc(errors)
    key = ".".join(str(p) for p in loc) or "(top level)"
    etype = err["type"]
    if etype == "extra_forbidden":
        bad = str(loc[-1])
        return f"{where}: unknown key '{key}'{_hint(bad, _fields_at(loc))}"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if siblings or (_is_type_error(err) and etype != "literal_error"):
        node = _schema_at(loc)
        if node is not None:
            choices = [str(v) for v in node.get("enum", [])]
            for alt in node.get("anyOf", []):
                choices += [str(v) for v in alt.get("enum", [])]
            value = err.get("input")
            hint = _hint(value, choices) if isinstance(value, str) else ""
            return f"{where}: key '{key}': expected {_describe(node)}, got {_shown(value)}{hint}"
    if etype == "literal_error":
        expected = (err.get("ctx") or {}).get("expected", "")
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",") if c.strip()]
        return f"{where}: key '{key}': {err['input']!r} is not allowed{_hint(str(err['input']), choices)}; choose from {expected}"
    if etype == "string_pattern_mismatch":
        return f"{where}: key '{key}': {err['input']!r} is not a valid name (letters, digits and '_', not starting with a digit)"
    if etype == "missing":
        return f"{where}: missing key '{key}'"
    if etype == "too_short":
        ctx = err.get("ctx") or {}
        n = ctx.get("min_length")
        return f"{where}: key '{key}': needs at least {n} {'entry' if n == 1 else 'entries'}, got {ctx.get('actual_length')}"
    return f"{where}: key '{key}': {msg}"


def _whole_floats_as_ints(value: Any) -> Any:
    """``24.0`` as ``24``, everywhere in a parsed document.

    The published JSON schema's ``integer`` takes a number with no fractional
    part, so the strict loader must too; a number field takes an ``int``
    anyway, so nothing else changes.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _whole_floats_as_ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_floats_as_ints(v) for v in value]
    return value


def parse_spec(raw: Mapping[str, Any], *, path: str | os.PathLike[str] | None = None) -> ModelSpec:
    """Validate a spec given as a mapping (parsed TOML).

    Parameters
    ----------
    raw : Mapping
        The parsed TOML document.
    path : path-like, optional
        The file it came from; relative paths in the spec resolve against its
        folder, and errors name it.

    Returns
    -------
    ModelSpec
        The validated, frozen spec.

    Raises
    ------
    SpecError
        With one line naming the file and the key at fault.
    """
    where = str(path) if path is not None else "<spec>"
    try:
        spec = ModelSpec.model_validate(_whole_floats_as_ints(dict(raw)))
    except ValidationError as exc:
        errors = exc.errors()
        for e in errors:
            ctx_err = (e.get("ctx") or {}).get("error")
            if isinstance(ctx_err, _KeyError):
                # a nested model's validator knows its keys below the model only
                outer = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
                loc = ctx_err.loc if tuple(ctx_err.loc[: len(outer)]) == outer else (*outer, *ctx_err.loc)
                key = ".".join(str(p) for p in loc)
                raise SpecError(f"{where}: key '{key}': {ctx_err.msg}") from None
        raise SpecError(_format_error(where, errors)) from None
    if path is not None:
        spec._path = Path(path).resolve()
    return spec


def load_spec(path: str | os.PathLike[str]) -> ModelSpec:
    """Read and validate a TOML model spec.

    Parameters
    ----------
    path : path-like
        A ``models/*.toml`` file.

    Returns
    -------
    ModelSpec

    Raises
    ------
    SpecError
        If the file is missing, is not valid TOML, or breaks the schema; the
        one-line message names the file and the key.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{p}: spec file not found") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise SpecError(f"{p}: cannot read spec ({type(exc).__name__})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{p}: not valid TOML: {exc}") from None
    return parse_spec(raw, path=p)


def json_schema() -> dict[str, Any]:
    """The JSON schema of model specs (published as ``docs/spec.schema.json``)."""
    schema = ModelSpec.model_json_schema(mode="validation")
    # the class docstring's first paragraph: the rest (its Attributes section) is for the API reference
    schema["description"] = str(schema.get("description", "")).split("\n\n")[0]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "causalmacro model spec"
    return schema


def dump_json_schema() -> str:
    """The JSON schema as formatted text."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
