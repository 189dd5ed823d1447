"""``tango.device_server`` on puretango: the device server's worker (:mod:`puretango.green`)."""

from puretango.green import get_worker, set_worker

__all__ = ["get_worker", "set_worker"]
