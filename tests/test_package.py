"""The package surface: lazy exports, no heavy imports at ``import causalmacro``."""

from __future__ import annotations

import subprocess
import sys

import causalmacro as cm


def test_lazy_exports_resolve() -> None:
    for name in cm.__all__:
        assert getattr(cm, name) is not None, name
    assert cm.SVAR.__module__.startswith("causalmacro.svar")
    assert cm.AssetResponseModel.__module__.startswith("causalmacro.bayes")
    assert set(cm.DEFAULT_GROUPS.values()) >= {"crypto", "equity"}


def test_import_is_light() -> None:
    code = "import sys, causalmacro; print(sorted(m for m in ('pymc', 'statsmodels', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
