"""``tango._warnings``: the warning category PyTango uses for its own user warnings."""

from __future__ import annotations

__all__ = ["PyTangoUserWarning"]


class PyTangoUserWarning(UserWarning):
    """A warning about how PyTango (here, the drop-in) is used."""
