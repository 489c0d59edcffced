"""IPython start-up file of the kernels that execute the docs' pages (installed by ``docs/conf.py``).

Every executed page runs as a user's session at the repository root would,
``cm.load_spec("models/demo.toml")`` included, but in a scratch folder that
sees the repository's ``models/``, so that the build writes nothing into the
clone; figures are shown inline, saved at twice the pixels they are shown at (retina), their text
enlarged until the tick labels are legible at the width the page shows them (``docs/_ext/legible.py``:
the page's code is unchanged, only how the site draws its figures), each PNG carrying its smallest tick
label's height in image pixels for the browser test. It leaves no name behind in the page's namespace.
"""

import os as _os
import sys as _sys
import tempfile as _tempfile
from pathlib import Path as _Path

from matplotlib.figure import Figure as _Figure
from matplotlib_inline.backend_inline import set_matplotlib_formats as _formats

_scratch = _Path(_tempfile.mkdtemp(prefix="cm-docs-"))
(_scratch / "models").symlink_to(_Path(_os.environ["CAUSALMACRO_DOCS_ROOT"]) / "models")
_os.chdir(_scratch)
get_ipython().run_line_magic("matplotlib", "inline")  # type: ignore[name-defined]  # noqa: F821
# sharp on high-density screens: PNGs at twice the figure's dpi, shown at half their width (the image's
# width attribute, from IPython's retina metadata; tests/test_docs.py checks every image at 2x)
_formats("retina")
_sys.path.insert(0, str(_Path(_os.environ["CAUSALMACRO_DOCS_ROOT"]) / "docs" / "_ext"))
import legible as _legible  # noqa: E402  (docs/_ext)

_sys.path.pop(0)
_png = get_ipython().display_formatter.formatters["image/png"]  # type: ignore[name-defined]  # noqa: F821
_retina = _png.lookup_by_type(_Figure)


def _legible_png(fig, _retina=_retina, _legible=_legible):  # type: ignore[no-untyped-def]
    """The inline (retina) PNG of ``fig``, legible at the width the page shows it, marked with its tick size."""
    fig.canvas.draw()
    # shown at its natural size, at most the article's width: the narrowest, as the kernel does not know the page
    _legible.legible(fig, min(fig.get_tightbbox().width * fig.dpi, _legible.NARROW_ARTICLE_PX))
    return _retina(fig, metadata=_legible.png_metadata(fig, 2 * fig.dpi))


_png.for_type(_Figure, _legible_png)
del _os, _sys, _tempfile, _Path, _scratch, _formats, _Figure, _legible, _png, _retina, _legible_png
