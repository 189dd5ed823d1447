"""puretango in Gevent green mode: ``from puretango.gevent import DeviceProxy``."""

import gevent as _gevent  # noqa: F401 - gevent mode needs gevent: fail at import, as PyTango does

from ._green_module import factories, green_database
from .idl._enums import GreenMode

DeviceProxy, AttributeProxy = factories(GreenMode.Gevent)
Database = green_database(GreenMode.Gevent)
Device, Attribute = DeviceProxy, AttributeProxy

__all__ = ("AttributeProxy", "Database", "DeviceProxy")
