"""``tango.asyncio``: the asyncio green-mode proxies of :mod:`puretango.asyncio`."""

from puretango.asyncio import Attribute, AttributeProxy, Database, Device, DeviceProxy

__all__ = ["AttributeProxy", "Database", "DeviceProxy", "Attribute", "Device"]
