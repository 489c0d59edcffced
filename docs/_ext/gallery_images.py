"""The example gallery's images: saved at least twice as wide as the article shows them.

sphinx-gallery's matplotlib scraper saves each figure at the figure's own dpi, and an example's page
shows the image at its natural width, at most the article's (about 900 px in a 1280-px window). ``conf.py``
names :func:`scraper` in ``image_scrapers``: it hands the matplotlib scraper a dpi at which the narrowest
open figure is at least twice the article's width; the page then shows the image at the article's width,
sharp on high-density screens (``tests/test_docs.py`` checks every image at 2x). The figure's layout is
unchanged: text and lines are sized in points, which scale with the dpi. The thumbnails are cut from these
images.
"""

from __future__ import annotations

import math
from typing import Any

#: a little over the widest the article shows an image at 1280 px (896 px on pages without section navigation)
ARTICLE_PX = 920


def scraper(block: Any, block_vars: dict[str, Any], gallery_conf: dict[str, Any], **kwargs: Any) -> str:
    """sphinx-gallery's matplotlib scraper, on figures whose dpi makes them ``2 * ARTICLE_PX`` wide or more."""
    from matplotlib import pyplot as plt
    from sphinx_gallery.scrapers import matplotlib_scraper

    widths = [plt.figure(number).get_figwidth() for number in plt.get_fignums()]
    if widths:  # one dpi for the block's figures (savefig's dpi="figure" keeps the dpi the figure was made with)
        kwargs.setdefault("dpi", math.ceil(2 * ARTICLE_PX / min(widths)))
    return matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)
