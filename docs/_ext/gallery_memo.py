"""The example gallery's shared fit: ``causalmacro.fit_spec`` memoised while sphinx-gallery runs an example.

sphinx-gallery runs every example of ``docs/examples/`` in the Sphinx process, each
in a namespace of its own. Several of them fit the same demo run
(``cm.fit_spec(spec, panel, rng=0, reps=200)``; with the asset model about a minute
on two cores), so ``conf.py`` names :func:`reset` among sphinx-gallery's
``reset_modules``: before each example it binds ``causalmacro.fit_spec`` to a memo
of the real function keyed by the call's arguments (the spec, the panel and the
options, by the hash of their pickle), and after it removes the binding, so that
nothing else in the build (autodoc included) sees it. The results are frozen and
``fit_spec`` is deterministic given ``rng``, so a shared result is the one the
example's own call returns: the code shown is the code run.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from typing import Any

import causalmacro

_FITS: dict[str, Any] = {}


def _key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    return hashlib.sha256(pickle.dumps((args, sorted(kwargs.items())))).hexdigest()


def _memo(fit: Any) -> Any:
    @functools.wraps(fit)
    def fit_spec(*args: Any, **kwargs: Any) -> Any:
        key = _key(args, kwargs)
        if key not in _FITS:
            _FITS[key] = fit(*args, **kwargs)
        return _FITS[key]

    return fit_spec


def reset(gallery_conf: dict[str, Any], fname: str, when: str) -> None:
    """sphinx-gallery's ``reset_modules`` hook: bind the memo before an example, unbind it after."""
    if when == "before":
        from causalmacro.pipeline import fit_spec

        causalmacro.fit_spec = _memo(fit_spec)  # type: ignore[attr-defined]
    else:
        causalmacro.__dict__.pop("fit_spec", None)
