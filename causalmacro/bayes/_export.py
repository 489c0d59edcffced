"""JSON export of asset-response results (:meth:`AssetResponseResults.to_dict`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .design import describe

if TYPE_CHECKING:
    from .results import AssetResponseResults

__all__ = ["results_dict"]


def results_dict(res: AssetResponseResults, level: float) -> dict[str, Any]:
    """JSON-ready dictionary of ``res``, see :meth:`AssetResponseResults.to_dict`."""
    resp = res.responses(level=level)
    regimes = res.design.regimes

    def bounds(**at: str) -> dict[str, list[float]]:
        return {b: [float(v) for v in resp.sel({**at, "bound": b}).values] for b in ("point", "lower", "upper")}

    def spectrum(shock: str, regime: str | None) -> list[dict[str, Any]]:
        return [
            {"asset": str(idx), **{c: (v if isinstance(v, str) else float(v)) for c, v in row.items()}}
            for idx, row in res.spectrum(shock, regime=regime, level=level, scale="standardized").iterrows()
        ]

    responses: dict[str, Any] = {}
    for a in res.design.assets:
        responses[a] = {
            k: bounds(response=a, shock=k) if not regimes
            else {r: bounds(response=a, shock=k, regime=r) for r in regimes}
            for k in res.design.shocks
        }
    spectra = {
        k: spectrum(k, None) if not regimes else {r: spectrum(k, r) for r in regimes}
        for k in res.design.shocks
    }
    settings = {
        k: v for k, v in res.settings.items() if isinstance(v, str | int | float | bool)
    }
    extra: dict[str, Any] = {}
    if regimes:
        extra["regime_comparisons"] = {
            k: {
                f"{first} > {second}": {
                    str(name): {"kind": row["kind"], "prob": float(row["prob"]),
                                "mean_difference": float(row["mean_difference"])}
                    for name, row in res.prob_regime_greater(first, second, shock=k).iterrows()
                }
                for i, first in enumerate(regimes)
                for second in regimes[i + 1:]
            }
            for k in res.design.shocks
        }
    if res.design.covariates:
        eff = res.covariate_effects(level=level)
        extra["covariate_effects"] = {
            "units": "data",
            "values": {
                a: {c: {b: float(eff.sel(asset=a, covariate=c, bound=b)) for b in ("point", "lower", "upper")}
                    for c in res.design.covariates}
                for a in res.design.assets
            },
        }
    return {
        "model": "asset_response",
        "settings": settings,
        "design": describe(res.design),
        "diagnostics": res.diagnostics.to_dict(),
        "level": level,
        "responses": {"scale": "data", "cumulative": True, "values": responses},
        "spectrum": {"scale": "standardized", "values": spectra},
        **extra,
    }
