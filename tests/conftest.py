"""Shared pytest configuration.

PyTensor compiles C on first use; its cache goes to a per-session temp folder
unless the caller (CI) already pointed ``PYTENSOR_FLAGS`` somewhere.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

if "compiledir" not in os.environ.get("PYTENSOR_FLAGS", ""):
    _cdir = Path(tempfile.gettempdir()) / "causalmacro-pytensor"
    os.environ["PYTENSOR_FLAGS"] = f"compiledir={_cdir}," + os.environ.get("PYTENSOR_FLAGS", "")

SHARED_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ``../shared/data``; skips the test when the folder is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA.resolve()


@pytest.fixture(scope="session")
def fred_dir(shared_data: Path) -> Path:
    """Path of the FRED CSV downloads in ``../shared/data/fred``."""
    path = shared_data / "fred"
    if not path.is_dir():
        pytest.skip("../shared/data/fred is not present")
    return path


@pytest.fixture
def sleeps() -> list[float]:
    """Backoff sleeps a FRED client asked for (recorded instead of slept)."""
    return []


@pytest.fixture
def client(fake: object, sleeps: list[float]) -> object:
    """A FRED client aimed at the test module's ``fake`` server: short timeout, two retries."""
    from causalmacro.data.fred import client_from_env

    return client_from_env(timeout=0.5, retries=2, backoff=0.01, sleep=sleeps.append)


@pytest.fixture(scope="session")
def demo() -> tuple[object, object]:
    """The demo spec and its panel (the embedded synthetic data), built once."""
    import causalmacro as cm

    spec = cm.load_spec(Path(__file__).resolve().parents[1] / "models" / "demo.toml")
    return spec, cm.build_panel(spec, cm.open_source(spec))
