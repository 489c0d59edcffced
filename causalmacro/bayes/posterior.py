"""A fit's groups of draws (``posterior``, ``sample_stats``, ...), held without ArviZ until it is asked for.

ArviZ's :class:`arviz.InferenceData` is the posterior's public form
(:attr:`causalmacro.bayes.AssetResponseResults.idata`), but importing ArviZ
loads its plotting module, matplotlib and numba: about 0.4 CPU-seconds, a
fifteenth of the demo's main job, spent before the asset model can start
sampling. The Gibbs fit, its convergence gate, the results' tables and the
saved file need only the groups' xarray Datasets, so they are kept in a
:class:`PosteriorGroups` and the InferenceData is built, from the same
Datasets (nothing copied), the first time it is asked for.

:func:`hdi` is ArviZ's highest-density interval (:func:`arviz.hdi`, unimodal),
computed the same way without it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

if TYPE_CHECKING:
    import arviz as az

__all__ = ["GROUP_ORDER", "PosteriorGroups", "as_groups", "hdi", "to_inference_data"]

GROUP_ORDER: tuple[str, ...] = (
    "posterior", "posterior_predictive", "predictions", "log_likelihood", "log_prior", "sample_stats", "prior",
    "prior_predictive", "sample_stats_prior", "observed_data", "constant_data", "predictions_constant_data",
)
"""The order in which an InferenceData holds (and writes) its groups (ArviZ's ``SUPPORTED_GROUPS``); groups
not named here follow, in the order given."""


class PosteriorGroups(Mapping[str, xr.Dataset]):
    """Named groups of a fit (group name -> :class:`xarray.Dataset`), read-only, in ArviZ's order.

    Indexed as an InferenceData is (``groups["posterior"]``, ``"sample_stats" in groups``,
    :meth:`groups`), so the code that reads a fit takes either.

    Parameters
    ----------
    groups : mapping of str to xarray.Dataset
        The groups; each Dataset is kept as it is (not copied).
    """

    __slots__ = ("_groups",)

    def __init__(self, groups: Mapping[str, xr.Dataset]) -> None:
        rank = {name: i for i, name in enumerate(GROUP_ORDER)}
        order = sorted(groups, key=lambda name: rank.get(name, len(rank)))  # stable: other groups keep their order
        self._groups: dict[str, xr.Dataset] = {name: groups[name] for name in order}

    def __getitem__(self, name: str) -> xr.Dataset:
        return self._groups[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._groups)

    def __len__(self) -> int:
        return len(self._groups)

    def __repr__(self) -> str:
        return f"PosteriorGroups({', '.join(self._groups)})"

    def groups(self) -> list[str]:
        """The group names, in order (as :meth:`arviz.InferenceData.groups`)."""
        return list(self._groups)


def as_groups(idata: az.InferenceData | Mapping[str, xr.Dataset]) -> PosteriorGroups:
    """The groups of an InferenceData or of a mapping of Datasets (the same Datasets, not copies)."""
    if isinstance(idata, PosteriorGroups):
        return idata
    names = idata.groups() if hasattr(idata, "groups") and callable(idata.groups) else list(idata)
    return PosteriorGroups({name: idata[name] for name in names})


def to_inference_data(groups: Mapping[str, xr.Dataset]) -> az.InferenceData:
    """An :class:`arviz.InferenceData` of ``groups`` (the same Datasets; imports ArviZ)."""
    import arviz as az

    kwargs: dict[str, xr.Dataset] = dict(groups)
    return az.InferenceData(**kwargs)  # type: ignore[arg-type]  # ArviZ types its keyword arguments loosely


def hdi(samples: xr.DataArray, prob: float) -> tuple[xr.DataArray, xr.DataArray]:
    """Lower and upper bounds of the highest-density interval of ``samples`` over ``chain`` and ``draw``.

    The narrowest interval between two sorted draws that holds ``floor(prob * n)``
    further draws (the first such, on ties): :func:`arviz.hdi` with its defaults,
    to the last bit, vectorised over the other dims (Hyndman, 1996, for unimodal
    posteriors). ``prob`` is checked by the caller.
    """
    def bounds(values: np.ndarray) -> np.ndarray:
        flat = np.sort(values.reshape(*values.shape[:-2], -1), axis=-1)
        n = flat.shape[-1]
        inc = int(np.floor(prob * n))
        if n - inc <= 0:
            raise ValueError("Too few elements for interval calculation. ")
        width = np.subtract(flat[..., inc:], flat[..., : n - inc], dtype=np.float64)
        first = np.argmin(width, axis=-1)[..., None]
        return np.stack([np.take_along_axis(flat, first, axis=-1)[..., 0],
                         np.take_along_axis(flat, first + inc, axis=-1)[..., 0]], axis=-1)

    out = xr.apply_ufunc(bounds, samples, input_core_dims=[["chain", "draw"]], output_core_dims=[["hdi"]])
    return out.isel(hdi=0), out.isel(hdi=1)
