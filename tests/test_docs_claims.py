"""Claims of the docs pages that a check can hold to the code: caption numbers, interval levels, horizon slices.

Each test reads the page sources (``docs/**/*.md``), not the built site, so it runs without a docs build:

- the numbers quoted in the specification-curve captions of the case study are among those
  ``docs/make_figures.py`` wrote beside the figures (``docs/figures/caption_numbers.json``);
- every ArviZ call on an executed page that draws or tabulates an HDI passes ``hdi_prob`` (ArviZ's
  default is a 94% HDI; the package's level is 90%);
- a comment that says "first N months" above a ``horizon=slice(a, b)`` counts the horizons the slice
  selects (``.sel`` slices by label, both ends included; ``.isel`` by position, end excluded);
- the hierarchical model's Python example gives the asset model the spec's asset shocks, as the main job does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
NUMBERS = DOCS / "figures" / "caption_numbers.json"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)
#: a signed percentage as the pages write it (Unicode minus or hyphen)
SIGNED_PERCENT = re.compile(r"([+\u2212-]\d+(?:\.\d+)?)%")


def _caption(page: str, figure: str) -> str:
    """The caption of the ``{figure}`` block showing ``figure`` (the text up to the closing fence)."""
    start = page.index(f"```{{figure}} {figure}")
    return page[start:page.index("```", start + 3)]


def _fmt(value: float) -> str:
    return f"{value:+.1f}"


@pytest.mark.parametrize(("figure", "link"), [
    ("figures/case_spec_curve_liquidity_btc.png", "net_liquidity->btc"),
    ("figures/case_spec_curve_real_rate_btc.png", "real_rate->btc"),
])
def test_spec_curve_captions_quote_the_figure_scripts_numbers(figure: str, link: str) -> None:
    numbers = json.loads(NUMBERS.read_text(encoding="utf-8"))["spec_curve"][link]
    caption = _caption((DOCS / "case-study.md").read_text(encoding="utf-8"), figure)
    allowed = {_fmt(numbers["median"])} | {_fmt(row[k]) for row in numbers["by_lags"].values()
                                           for k in ("median", "min", "max")}
    quoted = [q.replace("\u2212", "-") for q in SIGNED_PERCENT.findall(caption)]
    assert quoted, f"the caption of {figure} quotes no number"
    assert [q for q in quoted if q not in allowed] == [], f"{figure}: numbers not printed by make_figures.py"
    assert f"{numbers['n']} full-sample" in caption or f"{numbers['n']} specifications" in caption


def test_caption_numbers_file_is_what_the_script_writes() -> None:
    """``curve_numbers`` of make_figures.py on a hand-made curve: medians, ranges and counts by lag length."""
    import importlib.util

    import pandas as pd

    spec = importlib.util.spec_from_file_location("make_figures", DOCS / "make_figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    curve = pd.DataFrame({"point": [-3.0, -1.0, 2.0, 0.5, 1.5, 4.0], "lags": [1, 1, 1, 2, 2, 2]})
    curve.attrs = {"at": "peak"}
    assert module.curve_numbers(curve) == {
        "at": "peak", "n": 6, "median": 1.0,
        "by_lags": {"1": {"median": -1.0, "min": -3.0, "max": 2.0, "n": 3},
                    "2": {"median": 1.5, "min": 0.5, "max": 4.0, "n": 3}}}
    stored = json.loads(NUMBERS.read_text(encoding="utf-8"))["spec_curve"]
    for link in ("net_liquidity->btc", "real_rate->btc"):
        assert stored[link]["n"] == sum(row["n"] for row in stored[link]["by_lags"].values())


#: ArviZ functions that compute or draw an HDI, with ArviZ's default of 94% unless ``hdi_prob`` is given
HDI_CALLS = ("az.summary(", "az.plot_forest(", "az.plot_posterior(", "az.hdi(", "az.plot_hdi(")


def _calls(text: str, name: str) -> list[str]:
    """The full text of each call ``name...)`` in ``text`` (parentheses balanced)."""
    out = []
    for match in re.finditer(re.escape(name), text):
        depth, i = 0, match.end() - 1
        while True:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                break
            i += 1
        out.append(text[match.start():i + 1])
    return out


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_arviz_hdis_use_the_packages_level(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    bad = [call.splitlines()[0] for name in HDI_CALLS for call in _calls(text, name) if "hdi_prob" not in call]
    assert bad == [], f"{page.name}: ArviZ's default 94% HDI (pass hdi_prob=run.choices.level)"
    assert "94% HDI" not in text and "hdi_3%" not in text


def test_calls_finds_nested_parentheses() -> None:
    text = 'az.summary(idata, coords={"a": [0]}, kind=f(1))\nx = 2'
    assert _calls(text, "az.summary(") == ['az.summary(idata, coords={"a": [0]}, kind=f(1))']


FIRST_N = re.compile(r"first (\d+) (?:months|weeks|horizons|periods)")
HORIZON_SLICE = re.compile(r"\.(i?sel)\([^)]*horizon=slice\((\d+), (\d+)\)")


def horizon_slice_mismatches(text: str) -> list[str]:
    """Lines whose ``horizon=slice(a, b)`` selects a different number of horizons than the comment above says.

    The comment is the run of ``#`` lines directly above the code line, and the code line's own comment.
    """
    lines = text.splitlines()
    bad = []
    for i, line in enumerate(lines):
        match = HORIZON_SLICE.search(line)
        if match is None:
            continue
        kind, a, b = match.group(1), int(match.group(2)), int(match.group(3))
        count = b - a + 1 if kind == "sel" else b - a
        comment = [line.partition("#")[2]]
        j = i - 1
        while j >= 0 and lines[j].lstrip().startswith("#"):
            comment.append(lines[j])
            j -= 1
        said = [int(n) for n in FIRST_N.findall(" ".join(comment))]
        if any(n != count for n in said):
            bad.append(f"{line.strip()} (selects {count} horizons, the comment says {said})")
    return bad


def test_horizon_slice_check_catches_the_off_by_one() -> None:
    wrong = "# the first 12 months\nirf.sel(horizon=slice(0, 12)).sum()"
    assert horizon_slice_mismatches(wrong) == [
        "irf.sel(horizon=slice(0, 12)).sum() (selects 13 horizons, the comment says [12])"]
    assert horizon_slice_mismatches("# the first 12 months\nirf.isel(horizon=slice(0, 12))") == []
    assert horizon_slice_mismatches("x.sel(horizon=slice(0, 12))  # the first 13 horizons") == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_horizon_slices_match_their_comments(page: Path) -> None:
    assert horizon_slice_mismatches(page.read_text(encoding="utf-8")) == []


def test_hierarchical_example_gives_the_asset_model_the_specs_shocks() -> None:
    """Run the page's example up to the model (no sampling): its shocks are the main job's, not BTC's own."""
    import causalmacro as cm
    from causalmacro.bayes.estimator import AssetResponseModel

    page = (DOCS / "concepts" / "hierarchical.md").read_text(encoding="utf-8")
    start = page.index("```python\nimport causalmacro as cm")
    code = page[start + len("```python\n"):page.index("```", start + 3)]
    setup = code[:code.index("res = model.fit()")]
    namespace: dict[str, Any] = {}
    exec(setup, namespace)
    model, spec, panel = namespace["model"], namespace["spec"], namespace["panel"]
    assert isinstance(model, AssetResponseModel)
    assert list(model._shocks.columns) == spec.asset_shocks == ["inflation", "real_rate", "net_liquidity", "hy_spread"]
    main_job = cm.build_asset_model(spec, panel.data, namespace["svar_results"].structural_shocks(),
                                    cm.regimes(panel, spec))
    assert list(main_job._shocks.columns) == list(model._shocks.columns)
