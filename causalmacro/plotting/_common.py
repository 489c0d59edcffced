"""What every figure shares: the grid of axes, the synthetic banner, the title, units and shock-size labels.

The signature convention of :mod:`causalmacro.plotting` is enforced here:
``title=None`` is a default title from the data, ``""`` none (:func:`title_or`);
``units`` is a mapping series -> unit, by default the data's ``attrs["units"]``
(:func:`resolve_units`); labels come from the data's attrs (``shock_size``,
``level``, ``interval``, ``scale``), never guessed (:func:`shock_phrase`); a
missing column is an :class:`~causalmacro.errors.ArgumentError` naming it
(:func:`column`); renamed keywords keep working with a ``DeprecationWarning``
(:func:`legacy_keywords`).
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import matplotlib.image as mimage
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba

from causalmacro.errors import ArgumentError
from causalmacro.labelled import has_bands, point_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SYNTHETIC_BANNER = "SYNTHETIC DEMO DATA"
DEFAULT_UNIT = "units of the series"

CLASS_COLOURS = {"crypto": "#e07b00", "equity": "#1f77b4", "safe_haven": "#7f7f7f", "credit": "#9467bd"}
"""One colour per asset class, in every figure; other classes cycle through the tab10 palette."""

_SHOCK_PHRASES = {"std": "one-s.d.", "unit": "one-unit", "unit innovation": "one-unit forecast-error"}


def class_colour(group: str) -> str:
    """The colour of an asset class (stable across figures and runs)."""
    if group in CLASS_COLOURS:
        return CLASS_COLOURS[group]
    palette = ["#2ca02c", "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#d62728"]
    return palette[sum(map(ord, group)) % len(palette)]


SAVE_DPI = 110
"""The resolution :func:`save_figure` writes at (pixels per inch)."""


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = SAVE_DPI, close: bool = True) -> None:
    """Write a figure to ``path`` (format from the suffix) and release it (``close=False``: keep it for another format).

    The figure is cropped to what it draws plus ``savefig.pad_inches`` (as
    ``bbox_inches="tight"``); a PNG is cropped by :func:`save_png_cropped` when it can be.
    The bytes depend on the figure alone: an SVG carries no date and its ids come from a fixed salt.
    """
    if str(path).endswith(".svg"):
        with plt.rc_context({"svg.hashsalt": "causalmacro"}):
            fig.savefig(path, dpi=dpi, bbox_inches="tight", metadata={"Date": None})
    elif not (str(path).endswith(".png") and save_png_cropped(fig, path, dpi=dpi)):
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
    if close:
        plt.close(fig)


def save_png_cropped(fig: Figure, path: str | os.PathLike[str], *, dpi: int) -> bool:
    """Draw ``fig`` once, crop the pixels to the ink plus ``savefig.pad_inches`` and write a PNG; False if it cannot.

    ``bbox_inches="tight"`` finds the box by laying out and measuring every artist
    once more before drawing (a sixth of the time of a figure with many tick
    labels); here the box is read from the drawn pixels that differ from the
    background. That works when everything drawn lies inside the figure: when ink
    reaches an edge (a title wider than the figure, which ``"tight"`` would widen
    the image for), or the background is transparent or not the figure's colour,
    nothing is written and False is returned, for ``savefig(bbox_inches="tight")``.
    The box is the ink's, to the pixel, where ``"tight"`` takes the text's line
    boxes (a few pixels of white more under the lowest labels).
    """
    face = plt.rcParams["savefig.facecolor"]
    colour = to_rgba(fig.get_facecolor() if isinstance(face, str) and face == "auto" else face)
    if plt.rcParams["savefig.transparent"] or colour[3] != 1:
        return False
    buf = io.BytesIO()
    fig.savefig(buf, format="rgba", dpi=dpi)
    raw = buf.getbuffer()
    # the buffer has no header: its width is the figure's in pixels, which Agg rounds from inches x dpi one way or
    # the other by a last bit; the one that divides the buffer into rows of the figure's height is it
    n, w, h = raw.nbytes // 4, fig.get_figwidth() * dpi, fig.get_figheight() * dpi
    sizes = [(c, n // c) for c in {int(w), round(w)} if c > 2 and n % c == 0 and abs(n // c - h) < 1.5]
    if len(sizes) != 1 or sizes[0][1] < 3:
        return False
    width, height = sizes[0]
    image = np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 4)
    if not np.array_equal(image[0, 0], np.round(np.asarray(colour) * 255)):
        return False
    pixels = image.view(np.uint32)[:, :, 0]
    ink = pixels != pixels[0, 0]
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not rows.size or rows[0] == 0 or cols[0] == 0 or rows[-1] == height - 1 or cols[-1] == width - 1:
        return False
    pad = round(float(plt.rcParams["savefig.pad_inches"]) * dpi)
    top, left = rows[0] - pad, cols[0] - pad
    out = np.empty((rows[-1] + 1 + pad - top, cols[-1] + 1 + pad - left, 4), dtype=np.uint8)
    out[:] = image[0, 0]  # background where the margin reaches past the figure
    part = image[max(top, 0): top + out.shape[0], max(left, 0): left + out.shape[1]]
    out[max(-top, 0): max(-top, 0) + part.shape[0], max(-left, 0): max(-left, 0) + part.shape[1]] = part
    mimage.imsave(path, out, dpi=dpi, format="png")
    return True


_PROCESS_SETTINGS = ("backend", "backend_fallback", "interactive")


def figure_settings() -> dict[str, Any]:
    """This process's ``rcParams`` but the backend's, for :func:`use_figure_settings` in another process."""
    return {k: v for k, v in plt.rcParams.items() if k not in _PROCESS_SETTINGS}


def use_figure_settings(settings: Mapping[str, Any] | None) -> None:
    """Draw with the Agg backend and ``settings`` (from :func:`figure_settings`; None: this process's own), a
    figure worker's set-up."""
    plt.switch_backend("agg")
    if settings is not None:
        plt.rcParams.update(dict(settings))  # type: ignore[arg-type]


def grid(n_rows: int, n_cols: int, axes: Any, size: float = 2.2) -> tuple[Figure, np.ndarray]:
    """A new ``n_rows x n_cols`` grid of axes, or ``axes`` reshaped to it."""
    if axes is None:
        fig, ax = plt.subplots(
            n_rows, n_cols, figsize=(size * n_cols + 1, 0.8 * size * n_rows + 1), squeeze=False, sharex=True
        )
        return fig, ax
    arr = np.asarray(axes, dtype=object)
    if arr.size != n_rows * n_cols:
        raise ArgumentError(f"axes: {arr.size} axes given, the figure needs {n_rows} x {n_cols}")
    arr = arr.reshape(n_rows, n_cols)
    return arr[0, 0].figure, arr


def one_ax(ax: Axes | None, figsize: tuple[float, float] = (7, 4)) -> tuple[Figure, Axes]:
    """A new figure with one axes, or ``ax`` and its figure."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax  # type: ignore[return-value]


def banner(fig: Figure, synthetic: bool) -> None:
    """The synthetic-data banner across the top of ``fig``."""
    if synthetic:
        fig.text(0.5, 0.995, SYNTHETIC_BANNER, ha="center", va="top", color="firebrick", fontsize=9, weight="bold")


def headline(fig: Figure, title: str | None, *, synthetic: bool, fontsize: float = 9, room: float = 0.15) -> None:
    """The figure's title under the synthetic banner, then the layout below both.

    ``room`` is the height in inches kept under the title (more for two-line
    row labels that reach up).
    """
    inch = 1 / fig.get_figheight()
    if title:
        fig.suptitle(title, fontsize=fontsize, y=1 - (0.3 if synthetic else 0.1) * inch)
    banner(fig, synthetic)
    top = (0.2 if synthetic else 0.0) + (room if title else 0.05)
    tight_below(fig, top * inch)


def tight_below(fig: Figure, drop: float) -> None:
    """``fig.tight_layout(rect=(0, 0, 1, 1 - drop))`` in one pass over the figure's text rather than two.

    With a ``rect``, matplotlib lays the figure out twice and measures every tick
    label both times, the axes unmoved in between: the second pass only lowers the
    top margin by ``drop`` and rescales ``hspace`` so that the gaps between rows
    keep their height. This does that arithmetic on the first pass's parameters
    (the same layout, a third of a figure's drawing time less on the larger grids).
    """
    fig.tight_layout()
    p = fig.subplotpars
    rows = max((spec.get_gridspec().nrows for ax in fig.axes if (spec := ax.get_subplotspec()) is not None),
               default=1)
    top = p.top - drop
    if rows > 1:
        gap = p.hspace * (p.top - p.bottom) / (rows + (rows - 1) * p.hspace)  # a gap's height, figure fraction
        height = (top - p.bottom - gap * (rows - 1)) / rows
        fig.subplots_adjust(top=top, hspace=gap / height)
    else:
        fig.subplots_adjust(top=top)


def title_or(title: str | None, default: str) -> str:
    """The title drawn: ``default`` (from the data) when ``title`` is None, none when it is ``""``."""
    return default if title is None else title


def short_unit(unit: str) -> str:
    """Compact form of a units string for a title or label (``percent change (log)`` -> ``% log change``)."""
    table = {"percent change (log)": "% log change", "percent change from a year ago": "% y/y",
             "Percent": "pp", "change in Percent": "pp change"}
    return table.get(unit, unit)


def resolve_units(units: Any, attrs: Mapping[str, Any], *, function: str, name: str | None = None) -> dict[str, str]:
    """``units`` as a mapping series -> unit; by default the data's ``attrs["units"]`` (a mapping), else none.

    A plain string (the old form of some functions) is the unit of ``name``,
    accepted with a ``DeprecationWarning``.
    """
    if units is None:
        units = attrs.get("units")
        return {str(k): str(v) for k, v in units.items()} if isinstance(units, Mapping) else {}
    if isinstance(units, str):
        if name is None:
            raise ArgumentError(f"units: a mapping series -> unit, got the string {units!r}")
        warnings.warn(f"{function}(units=...) as a string is deprecated; pass a mapping {{{name!r}: {units!r}}}",
                      DeprecationWarning, stacklevel=3)
        return {name: units}
    if not isinstance(units, Mapping):
        raise ArgumentError(f"units: a mapping series -> unit, got {type(units).__name__}")
    return {str(k): str(v) for k, v in units.items()}


def horizon_unit_of(given: str | None, attrs: Mapping[str, Any]) -> str:
    """The horizon axis's unit: ``given``, else the data's ``attrs["horizon_unit"]`` (``"months"``), else ``"periods"``."""
    if given is not None:
        return given
    return str(attrs.get("horizon_unit") or "periods")


def unit_of(units: Mapping[str, str], name: str) -> str:
    """The unit of ``name``, or the words saying it is in the units of the series."""
    return units.get(str(name), DEFAULT_UNIT)


def shock_phrase(attrs: Mapping[str, Any]) -> str | None:
    """The shock's size as the data's ``attrs["shock_size"]`` says (``"one-s.d."``, ``"one-unit"``), or None."""
    size = attrs.get("shock_size")
    if size is None:
        return None
    return _SHOCK_PHRASES.get(str(size), f"({size})")


_METHODS = {"block": "moving-block", "residual": "residual", "wild": "wild"}


def level_phrase(attrs: Mapping[str, Any], what: str) -> str:
    """``", 90% pointwise moving-block bootstrap bands"`` from the data's ``attrs``, or ``""`` without a level.

    Bootstrap bands say whether they are pointwise or joint (sup-t) and which
    bootstrap drew them (``attrs["joint"]``, ``attrs["bands"]``); other bands
    fall back on ``attrs["interval"]``, else ``what``.
    """
    level = attrs.get("level")
    if level is None:
        return ""
    share = f"{100 * float(level):.0f}%"
    method = attrs.get("bands")
    if method in _METHODS:
        kind = "joint (sup-t)" if attrs.get("joint") else "pointwise"
        return f", {share} {kind} {_METHODS[method]} bootstrap bands"
    return f", {share} {attrs.get('interval', what)}"


def column(frame: pd.DataFrame, name: str, argument: str) -> pd.Series:
    """``frame[name]``, or an ArgumentError naming the missing column and listing those there are."""
    if name not in frame.columns:
        raise ArgumentError(f"{argument}: no column {name!r}; the columns are {[str(c) for c in frame.columns]}")
    return frame[name]


def legacy_keywords(function: str, given: Mapping[str, Any], renamed: Mapping[str, str],
                    valid: list[str]) -> dict[str, Any]:
    """Map old keyword names to new ones with a ``DeprecationWarning``; an unknown keyword is an ArgumentError."""
    out: dict[str, Any] = {}
    for key, value in given.items():
        if key not in renamed:
            raise ArgumentError(f"{key}: not an argument of {function}; the arguments are {valid}")
        warnings.warn(f"{function}({key}=...) is deprecated; use {renamed[key]}=", DeprecationWarning, stacklevel=3)
        out[renamed[key]] = value
    return out


def band(a: Axes, h: np.ndarray, cell: Any, color: str, label: str, *, ls: str = "-") -> None:
    """A response line with its band (if ``cell`` has a ``bound`` dim)."""
    if has_bands(cell):
        a.fill_between(h, cell.sel(bound="lower"), cell.sel(bound="upper"), color=color, alpha=0.18, lw=0)
    cell = point_of(cell)
    a.plot(h, cell, color=color, lw=1.5, ls=ls, label=label)
