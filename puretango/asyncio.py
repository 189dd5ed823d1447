"""puretango in Asyncio green mode: ``from puretango.asyncio import DeviceProxy``."""

from ._green_module import factories
from .idl._enums import GreenMode

DeviceProxy, AttributeProxy = factories(GreenMode.Asyncio)
Device, Attribute = DeviceProxy, AttributeProxy

__all__ = ("AttributeProxy", "DeviceProxy")
