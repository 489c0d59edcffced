"""The reference pages: every citation has one entry, CITATION.cff is valid, the version watermark is current.

Citations are found by ``docs/_ext/cm_citations.py``'s rule (a chain of surnames
then a year) in every page under ``docs/`` and in the package's sources, which
hold the docstrings and the report's texts; the same rule links them on the site.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

import causalmacro as cm

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

from cm_citations import citations, entries, resolve  # noqa: E402
from cm_watermark import watermark_text  # noqa: E402


def _read(path: Path) -> str:
    """A file's text with string literals split over lines and comment continuations joined, entities decoded."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        text = re.sub(r"[\"']\s*\n\s*[rbf]*[\"']", "", text)
        text = re.sub(r"\n\s*#:?\s*", " ", text)
    return text.replace("&amp;", "&")


def _sources() -> list[Path]:
    pages = [p for p in DOCS.rglob("*") if p.suffix in (".md", ".rst") and not {"_build", "_generated"} & set(p.parts)
             and p.name not in ("references.md", "changelog.md")]
    return sorted(pages + list((ROOT / "causalmacro").rglob("*.py")))


def test_every_citation_has_an_entry() -> None:
    known = entries()
    missing = []
    for path in _sources():
        for m, words, year in citations(_read(path)):
            if resolve(words, year, known) is None:
                missing.append(f"{path.relative_to(ROOT)}: {' '.join(m.group(0).split())!r}")
    assert not missing, "cited but not on docs/references.md:\n" + "\n".join(missing)


def test_every_work_is_listed_once_and_cited() -> None:
    known = entries()
    assert len(known) >= 90
    keys = Counter((e.surnames, e.year) for e in known)
    assert [k for k, n in keys.items() if n > 1] == []
    assert len({e.anchor for e in known}) == len(known)
    corpus = " ".join(re.sub(r"\s+", " ", _read(p)) for p in _sources())
    from cm_citations import fold

    folded = fold(corpus)
    uncited = [e.anchor for e in known
               if not re.search(rf"{re.escape(e.surnames[0].split()[-1])}\W.{{0,120}}?{e.year}", folded)]
    assert uncited == []


def test_rule_reads_the_citation_forms_the_pages_use() -> None:
    known = entries()
    text = ("(Lütkepohl 2005, sec. 4.3); Uhlig (2005); (Gelman et al., 2013); van Dyk & Park 2008; "
            "Antolín-Díaz, Petrella &\nRubio-Ramírez 2021; in October 2025; CBBTCUSD 2014")
    found = [resolve(w, y, known) for _, w, y in citations(text)]
    assert [e.anchor if e else None for e in found] == [
        "ref-lutkepohl-2005", "ref-uhlig-2005", "ref-gelman-etal-2013", "ref-dyk-park-2008", "ref-antolin-diaz-etal-2021"]
    # a later co-author alone is not the work
    assert [resolve(w, y, known) for _, w, y in citations("(Zha 1999)")] == [None]


def test_citation_cff_is_valid_and_current() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    for key in ("cff-version", "message", "title", "authors"):  # the CFF 1.2.0 required keys
        assert cff[key], key
    assert all(isinstance(a, dict) and (a.get("name") or a.get("family-names")) for a in cff["authors"])
    assert str(cff["version"]) == cm.__version__
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^version = "([^"]+)"', pyproject, re.MULTILINE).group(1) == cm.__version__  # type: ignore[union-attr]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(cff["date-released"]))


def test_watermark_names_the_installed_versions() -> None:
    text = watermark_text()
    assert text.startswith(f"Executed with causalmacro {cm.__version__}, ")
    for lib in ("numpy", "pandas", "statsmodels", "pymc", "arviz"):
        assert f"{lib} {version(lib)}" in text


@pytest.fixture(scope="module")
def built() -> Path:
    import os

    path = os.environ.get("CAUSALMACRO_DOCS_HTML")
    if not path or not (Path(path) / "index.html").is_file():
        pytest.skip("set CAUSALMACRO_DOCS_HTML to a built site")
    return Path(path)


def test_built_site_links_citations_and_stamps_executed_pages(built: Path) -> None:
    chain = (built / "concepts" / "chain.html").read_text(encoding="utf-8")
    assert re.search(r'href="\.\./references\.html#ref-rubio-ramirez-etal-2010"', chain)
    refs = (built / "references.html").read_text(encoding="utf-8")
    assert 'id="ref-lutkepohl-2005"' in refs
    page = (built / "howto" / "python-results.html").read_text(encoding="utf-8")
    assert f"Executed with causalmacro {cm.__version__}" in page
    assert "Executed with" not in (built / "glossary.html").read_text(encoding="utf-8")
    cite = (built / "cite.html").read_text(encoding="utf-8")
    assert f"version = {{{cm.__version__}}}" in cite
