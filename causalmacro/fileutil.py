"""Small file helpers shared by every writer of the package."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["default_mode", "replace_atomically"]


def default_mode(path: str | os.PathLike[str]) -> None:
    """Give a file written through :func:`tempfile.mkstemp` (mode 0600) the mode a plain ``open`` would.

    That is ``0666`` less the process umask, so results can be shared like any other file.
    """
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def replace_atomically(target: Path, write: Callable[[str], object]) -> Path:
    """Write ``target`` through a temporary file beside it, renamed into place only once complete.

    ``write`` receives the temporary path and fills it. An interrupt or an error
    leaves any earlier ``target`` as it was and no temporary file behind.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        default_mode(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
