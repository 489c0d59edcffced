"""Coverage of conditional-forecast bands with parameter uncertainty (see ``conditional_coverage``).

Measured (``PYTHONPATH=. python tests/svar/conditional_coverage.py 400``, 90% bands,
T = 120, H = 6, 300 draws, one bootstrap replication each): see
``docs/concepts/forecasting.md``. The fast test runs 40 samples (2 s); the true-mass
coverage there has a Monte Carlo s.e. of about 0.005, so [0.85, 0.93] fails only on a
real fault; the bootstrap band must carry more mass than the point-parameter one on the
same samples and shock draws (it adds the parameters' spread).
"""

from __future__ import annotations

import pytest
from conditional_coverage import coverage


def test_conditional_band_coverage_fast() -> None:
    drawn = coverage(40, errors="gaussian", parameters="bootstrap")
    point = coverage(40, errors="gaussian", parameters="point")
    assert 0.85 <= drawn["true_mass"] <= 0.93
    assert drawn["true_mass"] > point["true_mass"]


@pytest.mark.slow
@pytest.mark.parametrize(("errors", "low", "high"), [("gaussian", 0.86, 0.93), ("garch_t", 0.84, 0.93)])
def test_conditional_band_coverage_slow(errors: str, low: float, high: float) -> None:
    out = coverage(400, errors=errors, parameters="bootstrap")
    assert low <= out["realised"] <= high
    if errors == "gaussian":
        assert 0.87 <= out["true_mass"] <= 0.92
