"""Dependency graph and plots: checked on their data, without looking at pixels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose

from causalmacro.graph import dependency_graph, significant_edges

NAMES = ["a", "b", "c"]


def banded_irf() -> xr.DataArray:
    h = np.arange(5)
    point = np.zeros((5, 3, 3))
    point[:, 0, 0] = point[:, 1, 1] = point[:, 2, 2] = 1.0
    point[:, 1, 0] = [0.0, 0.5, 0.3, 0.1, 0.0]  # a -> b, significant
    point[:, 2, 1] = [0.0, -0.1, -0.05, 0.0, 0.0]  # b -> c, band covers zero
    lower, upper = point - 0.15, point + 0.15
    return xr.DataArray(
        np.stack([point, lower, upper]),
        dims=["bound", "horizon", "response", "shock"],
        coords={"bound": ["point", "lower", "upper"], "horizon": h, "response": NAMES, "shock": NAMES},
        attrs={"level": 0.9, "bands": "residual", "shock_size": "std"},
    )


def path_test_of(pvalues: dict[tuple[str, str], float]) -> pd.DataFrame:
    """An irf_test table: the given raw p-values, 0.9 for every other link."""
    rows = [{"shock": s, "response": t, "statistic": 1.0, "p_value": pvalues.get((s, t), 0.9)}
            for s in NAMES for t in NAMES]
    out = pd.DataFrame(rows)
    out.attrs["horizon"] = 4
    return out


def test_edges_carry_responses_and_bands_and_the_test_decides() -> None:
    g = dependency_graph(banded_irf(), path_test=path_test_of({("a", "b"): 0.001}))
    assert significant_edges(g) == [("a", "b")]
    assert len(g.edges) == 6 and not g.edges["b", "c"]["significant"]  # unsupported edges stay, flagged
    e = g.edges["a", "b"]
    assert e["peak"] == 0.5 and e["peak_horizon"] == 1 and e["band_excludes_zero"]
    assert_allclose(e["irf"], [0.0, 0.5, 0.3, 0.1, 0.0])
    assert_allclose(e["peak_relative"], 0.5)  # b's response to its own shock is 1
    assert [g.nodes[n]["order"] for n in NAMES] == [0, 1, 2]
    table = pd.DataFrame({"cause": ["b", "c"], "effect": ["c", "a"], "granger_pvalue": [0.001, 0.5]})
    g2 = dependency_graph(banded_irf(), table, path_test=path_test_of({("a", "b"): 0.001}), alpha=0.05)
    assert significant_edges(g2) == [("a", "b")]  # a Granger p-value alone makes no edge
    assert g2.edges["b", "c"]["granger_pvalue"] == 0.002 and g2.edges["b", "c"]["granger_pvalue_raw"] == 0.001
    assert list(dependency_graph(banded_irf(), path_test=path_test_of({("a", "b"): 0.001}),
                                 keep_all=False).edges) == [("a", "b")]


def test_plot_irf_draws_the_point_and_band() -> None:
    from causalmacro.plotting import plot_irf

    irf = banded_irf()
    fig = plot_irf(irf, responses=["b"], shocks=["a", "b"], synthetic=True)
    axes = fig.axes
    assert len(axes) == 2
    line = axes[0].get_lines()[0]
    assert_allclose(line.get_ydata(), irf.sel(bound="point", response="b", shock="a"))
    assert len(axes[0].collections) == 1  # the band
    assert any("SYNTHETIC" in t.get_text() for t in fig.texts)
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_plot_functions_use_given_axes() -> None:
    import matplotlib.pyplot as plt

    from causalmacro.plotting import (
        plot_fevd,
        plot_graph,
        plot_historical_decomposition,
        plot_spectrum,
    )

    fig, ax = plt.subplots(2, 2)
    fevd = xr.DataArray(
        np.full((3, 3, 3), 1 / 3), dims=["horizon", "response", "shock"],
        coords={"horizon": [1, 2, 3], "response": NAMES, "shock": NAMES},
    )
    assert plot_fevd(fevd, "a", ax=ax[0, 0]) is fig
    t = pd.date_range("2020-01-01", periods=4, freq="MS")
    hd = xr.DataArray(
        np.ones((4, 3, 4)), dims=["time", "response", "shock"],
        coords={"time": t, "response": NAMES, "shock": [*NAMES, "deterministic"]},
    )
    assert plot_historical_decomposition(hd, "a", ax=ax[0, 1]) is fig
    total = ax[0, 1].get_lines()[0]
    assert_allclose(total.get_ydata(), 4.0)
    spectrum = pd.DataFrame(
        {"mean": [2.0, 1.0], "lower": [1.0, 0.0], "upper": [3.0, 2.0], "group": ["crypto", "equity"]},
        index=["btc", "nasdaq"],
    )
    assert plot_spectrum(spectrum, ax=ax[1, 0]) is fig
    assert plot_graph(dependency_graph(banded_irf()), ax=ax[1, 1]) is fig
    plt.close(fig)


def test_only_plotting_imports_matplotlib() -> None:
    import grimp

    graph = grimp.build_graph("causalmacro", "matplotlib")
    importers = graph.find_modules_that_directly_import("matplotlib")
    for sub in graph.find_descendants("matplotlib"):
        importers |= graph.find_modules_that_directly_import(sub)
    ours = {m for m in importers if m.startswith("causalmacro")}
    assert ours and all(m == "causalmacro.plotting" or m.startswith("causalmacro.plotting.") for m in ours), ours


def test_graph_needs_labelled_responses() -> None:
    with pytest.raises((KeyError, ValueError)):
        dependency_graph(xr.DataArray(np.zeros((2, 2)), dims=["x", "y"]))


@pytest.mark.parametrize("suffix", [".graphml", ".json"])
def test_graph_files_round_trip_every_attribute(tmp_path, suffix) -> None:
    """GraphML (list attributes as JSON strings) and node-link JSON both give back the same graph."""
    import networkx as nx

    from causalmacro.graph import read_graph, write_graph

    rng = np.random.default_rng(0)
    names = ["a", "b", "c"]
    point = rng.normal(size=(5, 3, 3))
    irf = xr.DataArray(
        np.stack([point, point - 1.0, point + 1.0], axis=-1),
        dims=("horizon", "response", "shock", "bound"),
        coords={"horizon": range(5), "response": names, "shock": names, "bound": ["point", "lower", "upper"]},
    )
    g = dependency_graph(irf, keep_all=True, groups={"a": "macro"})
    assert any(d["granger_pvalue"] is None for *_, d in g.edges(data=True))  # a None to carry through
    back = read_graph(write_graph(g, tmp_path / f"g{suffix}"))
    assert list(back.nodes(data=True)) == list(g.nodes(data=True))
    assert sorted(back.edges(data=True)) == sorted(g.edges(data=True))
    if suffix == ".graphml":  # readable by any GraphML tool: scalars native, lists as JSON text
        plain = nx.read_graphml(tmp_path / f"g{suffix}")
        edge = next(iter(plain.edges(data=True)))[2]
        assert isinstance(edge["peak"], float) and isinstance(edge["irf"], str)


def test_reading_a_bad_graph_file_is_one_line(tmp_path) -> None:
    from causalmacro.errors import DataError
    from causalmacro.graph import read_graph

    bad = tmp_path / "g.graphml"
    bad.write_text("<not graphml")
    with pytest.raises(DataError, match="not a readable graph file"):
        read_graph(bad)


def _parts(fig):
    main = fig.get_axes()[0]
    graph = next(a for a in main.child_axes if a.get_label() == "graph")
    panels = [a for a in main.child_axes if a.get_label().startswith("link ")]
    return main, graph, panels


def test_the_graph_figure_draws_exactly_the_significant_edges_each_keyed_to_a_panel() -> None:
    from matplotlib.patches import FancyArrowPatch

    from causalmacro.plotting import plot_graph

    g = dependency_graph(banded_irf(), path_test=path_test_of({("a", "b"): 0.001, ("c", "a"): 0.002}))
    assert significant_edges(g) == [("a", "b"), ("c", "a")]
    fig = plot_graph(g)
    main, graph, panels = _parts(fig)
    arrows = {p.get_gid(): p for p in graph.patches if isinstance(p, FancyArrowPatch)}
    assert set(arrows) == {"a->b", "c->a"}
    assert arrows["a->b"].get_linestyle() == "-" and arrows["c->a"].get_linestyle() == "--"  # forward, feedback
    assert arrows["a->b"].get_linewidth() > arrows["c->a"].get_linewidth()
    assert [p.get_title() for p in panels] == ["A: a -> b\nHolm p = 0.006", "B: c -> a\nHolm p = 0.01"]
    assert panels[0].lines and panels[0].collections  # the response and its band
    letters = sorted(t.get_text() for t in graph.texts if t.get_text() in ("A", "B"))
    assert letters == ["A", "B"]
    caption = main.texts[-1].get_text()
    assert caption.startswith("Arrows: the 2 of 6 chain links whose whole response path differs from zero "
                              "(Holm-adjusted sup-t test, FWER 10%); the others are omitted.")
    labels = [t.get_text() for t in graph.get_legend().get_texts()]
    assert "forward link, positive response" in labels and "feedback link (up the chain)" in labels


def test_the_graph_figure_says_plainly_when_no_link_passes() -> None:
    from matplotlib.patches import FancyArrowPatch

    from causalmacro.plotting import plot_graph

    fig = plot_graph(dependency_graph(banded_irf(), path_test=path_test_of({})))
    main, graph, panels = _parts(fig)
    assert panels == [] and not [p for p in graph.patches if isinstance(p, FancyArrowPatch)]
    texts = [t.get_text() for t in main.texts]
    assert "No chain link passes the rule: no arrow is drawn." in texts
    assert texts[-1] == ("No chain link passes the rule (Holm-adjusted sup-t test, FWER 10%): none of the 6 tested "
                         "links is drawn.")


def test_figures_say_units_shock_sizes_horizon_unit_and_class_colours() -> None:
    from matplotlib.colors import to_hex

    from causalmacro.plotting import CLASS_COLOURS, plot_irf, plot_spectrum

    fig = plot_irf(banded_irf(), units={"a": "Percent", "b": "percent change (log)"}, horizon_unit="months")
    top, bottom = fig.get_axes()[0], fig.get_axes()[-1]
    assert top.get_title() == "shock: a\n1 s.d. = +1 pp"  # a's impact on itself is 1.0
    assert "(pp)" in top.get_ylabel() and bottom.get_xlabel() == "horizon (months)"  # as in the titles
    assert "one-s.d. structural shocks" in fig._suptitle.get_text()
    table = pd.DataFrame({"group": ["crypto", "equity"], "mean": [0.3, 0.1], "lower": [0.1, -0.1],
                          "upper": [0.5, 0.2]}, index=["btc", "spx"])
    table.attrs.update({"scale": "standardized", "level": 0.9, "horizon": 2})
    ax = plot_spectrum(table).get_axes()[0]
    colours = [to_hex(line.get_color()) for line in ax.get_lines() if line.get_marker() == "o"]
    assert colours == [CLASS_COLOURS["crypto"], CLASS_COLOURS["equity"]]
    assert "s.d. of the asset's return per s.d. of the shock" in ax.get_xlabel() and "90% HDI" in ax.get_xlabel()


def test_plot_irf_refuses_an_array_that_is_not_a_response_in_one_line() -> None:
    from causalmacro.errors import ArgumentError
    from causalmacro.plotting import plot_irf

    with pytest.raises(ArgumentError, match=r"a response array has dims \('horizon', 'response', 'shock'\)"):
        plot_irf(xr.DataArray(np.zeros((2, 2)), dims=["time", "variable"]))


def _overlap(a: object, b: object) -> bool:
    return bool(a.get_window_extent().overlaps(b.get_window_extent()))  # type: ignore[attr-defined]


def test_the_synthetic_banner_never_covers_a_title() -> None:
    """Figures of the demo carry a banner above their title; drawn, the two must not overlap."""
    from causalmacro.plotting import SYNTHETIC_BANNER, plot_channels, plot_irf
    from causalmacro.svar import SVAR

    rng = np.random.default_rng(0)
    y = np.zeros((200, 3))
    for t in range(1, 200):
        y[t] = 0.5 * y[t - 1] + rng.standard_normal(3) @ np.tril(np.ones((3, 3)))
    res = SVAR(pd.DataFrame(y, columns=NAMES, index=pd.period_range("2000-01", periods=200, freq="M")),
               order=NAMES, lags=1).fit()
    channels = {s: res.channel_decomposition(s, ["b"], 6) for s in ["a"]}
    for fig in (plot_channels(channels, "c", synthetic=True), plot_irf(banded_irf(), synthetic=True)):
        fig.canvas.draw()
        banner = next(t for t in fig.texts if t.get_text() == SYNTHETIC_BANNER)
        assert not _overlap(banner, fig._suptitle)  # type: ignore[attr-defined]
        assert all(not _overlap(banner, ax.title) for ax in fig.get_axes())


def test_graph_panels_never_overlap_when_every_link_of_a_five_variable_chain_is_drawn() -> None:
    """20 links pass: 20 lettered panels, each with its title and tick labels clear of every other."""
    import itertools

    from causalmacro.plotting import plot_graph

    names = ["inflation", "real_rate", "net_liquidity", "hy_spread", "btc"]
    h = np.arange(13)
    point = np.broadcast_to((0.5 + 0.5 * np.eye(5))[None], (13, 5, 5)) * np.exp(-h / 4)[:, None, None]
    irf = xr.DataArray(np.stack([point, point - 0.1, point + 0.1]), dims=["bound", "horizon", "response", "shock"],
                       coords={"bound": ["point", "lower", "upper"], "horizon": h, "response": names, "shock": names},
                       attrs={"level": 0.9, "bands": "residual"})
    test = pd.DataFrame([{"shock": s, "response": r, "p_value": 0.0} for s in names for r in names])
    fig = plot_graph(dependency_graph(irf, path_test=test))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    _, _, panels = _parts(fig)
    assert len(panels) == 20
    boxes = {a.get_title(): a.get_tightbbox(renderer) for a in panels}
    touching = [(p, q) for p, q in itertools.combinations(boxes, 2) if boxes[p].overlaps(boxes[q])]
    assert touching == []


def test_an_edge_without_the_significant_attribute_is_an_error_not_significant() -> None:
    import networkx as nx

    from causalmacro.errors import DataError

    g = nx.DiGraph()
    g.add_edge("a", "b", significant=True)
    g.add_edge("b", "c", significant=False)
    assert significant_edges(g) == [("a", "b")]
    g.add_edge("c", "d")
    with pytest.raises(DataError) as info:
        significant_edges(g)
    assert str(info.value) == ("edge c -> d has no 'significant' attribute: build the graph with "
                               "dependency_graph() or read it with read_graph()")
