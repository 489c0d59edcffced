"""``causalmacro evaluate`` and the evaluation stage (:mod:`causalmacro.pipeline.evaluation`)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from causalmacro.cli import main
from causalmacro.data import open_source
from causalmacro.errors import SpecError
from causalmacro.panel import build_panel
from causalmacro.pipeline.evaluation import evaluation_models, relative_table, verdicts
from causalmacro.spec import load_spec
from causalmacro.spec.defaults import EVALUATION
from causalmacro.spec.schema import EvaluationSpec
from causalmacro.svar.evaluate import forecast_evaluation

ROOT = Path(__file__).resolve().parents[1]
DEMO = str(ROOT / "models" / "demo.toml")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("options", "message"), [
    (["--start", "2015-06"], "start 2015-06: the first window (2015-01..2015-06) has 6 periods and the OLS VAR with "
                             "up to 6 lags of 5 variables needs 42 periods; start at 2018-06 or later"),
    (["--start", "2030-01"], "start 2030-01: no forecast origin with a later observation (the data end 2025-12)"),
    (["--models", "var,bvr"], "unknown model 'bvr'; valid: var, bvar, random_walk, ar1"),
    (["--start", "foo"], "start 'foo' is not a date (YYYY-MM or YYYY-MM-DD)"),
])
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], options: list[str],
                                          message: str) -> None:
    code, out, err = run(capsys, "--quiet", "evaluate", DEMO, *options)
    assert code == 2 and out == ""
    assert err == f"causalmacro: error: {message}\n"


def test_cli_table_equals_forecast_evaluation(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "--quiet", "evaluate", DEMO, "--start", "2023-06", "--horizons", "3",
                       "--models", "var,bvar,ar1", "--seed", "4", "--out", str(tmp_path))
    assert code == 0
    spec = load_spec(DEMO)
    assert spec.var is not None
    data = build_panel(spec, open_source(spec)).data[list(spec.var.order)]
    direct = forecast_evaluation(data, evaluation_models(spec, ["var", "bvar", "ar1"], seed=4),
                                 start=pd.Timestamp("2023-06-01"), horizons=3)
    written = pd.read_csv(tmp_path / "evaluation.csv")
    assert list(written.model.unique()) == ["var", "bvar", "ar1", "random_walk"]
    key = ["model", "variable", "horizon"]
    merged = direct.merge(written, on=key, suffixes=("", "_cli"), validate="one_to_one")
    assert len(merged) == len(direct) == len(written) == 4 * 5 * 3
    for col in ("rmse", "log_score", "n"):
        assert_allclose(merged[f"{col}_cli"], merged[col], rtol=1e-13)
    # the relative columns by hand, and the printed table and verdicts
    rw = direct[direct.model == "random_walk"].set_index(["variable", "horizon"])
    one = merged.query("model == 'bvar' and variable == 'btc' and horizon == 2").iloc[0]
    assert_allclose(one.rmse_rel_rw, one.rmse / rw.loc[("btc", 2), "rmse"], rtol=1e-13)
    assert_allclose(one.score_minus_rw, one.log_score - rw.loc[("btc", 2), "log_score"], rtol=1e-13)
    doc = json.loads((tmp_path / "evaluation.json").read_text())
    assert doc["start"] == "2023-06" and doc["horizons"] == 3 and doc["start_source"] == "--start"
    expected = verdicts(relative_table(direct), list(spec.var.order))
    assert doc["verdicts"] == expected
    for variable, line in expected.items():
        assert f"{variable}: {line}\n" in out
    row = next(line for line in out.splitlines() if line.startswith("btc "))
    assert f"{one.rmse_rel_rw:.2f}" in out and row.split()[0] == "btc"


def test_verdicts_read_the_rmse_ratio() -> None:
    rel = pd.DataFrame({"model": ["var"] * 4 + ["bvar"] * 4, "variable": ["x"] * 8, "horizon": [1, 2, 3, 4] * 2,
                        "rmse_rel_rw": [0.9, 0.95, 1.1, 0.99, 1.2, 1.0, 1.3, 1.01]})
    assert verdicts(rel, ["x"]) == {"x": "var beats the random walk at h=1-2, 4, loses at h=3; "
                                         "bvar loses to the random walk at every horizon (RMSE)"}


def test_evaluation_spec_defaults_and_refusals(tmp_path: Path) -> None:
    ev = EvaluationSpec()
    assert ev.horizons == EVALUATION.horizons and tuple(ev.models) == EVALUATION.models
    assert ev.draws == EVALUATION.draws and ev.bvar_lags == EVALUATION.bvar_lags and ev.start is None
    assert EvaluationSpec(start="2020-01").start == pd.Timestamp("2020-01-01").date()
    bad = tmp_path / "bad.toml"
    bad.write_text(Path(DEMO).read_text() + '\n[evaluation]\nmodels = ["var", "bvr"]\n')
    with pytest.raises(SpecError, match=r"evaluation\.models") as info:
        load_spec(bad)
    assert "\n" not in str(info.value)


def test_spec_start_is_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "s.toml"
    spec.write_text(Path(DEMO).read_text() + '\n[evaluation]\nstart = "2025-06"\nhorizons = 2\n'
                    'models = ["ar1"]\n')
    code, out, _ = run(capsys, "--quiet", "evaluate", str(spec))
    assert code == 0
    assert out.startswith("forecast evaluation: data 2015-01..2025-12 (132 periods), origins from 2025-06 "
                          "([evaluation] start), h = 1..2")
