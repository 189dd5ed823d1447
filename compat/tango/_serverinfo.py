"""The drop-in's link to puretango's server: :func:`puretango_server` imports it (on first
use of a server-side name or of ``tango.server``) and makes its devices report the PyTango
API level the drop-in follows, beside puretango's own version."""

from __future__ import annotations

from types import ModuleType

__all__ = ["puretango_server"]

PYTANGO_API_LEVEL = "10.3.1"


def puretango_server() -> ModuleType:
    """``puretango.server``, with the drop-in's version information registered."""
    import puretango.server as server
    from puretango.server._classic_impl import EXTRA_VERSION_INFO

    EXTRA_VERSION_INFO.setdefault("PyTango", PYTANGO_API_LEVEL)
    return server
