"""How the plotting layer lays figures out and saves them: the same layout as matplotlib's, cropped as ``"tight"``."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from causalmacro.plotting._common import headline, save_figure, save_png_cropped, tight_below


def _grid(rows: int, cols: int, title: str | None = "A title over the grid") -> plt.Figure:
    fig, axes = plt.subplots(rows, cols, figsize=(2.2 * cols + 1, 1.8 * rows + 1), squeeze=False, sharex=True)
    for i, ax in enumerate(axes.ravel()):
        ax.plot(np.arange(25), np.sin(np.arange(25) / (i + 2)) * 10 ** (i % 4))
        ax.set_title(f"panel {i}\nsecond line")
        ax.set_ylabel(f"row label {i}")
    if title:
        fig.suptitle(title, y=0.98)
    return fig


@pytest.mark.parametrize(("rows", "cols"), [(1, 1), (1, 3), (3, 2), (5, 5)])
def test_tight_below_lays_out_as_tight_layout_with_a_rect(rows: int, cols: int) -> None:
    """matplotlib's two-pass ``tight_layout(rect=...)`` is the reference: the same subplot parameters."""
    drop = 0.07
    ours, theirs = _grid(rows, cols), _grid(rows, cols)
    tight_below(ours, drop)
    theirs.tight_layout(rect=(0, 0, 1, 1 - drop))
    for name in ("left", "right", "top", "bottom", "wspace", "hspace"):
        assert getattr(ours.subplotpars, name) == pytest.approx(getattr(theirs.subplotpars, name), abs=1e-12), name
    plt.close("all")


def test_headline_keeps_its_figure_as_drawn_before(tmp_path: Path) -> None:
    """A figure laid out by headline() draws the same pixels as with matplotlib's rect layout."""
    ours, theirs = _grid(3, 4), _grid(3, 4)
    headline(ours, "Responses", synthetic=True)
    inch = 1 / theirs.get_figheight()
    theirs.suptitle("Responses", fontsize=9, y=1 - 0.3 * inch)
    theirs.text(0.5, 0.995, "SYNTHETIC DEMO DATA", ha="center", va="top", color="firebrick", fontsize=9, weight="bold")
    theirs.tight_layout(rect=(0, 0, 1, 1 - 0.35 * inch))
    for fig, name in ((ours, "ours.png"), (theirs, "theirs.png")):
        fig.savefig(tmp_path / name, dpi=80)
    assert np.array_equal(np.asarray(Image.open(tmp_path / "ours.png")), np.asarray(Image.open(tmp_path / "theirs.png")))
    plt.close("all")


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB")).astype(int)


def test_a_png_is_cropped_as_bbox_inches_tight(tmp_path: Path) -> None:
    """The crop read from the pixels: the same image as ``bbox_inches="tight"`` to a pixel or two at each edge
    (``"tight"`` measures text by its line boxes, a little taller than its ink), the same ink."""
    fig = _grid(2, 3)
    fig.tight_layout()
    assert save_png_cropped(fig, tmp_path / "ours.png", dpi=100)
    fig.savefig(tmp_path / "theirs.png", dpi=100, bbox_inches="tight")
    ours, theirs = _pixels(tmp_path / "ours.png"), _pixels(tmp_path / "theirs.png")
    assert abs(ours.shape[0] - theirs.shape[0]) <= 3 and abs(ours.shape[1] - theirs.shape[1]) <= 3
    pad = 10  # savefig.pad_inches 0.1 at 100 dpi
    inks = [(img < 255).any(axis=2) for img in (ours, theirs)]
    margins = []
    for ink in inks:
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        margins.append(np.array([rows[0], ink.shape[0] - 1 - rows[-1], cols[0], ink.shape[1] - 1 - cols[-1]]))
    assert list(margins[0]) == [pad] * 4  # the ink's box, then the margin
    assert (abs(margins[1] - pad) <= 3).all()  # "tight": the text's line boxes, then the margin
    assert inks[0].sum() == pytest.approx(inks[1].sum(), rel=0.02)  # the same drawing
    with Image.open(tmp_path / "ours.png") as img:
        assert img.info["dpi"] == pytest.approx((100, 100), abs=0.01)
    plt.close(fig)


def test_ink_at_the_edge_falls_back_on_bbox_inches_tight(tmp_path: Path) -> None:
    """A title wider than the figure: no crop can hold it, so the figure is saved with ``"tight"``, which widens
    the image to hold it."""
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    ax.set_title("a title far wider than the three-inch figure it sits on, by a good margin")
    assert not save_png_cropped(fig, tmp_path / "none.png", dpi=100)
    assert not (tmp_path / "none.png").exists()
    save_figure(fig, tmp_path / "wide.png", dpi=100)
    with Image.open(tmp_path / "wide.png") as img:
        assert img.size[0] > 300  # wider than the figure's 3 inches at 100 dpi


def test_a_transparent_background_falls_back_on_bbox_inches_tight(tmp_path: Path) -> None:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    with plt.rc_context({"savefig.transparent": True}):
        assert not save_png_cropped(fig, tmp_path / "t.png", dpi=100)
        save_figure(fig, tmp_path / "t.png", dpi=100)
    with Image.open(tmp_path / "t.png") as img:
        assert img.mode == "RGBA" and np.asarray(img)[0, 0, 3] == 0


def test_ink_near_the_edge_gets_the_whole_margin(tmp_path: Path) -> None:
    """Ink closer to the edge than the margin: the image is widened with background, as ``"tight"`` does."""
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    fig.tight_layout()
    fig.text(0.5, 0.995, "BANNER", ha="center", va="top", fontsize=9)
    assert save_png_cropped(fig, tmp_path / "b.png", dpi=100)
    img = _pixels(tmp_path / "b.png")
    assert (img[:10] == 255).all() and not (img[10:14] == 255).all()

