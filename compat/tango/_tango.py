"""``tango._tango`` on puretango: in PyTango the compiled extension; here only the names
Python code reaches in it. There is no C++ underneath, so the C++ hooks do nothing."""

from __future__ import annotations

__all__ = ["_dump_cpp_coverage"]


def _dump_cpp_coverage() -> None:
    """Flush C++ coverage counters: a no-op, puretango has no C++ code."""
