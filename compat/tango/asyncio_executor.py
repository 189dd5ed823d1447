"""``tango.asyncio_executor`` on puretango: the asyncio executor (:mod:`puretango.green`)."""

from puretango import GreenMode
from puretango.green import AsyncioExecutor, get_executor

__all__ = ["AsyncioExecutor", "get_global_executor"]


def get_global_executor() -> AsyncioExecutor:
    """The process-wide asyncio executor."""
    executor = get_executor(GreenMode.Asyncio)
    assert isinstance(executor, AsyncioExecutor)
    return executor
