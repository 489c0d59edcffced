"""Plain copies of frozen containers, so that frozen results pickle.

``MappingProxyType`` (what :func:`causalmacro.labelled.freeze` makes of a
mapping) cannot be pickled; a frozen result's ``__reduce__`` hands pickle the
plain copy :func:`thaw` makes, and its constructor freezes it again on load.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["thaw"]


def thaw(obj: Any) -> Any:
    """A plain copy of ``obj``: read-only mappings become dicts, recursively; other values as they are.

    Parameters
    ----------
    obj : Any
        A value :func:`causalmacro.labelled.freeze` returned, or any other.

    Returns
    -------
    Any
    """
    if isinstance(obj, Mapping):
        return {k: thaw(v) for k, v in obj.items()}
    if isinstance(obj, tuple):
        return tuple(thaw(v) for v in obj)
    return obj
