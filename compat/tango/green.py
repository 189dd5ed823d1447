"""``tango.green`` on puretango: green modes and executors (:mod:`puretango.green`)."""

from puretango.green import (
    AbstractExecutor,
    SynchronousExecutor,
    get_executor,
    get_green_mode,
    get_object_executor,
    set_green_mode,
    switch_existing_global_executors_to_thread,
)

__all__ = [
    "AbstractExecutor",
    "SynchronousExecutor",
    "get_executor",
    "get_green_mode",
    "get_object_executor",
    "set_green_mode",
    "switch_existing_global_executors_to_thread",
]
