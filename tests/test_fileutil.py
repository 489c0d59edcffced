"""The one atomic-write helper (:mod:`causalmacro.fileutil`): modes from the umask, never by changing it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from causalmacro import fileutil


@pytest.fixture
def umask_027():  # type: ignore[no-untyped-def]
    old = os.umask(0o027)
    yield
    os.umask(old)


@pytest.fixture
def umask_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any call of ``os.umask`` (which changes the umask of every thread) fails the test."""
    def forbidden(mask: int) -> int:
        raise AssertionError(f"os.umask({mask:o}) called")

    monkeypatch.setattr(os, "umask", forbidden)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_current_umask_reads_without_changing(umask_027: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "umask", lambda mask: pytest.fail("os.umask called"))
    assert fileutil.current_umask() == 0o027


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_replace_atomically_gives_a_plain_files_mode_without_touching_the_umask(
    tmp_path: Path, umask_027: None, umask_frozen: None
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    fileutil.replace_atomically(target, lambda tmp: Path(tmp).write_text("new"))
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert stat.S_IMODE(plain.stat().st_mode) == stat.S_IMODE(target.stat().st_mode)


def test_replace_atomically_keeps_the_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")

    def failing(tmp: str) -> None:
        Path(tmp).write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        fileutil.replace_atomically(target, failing)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_staging_folder_and_replace_folder(tmp_path: Path, umask_027: None, umask_frozen: None) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "a.txt").write_text("old")
    staging, lock = fileutil.staging_folder(folder)
    assert lock is not None
    try:
        assert staging.name.startswith(".run.staging-")
        assert stat.S_IMODE(staging.stat().st_mode) == 0o750
        assert fileutil.remove_stale(folder) == []  # locked: a live writer's folder stays
        (staging / "b.txt").write_text("new")
        fileutil.replace_folder(staging, folder)
    finally:
        os.close(lock)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    assert sorted(p.name for p in folder.iterdir()) == ["b.txt"]


def test_replace_folder_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "run").write_text("not a folder")
    staging, lock = fileutil.staging_folder(tmp_path / "run")
    if lock is not None:
        os.close(lock)
    with pytest.raises(NotADirectoryError):
        fileutil.replace_folder(staging, tmp_path / "run")
    assert (tmp_path / "run").read_text() == "not a folder"


def test_no_atomic_write_code_outside_fileutil() -> None:
    """``os.replace`` and temporary files live in :mod:`causalmacro.fileutil` only (``svar/io.py``: pending)."""
    root = Path(fileutil.__file__).parent
    allowed = {root / "fileutil.py", root / "svar" / "io.py"}
    found = [
        str(p.relative_to(root)) for p in sorted(root.rglob("*.py")) if p not in allowed
        and any(s in p.read_text() for s in ("os.replace(", "os.rename(", "mkstemp(", "mkdtemp(", "os.umask("))
    ]
    assert found == []
