"""``tango.gevent``: the gevent green-mode proxies of :mod:`puretango.gevent`."""

from puretango.gevent import Attribute, AttributeProxy, Database, Device, DeviceProxy

__all__ = ["AttributeProxy", "Database", "DeviceProxy", "Attribute", "Device"]
