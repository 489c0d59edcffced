"""Figures legible at the width the site shows them: tick labels at least ``MIN_TICK_PX`` on screen.

The package draws for a notebook or a run folder's report at full size; the docs show a figure at the
article's width (about 880-920 px in a 1280-px window), often smaller than it was drawn. Three places
draw the site's figures, and each makes them legible with :func:`legible` before saving:
``docs/make_figures.py`` (the static figures of the concept pages and the case study), the example
gallery's scraper (``gallery_images.py``) and the kernels that execute the pages (``kernel_startup.py``,
the inline backend). The last two also write the smallest tick label's height in the image's own pixels
into the PNG as the text chunk :data:`TICK_KEY` (:func:`png_metadata`), so that the browser test
(``tests/test_docs.py``) measures each image as the page shows it: on-screen px = that height x the
width shown / the image's width. Only how the site draws a figure changes, never the reader's code.
"""

from __future__ import annotations

import contextlib
import textwrap
from typing import Any

from matplotlib.text import Text

#: the smallest tick label, in screen px, that counts as legible (the browser test fails under 9)
MIN_TICK_PX = 9.5
#: PNG text chunk: the smallest tick label's height in the image's pixels ("none": the figure has no tick labels)
TICK_KEY = "causalmacro:tick-px"
#: a little over the widest the article shows an image at 1280 px (896 px on pages without section navigation)
ARTICLE_PX = 920
#: the narrowest the article is at 1280 px (pages with section navigation: the how-to and concept pages)
NARROW_ARTICLE_PX = 790


def _tick_sizes(fig: Any) -> list[float]:
    """The font sizes (pt) of the figure's visible, non-empty tick labels."""
    return [t.get_fontsize() for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()
            if t.get_visible() and t.get_text()]


def tick_px(fig: Any, shown: float) -> float:
    """The smallest tick label of ``fig``, in screen px, when the saved image (``bbox_inches="tight"``) is ``shown`` px
    wide (infinite for a figure without tick labels)."""
    fig.canvas.draw()
    width = fig.get_tightbbox().width  # inches, as a tight save crops it
    sizes = _tick_sizes(fig)
    return min(sizes) * shown / (72 * width) if sizes else float("inf")


def png_metadata(fig: Any, dpi: float) -> dict[str, str]:
    """``savefig(metadata=...)`` for a PNG of ``fig`` at ``dpi``: its smallest tick label in image px (:data:`TICK_KEY`)."""
    fig.canvas.draw()
    sizes = _tick_sizes(fig)
    return {TICK_KEY: f"{min(sizes) * dpi / 72:.2f}" if sizes else "none"}


def wrap_to_width(fig: Any) -> None:
    """Wrap the figure's own texts (its title, notes) that run past its width, onto more lines.

    Enlarged, a one-line title wider than the figure would widen the saved image with the text, and the
    tick labels would shrink on screen as fast as they grow: ``legible`` would never converge.
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for text in [fig._suptitle, *fig.texts]:
        if text is None or not text.get_text():
            continue
        wide = text.get_window_extent(renderer).width
        if wide > 0.98 * fig.bbox.width:
            lines = text.get_text().splitlines()
            chars = max(10, int(max(map(len, lines)) * 0.95 * fig.bbox.width / wide))
            text.set_text("\n".join(textwrap.fill(line, chars) for line in lines))


def layout(fig: Any, top: float = 1.0) -> None:
    """``tight_layout`` under ``top`` (a fraction of the height), then narrower where a text still runs past the
    figure's sides.

    ``tight_layout`` counts an axes title only as wide as its axes, so a column title longer than its panel (the
    last column's, enlarged) would run off the figure and be cut from an image saved at the figure's size, as the
    gallery's are: the layout is redone inside a rectangle narrowed by what runs over, a few times at most.
    """
    left, right = 0.0, 1.0
    for _ in range(4):
        with contextlib.suppress(Exception):  # insets that tight_layout cannot lay out keep their places
            fig.tight_layout(rect=(left, 0, right, top))
        fig.canvas.draw()
        box, width = fig.get_tightbbox(), fig.get_figwidth()  # inches
        over_left, over_right = max(0.0, -box.x0), max(0.0, box.x1 - width)
        if over_left < 0.01 and over_right < 0.01:
            return
        left, right = left + (over_left + 0.05) / width, right - (over_right + 0.05) / width


def wrap_to_rows(fig: Any) -> bool:
    """Wrap the y-axis labels taller than their axes (an event's id and title beside a row of panels, enlarged)
    onto more, shorter lines, so that they stay beside their own row; whether any was."""
    wrapped = False
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        label = ax.yaxis.label
        if not label.get_text() or not label.get_visible():
            continue
        tall, room = label.get_window_extent(renderer).height, ax.get_window_extent(renderer).height
        if tall > 1.02 * room:
            lines = label.get_text().splitlines()
            chars = max(8, int(max(map(len, lines)) * 0.95 * room / tall))
            # the first line (a heading: the event's id) kept, the rest one paragraph wrapped again
            head, rest = (lines[0], " ".join(lines[1:])) if len(lines) > 1 else ("", lines[0])
            label.set_text("\n".join(filter(None, [head, textwrap.fill(rest, chars)])))
            wrapped = True
    return wrapped


def legible(fig: Any, shown: float) -> float:
    """Enlarge every text of ``fig`` by one factor until its tick labels are ``MIN_TICK_PX`` on screen; the factor.

    The layout is redone (under the figure's title and any banner at its top). A figure already legible at
    ``shown`` px is left as it is (factor 1).
    """
    total = 1.0
    for _ in range(10):  # text outside the axes (legends, titles beside them) widens the image: a few rounds
        px = tick_px(fig, shown)
        if px >= MIN_TICK_PX:
            return total
        factor = 1.04 * MIN_TICK_PX / px
        total *= factor
        ticks = set()
        for ax in fig.axes:
            labels = ax.get_xticklabels() + ax.get_yticklabels()
            ticks.update(id(t) for t in labels)
            shown_labels = [t for t in labels if t.get_text()]
            if shown_labels:
                ax.tick_params(labelsize=shown_labels[0].get_fontsize() * factor)
        for text in fig.findobj(Text):
            if id(text) not in ticks:  # tick labels: tick_params above, once
                text.set_fontsize(text.get_fontsize() * factor)
        wrap_to_width(fig)
        # tight_layout leaves room for the figure's title itself; other texts in the upper half (a banner) it
        # does not see: the axes go under them
        top = 1.0
        for text in fig.texts:
            box = text.get_window_extent(fig.canvas.get_renderer()).transformed(fig.transFigure.inverted())
            if text.get_text() and box.y0 > 0.5:
                top = min(top, box.y0 - 0.01)
        layout(fig, top)
        for _ in range(3):  # the layout changes the rows' heights: wrap the row labels again until they fit
            if not wrap_to_rows(fig):
                break
            layout(fig, top)
    raise AssertionError(f"tick labels stay under {MIN_TICK_PX} px at {shown} px: {tick_px(fig, shown):.1f} px")
