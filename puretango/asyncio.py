"""puretango in Asyncio green mode: ``from puretango.asyncio import DeviceProxy``."""

from ._green_module import database_factory, factories
from .idl._enums import GreenMode

DeviceProxy, AttributeProxy = factories(GreenMode.Asyncio)
Database = database_factory(GreenMode.Asyncio)
Device, Attribute = DeviceProxy, AttributeProxy

__all__ = ("AttributeProxy", "Database", "DeviceProxy")
