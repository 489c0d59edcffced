"""Author-year citations in the pages linked to their entry on ``docs/references.md``.

The pages and docstrings cite as prose does, "(Lütkepohl 2005, sec. 4.3)",
"Uhlig (2005)", "(Gelman et al., 2013)". ``docs/references.md`` lists every cited
work once, each entry under a target ``(ref-<key>)=``. At ``doctree-resolved`` this
extension finds the citations in every page's text (not in code, formulas,
titles or existing links) and links each to its entry. :func:`entries` and
:func:`citations` are the two halves of the rule; ``tests/test_references.py``
checks with them that every citation in ``docs/`` and in the package's
docstrings has exactly one entry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Entry", "citations", "entries", "resolve", "setup"]

REFERENCES = Path(__file__).resolve().parents[1] / "references.md"

_NAME = r"(?:(?:van|de|von) )?[A-Z][\w-]*"
#: a chain of surnames then a year: "Waggoner & Zha 1999", "Stock and Watson (2012", "Gelman et al., 2013"
CITATION = re.compile(
    rf"(?P<names>{_NAME}(?:(?:,\s+|\s+&\s+|\s+and\s+|-|\s+){_NAME})*)(?:\s+et\s+al\.)?(?:['\u2019]s)?,?\s+\(?"
    r"(?P<year>(?:19|20)\d\d)[a-z]?\b"
)
#: capitalised words that precede a year without being an author
NOT_AUTHORS = frozenset(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Index", "In", "Since", "Before", "After", "From", "To", "Until", "Through", "The", "Q1", "Q2", "Q3", "Q4", "H1", "H2", "Figure", "Table", "Against", "See", "As"]
)


_UNDECOMPOSED = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "ß": "ss", "ł": "l", "đ": "d"})


def fold(text: str) -> str:
    """Lower case without accents: ``Lütkepohl`` -> ``lutkepohl``."""
    text = text.translate(_UNDECOMPOSED)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


@dataclass(frozen=True)
class Entry:
    """One work on the references page."""

    anchor: str
    year: str
    surnames: tuple[str, ...]  # folded, in order
    text: str


def entries(path: Path = REFERENCES) -> list[Entry]:
    """The references page's entries: a target line ``(ref-key)=`` then ``Surname, I., ... (Year).``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for i, line in enumerate(lines):
        m = re.fullmatch(r"\((ref-[a-z0-9-]+)\)=", line.strip())
        if not m:
            continue
        text = lines[i + 1].strip()
        head = re.match(r"(?P<authors>.+?) \((?P<year>(?:19|20)\d\d)[a-z]?\)", text)
        if head is None:
            raise ValueError(f"references.md: the entry after ({m.group(1)})= has no 'Authors (Year)': {text!r}")
        authors = re.sub(r"\b(?:[A-Z]\.(?:-[A-Z]\.)?\s?)+", "", head.group("authors"))
        names = [fold(a.strip(" ,.&")) for a in re.split(r",|&| and ", authors) if a.strip(" ,.&")]
        names = [re.sub(r"^(?:van|de|von) ", "", n) for n in names]
        out.append(Entry(m.group(1), head.group("year"), tuple(names), text))
    return out


def citations(text: str) -> Iterator[tuple[re.Match[str], tuple[str, ...], str]]:
    """Every author-year citation in ``text``: the match, its folded surname words and the year."""
    for m in CITATION.finditer(text):
        words = [w for w in re.split(r",\s+|\s+&\s+|\s+and\s+|-|\s+", m.group("names")) if w not in ("van", "de", "von")]
        while words and (words[0] in NOT_AUTHORS or words[0].isupper()):
            words = words[1:]
        if not words:
            continue
        yield m, tuple(fold(w) for w in words), m.group("year")


def resolve(words: tuple[str, ...], year: str, known: list[Entry]) -> Entry | None:
    """The entry a citation names: the same year, and its first author among the cited words.

    The first author must be cited (so "Zha 1999" alone does not resolve); where several
    entries fit, the one with most cited authors wins.
    """
    fits = []
    for e in known:
        if e.year != year:
            continue
        first = re.split(r"[\s-]+", e.surnames[0])
        if first[0] in words:
            fits.append((sum(any(w in re.split(r"[\s-]+", s) for s in e.surnames) for w in words), e))
    fits.sort(key=lambda t: -t[0])
    return fits[0][1] if fits else None


def _link(app: Any, doctree: Any, docname: str) -> None:
    from docutils import nodes

    if docname == "references":
        return
    known = app.env.cm_references
    skip = (nodes.literal, nodes.literal_block, nodes.reference, nodes.title, nodes.math, nodes.math_block,
            nodes.raw, nodes.target, nodes.FixedTextElement)
    for text_node in list(doctree.findall(nodes.Text)):
        parent = text_node.parent
        if parent is None or isinstance(parent, skip) or any(isinstance(a, skip) for a in _ancestors(parent)):
            continue
        source = str(text_node)
        pieces: list[Any] = []
        last = 0
        for m, words, year in citations(source):
            entry = resolve(words, year, known)
            if entry is None:
                continue
            pieces.append(nodes.Text(source[last:m.start()]))
            uri = app.builder.get_relative_uri(docname, "references") + "#" + entry.anchor
            pieces.append(nodes.reference(m.group(0), m.group(0), refuri=uri, internal=True, classes=["cm-citation"],
                                          reftitle=entry.text.replace("*", "")))
            last = m.end()
        if pieces:
            pieces.append(nodes.Text(source[last:]))
            parent.replace(text_node, pieces)


def _ancestors(node: Any) -> Iterator[Any]:
    while node is not None:
        yield node
        node = node.parent


def _load(app: Any) -> None:
    app.env.cm_references = entries()


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", _load)
    app.connect("doctree-resolved", _link)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
