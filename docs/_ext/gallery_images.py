"""The example gallery's images: legible and sharp at the width the article shows them.

sphinx-gallery's matplotlib scraper saves each figure at the figure's own dpi, and an example's page
shows the image at its natural width, at most the article's (about 900 px in a 1280-px window). ``conf.py``
names :func:`scraper` in ``image_scrapers``: it enlarges each open figure's text until its tick labels are
legible at the article's width (:func:`legible.legible`: the example's code is unchanged, only how the
site draws it), hands the matplotlib scraper a dpi at which the narrowest figure is at least twice the
article's width (the page then shows the image at the article's width, sharp on high-density screens), and
writes into each PNG its smallest tick label's height in image pixels (:data:`legible.TICK_KEY`), which
``tests/test_docs.py`` measures against the width the page shows. The thumbnails are cut from these images.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

from legible import ARTICLE_PX, legible, png_metadata


def scraper(block: Any, block_vars: dict[str, Any], gallery_conf: dict[str, Any], **kwargs: Any) -> str:
    """sphinx-gallery's matplotlib scraper, on figures made legible at ``ARTICLE_PX`` and saved at a dpi that makes
    them ``2 * ARTICLE_PX`` wide or more."""
    from matplotlib import pyplot as plt
    from sphinx_gallery.scrapers import matplotlib_scraper

    figures = [plt.figure(number) for number in plt.get_fignums()]
    for fig in figures:
        legible(fig, ARTICLE_PX)
    if figures:  # one dpi for the block's figures (savefig's dpi="figure" keeps the dpi the figure was made with)
        kwargs.setdefault("dpi", math.ceil(2 * ARTICLE_PX / min(fig.get_figwidth() for fig in figures)))
    with _tick_metadata():
        return matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)


@contextlib.contextmanager
def _tick_metadata() -> Iterator[None]:
    """While the scraper saves: each PNG carries its figure's smallest tick label in image px."""
    from matplotlib.figure import Figure

    save = Figure.savefig

    def savefig(self: Figure, fname: Any, *args: Any, **kw: Any) -> None:
        if str(fname).endswith(".png"):
            dpi = kw.get("dpi", "figure")
            kw["metadata"] = {**(kw.get("metadata") or {}),
                              **png_metadata(self, self.dpi if dpi == "figure" else float(dpi))}
        save(self, fname, *args, **kw)

    Figure.savefig = savefig  # type: ignore[method-assign]
    try:
        yield
    finally:
        Figure.savefig = save  # type: ignore[method-assign]
