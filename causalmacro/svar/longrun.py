"""Long-run (total) impact of the structural shocks.

For a stable VAR, the accumulated responses converge,
:math:`\\sum_{h=0}^{\\infty} \\Theta_h = \\Xi B_0^{-1}` with
:math:`\\Xi = (I_K - A_1 - \\dots - A_p)^{-1} = \\sum_h \\Phi_h` (Lütkepohl 2005,
sec. 2.3.2 and 9.2; Blanchard & Quah 1989). Under long-run identification this
matrix is lower triangular with a positive diagonal by construction
(Kilian & Lütkepohl 2017, sec. 10.1).

References
----------
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*. Springer.
Blanchard, O. J. & Quah, D. (1989). The dynamic effects of aggregate demand and
supply disturbances. *American Economic Review* 79(4), 655-673.
Kilian, L. & Lütkepohl, H. (2017). *Structural Vector Autoregressive Analysis*. CUP.
"""

from __future__ import annotations

import numpy as np

__all__ = ["total_impact"]


def total_impact(coefs: np.ndarray, impact: np.ndarray) -> np.ndarray:
    """Long-run impact :math:`\\Xi B_0^{-1} = (I - \\sum_j A_j)^{-1} B_0^{-1}`.

    Parameters
    ----------
    coefs : ndarray, shape (..., p, K, K)
        :math:`A_1, \\dots, A_p`.
    impact : ndarray, shape (..., K, K)
        :math:`B_0^{-1}`.

    Returns
    -------
    ndarray, shape (..., K, K)
        Entry ``[k, j]``: total (accumulated) response of variable ``k`` to shock ``j``.
        Equals the limit of cumulative impulse responses only for a stable VAR.
    """
    k = impact.shape[-1]
    return np.linalg.solve(np.eye(k) - coefs.sum(axis=-3), impact)
