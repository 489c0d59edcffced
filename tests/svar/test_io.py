"""Saving and loading results: exact round trips, an inspectable file, one-line errors.

Reference: the results object before saving. Everything a user reads must be
*exactly* equal after loading (``assert_frame_equal`` / ``xarray.testing.assert_identical``
with no tolerance): the reduced form is re-estimated from the stored float64 data
by the same deterministic least squares, and the identification is restored, not redone.
"""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_array_equal
from svar_sim import TRUE_A, TRUE_B0INV, simulate_svar

from causalmacro.errors import ArgumentError, CausalMacroError, DataError
from causalmacro.svar import SVAR, SignRestrictions, SVARResults, load_results
from causalmacro.svar import io as svar_io
from causalmacro.svar.identification import Identification, Identified, Recursive

SIGNS = SignRestrictions(signs={"realgdp": {"realgdp": 1, "realcons": 1}}, draws=300, target_horizon=6, max_rounds=50)
SCHEMES = {
    "recursive": {"identification": "recursive"},
    "short_run": {"identification": "short_run", "B": [["*", 0, 0], ["*", "*", 0], ["*", 0, "*"]]},
    "sign": {"identification": SIGNS},
    "long_run": {"identification": "long_run"},
}


def _same(a: SVARResults, b: SVARResults) -> None:
    pd.testing.assert_frame_equal(a.params, b.params, check_exact=True)
    pd.testing.assert_frame_equal(a.sigma_u, b.sigma_u, check_exact=True)
    pd.testing.assert_frame_equal(a.impact, b.impact, check_exact=True)
    pd.testing.assert_frame_equal(a.resid, b.resid, check_exact=True)
    xr.testing.assert_identical(a.irf(8), b.irf(8))
    xr.testing.assert_identical(a.irf(8, cumulative=True, shock_size="unit"), b.irf(8, cumulative=True, shock_size="unit"))
    xr.testing.assert_identical(a.fevd(6), b.fevd(6))
    xr.testing.assert_identical(a.historical_decomposition(), b.historical_decomposition())
    pd.testing.assert_frame_equal(a.structural_shocks(), b.structural_shocks(), check_exact=True)
    pd.testing.assert_frame_equal(a.causality_table(), b.causality_table(), check_exact=True)
    assert a.summary() == b.summary()
    assert a._repr_html_() == b._repr_html_()
    assert a.to_dict() == b.to_dict()
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())
    assert a.identification.describe() == b.identification.describe()
    assert (a.aic, a.bic, a.hqic, a.llf) == (b.aic, b.bic, b.hqic, b.llf)


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_round_trip(macro_growth: pd.DataFrame, tmp_path, scheme: str) -> None:
    res = SVAR(macro_growth, lags=2, **SCHEMES[scheme]).fit(rng=3)  # type: ignore[arg-type]
    path = res.save(tmp_path / "fit.zip")
    back = SVARResults.load(path)
    _same(res, back)
    assert type(back.identification) is type(res.identification)
    if scheme == "short_run":
        pd.testing.assert_frame_equal(res.A_se, back.A_se, check_exact=True)
        pd.testing.assert_frame_equal(res.B, back.B, check_exact=True)
        assert res.overid_test == back.overid_test
    if scheme == "sign":
        assert back.identification == SIGNS  # every option, not only describe()
        assert_array_equal(res.identified.accepted, back.identified.accepted)
        xr.testing.assert_identical(res.irf(4, bands="set"), back.irf(4, bands="set"))
    if scheme == "long_run":
        pd.testing.assert_frame_equal(res.long_run, back.long_run, check_exact=True)
    # bootstraps from the loaded results reproduce the original's, draw for draw
    xr.testing.assert_identical(res.irf(4, bands="residual", reps=20, rng=1), back.irf(4, bands="residual", reps=20, rng=1))


def test_lag_selection_notes_and_module_function(macro_growth: pd.DataFrame, tmp_path) -> None:
    res = SVAR(macro_growth, lags="bic").fit()
    res.save(str(tmp_path / "sel"))
    back = load_results(tmp_path / "sel")
    assert back.lag_selection == res.lag_selection
    assert back.notes == res.notes
    assert back.diagnostics == res.diagnostics


@pytest.mark.parametrize(
    "index",
    [
        pd.date_range("1990-01-01", periods=300, freq="MS"),
        pd.date_range("1990-01-01", periods=300, freq="D", tz="US/Eastern", name="when"),
        pd.RangeIndex(300),
        pd.Index(np.arange(300) * 2 + 7),
        pd.Index([f"t{i:03d}" for i in range(300)]),
        pd.Index(np.linspace(0.0, 1.0, 300)),
    ],
    ids=["monthly", "daily_tz", "range", "int", "str", "float"],
)
def test_round_trip_index_kinds(tmp_path, index: pd.Index) -> None:
    data = simulate_svar(TRUE_A, TRUE_B0INV, 300, np.random.default_rng(2))
    data.index = index
    res = SVAR(data, lags=1).fit()
    back = load_results(res.save(tmp_path / "fit.zip"))
    assert back.reduced_form.index.equals(res.reduced_form.index)
    assert back.reduced_form.index.dtype == res.reduced_form.index.dtype
    assert back.reduced_form.index.name == res.reduced_form.index.name
    assert getattr(back.reduced_form.index, "freq", None) == getattr(res.reduced_form.index, "freq", None)
    _same(res, back)


def test_file_is_inspectable_without_pickle(macro_growth: pd.DataFrame, tmp_path) -> None:
    res = SVAR(macro_growth, lags=2, identification=SIGNS).fit(rng=0)
    path = res.save(tmp_path / "fit.zip")
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == sorted(
            ["manifest.json", "data.npy", "impact.npy", "accepted.npy", "params.npy", "sigma_u.npy"]
        )
        manifest = json.loads(zf.read("manifest.json"))
        with zf.open("data.npy") as fh:
            data = np.load(fh, allow_pickle=False)
    assert manifest["format"] == "causalmacro.svar.results" and manifest["version"] == 1
    assert manifest["identification"]["options"]["max_rounds"] == 50
    assert_array_equal(data, macro_growth.to_numpy())


def _rewrite(path, **members: bytes | None) -> None:
    """Copy a results zip, replacing (bytes) or dropping (None) members."""
    with zipfile.ZipFile(path) as zf:
        content = {n: zf.read(n) for n in zf.namelist()}
    for name, value in members.items():
        if value is None:
            content.pop(name, None)
        else:
            content[name] = value
    with zipfile.ZipFile(path, "w") as zf:
        for name, value in content.items():
            zf.writestr(name, value)


def _manifest(path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("manifest.json"))


@pytest.fixture
def saved(macro_growth: pd.DataFrame, tmp_path):
    return SVAR(macro_growth, lags=2).fit().save(tmp_path / "fit.zip")


def _npy(a: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def _bad_files(path):
    """(label, mutate, message) for deliberately broken files."""
    good = _manifest(path)
    return [
        ("missing", lambda: path.unlink(), "does not exist"),
        ("text", lambda: path.write_text("variables,lags\n"), "is not a causalmacro SVAR results file"),
        ("foreign_zip", lambda: _rewrite(path, **{"manifest.json": None}), "is not a causalmacro SVAR results file"),
        ("foreign_format", lambda: _rewrite(path, **{"manifest.json": json.dumps({**good, "format": "x"}).encode()}),
         "is not a causalmacro SVAR results file"),
        ("version", lambda: _rewrite(path, **{"manifest.json": json.dumps({**good, "version": 99}).encode()}),
         "format version 99"),
        ("truncated", lambda: path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2]),
         "is corrupt: damaged zip archive"),
        ("bad_json", lambda: _rewrite(path, **{"manifest.json": b"{not json"}), "is corrupt"),
        ("no_member", lambda: _rewrite(path, **{"impact.npy": None}), "is corrupt"),
        ("pickled", lambda: _rewrite(path, **{"impact.npy": _npy(np.array([object()], dtype=object))}), "is corrupt"),
        ("tampered_data", lambda: _rewrite(path, **{"data.npy": _npy(np.load(_member(path, "data.npy")) * 1.01)}),
         "do not match re-estimation"),
        ("bad_scheme", lambda: _rewrite(path, **{"manifest.json": json.dumps(
            {**good, "identification": {"scheme": "magic", "options": {}}}).encode()}), "unknown identification"),
        ("bad_index", lambda: _rewrite(path, **{"manifest.json": json.dumps(
            {**good, "index": {**good["index"], "values": good["index"]["values"][:3]}}).encode()}), "dates for"),
    ]


def _member(path, name: str):
    import io

    with zipfile.ZipFile(path) as zf:
        return io.BytesIO(zf.read(name))


def test_flipped_bytes_give_one_line_data_error(saved) -> None:
    """Damage anywhere in the archive (member data, headers, directory) is a one-line DataError.

    Member data is CRC-checked; a flip in a field nothing reads (a timestamp) may
    load, and then it must load exactly the original.
    """
    raw = saved.read_bytes()
    original = load_results(saved).to_dict()
    failed = 0
    for pos in range(0, len(raw), max(1, len(raw) // 60)):
        damaged = bytearray(raw)
        damaged[pos] ^= 0xFF
        saved.write_bytes(bytes(damaged))
        try:
            back = load_results(saved)
        except DataError as exc:
            failed += 1
            assert "\n" not in str(exc) and "fit.zip" in str(exc)
        else:
            assert back.to_dict() == original
    assert failed > 40


@pytest.mark.parametrize("case", range(12))
def test_broken_files_give_one_line_data_error(saved, case: int) -> None:
    label, mutate, message = _bad_files(saved)[case]
    mutate()
    with pytest.raises(DataError, match=message) as info:
        load_results(saved)
    msg = str(info.value)
    assert "\n" not in msg, label
    assert "fit.zip" in msg, label
    assert isinstance(info.value, CausalMacroError) and isinstance(info.value, ValueError)


def test_atomic_write_keeps_old_file_and_no_temp(macro_growth: pd.DataFrame, tmp_path, monkeypatch) -> None:
    first = SVAR(macro_growth, lags=1).fit()
    path = first.save(tmp_path / "fit.zip")
    before = path.read_bytes()

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(svar_io.os, "replace", boom)
    with pytest.raises(DataError, match=r"cannot write .*fit\.zip: No space left on device"):
        SVAR(macro_growth, lags=2).fit().save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["fit.zip"]


def test_save_errors(macro_growth: pd.DataFrame, tmp_path) -> None:
    res = SVAR(macro_growth, lags=1).fit()
    with pytest.raises(DataError, match=r"folder .* does not exist"):
        res.save(tmp_path / "nope" / "fit.zip")

    class Custom(Recursive):
        pass

    custom = SVAR(macro_growth, lags=1, identification=Custom()).fit()
    with pytest.raises(ArgumentError, match="type Custom cannot be saved"):
        custom.save(tmp_path / "c.zip")
    assert not list(tmp_path.iterdir())

    class Mystery(Identification):
        name = "recursive"

        def identify(self, rf, rng):
            return Identified(impact=np.linalg.cholesky(rf.sigma_u))

        def identify_batch(self, coefs, sigma, point, rng):
            return np.linalg.cholesky(sigma), np.ones(sigma.shape[0], dtype=bool)

    with pytest.raises(ArgumentError, match="type Mystery cannot be saved"):
        SVAR(macro_growth, lags=1, identification=Mystery()).fit().save(tmp_path / "m.zip")
    multi = pd.DataFrame(macro_growth.to_numpy(), columns=macro_growth.columns,
                         index=pd.MultiIndex.from_arrays([range(len(macro_growth))] * 2))
    with pytest.raises(DataError, match="sample index has dtype"):
        SVAR(multi, lags=1).fit().save(tmp_path / "x.zip")


def test_round_trip_with_exog_and_seed(tmp_path) -> None:
    """A VARX keeps its exogenous rows, its historical 'exogenous' term and its seed (so default bands agree)."""
    from varx_sim import simulate_varx

    data, dummies = simulate_varx(240, np.random.default_rng(4))
    res = SVAR(data, lags=1, exog=dummies).fit(rng=17)
    back = load_results(res.save(tmp_path / "varx.zip"))
    assert back.exog_names == ("pulse", "step") and back.seed == 17
    pd.testing.assert_frame_equal(back.params, res.params)
    xr.testing.assert_identical(back.historical_decomposition(), res.historical_decomposition())
    xr.testing.assert_identical(back.irf(4, bands="block", reps=50), res.irf(4, bands="block", reps=50))


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_pickle_round_trip(macro_growth: pd.DataFrame, scheme: str) -> None:
    """Results pickle (joblib, multiprocessing, Dask) and come back equal, still read-only."""
    import pickle

    res = SVAR(macro_growth, lags="aic", **SCHEMES[scheme]).fit(rng=3)  # type: ignore[arg-type]
    res.bootstrap(20)  # a filled private cache is not part of the pickle
    back = pickle.loads(pickle.dumps(res))
    _same(res, back)
    assert back.seed == res.seed and back.notes == res.notes
    assert dict(back.lag_selection) == dict(res.lag_selection)
    assert back._cache == {}
    with pytest.raises(TypeError):
        back.lag_selection["criterion"] = "bic"  # type: ignore[index]
    with pytest.raises(TypeError):
        back.identified.details["x"] = 1  # type: ignore[index]
    assert not back.identified.impact.flags.writeable
    xr.testing.assert_identical(res.irf(4, bands="residual", reps=20), back.irf(4, bands="residual", reps=20))
