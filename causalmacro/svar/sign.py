"""Sign restrictions, with optional zero restrictions on impact.

Rotations :math:`Q` are drawn uniformly (Haar) from the QR decomposition of
Gaussian matrices with the sign of :math:`R`'s diagonal normalised
(Rubio-Ramírez, Waggoner & Zha 2010, Theorem 9), all draws at once. Zero
restrictions on impact responses are imposed column by column by drawing each
column of :math:`Q` from the null space of the zero restrictions and the columns
already drawn (Arias, Rubio-Ramírez & Waggoner 2018, Algorithm 2, without their
importance-sampling re-weighting, which matters only for the posterior density
and not for the set of accepted models). A draw is accepted when, for every
restricted shock, the responses have the required signs at horizons
``0..horizons`` (after flipping the shock's sign if that satisfies them all).

Reporting: the identified set is summarised by pointwise quantiles across
accepted models, and the point is the *median target* model of Fry & Pagan
(2011): the single accepted model closest to the pointwise medians in
standardised squared distance. Pointwise medians themselves mix different
models and are not the response of any one model (Fry & Pagan 2011), which is
why they are not used as the point; and the spread of the set reflects the
identification, not sampling uncertainty.

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

__all__ = ["SignRestrictions"]


def haar_rotations(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """``n`` uniformly distributed orthogonal ``k x k`` matrices (RWZ 2010, Thm. 9)."""
    q, r = np.linalg.qr(rng.standard_normal((n, k, k)))
    return q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]


def rotations_with_zeros(
    rng: np.random.Generator, chol: np.ndarray, zeros: Sequence[Sequence[int]]
) -> np.ndarray:
    """Orthogonal matrices whose columns meet zero restrictions on impact.

    Parameters
    ----------
    rng : numpy.random.Generator
    chol : ndarray, shape (n, K, K)
        Cholesky factors; impact is ``chol @ Q``.
    zeros : sequence of sequences of int
        ``zeros[j]``: variables whose impact response to shock ``j`` is zero.

    Returns
    -------
    ndarray, shape (n, K, K)
    """
    n, k, _ = chol.shape
    q = np.zeros((n, k, k))
    done: list[int] = []
    for j in sorted(range(k), key=lambda s: -len(zeros[s])):
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


@dataclass(frozen=True)
class SignRestrictions(Identification):
    """Set identification by sign (and optional zero) restrictions.

    Parameters
    ----------
    signs : mapping
        ``{shock: {variable: +1 or -1}}``; shocks and variables are names from
        ``order`` (shock ``j`` is labelled by the ``j``-th variable).
    horizons : int
        Signs must hold at horizons ``0..horizons``.
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
    responses of every restricted shock have the required signs at horizons
    ``0..horizons`` (flipping the shock's sign if that meets them all). The
    accepted models are the identified set: every one is equally consistent with
    the data. The reported point is the median-target model (Fry & Pagan 2011),
    and the bands (``bands="set"``) are pointwise quantiles across the set: they
    show what the restrictions leave open, not sampling uncertainty.

    Shocks without restrictions are not individually identified; their labels
    are placeholders, normalised to raise their own variable on impact.

    In a spec this is ``identification = "sign"`` with a ``[var.sign]`` table
    (``signs``, ``zeros``, ``horizons``, ``draws``).

    Examples
    --------
    >>> scheme = cm.SignRestrictions(signs={"real_rate": {"real_rate": 1, "hy_spread": 1}}, horizons=2)
    >>> res = cm.SVAR(df, order=order, identification=scheme).fit(rng=0)  # doctest: +SKIP
    >>> res.irf(24, bands="set")  # doctest: +SKIP
    """

    signs: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    horizons: int = 0
    zeros: Mapping[str, Sequence[str]] | None = None
    draws: int = 5000
    target_horizon: int = 12
    max_rounds: int = 200
    narrative: Sequence[NarrativeRestriction] = ()
    #: The scheme's name: ``identification = "sign"`` in specs and results.
    name: ClassVar[IdentificationName] = "sign"

    def __post_init__(self) -> None:
        if isinstance(self.narrative, str | Mapping) or not isinstance(self.narrative, Sequence):
            raise ArgumentError(f"narrative must be a list of NarrativeRestriction, got {self.narrative!r}")
        object.__setattr__(self, "narrative", tuple(NarrativeRestriction.from_value(r) for r in self.narrative))
        if not isinstance(self.signs, Mapping) or not self.signs:
            raise ArgumentError("sign restrictions need at least one restricted shock in signs")
        for shock, resp in self.signs.items():
            if not isinstance(resp, Mapping) or not resp:
                raise ArgumentError(f"signs[{shock!r}] must map variables to +1 or -1, got {resp!r}")
            for var, sgn in resp.items():
                if isinstance(sgn, bool) or sgn not in (1, -1):
                    raise ArgumentError(f"sign for shock {shock!r} on {var!r} must be +1 or -1, got {sgn!r}")
        for shock, vars_ in (self.zeros or {}).items():
            if isinstance(vars_, str):
                raise ArgumentError(f"zeros[{shock!r}] must be a list of variables, got the string {vars_!r}")
            both = set(vars_) & set(self.signs.get(shock, {}))
            if both:
                raise ArgumentError(f"shock {shock!r} has a sign and a zero on the same variable {sorted(both)[0]!r}")
        for name, low in (("horizons", 0), ("draws", 1), ("target_horizon", 0), ("max_rounds", 1)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ArgumentError(f"{name} must be an int >= {low}, got {v!r}")

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
            to shock ``j``, 0 where unrestricted.
        zeros : list of list of int
            For each shock, the variables with a zero impact response.

        Raises
        ------
        ArgumentError
            A shock or variable is not in ``names``.
        """
        k = len(names)
        pos = {n: i for i, n in enumerate(names)}

        def idx(name: str, what: str) -> int:
            if name not in pos:
                raise ArgumentError(f"sign restriction names unknown {what} {name!r}; order is {list(names)}")
            return pos[name]

        if not self.signs:
            raise ArgumentError("sign restrictions need at least one restricted shock in signs")
        s = np.zeros((k, k))
        for shock, resp in self.signs.items():
            j = idx(shock, "shock")
            for var, sgn in resp.items():
                if sgn not in (1, -1):
                    raise ArgumentError(f"sign for shock {shock!r} on {var!r} must be +1 or -1, got {sgn!r}")
                s[j, idx(var, "variable")] = sgn
        zeros: list[list[int]] = [[] for _ in range(k)]
        for shock, vars_ in (self.zeros or {}).items():
            zeros[idx(shock, "shock")] = [idx(v, "variable") for v in vars_]
        for j in range(k):
            if len(zeros[j]) > k - 1:
                raise ArgumentError(f"shock {names[j]!r} has {len(zeros[j])} zero restrictions; at most {k - 1}")
            if any(s[j, i] != 0 for i in zeros[j]):
                raise ArgumentError(f"shock {names[j]!r} has a sign and a zero on the same variable")
        return s, zeros

    def _check(self, phi: np.ndarray, impact: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Accept flags and sign-normalised impacts for a stack of candidates.

        ``phi`` is (n or 1, hs+1, K, K), ``impact`` is (n, K, K).
        """
        theta = phi @ impact[:, None, :, :]  # (n, h, resp, shock)
        restricted = s != 0  # (shock, resp)
        signed = theta * s.T[None, None, :, :]
        mask = restricted.T[None, None, :, :]
        pos = np.all(np.where(mask, signed > 0, True), axis=(1, 2))  # (n, shock)
        neg = np.all(np.where(mask, signed < 0, True), axis=(1, 2))
        has = restricted.any(axis=1)[None, :]
        own = np.diagonal(impact, axis1=-2, axis2=-1)
        flip = np.where(has, neg & ~pos, own < 0)
        ok = np.all(np.where(has, pos | neg, True), axis=1)
        return ok, impact * np.where(flip, -1.0, 1.0)[:, None, :]

    def _candidates(self, rng: np.random.Generator, chol: np.ndarray, zeros: list[list[int]]) -> np.ndarray:
        if any(zeros):
            return chol @ rotations_with_zeros(rng, chol, zeros)
        return chol @ haar_rotations(rng, chol.shape[0], chol.shape[-1])

    def identify(self, rf: ReducedForm, rng: np.random.Generator) -> Identified:
        """Draw rotations, keep those meeting the restrictions, pick the median target.

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
            accepted model's, ``details`` the acceptance rate.

        Raises
        ------
        IdentificationError
            No rotation out of ``draws`` satisfies the restrictions.
        """
        s, zeros = self.matrices(rf.names)
        k = len(rf.names)
        chol = np.linalg.cholesky(np.asarray(rf.sigma_u))
        phi = ma_coefficients(np.asarray(rf.coefs), max(self.horizons, self.target_horizon))
        cand = self._candidates(rng, np.broadcast_to(chol, (self.draws, k, k)).copy(), zeros)
        ok, cand = self._check(phi[None, : self.horizons + 1], cand, s)
        n_acc = int(ok.sum())
        if n_acc == 0:
            raise IdentificationError(
                f"no rotation out of {self.draws} satisfies the sign restrictions; check them or raise draws"
            )
        accepted = cand[ok]
        weights = None
        narrative: dict[str, Any] | None = None
        if self.narrative:
            check = narrative_filter(self.narrative, rf, accepted, rng)
            accepted, weights, narrative = accepted[check.keep], check.weights, check.details
            if not check.keep.any():
                raise IdentificationError(
                    f"none of the {n_acc} sign-accepted models meets the narrative restrictions "
                    f"(kept alone: {[round(st['keeps_alone'], 3) for st in check.details['steps']]}); raise draws"
                )
        theta = phi[None] @ accepted[:, None]
        med = np.median(theta, axis=0)
        sd = theta.std(axis=0)
        sd = np.where(sd > 0, sd, 1.0)
        dist = (((theta - med) / sd) ** 2).sum(axis=(1, 2, 3))
        best = int(np.argmin(dist))
        details: dict[str, Any] = {
            "scheme": self.name,
            "draws": self.draws,
            "accepted": n_acc,
            "acceptance_rate": n_acc / self.draws,
            "point": "median_target",
            "sign_matrix": s.tolist(),
            "zero_indices": zeros,
        }
        if narrative is not None:
            details["narrative"] = narrative
        return Identified(impact=accepted[best], details=details, accepted=accepted,
                          weights=combine_weights(None, weights))

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
        identified.

        With narrative restrictions, each round draws ``NARRATIVE_POOL`` rotations
        per pending replication, keeps those meeting the signs and the narrative
        restrictions on the replication's shocks at the fixed dates, and picks one
        with probability proportional to its importance weight (sampling-importance
        resampling within the round; :func:`~causalmacro.svar.narrative.pick_narrative`).

        ``point``'s ``details`` carry the sign matrix, the zeros and the resolved
        narrative restrictions; ``rng`` draws the rotations; ``resid`` and ``aux`` are unused. Parameters and returns as in :meth:`Identification.identify_batch`.
        """
        r = sigma.shape[0]
        s = np.asarray(point.details["sign_matrix"], dtype=np.float64)
        zeros = [list(z) for z in point.details["zero_indices"]]
        phi = ma_coefficients(coefs, self.horizons)
        try:
            chol = np.linalg.cholesky(sigma)
        except np.linalg.LinAlgError:
            return np.full(sigma.shape, np.nan), np.zeros(r, dtype=bool)
        out = np.full(sigma.shape, np.nan)
        done = np.zeros(r, dtype=bool)
        narr = point.details.get("narrative") if self.narrative else None
        pool = 1 if narr is None else NARRATIVE_POOL
        for _ in range(self.max_rounds):
            pending = np.flatnonzero(~done)
            if pending.size == 0:
                break
            rep = np.repeat(pending, pool)
            cand = self._candidates(rng, chol[rep], zeros)
            ok, cand = self._check(phi[rep], cand, s)
            if narr is not None:  # narrative restrictions on the replication's shocks; one pick by 1/omega
                ok, chosen = pick_narrative(narr, coefs[rep], cand, ok, pool, rng)
                rep, cand = pending[ok], cand[chosen]
                out[rep] = cand
                done[rep] = True
                continue
            out[rep[ok]] = cand[ok]
            done[rep[ok]] = True
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
            "signs": {k: dict(v) for k, v in self.signs.items()},
            "horizons": self.horizons,
            "zeros": {k: list(v) for k, v in (self.zeros or {}).items()},
            "draws": self.draws,
        }
        if self.narrative:
            out["narrative"] = [dict(r.__dict__) for r in self.narrative]
        return out

