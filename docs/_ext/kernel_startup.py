"""IPython start-up file of the kernels that execute the docs' pages (installed by ``docs/conf.py``).

Every executed page runs as a user's session at the repository root would,
``cm.load_spec("models/demo.toml")`` included, but in a scratch folder that
sees the repository's ``models/``, so that the build writes nothing into the
clone; figures are shown inline, saved at twice the pixels they are shown at (retina). It leaves no
name behind in the page's namespace.
"""

import os as _os
import tempfile as _tempfile
from pathlib import Path as _Path

from matplotlib_inline.backend_inline import set_matplotlib_formats as _formats

_scratch = _Path(_tempfile.mkdtemp(prefix="cm-docs-"))
(_scratch / "models").symlink_to(_Path(_os.environ["CAUSALMACRO_DOCS_ROOT"]) / "models")
_os.chdir(_scratch)
get_ipython().run_line_magic("matplotlib", "inline")  # type: ignore[name-defined]  # noqa: F821
# sharp on high-density screens: PNGs at twice the figure's dpi, shown at half their width (the image's
# width attribute, from IPython's retina metadata; tests/test_docs.py checks every image at 2x)
_formats("retina")
del _os, _tempfile, _Path, _scratch, _formats
