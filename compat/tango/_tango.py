"""``tango._tango`` on puretango: in PyTango the compiled extension; here only the names
Python code reaches in it: ``_dump_cpp_coverage`` (a no-op, as there is no C++ here) and,
through ``__getattr__``, every name of the ``tango`` package (``from tango._tango import
GroupReply`` works as soon as ``tango.GroupReply`` does)."""

from __future__ import annotations

from typing import Any

__all__ = ["_dump_cpp_coverage"]


def _dump_cpp_coverage() -> None:
    """Flush C++ coverage counters: a no-op, puretango has no C++ code."""


def __getattr__(name: str) -> Any:
    import tango

    try:
        return getattr(tango, name)
    except AttributeError:
        raise AttributeError(f"module 'tango._tango' has no attribute {name!r}") from None
