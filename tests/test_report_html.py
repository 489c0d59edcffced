"""report.html: one self-contained page, every figure embedded and drawable, no request outside it."""

from __future__ import annotations

import base64
import html.parser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from causalmacro.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = str(ROOT / "models" / "demo.toml")


class _Refs(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.refs: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if tag == "a" and name == "href" and value is not None:
                self.links.append(value)  # followed only if the reader clicks: not a request of the page
            elif name in ("src", "href") and value is not None:
                self.refs.append(value)
                if tag == "img":
                    self.images.append(value)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "run"
    assert main(["--quiet", "run", DEMO, "--out", str(out), "--no-assets", "--reps", "50"]) == 0
    return out / "report.html"


def test_the_page_is_self_contained(report: Path) -> None:
    text = report.read_text()
    refs = _Refs()
    refs.feed(text)
    assert refs.refs and all(r.startswith("data:image/png;base64,") for r in refs.refs)  # nothing to fetch
    assert len(refs.images) == 11  # liquidity, irf, fevd, hd, graph, channels, position, lp, events, fan, scenario
    external = [link for link in refs.links if not link.startswith("#")]  # '#...': the table of contents
    assert external and all(link.startswith(("https://", "http://")) for link in external)  # the events' sources
    for src in refs.images:
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Synthetic data from the embedded demo" in text
    for section in ("Data quality", "Where the chain stands now", "Events", "Figures", "Tables", "Analysis choices",
                    "Structural VAR"):
        assert re.search(f'<h2 id="h-[a-z]+">{section}</h2>', text), section
    assert "the sample ends at the spec&#x27;s end" in text


def test_the_page_opens_with_the_answer_and_a_table_of_contents_whose_anchors_resolve(report: Path) -> None:
    text = report.read_text()
    refs = _Refs()
    refs.feed(text)
    anchors = [link[1:] for link in refs.links if link.startswith("#")]
    ids = re.findall(r'<section id="([^"]+)"', text)
    assert anchors == ids and len(ids) == len(set(ids)) >= 10  # every entry resolves, every section is listed
    assert ids[:3] == ["answer", "liquidity", "summary"]  # the answer and the tracker come first
    first_h2 = text.index("<h2")
    assert text[first_h2:].startswith('<h2 id="h-answer">Does net_liquidity move btc?</h2>')
    assert text.index('class="verdict"') < text.index('alt="liquidity.png"') < text.index('alt="irf.png"')


def test_every_image_draws_in_a_real_browser(report: Path, tmp_path: Path) -> None:
    """Headless Chromium loads the page offline and reports each image's natural width."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")
    probe = tmp_path / "probe.html"
    script = ("<script>window.addEventListener('load', () => { document.body.setAttribute('data-widths', "
              "Array.from(document.images).map(i => i.naturalWidth).join(',')); });</script>")
    probe.write_text(report.read_text().replace("</body>", script + "</body>"))
    dom = subprocess.run(
        [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    widths = re.search(r'data-widths="([0-9,]*)"', dom)
    assert widths is not None, dom[-500:]
    values = [int(w) for w in widths.group(1).split(",")]
    assert len(values) == 11 and min(values) > 0


def test_interactive_graph_page_is_self_contained_with_a_tooltip_and_inset_per_edge(report: Path) -> None:
    import causalmacro as cm

    folder = report.parent
    page = (folder / "graph.html").read_text()
    refs = _Refs()
    refs.feed(page)
    assert refs.refs == [] and "<script" not in page  # no request, no script: SVG and CSS only
    n_edges = len(cm.significant_edges(cm.read_graph(folder / "graph.json")))
    assert page.count('<g class="edge">') == n_edges > 0
    assert page.count('<g class="inset">') == n_edges and ".edge:hover .inset{visibility:visible}" in page
    assert "impact" in page and "peak" in page
    assert (folder / "graph.svg").read_text().lstrip().startswith("<?xml")


def test_run_files_are_readable_like_any_other(report: Path) -> None:
    import os
    import stat

    umask = os.umask(0)
    os.umask(umask)
    for path in report.parent.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path.name


def test_results_json_follows_the_published_schema(report: Path) -> None:
    import json

    import jsonschema

    from causalmacro.report.results_schema import dump_results_schema, results_schema

    assert (ROOT / "docs" / "results.schema.json").read_text() == dump_results_schema(), (
        "regenerate docs/results.schema.json from causalmacro.report.results_schema")
    results = json.loads((report.parent / "results.json").read_text())
    jsonschema.validate(results, results_schema())
    impact = results["svar"]["impact"]
    assert impact["index"] == impact["columns"] == results["svar"]["variables"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**results, "svar": {**results["svar"], "sample": ["May 2015", "x"]}}, results_schema())


def test_every_key_of_results_json_is_described(report: Path) -> None:
    import json

    from schema_keys import check_results, undescribed

    from causalmacro.report.results_schema import results_schema

    results = json.loads((report.parent / "results.json").read_text())
    check_results(results)  # the generated reference lists every key with what it holds
    schema = results_schema()
    assert undescribed({**results, "svar": {**results["svar"], "extra": 1}}, schema, schema) == [
        "$.svar.extra: not in the schema"]
