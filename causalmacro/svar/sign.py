"""Sign restrictions, with optional zero restrictions on impact.

Rotations :math:`Q` are drawn uniformly (Haar) from the QR decomposition of
Gaussian matrices with the sign of :math:`R`'s diagonal normalised
(Rubio-Ramírez, Waggoner & Zha 2010, Theorem 9), all draws at once. Zero
restrictions on impact responses are imposed column by column by drawing each
column of :math:`Q` from the null space of the zero restrictions and the columns
already drawn (Arias, Rubio-Ramírez & Waggoner 2018, Algorithm 2), and the
accepted draws carry ARW's importance weights
(:mod:`~causalmacro.svar.sign_weights`), which the set's quantiles and the
median target use. A draw is accepted when, for every restricted shock, the
responses have the required signs at each restriction's horizons (``0..horizons``
or a range of its own), after flipping the shock's sign if that satisfies them all.

Reporting: the identified set is summarised by pointwise quantiles across
accepted models, and the point is the *median target* model of Fry & Pagan
(2011): the single accepted model closest to the pointwise medians in
standardised squared distance. Pointwise medians themselves mix different
models and are not the response of any one model (Fry & Pagan 2011), which is
why they are not used as the point; and the spread of the set reflects the
identification, not sampling uncertainty. :mod:`~causalmacro.svar.robust` adds the
Giacomini-Kitagawa (2021) robust credible region, which covers both.

References
----------
Uhlig, H. (2005). What are the effects of monetary policy on output? *JME* 52(2), 381-419.
Rubio-Ramírez, J. F., Waggoner, D. F. & Zha, T. (2010). Structural vector autoregressions:
theory of identification and algorithms for inference. *RES* 77(2), 665-696.
Arias, J. E., Rubio-Ramírez, J. F. & Waggoner, D. F. (2018). Inference based on SVARs
identified with sign and zero restrictions. *Econometrica* 86(2), 685-720.
Fry, R. & Pagan, A. (2011). Sign restrictions in structural vector autoregressions:
a critical review. *JEL* 49(4), 938-960.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from causalmacro.errors import ArgumentError
from causalmacro.svar.dynamics import ma_coefficients
from causalmacro.svar.identification import (
    Identification,
    IdentificationError,
    IdentificationName,
    Identified,
)
from causalmacro.svar.narrative import (
    NARRATIVE_POOL,
    NarrativeRestriction,
    combine_weights,
    narrative_filter,
    pick_narrative,
)
from causalmacro.svar.reduced_form import ReducedForm
from causalmacro.svar.sign_weights import (
    arw_log_weights,
    build_order,
    effective_sample_size,
    weighted_quantile,
)

__all__ = ["SignRestrictions", "median_target"]


def haar_rotations(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """``n`` uniformly distributed orthogonal ``k x k`` matrices (RWZ 2010, Thm. 9)."""
    q, r = np.linalg.qr(rng.standard_normal((n, k, k)))
    return q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]


def rotations_with_zeros(
    rng: np.random.Generator, chol: np.ndarray, zeros: Sequence[Sequence[int]],
    order: Sequence[int] | None = None,
) -> np.ndarray:
    """Orthogonal matrices whose columns meet zero restrictions on impact.

    Parameters
    ----------
    rng : numpy.random.Generator
    chol : ndarray, shape (n, K, K)
        Cholesky factors; impact is ``chol @ Q``.
    zeros : sequence of sequences of int
        ``zeros[j]``: variables whose impact response to shock ``j`` is zero.
    order : sequence of int, optional
        Order in which the columns are drawn (default: most zeros first).

    Returns
    -------
    ndarray, shape (n, K, K)
    """
    n, k, _ = chol.shape
    q = np.zeros((n, k, k))
    done: list[int] = []
    for j in (build_order(zeros) if order is None else order):
        rows = [chol[:, list(zeros[j]), :]] if zeros[j] else []
        if done:
            rows.append(np.swapaxes(q[:, :, done], -1, -2))
        m = sum(r.shape[1] for r in rows)
        if m:
            _, _, vh = np.linalg.svd(np.concatenate(rows, axis=1), full_matrices=True)
            null = np.swapaxes(vh[:, m:, :], -1, -2)
        else:
            null = np.broadcast_to(np.eye(k), (n, k, k))
        x = rng.standard_normal((n, null.shape[-1]))
        col = np.einsum("nkd,nd->nk", null, x)
        q[:, :, j] = col / np.linalg.norm(col, axis=-1, keepdims=True)
        done.append(j)
    return q


#: One restriction: (shock, variable, sign, first horizon, last horizon), indices into the order.
Restriction = tuple[int, int, int, int, int]

_SIGN_KEYS = ("sign", "horizons")


def _horizon_range(value: object, where: str) -> tuple[int, int]:
    """``h`` -> ``(0, h)``; ``[lo, hi]`` -> ``(lo, hi)``; anything else refused in one line."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return 0, value
    if (isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            and 0 <= value[0] <= value[1]):
        return int(value[0]), int(value[1])
    raise ArgumentError(f"horizons of {where} must be an int >= 0 or [first, last] with 0 <= first <= last, "
                        f"got {value!r}")


def _parse_sign(value: object, where: str, default: tuple[int, int]) -> tuple[int, int, int]:
    """A sign entry: ``+1``/``-1``, or ``{"sign": +1, "horizons": [2, 6]}``; returns (sign, lo, hi)."""
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(_SIGN_KEYS))
        if unknown:
            raise ArgumentError(f"{where} has unknown key {unknown[0]!r}; valid keys are {list(_SIGN_KEYS)}")
        if "sign" not in value:
            raise ArgumentError(f"{where} needs a 'sign' (+1 or -1)")
        sgn, lo_hi = value["sign"], (_horizon_range(value["horizons"], where) if "horizons" in value else default)
    else:
        sgn, lo_hi = value, default
    if isinstance(sgn, bool) or sgn not in (1, -1):
        raise ArgumentError(f"sign of {where} must be +1 or -1, got {sgn!r}")
    return int(sgn), *lo_hi  # type: ignore[call-overload]


def describe_restriction(r: Sequence[int], names: Sequence[str] | None) -> str:
    """``shock 'a' on 'b' > 0 at horizons 0..2`` for a restriction tuple."""
    j, i, sgn, lo, hi = (int(v) for v in r)

    def nm(x: int) -> str:
        return repr(names[x]) if names else str(x)

    when = f"horizon {lo}" if lo == hi else f"horizons {lo}..{hi}"
    return f"shock {nm(j)} on {nm(i)} {'>' if sgn > 0 else '<'} 0 at {when}"


def sign_tensor(restrictions: Sequence[Sequence[int]], k: int) -> np.ndarray:
    """``S[h, shock, variable]``: the required sign at horizon ``h``, 0 where free; shape (H+1, K, K)."""
    last = max((int(r[4]) for r in restrictions), default=0)
    s = np.zeros((last + 1, k, k))
    for j, i, sgn, lo, hi in restrictions:
        s[int(lo) : int(hi) + 1, int(j), int(i)] = sgn
    return s


def failure_rates(theta: np.ndarray, restrictions: Sequence[Sequence[int]]) -> np.ndarray:
    """Share of candidate models failing each restriction.

    Each shock is oriented (its sign flipped or not) to meet as many of its own
    restrictions as it can; a restriction fails when its response has the wrong
    sign at any horizon of its range under that orientation.

    Parameters
    ----------
    theta : ndarray, shape (n, H+1, K, K)
        Candidate responses ``theta[d, h, variable, shock]``.
    restrictions : sequence of (shock, variable, sign, first, last)

    Returns
    -------
    ndarray, shape (len(restrictions),)
    """
    ok_pos, ok_neg = [], []
    for j, i, sgn, lo, hi in restrictions:
        v = theta[:, int(lo) : int(hi) + 1, int(i), int(j)] * sgn
        ok_pos.append(np.all(v > 0, axis=1))
        ok_neg.append(np.all(v < 0, axis=1))
    pos, neg = np.array(ok_pos), np.array(ok_neg)  # (r, n)
    shocks = np.array([int(r[0]) for r in restrictions])
    fails = np.empty_like(pos)
    for j in np.unique(shocks):
        rows = shocks == j
        orient = pos[rows].sum(axis=0) >= neg[rows].sum(axis=0)
        fails[rows] = ~np.where(orient, pos[rows], neg[rows])
    return fails.mean(axis=1)


@dataclass(frozen=True)
class SignRestrictions(Identification):
    """Set identification by sign (and optional zero) restrictions.

    Parameters
    ----------
    signs : mapping
        ``{shock: {variable: sign}}``; shocks and variables are names from
        ``order`` (shock ``j`` is labelled by the ``j``-th variable). A sign is
        ``+1`` or ``-1`` (held at horizons ``0..horizons``) or a table
        ``{"sign": +1, "horizons": [2, 6]}`` with its own horizon range
        (``"horizons": h`` means ``0..h``).
    horizons : int
        Signs without their own range must hold at horizons ``0..horizons``.
    zeros : mapping, optional
        ``{shock: [variable, ...]}`` with a zero impact response.
    draws : int
        Rotations drawn for the point estimate's identified set.
    target_horizon : int
        Last horizon used to pick the median-target model.
    max_rounds : int
        In the bootstrap, rounds of one rotation per pending replication before
        a replication counts as failed.
    narrative : sequence of NarrativeRestriction (or mappings of its fields)
        Narrative restrictions on the shocks at dated events (Antolín-Díaz &
        Rubio-Ramírez 2018), applied to the sign-accepted models with their
        importance weights; see :mod:`causalmacro.svar.narrative`.

    Notes
    -----
    Rotations :math:`Q` of the Cholesky factor :math:`P` of :math:`\\Sigma_u` are
    drawn uniformly; a candidate impact matrix :math:`P Q` is accepted when the
    responses of every restricted shock have the required signs at the horizons
    of each restriction (flipping the shock's sign if that meets them all). The
    accepted models are the identified set. With zero restrictions on more than
    one shock the draws of Arias, Rubio-Ramírez & Waggoner (2018, Algorithm 2)
    are not uniform on the restricted set, and each accepted model carries its
    importance weight (:mod:`~causalmacro.svar.sign_weights`; ``Identified.weights``,
    effective sample size in ``details["ess"]``). The reported point is the
    median-target model (Fry & Pagan 2011) from the weighted pointwise medians,
    and the bands (``bands="set"``) are weighted pointwise quantiles across the
    set: they show what the restrictions leave open, not sampling uncertainty.
    :meth:`SVARResults.robust_irf` gives the Giacomini-Kitagawa robust credible
    region, which adds the sampling uncertainty without a prior on the rotation.

    Shocks without restrictions are not individually identified; their labels
    are placeholders, normalised to raise their own variable on impact.

    In a spec this is ``identification = "sign"`` with a ``[var.sign]`` table
    (``signs``, ``zeros``, ``horizons``, ``draws``).

    References
    ----------
    Arias, J. E., Rubio-Ramírez, J. F. & Waggoner, D. F. (2018). *Econometrica* 86(2), 685-720.
    Fry, R. & Pagan, A. (2011). *JEL* 49(4), 938-960.
    Giacomini, R. & Kitagawa, T. (2021). Robust Bayesian inference for set-identified
    models. *Econometrica* 89(4), 1519-1556.

    Examples
    --------
    >>> scheme = cm.SignRestrictions(signs={"real_rate": {"real_rate": 1, "hy_spread": 1}}, horizons=2)
    >>> later = cm.SignRestrictions(signs={"real_rate": {"btc": {"sign": -1, "horizons": [2, 6]}}})
    >>> res = cm.SVAR(df, order=order, identification=scheme).fit(rng=0)  # doctest: +SKIP
    >>> res.irf(24, bands="set")  # doctest: +SKIP
    """

    signs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    horizons: int = 0
    zeros: Mapping[str, Sequence[str]] | None = None
    draws: int = 5000
    target_horizon: int = 12
    max_rounds: int = 200
    narrative: Sequence[NarrativeRestriction] = ()
    #: The scheme's name: ``identification = "sign"`` in specs and results.
    name: ClassVar[IdentificationName] = "sign"

    def __post_init__(self) -> None:
        for name, low in (("horizons", 0), ("draws", 1), ("target_horizon", 0), ("max_rounds", 1)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ArgumentError(f"{name} must be an int >= {low}, got {v!r}")
        if isinstance(self.narrative, str | Mapping) or not isinstance(self.narrative, Sequence):
            raise ArgumentError(f"narrative must be a list of NarrativeRestriction, got {self.narrative!r}")
        object.__setattr__(self, "narrative", tuple(NarrativeRestriction.from_value(r) for r in self.narrative))
        if not isinstance(self.signs, Mapping) or not self.signs:
            raise ArgumentError("sign restrictions need at least one restricted shock in signs")
        for shock, resp in self.signs.items():
            if not isinstance(resp, Mapping) or not resp:
                raise ArgumentError(f"signs[{shock!r}] must map variables to +1 or -1, got {resp!r}")
            for var, value in resp.items():
                _parse_sign(value, f"shock {shock!r} on {var!r}", (0, self.horizons))
        for shock, vars_ in (self.zeros or {}).items():
            if isinstance(vars_, str):
                raise ArgumentError(f"zeros[{shock!r}] must be a list of variables, got the string {vars_!r}")
            both = set(vars_) & set(self.signs.get(shock, {}))
            if both:
                raise ArgumentError(f"shock {shock!r} has a sign and a zero on the same variable {sorted(both)[0]!r}")

    def restrictions(self, names: Sequence[str]) -> list[Restriction]:
        """The sign restrictions as index tuples ``(shock, variable, sign, first, last)``.

        Parameters
        ----------
        names : sequence of str
            The variables in order.

        Raises
        ------
        ArgumentError
            A shock or variable is not in ``names``.
        """
        pos = {n: i for i, n in enumerate(names)}

        def idx(name: str, what: str) -> int:
            if name not in pos:
                raise ArgumentError(f"sign restriction names unknown {what} {name!r}; order is {list(names)}")
            return pos[name]

        out: list[Restriction] = []
        for shock, resp in self.signs.items():
            j = idx(shock, "shock")
            for var, value in resp.items():
                sgn, lo, hi = _parse_sign(value, f"shock {shock!r} on {var!r}", (0, self.horizons))
                out.append((j, idx(var, "variable"), sgn, lo, hi))
        return out

    def matrices(self, names: Sequence[str]) -> tuple[np.ndarray, list[list[int]]]:
        """Sign matrix ``S[shock, variable]`` and zero lists, with names checked.

        Parameters
        ----------
        names : sequence of str
            The variables in order (shock ``j`` is named after ``names[j]``).

        Returns
        -------
        S : ndarray, shape (K, K)
            ``S[j, k]`` is the required sign (+1, -1) of variable ``k``'s response
            to shock ``j`` (at whichever horizons), 0 where unrestricted.
        zeros : list of list of int
            For each shock, the variables with a zero impact response.

        Raises
        ------
        ArgumentError
            A shock or variable is not in ``names``.
        """
        k = len(names)
        s = np.zeros((k, k))
        for j, i, sgn, _, _ in self.restrictions(names):
            s[j, i] = sgn
        pos = {n: i for i, n in enumerate(names)}
        zeros: list[list[int]] = [[] for _ in range(k)]
        for shock, vars_ in (self.zeros or {}).items():
            for name in (shock, *vars_):
                if name not in pos:
                    raise ArgumentError(f"sign restriction names unknown variable {name!r}; order is {list(names)}")
            zeros[pos[shock]] = [pos[v] for v in vars_]
        for j in range(k):
            if len(zeros[j]) > k - 1:
                raise ArgumentError(f"shock {names[j]!r} has {len(zeros[j])} zero restrictions; at most {k - 1}")
        return s, zeros

    @staticmethod
    def _check(phi: np.ndarray, impact: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Accept flags and sign-normalised impacts for a stack of candidates.

        ``phi`` is (n or 1, H+1, K, K), ``impact`` (n, K, K), ``s`` the sign tensor (H+1, shock, variable).
        """
        theta = phi @ impact[:, None, :, :]  # (n, h, resp, shock)
        st = np.swapaxes(s, -1, -2)[None]  # (1, h, resp, shock)
        signed = theta * st
        mask = st != 0
        pos = np.all(np.where(mask, signed > 0, True), axis=(1, 2))  # (n, shock)
        neg = np.all(np.where(mask, signed < 0, True), axis=(1, 2))
        has = (s != 0).any(axis=(0, 2))[None, :]
        own = np.diagonal(impact, axis1=-2, axis2=-1)
        flip = np.where(has, neg & ~pos, own < 0)
        ok = np.all(np.where(has, pos | neg, True), axis=1)
        return ok, impact * np.where(flip, -1.0, 1.0)[:, None, :]

    def _candidates(self, rng: np.random.Generator, chol: np.ndarray, zeros: list[list[int]]) -> np.ndarray:
        if any(zeros):
            return chol @ rotations_with_zeros(rng, chol, zeros)
        return chol @ haar_rotations(rng, chol.shape[0], chol.shape[-1])

    def _select(self, rf: ReducedForm, accepted: np.ndarray, zeros: list[list[int]]
                ) -> tuple[np.ndarray, np.ndarray | None, dict[str, Any]]:
        """Filter and weight the accepted models: (keep mask, relative weights or None, details).

        Zero restrictions: the Arias-Rubio-Ramírez-Waggoner importance weights.
        Further filters (e.g. narrative restrictions) combine here: ``keep &=
        their mask``, ``weights *= their weights``.
        """
        keep = np.ones(accepted.shape[0], dtype=bool)
        if not any(zeros):
            return keep, None, {}
        chol = np.linalg.cholesky(np.asarray(rf.sigma_u))
        q = np.linalg.solve(chol, accepted)
        logw = arw_log_weights(chol, q, zeros)
        return keep, np.exp(logw - logw.max()), {"weights": "Arias-Rubio-Ramirez-Waggoner (2018) importance weights"}

    def _hint(self, theta: np.ndarray, restrictions: Sequence[Sequence[int]], names: Sequence[str] | None) -> str:
        rates = failure_rates(theta, restrictions)
        worst = int(np.argmax(rates))
        return (f"the one failing most often: {describe_restriction(restrictions[worst], names)} "
                f"(failed {rates[worst]:.0%} of draws); raise draws=, drop or shorten it")

    def identify(self, rf: ReducedForm, rng: np.random.Generator) -> Identified:
        """Draw rotations, keep those meeting the restrictions, weight them, pick the median target.

        Parameters
        ----------
        rf : ReducedForm
            The least-squares reduced form (lag coefficients, residual covariance).
        rng : numpy.random.Generator
            Source of the random rotations.

        Returns
        -------
        Identified
            The median-target model's impact matrix; ``accepted`` holds every
            accepted model's, ``weights`` their importance weights (None: equal),
            ``details`` the acceptance rate and the effective sample size.

        Raises
        ------
        IdentificationError
            No rotation out of ``draws`` satisfies the restrictions; the message
            names the restriction failing most often.
        """
        names = list(rf.names)
        restr = self.restrictions(names)
        _, zeros = self.matrices(names)
        s = sign_tensor(restr, len(names))
        k = len(names)
        chol = np.linalg.cholesky(np.asarray(rf.sigma_u))
        phi = ma_coefficients(np.asarray(rf.coefs), max(s.shape[0] - 1, self.target_horizon))
        cand = self._candidates(rng, np.broadcast_to(chol, (self.draws, k, k)).copy(), zeros)
        ok, flipped = self._check(phi[None, : s.shape[0]], cand, s)
        if not ok.any():
            theta = phi[None, : s.shape[0]] @ cand[:, None]
            raise IdentificationError(
                f"no rotation out of {self.draws} satisfies the restrictions; {self._hint(theta, restr, names)}"
            )
        accepted = flipped[ok]
        keep, weights, wdetails = self._select(rf, accepted, zeros)
        accepted = accepted[keep]
        weights = None if weights is None else weights[keep]
        narrative: dict[str, Any] | None = None
        if self.narrative:
            check = narrative_filter(self.narrative, rf, accepted, rng)
            if not check.keep.any():
                steps = check.details["steps"]
                dead = [str(st["restriction"]) for st in steps if st["keeps_alone"] == 0]
                hint = (f"{dead[0]} holds in none of them by itself: check its date, shock and sign" if dead else
                        f"each holds in some ({', '.join(format(st['keeps_alone'], '.1%') for st in steps)}) but none "
                        "holds them all: raise draws")
                raise IdentificationError(
                    f"none of the {accepted.shape[0]} sign-accepted models meets the narrative restrictions; {hint}"
                )
            accepted, narrative = accepted[check.keep], check.details
            weights = combine_weights(None if weights is None else weights[check.keep], check.weights)
        weights = combine_weights(weights, None)
        theta = phi[None] @ accepted[:, None]
        best = median_target(theta, weights)
        details: dict[str, Any] = {
            "scheme": self.name,
            "draws": self.draws,
            "accepted": int(accepted.shape[0]),
            "acceptance_rate": int(ok.sum()) / self.draws,
            "point": "median_target",
            "sign_matrix": self.matrices(names)[0].tolist(),
            "restrictions": [list(r) for r in restr],
            "names": names,
            "zero_indices": zeros,
            "ess": effective_sample_size(weights) if weights is not None else float(accepted.shape[0]),
            **wdetails,
        }
        if narrative is not None:
            details["narrative"] = narrative
        return Identified(impact=accepted[best], details=details, accepted=accepted, weights=weights)

    def _point_restrictions(self, point: Identified) -> list[list[int]]:
        """The restriction tuples stored with the point (older results: sign matrix at 0..horizons)."""
        if "restrictions" in point.details:
            return [list(r) for r in point.details["restrictions"]]
        s = np.asarray(point.details["sign_matrix"])
        return [[j, i, int(s[j, i]), 0, self.horizons] for j, i in zip(*np.nonzero(s), strict=True)]

    def identify_batch(
        self,
        coefs: np.ndarray,
        sigma: np.ndarray,
        point: Identified,
        rng: np.random.Generator,
        *,
        resid: np.ndarray | None = None,
        aux: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """One accepted rotation per replication, drawn in rounds vectorised over replications.

        A replication with no accepted rotation after ``max_rounds`` rounds is not
        identified. When fewer than half the replications are identified the
        restrictions are too tight for the bootstrap: an :class:`IdentificationError`
        names the restriction failing most often.

        With narrative restrictions, each round draws ``NARRATIVE_POOL`` rotations
        per pending replication, keeps those meeting the signs and the narrative
        restrictions on the replication's shocks at the fixed dates, and picks one
        with probability proportional to its importance weight (sampling-importance
        resampling within the round; :func:`~causalmacro.svar.narrative.pick_narrative`).

        ``point``'s ``details`` carry the restrictions, the zeros and the resolved
        narrative restrictions; ``rng`` draws the rotations; ``resid`` and ``aux`` are
        unused. Parameters and returns as in :meth:`Identification.identify_batch`.
        """
        r, k = sigma.shape[0], sigma.shape[-1]
        restr = self._point_restrictions(point)
        s = sign_tensor(restr, k)
        zeros = [list(z) for z in point.details["zero_indices"]]
        phi = ma_coefficients(coefs, s.shape[0] - 1)
        try:
            chol = np.linalg.cholesky(sigma)
        except np.linalg.LinAlgError:
            return np.full(sigma.shape, np.nan), np.zeros(r, dtype=bool)
        out = np.full(sigma.shape, np.nan)
        done = np.zeros(r, dtype=bool)
        last: tuple[np.ndarray, np.ndarray] | None = None
        narr = point.details.get("narrative") if self.narrative else None
        pool = 1 if narr is None else NARRATIVE_POOL
        for _ in range(self.max_rounds):
            pending = np.flatnonzero(~done)
            if pending.size == 0:
                break
            rep = np.repeat(pending, pool)
            cand = self._candidates(rng, chol[rep], zeros)
            ok, flipped = self._check(phi[rep], cand, s)
            last = (rep, cand)
            if narr is not None:  # narrative restrictions on the replication's shocks; one pick by 1/omega
                has, chosen = pick_narrative(narr, coefs[rep], flipped, ok, pool, rng)
                out[pending[has]] = flipped[chosen]
                done[pending[has]] = True
                continue
            out[rep[ok]] = flipped[ok]
            done[rep[ok]] = True
        if r and done.sum() < 0.5 * r and last is not None:
            rep, cand = last
            theta = phi[rep] @ cand[:, None]
            names = point.details.get("names")
            raise IdentificationError(
                f"only {int(done.sum())} of {r} bootstrap replications have a rotation satisfying the restrictions "
                f"after max_rounds={self.max_rounds}; {self._hint(theta, restr, names)}"
            )
        return out, done

    def describe(self) -> dict[str, Any]:
        """Scheme name and restrictions.

        Returns
        -------
        dict
            ``{"scheme": "sign", "signs": ..., "horizons": ..., "zeros": ..., "draws": ...}``, and
            ``"narrative"`` (the restrictions' fields) when there are narrative restrictions.
        """
        out: dict[str, Any] = {
            "scheme": self.name,
            "signs": {k: {v: (dict(x) if isinstance(x, Mapping) else x) for v, x in r.items()}
                      for k, r in self.signs.items()},
            "horizons": self.horizons,
            "zeros": {k: list(v) for k, v in (self.zeros or {}).items()},
            "draws": self.draws,
        }
        if self.narrative:
            out["narrative"] = [dict(r.__dict__) for r in self.narrative]
        return out


def median_target(theta: np.ndarray, weights: np.ndarray | None = None) -> int:
    """Index of the Fry-Pagan median-target model.

    The model closest, in squared distance standardised by each response's spread
    across the set, to the pointwise (weighted) medians (Fry & Pagan 2011).

    Parameters
    ----------
    theta : ndarray, shape (n, H+1, K, K)
        Responses of the accepted models.
    weights : ndarray, shape (n,), optional
        Importance weights (None: equal).

    Returns
    -------
    int
    """
    med = weighted_quantile(theta, weights, [0.5])[0]
    if weights is None:
        sd = theta.std(axis=0)
    else:
        w = weights / weights.sum()
        mean = np.tensordot(w, theta, axes=1)
        sd = np.sqrt(np.tensordot(w, (theta - mean) ** 2, axes=1))
    sd = np.where(sd > 0, sd, 1.0)
    dist = (((theta - med) / sd) ** 2).sum(axis=(1, 2, 3))
    return int(np.argmin(dist))
