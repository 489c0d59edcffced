"""The run folder's ``manifest.json``: what a run read, with which code, and whether a rerun can reuse it.

A run is reusable when its *key* is unchanged: the manifest format, the
causalmacro version, the spec (hash of its validated content), the run's options
(seed, replications, assets, sampler) and the fingerprint of every raw input
series (hash of its dates and values). Timings and the creation time are
recorded but are not part of the key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from causalmacro.panel import Panel
from causalmacro.spec import ModelSpec

__all__ = ["FORMAT", "MANIFEST", "manifest", "reusable", "run_key"]

FORMAT = "causalmacro.run/1"
MANIFEST = "manifest.json"
_PACKAGES = ("numpy", "scipy", "pandas", "xarray", "statsmodels", "pymc", "arviz", "networkx", "matplotlib")


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def run_key(spec: ModelSpec, panel: Panel, options: dict[str, Any]) -> dict[str, Any]:
    """What must be unchanged for a rerun to reuse a run folder.

    Parameters
    ----------
    spec : ModelSpec
    panel : Panel
        Built from the spec's current data.
    options : dict
        The run's options (``seed``, ``reps``, ``assets``, ``sampler``).
    """
    spec_text = spec.model_dump_json()
    return {
        "format": FORMAT,
        "causalmacro": _version("causalmacro"),
        "spec": {"name": spec.name, "sha256": hashlib.sha256(spec_text.encode()).hexdigest()},
        "options": dict(options),
        "data": {sid: dict(info) for sid, info in panel.inputs.items()},
    }


def manifest(key: dict[str, Any], panel: Panel, *, timings: dict[str, float], files: list[str],
             spec_file: str | None, bands: str | None = None,
             sampling: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The full manifest: the key plus the window, package versions, timings and files.

    ``bands`` is the run's bands in words (:func:`causalmacro.pipeline.results.band_text`: the bootstrap
    replications used and dropped, or why there are none); ``sampling`` how long the asset model's
    sampler ran and why it stopped (``RunChoices.asset_sampling``: sweeps per chain, rounds, gate met,
    cap, reason; null without the asset model).
    """
    return {
        **key,
        "spec_file": spec_file,
        "bands": bands,
        "sampling": dict(sampling) if sampling is not None else None,
        "synthetic": panel.synthetic,
        "window": dict(panel.window),
        "packages": {name: _version(name) for name in _PACKAGES},
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": list(files),
    }


def reusable(folder: Path, key: dict[str, Any]) -> bool:
    """Whether ``folder`` holds a complete run with this key (a damaged manifest counts as no)."""
    path = folder / MANIFEST
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(old, dict) or any(old.get(k) != v for k, v in json.loads(json.dumps(key)).items()):
        return False
    return all((folder / f).is_file() for f in old.get("files", []))
