"""puretango in Futures green mode: ``from puretango.futures import DeviceProxy``."""

from ._green_module import factories, green_database
from .idl._enums import GreenMode

DeviceProxy, AttributeProxy = factories(GreenMode.Futures)
Database = green_database(GreenMode.Futures)
Device, Attribute = DeviceProxy, AttributeProxy

__all__ = ("AttributeProxy", "Database", "DeviceProxy")
