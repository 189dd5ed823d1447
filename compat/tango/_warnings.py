"""``tango._warnings``: the warning category PyTango uses for its own user warnings (the
one puretango's client and server raise)."""

from puretango import PyTangoUserWarning

__all__ = ["PyTangoUserWarning"]
