"""Plain copies of frozen containers, so that frozen results pickle: :func:`causalmacro.labelled.thaw`.

``MappingProxyType`` (what :func:`causalmacro.labelled.freeze` makes of a
mapping) cannot be pickled; a frozen result's ``__reduce__`` hands pickle the
plain copy :func:`thaw` makes, and its constructor freezes it again on load.
"""

from __future__ import annotations

from causalmacro.labelled import thaw

__all__ = ["thaw"]
