"""The Bayesian VAR: conjugate Normal-inverse-Wishart with the Minnesota prior (Giannone, Lenza & Primiceri 2015).

:class:`BVAR` fits, :class:`Minnesota` is the prior (R ``BVAR``'s hyperparameters),
:class:`BVARResults` the frozen results. ``posterior.py`` holds the closed forms
(posterior, marginal likelihood, exact vectorised draws), ``prior.py`` the prior
and its dummy observations; ``results.py`` the results and their structural layer
(:meth:`BVARResults.structural` -> :class:`BayesianSVARResults`, an
``SVARResults`` with posterior bands; one module, since each builds the other),
``io.py`` saving and loading (given the classes by their ``load``, importing neither).
"""

from causalmacro.bvar.model import BVAR
from causalmacro.bvar.prior import Minnesota
from causalmacro.bvar.results import BayesianSVARResults, BVARResults

__all__ = ["BVAR", "BVARResults", "BayesianSVARResults", "Minnesota"]
