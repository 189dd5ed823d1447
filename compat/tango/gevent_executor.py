"""``tango.gevent_executor`` on puretango: the gevent executor (:mod:`puretango.green`)."""

import gevent as _gevent  # noqa: F401 - as PyTango's module, it needs gevent

from puretango import GreenMode
from puretango.green import GeventExecutor, get_executor

__all__ = ["GeventExecutor", "get_global_executor"]


def get_global_executor() -> GeventExecutor:
    """The process-wide gevent executor."""
    executor = get_executor(GreenMode.Gevent)
    assert isinstance(executor, GeventExecutor)
    return executor
