"""Sphinx configuration of the causalmacro documentation.

Build from the repository root with::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The toolchain is the field's own: Sphinx with the PyData theme, MyST Markdown
with notebooks executed at build time (myst-nb), and numpydoc for the API
reference, as PyMC, ArviZ and statsmodels use. Pages with code cells are run
on the embedded demo every build, so their figures are what the code draws
today; the case study's figures come from ``docs/make_figures.py``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))

import causalmacro  # noqa: E402

project = "causalmacro"
author = "the causalmacro developers"
copyright = "2026, the causalmacro developers"
release = causalmacro.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax served from the site itself: formulas render offline too
    "numpydoc",
    "sphinxarg.ext",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_gallery.gen_gallery",
    "cm_reference",
    "cm_apidocs",  # a field without a docstring takes its class's description (API tables)
    "cm_citations",  # "(Author Year)" linked to its entry on references.md
    "cm_watermark",  # "Executed with causalmacro x, numpy y, ..." under the title of each executed page
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "_templates", "**/_generated/*.md", "README.md",
                    "examples", "gallery/*.ipynb"]  # the gallery's sources, and its notebooks (downloads, not pages)
templates_path = ["_templates"]
root_doc = "index"

# --- MyST and executed pages ----------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "amsmath", "attrs_inline", "substitution"]
myst_heading_anchors = 3
nb_execution_mode = os.environ.get("CAUSALMACRO_DOCS_EXECUTE", "cache")
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
nb_output_stderr = "remove-warn"
# the kernels inherit this process's environment: headless plots, and an IPython start-up file
# (_ext/kernel_startup.py) that runs every page in a scratch folder seeing the repository's models/
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["CAUSALMACRO_DOCS_ROOT"] = str(ROOT)
_ipython_dir = Path(tempfile.mkdtemp(prefix="cm-docs-ipython-"))
(_ipython_dir / "profile_default" / "startup").mkdir(parents=True)
shutil.copy(DOCS / "_ext" / "kernel_startup.py", _ipython_dir / "profile_default" / "startup" / "00-causalmacro.py")
os.environ["IPYTHONDIR"] = str(_ipython_dir)

# --- the example gallery (sphinx-gallery) ------------------------------------------
# docs/examples/plot_*.py, run in this process at build time, become docs/gallery/ (generated, not committed):
# one page per example with its figure, and the index of thumbnails. An unchanged example is not rerun (its
# checksum is kept in docs/gallery/). The examples that fit the demo share one fit (_ext/gallery_memo.py).
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "gallery",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "reset_modules": ("matplotlib", "gallery_memo.reset"),
    "image_scrapers": ("gallery_images.scraper",),  # images at least twice the article's width
    "reset_modules_order": "both",
    "abort_on_example_error": True,  # an example that fails fails the build
    "remove_config_comments": True,
    "write_computation_times": False,
    "download_all_examples": False,
    "show_signature": False,
    "thumbnail_size": (400, 280),
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
}

# --- API reference --------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"member-order": "groupwise"}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
python_use_unqualified_type_names = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = False
numpydoc_validation_checks: set[str] = set()

# --- HTML -------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"causalmacro {release}"
html_static_path = ["_static"]
html_css_files = ["causalmacro.css"]
html_js_files = ["causalmacro.js"]  # break points in long dotted names (tables, "on this page")
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "getting-started": [], "case-study": []}  # single pages: no section navigation
html_show_sourcelink = False
html_last_updated_fmt = None
copybutton_prompt_text = r"\$ "
copybutton_prompt_is_regexp = True
