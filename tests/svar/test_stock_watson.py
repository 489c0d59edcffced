"""Stock & Watson (2001, JEP 15(4)) Table 1: recursive VAR in (inflation, unemployment, fed funds).

Published numbers transcribed from Table 1 of Stock, J. H. & Watson, M. W. (2001),
"Vector Autoregressions", *Journal of Economic Perspectives* 15(4), 101-115
(panel A: Granger-causality p-values; panel B: forecast standard errors and variance
decompositions, in percentage points, at horizons 1, 4, 8, 12; VAR(4) with a constant
on 1960:I-2000:IV, ordered pi, u, R). Two of the p-values (0.27 and 0.31) are
confirmed by a replication's README (SebasRhoadsAvila/TimeSeries, MonetaryPolicyUS).

Data: ``../shared/data/replication/stock_watson_2001.csv`` (a later FRED vintage of
the same series: GDP-deflator inflation is revised). Tolerances therefore state
the vintage gap, not rounding: variance shares within 7 percentage points,
forecast standard errors within 8 percent, and Granger p-values leading to the
same decision at the 5% level and within 0.4 of the published value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from causalmacro.svar import SVAR

pytestmark = pytest.mark.shared_data

ORDER = ["infl", "unemp", "ff"]
# Panel A: p-value of "row variable does not Granger-cause column variable" (own lags omitted)
GRANGER = {("infl", "unemp"): 0.31, ("infl", "ff"): 0.00, ("unemp", "infl"): 0.02,
           ("unemp", "ff"): 0.00, ("ff", "infl"): 0.27, ("ff", "unemp"): 0.01}
HORIZONS = [1, 4, 8, 12]
# Panel B: response -> rows (forecast SE, share of pi, share of u, share of R) at HORIZONS
FEVD = {
    "infl": [(0.96, 100, 0, 0), (1.34, 88, 10, 2), (1.75, 82, 17, 1), (1.97, 82, 16, 2)],
    "unemp": [(0.23, 1, 99, 0), (0.64, 0, 98, 2), (0.79, 7, 82, 11), (0.92, 16, 66, 18)],
    "ff": [(0.85, 2, 19, 79), (1.84, 9, 50, 41), (2.44, 12, 60, 28), (2.63, 16, 59, 25)],
}


@pytest.fixture(scope="module")
def sw(shared_data: Path):
    path = shared_data / "replication" / "stock_watson_2001.csv"
    if not path.is_file():
        pytest.skip("stock_watson_2001.csv is not present")
    data = pd.read_csv(path, index_col=0)
    return SVAR(data, order=ORDER, lags=4, trend="c").fit()


def test_variance_decomposition(sw) -> None:
    fevd = 100 * sw.fevd(12)
    for resp, rows in FEVD.items():
        got = fevd.sel(response=resp, horizon=HORIZONS, bound="point").to_numpy()
        want = np.array([r[1:] for r in rows], dtype=float)
        assert_allclose(got, want, atol=7.0, err_msg=resp)


def test_forecast_standard_errors(sw) -> None:
    theta = sw.irf(11).sel(bound="point").to_numpy()
    se = np.sqrt(np.cumsum(theta**2, axis=0).sum(axis=-1))  # (horizon, response)
    for i, resp in enumerate(ORDER):
        want = [r[0] for r in FEVD[resp]]
        assert_allclose(se[[h - 1 for h in HORIZONS], i], want, rtol=0.08, err_msg=resp)


def test_granger_causality(sw) -> None:
    for (cause, effect), published in GRANGER.items():
        p = sw.causality(effect, cause).pvalue
        assert (p < 0.05) == (published < 0.05), (cause, effect, p, published)
        assert abs(p - published) < 0.4, (cause, effect, p, published)
