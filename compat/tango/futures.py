"""``tango.futures``: the futures green-mode proxies of :mod:`puretango.futures`."""

from puretango.futures import Attribute, AttributeProxy, Database, Device, DeviceProxy

__all__ = ["AttributeProxy", "Database", "DeviceProxy", "Attribute", "Device"]
