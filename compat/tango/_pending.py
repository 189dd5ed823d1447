"""Placeholders for PyTango names the drop-in does not have yet but that modules import
at load time (``from tango import Util`` in a conftest, a base class in a test module):
each is a class that can be named and subclassed, and raises as soon as it is used.

``tango.__getattr__`` answers them only for names not defined otherwise, so the real class
replaces its placeholder as soon as the drop-in exports it; ``dir(tango)`` does not list
them (``tests/compat/missing_names.py`` still counts them as missing).
"""

from __future__ import annotations

from typing import Any

__all__ = ["PENDING_NAMES", "placeholder"]

#: the classic server API (another part of issue 10); imported by test_utils and conftests
PENDING_NAMES = frozenset(
    {
        "Attr",
        "DeviceClass",
        "DeviceImpl",
        "Device_2Impl",
        "Device_3Impl",
        "Device_4Impl",
        "Device_5Impl",
        "Device_6Impl",
        "ImageAttr",
        "LatestDeviceImpl",
        "SpectrumAttr",
        "Util",
    }
)

_made: dict[str, type] = {}


class _PendingMeta(type):
    def __getattr__(cls, attribute: str) -> Any:
        raise NotImplementedError(
            f"tango.{cls.__name__}.{attribute}: tango.{cls.__name__} is not in the "
            "puretango drop-in yet"
        )


def placeholder(name: str) -> type:
    """The placeholder class standing for ``tango.<name>`` (one per name)."""
    if name not in _made:

        def refuse(self: Any, *args: Any, **kwargs: Any) -> None:
            raise NotImplementedError(f"tango.{name} is not in the puretango drop-in yet")

        _made[name] = _PendingMeta(name, (), {"__init__": refuse, "__module__": "tango"})
    return _made[name]
