"""``tango._warnings``: the warning category PyTango uses for its own user warnings (the
one puretango's client and server raise), and ``warn_once`` with its registry of keys."""

from puretango import PyTangoUserWarning
from puretango.client._warn import already_warned_keys as _already_warned_keys  # noqa: F401
from puretango.client._warn import warn_once

__all__ = ["PyTangoUserWarning", "warn_once"]
