"""A version line on every executed page: the package and the libraries its outputs came from.

Pages with code cells are executed when the site is built; a reader comparing
their numbers with their own needs the versions that produced them. At
``doctree-resolved`` each page holding an executed cell gets, under its title,
one line built by :func:`watermark_text` in the build's own environment (the
kernels run the same interpreter).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

__all__ = ["LIBRARIES", "setup", "watermark_text"]

LIBRARIES = ("numpy", "pandas", "statsmodels", "pymc", "arviz")


def watermark_text() -> str:
    """``"Executed with causalmacro 0.1.0, numpy 2.1.3, ..."``: the installed versions, at build time."""
    import causalmacro

    parts = [f"causalmacro {causalmacro.__version__}"]
    for name in LIBRARIES:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return "Executed with " + ", ".join(parts) + "."


def _stamp(app: Any, doctree: Any, docname: str) -> None:
    from docutils import nodes

    executed = any("cell" in node.get("classes", ()) for node in doctree.findall(nodes.container))
    if not executed:
        return
    line = nodes.paragraph(classes=["cm-watermark"])
    line += nodes.emphasis(text=watermark_text())
    section = doctree.next_node(nodes.section)
    title = section.next_node(nodes.title) if section is not None else None
    if title is not None:
        title.parent.insert(title.parent.index(title) + 1, line)
    else:
        doctree.insert(0, line)


def setup(app: Any) -> dict[str, Any]:
    app.connect("doctree-resolved", _stamp)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
