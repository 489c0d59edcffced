"""Reading specs: TOML files and mappings validated by :mod:`causalmacro.spec.schema`.

Every failure is one :class:`~causalmacro.errors.SpecError` line naming the file
and the key, with a "did you mean" hint where a near match exists.
"""

from __future__ import annotations

import json
import os
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
        return list(model.model_fields)
    return []


def _format_error(where: str, err: Any) -> str:
    loc = tuple(
        p for p in err["loc"] if not (isinstance(p, str) and (p.startswith("function-") or p == "[key]"))
    )
    key = ".".join(str(p) for p in loc) or "(top level)"
    etype = err["type"]
    if etype == "extra_forbidden":
        bad = str(loc[-1])
        return f"{where}: unknown key '{key}'{_hint(bad, _fields_at(loc))}"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if etype == "literal_error":
        expected = (err.get("ctx") or {}).get("expected", "")
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",") if c.strip()]
        return f"{where}: key '{key}': {err['input']!r} is not allowed{_hint(str(err['input']), choices)}; choose from {expected}"
    if etype == "string_pattern_mismatch":
        return f"{where}: key '{key}': {err['input']!r} is not a valid name (letters, digits and '_', not starting with a digit)"
    if etype == "missing":
        return f"{where}: missing key '{key}'"
    return f"{where}: key '{key}': {msg}"


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
        spec = ModelSpec.model_validate(dict(raw))
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
        raise SpecError(_format_error(where, errors[0])) from None
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
