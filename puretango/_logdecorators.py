"""PyTango's logging helpers for device code (``tango.log4tango``): ``TangoStream``, a
file-like object that hands whole lines to a log function, and the ``LogIt`` decorator
family, which logs the entry and exit of a device method through the device's own
streams (``debug_stream`` ... ``fatal_stream``) when that level is enabled, telling them
(:func:`logged_source`) which method the record is about, as PyTango's ``source=``."""

from __future__ import annotations

import contextvars
import functools
import inspect
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = [
    "DebugIt",
    "ErrorIt",
    "FatalIt",
    "InfoIt",
    "LogIt",
    "TangoStream",
    "WarnIt",
    "logged_source",
]

#: arguments and results longer than this (as ``repr``) are cut, ending in ``[...]``
MAX_ARG_LEN = 25


def _compact(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_ARG_LEN else text[: MAX_ARG_LEN - 5] + "[...]"


#: the method a decorator is logging about, while its stream is called
_SOURCE: contextvars.ContextVar[Any] = contextvars.ContextVar("logit_source", default=None)


def logged_source() -> Any:
    """The method a ``LogIt`` decorator logs about, inside its stream call (else None):
    the device streams locate their record at its definition, as PyTango's ``source=``."""
    return _SOURCE.get()


@contextmanager
def _about(method: Callable[..., Any]) -> Iterator[None]:
    token = _SOURCE.set(method)
    try:
        yield
    finally:
        _SOURCE.reset(token)


class TangoStream:
    """A writable stream that calls ``fn(text)`` once a line is complete (or on
    ``flush``), without the final newline."""

    def __init__(self, fn: Callable[[str], Any]) -> None:
        self._fn = fn
        self._pending = ""

    def write(self, s: str) -> None:
        self._pending += s
        if "\n" in s:
            self.flush()

    def flush(self) -> None:
        text, self._pending = self._pending, ""
        if text:
            self._fn(text.removesuffix("\n"))


class LogIt:
    """Decorate a device method to log ``-> Class.method(args)`` on entry and
    ``[result ]<- Class.method()`` (or ``... raised exception!``) on exit, at DEBUG level
    (the subclasses log at other levels). ``show_args``, ``show_kwargs`` and ``show_ret``
    add the arguments and the result, each shortened to 25 characters."""

    #: the level: its device stream (``<name>_stream``) and its ``logging`` number
    level_name = "debug"
    level = logging.DEBUG

    def __init__(
        self, show_args: bool = False, show_kwargs: bool = False, show_ret: bool = False
    ) -> None:
        self._show_args = show_args
        self._show_kwargs = show_kwargs
        self._show_ret = show_ret

    def is_enabled(self, device: Any) -> bool:
        """Whether ``device`` logs at this decorator's level."""
        logger = device.get_logger()
        pytango_check = getattr(logger, f"is_{self.level_name}_enabled", None)
        if pytango_check is not None:
            return bool(pytango_check())
        return bool(logger.isEnabledFor(self.level))

    def get_log_func(self, device: Any) -> Callable[[str], Any]:
        """The stream of ``device`` this decorator writes to."""
        return getattr(device, f"{self.level_name}_stream")

    def _entry(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        shown = []
        if self._show_args:
            shown.append(", ".join(_compact(arg) for arg in args))
        if self._show_kwargs:
            shown.append(", ".join(f"{key}={_compact(v)}" for key, v in kwargs.items()))
        return f"-> {name}({', '.join(shown)})"

    def _exit(self, name: str, result: Any) -> str:
        return f"{_compact(result) + ' ' if self._show_ret else ''}<- {name}()"

    def __call__(self, method: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(method):

            @functools.wraps(method)
            async def logged_coroutine(device: Any, *args: Any, **kwargs: Any) -> Any:
                if not self.is_enabled(device):
                    return await method(device, *args, **kwargs)
                stream = self.get_log_func(device)
                name = f"{type(device).__name__}.{method.__name__}"

                def log(text: str) -> None:
                    with _about(method):
                        stream(text)

                log(self._entry(name, args, kwargs))
                try:
                    result = await method(device, *args, **kwargs)
                except BaseException:
                    log(f"<- {name}() raised exception!")
                    raise
                log(self._exit(name, result))
                return result

            wrapper: Any = logged_coroutine
        else:

            @functools.wraps(method)
            def logged(device: Any, *args: Any, **kwargs: Any) -> Any:
                if not self.is_enabled(device):
                    return method(device, *args, **kwargs)
                stream = self.get_log_func(device)
                name = f"{type(device).__name__}.{method.__name__}"

                def log(text: str) -> None:
                    with _about(method):
                        stream(text)

                log(self._entry(name, args, kwargs))
                try:
                    result = method(device, *args, **kwargs)
                except BaseException:
                    log(f"<- {name}() raised exception!")
                    raise
                log(self._exit(name, result))
                return result

            wrapper = logged
        wrapper._wrapped = method
        return wrapper


class DebugIt(LogIt):
    """:class:`LogIt` at DEBUG level."""


class InfoIt(LogIt):
    """:class:`LogIt` at INFO level."""

    level_name = "info"
    level = logging.INFO


class WarnIt(LogIt):
    """:class:`LogIt` at WARN level."""

    level_name = "warn"
    level = logging.WARNING


class ErrorIt(LogIt):
    """:class:`LogIt` at ERROR level."""

    level_name = "error"
    level = logging.ERROR


class FatalIt(LogIt):
    """:class:`LogIt` at FATAL level."""

    level_name = "fatal"
    level = logging.CRITICAL
