"""``tango._instrumentation``: PyTango's coverage-tracing switch. The drop-in never runs
traced coverage, so it is always off."""

from __future__ import annotations

__all__ = ["_traced_coverage_run_active"]

#: whether the tests run under PyTango's traced coverage (never, here)
_traced_coverage_run_active = False
