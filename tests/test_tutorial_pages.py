"""The tutorials' code runs as a reader would run it: the page's cells, copied in order into a fresh Python process.

The docs build executes these pages too, but in a kernel the docs set up (a
scratch folder, inline figures); here the cells alone, in a new interpreter in
an empty folder, must make the figure file and the objects the text describes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = ROOT / "docs" / "tutorials"
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.S | re.M)


def code_cells(page: Path) -> list[str]:
    """The source of every ``{code-cell}`` of a MyST page, in order."""
    return CELL.findall(page.read_text(encoding="utf-8"))


def run_cells(page: Path, folder: Path, checks: str) -> dict[str, object]:
    """Run the page's cells then ``checks`` (which prints one JSON line) in a fresh interpreter in ``folder``."""
    script = "\n\n".join([*code_cells(page), checks])
    (folder / "page.py").write_text(script, encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "page.py"], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_cell_extractor_reads_cells_only() -> None:
    page = "text\n```{code-cell} ipython3\na = 1\n```\n\n```python\nnot = run\n```\n```{code-cell} ipython3\nb = 2\n```\n"
    assert CELL.findall(page) == ["a = 1\n", "b = 2\n"]


@pytest.mark.slow
def test_your_data_page_runs_from_a_fresh_session(tmp_path: Path) -> None:
    checks = """
import json
import matplotlib.image as mpimg
img = mpimg.imread("irf.png")
print(json.dumps({
    "csv": sorted(p.name for p in folder.glob("*.csv")),
    "rows": len(df), "columns": list(df.columns),
    "irf_dims": list(irf.dims), "irf_sizes": dict(irf.sizes), "horizon_unit": irf.attrs["horizon_unit"],
    "impact_returns_rate": [float(v) for v in irf.sel(response="returns", shock="rate", horizon=0).values],
    "png": list(img.shape[:2]),
    "fevd_sum": float(fevd.sel(bound="point").sum("shock").max()),
    "saved_equal": bool(back.irf(24).equals(res.irf(24))),
    "panel_gap": float((panel.data[df.columns].loc[df.index] - df).abs().max().max()),
    "spec_point_gap": float(abs(point).max()), "spec_lags": run.svar.lags, "lags": res.lags,
    "xlabels": sorted({a.get_xlabel() for a in cm.plot_irf(irf).axes} - {""}),
}))
"""
    out = run_cells(TUTORIALS / "your-data.md", tmp_path, checks)
    assert out["csv"] == ["MYCPI.csv", "MYPRICE.csv", "MYRATE.csv"]
    assert out["rows"] == 155 and out["columns"] == ["inflation", "rate", "returns"]  # 2012-02 .. 2024-12
    assert out["irf_dims"] == ["horizon", "response", "shock", "bound"]
    assert out["irf_sizes"] == {"horizon": 25, "response": 3, "shock": 3, "bound": 3}
    assert out["horizon_unit"] == "months" and out["xlabels"] == ["horizon (months)"]
    point, lower, upper = out["impact_returns_rate"]
    assert upper < 0 and lower < point < upper  # a rate rise lowers the return on impact, band excludes zero
    assert out["png"][0] > 600 and out["png"][1] > 600  # the figure file was written (150 dpi, 3 x 3 panels)
    assert out["fevd_sum"] == pytest.approx(1.0, abs=1e-12)
    assert out["saved_equal"] is True
    assert out["panel_gap"] < 1e-12  # the spec's panel is the frame built by hand in pandas
    assert out["spec_lags"] == out["lags"] and out["spec_point_gap"] < 1e-10
    assert (tmp_path / "my-svar.zip").is_file()
