"""Channel decomposition: how much of a response runs through intermediate variables.

The response of ``target`` to ``shock`` is split by shutting the responses of
the ``channel`` variables off in the estimated system (Bernanke, Gertler &
Watson 1997; Sims & Zha 2006): a sequence of hypothetical shocks to each channel
variable, chosen period by period, holds its response at zero; the response of
the target with the channels held is the part that does not run through them,
and the difference from the full response is the part that does. With
structural responses :math:`\\Theta_h` and one channel ``m``, the offsetting
shocks solve :math:`\\Theta_h[m, j] + \\sum_{s \\le h} \\Theta_{h-s}[m, m]\\, e_s = 0`.

Assumptions, stated where users will read them: the counterfactual keeps every
estimated coefficient fixed while the channel variables are held, so agents
would not change their behaviour when, say, net liquidity stopped responding.
That is the Lucas (1976) critique: the split is an accounting of the estimated
dynamics, not a forecast of a policy that shut a channel off. With several
channels the offsets are solved jointly; channels are ordered as given only in
the sense that each is held by shocks to itself.

References
----------
Bernanke, B. S., Gertler, M. & Watson, M. (1997). Systematic monetary policy and the
effects of oil price shocks. *Brookings Papers on Economic Activity* 1997(1), 91-157.
Sims, C. A. & Zha, T. (2006). Does monetary policy generate recessions?
*Macroeconomic Dynamics* 10(2), 231-272.
Lucas, R. E. (1976). Econometric policy evaluation: a critique. *Carnegie-Rochester
Conference Series on Public Policy* 1, 19-46.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["OFFSET_LIMIT", "hold_channels", "offsetting_shocks"]

#: Largest offsetting shock, in standard deviations of the channel variables' own
#: structural shocks, for which the counterfactual is reported. The offsets solve a
#: deconvolution; when a channel's own response builds up after a small impact
#: (common under sign restrictions) they grow geometrically with the horizon, and
#: a "part through the channel" that needs shocks of tens of standard deviations
#: is arithmetic, not an account of the estimated dynamics.
OFFSET_LIMIT = 10.0


def offsetting_shocks(theta: np.ndarray, shock: int, channels: Sequence[int]) -> np.ndarray:
    """The shocks to ``channels`` that hold their responses to ``shock`` at zero, batched.

    Parameters
    ----------
    theta : ndarray, shape (..., H + 1, K, K)
        Structural responses (horizon, response, shock) to one-s.d. shocks.
    shock : int
        Index of the shock.
    channels : sequence of int
        Indices of the variables held; none may be the shock itself.

    Returns
    -------
    ndarray, shape (..., H + 1, M)
        The offsetting shock to each channel variable at each horizon, in
        standard deviations of that variable's structural shock.
    """
    ch = list(channels)
    n_h = theta.shape[-3]
    base = theta[..., :, :, shock]  # (..., H+1, K)
    on_channels = theta[..., :, :, ch]  # (..., H+1, K, M): responses to the channel shocks
    own = on_channels[..., 0, ch, :]  # (..., M, M): impact of channel shocks on the channel variables
    offsets = np.zeros((*theta.shape[:-3], n_h, len(ch)))
    for h in range(n_h):
        # channel responses at h from the shock and from the offsets already chosen
        acc = base[..., h, ch].copy()
        for s in range(h):
            acc += np.einsum("...mn,...n->...m", on_channels[..., h - s, ch, :], offsets[..., s, :])
        offsets[..., h, :] = -np.linalg.solve(own, acc[..., None])[..., 0]
    return offsets


def hold_channels(theta: np.ndarray, shock: int, channels: Sequence[int]) -> np.ndarray:
    """Responses to ``shock`` with the responses of ``channels`` held at zero, batched.

    Parameters
    ----------
    theta : ndarray, shape (..., H + 1, K, K)
        Structural responses (horizon, response, shock).
    shock : int
        Index of the shock.
    channels : sequence of int
        Indices of the variables held; none may be the shock itself.

    Returns
    -------
    ndarray, shape (..., H + 1, K)
        The response of every variable to ``shock`` in the counterfactual, where
        the channel variables' responses are exactly zero at every horizon.
    """
    ch = list(channels)
    n_h = theta.shape[-3]
    base = theta[..., :, :, shock]  # (..., H+1, K)
    on_channels = theta[..., :, :, ch]
    offsets = offsetting_shocks(theta, shock, ch)
    out = base.copy()
    for h in range(n_h):
        for s in range(h + 1):
            out[..., h, :] += np.einsum("...kn,...n->...k", on_channels[..., h - s, :, :], offsets[..., s, :])
    return out
