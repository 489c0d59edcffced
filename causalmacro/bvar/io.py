"""Saving and loading Bayesian VAR results as an inspectable zip of JSON and ``.npy`` files.

File layout (format ``causalmacro.bvar.results``, version 1)::

    manifest.json     format, version, kind ("bvar" or "structural"), variables, lags, sample
                      index, the prior, hyperparameters, marginal likelihoods, posterior dof;
                      for "structural" also the scheme and its options, the identification
                      details and the seed
    b_hat.npy, v.npy, s.npy              the closed-form posterior
    coef_draws.npy, sigma_draws.npy      the posterior draws
    y.npy, x.npy                         the sample (without dummy observations)
    impact.npy, accepted.npy, weights.npy    the point identification (structural)
    draw_impact.npy, kept.npy            the identified draws' impact matrices, their indices

Nothing is re-estimated or redrawn on load: every array comes back bit for bit, so
posterior bands equal the saved ones. Index and scheme encodings are those of
:mod:`causalmacro.svar.io`; nothing is pickled.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from causalmacro.bvar.prior import Minnesota
from causalmacro.errors import DataError
from causalmacro.svar import _format
from causalmacro.svar.identification import Identified
from causalmacro.svar.io import (
    _Corrupt,
    _decode_identification,
    _decode_index,
    _encode_identification,
    _encode_index,
    _plain,
    read_archive,
    write_archive,
)

if TYPE_CHECKING:
    from causalmacro.bvar.results import BayesianSVARResults, BVARResults

__all__ = ["FORMAT", "VERSION", "load_bvar", "save_bvar"]

FORMAT = "causalmacro.bvar.results"
VERSION = 1
_ARRAYS = ("b_hat", "v", "s", "coef_draws", "sigma_draws", "y", "x")


def save_bvar(res: BVARResults | BayesianSVARResults, path: str | os.PathLike[str]) -> Path:
    """Write a BVAR's results (or a structural BVAR's) to ``path`` atomically; see the module for the layout."""
    target = Path(path)
    # a BayesianSVARResults carries its BVAR (this module imports neither class at run time)
    sres: BayesianSVARResults | None = cast("BayesianSVARResults", res) if hasattr(res, "posterior") else None
    bvar = cast("BVARResults", res) if sres is None else sres.bvar
    manifest: dict[str, Any] = {
        "format": FORMAT, "version": VERSION, "kind": "bvar",
        "variables": list(bvar.variables), "lags": bvar.lags, "index": _encode_index(bvar.index),
        "prior": _plain(dataclasses.asdict(bvar.prior)), "hyper": bvar.hyper, "searched": list(bvar.searched),
        "converged": bool(bvar.converged), "hyperparameters": {k: float(v) for k, v in bvar.hyperparameters.items()},
        "log_marginal_likelihood": float(bvar.log_marginal_likelihood),
        "log_hyperposterior": float(bvar.log_hyperposterior), "dof": float(bvar.dof),
    }
    arrays = {name: np.asarray(getattr(bvar, name)) for name in _ARRAYS}
    if sres is not None:
        manifest.update(kind="structural", identification=_encode_identification(sres.identification),
                        identified_details=_format.jsonable(dict(sres.identified.details)), seed=sres.seed)
        arrays.update(impact=np.asarray(sres.identified.impact), draw_impact=np.asarray(sres.posterior.impact),
                      kept=np.asarray(sres.kept, dtype=np.float64))
        if sres.identified.accepted is not None:
            arrays["accepted"] = np.asarray(sres.identified.accepted)
        if sres.identified.weights is not None:
            arrays["weights"] = np.asarray(sres.identified.weights)
    return write_archive(target, manifest, arrays)


def _read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    return read_archive(path, fmt=FORMAT, version=VERSION, what="BVAR results")


def load_bvar(path: str | os.PathLike[str], bvar_cls: type[BVARResults],
              build: Callable[..., BayesianSVARResults]) -> BVARResults | BayesianSVARResults:
    """Read a file :func:`save_bvar` wrote: :class:`BVARResults`, or :class:`BayesianSVARResults` for a structural one.

    ``bvar_cls`` and ``build`` (:func:`~causalmacro.bvar.results.build_structural`) come from the
    caller, the results' ``load``, so that this module imports neither at run time (no import cycle).

    Raises
    ------
    DataError
        Naming the file, when it is missing, not a BVAR results file, of another version, or corrupt.
    """
    source = Path(path)
    if not source.is_file():
        raise DataError(f"results file {source} does not exist")
    manifest, arrays = _read(source)
    try:
        prior: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in manifest["prior"].items()}
        bvar = bvar_cls(
            variables=tuple(manifest["variables"]), lags=int(manifest["lags"]),
            index=_decode_index(manifest["index"], arrays["y"].shape[0]), prior=Minnesota(**prior),
            hyper=manifest["hyper"], searched=tuple(manifest["searched"]), converged=bool(manifest["converged"]),
            hyperparameters=dict(manifest["hyperparameters"]),
            log_marginal_likelihood=float(manifest["log_marginal_likelihood"]),
            log_hyperposterior=float(manifest["log_hyperposterior"]), dof=float(manifest["dof"]),
            **{name: arrays[name] for name in _ARRAYS},
        )
        if manifest["kind"] == "bvar":
            return bvar
        identified = Identified(impact=arrays["impact"], details=dict(manifest["identified_details"]),
                                accepted=arrays.get("accepted"), weights=arrays.get("weights"))
        kept = arrays["kept"].astype(np.int64)
        if kept.size != arrays["draw_impact"].shape[0] or (kept.size and kept.max() >= bvar.draws):
            raise _Corrupt("kept draws do not match the stored impact matrices")
        stored = (identified, arrays["draw_impact"], kept, int(manifest["seed"]))
        return build(bvar, _decode_identification(manifest["identification"]), stored=stored)
    except Exception as exc:  # the manifest is untrusted input: any inconsistency is damage
        reason = str(exc) if isinstance(exc, _Corrupt) else f"{type(exc).__name__}: {exc}"
        raise DataError(f"{source} is corrupt: {reason}".splitlines()[0]) from None
