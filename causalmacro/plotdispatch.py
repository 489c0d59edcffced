"""``.plot()`` on results without the estimators importing matplotlib.

Results live below the plotting layer (``causalmacro.plotting`` imports them,
not the other way round, and importing an estimator must not import
matplotlib). Their ``.plot()`` methods call :func:`call`, which imports the
plotting module by name when a figure is first asked for: the pattern of
pandas' plotting backends (``pandas.plotting._core._get_plot_backend``).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["call"]

PLOTTING = "causalmacro.plotting"


def call(function: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``causalmacro.plotting.<function>(*args, **kwargs)``; import the plotting module on first use.

    Parameters
    ----------
    function : str
        A public function of :mod:`causalmacro.plotting`.
    *args, **kwargs
        Passed on.

    Returns
    -------
    Any
        What the plotting function returns (a matplotlib ``Figure`` or ``Axes``).
    """
    module = importlib.import_module(PLOTTING)
    return getattr(module, function)(*args, **kwargs)
