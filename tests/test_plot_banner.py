"""The synthetic-data banner and a figure's title do not overlap, whatever the size of the grid."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import xarray as xr

from causalmacro.plotting import SYNTHETIC_BANNER, plot_irf


def _irf(k: int) -> xr.DataArray:
    names = [f"v{i}" for i in range(k)]
    values = np.random.default_rng(0).normal(size=(13, k, k, 3))
    return xr.DataArray(values, dims=("horizon", "response", "shock", "bound"),
                        coords={"horizon": np.arange(13), "response": names, "shock": names,
                                "bound": ["point", "lower", "upper"]},
                        attrs={"level": 0.9, "interval": "wild bootstrap, pointwise percentile", "shock_size": "std"})


@pytest.mark.parametrize(("rows", "cols"), [(1, 1), (2, 3), (5, 5)])
def test_irf_title_sits_below_the_banner(rows: int, cols: int) -> None:
    irf = _irf(5)
    fig = plot_irf(irf, responses=[f"v{i}" for i in range(rows)], shocks=[f"v{j}" for j in range(cols)], synthetic=True)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # the Agg canvas
    fig.canvas.draw()
    banner = next(t for t in fig.texts if t.get_text() == SYNTHETIC_BANNER).get_window_extent(renderer)
    title = next(t for t in fig.texts if t.get_text().startswith("Impulse responses")).get_window_extent(renderer)
    assert title.y1 <= banner.y0 + 0.5  # pixels
    boxes = [a.get_tightbbox(renderer) for a in fig.axes]
    top_of_axes = max(b.y1 for b in boxes if b is not None)
    assert top_of_axes <= title.y0 + 0.5
