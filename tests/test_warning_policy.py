"""The suite's warning policy (pyproject's ``filterwarnings``): ours are errors, a dependency's own are shown.

A new release of a dependency that warns about its own internals (numba's
``NumbaPerformanceWarning`` under nutpie turned a fresh install's suite red)
must not fail the suite; a warning raised in the package or in a test must.
"""

from __future__ import annotations

import warnings

import pytest


def _warn_from(module: str, category: type[Warning]) -> None:
    """Issue a warning as code of ``module`` would (the filter matches the caller's ``__name__``)."""
    namespace: dict[str, object] = {"__name__": module, "warnings": warnings}
    exec("def f(category):\n    warnings.warn('a note', category, stacklevel=1)\n", namespace)
    namespace["f"](category)  # type: ignore[operator]


@pytest.mark.parametrize("category", [UserWarning, DeprecationWarning, FutureWarning, RuntimeWarning])
def test_a_dependency_warning_about_itself_is_not_an_error(category: type[Warning]) -> None:
    with warnings.catch_warnings(record=True) as caught:
        # pytest's filters stay active inside catch_warnings; only the record changes
        _warn_from("numba.core.typed_passes", category)
    assert [w.category for w in caught] == [category]


@pytest.mark.parametrize("module", ["causalmacro.svar.model", "causalmacro", "test_cli", "conftest"])
def test_a_warning_in_our_code_is_an_error(module: str) -> None:
    with pytest.raises(DeprecationWarning, match="a note"):
        _warn_from(module, DeprecationWarning)
