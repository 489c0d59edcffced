"""docs/make_figures.py draws every docs figure legible at the width the page shows it."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXT = ROOT / "docs" / "_ext"


def _ext(name: str) -> Any:
    """A module of docs/_ext (the docs build puts that folder on the path, as here)."""
    if str(EXT) not in sys.path:
        sys.path.insert(0, str(EXT))
    return importlib.import_module(name)


def _legible() -> Any:
    return _ext("legible")


def _grid() -> Any:
    """A 5x5 IRF grid as the package draws it (7-pt tick labels, about 12 inches wide)."""
    import pandas as pd

    import causalmacro as cm

    rng = np.random.default_rng(0)
    data = np.zeros((200, 5))
    for t in range(1, 200):
        data[t] = 0.5 * data[t - 1] + rng.standard_normal(5)
    names = ["a", "b", "c", "d", "e"]
    frame = pd.DataFrame(data, columns=names, index=pd.date_range("2000-01-01", periods=200, freq="MS"))
    return cm.plot_irf(cm.SVAR(frame, order=names, lags=1).fit().irf(12))


@pytest.fixture(scope="module")
def make_figures() -> Any:
    spec = importlib.util.spec_from_file_location("make_figures", ROOT / "docs" / "make_figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_5x5_irf_grid_is_enlarged_until_its_tick_labels_are_legible(make_figures: Any) -> None:
    from matplotlib import pyplot as plt

    fig = _grid()
    shown = make_figures.ARTICLE
    # as the package draws it: 7-pt tick labels in a figure about 12 inches wide, shown 880 px wide:
    # 7 * 880 / (72 * 12) = 7.1 px on screen, the "6-px tick labels"
    before = make_figures.tick_px(fig, shown)
    width = fig.get_tightbbox().width
    assert before == pytest.approx(7 * shown / (72 * width), rel=1e-9)
    assert before < 9
    factor = make_figures.legible(fig, shown)
    after = make_figures.tick_px(fig, shown)
    assert after >= _legible().MIN_TICK_PX
    assert factor > 1.2
    plt.close(fig)


def test_a_figure_already_legible_is_left_alone(make_figures: Any) -> None:
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([0, 1], [0, 1])
    ax.tick_params(labelsize=10)
    # 10 pt in a ~6-inch image shown 790 px wide: 10 * 790 / (72 * 6) = 18 px
    assert make_figures.tick_px(fig, make_figures.CONCEPTS) > 15
    assert make_figures.legible(fig, make_figures.CONCEPTS) == 1.0
    assert ax.get_xticklabels()[0].get_fontsize() == 10
    plt.close(fig)


def test_a_title_wider_than_the_figure_is_wrapped_so_that_legible_converges(make_figures: Any) -> None:
    """weekly_events' failure: a one-line title wider than the figure grows with the text it enlarges."""
    from matplotlib import pyplot as plt

    fig, axes = plt.subplots(1, 5, figsize=(12.5, 4))
    for ax in axes:
        ax.plot([0, 1], [0, 1])
        ax.tick_params(labelsize=7)
    title = fig.suptitle("Estimated effects of the events (VAR dummies, each along its own shape), "
                         "90% joint (sup-t) moving-block bootstrap bands, " * 2, fontsize=12)
    fig.canvas.draw()
    assert title.get_window_extent().width > fig.bbox.width  # as drawn: the title widens the saved image
    factor = make_figures.legible(fig, make_figures.CONCEPTS)
    assert factor > 1.2
    assert make_figures.tick_px(fig, make_figures.CONCEPTS) >= _legible().MIN_TICK_PX
    fig.canvas.draw()
    assert "\n" in title.get_text()
    assert title.get_window_extent().width <= fig.bbox.width
    # the saved image is the figure's width: the title no longer sets it
    assert fig.get_tightbbox().width <= fig.get_size_inches()[0] + 0.05
    plt.close(fig)


def _screen_px(png: Path, shown: float) -> float:
    """The smallest tick label on screen when ``png`` is shown ``shown`` px wide, from the PNG's own mark, as the
    browser test reads it."""
    from PIL import Image

    with Image.open(png) as image:
        return float(image.text[_legible().TICK_KEY]) * shown / image.width


def test_the_gallery_scraper_saves_a_grid_legible_at_the_article_width(tmp_path: Path) -> None:
    from matplotlib import pyplot as plt

    gallery = _ext("gallery_images")
    legible = _legible()
    plt.close("all")
    fig = _grid()
    assert legible.tick_px(fig, legible.ARTICLE_PX) < 9  # as drawn: about 7.5 px at the article's width
    block_vars = {"image_path_iterator": iter([str(tmp_path / "sphx_glr_example_001.png")]), "example_globals": {}}
    from sphinx_gallery.gen_gallery import DEFAULT_GALLERY_CONF

    conf = {**DEFAULT_GALLERY_CONF, "image_srcset": [], "matplotlib_animations": (False, None),
            "src_dir": str(tmp_path)}
    gallery.scraper(None, block_vars, conf)
    png = tmp_path / "sphx_glr_example_001.png"
    from PIL import Image

    with Image.open(png) as image:
        assert image.width >= 2 * legible.ARTICLE_PX  # sharp: twice the width shown
    assert legible.MIN_TICK_PX <= _screen_px(png, legible.ARTICLE_PX) < 1.2 * legible.MIN_TICK_PX
    assert plt.get_fignums() == []  # the scraper closes what it saved


def test_the_mark_of_a_figure_without_tick_labels_says_so() -> None:
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots()
    ax.set_xticks([])
    ax.set_yticks([])
    assert _legible().png_metadata(fig, 100) == {_legible().TICK_KEY: "none"}
    plt.close(fig)


def test_the_pages_kernel_shows_figures_legible_and_marked(tmp_path: Path) -> None:
    # the start-up file the docs' kernels run, in an IPython shell here: an inline figure comes out legible at
    # the width the page shows it and carries its mark; the page's namespace gets no name from it
    import base64
    import os

    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython()
    before = set(shell.user_ns)
    env = dict(os.environ)
    os.environ["CAUSALMACRO_DOCS_ROOT"] = str(ROOT)
    cwd = Path.cwd()
    try:
        shell.run_cell((EXT / "kernel_startup.py").read_text(encoding="utf-8"))
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
    assert set(shell.user_ns) - before <= {"_", "__", "___", "_i", "_ii", "_iii", "_i1", "_ih", "_oh", "_dh",
                                            "In", "Out", "_1", "_i2"}
    assert not [k for k in set(shell.user_ns) - before if k.startswith("_legible") or k == "_png"]
    fig = _grid()
    data, meta = shell.display_formatter.formatters["image/png"].lookup_by_type(type(fig))(fig)  # as the kernel
    png = tmp_path / "inline.png"
    png.write_bytes(base64.b64decode(data))
    legible = _legible()
    shown = min(meta["width"], legible.ARTICLE_PX)  # the page shows the retina image at half its pixels, at most
    assert _screen_px(png, shown) >= legible.MIN_TICK_PX


def test_a_column_title_longer_than_its_panel_stays_inside_the_figure() -> None:
    # tight_layout counts an axes title only as wide as its axes: enlarged, the last column's long title ran
    # past the figure's right edge and was cut from the gallery's image (saved at the figure's size)
    from matplotlib import pyplot as plt

    legible = _legible()
    fig, axes = plt.subplots(1, 4, figsize=(8, 2.5))
    for ax in axes:
        ax.plot([0, 1], [0, 1])
        ax.tick_params(labelsize=6)
    axes[-1].set_title("1 s.d. = +18.5 % log change, a title wider than its panel", fontsize=7)
    legible.legible(fig, 500)
    fig.canvas.draw()
    box = fig.get_tightbbox()
    assert box.x0 >= 0 and box.x1 <= fig.get_figwidth()
    assert legible.tick_px(fig, 500) >= legible.MIN_TICK_PX
    plt.close(fig)


def test_a_row_label_taller_than_its_row_is_wrapped_beside_it() -> None:
    # an event's id and title beside its row of panels (plot_event_effects), enlarged, grew taller than the row and
    # ran into the next row's label
    from matplotlib import pyplot as plt

    legible = _legible()
    fig, axes = plt.subplots(3, 3, figsize=(9, 6.5))  # rows tall enough for the id, not for the title
    for row in axes:
        for ax in row:
            ax.plot([0, 1], [0, 1])
            ax.tick_params(labelsize=6)
        row[0].set_ylabel("ftx_collapse_2022\nFTX files for Chapter 11\nbankruptcy and Sam Bankman-Fried resigns",
                          fontsize=6)
    legible.legible(fig, 600)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for row in axes:
        label = row[0].yaxis.label
        assert label.get_text().splitlines()[0] == "ftx_collapse_2022"  # the heading kept on its own line
        assert label.get_window_extent(renderer).height <= 1.02 * row[0].get_window_extent(renderer).height
    plt.close(fig)
