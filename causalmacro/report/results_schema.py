"""The JSON schema of ``results.json`` (published as ``docs/results.schema.json``).

Every labelled array is ``{name, dims, coords, values, attrs}`` (the shared
response type, :mod:`causalmacro.labelled`); every matrix is ``{index, columns,
data}``; dates are ISO strings. :func:`results_schema` is the source of truth and
a test keeps the published file and every written ``results.json`` in line with it.

Every key :meth:`causalmacro.RunResults.to_dict` writes has a ``description``; a
table keyed by names of the run (variables, assets, events, regimes) gives the
values' schema as ``additionalProperties`` and names its keys in
``propertyNames.title`` (shown as ``<title>`` in the reference).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["dump_results_schema", "results_schema"]

Node = dict[str, Any]

_LABELLED: Node = {
    "type": "object",
    "description": "A labelled array (an xarray.DataArray): the values nested in the order of ``dims``, each dim's "
                   "coordinates in ``coords``.",
    "required": ["name", "dims", "coords", "values", "attrs"],
    "properties": {
        "name": {"type": ["string", "null"], "description": "The array's name, e.g. ``irf``."},
        "dims": {"type": "array", "items": {"type": "string"}, "description": "Dimension names, outermost first."},
        "coords": {"type": "object", "additionalProperties": {"type": "array"},
                   "description": "Each dim's labels (dates as ISO strings)."},
        "values": {"type": "array", "description": "Nested lists of numbers, one level per dim."},
        "attrs": {"type": "object", "description": "What the numbers are: identification, shock size, ``level``, "
                  "``interval``, bootstrap settings, ..."},
    },
}
_MATRIX: Node = {
    "type": "object",
    "description": "A labelled matrix (a pandas.DataFrame in ``split`` form).",
    "required": ["index", "columns", "data"],
    "properties": {
        "index": {"type": "array", "items": {"type": "string"}, "description": "Row labels."},
        "columns": {"type": "array", "items": {"type": "string"}, "description": "Column labels."},
        "data": {"type": "array", "items": {"type": "array", "items": {"type": "number"}},
                 "description": "The rows, each a list of numbers in column order."},
    },
}
_DATE: Node = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}", "description": "An ISO date, ``YYYY-MM-DD``."}

_BOUND_NOTE = "plus a last ``bound`` dim (``point``, ``lower``, ``upper``) when the run has bands"


# --- builders --------------------------------------------------------------------------------
def _leaf(kind: str | list[str], description: str, **extra: Any) -> Node:
    return {"type": kind, "description": description, **extra}


def _ref(name: str, description: str, *, nullable: bool = False) -> Node:
    if nullable:
        return {"oneOf": [{"$ref": f"#/$defs/{name}"}, {"type": "null"}], "description": description}
    return {"$ref": f"#/$defs/{name}", "description": description}


def _date(description: str, *, nullable: bool = False) -> Node:
    return _ref("date", description, nullable=nullable)


def _strings(description: str) -> Node:
    return {"type": "array", "items": {"type": "string"}, "description": description}


def _obj(description: str, properties: dict[str, Node], *, optional: tuple[str, ...] = (),
         nullable: bool = False) -> Node:
    """A table with known keys: every key required unless named in ``optional``."""
    return {"type": ["object", "null"] if nullable else "object", "description": description,
            "required": [k for k in properties if k not in optional], "properties": properties}


def _map(description: str, key: str, value: Node, *, nullable: bool = False) -> Node:
    """A table keyed by names of the run (``key`` says what they are)."""
    return {"type": ["object", "null"] if nullable else "object", "description": description,
            "propertyNames": {"title": key}, "additionalProperties": value}


def _test(description: str, *, nullable: bool = False) -> Node:
    """One hypothesis test (:class:`causalmacro.svar.diagnostics.TestResult`)."""
    return _obj(description, {
        "name": _leaf("string", "The test, e.g. ``portmanteau(12)``."),
        "statistic": _leaf("number", "Test statistic."),
        "pvalue": _leaf("number", "p-value."),
        "df": {"type": "array", "items": {"type": "number"},
               "description": "Degrees of freedom: ``[df]`` for chi-square, ``[df_num, df_denom]`` for F."},
        "distribution": _leaf("string", "Reference distribution: ``chi2`` or ``F``.", enum=["chi2", "F"]),
        "null": _leaf("string", "The null hypothesis in words."),
    }, nullable=nullable)


def _bands(description: str, kind: str = "array") -> Node:
    """``{point, lower, upper}``: numbers, or arrays over horizons."""
    value: Node = ({"type": "array", "items": {"type": "number"}} if kind == "array" else {"type": "number"})
    return _obj(description, {
        "point": {**value, "description": "Posterior mean."},
        "lower": {**value, "description": "Lower bound of the highest-density interval of mass ``assets.level``."},
        "upper": {**value, "description": "Upper bound of that interval."},
    })


# --- sections ----------------------------------------------------------------------------------
def _band_choices(nstr: list[str]) -> dict[str, Node]:
    """The choices that say how the run's bands were drawn."""
    return {
        "bands": _leaf("string", "The bands drawn: ``bootstrap``, ``set`` (identified set), ``posterior`` (credible "
                       "bands from the Bayesian VAR's posterior draws) or ``none``.",
                       enum=["bootstrap", "set", "posterior", "none"]),
        "bootstrap": _leaf(nstr, "Bootstrap kind, ``block``, ``residual`` or ``wild`` (null without bootstrap "
                           "bands)."),
        "reps": _leaf("integer", "Bootstrap replications, or the Bayesian VAR's posterior draws, behind the bands "
                      "(0 without bands)."),
        "reps_requested": _leaf("integer", "Bootstrap replications asked for: ``--reps``, else ``[var].reps`` (0: "
                                "no bands)."),
        "reps_override": _leaf("boolean", "Whether ``reps_requested`` came from the command line (``--reps``) "
                               "rather than the spec."),
        "reps_kept": _leaf("integer", "Replications the bands are computed from: ``reps`` less those dropped (0 "
                           "without bootstrap bands)."),
        "reps_explosive": _leaf("integer", "Replications dropped because their re-estimated VAR is explosive "
                                "(largest companion root >= 1)."),
        "reps_unidentified": _leaf("integer", "Replications dropped because the identification scheme failed on "
                                   "them."),
        "level": _leaf("number", "Coverage of every band and interval (``[var].level``)."),
        "block_length": _leaf(["integer", "null"], "Block length of the moving-block bootstrap, in periods (null "
                              "for the other methods and without bootstrap bands)."),
        "bias_correct": _leaf("boolean", "Whether the bootstrap applied Kilian's (1998) bias correction."),
        "bands_missing": _leaf(nstr, "Why a run that asked for bootstrap bands has none (every replication "
                               "explosive), else null."),
        "joint": _leaf("boolean", "Whether the bands of the impulse responses, channel decompositions, event "
                       "effects and local projections are joint (sup-t over the horizons, ``[var] joint``) rather "
                       "than pointwise; variance decompositions stay pointwise."),
    }


def _scenario_choice() -> Node:
    """``choices.scenarios``: how each ``[scenarios.<name>]`` table was run."""
    one = _obj("How one ``[scenarios.<name>]`` table was run.", {
        "steps": _leaf("integer", "Periods forecast."),
        "shocks": _strings("The shocks allowed to move (empty: every shock, a Waggoner-Zha conditional forecast)."),
        "draws": _leaf("integer", "Draws of the shocks behind the scenario's bands."),
        "units": _map("The units each conditioned variable's values were given in.", "variable",
                      _leaf("string", "``model``, ``level`` or ``change``.", enum=["model", "level", "change"])),
        "seed": {"type": "array", "items": {"type": "integer"}, "description":
                 "The scenario's random stream, ``numpy.random.default_rng(seed)``: the run's ``seed`` and the "
                 "scenario's position in the spec."},
    })
    return _map("The spec's scenarios as run (empty: none; then ``scenarios`` is absent).", "scenario", one)


def _bvar_choice() -> Node:
    """The Bayesian VAR of a run as fitted (``choices.bvar``)."""
    return _obj("The Bayesian VAR as fitted (null for ``ols``).", {
        "prior": _leaf("string", "The prior in one line (``Minnesota(lambda=0.2, alpha=2, b=1, soc=1)``; with "
                       "``hyper = glp`` the hyperpriors' modes)."),
        "b": _map("The prior mean of each variable's own first lag (1: random walk, 0: white noise).", "variable",
                  {"type": "number"}),
        "b_source": _leaf("string", "Where ``b`` came from: ``[var.prior] b``, the default, or ``b = \"auto\"`` "
                          "with each series' transform and value."),
        "hyper": _leaf("string", "How the hyperparameters were set: ``fixed`` or ``glp`` (posterior mode).",
                       enum=["fixed", "glp"]),
        "searched": _strings("The hyperparameters chosen by marginal likelihood (empty when fixed)."),
        "converged": _leaf("boolean", "Whether that search reported convergence (true when fixed)."),
        "hyperparameters": _map("The values used: ``lambda``, ``alpha``, ``psi[<variable>]``, ``soc``, ``sur``.",
                                "hyperparameter", {"type": "number"}),
        "log_marginal_likelihood": _leaf("number", "``log p(Y | hyperparameters)``."),
        "log_hyperposterior": _leaf("number", "The log marginal likelihood plus the log Gamma hyperprior "
                                    "densities of the searched hyperparameters (R ``BVAR``'s ``ml``)."),
        "draws": _leaf("integer", "Exact posterior draws (``[var.prior].draws``, else the run's replications)."),
        "lags": _leaf("integer", "Lag order."),
    }, nullable=True)


def _choices() -> Node:
    nstr = ["string", "null"]
    event = _obj("The event as used.", {
        "date": _date("Its date (its own, or its catalogue entry's)."),
        "shape": _leaf("string", "``pulse``, ``step`` or ``window``.", enum=["pulse", "step", "window"]),
        "periods": _leaf(["integer", "null"], "Length of a ``window`` event in periods (null for other shapes)."),
        "var": _leaf("boolean", "Whether it entered the VAR (an exogenous dummy)."),
        "assets": _leaf("boolean", "Whether it entered the asset model (a covariate)."),
        "title": _leaf("string", "Its title (its own, else the catalogue's, else its name)."),
    })
    return _obj("Every analysis choice of the run, as used (command-line overrides and defaults resolved).", {
        "seed": _leaf("integer", "The run's seed (``--seed``); the two seeds below are spawned from it."),
        "svar_seed": _leaf("integer", "Seed of the SVAR fit and of its bootstrap draws."),
        "asset_seed": _leaf(["integer", "null"], "Seed of the asset model's sampler (null when not fitted)."),
        **_band_choices(nstr),
        "irf_horizon": _leaf("integer", "Last horizon of the impulse responses (``[var].horizon``), in periods."),
        "fevd_horizon": _leaf("integer", "Last horizon of the variance decomposition (``[var].fevd_horizon``)."),
        "focus": _leaf(nstr, "The variable the report decomposes (``[report].focus``, else the last of the order)."),
        "hd_periods": _leaf("integer", "Periods of the historical-decomposition figure (``[report].hd_periods``)."),
        "graph_alpha": _leaf("number", "Error rate of the graph's rule (``[graph].alpha``)."),
        "graph_multiplicity": _leaf("string", "How the chain links' p-values are adjusted (``[graph].multiplicity``).",
                                    enum=["holm", "bh", "none"]),
        "graph_rule": _leaf("string", "The graph's significance rule in one sentence (``graph.graph.rule``)."),
        "channel_shocks": _strings("Shocks of the channel decompositions (empty: none)."),
        "channels": _strings("Channel variables of the channel decompositions (empty: none)."),
        "asset_flip": _strings("Assets whose sign was flipped before fitting (``[assets].flip``)."),
        "asset_shocks": _strings("SVAR shocks the asset model used (empty when not fitted)."),
        "asset_sampler": _leaf(nstr, "The asset model's sampler: ``gibbs``, ``pymc`` or ``nutpie`` (null when "
                               "not fitted)."),
        "assets_fitted": _leaf("boolean", "Whether the asset model was fitted (then ``assets`` is present)."),
        "events": _map("The spec's events, as used.", "event", event),
        "event_bands": _leaf(nstr, "How the event effects are banded (``residual bootstrap``; null without "
                             "bootstrap bands or events)."),
        "asset_events": _strings("Events that entered the asset model as covariates (empty when not fitted)."),
        "asset_regime": _leaf(nstr, "The ``[regimes]`` definition the asset model was fitted by (``[assets].regime``)."),
        "asset_regime_now": _leaf(nstr, "That definition's current label: the regime of the graph's asset edges."),
        "lp_links": _strings("The local projections' links, ``source -> target`` (empty: none)."),
        "lp_lags": _leaf(["integer", "null"], "Control lags of the local projections (null without them)."),
        "lp_lag_augment": _leaf(["boolean", "null"], "Whether the local projections are lag-augmented (null "
                                "without them)."),
        "lp_state": _leaf(nstr, "The regime definition of the state-dependent projections (``[lp].state``)."),
        "identification": _leaf("string", "The identification scheme of the VAR (``[var].identification``)."),
        "compare": _strings("The schemes whose responses are drawn beside it (``[var].compare``; ``irf_compare``)."),
        "scenarios": _scenario_choice(),
        "scenario_density": _leaf(nstr, "How the chain's density forecast beside the scenarios was drawn, or why "
                                  "there is none (null without scenarios)."),
        "scenario_parameters": _leaf(nstr, "Where the scenarios' parameter draws came from: the run's own bootstrap "
                                     "draws (kept replications cycled over each scenario's draws), or the point "
                                     "estimates with ``reps = 0`` (null without scenarios)."),
        "estimator": _leaf("string", "How the VAR was estimated (``[var].estimator``): ``ols`` or ``bvar`` (the "
                           "Bayesian VAR with the Minnesota prior of ``[var.prior]``).", enum=["ols", "bvar"]),
        "bvar": _bvar_choice(),
        "estimator_notes": _strings("What the run could not do with this estimator, in words (events left out of "
                                    "the Bayesian VAR, the grid's OLS VARs); empty: nothing."),
        "asset_sampling": _asset_sampling_choice(),
    })


def _asset_sampling_choice() -> Node:
    """``choices.asset_sampling``: how long the asset model's sampler ran (:func:`causalmacro.pipeline.choices.asset_sampling`)."""
    return _obj("How long the asset model's sampler ran and why it stopped (null when not fitted).", {
        "sweeps": _leaf("integer", "Sweeps (Gibbs) or steps (NUTS) per chain, warm-up included."),
        "warm_up": _leaf("integer", "Of those, the warm-up sweeps or tuning steps per chain, discarded."),
        "rounds": _leaf(["integer", "null"], "Rounds of sweeps run to the convergence gate (null: a fixed "
                        "count)."),
        "gate_met": _leaf("boolean", "Whether the convergence gate passed."),
        "cap": _leaf(["integer", "null"], "The cap on sweeps per chain (``[assets].max_sweeps``; null: a "
                     "fixed count)."),
        "reason": _leaf("string", "Why the sampler stopped, in words: the gate met at round k, the cap "
                        "reached, or the fixed count of ``[assets].draws`` and ``tune``."),
    }, nullable=True)


def _panel() -> Node:
    column = _obj("How the column was produced.", {
        "name": _leaf("string", "The column (the spec's series name)."),
        "origin": _leaf("string", "The raw series ID, or the formula of a derived or combined series."),
        "transform": _leaf("string", "Transform applied to the aligned levels (``level``, ``log``, ``diff``, "
                           "``logdiff``, ``yoy``, ``zscore``)."),
        "units": _leaf("string", "Units after the transform, e.g. ``percent change from a year ago``."),
        "aggregation": _leaf("string", "How the raw series was brought to the panel frequency (``mean``, ``last``, "
                             "``sum``; ``per input`` for a derived or combined column)."),
        "ragged": _leaf("boolean", "Whether the column may start late or end early (``[series].ragged``)."),
    })
    filled = _obj("One value not observed as such.", {
        "column": _leaf("string", "The column."),
        "date": _date("The period."),
        "method": _leaf("string", "How it was filled: interpolation, or the fallback formula of a derived series."),
    })
    raw = _obj("Fingerprint of the raw series as read.", {
        "sha256": _leaf("string", "SHA-256 of its observations (dates and values)."),
        "first": _date("First observation date.", nullable=True),
        "last": _date("Last observation date.", nullable=True),
        "n": _leaf("integer", "Number of observations."),
    })
    binding = _obj("The input of the column that ends first (empty when unknown).", {
        "input": _leaf("string", "The raw series ID."),
        "last_observation": _date("Its last observation."),
    }, optional=("input", "last_observation"))
    return _obj("The data the models were fitted on (``Panel.to_dict()``; no data values: ``panel.csv`` has them).", {
        "spec": _leaf("string", "Name of the spec the panel was built from."),
        "source": _leaf("string", "Where the raw data came from, in words."),
        "synthetic": _leaf("boolean", "true for the embedded synthetic demo."),
        "frequency": _leaf("string", "pandas frequency of the panel's index: ``MS`` (monthly, first day of the "
                           "month) or ``W-FRI`` (weekly, Fridays)."),
        "start": _date("First period of the panel."),
        "end": _date("Last period of the panel."),
        "n_obs": _leaf("integer", "Number of periods."),
        "columns": _map("How each column was produced.", "column", column),
        "filled": {"type": "array", "items": filled,
                   "description": "Every value that was not observed as such (empty: none)."},
        "inputs": _map("Every raw series read, by ID: what a rerun compares to know whether the data changed.",
                       "series_id", raw),
        "window": _obj("Why the sample is what it is.", {
            "start": _date("First period of the sample."),
            "end": _date("Last period of the sample."),
            "data_end": _date("The data's common end: the last period every non-ragged column covers."),
            "spec_end": _date("The spec's ``end`` (null when open).", nullable=True),
            "binding": _map("The columns that end first (empty when the spec's end binds).", "column", binding),
            "reason": _leaf("string", "The reason, in a sentence."),
        }),
    })


def _identification() -> Node:
    """The SVAR's identification scheme and restrictions."""
    nullable_matrix = {"type": ["array", "null"], "items": {"type": "array"}}
    return _obj("The identification scheme and its restrictions.", {
        "scheme": _leaf("string", "``recursive``, ``short_run``, ``sign``, ``long_run``, ``volatility``, "
                        "``non_gaussian`` or ``proxy``."),
        "A": {**nullable_matrix, "description": "short_run: the pattern of A (numbers fixed, null free; null "
              "when not given)."},
        "B": {**nullable_matrix, "description": "short_run: the pattern of B, likewise."},
        "signs": _map("sign: ``{shock: {variable: 1 or -1}}``.", "shock", {"type": "object"}),
        "horizons": _leaf("integer", "sign: the signs hold at horizons ``0..horizons``."),
        "zeros": _map("sign: ``{shock: [variable, ...]}`` with a zero impact response.", "shock",
                      {"type": "array", "items": {"type": "string"}}),
        "draws": _leaf("integer", "sign: rotations drawn."),
        "narrative": _arr("sign: the narrative restrictions (``date``, ``shock``, ``sign``, ``variable``, "
                          "``contribution``, ``periods``)."),
        "breaks": _arr("volatility: the dates (or positions) starting each new variance regime."),
        "regimes": _strings("volatility: the regime labels, when given as a series."),
        "max_iter": _leaf("integer", "volatility, non_gaussian: the ML's iteration budget."),
        "tol": _leaf("number", "volatility, non_gaussian: its convergence tolerance."),
        "alpha": _leaf("number", "volatility, non_gaussian: the level of the test that the shocks are told apart."),
        "stratify": _leaf("boolean", "volatility: whether the bootstrap draws its blocks within each regime."),
        "gaussian_df": _leaf("number", "non_gaussian: degrees of freedom above which a shock counts as Gaussian."),
        "shock": _leaf("string", "proxy: the shock the instrument identifies."),
        "instrument": _leaf(["string", "null"], "proxy: the instrument's name."),
        "instrument_start": _leaf("string", "proxy: its first date."),
        "instrument_end": _leaf("string", "proxy: its last date."),
        "instrument_nobs": _leaf("integer", "proxy: its observations."),
        "hac_lags": _leaf(["integer", "null"], "proxy: Newey-West lags of the first stage (null: the rule)."),
    }, optional=("A", "B", "signs", "horizons", "zeros", "draws", "narrative", "breaks", "regimes", "max_iter",
                 "tol", "alpha", "stratify", "gaussian_df", "shock", "instrument", "instrument_start", "instrument_end", "instrument_nobs",
                 "hac_lags"))


def _sign_details() -> dict[str, Node]:
    """Identification details of sign restrictions (with zeros and narrative restrictions)."""
    return {
        "draws": _leaf("integer", "sign: rotations drawn."),
        "accepted": _leaf("integer", "sign: rotations that satisfy the restrictions (the identified set)."),
        "acceptance_rate": _leaf("number", "sign: ``accepted / draws``."),
        "point": _leaf("string", "sign: how the point model is picked (``median_target``, Fry & Pagan 2011)."),
        "sign_matrix": {"type": "array", "items": {"type": "array"},
                        "description": "sign: ``S[shock][variable]`` in ``{-1, 0, 1}``."},
        "zero_indices": {"type": "array", "items": {"type": "array"},
                         "description": "sign: for each shock, the variables with a zero impact response."},
        "restrictions": _arr("sign: each restriction as ``[shock, variable, sign, first horizon, last horizon]`` "
                             "(indices into ``names``)."),
        "names": _strings("sign: the variables the restriction indices refer to."),
        "ess": _leaf("number", "sign: effective sample size of the accepted models' importance weights (their "
                     "number when all are equal)."),
        "weights": _leaf("string", "sign: the importance weights applied (zero restrictions: Arias, Rubio-Ramírez "
                         "& Waggoner 2018)."),
        "narrative": _leaf("object", "sign with narrative restrictions: the restrictions, the models each keeps, "
                           "the importance weights' effective sample size (``ess``, ``weight_floor``) and what "
                           "the bootstrap needs (``res.narrative_report()`` tabulates it)."),
    }


def _data_details() -> dict[str, Node]:
    """Identification details of the schemes identified by the data (volatility, non-Gaussian)."""
    return {
        "regimes": _strings("volatility: the variance regimes, the first with unit shock variances."),
        "regime_nobs": _leaf("object", "volatility: periods in each regime."),
        "regime_path": _arr("volatility: the regime (index into ``regimes``) of each period of the sample."),
        "variance_ratios": _leaf("object", "volatility: regime -> shock -> variance relative to the first regime."),
        "variance_ratio_se": _leaf("object", "volatility: their standard errors (inverse Hessian)."),
        "impact_se": _arr("volatility, non_gaussian: standard errors of the impact matrix (inverse Hessian)."),
        "llf": _leaf("number", "volatility, non_gaussian: the scheme's maximised log-likelihood."),
        "gls_rounds": _leaf("integer", "volatility: rounds of GLS re-estimation of the VAR coefficients."),
        "distinct_test": _arr("volatility: for each pair of shocks, the Wald test that their variance ratios are "
                              "equal in every regime (``shocks``, ``statistic``, ``dof``, ``pvalue``)."),
        "ln_test": _arr("volatility, two regimes: the Lütkepohl-Netšunajev (2017) tests on the ordered ratios."),
        "weak_pairs": _arr("volatility: pairs of shocks whose ratios the test cannot tell apart (not identified "
                           "apart)."),
        "df": _leaf("object", "non_gaussian: each shock's Student-t degrees of freedom."),
        "df_se": _leaf("object", "non_gaussian: their standard errors."),
        "standardized_impact": _arr("non_gaussian: the impact matrix with each column over its own variable's impact "
                                    "(svars' ``B_stand``)."),
        "standardized_impact_se": _arr("non_gaussian: its standard errors."),
        "normality_test": _arr("non_gaussian: per shock, the one-sided Wald test that it is Gaussian (1/df = 0)."),
        "gaussian_shocks": _strings("non_gaussian: the shocks that look Gaussian; two or more are not identified "
                                    "apart."),
        "labelling": _leaf("object", "data-driven schemes: the column order and signs that name the shocks "
                           "(:func:`causalmacro.svar.labelling.label_shocks`)."),
    }


def _proxy_details() -> dict[str, Node]:
    """Identification details of a proxy SVAR."""
    return {
        "shock": _leaf("string", "proxy: the shock the instrument identifies."),
        "identified_column": _leaf("integer", "proxy: its column of the impact matrix."),
        "placeholder_shocks": _strings("proxy: the other shocks, not identified (their columns only complete "
                                       "the impact matrix)."),
        "normalisation": _leaf("string", "proxy: the shock's size."),
        "first_stage": _leaf("object", "proxy: the first stage (slope, HAC standard error, effective F of "
                             "Montiel Olea & Pflueger 2013, overlap, ``weak``)."),
    }


def _identification_details() -> Node:
    """Facts of the SVAR's identification at the point estimate."""
    props: dict[str, Node] = {
"scheme": _leaf("string", "The scheme."),
        "A": {"type": "array", "items": {"type": "array"}, "description": "short_run: the estimated A."},
        "B": {"type": "array", "items": {"type": "array"}, "description": "short_run: the estimated B."},
        "converged": _leaf("boolean", "short_run: whether the ML estimation converged."),
        "iterations": _leaf("integer", "short_run: iterations of the ML estimation."),
        "n_free": _leaf("integer", "short_run: free entries of A and B."),
        "signs_normalised": _leaf("boolean", "short_run: whether every shock could be signed to raise its own "
                                  "variable on impact."),
        "overid_lr": _obj("short_run, over-identified: the likelihood-ratio test of the over-identifying "
                          "restrictions.", {
                              "statistic": _leaf("number", "LR statistic."),
                              "df": _leaf("integer", "Over-identifying restrictions."),
                              "pvalue": _leaf("number", "chi-square p-value."),
                          }),
        **_sign_details(), **_data_details(), **_proxy_details(),
    }
    return _obj("Facts of the identification at the point estimate.", props,
                optional=tuple(k for k in props if k != "scheme"))

def _arr(description: str) -> Node:
    """A list whose items the description explains."""
    return {"type": "array", "description": description}


def _svar() -> Node:
    return _obj("The structural VAR's fit (``SVARResults.to_dict()``).", {
        "variables": _strings("The variables in chain order; shock ``j`` is named after variable ``j``."),
        "lags": _leaf("integer", "Lag order."),
        "trend": _leaf("string", "Deterministic terms: ``n``, ``c``, ``ct`` or ``ctt``."),
        "exog": _strings("Exogenous regressors (the events that entered the VAR), in column order."),
        "nobs": _leaf("integer", "Effective number of observations (the panel's periods less the lags)."),
        "sample": {"type": "array", "items": {"$ref": "#/$defs/date"}, "minItems": 2, "maxItems": 2,
                   "description": "First and last period of the effective sample."},
        "lag_selection": _obj("How the lag order was chosen (null when ``[var].lags`` is a number).", {
            "criterion": _leaf("string", "The criterion used: ``aic``, ``bic`` or ``hqic``."),
            "selected": _map("The order each criterion chose (``aic``, ``bic``, ``hqic``, ``fpe``).", "criterion",
                             {"type": "integer"}),
            "max_lags": _leaf("integer", "The largest order tried."),
        }, nullable=True),
        "identification": _identification(),
        "identification_details": _identification_details(),
        "impact": _ref("matrix", "Impact matrix B0^-1: rows the responses, columns the shocks; the impact response "
                       "to a one-standard-deviation shock, in the variables' units."),
        "sigma_u": _ref("matrix", "Residual covariance (degrees-of-freedom corrected), variables x variables."),
        "params": _ref("matrix", "Reduced-form coefficients: one column per equation; rows the trend terms "
                       "(``const``, ``trend``, ``trend**2``), the exogenous columns, then ``L1.x .. Lp.x``."),
        "max_root": _leaf("number", "Modulus of the largest companion root (below 1: stable)."),
        "stable": _leaf("boolean", "Whether the VAR is stable (every root inside the unit circle)."),
        "diagnostics": _obj("Residual checks.", {
            "portmanteau": _test("Portmanteau test of no residual autocorrelation up to ``max(12, 2p)`` lags "
                                 "(null when the sample is too short).", nullable=True),
            "normality": _test("Jarque-Bera-type test of multivariate normal residuals."),
        }),
        "notes": _strings("Things to know about the fit (lag order raised from 0, criterion at the top of its "
                          "range, explosive system)."),
        "bvar": {"type": "object", "description": "A Bayesian VAR's fit (``BVARResults.to_dict()``: settings, "
                 "hyperparameters, marginal likelihood, posterior means and sds); only with ``estimator = bvar``, "
                 "whose ``svar`` is at the posterior mean."},
        "posterior_draws": _obj("The Bayesian VAR's posterior draws and those the scheme identified (only with "
                                "``estimator = bvar``).", {
            "draws": _leaf("integer", "Posterior draws."),
            "identified": _leaf("integer", "Draws the scheme identified (fewer under sign restrictions)."),
        }),
    }, optional=("bvar", "posterior_draws"))


def _graph_edge() -> Node:
    """One edge of the graph."""
    num_list = {"type": "array", "items": {"type": "number"}}
    band = {"type": ["array", "null"], "items": num_list}
    return _obj("One edge ``source -> target``: the response of ``target`` to ``source``'s shock.", {
        "source": _leaf("string", "The shock's variable."),
        "target": _leaf("string", "The responding variable or asset."),
        "kind": _leaf("string", "``chain`` (the SVAR's response) or ``asset`` (the asset model's).",
                      enum=["chain", "asset"]),
        "irf": {**num_list, "description": "The point response by horizon: the SVAR's impulse response (chain), or "
                "the posterior mean cumulative response (asset), in the target's units."},
        "band": {**band, "description": "``[lower, upper]`` by horizon (null without bands)."},
        "impact": _leaf("number", "The response at horizon 0."),
        "peak": _leaf("number", "The response largest in absolute value."),
        "peak_relative": _leaf("number", "chain: ``peak`` over the largest response of the target to its own shock "
                               "(comparable across units)."),
        "peak_horizon": _leaf("integer", "The horizon of ``peak``."),
        "band_excludes_zero": _leaf("boolean", "Whether the band shown (``graph.graph.band``) excludes zero at "
                                    "some horizon (the band is not adjusted for multiplicity: ``significant`` "
                                    "decides)."),
        "evidence": _strings("The rule's test and its outcome, in words."),
        "p_value": _leaf(["number", "null"], "chain: p-value of the sup-t test that the whole response path is "
                         "zero, adjusted over every chain link (``graph.graph.multiplicity``); null when not tested."),
        "p_value_raw": _leaf(["number", "null"], "chain: the same p-value before adjustment."),
        "granger_pvalue": _leaf(["number", "null"], "chain: Granger-causality p-value of ``source`` on ``target``, "
                                "adjusted over the same links (reported, not used by the rule)."),
        "granger_pvalue_raw": _leaf(["number", "null"], "chain: the Granger p-value before adjustment."),
        "forward": _leaf("boolean", "chain: whether ``source`` comes before ``target`` in the chain (a forward "
                         "link; false: a feedback link)."),
        "prob_sign": _leaf(["number", "null"], "asset: posterior probability of the sign of the cumulative "
                           "response at the last horizon (the rule's quantity)."),
        "by_construction": _leaf("boolean", "asset: the asset is a transform of the shock's own variable "
                                 "(``transform_of``): not tested, never significant."),
        "standardized": _leaf("number", "asset: the posterior mean on the spectrum's standardised scale (s.d. "
                              "of the asset's return per s.d. of the shock)."),
        "significant": _leaf("boolean", "Whether the significance rule supports the edge (``graph.graph.rule``)."),
        "asset_irf": {**num_list, "description": "An asset that is also a chain variable: the asset model's "
                      "posterior mean cumulative response, beside the SVAR's."},
        "asset_band": {**band, "description": "Its HDI, ``[lower, upper]`` by horizon."},
        "asset_prob_sign": _leaf(["number", "null"], "Its posterior probability of the sign."),
        "asset_significant": _leaf("boolean", "Whether its HDI excludes zero at some horizon."),
    }, optional=("peak_relative", "p_value", "p_value_raw", "granger_pvalue", "granger_pvalue_raw", "forward",
                 "prob_sign", "by_construction", "standardized", "asset_irf", "asset_band", "asset_prob_sign",
                 "asset_significant"))


def _graph() -> Node:
    node = _obj("One node.", {
        "id": _leaf("string", "The variable or asset."),
        "order": _leaf("integer", "Position: the chain's variables first, in order, then the assets."),
        "group": _leaf("string", "Asset class from ``[assets].groups`` (empty for chain variables that are not "
                       "assets)."),
        "kind": _leaf("string", "``chain``, ``asset`` or ``chain+asset`` (an asset that is also a VAR variable).",
                      enum=["chain", "asset", "chain+asset"]),
        "transform_of": _leaf("string", "An asset built from the same raw series as a VAR variable (``credit`` and "
                              "``hy_spread``): that variable, whose shock's edge to it is not tested; else empty."),
    })
    edge = _graph_edge()
    return _obj("The dependency graph in networkx node-link form (as ``graph.json``; read it with "
                "``causalmacro.read_graph``).", {
                    "directed": _leaf("boolean", "Always true."),
                    "multigraph": _leaf("boolean", "Always false."),
                    "graph": _obj("Graph attributes.", {
                        "rule": _leaf("string", "The significance rule, in one sentence."),
                        "multiplicity": _leaf("string", "How the chain links' p-values are adjusted.",
                                              enum=["holm", "bh", "none"]),
                        "alpha": _leaf("number", "The rule's error rate."),
                        "error_rate": _leaf("string", "The rule and its error rate in a few words (the caption's)."),
                        "band": _leaf("string", "The band the chain edges carry (sup-t simultaneous, pointwise or "
                                      "none)."),
                        "level": _leaf(["number", "null"], "Coverage of the bands shown, and the posterior "
                                       "probability of the sign an asset edge needs."),
                        "identification": _leaf("string", "The SVAR's identification scheme."),
                        "sample": _leaf("string", "The SVAR's effective sample, ``YYYY-MM..YYYY-MM``."),
                        "asset_regime": _leaf("string", "With an asset model by regime: ``definition: label``, the "
                                              "regime of the asset edges (the current one)."),
                    }, optional=("asset_regime",)),
                    "nodes": {"type": "array", "items": node, "description": "The chain's variables, then the assets."},
                    "edges": {"type": "array", "items": edge,
                              "description": "Every edge, significant or not (``significant`` says)."},
                })


def _asset_design() -> Node:
    """The design the asset model was fitted on."""
    return _obj("The design the model was fitted on.", {
        "assets": _strings("The assets, in order."),
        "groups": _map("Each asset's class.", "asset", {"type": "string"}),
        "shocks": _strings("The SVAR shocks used."),
        "lags": _leaf("integer", "Highest shock lag ``L`` (lags ``0..L``)."),
        "start": _leaf(["string", "null"], "First date of the stacked sample (ISO date and time)."),
        "end": _leaf(["string", "null"], "Last date of the stacked sample (ISO date and time)."),
        "n_obs": _map("Observations per asset.", "asset", {"type": "integer"}),
        "regimes": _obj("With regimes (``[assets].regime``): the regime coding.", {
            "labels": _strings("The regime labels."),
            "n_dates": _map("Dates in each regime.", "regime", {"type": "integer"}),
            "effects": _strings("Names of the coded effects (``common``, then the contrasts)."),
            "coding": {"type": "array", "items": {"type": "array", "items": {"type": "number"}},
                       "description": "The coding matrix: one row per regime, one column per effect."},
        }),
        "covariates": _strings("With covariates: their names (the events of the asset model)."),
    }, optional=("regimes", "covariates"))


def _asset_diagnostics() -> Node:
    """The asset model's convergence gate."""
    return _obj("The convergence gate.", {
        "max_rhat": _leaf("number", "Largest rank-normalised split R-hat over every parameter."),
        "min_ess_bulk": _leaf("number", "Smallest bulk effective sample size."),
        "min_ess_tail": _leaf("number", "Smallest tail effective sample size."),
        "divergences": _leaf("integer", "Divergent transitions after tuning (NUTS; 0 for Gibbs)."),
        "worst_rhat": _leaf("string", "The parameter with the largest R-hat."),
        "worst_ess": _leaf("string", "The parameter with the smallest bulk ESS."),
        "passed": _leaf("boolean", "Whether the gate passed (R-hat <= rhat_max, bulk ESS >= ess_bulk_min, no "
                        "divergences)."),
        "n_fits": _leaf("integer", "Fits combined (more than one with shock-uncertainty propagation)."),
        "messages": _strings("One line per failed criterion."),
        "thresholds": _obj("The gate's limits.", {
            "rhat_max": _leaf("number", "Largest R-hat allowed (1.01)."),
            "ess_bulk_min": _leaf("number", "Smallest bulk ESS allowed (400)."),
        }),
    })


def _assets() -> Node:
    bands_or_regimes = {"description": "The asset's cumulative response to the shock (with regimes: by regime).",
                        "anyOf": [_bands("Cumulative response by horizon ``0..[assets].lags``."),
                                  _map("With regimes: by regime.", "regime", _bands("Cumulative response by horizon."))]}
    row = _obj("One asset.", {
        "asset": _leaf("string", "The asset."),
        "group": _leaf("string", "Its class."),
        "mean": _leaf("number", "Posterior mean cumulative response at the last lag, standardised (standard "
                      "deviations of the asset's returns per standard deviation of the shock)."),
        "lower": _leaf("number", "Lower HDI bound."),
        "upper": _leaf("number", "Upper HDI bound."),
        "prob_positive": _leaf("number", "Posterior probability of a gain (a positive response)."),
        "rank_mean": _leaf("number", "Posterior mean rank (1 = highest response)."),
    })
    rows = {"type": "array", "items": row, "description": "The assets, highest response first."}
    comparison = _obj("One asset or class.", {
        "kind": _leaf("string", "``asset`` or ``class`` (compared through the class mean).", enum=["asset", "class"]),
        "prob": _leaf("number", "Posterior probability that the response is larger in the first regime."),
        "mean_difference": _leaf("number", "Posterior mean of first minus second, standardised."),
    })
    return _obj("The Bayesian asset-response model (``AssetResponseResults.to_dict()``); present when it was fitted.", {
        "model": _leaf("string", "Always ``asset_response``."),
        "settings": {"type": "object", "description": "The sampler's settings (scalars only): ``sampler``, "
                     "``draws``, ``tune``, ``chains``, ``target_accept``, ``pooling``, ``parameterization``, ..."},
        "design": _asset_design(),
        "diagnostics": _asset_diagnostics(),
        "level": _leaf("number", "HDI mass of every interval below."),
        "responses": _obj("Cumulative responses in data units.", {
            "scale": _leaf("string", "Always ``data``: the asset's return units (flipped assets read as gains) per "
                           "one-standard-deviation shock."),
            "cumulative": _leaf("boolean", "Always true: sums of the distributed-lag coefficients up to each horizon."),
            "values": _map("By asset.", "asset", _map("By shock.", "shock", bands_or_regimes)),
        }),
        "spectrum": _obj("The asset spectrum: assets ranked by their total response to each shock.", {
            "scale": _leaf("string", "Always ``standardized``, so that assets in different units rank fairly."),
            "values": _map("By shock: the assets, highest response first (with regimes: by regime).", "shock",
                           {"description": "The ranking for one shock (with regimes: by regime).",
                            "anyOf": [rows, _map("By regime.", "regime", rows)]}),
        }),
        "regime_comparisons": _map(
            "With regimes: by shock, for each pair of regimes ``first > second``, each asset's and class's "
            "probability of a larger response in the first.", "shock",
            _map("By pair of regimes, keyed ``first > second``.", "pair", _map("By asset or class.", "name", comparison))),
        "covariate_effects": _obj("With covariates: each covariate's (event's) effect on each asset.", {
            "units": _leaf("string", "Always ``data``: the asset's return units."),
            "values": _map("By asset.", "asset", _map("By covariate.", "covariate",
                                                      _bands("Effect of the covariate.", kind="number"))),
        }),
    }, optional=("regime_comparisons", "covariate_effects"))


def _position() -> Node:
    link = _obj("One variable.", {
        "value": _leaf("number", "Its latest value, in the panel's units."),
        "percentile": _leaf("number", "Share of the sample's values at or below it, 0-100."),
        "change_3": _leaf(["number", "null"], "Change over the last 3 periods (for a return or a change: that of "
                          "its level, the sum of the last 3 values)."),
        "change_6": _leaf(["number", "null"], "Change over the last 6 periods, likewise."),
        "direction_3": _leaf("string", "``rising``, ``falling``, ``flat`` (under a tenth of a standard deviation of "
                             "such a change) or ``n/a``."),
        "direction_6": _leaf("string", "The same over 6 periods."),
        "direction_of": _leaf("string", "What the direction reads: ``value``, or ``level (sum of the changes)``."),
    })
    regime = _obj("One regime definition.", {
        "label": _leaf(["string", "null"], "Its current label (null when undetermined)."),
        "since": _date("The period the current label began.", nullable=True),
        "periods": _leaf("integer", "How many periods it has lasted."),
    })
    by_shock = _map("By shock.", "shock", {"type": ["number", "null"]})
    return _obj("Where the chain stands now (``CyclePosition.to_dict()``).", {
        "date": _date("The latest period of the panel."),
        "links": _map("Each VAR variable's latest value against its history.", "variable", link),
        "regimes": _map("Each regime definition's current state.", "regime", regime),
        "spectrum_regime": {"type": ["array", "null"], "items": {"type": "string"}, "minItems": 2, "maxItems": 2,
                            "description": "``[definition, label]`` the spectrum is conditional on (null without an "
                            "asset model by regime)."},
        "spectrum": _map("By asset: the posterior mean cumulative response (data units, last lag) to each shock in "
                         "the current regime (null without an asset model by regime).", "asset", by_shock,
                         nullable=True),
        "prob_positive": _map("By asset: the posterior probability of a gain, same layout.", "asset", by_shock,
                              nullable=True),
    }, nullable=True)


def _causality() -> Node:
    """The causality table."""
    return {"type": "array", "description": "Granger and instantaneous causality for every ordered "
                  "pair of variables.", "items": _obj("One pair.", {
                      "cause": _leaf("string", "The causing variable."),
                      "effect": _leaf("string", "The caused variable."),
                      "chain_link": _leaf("boolean", "Whether ``effect`` follows ``cause`` directly in the "
                                          "order (a link of the chain)."),
                      "granger_F": _leaf("number", "F statistic that the lags of ``cause`` do not enter the "
                                         "equation of ``effect``."),
                      "granger_df_num": _leaf("number", "Its numerator degrees of freedom."),
                      "granger_df_denom": _leaf("number", "Its denominator degrees of freedom."),
                      "granger_pvalue": _leaf("number", "Its p-value."),
                      "instantaneous_wald": _leaf("number", "Wald statistic that the residuals of the two "
                                                  "are uncorrelated (chi-square, 1 df)."),
                      "instantaneous_pvalue": _leaf("number", "Its p-value."),
                  })}


def _regimes() -> Node:
    """The spec's regime definitions on the panel."""
    return _obj("The spec's regime definitions on the panel.", {
        "time": {"type": "array", "items": {"$ref": "#/$defs/date"}, "description": "The panel's periods."},
        "definitions": _map("By definition (empty without ``[regimes]``).", "regime", _obj(
            "One definition.", {
                "labels": _strings("Its labels (``[low, high]``, or the dated labels)."),
                "values": {"type": "array", "items": {"type": ["string", "null"]},
                           "description": "The label of each period of ``time`` (null: no regime)."},
            })),
    })


def _answer() -> Node:
    """The headline answer (:meth:`causalmacro.pipeline.answer.Answer.to_dict`)."""
    nnum = ["number", "null"]

    def est(description: str) -> Node:
        return _obj(description, {
            "point": _leaf("number", "The estimate."),
            "lower": _leaf(nnum, "Lower bound of its band (null without bands)."),
            "upper": _leaf(nnum, "Upper bound (null without bands)."),
        })

    return _obj("Does the spec's liquidity variable move its focus variable? The evidence on that one link, "
                "computed by the pipeline (null when no variable of ``[var].order`` is a liquidity series).", {
        "question": _leaf("string", "The question, e.g. ``Does net_liquidity move btc?``."),
        "verdict": _leaf("string", "The answer in one sentence."),
        "significant": _leaf(["boolean", "null"], "Whether ``path_pvalue_adjusted`` < ``alpha`` (null without "
                             "bootstrap draws)."),
        "liquidity": _leaf("string", "The shock: the first VAR variable of the catalogue's liquidity group."),
        "target": _leaf("string", "The response: the spec's focus variable."),
        "horizon": _leaf("integer", "Last horizon of the response paths (``[var].horizon``)."),
        "level": _leaf("number", "Coverage of the bands."),
        "band": _leaf("string", "How the bands were drawn (sup-t joint over the horizons, the bootstrap and its "
                      "replications), or why there are none."),
        "units": _leaf("string", "The target's units in the VAR."),
        "impact": est("Response on impact to a one-s.d. shock, with the joint (sup-t) band of the path."),
        "cumulative": est("Response summed over horizons ``0..horizon``, with the joint band of the cumulative path."),
        "multiplicity": _leaf("string", "Adjustment of the p-values: ``holm`` (family-wise), ``bh`` or ``none``."),
        "alpha": _leaf("number", "Significance level of the verdict (``[graph] alpha``)."),
        "n_tests": _leaf("integer", "The family the p-values are adjusted over: ordered pairs of VAR variables."),
        "path_pvalue": _leaf(nnum, "p-value of the sup-t test that the whole response path is zero (null without "
                             "bootstrap draws)."),
        "path_pvalue_adjusted": _leaf(nnum, "The same, adjusted over ``n_tests`` paths."),
        "granger_pvalue": _leaf("number", "Granger causality p-value (the liquidity variable's lags in the "
                                "target's equation)."),
        "granger_pvalue_adjusted": _leaf("number", "The same, adjusted over ``n_tests`` pairs."),
        "instantaneous_pvalue": _leaf("number", "Instantaneous causality p-value."),
        "instantaneous_pvalue_adjusted": _leaf("number", "The same, adjusted over ``n_tests`` pairs."),
        "fevd": _map("Share (0-1) of the target's forecast-error variance due to the liquidity shock, by forecast "
                     "horizon (12 and 24 periods), pointwise band.", "horizon", est("One horizon.")),
        "spectrum": _obj("The focus asset (else the first crypto asset) on the liquidity shock's asset spectrum "
                         "(null without the asset model).", {
            "asset": _leaf("string", "The asset."),
            "group": _leaf("string", "Its class."),
            "mean": _leaf("number", "Posterior mean cumulative response, on ``scale``."),
            "lower": _leaf("number", "Lower bound of its highest-density interval (``choices.level``)."),
            "upper": _leaf("number", "Upper bound."),
            "prob_positive": _leaf("number", "Posterior probability of a gain."),
            "rank": _leaf("integer", "Its place, 1 = the highest response."),
            "n_assets": _leaf("integer", "Assets on the spectrum."),
            "scale": _leaf("string", "The spectrum's scale (``standardized``)."),
            "regime": _leaf(["string", "null"], "``definition: label`` of the regime the spectrum is read in."),
        }, nullable=True),
        "robustness": _map("The link's sign shares across a specification grid, at ``impact`` and ``peak`` "
                           "(null without a grid).", "impact or peak", _obj("One horizon rule.", {
                               "specifications": _leaf("number", "Specifications with a band."),
                               "positive": _leaf("number", "Share whose band excludes zero above."),
                               "negative": _leaf("number", "Share whose band excludes zero below."),
                           }), nullable=True),
        "not_identified": _leaf(["string", "null"], "Why the liquidity shock is not identified (null: it is)."),
        "weakly_identified": _leaf(["string", "null"], "The shocks the data cannot tell it apart from (null: none)."),
        "lines": _strings("The evidence in words, one line each, as the report shows it."),
    }, nullable=True)


def _tracker() -> Node:
    """The liquidity tracker (:meth:`causalmacro.pipeline.tracker.LiquidityTracker.to_dict`)."""
    return _obj("The liquidity tracker figure (``liquidity.png``): net liquidity in levels with its parts, against "
                "the focus variable's level; or why there is none.", {
        "liquidity": _leaf(["string", "null"], "The liquidity variable (null: none in ``[var].order``)."),
        "target": _leaf("string", "The focus variable drawn against it."),
        "drawn": _leaf("boolean", "Whether the figure was drawn."),
        "skipped": _leaf(["string", "null"], "Why not (null when drawn)."),
        "parts": _map("The parts of the liquidity series, by FRED ID.", "series ID", _obj("One part.", {
            "title": _leaf("string", "The series' catalogue title."),
            "sign": _leaf("integer", "+1 adds to the liquidity level, -1 drains it."),
        })),
        "units": _leaf("string", "Units of the liquidity level and its parts."),
        "target_units": _leaf("string", "Units of the target's level."),
    }, nullable=True)


def _events() -> Node:
    """The event dummies of the VAR."""
    return _obj("The event dummies of the VAR (null when no event entered it).", {
        "names": _strings("The events, in column order."),
        "periods": _map("The periods each event's dummy is 1.", "event",
                        {"type": "array", "items": {"$ref": "#/$defs/date"}}),
    }, nullable=True)


def _scenario_run() -> Node:
    """One scenario of :meth:`causalmacro.pipeline.scenarios.ScenarioStage.to_dict`."""
    nnum = ["number", "null"]
    condition = _obj("One conditioned value.", {
        "variable": _leaf("string", "The conditioned variable."),
        "units": _leaf("string", "What ``value`` is: ``model`` (the VAR's units), ``level`` (the source series' "
                       "level, its units) or ``change`` (that level's change from the period before).",
                       enum=["model", "level", "change"]),
        "horizon": _leaf("integer", "Periods after the data's end (1: the first)."),
        "period": _date("The period."),
        "value": _leaf("number", "The value as the spec gives it, in ``units``."),
        "model_value": _leaf("number", "The same condition in the VAR's units (what the forecast meets exactly)."),
    })
    row = _obj("One variable at one horizon, in the VAR's units.", {
        "horizon": _leaf("integer", "Periods after the data's end."),
        "period": _leaf("string", "The period, ISO date."),
        "variable": _leaf("string", "The variable."),
        "conditioned": _leaf("boolean", "Whether a condition fixes it there."),
        "scenario": _leaf("number", "The scenario's mean path."),
        "lower": _leaf(nnum, "Lower bound of the scenario's band of mass ``level`` (null without draws)."),
        "upper": _leaf(nnum, "Upper bound of that band."),
        "baseline": _leaf("number", "The unconditional point forecast."),
        "difference": _leaf("number", "``scenario - baseline``."),
        "shock": _leaf("number", "The implied mean structural shock named after the variable (0: not allowed to "
                       "move), in standard deviations."),
    })
    return _obj("One scenario.", {
        "description": _leaf("string", "The spec's description."),
        "kind": _leaf("string", "``conditional`` (every shock may move, Waggoner & Zha 1999) or ``scenario`` "
                      "(only ``shocks_allowed``, Antolín-Díaz, Petrella & Rubio-Ramírez 2021).",
                      enum=["conditional", "scenario"]),
        "steps": _leaf("integer", "Periods forecast."),
        "shocks_allowed": _strings("The shocks that produce the conditions."),
        "draws": _leaf("integer", "Draws of the shocks behind the bands."),
        "level": _leaf("number", "Mass of the bands."),
        "kl_mean": _leaf("number", "Plausibility: half the sum of squares of the mean implied shocks, the "
                         "Kullback-Leibler divergence of their mean from the unconditional N(0, I) (0: none needed; "
                         "larger: more unusual shocks)."),
        "conditions": {"type": "array", "items": condition, "description": "The conditions, in the spec's units "
                       "and the VAR's."},
        "table": {"type": "array", "items": row, "description": "Every variable's path against the baseline, "
                  "horizon by horizon (``scenario_<name>.csv``)."},
        "assets": _scenario_assets(),
    })


def _scenario_assets() -> Node:
    """The asset spectrum under one scenario (:func:`causalmacro.pipeline.scenarios.scenario_spectra`)."""
    row = _obj("One asset.", {
        "asset": _leaf("string", "The asset."),
        "group": _leaf("string", "Its class."),
        "mean": _leaf("number", "Posterior mean of its cumulative return over the scenario's horizon caused by the "
                      "scenario's shock path (scenario minus baseline), in ``scale``."),
        "lower": _leaf("number", "Lower end of the HDI of mass ``level``."),
        "upper": _leaf("number", "Upper end of that HDI."),
        "prob_positive": _leaf("number", "Posterior probability that the scenario raises it."),
        "rank_mean": _leaf("number", "Posterior mean rank (1: the highest)."),
    })
    return _obj("The asset spectrum under the scenario: each scenario shock draw pushed through the asset model's "
                "posterior (null without the asset model).", {
        "scale": _leaf("string", "``standardized``: standard deviations of the asset's monthly return."),
        "level": _leaf("number", "HDI mass (the scenario's ``level``)."),
        "horizon": _leaf("integer", "Periods the cumulative return sums over (the scenario's ``steps``)."),
        "shock_paths": _leaf("integer", "Shock paths cycled over the posterior draws (the scenario's draws; 1: its "
                             "mean path)."),
        "regimes": _map("One table per regime of the asset model (``all`` without regimes), highest mean first.",
                        "regime", {"type": "array", "items": row, "description": "One row per asset."}),
    }, nullable=True)


def _scenarios() -> Node:
    """``results.json``'s ``scenarios`` block (:meth:`causalmacro.pipeline.scenarios.ScenarioStage.to_dict`)."""
    num_list: Node = {"type": "array", "items": {"type": "number"}}
    return _obj("The spec's ``[scenarios]`` on the fitted SVAR, their baseline and the chain's density forecast "
                "(absent when the spec has no scenarios).", {
        "steps": _leaf("integer", "Horizon of the baseline and the density: the longest scenario's ``steps``."),
        "periods": {"type": "array", "items": {"$ref": "#/$defs/date"}, "description": "The forecast periods."},
        "baseline": _map("The unconditional point forecast, by variable, over ``periods`` (VAR units).", "variable",
                         {**num_list, "description": "One value per period."}),
        "density_note": _leaf("string", "How the density forecast was drawn, or why there is none."),
        "density": _obj("The chain's density forecast (a fan chart's data; null: see ``density_note``), VAR units.", {
            "dims": _strings("``[period, variable, quantile]``."),
            "coords": _obj("The labels.", {
                "period": {"type": "array", "items": {"$ref": "#/$defs/date"}, "description": "Forecast periods."},
                "variable": _strings("The VAR's variables."),
                "quantile": {**num_list, "description": "Quantiles, e.g. 0.05 ... 0.95."},
            }),
            "values": {"type": "array", "description": "Nested lists in the order of ``dims``."},
            "point": {"type": "array", "description": "The point forecast, ``[period][variable]``."},
        }, nullable=True),
        "runs": _map("Each scenario, by name.", "scenario", _scenario_run()),
    })


def results_schema() -> dict[str, Any]:
    """The schema of ``results.json``, as a dict.

    Returns
    -------
    dict
        A JSON Schema (draft 2020-12) document: every key of
        :meth:`causalmacro.RunResults.to_dict` with its ``type`` and
        ``description``; ``required`` lists the keys always present.
    """
    response = ("dims ``(horizon, response, shock)``, " + _BOUND_NOTE)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "causalmacro results.json",
        "description": "Everything a run estimated (RunResults.to_dict()); the run folder's manifest.json says what "
                       "it read.",
        "type": "object",
        "$defs": {"labelled": _LABELLED, "matrix": _MATRIX, "date": _DATE},
        "required": ["synthetic", "spec", "choices", "panel", "svar", "irf", "fevd", "causality", "graph",
                     "channels", "events", "event_effects", "regimes", "lp", "lp_state", "position", "answer",
                     "tracker", "irf_compare"],
        "properties": {
            "synthetic": _leaf("boolean", "true when the data are the embedded synthetic demo (the numbers "
                               "illustrate, they do not estimate)."),
            "spec": _leaf("string", "The spec's ``name``."),
            "choices": _choices(),
            "panel": _panel(),
            "svar": _svar(),
            "irf": _ref("labelled", "Impulse responses, " + response + "; horizons ``0..[var].horizon``, "
                        "``response`` and ``shock`` the variables of ``[var].order``. The response of each variable "
                        "to a one-standard-deviation structural shock, in the variable's panel units. ``attrs`` "
                        "record the identification, ``shock_size``, ``level``, ``interval`` and the bootstrap's "
                        "``reps``, ``reps_kept``, ``seed``."),
            "fevd": _ref("labelled", "Forecast-error variance decomposition, " + response + "; horizons "
                         "``1..[var].fevd_horizon``. The share (0-1) of the ``horizon``-step forecast-error variance "
                         "of ``response`` due to ``shock``; the point shares sum to one over shocks."),
            "channels": _map("Channel decompositions of every response to a shock through ``choices.channels`` "
                             "(empty: none).", "shock",
                             _ref("labelled", "Dims ``(horizon, response, part)``, " + _BOUND_NOTE + "; parts "
                                  "``total`` (the impulse response), ``held`` (every channel shut), ``through "
                                  "channels`` (total minus held) and ``through <c>`` for each channel alone.")),
            "causality": _causality(),
            "graph": _graph(),
            "assets": _assets(),
            "scenarios": _scenarios(),
            "events": _events(),
            "event_effects": _ref("labelled", "Each event's dynamic effect on every variable along the event's own "
                                  "shape (the events as ``shock``), " + response + "; horizons "
                                  "``0..[var].horizon``, in the variables' units, residual-bootstrap bands (null "
                                  "without events in the VAR).", nullable=True),
            "regimes": _regimes(),
            "lp": _map("Local projections (empty: none), by link.", "source -> target", _ref(
                "labelled", "Dims ``(horizon, response, shock, bound)`` with the target as ``response`` and the "
                "source as ``shock``: the target's response to the SVAR's identified source shock (one standard "
                "deviation), pointwise normal bands (HC1 standard errors when lag-augmented, Newey-West otherwise: "
                "``attrs.cov``).")),
            "lp_state": _map("The same, by ``[lp].state`` (empty without a state).", "source -> target", _ref(
                "labelled", "Dims ``(horizon, response, shock, state, bound)``: ``state`` the regime of the period "
                "before the shock.")),
            "position": _position(),
            "answer": _answer(),
            "tracker": _tracker(),
            "irf_compare": _ref("labelled", "``irf`` under the chosen and each ``[var].compare`` scheme (null: none), "
                                "dims ``(identification, horizon, response, shock, bound)``; same sample and lags, each "
                                "scheme's own bootstrap or identified set (NaN bounds: none).", nullable=True),
        },
    }


def dump_results_schema() -> str:
    """The schema as formatted text.

    Returns
    -------
    str
        :func:`results_schema` as indented JSON with sorted keys and a final newline.
    """
    return json.dumps(results_schema(), indent=2, sort_keys=True) + "\n"
