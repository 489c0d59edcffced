"""The seeds of a run: one integer in, independent streams for the SVAR and the asset model out."""

from __future__ import annotations

import numpy as np

__all__ = ["split_seed"]


def split_seed(seed: int) -> tuple[int, int]:
    """The SVAR's and the asset model's seeds, spawned from one run seed.

    Parameters
    ----------
    seed : int
        The run's seed (``causalmacro run --seed``).

    Returns
    -------
    (int, int)
        ``(svar_seed, asset_seed)``: independent streams
        (:meth:`numpy.random.SeedSequence.spawn`).
    """
    svar_seed, asset_seed = (int(s.generate_state(1)[0]) for s in np.random.SeedSequence(int(seed)).spawn(2))
    return svar_seed, asset_seed
