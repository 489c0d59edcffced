"""Benchmark: the main job (``causalmacro run SPEC``) stage by stage, this tree against a baseline commit.

Run from the repository root::

    python benchmarks/main_job.py                          # demo, monthly and weekly; baseline 7a79ed1
    python benchmarks/main_job.py --cases demo --repeat 2  # the demo alone, best of two
    python benchmarks/main_job.py --baseline-commit abc1234 --reps 200

The baseline is the same package at ``--baseline-commit`` (default ``7a79ed1``, the commit issue 22 measures
against), checked out side by side as a detached git worktree in ``/tmp/cm-<commit>`` (made on first use) and run
with its own ``PYTHONPATH``; both trees use this interpreter, so the dependencies are the same. Each case runs the
same command in both trees, one after the other, in the same benchmark run (the order alternates between repeats so
that neither always runs on a warmer machine)::

    python -m causalmacro.cli run models/<case>.toml --out <tmp> --force --seed 0 [--data-dir DATA] [--reps N]

with each tree's own ``models/<case>.toml`` (the baseline's specs may differ in details, e.g. the bootstrap of
7a79ed1 was ``wild`` where main's is ``block``). Cases: ``demo`` (``models/demo.toml``, simulated data), ``monthly``
(``models/liquidity_chain.toml``) and ``weekly`` (``models/events_weekly.toml``) on the FRED CSVs of
``../shared/data/fred``; the real-data cases are skipped when that folder is absent.

Reported per case and tree: the wall time of the whole command (interpreter start and imports included), each stage
the run records in its ``manifest.json`` (``timings_s``: ``data``, ``svar``, ``lp``, ``assets`` (the asset model's
sampling and gate), ``scenarios``, ``write`` (figures and report), and ``regimes``/``graph`` where the tree times
them), ``other`` (the wall time no stage accounts for: start-up, imports, the untimed steps), whether the asset
model's convergence gate passed, and the ratio baseline / this tree per stage and in total (above 1: this tree is
faster). With ``--repeat`` the best (smallest) time of each stage is kept. A JSON report goes to stdout and a
markdown table to stderr.

Both trees' packages are byte-compiled first (``python -m compileall``, as ``pip install`` does), so that every
timed run is a run after the first, the case the README's timing describes: with ``PYTHONDONTWRITEBYTECODE`` set
(as on the machines these figures come from) a tree on ``PYTHONPATH`` would otherwise be compiled again by every run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data" / "fred"
CASES = {"demo": ("demo.toml", False), "monthly": ("liquidity_chain.toml", True),
         "weekly": ("events_weekly.toml", True)}
STAGE_ORDER = ["data", "svar", "compare", "regimes", "lp", "assets", "graph", "scenarios", "write", "other"]
GATE = re.compile(r"gate (passed|FAILED)")


def baseline_tree(commit: str, folder: Path | None = None) -> Path:
    """The baseline checkout (``folder``, default ``/tmp/cm-<commit>``): a detached worktree of this repository, made
    when absent."""
    tree = folder if folder is not None else Path("/tmp") / f"cm-{commit}"
    if not (tree / "causalmacro" / "__init__.py").is_file():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit], check=True,
                       stdout=subprocess.DEVNULL)
    return tree


def compile_tree(tree: Path) -> None:
    """Byte-compile ``tree``'s package into its ``__pycache__`` folders (what ``pip install`` does for a user)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "causalmacro")], check=True,
                   stdout=subprocess.DEVNULL)


def run_once(tree: Path, case: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """One ``causalmacro run`` of ``case`` with ``tree`` on the path: wall time, stage times, gate, exit code."""
    spec_file, real = CASES[case]
    out = work / f"{tree.name}-{case}"
    cmd = [sys.executable, "-m", "causalmacro.cli", "run", str(tree / "models" / spec_file), "--out", str(out),
           "--force", "--seed", str(args.seed)]
    if real:
        cmd += ["--data-dir", str(DATA.resolve())]
    if args.reps is not None:
        cmd += ["--reps", str(args.reps)]
    env = {**os.environ, "PYTHONPATH": str(tree), "MPLBACKEND": "Agg",
           "PYTENSOR_FLAGS": f"compiledir={work / ('pytensor-' + tree.name)}"}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):  # 1: the run finished but its gate failed
        raise RuntimeError(f"{tree.name} {case}: exit {proc.returncode}\n{proc.stderr[-3000:]}")
    stages = {k: float(v) for k, v in json.loads((out / "manifest.json").read_text())["timings_s"].items()}
    stages["other"] = max(wall - sum(stages.values()), 0.0)
    gate = GATE.search(proc.stderr + proc.stdout)
    return {"wall_s": wall, "stages_s": stages, "gate": gate.group(1) if gate else "no asset model",
            "exit": proc.returncode}


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The smallest wall time and the smallest time of each stage over repeats; the gate of every run."""
    keys = {k for r in runs for k in r["stages_s"]}
    return {"wall_s": round(min(r["wall_s"] for r in runs), 2),
            "stages_s": {k: round(min(r["stages_s"].get(k, float("inf")) for r in runs), 2) for k in keys},
            "gate": sorted({r["gate"] for r in runs}), "exit": sorted({r["exit"] for r in runs})}


def ratios(cur: dict[str, Any], base: dict[str, Any]) -> dict[str, float | None]:
    """Baseline / this tree per stage both record, and for the wall time (above 1: this tree is faster)."""
    out: dict[str, float | None] = {}
    for k in sorted(set(cur["stages_s"]) | set(base["stages_s"]), key=_order):
        c, b = cur["stages_s"].get(k), base["stages_s"].get(k)
        out[k] = round(b / c, 2) if c and b is not None and c > 0 else None
    out["total"] = round(base["wall_s"] / cur["wall_s"], 2)
    return out


def _order(stage: str) -> int:
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER)


def table(report: dict[str, Any], commit: str) -> str:
    """The markdown table of seconds per stage (this tree, baseline, ratio) for every case run."""
    lines = [f"| case | stage | this tree (s) | {commit} (s) | ratio |", "|---|---|---|---|---|"]
    for case, r in report["cases"].items():
        cur, base = r["this_tree"], r["baseline"]
        for k in sorted(set(cur["stages_s"]) | set(base["stages_s"]), key=_order):
            c, b = cur["stages_s"].get(k), base["stages_s"].get(k)
            ratio = r["ratio"].get(k)
            lines.append(f"| {case} | {k} | {'-' if c is None else f'{c:.1f}'} | {'-' if b is None else f'{b:.1f}'} "
                         f"| {'-' if ratio is None else f'{ratio:.2f}x'} |")
        lines.append(f"| {case} | **total (wall)** | **{cur['wall_s']:.1f}** | **{base['wall_s']:.1f}** "
                     f"| **{r['ratio']['total']:.2f}x** |")
        lines.append(f"| {case} | gate | {'/'.join(cur['gate'])} | {'/'.join(base['gate'])} | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run every case in both trees and print the JSON report (stdout) and the table (stderr)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="demo,monthly,weekly", help="comma-separated: demo, monthly, weekly")
    parser.add_argument("--baseline-commit", default="7a79ed1")
    parser.add_argument("--baseline-dir", type=Path, default=None,
                        help="where the baseline worktree is (made there when absent; default /tmp/cm-<commit>)")
    parser.add_argument("--reps", type=int, default=None, help="bootstrap replications (default: each spec's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="runs per case and tree; the best time is kept")
    args = parser.parse_args(argv)
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case {unknown[0]!r}; valid: {', '.join(CASES)}")
    base_tree = baseline_tree(args.baseline_commit, args.baseline_dir)
    for tree in (ROOT, base_tree):
        compile_tree(tree)
    report: dict[str, Any] = {"baseline": args.baseline_commit, "cores": os.cpu_count(),
                              "load_average": list(os.getloadavg()), "cases": {}, "skipped": []}
    with tempfile.TemporaryDirectory(prefix="bench-main-job-") as tmp:
        work = Path(tmp)
        for case in cases:
            if CASES[case][1] and not DATA.is_dir():
                report["skipped"].append(f"{case}: {DATA} is absent")
                continue
            runs: dict[str, list[dict[str, Any]]] = {"this_tree": [], "baseline": []}
            for i in range(args.repeat):
                order = [("this_tree", ROOT), ("baseline", base_tree)]
                for key, tree in order if i % 2 == 0 else order[::-1]:
                    runs[key].append(run_once(tree, case, args, work))
            cur, base = best(runs["this_tree"]), best(runs["baseline"])
            report["cases"][case] = {"this_tree": cur, "baseline": base, "ratio": ratios(cur, base)}
    report["load_average_after"] = list(os.getloadavg())
    print(json.dumps(report, indent=2))
    print(table(report, args.baseline_commit), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
