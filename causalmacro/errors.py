"""Exceptions raised by causalmacro.

Every error a user can cause by bad input is a :class:`CausalMacroError`; its
message is one line naming the file, key, series or column at fault, so the CLI
can print it as-is and exit with status 2. Errors about input values also
derive from :class:`ValueError`, the contract of the Python API; the
identification error of the structural VAR
(:class:`causalmacro.svar.IdentificationError`) and the asset model's
diagnostics warnings follow the same rule.
"""

from __future__ import annotations

__all__ = [
    "ArgumentError",
    "CausalMacroError",
    "DataError",
    "FetchAbort",
    "FetchError",
    "SpecError",
    "StoreError",
]


class CausalMacroError(Exception):
    """Base class of every error causalmacro raises on purpose."""


class ArgumentError(CausalMacroError, ValueError):
    """A Python argument has a bad value: the message names the argument.

    Unknown keyword arguments raise :class:`TypeError`, as Python does.
    """


class SpecError(CausalMacroError, ValueError):
    """A model spec is malformed: the message names the file and the key."""


class DataError(CausalMacroError, ValueError):
    """Input data is unusable: the message names the series or column."""


class FetchError(CausalMacroError):
    """A remote source failed; nothing stored before was changed.

    Messages never contain the API key or a request URL.
    """


class FetchAbort(FetchError):
    """A fault that no other series would escape (rejected key, unreachable server): the fetch stops at once."""


class StoreError(CausalMacroError):
    """The local store is unreadable or locked."""
