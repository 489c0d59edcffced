"""The documentation site: built by Sphinx with warnings as errors, then read in headless Chromium.

The site is built once per session (executing the pages' code cells on the
demo), or taken from ``CAUSALMACRO_DOCS_HTML`` when CI has just built it with
the README's command. The browser checks are Chromium's own, offline: a page "loads" when Chromium
fetched every local resource it asked for and ran its scripts without an
error, an image is drawn when its natural width is nonzero, and a formula is
rendered when MathJax (served by the site) typeset it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

import causalmacro as cm

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("docs")]

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built HTML site: ``CAUSALMACRO_DOCS_HTML`` if set, else built here as the README says.

    Built once per session: the first pytest-xdist worker to need it builds it into the folder the workers share
    (the parent of each one's base temporary folder) under a file lock, and the others wait and read it. The
    ``xdist_group`` mark alone does not keep two builds apart (pytest-xdist 3.8 under pytest 9.2 ignores it), and
    two builds at once collide in the pages' execution cache (``docs/_build/.jupyter_cache``).
    """
    prebuilt = os.environ.get("CAUSALMACRO_DOCS_HTML")
    if prebuilt:
        path = Path(prebuilt).resolve()
        assert (path / "index.html").is_file(), f"CAUSALMACRO_DOCS_HTML={prebuilt} holds no built site"
        return path
    for module in ("sphinx", "myst_nb", "numpydoc", "pydata_sphinx_theme", "sphinxarg"):
        pytest.importorskip(module, reason="the docs toolchain is not installed (pip install -e '.[docs]')")
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out, failed = shared / "docs", shared / "docs-failed.txt"
    with _locked(shared / "docs.lock"):
        if failed.is_file():  # another worker's build failed: the same failure, not a second build
            pytest.fail(failed.read_text(encoding="utf-8"), pytrace=False)
        if not (out / "html" / "index.html").is_file():
            build = subprocess.run(
                [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", "-d",
                 str(out / "doctrees"), str(DOCS), str(out / "html")],
                capture_output=True, text=True, cwd=ROOT, timeout=900,
            )
            if build.returncode != 0:
                failed.write_text((build.stdout + build.stderr)[-4000:], encoding="utf-8")
            assert build.returncode == 0, (build.stdout + build.stderr)[-4000:]
    return out / "html"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if absent) while the block runs (no lock where ``fcntl`` is
    absent: Windows)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if not p.relative_to(site).parts[0].startswith("_"))


class _Links(HTMLParser):
    """Every local reference of a page (links, images, styles, scripts) and every id it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        for key in ("href", "src"):
            value = a.get(key)
            if value and tag in ("a", "img", "link", "script", "iframe"):
                self.refs.append(value)


def _parse(page: Path) -> _Links:
    links = _Links()
    links.feed(page.read_text(encoding="utf-8"))
    return links


def _local(ref: str) -> bool:
    parts = urlsplit(ref)
    return not parts.scheme and not parts.netloc and not ref.startswith(("mailto:", "javascript:"))


def test_no_page_links_to_a_missing_page_or_anchor(site: Path) -> None:
    pages = _pages(site)
    assert len(pages) > 20
    ids = {p.resolve(): _parse(p).ids for p in pages}
    missing = []
    for page in pages:
        for ref in _parse(page).refs:
            if not _local(ref) or ref == "#":
                continue
            parts = urlsplit(ref)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            if not target.exists():
                missing.append(f"{page.relative_to(site)} -> {ref}")
            elif parts.fragment and target.suffix == ".html" and target in ids and parts.fragment not in ids[target]:
                missing.append(f"{page.relative_to(site)} -> {ref} (no such anchor)")
    assert missing == []


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    with sync_api.sync_playwright() as p:
        # offline, as CI is: a page that needs the network shows it here
        chromium = p.chromium.launch(executable_path=executable,
                                     args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND"])
        yield chromium
        chromium.close()


def _open(browser: Any, page_path: Path) -> dict[str, Any]:
    """Load a page offline; what failed to load, the script errors, the text and each image's natural width."""
    page = browser.new_page()
    failed: list[str] = []
    errors: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url) if r.url.startswith("file:") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_path.as_uri(), wait_until="load")
    typeset = ("() => document.querySelectorAll('mjx-container').length"
               " >= document.querySelectorAll('span.math, div.math').length")
    # MathJax (served by the site itself) typesets after the load event; a timeout is reported below
    with contextlib.suppress(Exception):
        page.wait_for_function(typeset, timeout=20_000)
    seen = page.evaluate(
        "() => ({title: document.title, text: (document.querySelector('article') || document.body).innerText,"
        " images: Array.from(document.images).map(i => [i.getAttribute('src'), i.naturalWidth]),"
        " math: document.querySelectorAll('span.math, div.math').length,"
        " typeset: document.querySelectorAll('mjx-container').length})"
    )
    page.close()
    return {"failed": failed, "errors": errors, **seen}


def test_every_page_loads_in_a_real_browser(site: Path, browser: Any) -> None:
    problems = []
    for path in _pages(site):
        seen = _open(browser, path)
        name = str(path.relative_to(site))
        if seen["failed"] or seen["errors"]:
            problems.append(f"{name}: failed {seen['failed']} errors {seen['errors']}")
        if not seen["title"].strip() or (name not in ("search.html", "genindex.html") and len(seen["text"]) < 40):
            problems.append(f"{name}: empty ({seen['title']!r})")
        broken = [src for src, width in seen["images"] if width == 0]
        if broken:
            problems.append(f"{name}: images not drawn {broken}")
        if seen["typeset"] < seen["math"]:
            problems.append(f"{name}: {seen['math'] - seen['typeset']} of {seen['math']} formulas left as TeX")
    assert problems == []


@pytest.mark.parametrize(("page", "at_least"), [("getting-started.html", 9), ("case-study.html", 8)])
def test_every_figure_of_the_tutorial_pages_is_drawn(site: Path, browser: Any, page: str, at_least: int) -> None:
    seen = _open(browser, site / page)
    widths = [width for _, width in seen["images"]]
    assert len(widths) >= at_least, seen["images"]
    assert min(widths) > 0, seen["images"]


def _example_titles() -> dict[str, str]:
    """Each gallery example (``docs/examples/plot_*.py``) -> its title, the first line of its docstring."""
    import ast

    titles = {}
    for path in sorted((DOCS / "examples").glob("plot_*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc, f"{path.name} has no docstring (its title and reading)"
        titles[path.stem] = doc.splitlines()[0]
    return titles


def test_gallery_has_one_drawn_and_linked_thumbnail_per_example(site: Path, browser: Any) -> None:
    titles = _example_titles()
    assert len(titles) >= 12, sorted(titles)
    index = site / "gallery" / "index.html"
    page = browser.new_page()
    page.goto(index.as_uri(), wait_until="load")
    cards = page.evaluate(
        "() => Array.from(document.querySelectorAll('.sphx-glr-thumbcontainer')).map(c => {"
        " const img = c.querySelector('img'); const a = c.querySelector('a');"
        " return {src: img && img.getAttribute('src'), width: img ? img.naturalWidth : 0,"
        " href: a && a.getAttribute('href'), text: a ? a.textContent.trim() : ''}; })"
    )
    page.close()
    assert len(cards) == len(titles), cards
    seen = {}
    for card in cards:
        assert card["src"] and card["width"] > 0, card  # the thumbnail is drawn
        target = (index.parent / unquote(urlsplit(card["href"]).path)).resolve()
        assert target.is_file(), card  # and links to a page of the site
        seen[target.stem] = card["text"]
    assert seen == titles  # one card per example, titled by it, linking to its own page
    assert any(ref.startswith("gallery/index.html") for ref in _parse(site / "index.html").refs)  # the home page links it


def test_api_reference_documents_every_public_name(site: Path) -> None:
    api = site / "reference" / "api.html"
    text = api.read_text(encoding="utf-8")
    for name in ("SVAR", "AssetResponseModel", "fit_spec", "LocalProjections"):
        assert f'href="api/causalmacro.{name}.html' in text, name
    for name in set(cm.__all__) - {"__version__"}:
        page = site / "reference" / "api" / f"causalmacro.{name}.html"
        assert page.is_file(), name
        assert f"causalmacro.{name}" in page.read_text(encoding="utf-8"), name
    # a numpydoc Parameters section is rendered as a field list, not left as text
    svar = (site / "reference" / "api" / "causalmacro.SVAR.html").read_text(encoding="utf-8")
    assert re.search(r"<dt[^>]*>Parameters", svar) and "----------" not in svar


def test_generated_references_cover_the_cli_and_the_spec(site: Path) -> None:
    cli = (site / "reference" / "cli.html").read_text(encoding="utf-8")
    for command in ("validate", "schema", "events", "fetch", "data", "run", "scenario", "diff", "grid"):
        assert re.search(rf"causalmacro[^<]*\b{command}\b", cli), command
    from causalmacro.spec import json_schema

    spec = (site / "reference" / "spec.html").read_text(encoding="utf-8")
    for key in json_schema()["properties"]:
        assert f"<span class=\"pre\">{key}</span>" in spec, key
    events = (site / "reference" / "events.html").read_text(encoding="utf-8")
    assert all(event_id in events for event_id in cm.event_catalogue())


# ------------------------------------------------------------------ layout at 1280 px (docs/_static/causalmacro.css)
_LAYOUT_JS = """() => {
  const vw = document.documentElement.clientWidth, lost = [];
  const name = e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '');
  const scrolls = s => ['auto', 'scroll'].includes(s.overflowX);
  const boxes = 'article table, article pre, article div.highlight, article dl.py > dt, article img,'
    + ' article .pst-scrollable-table-container, .bd-sidebar-secondary nav.page-toc';
  for (const e of document.querySelectorAll(boxes)) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    // content wider than the box, and the box does not scroll: the rest is cut or spills out
    if (e.scrollWidth > e.clientWidth + 1 && !scrolls(getComputedStyle(e)))
      lost.push(`${name(e)}: content ${e.scrollWidth} px in a ${e.clientWidth}-px box that does not scroll`);
    // the box itself reaches past the first ancestor that clips, or past the window with none that scrolls
    let a = e.parentElement, held = false;
    for (; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'visible') continue;
      const ar = a.getBoundingClientRect();
      held = scrolls(s);
      if (!held && (r.right > ar.right + 1 || r.left < ar.left - 1))
        lost.push(`${name(e)}: ${Math.round(r.width)} px cut by ${name(a)} (${Math.round(ar.width)} px)`);
      break;
    }
    if (!held && r.right > vw + 1) lost.push(`${name(e)}: right edge at ${Math.round(r.right)} px, window ${vw} px`);
  }
  // text outside code and formulas: TeX left untypeset
  const article = document.querySelector('article');
  const copy = article ? article.cloneNode(true) : document.createElement('div');
  copy.querySelectorAll('pre, code, mjx-container, script, .math').forEach(n => n.remove());
  const tex = (copy.textContent.match(/\\\\[()\\[\\]]|\\$\\$/g) || []).length;
  // drawn at build time (the gallery's scraper, the executed pages' inline figures): marked with their tick size
  const kind = i => i.matches('img.sphx-glr-single-img, img.sphx-glr-multi-img') ? 'gallery'
    : (i.closest('.cell_output') ? 'cell' : '');
  const images = Array.from(document.querySelectorAll('article img')).map(i =>
    [i.getAttribute('src'), i.naturalWidth, i.getBoundingClientRect().width, kind(i)]);
  const empty = [];
  for (const t of document.querySelectorAll('table.autosummary'))
    for (const row of t.rows)
      if (row.cells.length > 1 && !row.cells[row.cells.length - 1].innerText.trim()) empty.push(row.cells[0].innerText);
  return {lost: [...new Set(lost)], tex, images, empty};
}"""


@pytest.fixture(scope="module")
def layouts(site: Path, browser: Any) -> dict[str, dict[str, Any]]:
    """Every page at 1280 x 900 (a laptop): what it loses, TeX left as text, its images, empty API summaries."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    seen = {}
    for path in _pages(site):
        page = context.new_page()
        page.goto(path.as_uri(), wait_until="load")
        with contextlib.suppress(Exception):
            page.wait_for_function("() => document.querySelectorAll('mjx-container').length"
                                   " >= document.querySelectorAll('span.math, div.math').length", timeout=20_000)
        seen[str(path.relative_to(site))] = page.evaluate(_LAYOUT_JS)
        page.close()
    context.close()
    return seen


def test_no_content_is_lost_at_1280_px(layouts: dict[str, dict[str, Any]]) -> None:
    """Tables, code blocks, signatures and "on this page" fit their box, or scroll inside their own box."""
    assert len(layouts) > 20
    lost = [f"{page}: {what}" for page, seen in layouts.items() for what in seen["lost"]]
    assert lost == []


def test_no_formula_is_left_as_tex(layouts: dict[str, dict[str, Any]]) -> None:
    assert {page: seen["tex"] for page, seen in layouts.items() if seen["tex"]} == {}


def test_no_api_summary_is_empty(layouts: dict[str, dict[str, Any]]) -> None:
    """Every row of an autosummary table (methods, attributes, the API index) has a description."""
    assert {page: seen["empty"] for page, seen in layouts.items() if seen["empty"]} == {}


def test_every_image_is_drawn_at_twice_its_displayed_width(layouts: dict[str, dict[str, Any]]) -> None:
    """Sharp on a high-density screen and when zoomed: natural width at least twice the width shown at 1280 px."""
    blurred = [f"{page}: {src} natural {natural} px, shown {shown:.0f} px"
               for page, seen in layouts.items() for src, natural, shown, _ in seen["images"]
               if natural < 2 * shown - 1]
    undrawn = [f"{page}: {src}" for page, seen in layouts.items() for src, natural, _, _ in seen["images"]
               if natural == 0]
    assert undrawn == []
    assert blurred == []


TICK_KEY = "causalmacro:tick-px"  # docs/_ext/legible.py: the smallest tick label's height in the image's pixels


def test_every_figure_drawn_at_build_time_has_legible_tick_labels(site: Path,
                                                                  layouts: dict[str, dict[str, Any]]) -> None:
    """The gallery's images and the executed pages' figures: tick labels at least 9 px on screen at 1280 px.

    Each such PNG carries its smallest tick label's height in image pixels (written where the build draws it);
    on screen that is scaled by the width shown over the image's own width. A figure without the mark fails
    too, so that the check cannot pass by not measuring.
    """
    from PIL import Image

    small, unmarked, measured = [], [], []
    for page, seen in layouts.items():
        for src, natural, shown, kind in seen["images"]:
            if not kind or not natural:
                continue
            if src.startswith("data:"):
                unmarked.append(f"{page}: an embedded {kind} image (no file to read its mark from)")
                continue
            with Image.open((site / page).parent / src.split("#")[0].split("?")[0]) as image:
                mark = image.text.get(TICK_KEY)
            if mark is None:
                unmarked.append(f"{page}: {src}")
            elif mark != "none":
                px = float(mark) * shown / natural
                measured.append(px)
                if px < 9:
                    small.append(f"{page}: {src} tick labels {px:.1f} px on screen")
    assert unmarked == []
    assert small == []
    assert len(measured) > 20  # the gallery's twelve examples and the executed pages' figures
