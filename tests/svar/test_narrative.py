"""Narrative sign restrictions (Antolín-Díaz & Rubio-Ramírez 2018): checks, weights, recovery, bootstrap, I/O."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import causalmacro as cm
from causalmacro.errors import ArgumentError
from causalmacro.svar import narrative as nv
from causalmacro.svar.dynamics import ma_coefficients

B_TRUE = np.array([[1.0, 0.5, 0.3], [0.6, 1.0, -0.4], [-0.3, 0.4, 1.0]])
A_TRUE = np.array([[0.5, 0.1, 0.0], [0.0, 0.4, 0.1], [0.1, 0.0, 0.3]])
EVENT = 250  # row of the simulated data holding a large positive shock "a"
SIGNS = {"a": {"a": 1, "b": 1}}


def simulate(seed: int = 1, t: int = 400) -> pd.DataFrame:
    """VAR(1) with a known impact matrix and one dated large shock (eps_a = 5 at row EVENT)."""
    rng = np.random.default_rng(seed)
    eps = rng.standard_normal((t, 3))
    eps[EVENT, 0] = 5.0
    y = np.zeros((t, 3))
    for i in range(1, t):
        y[i] = A_TRUE @ y[i - 1] + B_TRUE @ eps[i]
    idx = pd.period_range("1990-01", periods=t, freq="M").to_timestamp()
    return pd.DataFrame(y, index=idx, columns=["a", "b", "c"])


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return simulate()


def fit(df: pd.DataFrame, narrative: list, draws: int = 4000, seed: int = 0) -> cm.SVARResults:
    scheme = cm.SignRestrictions(signs=SIGNS, draws=draws, narrative=narrative)
    return cm.SVAR(df, order=["a", "b", "c"], lags=1, identification=scheme).fit(rng=seed)


def event_restriction(df: pd.DataFrame, contribution: str = "overwhelming") -> cm.NarrativeRestriction:
    return cm.NarrativeRestriction(df.index[EVENT].strftime("%Y-%m"), shock="a", sign=1, variable="a",
                                   contribution=contribution)


# ------------------------------------------------------------------ the restriction object
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sign": 2}, "narrative sign must be +1, -1 or None, got 2"),
        ({"sign": 1, "variable": "a", "contribution": "most"},
         "narrative contribution must be one of ['largest', 'overwhelming'], got 'most'"),
        ({"sign": 1, "variable": "a"}, "narrative variable and contribution go together: give both or neither"),
        ({}, "narrative restriction on 'a' at 2020-03 needs a sign or a contribution"),
        ({"sign": 1, "periods": 0}, "narrative periods must be an int >= 1, got 0"),
    ],
)
def test_restriction_is_validated(kwargs: dict, message: str) -> None:
    with pytest.raises(ArgumentError) as err:
        cm.NarrativeRestriction("2020-03", shock="a", **kwargs)
    assert str(err.value) == message


def test_dates_are_stored_as_text_and_from_value_refuses_unknown_keys() -> None:
    r = cm.NarrativeRestriction(pd.Timestamp("2022-11-11"), shock="a", sign=-1)
    assert r.date == "2022-11-11 00:00:00"
    assert cm.NarrativeRestriction(pd.Period("2022-11", "M"), shock="a", sign=1).date == "2022-11"
    assert nv.NarrativeRestriction.from_value({"date": "2022-11", "shock": "a", "sign": 1}).sign == 1
    with pytest.raises(ArgumentError, match=r"^narrative restriction has unknown key 'window'; valid keys are"):
        nv.NarrativeRestriction.from_value({"date": "2022-11", "shock": "a", "window": 2})
    with pytest.raises(ArgumentError, match=r"^narrative must be a list of NarrativeRestriction"):
        cm.SignRestrictions(signs=SIGNS, narrative=r)  # type: ignore[arg-type]


def test_dates_outside_the_sample_and_unknown_names_are_refused(data: pd.DataFrame) -> None:
    with pytest.raises(ArgumentError) as err:
        fit(data, [cm.NarrativeRestriction("2030-01", shock="a", sign=1)], draws=50)
    assert str(err.value) == ("narrative date '2030-01' is not in the sample; "
                              "the sample runs from 1990-02-01 00:00:00 to 2023-04-01 00:00:00")
    with pytest.raises(ArgumentError, match=r"^narrative restriction names unknown shock 'x'; order is \['a', 'b', 'c'\]$"):
        fit(data, [cm.NarrativeRestriction("2000-01", shock="x", sign=1)], draws=50)
    with pytest.raises(ArgumentError, match=r"^narrative window of 3 periods from 2023-03 runs past the sample's end"):
        fit(data, [cm.NarrativeRestriction("2023-03", shock="a", sign=1, periods=3)], draws=50)


def test_a_date_inside_a_month_matches_that_month() -> None:
    idx = pd.date_range("2022-01-01", periods=12, freq="MS")
    assert nv._locate("2022-11-11", idx) == 10
    assert nv._locate("2022-11", pd.period_range("2022-01", periods=12, freq="M")) == 10


def test_catalogue_events_of_the_issue_have_dates() -> None:
    assert nv.event_date("ftx_collapse_2022") == "2022-11-11"
    assert nv.event_date("terra_ust_collapse_2022") == "2022-05-09"
    assert nv.event_date("covid_black_thursday_2020") == "2020-03-12"
    with pytest.raises(ArgumentError, match=r"^unknown catalogue event 'ftx'; valid ids are"):
        nv.event_date("ftx")


# ------------------------------------------------------------------ the checks, against a loop
def test_holds_equals_a_loop_over_the_historical_decomposition() -> None:
    """Types A and B over a 3-period window against the forecast-error decomposition written out."""
    rng = np.random.default_rng(3)
    k, n = 3, 40
    coefs = np.array([A_TRUE, 0.2 * np.eye(k)])
    impact = rng.standard_normal((n, k, k))
    eps = rng.standard_normal((n, 1, 4, k))
    items = (nv._Item(0, None, 1, "largest", (1, 2, 3)), nv._Item(2, -1, 0, "overwhelming", (0, 1)))
    plan = nv._Plan(np.arange(4), items, ("x", "y"), 3)
    got = nv._holds(plan, nv._structural(coefs, impact, 3), eps)[:, 0]
    phi = ma_coefficients(coefs, 2)
    for m in range(n):
        for r, it in enumerate(items):
            h = len(it.cols) - 1
            contrib = np.zeros(k)
            for s, col in enumerate(it.cols):  # period t+s, horizon h-s to the window's end
                contrib += (phi[h - s] @ impact[m])[it.variable] * eps[m, 0, col]
            a = np.abs(contrib)
            others = np.delete(a, it.shock)
            ok = a[it.shock] >= (others.max() if it.contribution == "largest" else others.sum())
            if it.sign is not None:
                ok &= bool(np.all(eps[m, 0, list(it.cols), it.shock] * it.sign > 0))
            assert got[m, r] == ok


def test_omega_matches_the_closed_form_of_a_two_shock_case() -> None:
    """K=2, one period: P(eps_0 > 0 and |b00 eps_0| >= |b01 eps_1|) = (1/pi) arctan(|b00 / b01|)
    (the ratio of two standard normals is Cauchy). Simulated with 200000 draws: s.e. <= 0.0012."""
    impact = np.array([[[1.0, 0.5], [0.2, 1.0]], [[0.3, 1.2], [1.0, 0.1]]])
    plan = nv._Plan(np.array([0]), (nv._Item(0, 1, 0, "largest", (0,)),), ("x",), 1)
    theta = nv._structural(np.zeros((1, 2, 2)), impact, 1)
    got = nv._omega(plan, theta, 200_000, np.random.default_rng(0))
    want = [math.atan(abs(b[0, 0] / b[0, 1])) / math.pi for b in impact]
    np.testing.assert_allclose(got, want, atol=0.005)


def test_weights_are_one_over_omega_of_each_kept_model(data: pd.DataFrame) -> None:
    res = fit(data, [event_restriction(data, "largest")], draws=600)
    narr = res.identified.details["narrative"]
    acc = np.array(res.identified.accepted)
    theta = nv._structural(np.array(res.reduced_form.coefs), acc, 1)
    omega = nv._omega(nv._plan_from(narr), theta, 20_000, np.random.default_rng(5))
    w = 1 / omega
    # 1000 draws per model at the fit: relative error of omega about sqrt((1-w)/(1000 w)) < 0.1 for omega > 0.1
    np.testing.assert_allclose(np.array(res.identified.weights), w / w.sum(), rtol=0.25)
    assert np.isclose(np.sum(res.identified.weights), 1.0)
    assert narr["ess"] == pytest.approx(1 / np.sum(np.array(res.identified.weights) ** 2))


def test_sign_only_narrative_has_no_weights(data: pd.DataFrame) -> None:
    res = fit(data, [cm.NarrativeRestriction(data.index[EVENT].strftime("%Y-%m"), shock="a", sign=1)], draws=500)
    assert res.identified.weights is None
    assert res.identified.details["narrative"]["weight_draws"] == 0


# ------------------------------------------------------------------ recovery
def test_the_set_shrinks_towards_the_truth(data: pd.DataFrame) -> None:
    plain = fit(data, [])
    narr = fit(data, [event_restriction(data)])
    a0, a1 = np.array(plain.identified.accepted)[:, :, 0], np.array(narr.identified.accepted)[:, :, 0]
    # the truth lies inside the narrative set (min-max) for every variable
    assert np.all(a1.min(axis=0) <= B_TRUE[:, 0]) and np.all(B_TRUE[:, 0] <= a1.max(axis=0))
    report = narr.narrative_report()
    assert list(report.index.get_level_values("response")) == ["a", "b", "c"]
    assert report["width_after"].lt(report["width_before"]).all()
    assert report.loc[(report.index[0][0], "a"), "shrink"] < 0.5
    # the 5-95% widths of the report are those of the two sets
    w0 = np.subtract(*np.quantile(a0, [0.95, 0.05], axis=0))
    np.testing.assert_allclose(report["width_before"].to_numpy(), w0)
    np.testing.assert_allclose(report["width_after"].to_numpy(), np.subtract(*np.quantile(a1, [0.95, 0.05], axis=0)))
    # and the set moves towards the truth: the distance of the set's median to the truth falls
    assert np.abs(np.median(a1, axis=0) - B_TRUE[:, 0]).sum() < np.abs(np.median(a0, axis=0) - B_TRUE[:, 0]).sum()
    d = narr.identified.details["narrative"]
    assert d["sign_accepted"] == a0.shape[0] or d["sign_accepted"] > 0
    assert d["accepted"] == a1.shape[0]
    assert report["accepted_after"].iloc[0] == a1.shape[0]


def test_report_steps_count_each_restriction_in_turn(data: pd.DataFrame) -> None:
    date = data.index[EVENT].strftime("%Y-%m")
    rs = [cm.NarrativeRestriction(date, shock="a", sign=1),
          cm.NarrativeRestriction(date, shock="a", variable="b", contribution="largest")]
    res = fit(data, rs, draws=2000)
    steps = res.identified.details["narrative"]["steps"]
    n0 = res.identified.details["narrative"]["sign_accepted"]
    assert steps[0]["accepted_after"] >= steps[1]["accepted_after"] == res.identified.details["narrative"]["accepted"]
    assert steps[1]["share_after"] == pytest.approx(steps[1]["accepted_after"] / n0)
    with pytest.raises(ArgumentError, match=r"^these results have no narrative restrictions"):
        fit(data, [], draws=200).narrative_report()


def test_no_model_meeting_the_narrative_is_an_identification_error(data: pd.DataFrame) -> None:
    wrong = cm.NarrativeRestriction(data.index[EVENT].strftime("%Y-%m"), shock="a", sign=-1, variable="a",
                                    contribution="overwhelming")
    with pytest.raises(cm.svar.IdentificationError, match=r"^none of the \d+ sign-accepted models meets the narrative "
                       r"restrictions; .*a < 0.* holds in none of them by itself: check its date, shock and sign$"):
        fit(data, [wrong], draws=500)


def test_describe_lists_the_narrative_restrictions(data: pd.DataFrame) -> None:
    r = event_restriction(data)
    assert cm.SignRestrictions(signs=SIGNS, narrative=[r]).describe()["narrative"] == [
        {"date": r.date, "shock": "a", "sign": 1, "variable": "a", "contribution": "overwhelming", "periods": 1}]
    assert "narrative" not in cm.SignRestrictions(signs=SIGNS).describe()


# ------------------------------------------------------------------ bootstrap and files
def test_bootstrap_models_meet_the_restrictions_on_the_observed_shocks(data: pd.DataFrame) -> None:
    res = fit(data, [event_restriction(data)], draws=2000)
    bd = res.bootstrap(100, rng=4)
    assert bd.n_kept == 100
    y = data.to_numpy()
    ybar = y.mean(axis=0)
    t = EVENT  # data row of the event; the replication's residual with intercept (I - A_b) ybar
    for coefs, impact in zip(bd.coefs, bd.impact, strict=True):
        u = (y[t] - ybar) - coefs[0] @ (y[t - 1] - ybar)
        e = np.linalg.solve(impact, u)
        hd = np.abs(impact[0] * e)
        assert e[0] > 0 and hd[0] >= hd[1] + hd[2]
        assert impact[0, 0] > 0 and impact[1, 0] > 0


def test_saved_results_keep_the_narrative_restrictions(data: pd.DataFrame, tmp_path) -> None:
    res = fit(data, [event_restriction(data)], draws=500)
    path = res.save(tmp_path / "narr.zip")
    back = cm.load_results(path)
    assert back.identification == res.identification
    np.testing.assert_array_equal(np.array(back.identified.weights), np.array(res.identified.weights))
    assert back.narrative_report().equals(res.narrative_report())


# ------------------------------------------------------------------ a peer implementation
def test_agrees_with_puremacro_narrative_sign(data: pd.DataFrame) -> None:
    """puremacro 'identify_narrative_sign' (OLS reduced form, Haar rotations, 1/omega weights) on the same
    data: the share of sign-accepted models kept and the weighted median impact of shock a agree within
    Monte Carlo error: 4000 rotations each side; the kept shares differ by < 0.04; the weighted medians moved
    by up to 0.07 between seeds on either side (ESS about 500 for puremacro's 500 weight draws, 1000 for ours),
    hence a tolerance of 0.1."""
    ns = pytest.importorskip("puremacro.var.identify.narrative_sign")
    s = np.zeros((3, 3))
    s[0, 0] = s[1, 0] = 1
    date = data.index[EVENT]
    peer = ns.identify_narrative_sign(
        data, [ns.NarrativeRestriction("shock_sign", date, 0, sign=1),
               ns.NarrativeRestriction("hd_dominance", date, 0, variable=0, dominance="overwhelming")],
        lags=1, horizon=0, sign_matrix={0: s}, n_draws=4000, n_weight_sims=500, seed=0,
    )
    ours = fit(data, [event_restriction(data)], draws=4000)
    d = ours.identified.details["narrative"]
    assert d["accepted"] / d["sign_accepted"] == pytest.approx(
        peer.n_narrative_accepted / peer.n_traditional_accepted, abs=0.04)
    acc, w = np.array(ours.identified.accepted)[:, :, 0], np.array(ours.identified.weights)
    med = []
    for i in range(3):
        o = np.argsort(acc[:, i])
        med.append(acc[o, i][np.searchsorted(np.cumsum(w[o]), 0.5)])
    np.testing.assert_allclose(med, peer.irf_median[0, :, 0], atol=0.1)
