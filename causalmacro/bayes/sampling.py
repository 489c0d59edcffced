"""Samplers: the blocked Gibbs sampler (default), PyMC's NUTS or nutpie.

``sampler="gibbs"`` (:mod:`causalmacro.bayes.gibbs`) draws every block of the
model from its exact conditional, all chains at once in numpy: nothing is
compiled, and its draws come back as the same groups (same variable names and
dims) as a PyMC fit's InferenceData, held without ArviZ
(:class:`~causalmacro.bayes.posterior.PosteriorGroups`). The two NUTS samplers (Hoffman & Gelman, 2014)
run with diagonal mass-matrix adaptation. What is reused across refits of one
model shape (e.g. the shock draws of :meth:`AssetResponseModel.fit_shock_draws`):

* ``sampler="gibbs"``: nothing to reuse; each fit costs its sweeps only.
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
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import xarray as xr

from ..errors import ArgumentError
from .design import StackedData
from .diagnostics import first_failing
from .gibbs import GibbsDraws, gibbs_sample
from .posterior import PosteriorGroups, to_inference_data
from .rounds import GateRecord, Rounds, gibbs_to_gate

if TYPE_CHECKING:
    import arviz as az
    import pymc as pm

__all__ = ["RANK_COPIES", "SAMPLERS", "Sampler", "SamplerSession", "gibbs_inference_data", "posterior_arrays"]

Sampler = Literal["gibbs", "pymc", "nutpie"]
SAMPLERS: tuple[str, ...] = ("gibbs", "pymc", "nutpie")


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))


class SamplerSession:
    """A model plus its compiled sampler, refittable on new data.

    Parameters
    ----------
    model : pymc.Model or callable
        Model whose data live in ``pm.Data`` containers, or a function of no
        argument that builds it. The Gibbs sampler never needs the PyMC model
        (it samples the same posterior from the design): given a builder, it
        samples without building it, or importing PyMC at all.
    sampler : {"gibbs", "pymc", "nutpie"}
        The blocked Gibbs sampler, or a NUTS implementation.
    pooled : bool, default True
        The model's hierarchy (``pooling="partial"``; False: ``"none"``), which the
        Gibbs sampler needs to know without the model.

    Raises
    ------
    ImportError
        If ``sampler="nutpie"`` and nutpie is not installed.
    """

    def __init__(self, model: pm.Model | Callable[[], pm.Model], sampler: Sampler = "pymc", *,
                 pooled: bool = True) -> None:
        if sampler not in SAMPLERS:
            raise ArgumentError(f"sampler: expected one of {', '.join(map(repr, SAMPLERS))}, got {sampler!r}")
        self._model: pm.Model | None = None
        self._build: Callable[[], pm.Model] | None = None
        if callable(model) and not hasattr(model, "named_vars"):
            self._build = model
        else:
            self._model = model
            pooled = "tau" in model.named_vars
        self.pooled = pooled
        self.sampler: Sampler = sampler
        self._compiled: Any = None
        if sampler == "nutpie":
            if importlib.util.find_spec("nutpie") is None:
                raise ImportError(
                    "sampler='nutpie' needs nutpie: pip install nutpie "
                    "(or pip install 'causalmacro[fast]')"
                )
            import nutpie

            self._compiled = nutpie.compile_pymc_model(self.model, backend="numba")

    @property
    def model(self) -> pm.Model:
        """The PyMC model (built on first use when the session was given a builder)."""
        if self._model is None:
            assert self._build is not None
            self._model = self._build()
        return self._model

    def sample(
        self,
        data: Mapping[str, np.ndarray] | None,
        *,
        design: StackedData | None = None,
        draws: int,
        tune: int,
        chains: int,
        target_accept: float,
        rng: np.random.Generator,
        log_likelihood: bool = False,
        cores: int | None = None,
        progressbar: bool = False,
        rounds: Rounds | None = None,
    ) -> az.InferenceData | PosteriorGroups:
        """Sample the posterior, optionally after swapping in new data.

        Parameters
        ----------
        data : mapping of str to ndarray, optional
            New values of ``pm.Data`` containers (same shapes).
        design : StackedData, optional
            The design those values come from (needed by the Gibbs sampler).
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
        rounds : Rounds, optional
            Gibbs only: sample to the convergence gate on this schedule
            (:mod:`causalmacro.bayes.rounds`); ``draws`` and ``tune`` are then ignored.

        Returns
        -------
        arviz.InferenceData or PosteriorGroups
            The NUTS samplers' InferenceData; the Gibbs sampler's groups, without ArviZ
            (:func:`_gibbs_groups`).
        """
        cores = cores if cores is not None else max(1, min(chains, os.cpu_count() or 1))
        if self.sampler == "gibbs":
            if design is None:
                raise ArgumentError("sampler='gibbs' needs the design to sample")
            if data and self._model is not None:  # a model built: kept in step with the design sampled
                import pymc as pm

                pm.set_data(dict(data), model=self._model)
            return _gibbs_groups(design, pooled=self.pooled, draws=draws, tune=tune, chains=chains, rng=rng,
                                 log_likelihood=log_likelihood, cores=cores, rounds=rounds)
        if rounds is not None:
            raise ArgumentError(f"rounds: sampling to the gate is the Gibbs sampler's, not {self.sampler!r}'s")
        import pymc as pm
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
    return to_inference_data(groups)


def gibbs_inference_data(
    design: StackedData,
    *,
    pooled: bool = True,
    draws: int,
    tune: int,
    chains: int,
    rng: np.random.Generator,
    log_likelihood: bool = False,
    cores: int = 1,
    rounds: Rounds | None = None,
) -> az.InferenceData:
    """Run the Gibbs sampler and return its draws as a PyMC fit of the design's model would.

    ``pooled``: the model of ``build_model(design, pooling="partial")``, else ``pooling="none"``.
    The posterior holds every free variable of the PyMC model (the non-centred
    ``z_group``, ``z_beta`` recomputed from the draws) and every deterministic,
    with the model's names, dims and coordinates, so posterior predictive checks,
    :func:`pymc.compute_log_likelihood` and the result methods work unchanged.
    ``sample_stats`` holds no divergences: the sampler has nothing that can diverge.

    With ``rounds`` the sampler runs to the convergence gate (:func:`causalmacro.bayes.rounds.gibbs_to_gate`;
    each round :func:`causalmacro.bayes.diagnostics.first_failing` on the raw arrays of these variables, less
    the :data:`RANK_COPIES`), ``draws`` and ``tune`` ignored; the posterior's attrs say how it stopped:
    ``sweeps`` (per chain, warm-up included), ``rounds``, ``gate_met``, ``max_sweeps`` and ``stop`` (in
    words), ``tuning_steps`` the warm-up.
    """
    return to_inference_data(_gibbs_groups(design, pooled=pooled, draws=draws, tune=tune, chains=chains, rng=rng,
                                           log_likelihood=log_likelihood, cores=cores, rounds=rounds))


def _gibbs_groups(
    design: StackedData,
    *,
    pooled: bool,
    draws: int,
    tune: int,
    chains: int,
    rng: np.random.Generator,
    log_likelihood: bool,
    cores: int,
    rounds: Rounds | None,
) -> PosteriorGroups:
    """:func:`gibbs_inference_data`'s groups, without ArviZ."""
    record: GateRecord | None = None
    if rounds is None:
        out = gibbs_sample(design, draws=draws, tune=tune, chains=chains, rng=rng, pooled=pooled, cores=cores)
    else:
        failed: list[str] = []  # the variable that failed the last round: checked first in the next

        def gate(kept: GibbsDraws) -> bool:
            post = posterior_arrays(design, kept, pooled)
            name = first_failing({name: v for name, (_, v) in post.items() if name not in RANK_COPIES}, failed)
            failed[:] = [name] if name is not None else []
            return name is None

        out, record = gibbs_to_gate(design, chains=chains, rng=rng, gate=gate, rounds=rounds, pooled=pooled,
                                    cores=cores)
        tune = record.burn
    idata = _to_groups(design, out, pooled=pooled, tune=tune, log_likelihood=log_likelihood)
    if record is not None:
        idata["posterior"].attrs.update(sweeps=record.sweeps, rounds=record.rounds, gate_met=int(record.gate_met),
                                        max_sweeps=record.cap, stop=record.reason)
    return idata


def posterior_arrays(design: StackedData, out: GibbsDraws, pooled: bool = True
                     ) -> dict[str, tuple[tuple[str, ...], np.ndarray]]:
    """Every posterior variable of the PyMC model, free and deterministic, from the Gibbs draws ``out``.

    Name -> (dims after ``(chain, draw)``, ``(chain, draw, ...)`` array): what
    :func:`gibbs_inference_data` puts in the posterior, without the labels.
    """
    lead = out.nu.shape
    regimes = bool(design.regimes)
    k, n_l = len(design.shocks), design.lags + 1
    n_a, n_r = len(design.assets), len(design.regimes)
    # the hierarchy's dims: (shock, lag), or (shock, effect, lag) with regimes
    hier: tuple[str, ...] = ("shock", "effect") if regimes else ("shock",)
    hshape = (k, n_r) if regimes else (k,)
    suffix = "_effect" if regimes else ""
    beta_eff = out.beta_std.reshape(*lead, n_a, *hshape, n_l)
    post: dict[str, tuple[tuple[str, ...], np.ndarray]] = {
        "beta_std" + suffix: (("asset", *hier, "lag"), beta_eff),
        "a_std": (("asset",), out.a_std),
        "sigma_e_std": (("asset",), out.sigma_e_std),
        "nu": ((), out.nu),
    }
    if pooled:
        mu = out.mu.reshape(*lead, *hshape, n_l)
        group_eff = out.mu_group.reshape(*lead, len(design.groups), *hshape, n_l)
        sigma = out.sigma.reshape(*lead, *hshape)
        tau = out.tau.reshape(*lead, len(design.groups), *hshape)
        post["mu"] = ((*hier, "lag"), mu)
        post["sigma"] = (hier, sigma)
        post["tau"] = (("group", *hier), tau)
        post["mu_group" + suffix] = (("group", *hier, "lag"), group_eff)
        post["z_group"] = (("group", *hier, "lag"), (group_eff - mu[:, :, None]) / sigma[:, :, None, ..., None])
        tau_a = tau[:, :, design.asset_group]
        post["z_beta"] = (("asset", *hier, "lag"), (beta_eff - group_eff[:, :, design.asset_group]) / tau_a[..., None])
    coding = design.coding
    n_shift = len(design.contrasts)
    if regimes:
        beta_std = np.einsum("...kel,re->...klr", beta_eff, coding)
        post["beta_std"] = (("asset", "shock", "lag", "regime"), beta_std)
        if pooled:
            post["mu_group"] = (("group", "shock", "lag", "regime"),
                                np.einsum("...kel,re->...klr", group_eff, coding))
        shift = out.gamma_std[..., :n_shift]
        post["a_shift_std"] = (("asset", "contrast"), shift)
        beta = beta_std * design.y_scale[:, None, None, None] / design.x_scale[None, :, None, None]
        a_regime = out.a_std[..., None] + shift @ coding[:, 1:].T  # (chain, draw, asset, regime)
        post["a"] = (("asset", "regime"), design.y_loc[:, None] + design.y_scale[:, None] * a_regime
                     - (beta * design.x_loc[None, :, None, None]).sum(axis=(-3, -2)))
        post["beta"] = (("asset", "shock", "lag", "regime"), beta)
    else:
        beta = beta_eff * design.y_scale[:, None, None] / design.x_scale[None, :, None]
        post["beta"] = (("asset", "shock", "lag"), beta)
        post["a"] = (("asset",), design.y_loc + design.y_scale * out.a_std
                     - (beta * design.x_loc[None, :, None]).sum(axis=(-1, -2)))
    if design.covariates:
        gamma_std = out.gamma_std[..., n_shift:]
        post["gamma_std"] = (("asset", "covariate"), gamma_std)
        post["gamma"] = (("asset", "covariate"), gamma_std * design.y_scale[:, None])
    post["sigma_e"] = (("asset",), out.sigma_e_std * design.y_scale)
    return post


RANK_COPIES = frozenset({"beta", "sigma_e", "gamma"})
"""Posterior variables that are positive rescalings of another (``beta_std``, ``sigma_e_std``, ``gamma_std``):
the same ranks, so the same rank-normalised R-hat and bulk ESS; the per-round gate check skips them."""


def _to_groups(design: StackedData, out: GibbsDraws, *, pooled: bool, tune: int,
               log_likelihood: bool = False) -> PosteriorGroups:
    """The Gibbs draws ``out`` as the groups of the InferenceData a PyMC fit of the design's model would give."""
    chains, draws = out.nu.shape
    post = posterior_arrays(design, out, pooled)
    n_l = design.lags + 1
    regimes = bool(design.regimes)
    coords: dict[str, Any] = {"chain": np.arange(chains), "draw": np.arange(draws), "asset": list(design.assets),
                              "shock": list(design.shocks), "lag": list(range(n_l))}
    if pooled:
        coords["group"] = list(design.groups)
    if regimes:
        coords.update(regime=list(design.regimes), effect=list(design.effects), contrast=list(design.contrasts))
    if design.covariates:
        coords["covariate"] = list(design.covariates)
    posterior = xr.Dataset(
        {name: (("chain", "draw", *dims), values) for name, (dims, values) in post.items()},
        coords=coords,
        attrs={"sampler": "gibbs", "sampling_time": out.seconds, "tuning_steps": tune},
    )
    groups: dict[str, Any] = {
        "posterior": posterior,
        "observed_data": xr.Dataset({"y": (("obs",), design.y)}, coords={"obs": np.arange(len(design.y))}),
    }
    if log_likelihood:
        from scipy import stats

        theta = np.concatenate([out.a_std[..., None], out.gamma_std, out.beta_std], axis=-1)
        fitted = theta @ np.column_stack([design.x_free, design.x_terms]).T  # (chain, draw, asset, date)
        mean = fitted[..., design.asset_idx, design.time_idx]
        ll = stats.t.logpdf(design.y, df=out.nu[..., None], loc=mean, scale=out.sigma_e_std[..., design.asset_idx])
        groups["log_likelihood"] = xr.Dataset({"y": (("chain", "draw", "obs"), ll)},
                                              coords={"chain": coords["chain"], "draw": coords["draw"],
                                                      "obs": np.arange(len(design.y))})
    return PosteriorGroups(groups)
