"""What changed between two runs: data, sample, responses, asset ranking, graph edges and regimes.

Pure functions of two run folders' ``manifest.json`` and ``results.json`` (as
dicts): :func:`compare` returns the differences as a JSON-ready dict and
:func:`changes_markdown` renders them. A response "moved beyond its band" when
the new point estimate lies outside the previous run's band at that horizon
(the band widened, where it excludes the old point estimate, to reach it), the
scale on which a move is worth a reader's attention.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from causalmacro.errors import DataError

__all__ = ["changes_markdown", "compare", "load_run", "refuse_incomparable", "run_shape", "with_article"]


def with_article(word: str) -> str:
    """``"an inflation"``, ``"a real_rate"``: the indefinite article by the word's first letter."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def load_run(folder: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The manifest and results of a run folder; one-line :class:`DataError` if it is not one."""
    path = Path(folder)
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        results = json.loads((path / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: not a causalmacro run folder (manifest.json and results.json: "
                        f"{type(exc).__name__})") from None
    return manifest, results


def _irf(results: dict[str, Any]) -> tuple[np.ndarray, list[str], list[str], list[str]]:
    irf = results["irf"]
    values = np.asarray(irf["values"], dtype=float)
    coords = irf["coords"]
    if "bound" not in irf["dims"]:
        values = np.stack([values, values, values], axis=-1)
    elif values.shape[-1] == 1:  # bound = ["point"]: no bands
        values = np.repeat(values, 3, axis=-1)
    return values, [str(r) for r in coords["response"]], [str(s) for s in coords["shock"]], irf["dims"]


def _responses(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    a, responses, shocks, _ = _irf(old)
    b, responses_b, shocks_b, _ = _irf(new)
    if responses != responses_b or shocks != shocks_b:
        return []
    h = min(a.shape[0], b.shape[0])
    rows = []
    for i, resp in enumerate(responses):
        for j, shock in enumerate(shocks):
            pa, lo, hi = a[:h, i, j, 0], a[:h, i, j, 1], a[:h, i, j, 2]
            pb = b[:h, i, j, 0]
            ka, kb = int(np.argmax(np.abs(pa))), int(np.argmax(np.abs(pb)))
            # the band widened to hold the old point: a percentile band need not contain its own point
            # estimate (the wild bootstrap's impact band of a variable's own shock often does not), and an
            # unchanged response must not read as a move
            outside = (pb < np.minimum(lo, pa)) | (pb > np.maximum(hi, pa))
            width = float(np.max(hi - lo)) or 1.0
            rows.append({
                "response": resp, "shock": shock,
                "impact_before": float(pa[0]), "impact_after": float(pb[0]),
                "peak_before": float(pa[ka]), "peak_horizon_before": ka,
                "peak_after": float(pb[kb]), "peak_horizon_after": kb,
                "beyond_band_horizons": [int(x) for x in np.flatnonzero(outside)],
                "largest_move_in_band_widths": float(np.max(np.abs(pb - pa)) / width),
            })
    return sorted(rows, key=lambda r: -r["largest_move_in_band_widths"])


def _ranking(results: dict[str, Any]) -> dict[str, list[str]]:
    """Asset order per shock; an asset model by regime nests the spectra by regime: ``"<shock> (<regime>)"``."""
    spectra = results.get("assets", {}).get("spectrum", {}).get("values", {})
    out = {}
    for shock, rows in spectra.items():
        by_regime = rows if isinstance(rows, dict) else {None: rows}
        for regime, ranked in by_regime.items():
            out[shock if regime is None else f"{shock} ({regime})"] = [row["asset"] for row in ranked]
    return out


def _edges(results: dict[str, Any]) -> set[tuple[str, str]]:
    return {(str(e["source"]), str(e["target"])) for e in results.get("graph", {}).get("edges", [])}


def _regimes(results: dict[str, Any]) -> dict[str, str | None]:
    position = results.get("position") or {}
    return {name: row.get("label") for name, row in (position.get("regimes") or {}).items()}


_FREQUENCY_WORDS = {"MS": "monthly", "W-FRI": "weekly"}  # the panel's pandas frequency, as results.json records it


def refuse_incomparable(frequency: str, variables: list[str], other: tuple[str, list[str]],
                        labels: tuple[str, str] | None = None) -> None:
    """Raise a one-line :class:`DataError` when two runs differ in frequency or VAR variables.

    Parameters
    ----------
    frequency, variables : str, list of str
        The panel frequency (pandas code or word) and the VAR's variables of one run.
    other : tuple
        The same of the other run.
    labels : tuple of str, optional
        Names of the two runs for the message.
    """
    f0, f1 = (_FREQUENCY_WORDS.get(f, f) for f in (frequency, other[0]))
    v0, v1 = list(variables), list(other[1])
    problems = []
    if f0 != f1:
        problems.append(f"frequency {f0} vs {f1}")
    if v0 != v1:
        problems.append(f"VAR variables {', '.join(v0) or '(none)'} vs {', '.join(v1) or '(none)'}")
    if problems:
        who = "the runs" if labels is None else f"{labels[0]} and {labels[1]}"
        raise DataError(f"{who} cannot be compared: {'; '.join(problems)}")


def run_shape(results: dict[str, Any]) -> tuple[str, list[str]]:
    """The panel frequency and the VAR's variables recorded in a run's ``results.json``."""
    return (str(results.get("panel", {}).get("frequency")),
            [str(v) for v in results.get("svar", {}).get("variables", [])])


def _comparable(old: tuple[dict[str, Any], dict[str, Any]], new: tuple[dict[str, Any], dict[str, Any]],
                labels: tuple[str, str] | None) -> list[str]:
    """Refuse runs that cannot be compared; the warnings (one line each) about other differences."""
    (m0, r0), (m1, r1) = old, new
    refuse_incomparable(*run_shape(r0), run_shape(r1), labels)
    warnings = []
    s0, s1 = bool(r0.get("synthetic")), bool(r1.get("synthetic"))
    if s0 != s1:
        kinds = {True: "the synthetic demo", False: "real data"}
        warnings.append(f"the runs read different data: {kinds[s0]} vs {kinds[s1]}")
    h0, h1 = (m.get("spec", {}).get("sha256") for m in (m0, m1))
    if h0 and h1 and h0 != h1:
        warnings.append("the runs come from different specs (the spec hash differs)")
    return warnings


def compare(old: tuple[dict[str, Any], dict[str, Any]], new: tuple[dict[str, Any], dict[str, Any]], *,
            labels: tuple[str, str] | None = None) -> dict[str, Any]:
    """Differences between two runs, each given as ``(manifest, results)``.

    Parameters
    ----------
    old, new : tuple of dict
        ``(manifest, results)`` of each run.
    labels : tuple of str, optional
        Names of the two runs (their folders) for the error message.

    Returns
    -------
    dict
        ``warnings`` (one line each: the runs read synthetic and real data, or
        come from different specs),
        ``data`` (per input series: observations before/after, last date
        before/after, whether values were revised), ``window`` (before/after),
        ``responses`` (impact and peak before/after, the horizons at which the new
        point lies outside the old band, sorted by the largest move), ``ranking``
        (asset order per shock, where it changed), ``edges`` (appeared,
        disappeared), ``regimes`` (current label before/after, where it
        switched) and ``summary`` (two or three sentences).

    Raises
    ------
    DataError
        When the runs cannot be compared: a different panel frequency or
        different VAR variables (one line saying which).
    """
    warnings = _comparable(old, new, labels)
    (m0, r0), (m1, r1) = old, new
    data = {}
    for sid in sorted(set(m0.get("data", {})) | set(m1.get("data", {}))):
        a, b = m0.get("data", {}).get(sid), m1.get("data", {}).get(sid)
        if a == b:
            continue
        entry: dict[str, Any] = {"before": a, "after": b}
        if a and b:
            entry["new_observations"] = int(b["n"]) - int(a["n"])
            entry["revised"] = a["last"] == b["last"] and a["n"] == b["n"]
        data[sid] = entry
    window = {"before": {k: m0.get("window", {}).get(k) for k in ("start", "end")},
              "after": {k: m1.get("window", {}).get(k) for k in ("start", "end")}}
    responses = _responses(r0, r1)
    moved = [r for r in responses if r["beyond_band_horizons"]]
    rank0, rank1 = _ranking(r0), _ranking(r1)
    ranking = {s: {"before": rank0[s], "after": rank1[s]} for s in rank1 if s in rank0 and rank0[s] != rank1[s]}
    e0, e1 = _edges(r0), _edges(r1)
    edges = {"appeared": sorted(e1 - e0), "disappeared": sorted(e0 - e1)}
    g0, g1 = _regimes(r0), _regimes(r1)
    regimes = {name: {"before": g0[name], "after": g1[name]} for name in g1 if name in g0 and g0[name] != g1[name]}
    n_new = sum(max(0, d.get("new_observations", 0)) for d in data.values())
    first = (f"{len(data)} input series changed ({n_new} new observations); the sample is now "
             f"{window['after']['start']}..{window['after']['end']} (was {window['before']['start']}.."
             f"{window['before']['end']}).") if data else "No input series changed."
    second = (f"{len(moved)} of {len(responses)} impulse responses moved beyond last run's band"
              + (f" (largest: {moved[0]['response']} to {with_article(moved[0]['shock'])} shock)" if moved else "")
              + f"; {len(edges['appeared'])} graph edges appeared, {len(edges['disappeared'])} disappeared"
              + (f", and the asset ranking changed for {len(ranking)} shocks." if ranking else "."))
    third = (" Regimes switched: " + ", ".join(f"{name} {r['before']} -> {r['after']}" for name, r in regimes.items())
             + ".") if regimes else ""
    return {"warnings": warnings, "data": data, "window": window, "responses": responses, "ranking": ranking, "edges": edges,
            "regimes": regimes, "summary": f"{first} {second}{third}"}


def changes_markdown(diff: dict[str, Any], *, top: int = 10) -> str:
    """The "What changed" section of a report."""
    lines = ["## What changed", "", *(f"> warning: {w}\n" for w in diff.get("warnings", [])), diff["summary"], ""]
    if diff["data"]:
        lines += ["| series | observations | last observation | note |", "|---|---|---|---|"]
        for sid, d in diff["data"].items():
            a, b = d["before"] or {}, d["after"] or {}
            note = "revised values" if d.get("revised") else ("new series" if not a else ("dropped" if not b else ""))
            lines.append(f"| {sid} | {a.get('n', '-')} -> {b.get('n', '-')} | {a.get('last', '-')} -> "
                         f"{b.get('last', '-')} | {note} |")
        lines.append("")
    moved = [r for r in diff["responses"] if r["beyond_band_horizons"]][:top]
    if moved:
        lines += ["| response to shock | impact before -> after | peak before -> after (horizon) | beyond band at |",
                  "|---|---|---|---|"]
        for r in moved:
            lines.append(f"| {r['response']} to {r['shock']} | {r['impact_before']:+.3g} -> {r['impact_after']:+.3g} "
                         f"| {r['peak_before']:+.3g} ({r['peak_horizon_before']}) -> {r['peak_after']:+.3g} "
                         f"({r['peak_horizon_after']}) | {', '.join(map(str, r['beyond_band_horizons'][:8]))} |")
        lines.append("")
    for shock, rk in diff["ranking"].items():
        lines.append(f"- asset ranking for {with_article(shock)} shock: {' > '.join(rk['before'])} -> {' > '.join(rk['after'])}")
    for kind in ("appeared", "disappeared"):
        if diff["edges"][kind]:
            lines.append(f"- graph edges {kind}: " + ", ".join(f"{s} -> {t}" for s, t in diff["edges"][kind]))
    return "\n".join(lines).rstrip() + "\n"
