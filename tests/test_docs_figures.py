"""docs/make_figures.py draws every docs figure legible at the width the page shows it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def make_figures() -> Any:
    spec = importlib.util.spec_from_file_location("make_figures", ROOT / "docs" / "make_figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_5x5_irf_grid_is_enlarged_until_its_tick_labels_are_legible(make_figures: Any) -> None:
    from matplotlib import pyplot as plt

    import causalmacro as cm

    rng = np.random.default_rng(0)
    data = np.zeros((200, 5))
    for t in range(1, 200):
        data[t] = 0.5 * data[t - 1] + rng.standard_normal(5)
    import pandas as pd

    names = ["a", "b", "c", "d", "e"]
    frame = pd.DataFrame(data, columns=names, index=pd.date_range("2000-01-01", periods=200, freq="MS"))
    irf = cm.SVAR(frame, order=names, lags=1).fit().irf(12)
    fig = cm.plot_irf(irf)
    shown = make_figures.ARTICLE
    # as the package draws it: 7-pt tick labels in a figure about 12 inches wide, shown 880 px wide:
    # 7 * 880 / (72 * 12) = 7.1 px on screen, the "6-px tick labels"
    before = make_figures.tick_px(fig, shown)
    width = fig.get_tightbbox().width
    assert before == pytest.approx(7 * shown / (72 * width), rel=1e-9)
    assert before < 9
    factor = make_figures.legible(fig, shown)
    after = make_figures.tick_px(fig, shown)
    assert after >= make_figures.MIN_TICK_PX
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
    assert make_figures.tick_px(fig, make_figures.CONCEPTS) >= make_figures.MIN_TICK_PX
    fig.canvas.draw()
    assert "\n" in title.get_text()
    assert title.get_window_extent().width <= fig.bbox.width
    # the saved image is the figure's width: the title no longer sets it
    assert fig.get_tightbbox().width <= fig.get_size_inches()[0] + 0.05
    plt.close(fig)
