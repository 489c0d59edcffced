"""Local projections (Jordà 2005), optionally state-dependent (Ramey & Zubairy 2018), with joint bands.

Definition, so anyone can recompute it: the response of variable ``y`` at
horizon ``h`` to ``shock`` is the OLS coefficient on ``shock_t`` in the
regression of ``y_{t+h}`` (``y_t + ... + y_{t+h}`` with ``cumulative=True``) on
a constant, ``shock_t``, ``lags`` lags of every response variable and every
shock (``lag_augment=True`` adds one more lag of each) and the exogenous
``controls`` at ``t``. With lag augmentation ordinary heteroskedasticity-robust
(HC1) standard errors are valid (Montiel Olea & Plagborg-Møller 2021); without
it the standard errors are HAC (Newey-West, Bartlett kernel, ``hac_lags`` lags;
by default ``h + 1`` at horizon ``h``, as the regression errors of horizon ``h``
are serially correlated up to order ``h``). Pointwise bands are
``point ± z_{(1+level)/2} se``.

**Joint bands** (``irf(joint=True)``): the sup-t band of Montiel Olea &
Plagborg-Møller (2019), ``point ± c se`` with one critical value ``c`` per path,
the ``level`` quantile of ``max_h |Z_h|`` for ``Z`` Gaussian with the
correlation of the estimates across horizons
(:func:`causalmacro.bands.sup_t_gaussian`). That correlation comes from the
influence functions ``(X_h'X_h)^{-1} x_{h,t} u_{h,t}`` of every horizon's
regression, stacked on one time axis, with a Newey-West covariance of bandwidth
``max(H + 1, hac_lags)`` (the leads of horizons up to ``H`` overlap).

**State dependence**: with a ``state`` series (labels per period), the
responses come from the fully interacted regression of Ramey & Zubairy (2018):
one regression over all periods, every regressor (the constant included)
multiplied by the indicator of each state at ``t - 1``, the period before the
shock. The coefficients equal those of separate regressions on each state's
rows; the standard errors do not, as the HAC covariance runs over the whole
time-ordered sample.

References
----------
Jordà, Ò. (2005). Estimation and inference of impulse responses by local projections.
*American Economic Review* 95(1), 161-182.
Montiel Olea, J. L. & Plagborg-Møller, M. (2019). Simultaneous confidence bands: theory,
implementation, and an application to SVARs. *Journal of Applied Econometrics* 34(1), 1-17.
Montiel Olea, J. L. & Plagborg-Møller, M. (2021). Local projection inference is simpler
and more robust than you think. *Econometrica* 89(4), 1789-1823.
Ramey, V. A. & Zubairy, S. (2018). Government spending multipliers in good times and in
bad. *Journal of Political Economy* 126(2), 850-901.
"""

from __future__ import annotations

from .model import LocalProjections
from .results import LocalProjectionsResults

__all__ = ["LocalProjections", "LocalProjectionsResults"]
