"""puretango in Gevent green mode: ``from puretango.gevent import DeviceProxy``."""

import gevent as _gevent  # noqa: F401 - gevent mode needs gevent: fail at import, as PyTango does

from ._green_module import database_factory, factories
from .idl._enums import GreenMode

DeviceProxy, AttributeProxy = factories(GreenMode.Gevent)
Database = database_factory(GreenMode.Gevent)
Device, Attribute = DeviceProxy, AttributeProxy

__all__ = ("AttributeProxy", "Database", "DeviceProxy")
