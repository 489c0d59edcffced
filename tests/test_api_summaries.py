"""Every summary line of the API reference is a whole sentence.

The API pages' tables show the first sentence of each docstring, cut by
Sphinx's autosummary at the first ". ": a docstring whose first sentence holds
"sec. 4.3" or "e.g. " shows a fragment, and a field without a docstring of its
own shows nothing unless ``docs/_ext/cm_apidocs.py`` finds its description in
its class. These tests take the names ``docs/reference/api.rst`` lists, the
public methods, properties and fields of each class the same way the class
template does, and run Sphinx's own summary extraction on what the pages would
show, without building the site (the browser test checks the built tables).
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import pytest

import causalmacro as cm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

autosummary = pytest.importorskip("sphinx.ext.autosummary", reason="the docs toolchain is not installed")
pytest.importorskip("numpydoc", reason="the docs toolchain is not installed")

from cm_apidocs import attribute_description  # noqa: E402

#: a summary ending in one of these was cut inside its sentence
ABBREVIATION_END = re.compile(r"(?:^|[\s(])(?:sec|eq|ch|cf|pp?|e\.g|i\.e|et al|vs)\.$")


def _settings() -> object:
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser

    return get_default_settings(Parser)


def summary_problem(summary: str) -> str | None:
    """Why ``summary`` is not a whole sentence, or None."""
    text = summary.strip()
    if not text:
        return "empty"
    if ABBREVIATION_END.search(text):
        return "cut at an abbreviation"
    if text.count("(") > text.count(")") or text.count("[") > text.count("]"):
        return "ends inside parentheses"
    if not text.endswith((".", "?", "!")):
        return "ends without a full stop"
    return None


def _api_names() -> list[str]:
    text = (ROOT / "docs" / "reference" / "api.rst").read_text(encoding="utf-8")
    return re.findall(r"^   ([A-Za-z_]\w*)$", text, flags=re.MULTILINE)


def _module_attr_doc(name: str) -> str:
    from sphinx.pycode import ModuleAnalyzer

    docs = ModuleAnalyzer.for_module("causalmacro").find_attr_docs()
    return "\n".join(docs.get(("", name), []))


def _own_members(cls: type) -> dict[str, str]:
    """What the class template lists: public methods, properties and fields not inherited from outside."""
    outside = [k for k in inspect.getmro(cls)[1:] if not k.__module__.startswith("causalmacro")]
    inherited = {n for k in outside for n in dir(k)}
    fields: dict[str, None] = {}
    for klass in reversed(inspect.getmro(cls)):
        if klass.__module__.startswith("causalmacro"):
            for n, ann in getattr(klass, "__annotations__", {}).items():
                if "ClassVar" not in str(ann):
                    fields[n] = None
    fields.update(dict.fromkeys(getattr(cls, "model_fields", {})))
    names = (set(fields) | {n for n in vars(cls) if not n.startswith("_")}) - inherited
    out = {}
    for n in sorted(names):
        if n.startswith("_") or n in ("model_config", "model_post_init"):
            continue
        raw = inspect.getattr_static(cls, n, None)
        if isinstance(raw, (staticmethod, classmethod)):
            raw = raw.__func__
        if isinstance(raw, property) or inspect.isfunction(raw):
            doc = inspect.getdoc(raw) or ""
        elif n in fields:
            doc = attribute_description(cls, n) or ""
        else:
            continue  # a plain class constant: the template leaves it in the class's own text
        out[f"{cls.__name__}.{n}"] = doc
    return out


def _documented() -> dict[str, str]:
    docs: dict[str, str] = {}
    for name in _api_names():
        obj = getattr(cm, name)
        if isinstance(obj, type):
            docs[name] = inspect.getdoc(obj) or ""
            docs.update(_own_members(obj))
        elif callable(obj):
            docs[name] = inspect.getdoc(obj) or ""
        else:
            docs[name] = _module_attr_doc(name)
    return docs


def test_rule_flags_the_truncations_the_pages_had() -> None:
    assert summary_problem("Final prediction error (Lütkepohl 2005, sec.") == "cut at an abbreviation"
    assert summary_problem("Draws of the responses (bands ") == "ends inside parentheses"
    assert summary_problem("") == "empty"
    assert summary_problem("Lag order") == "ends without a full stop"
    assert summary_problem("Lag order.") is None
    assert summary_problem("Kept draws, as in the bootstrap.") is None
    assert summary_problem("Weights of the assets, e.g.") == "cut at an abbreviation"
    # Sphinx cuts the old docstring exactly where the pages did
    old = ["Final prediction error (Lütkepohl 2005, sec. 4.3), as statsmodels."]
    assert autosummary.extract_summary(old, _settings()) == "Final prediction error (Lütkepohl 2005, sec."


def test_field_descriptions_come_from_the_class() -> None:
    assert attribute_description(cm.SVARResults, "seed") == (
        "Seed of the fit; bootstrap draws asked for without ``rng`` derive from it, so bands reproduce from run "
        "to run."
    )
    assert attribute_description(cm.SVARResults, "lag_selection") == (
        "Criterion and the orders each criterion chose, when lags were selected."
    )
    assert attribute_description(cm.SVARResults, "no_such_field") is None


def test_every_api_summary_is_a_whole_sentence() -> None:
    docs = _documented()
    assert {"SVARResults.aic", "SVARResults.seed", "SVARResults.diagnostics", "BootstrapDraws.coefs"} <= set(docs)
    settings = _settings()
    bad = {}
    for name, doc in docs.items():
        summary = autosummary.extract_summary(doc.splitlines(), settings)
        problem = summary_problem(summary)
        if problem:
            bad[name] = f"{problem}: {summary!r}"
    assert not bad, "\n".join(f"{k}: {v}" for k, v in sorted(bad.items()))
