"""Reference pages generated from the package itself, so they cannot drift.

At ``builder-inited`` this extension writes ``docs/reference/_generated/``:

- ``spec.rst``: every table and key of a spec, from :func:`causalmacro.spec.json_schema`;
- ``results.rst``: every key of ``results.json``, from
  :func:`causalmacro.report.results_schema.results_schema`;
- ``events.rst``: the shipped event catalogue, from :func:`causalmacro.event_catalogue`.

The pages under ``docs/reference/`` include them. The folder is rebuilt each
build and is not committed. Documented signatures leave private parameters out.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

__all__ = ["events_rst", "results_rst", "setup", "spec_rst"]

Schema = dict[str, Any]


# --- helpers -------------------------------------------------------------------------
def _ref_name(node: Schema) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _options(node: Schema) -> list[Schema]:
    """The alternatives of a node (``anyOf``/``oneOf``), ``null`` left out."""
    alts = node.get("anyOf") or node.get("oneOf")
    if alts is None:
        return [node]
    return [a for a in alts if a.get("type") != "null"]


def _nullable(node: Schema) -> bool:
    alts = node.get("anyOf") or node.get("oneOf") or []
    kind = node.get("type")
    return any(a.get("type") == "null" for a in alts) or (isinstance(kind, list) and "null" in kind)


_LABELS = {"labelled": "labelled array", "matrix": "matrix", "date": "date"}


def _type(node: Schema, defs: Schema) -> str:
    """A short human name of a node's type."""
    parts = []
    for alt in _options(node):
        name = _ref_name(alt)
        if name is not None:
            parts.append(_LABELS.get(name, f"table ``{name}``" if name in defs else name))
        elif "enum" in alt:
            parts.append(" | ".join(f'``{json.dumps(v)}``' for v in alt["enum"]))
        elif "const" in alt:
            parts.append(f'``{json.dumps(alt["const"])}``')
        else:
            kind = alt.get("type", "any")
            kinds = [k for k in kind if k != "null"] if isinstance(kind, list) else [kind]
            for k in kinds:
                if k == "string" and alt.get("format") in ("date", "date-time"):
                    parts.append(str(alt["format"]))
                elif k == "array" and "items" in alt:
                    parts.append(f"array of {_type(alt['items'], defs)}")
                elif k == "object" and "title" in alt.get("propertyNames", {}):
                    parts.append(f"table by {alt['propertyNames']['title']}")
                elif k == "object" and "additionalProperties" in alt and isinstance(alt["additionalProperties"], dict):
                    parts.append(f"table of {_type(alt['additionalProperties'], defs)}")
                else:
                    parts.append({"string": "string", "integer": "integer", "number": "number",
                                  "boolean": "boolean", "object": "table", "array": "array"}.get(k, k))
    text = " or ".join(dict.fromkeys(parts)) or "any"
    return text + (" or null" if _nullable(node) else "")


def _constraints(node: Schema) -> str:
    bits = []
    for alt in _options(node):
        for key, fmt in (("minimum", ">= {}"), ("maximum", "<= {}"), ("exclusiveMinimum", "> {}"),
                         ("exclusiveMaximum", "< {}"), ("minItems", "at least {} items"),
                         ("maxItems", "at most {} items"), ("minLength", "at least {} characters"),
                         ("maxLength", "at most {} characters"), ("minProperties", "at least {} entries")):
            if key in alt:
                bits.append(fmt.format(alt[key]))
        if "pattern" in alt:
            bits.append(f"matches ``{alt['pattern']}``")
        items = alt.get("items")
        if isinstance(items, dict) and "pattern" in items:
            bits.append(f"items match ``{items['pattern']}``")
    return "; ".join(dict.fromkeys(bits))


def _default(node: Schema, required: bool) -> str:
    if required:
        return "required"
    if "default" not in node:
        return ""
    value = node["default"]
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"``{str(value).lower()}``"
    return f"``{json.dumps(value)}``"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...], widths: str) -> list[str]:
    out = [".. list-table::", "   :header-rows: 1", f"   :widths: {widths}", "   :class: cm-reference", ""]
    for row in (header, *rows):
        out.append(f"   * - {row[0] or ' '}")
        out.extend(f"     - {cell or ' '}" for cell in row[1:])
    return [*out, ""]


def _heading(text: str, char: str) -> list[str]:
    return [text, char * max(len(text), 4), ""]


# --- the spec ------------------------------------------------------------------------
def _children(node: Schema) -> Iterator[tuple[str, str]]:
    """``(suffix, def name)`` of every table a key opens: ``""``, ``.<name>`` or ``[]``."""
    for alt in _options(node):
        name = _ref_name(alt)
        if name is not None:
            yield "", name
        for pattern in alt.get("patternProperties", {}).values():
            for sub in _options(pattern):
                if _ref_name(sub):
                    yield ".<name>", str(_ref_name(sub))
        items = alt.get("items")
        if isinstance(items, dict):
            for sub in _options(items):
                if _ref_name(sub):
                    yield "[]", str(_ref_name(sub))


def spec_rst(schema: Schema) -> str:
    """The spec schema as reStructuredText: one section per TOML table."""
    defs = schema.get("$defs", {})
    lines = _heading("Top-level keys", "-")
    lines += [_one_line(schema.get("description", "")), ""]
    queue: list[tuple[str, str]] = []
    rows = []
    required = set(schema.get("required", []))
    for key, node in sorted(schema["properties"].items()):
        subs = list(_children(node))
        for suffix, name in subs:
            queue.append((key + suffix if suffix != "[]" else f"[{key}]", name))
        kind = "table, see below" if subs else _type(node, defs)
        rows.append((f"``{key}``", kind, _default(node, key in required), _constraints(node),
                     _one_line(node.get("description", ""))))
    lines += _table(rows, ("Key", "Type", "Default", "Constraints", "Description"), "14 26 14 20 26")
    seen: set[str] = set()
    while queue:
        path, name = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        node = defs[name]
        title = f"[[{path.strip('[]')}]]" if path.startswith("[") else f"[{path}]"
        lines += _heading(title, "-")
        lines += [node.get("description", "").strip(), ""] if node.get("description") else []
        rows = []
        required = set(node.get("required", []))
        for key, sub in sorted(node.get("properties", {}).items()):
            subs = list(_children(sub))
            for suffix, child in subs:
                base = path.strip("[]")
                queue.append((f"[{base}.{key}]" if suffix == "[]" else f"{base}.{key}{suffix}", child))
            kind = "table, see below" if subs and suffix != "[]" else _type(sub, defs)
            rows.append((f"``{key}``", kind, _default(sub, key in required), _constraints(sub),
                         _one_line(sub.get("description", ""))))
        lines += _table(rows, ("Key", "Type", "Default", "Constraints", "Description"), "14 26 14 20 26")
    return "\n".join(lines)


# --- results.json ---------------------------------------------------------------------
def _walk(node: Schema, path: str, defs: Schema, required: bool, seen: set[str] | None = None
          ) -> Iterator[tuple[str, ...]]:
    """Rows of a key and every key under it: ``a.b``, ``a.<name>.c`` (tables keyed by names), ``a[].c`` (lists)."""
    seen = set() if seen is None else seen
    if path not in seen:  # alternatives of one key (anyOf) may share sub-keys: one row each
        seen.add(path)
        yield (f"``{path}``", _type(node, defs), "yes" if required else "", _one_line(node.get("description", "")))
    for alt in _options(node):
        props = alt.get("properties", {})
        needed = set(alt.get("required", []))
        for key in sorted(set(props) | needed):
            yield from _walk(props.get(key, {}), f"{path}.{key}", defs, key in needed, seen)
        extra = alt.get("additionalProperties")
        if isinstance(extra, dict) and (_nested(extra) or "description" in extra):
            key = alt.get("propertyNames", {}).get("title", "name")
            yield from _walk(extra, f"{path}.<{key}>", defs, False, seen)
        items = alt.get("items")
        if isinstance(items, dict) and _nested(items):
            yield from _walk(items, f"{path}[]", defs, False, seen)


def _nested(node: Schema) -> bool:
    """Whether a value schema has keys of its own to list (not a plain value or a shared shape)."""
    return any("properties" in alt or any(isinstance(alt.get(k), dict) and _nested(alt[k])
                                          for k in ("additionalProperties", "items")) for alt in _options(node))


def results_rst(schema: Schema) -> str:
    """The ``results.json`` schema as reStructuredText: one row per key, nested keys dotted."""
    defs = schema.get("$defs", {})
    lines = [_one_line(schema.get("description", "")), ""]
    rows: list[tuple[str, ...]] = []
    needed = set(schema.get("required", []))
    for key, node in sorted(schema["properties"].items()):
        rows.extend(_walk(node, key, defs, key in needed))
    lines += _table(rows, ("Key", "Type", "Always", "Contents"), "26 20 8 46")
    lines += _heading("Shared shapes", "-")
    for name, node in sorted(defs.items()):
        lines += [f"**{_LABELS.get(name, name)}**", ""]
        if node.get("description"):
            lines += [_one_line(node["description"]), ""]
        props = node.get("properties")
        if props:
            lines += [f"- ``{k}`` ({_type(v, defs)})" + (f": {_one_line(v['description'])}" if v.get("description")
                                                         else "") for k, v in props.items()]
            lines += [""]
        if "pattern" in node:
            lines += [f"a string matching ``{node['pattern']}``", ""]
    return "\n".join(lines)


# --- the events catalogue ---------------------------------------------------------------
def events_rst() -> str:
    """The shipped event catalogue as reStructuredText, by kind."""
    from causalmacro import event_catalogue

    catalogue = event_catalogue()
    lines: list[str] = []
    kinds: dict[str, list[Any]] = {}
    for event_id, event in sorted(catalogue.items(), key=lambda kv: kv[1].date):
        kinds.setdefault(event.kind, []).append((event_id, event))
    for kind, entries in kinds.items():
        lines += _heading(kind.replace("_", " ").capitalize(), "-")
        rows = []
        for event_id, event in entries:
            note = f" *{_one_line(event.note)}*" if getattr(event, "note", None) else ""
            rows.append((str(event.date), f"``{event_id}``", f"`{_one_line(event.title)} <{event.source}>`__{note}"))
        lines += _table(rows, ("Date", "Catalogue id", "Event and source"), "14 30 56")
    return "\n".join(lines)


def _generate(app: Sphinx) -> None:
    from causalmacro.report.results_schema import results_schema
    from causalmacro.spec import json_schema

    out = Path(app.srcdir) / "reference" / "_generated"
    out.mkdir(parents=True, exist_ok=True)
    for name, text in (("spec.rst", spec_rst(json_schema())), ("results.rst", results_rst(results_schema())),
                       ("events.rst", events_rst())):
        path = out / name
        if not path.exists() or path.read_text() != text:  # unchanged files keep their mtime: no needless rebuild
            path.write_text(text)


def _public_signature(app: Sphinx, what: str, name: str, obj: Any, options: Any, signature: str | None,
                      return_annotation: str | None) -> tuple[str, str | None] | None:
    """Leave private parameters (a frozen result's ``_cache``, ...) out of the documented signatures."""
    if not signature or "_" not in signature:
        return None
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    if not any(p.startswith("_") for p in sig.parameters):
        return None
    empty = inspect.Parameter.empty
    params = [p.replace(annotation=empty) for n, p in sig.parameters.items() if not n.startswith("_") and n != "self"]
    return str(sig.replace(parameters=params, return_annotation=empty)), return_annotation


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the generator and the signature filter."""
    app.connect("builder-inited", _generate)
    app.connect("autodoc-process-signature", _public_signature)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
