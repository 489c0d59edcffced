"""Small file helpers shared by every writer of the package."""

from __future__ import annotations

import os

__all__ = ["default_mode"]


def default_mode(path: str | os.PathLike[str]) -> None:
    """Give a file written through :func:`tempfile.mkstemp` (mode 0600) the mode a plain ``open`` would.

    That is ``0666`` less the process umask, so results can be shared like any other file.
    """
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)
