"""Samplers: PyMC's NUTS (default) or nutpie, with compiled-model reuse.

Both samplers run the No-U-Turn sampler (Hoffman & Gelman, 2014) with
diagonal mass-matrix adaptation. What is reused across refits of one model
shape (e.g. the shock draws of :meth:`AssetResponseModel.fit_shock_draws`):

* ``sampler="pymc"``: the PyMC model graph is built once and its ``pm.Data``
  containers are swapped with :func:`pymc.set_data`. Each ``pm.sample`` call
  still re-derives and re-optimises the log-density graph (a few seconds), but
  its C code is found in PyTensor's compile cache, so the cold C compilation
  (20-60 s) is paid once.
* ``sampler="nutpie"``: the model is compiled once to a nutpie model (numba
  backend) and refitted with ``compiled.with_data(...)``: nothing is recompiled.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from typing import Any, Literal

import arviz as az
import numpy as np
import pymc as pm

from ..errors import ArgumentError

__all__ = ["Sampler", "SamplerSession"]

Sampler = Literal["pymc", "nutpie"]


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))


class SamplerSession:
    """A built model plus its compiled sampler, refittable on new data.

    Parameters
    ----------
    model : pymc.Model
        Model whose data live in ``pm.Data`` containers.
    sampler : {"pymc", "nutpie"}
        Which NUTS implementation to run.

    Raises
    ------
    ImportError
        If ``sampler="nutpie"`` and nutpie is not installed.
    """

    def __init__(self, model: pm.Model, sampler: Sampler = "pymc") -> None:
        if sampler not in ("pymc", "nutpie"):
            raise ArgumentError(f"sampler: expected 'pymc' or 'nutpie', got {sampler!r}")
        self.model = model
        self.sampler: Sampler = sampler
        self._compiled: Any = None
        if sampler == "nutpie":
            if importlib.util.find_spec("nutpie") is None:
                raise ImportError(
                    "sampler='nutpie' needs nutpie: pip install nutpie "
                    "(or pip install 'causalmacro[fast]')"
                )
            import nutpie

            self._compiled = nutpie.compile_pymc_model(model, backend="numba")

    def sample(
        self,
        data: Mapping[str, np.ndarray] | None,
        *,
        draws: int,
        tune: int,
        chains: int,
        target_accept: float,
        rng: np.random.Generator,
        log_likelihood: bool = False,
        cores: int | None = None,
        progressbar: bool = False,
    ) -> az.InferenceData:
        """Sample the posterior, optionally after swapping in new data.

        Parameters
        ----------
        data : mapping of str to ndarray, optional
            New values of ``pm.Data`` containers (same shapes).
        draws, tune, chains : int
            Kept draws and tuning steps per chain, number of chains.
        target_accept : float
            Target acceptance rate of the step-size adaptation.
        rng : numpy.random.Generator
            Source of the sampler seed.
        log_likelihood : bool
            Store pointwise log-likelihood (for LOO / WAIC).
        cores : int, optional
            Parallel chains; default ``min(chains, os.cpu_count())``.
        progressbar : bool
            Show the sampler's progress bar.

        Returns
        -------
        arviz.InferenceData
        """
        cores = cores if cores is not None else max(1, min(chains, os.cpu_count() or 1))
        if self.sampler == "nutpie":
            import nutpie

            compiled = self._compiled if not data else self._compiled.with_data(**data)
            if data:
                pm.set_data(dict(data), model=self.model)
            idata = nutpie.sample(
                compiled,
                draws=draws,
                tune=tune,
                chains=chains,
                cores=cores,
                seed=_seed(rng),
                target_accept=target_accept,
                progress_bar=progressbar,
                save_warmup=False,
            )
            idata = _drop_unconstrained(idata)
            if log_likelihood:
                idata = pm.compute_log_likelihood(idata, model=self.model, progressbar=False)
            return idata
        if data:
            pm.set_data(dict(data), model=self.model)
        return pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            cores=cores,
            target_accept=target_accept,
            random_seed=rng,
            model=self.model,
            progressbar=progressbar,
            compute_convergence_checks=False,
            idata_kwargs={"log_likelihood": log_likelihood},
        )


def _drop_unconstrained(idata: az.InferenceData) -> az.InferenceData:
    """Remove nutpie's unconstrained copies (``*_log__``) from the posterior."""
    post = idata["posterior"]
    drop = [v for v in post.data_vars if str(v).endswith("__")]
    if not drop:
        return idata
    post = post.drop_vars(drop)
    unused = [d for d in post.dims if not any(d in post[v].dims for v in post.data_vars)]
    post = post.drop_dims(unused)
    groups: dict[str, Any] = {g: idata[g] for g in idata.groups()}
    groups["posterior"] = post
    return az.InferenceData(**groups)
