"""The dependency graph's rule: whole-path sup-t tests, adjusted for multiplicity, with a stated error rate."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose
from statsmodels.stats.multitest import multipletests

from causalmacro.errors import ArgumentError
from causalmacro.graph import dependency_graph, error_rate, significant_edges

sys.path.insert(0, str(Path(__file__).parent / "svar"))
from svar_sim import simulate_svar

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["a", "b", "c"]
LINKS = [(s, t) for s in NAMES for t in NAMES if s != t]
RAW = [0.004, 0.03, 0.2, 0.011, 0.5, 0.04]  # a->b, a->c, b->a, b->c, c->a, c->b
GRANGER = [0.01, 0.2, 0.03, 0.9, 0.02, 0.6]


def irf() -> xr.DataArray:
    point = np.zeros((4, 3, 3)) + 0.1
    return xr.DataArray(
        np.stack([point, point - 0.2, point + 0.2]), dims=["bound", "horizon", "response", "shock"],
        coords={"bound": ["point", "lower", "upper"], "horizon": np.arange(4), "response": NAMES, "shock": NAMES},
        attrs={"level": 0.9, "joint": 1},
    )


def path_test() -> pd.DataFrame:
    rows = [{"shock": s, "response": t, "statistic": 1.0, "p_value": p} for (s, t), p in zip(LINKS, RAW, strict=True)]
    rows += [{"shock": n, "response": n, "statistic": 9.0, "p_value": 0.0} for n in NAMES]  # own paths: not links
    out = pd.DataFrame(rows)
    out.attrs["horizon"] = 3
    return out


def causality() -> pd.DataFrame:
    return pd.DataFrame({"cause": [s for s, _ in LINKS], "effect": [t for _, t in LINKS], "granger_pvalue": GRANGER})


@pytest.mark.parametrize(("method", "statsmodels_name"), [("holm", "holm"), ("bh", "fdr_bh"), ("none", None)])
def test_adjusted_p_values_are_statsmodels_multipletests_over_the_chain_links(method, statsmodels_name) -> None:
    g = dependency_graph(irf(), causality(), path_test=path_test(), multiplicity=method, alpha=0.05)
    want = RAW if statsmodels_name is None else multipletests(RAW, method=statsmodels_name)[1]
    want_g = GRANGER if statsmodels_name is None else multipletests(GRANGER, method=statsmodels_name)[1]
    assert_allclose([g.edges[link]["p_value"] for link in LINKS], want, rtol=1e-12)
    assert_allclose([g.edges[link]["p_value_raw"] for link in LINKS], RAW)
    assert_allclose([g.edges[link]["granger_pvalue"] for link in LINKS], want_g, rtol=1e-12)
    assert_allclose([g.edges[link]["granger_pvalue_raw"] for link in LINKS], GRANGER)
    # significant iff the adjusted p-value is below alpha; nothing else (Granger, the band) decides
    assert set(significant_edges(g)) == {link for link, p in zip(LINKS, want, strict=True) if p < 0.05}
    assert (g.graph["multiplicity"], g.graph["alpha"]) == (method, 0.05)


def test_holm_at_ten_percent_by_hand() -> None:
    """Holm on the six p-values: sorted 0.004, 0.011, 0.03, 0.04, 0.2, 0.5 times 6, 5, 4, 3, 2, 1, running max."""
    g = dependency_graph(irf(), path_test=path_test(), alpha=0.10)
    assert_allclose([g.edges[link]["p_value"] for link in LINKS], [0.024, 0.12, 0.4, 0.055, 0.5, 0.12])
    assert significant_edges(g) == [("a", "b"), ("b", "c")]
    assert g.edges["a", "b"]["evidence"] == ["sup-t path test: Holm-adjusted p = 0.024 < 0.1 (raw p = 0.004)"]
    assert g.edges["a", "c"]["evidence"] == ["sup-t path test: Holm-adjusted p = 0.12 >= 0.1 (raw p = 0.03)"]
    assert len(g.edges) == 6  # the others stay, flagged
    assert g.graph["rule"].startswith(
        "chain edge source -> target: significant when the sup-t test that its whole response path (horizons "
        "0..3) is zero has a Holm-adjusted p-value below 0.1 (family-wise error rate 10% over the 6 chain links "
        "tested)")
    assert g.graph["error_rate"] == "Holm-adjusted sup-t test, FWER 10%" == error_rate("holm", 0.1)
    assert g.graph["band"] == "sup-t simultaneous 90% band over horizons 0..3 (not adjusted for multiplicity)"
    assert [g.edges[link]["forward"] for link in LINKS] == [True, True, False, True, False, False]


def test_without_a_path_test_no_chain_edge_is_significant_and_the_rule_says_why() -> None:
    g = dependency_graph(irf(), causality())
    assert significant_edges(g) == [] and len(g.edges) == 6
    assert g.graph["rule"] == ("chain edges: not tested (no bootstrap draws for the sup-t path test), so none is "
                               "significant")
    assert g.edges["a", "b"]["p_value"] is None and g.edges["a", "b"]["granger_pvalue_raw"] == 0.01
    assert g.edges["a", "b"]["evidence"] == ["not tested: no bootstrap draws for the path test"]


def test_min_run_is_deprecated_and_ignored() -> None:
    with pytest.warns(DeprecationWarning, match=r"min_run=\) is deprecated and ignored"):
        g = dependency_graph(irf(), path_test=path_test(), min_run=1)
    assert significant_edges(g) == [("a", "b"), ("b", "c")]


def test_bad_arguments_are_one_line() -> None:
    with pytest.raises(ArgumentError, match=r"^multiplicity must be 'holm', 'bh' or 'none', got 'bonferroni'$"):
        dependency_graph(irf(), path_test=path_test(), multiplicity="bonferroni")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match=r"^path_test has no row for a -> b: pass SVARResults.irf_test"):
        dependency_graph(irf(), path_test=path_test().iloc[1:])


def test_a_simulated_var_draws_the_present_link_and_not_the_absent_ones() -> None:
    """y0 -> y1 strong (impact 0.8, lag 0.5); y2 is exactly independent of y0 and y1 (both links absent)."""
    from causalmacro.svar import SVAR

    coefs = np.array([[[0.5, 0.0, 0.0], [0.5, 0.3, 0.0], [0.0, 0.0, 0.4]]])
    impact = np.array([[1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.0, 0.0, 1.0]])
    y = simulate_svar(coefs, impact, 240, np.random.default_rng(1))
    y.index = pd.period_range("2000-01", periods=240, freq="M")
    res = SVAR(y, order=list(y.columns), lags=1).fit()
    draws = res.bootstrap(199, rng=2)
    g = dependency_graph(res.irf(12, bands=draws, joint=True), res.causality_table(),
                         path_test=res.irf_test(12, bands=draws))
    assert significant_edges(g) == [("y0", "y1")]
    assert g.edges["y0", "y1"]["p_value"] == 0.0
    assert g.edges["y0", "y2"]["p_value"] > 0.5 and g.edges["y1", "y2"]["p_value"] > 0.5


def _asset_inputs() -> tuple[xr.DataArray, xr.DataArray]:
    point = np.array([[[0.5, 0.0]], [[0.8, 0.05]]])  # horizon x response(asset) x shock
    asset_irf = xr.DataArray(
        np.stack([point, point - 0.3, point + 0.3], axis=-1), dims=("horizon", "response", "shock", "bound"),
        coords={"horizon": [0, 1], "response": ["credit"], "shock": ["a", "b"], "bound": ["point", "lower", "upper"]},
    )
    prob = xr.DataArray(np.array([[[0.97, 0.05]], [[0.95, 0.08]]]), dims=("horizon", "response", "shock"),
                        coords={"horizon": [0, 1], "response": ["credit"], "shock": ["a", "b"]})
    return asset_irf, prob


def test_asset_edges_are_significant_when_the_probability_shown_reaches_the_level() -> None:
    """One rule: P(sign of the cumulative response at the last horizon) >= level; the HDI does not decide."""
    asset_irf, prob = _asset_inputs()
    g = dependency_graph(irf(), asset_irf=asset_irf, asset_prob_positive=prob)
    a, b = g.edges["a", "credit"], g.edges["b", "credit"]
    assert (a["prob_sign"], a["significant"], a["band_excludes_zero"]) == (0.95, True, True)
    assert_allclose(b["prob_sign"], 0.92)
    assert b["significant"] and not b["band_excludes_zero"]  # HDI covers zero, yet P(negative) = 0.92 >= 0.9
    assert b["evidence"] == ["P(negative cumulative response at horizon 1) = 0.92 >= 0.9"]
    g95 = dependency_graph(irf(), asset_irf=asset_irf, asset_prob_positive=prob, level=0.95)
    assert [e["significant"] for *_, e in g95.edges(data=True) if e["kind"] == "asset"] == [True, False]
    assert "posterior probability of the sign of its cumulative response at the last horizon is at least 0.95" \
        in g95.graph["rule"]


def test_an_asset_that_is_a_transform_of_a_var_variable_is_not_tested_on_that_shock() -> None:
    asset_irf, prob = _asset_inputs()
    g = dependency_graph(irf(), asset_irf=asset_irf, asset_prob_positive=prob, transform_of={"credit": "b"})
    assert g.nodes["credit"]["transform_of"] == "b"
    e = g.edges["b", "credit"]
    assert e["by_construction"] and not e["significant"]
    assert e["evidence"] == ["not tested: credit is a transform of the VAR's b, so its response to b's shock is "
                             "the shock itself"]
    assert g.edges["a", "credit"]["significant"] and not g.edges["a", "credit"]["by_construction"]


@pytest.mark.parametrize("name", ["liquidity_chain", "demo", "demo_sign", "events_weekly"])
def test_the_shipped_specs_flag_credit_and_treasuries_as_transforms_of_var_variables(name) -> None:
    from causalmacro import load_spec

    spec = load_spec(ROOT / "models" / f"{name}.toml")
    assert spec.asset_var_overlap == {"treasury_10y": "real_rate", "credit": "hy_spread"}


def test_the_spec_accepts_multiplicity_and_deprecates_min_run() -> None:
    from causalmacro.errors import SpecError
    from causalmacro.spec import parse_spec

    base = {"name": "m", "series": {"x": {"id": "X"}}}
    assert parse_spec({**base, "graph": {"multiplicity": "bh"}}).graph.multiplicity == "bh"
    assert parse_spec(base).graph.multiplicity == "holm"
    with pytest.raises(SpecError, match=r"graph.multiplicity"):
        parse_spec({**base, "graph": {"multiplicity": "bonferroni"}})
    with pytest.warns(DeprecationWarning, match=r"\[graph\] min_run is deprecated and ignored"):
        parse_spec({**base, "graph": {"min_run": 2}})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parse_spec(base)


def test_graph_html_shows_the_same_edges_and_p_values() -> None:
    from causalmacro.report.graph_html import graph_html

    g = dependency_graph(irf(), causality(), path_test=path_test(), alpha=0.10)
    page = graph_html(g, title="t")
    assert page.count('<g class="edge">') == 2  # a -> b and b -> c, as significant_edges
    assert "<tr><td>a -&gt; b</td><td>forward</td><td>+0.1</td><td>+0.1</td><td>0.024</td><td>0.004</td>" in page
    assert "<tr><td>b -&gt; c</td><td>forward</td><td>+0.1</td><td>+0.1</td><td>0.055</td><td>0.011</td>" in page
    assert "Holm-adjusted p-value below 0.1" in page
    none = graph_html(dependency_graph(irf(), path_test=path_test(), alpha=0.01), title="t")
    assert "No chain link passes the rule (Holm-adjusted sup-t test, FWER 1%)." in none
