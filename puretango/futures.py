"""puretango in Futures green mode: ``from puretango.futures import DeviceProxy``."""

from ._green_module import database_factory, factories
from .idl._enums import GreenMode

DeviceProxy, AttributeProxy = factories(GreenMode.Futures)
Database = database_factory(GreenMode.Futures)
Device, Attribute = DeviceProxy, AttributeProxy

__all__ = ("AttributeProxy", "Database", "DeviceProxy")
