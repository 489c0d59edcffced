"""Small file helpers shared by every writer of the package."""

from __future__ import annotations

import contextlib
import fcntl
import glob
import io
import os
import secrets
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "InterruptedAfterSwap",
    "current_umask",
    "lock_folder",
    "move_files",
    "remove_stale",
    "replace_atomically",
    "replace_folder",
    "staging_folder",
    "temp_file_beside",
    "write_netcdf",
]

_TRIES = 100


def current_umask() -> int:
    """The process umask, read without changing it.

    On Linux it is the ``Umask:`` line of ``/proc/self/status``. Elsewhere the
    only portable way is ``os.umask`` set and restored, which briefly changes
    it for every thread; that fallback is used only where ``/proc`` is absent.
    """
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    umask = os.umask(0o022)  # pragma: no cover - not Linux
    os.umask(umask)  # pragma: no cover
    return umask  # pragma: no cover


def temp_file_beside(target: Path) -> Path:
    """Create an empty, unique hidden ``.NAME.*.tmp`` file beside ``target``, with a plain ``open``'s mode.

    The file is created by ``os.open(..., O_CREAT | O_EXCL, 0o666)``, so the
    umask applies as it does to any file: nothing reads or changes the umask.
    """
    for _ in range(_TRIES):
        path = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - 2**32 names
            continue
        os.close(fd)
        return path
    raise FileExistsError(17, "no unused temporary name", str(target))  # pragma: no cover


def replace_atomically(target: Path, write: Callable[[str], object]) -> Path:
    """Write ``target`` through a temporary file beside it, renamed into place only once complete.

    ``write`` receives the temporary path and fills it; the file is flushed to
    disk (``fsync``) before the rename. An interrupt or an error leaves any
    earlier ``target`` as it was and no temporary file behind. The file has the
    mode a plain ``open`` gives (``0666`` less the umask).

    This is the one atomic write of the package: every writer of a single file
    goes through it (or :func:`write_netcdf`), a run folder through
    :func:`staging_folder` and :func:`replace_folder`.
    """
    tmp = temp_file_beside(Path(target))
    try:
        write(str(tmp))
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return target


def _unique_folder(target: Path, kind: str) -> Path:
    """Create an empty hidden ``.NAME.KIND-*`` folder beside ``target`` (mode ``0777`` less the umask)."""
    for _ in range(_TRIES):
        path = target.parent / f".{target.name}.{kind}-{secrets.token_hex(4)}"
        try:
            os.mkdir(path, 0o777)
        except FileExistsError:  # pragma: no cover - 2**32 names
            continue
        return path
    raise FileExistsError(17, "no unused folder name", str(target))  # pragma: no cover


def staging_folder(target: Path) -> tuple[Path, int | None]:
    """A new hidden ``.NAME.staging-*`` folder beside ``target``, locked (:func:`lock_folder`).

    Fill it, then put it in place with :func:`replace_folder`; close the
    returned descriptor (the lock) when done. A concurrent writer's
    :func:`remove_stale` leaves a locked staging folder alone. The folder has
    the mode a plain ``mkdir`` gives.
    """
    path = _unique_folder(target, "staging")
    return path, lock_folder(path)


def move_files(names: Sequence[str], source: Path, target: Path) -> None:
    """Move the files ``names`` from folder ``source`` into folder ``target`` on the same file system.

    Each is renamed (never copied): it is whole in one folder or the other, and one already in
    ``target`` under that name is replaced.
    """
    for name in names:
        os.replace(source / name, target / name)


def replace_folder(staging: Path, folder: Path) -> None:
    """Put the complete ``staging`` folder in place of ``folder`` (two renames), then remove the old one.

    The old folder is first renamed to a unique hidden ``.NAME.old-*`` folder.
    An interrupt while it is removed leaves the new folder in place and the
    rest of the old one to :func:`remove_stale` of the next writer; the
    :class:`KeyboardInterrupt` then says so.

    Raises
    ------
    NotADirectoryError
        ``folder`` exists and is not a folder.
    """
    old: Path | None = None
    if folder.exists():
        if not folder.is_dir():
            raise NotADirectoryError(20, "not a folder", str(folder))
        old = _unique_folder(folder, "old")
        try:
            os.replace(folder, old)  # onto the empty placeholder: a name no other writer uses
        except BaseException:
            with contextlib.suppress(OSError):
                old.rmdir()
            raise
    try:
        os.replace(staging, folder)
    except BaseException:
        if old is not None and old.exists() and not folder.exists():
            os.replace(old, folder)
        raise
    if old is not None:
        _remove_old(old, folder)


class InterruptedAfterSwap(KeyboardInterrupt):
    """Ctrl-C after the new folder was put in place, while the old one was removed; the message says so."""


def _remove_old(old: Path, folder: Path) -> None:
    """Remove the previous folder, renamed to ``old``; the new one is already in ``folder``."""
    try:
        shutil.rmtree(old)
    except OSError:  # what is left goes with the next writer's remove_stale
        pass
    except KeyboardInterrupt:
        raise InterruptedAfterSwap(
            f"interrupted after the new run was written to {folder}; what is left of the previous run "
            f"({old.name}) is removed by the next run"
        ) from None


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


def write_netcdf(target: Path, groups: Sequence[tuple[str | None, xr.Dataset]]) -> Path:
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
        Nothing is compressed: zlib shrinks a posterior's float draws by about
        1% for three times the write time (the demo's 13 MB: 0.9 s against 0.3 s).
    """
    buf = io.BytesIO()
    mode = "w"
    for group, data in groups:
        data.to_netcdf(buf, mode=mode, group=group, engine="h5netcdf")  # type: ignore[call-overload]
        mode = "a"
    payload = buf.getvalue()
    return replace_atomically(target, lambda tmp: Path(tmp).write_bytes(payload))
