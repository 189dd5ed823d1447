"""puretango in Asyncio green mode: ``from puretango.asyncio import DeviceProxy``."""

from ._green_module import factories, green_database
from .idl._enums import GreenMode

DeviceProxy, AttributeProxy = factories(GreenMode.Asyncio)
Database = green_database(GreenMode.Asyncio)
Device, Attribute = DeviceProxy, AttributeProxy

__all__ = ("AttributeProxy", "Database", "DeviceProxy")
