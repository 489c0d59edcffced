"""Complete API summaries: an attribute without a docstring of its own takes its class's description.

The results and configuration classes describe their fields once, in the
class docstring's numpydoc ``Attributes`` (or ``Parameters``) section. A
dataclass or pydantic field has no docstring of its own, so the attribute
tables of the API pages showed it with an empty summary. At
``doctree-read`` this extension gives such an attribute the
description from its class (a pydantic field's ``description`` first), filled
into the table's empty cell when the page is read (autodoc fires no docstring
event for a field without a docstring); an attribute with a docstring keeps it. :func:`attribute_description` is the
rule, and ``tests/test_api_summaries.py`` checks every summary of the API
reference with it and with Sphinx's own first-sentence extraction.
"""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any

from sphinx.application import Sphinx

__all__ = ["attribute_description", "class_descriptions", "setup"]


def class_descriptions(cls: type) -> dict[str, str]:
    """Field name -> description from a class's numpydoc ``Attributes`` and ``Parameters`` sections.

    ``Attributes`` wins over ``Parameters``; a line ``a, b : type`` describes both names.
    A pydantic model's field ``description`` comes before both.
    """
    from numpydoc.docscrape import NumpyDocString

    out: dict[str, str] = {}
    doc = inspect.getdoc(cls) or ""
    parsed = NumpyDocString(doc)
    for section in ("Parameters", "Attributes"):
        for param in parsed[section]:
            text = " ".join(line.strip() for line in param.desc if line.strip())
            if not text:
                continue
            for name in param.name.split(","):
                out[name.strip().lstrip("*")] = text
    for name, info in getattr(cls, "model_fields", {}).items():
        if getattr(info, "description", None):
            out[name] = " ".join(str(info.description).split())
    return out


def attribute_description(cls: type, name: str) -> str | None:
    """The description the API pages give attribute ``name`` of ``cls`` when it has no docstring of its own."""
    for klass in inspect.getmro(cls):
        if klass is object:
            continue
        text = class_descriptions(klass).get(name)
        if text:
            return text
    return None


def _owner(full_name: str) -> type | None:
    """The class of ``module.Class.attr``, imported; None where it is not a class."""
    parts = full_name.split(".")
    for cut in range(len(parts) - 2, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for part in parts[cut:-1]:
                obj = getattr(obj, part)
        except AttributeError:
            return None
        return obj if isinstance(obj, type) else None
    return None


def _inline(text: str) -> list[Any]:
    """Docutils nodes of a one-line description: ``code``, :role:`target` and :math:`x` kept, the rest text."""
    from docutils import nodes

    out: list[Any] = []
    pos = 0
    for m in re.finditer(r"``(?P<code>.+?)``|:math:`(?P<math>.+?)`|:\w+:`~?(?P<ref>[^`]+?)`", text):
        out.append(nodes.Text(text[pos:m.start()]))
        if m.group("code") is not None:
            out.append(nodes.literal(m.group("code"), m.group("code")))
        elif m.group("math") is not None:
            out.append(nodes.math(m.group("math"), m.group("math")))
        else:
            name = m.group("ref").split("<")[0].strip().rsplit(".", 1)[-1]
            out.append(nodes.literal(name, name))
        pos = m.end()
    out.append(nodes.Text(text[pos:]))
    return out


def _fill(app: Sphinx, doctree: Any) -> None:
    """Give each empty summary cell of an attribute table its description from the class."""
    from docutils import nodes
    from sphinx import addnodes
    from sphinx.ext.autosummary import autosummary_table, extract_summary

    for table in doctree.findall(autosummary_table):
        for row in table.findall(nodes.row):
            cells = list(row.findall(nodes.entry))
            if len(cells) != 2 or cells[1].astext().strip():
                continue
            xrefs = list(cells[0].findall(addnodes.pending_xref))
            target = xrefs[0].get("reftarget", "") if xrefs else ""
            cls = _owner(target) if "." in target else None
            text = attribute_description(cls, target.rsplit(".", 1)[-1]) if cls is not None else None
            if not text:
                continue
            summary = extract_summary([text], doctree.settings)
            para = cells[1].next_node(nodes.paragraph) or nodes.paragraph()
            para.extend(_inline(summary))
            if para.parent is None:
                cells[1].append(para)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", _fill)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
