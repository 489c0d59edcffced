"""Small file helpers shared by every writer of the package."""

from __future__ import annotations

import fcntl
import glob
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["default_mode", "lock_folder", "remove_stale", "replace_atomically", "write_netcdf"]


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


def lock_folder(path: str | os.PathLike[str]) -> int | None:
    """Take an exclusive ``flock`` on a folder: the open descriptor, or None when a live process holds it.

    The lock lasts until the descriptor is closed or the process ends (a
    killed writer holds nothing), and it follows the folder through renames.
    """
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def remove_stale(target: Path) -> list[Path]:
    """Remove the hidden ``.NAME.staging-*`` and ``.NAME.old-*`` folders that dead writers left beside ``target``.

    A writer holds :func:`lock_folder` on its staging folder while it writes, so
    the folders of a live concurrent run are left alone; a writer that was
    killed (SIGKILL, power loss) holds no lock, whatever its process id.

    Returns
    -------
    list of pathlib.Path
        The folders removed.
    """
    removed: list[Path] = []
    name = glob.escape(target.name)
    for path in sorted([*target.parent.glob(f".{name}.staging-*"), *target.parent.glob(f".{name}.old-*")]):
        if path.is_symlink() or not path.is_dir():
            continue
        try:
            fd = lock_folder(path)
        except OSError:  # gone meanwhile, or unreadable: not ours to judge
            continue
        if fd is None:
            continue
        try:
            shutil.rmtree(path, ignore_errors=True)
        finally:
            os.close(fd)
        removed.append(path)
    return removed


def write_netcdf(target: Path, groups: Sequence[tuple[str | None, xr.Dataset]], *, compress: bool = False) -> Path:
    """Write datasets into one NetCDF file (h5netcdf), built in memory, then atomically.

    Only the finished bytes go to disk (through :func:`replace_atomically`): on a
    full disk the write fails with a plain :class:`OSError` and leaves no HDF5
    file open, which h5py would otherwise close during garbage collection and
    crash the interpreter (a segmentation fault after the error line).

    Parameters
    ----------
    target : pathlib.Path
        The file to write; an earlier one stays as it was when writing fails.
    groups : sequence of (str or None, xarray.Dataset)
        Each dataset with its NetCDF group (None: the root), written in order.
    compress : bool
        zlib-compress every numeric variable.
    """
    buf = io.BytesIO()
    mode = "w"
    for group, data in groups:
        encoding = (
            {name: {"zlib": True} for name, v in data.variables.items() if v.dtype.kind in "biufc"}
            if compress else None
        )
        data.to_netcdf(buf, mode=mode, group=group, engine="h5netcdf", encoding=encoding)  # type: ignore[call-overload]
        mode = "a"
    payload = buf.getvalue()
    return replace_atomically(target, lambda tmp: Path(tmp).write_bytes(payload))
