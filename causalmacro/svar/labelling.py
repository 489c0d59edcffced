"""Naming the shocks of a data-driven impact matrix.

Identification by changes in volatility or by non-Gaussian shocks pins down the
columns of :math:`B_0^{-1}` only up to order and sign: any permutation of the
columns, each multiplied by :math:`\\pm 1`, fits the data equally well. To report
"the liquidity shock" the package applies one documented rule
(:func:`label_shocks`):

1. scale each row of the impact matrix by the residual standard deviation of its
   variable, so that a variable measured in large units does not dominate;
2. assign the columns to the variables one to one so that the total absolute
   scaled impact on the assigned variables is largest (a linear assignment,
   :func:`scipy.optimize.linear_sum_assignment`): the shock named after a variable
   is the one that moves that variable most on impact, relative to its noise;
3. sign each column so that its own variable rises on impact.

References
----------
Lanne, M., Meitz, M. & Saikkonen, P. (2017). Identification and estimation of
non-Gaussian structural vector autoregressions. *Journal of Econometrics* 196(2),
288-304 (the labelling problem, sec. 2).
Kilian, L. & Lütkepohl, H. (2017). *Structural Vector Autoregressive Analysis*.
Cambridge University Press, ch. 14.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["label_shocks", "label_shocks_batch"]


def label_shocks(impact: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order and sign the columns of an impact matrix identified up to both.

    Parameters
    ----------
    impact : ndarray, shape (K, K)
        Impact matrix whose columns are shocks in arbitrary order and sign.
    scale : ndarray, shape (K,)
        Residual standard deviation of each variable (rows of ``impact``).

    Returns
    -------
    labelled : ndarray, shape (K, K)
        ``impact[:, order] * signs``: column ``j`` is the shock named after variable
        ``j``, and ``labelled[j, j] > 0`` (zero stays zero).
    order : ndarray of int, shape (K,)
        ``order[j]``: the input column assigned to variable ``j``.
    signs : ndarray, shape (K,)
        ``+1`` or ``-1`` per output column.

    Examples
    --------
    >>> b = np.array([[1.0, 0.2], [0.1, 2.0]])
    >>> lab, order, signs = label_shocks(-b[:, ::-1], np.ones(2))
    >>> np.allclose(lab, b), order.tolist(), signs.tolist()
    (True, [1, 0], [-1.0, -1.0])
    """
    impact = np.asarray(impact, dtype=np.float64)
    scaled = np.abs(impact) / np.asarray(scale, dtype=np.float64)[:, None]
    rows, cols = linear_sum_assignment(scaled, maximize=True)
    order = np.empty(impact.shape[1], dtype=np.intp)
    order[rows] = cols
    ordered = impact[:, order]
    signs = np.where(np.diag(ordered) < 0, -1.0, 1.0)
    return ordered * signs, order, signs


def label_shocks_batch(impact: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """:func:`label_shocks` for a stack of impact matrices.

    Parameters
    ----------
    impact : ndarray, shape (R, K, K)
        NaN entries (replications that failed) pass through.
    scale : ndarray, shape (K,) or (R, K)

    Returns
    -------
    ndarray, shape (R, K, K)
    """
    impact = np.asarray(impact, dtype=np.float64)
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), impact.shape[:2])
    out = np.full(impact.shape, np.nan)
    for r in range(impact.shape[0]):
        if np.isfinite(impact[r]).all():
            out[r] = label_shocks(impact[r], scale[r])[0]
    return out
