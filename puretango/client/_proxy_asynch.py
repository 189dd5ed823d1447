"""The asynchronous (AMI) calls of ``DeviceProxy``: ``command_inout_asynch``,
``read_attribute(s)_asynch``, ``write_attribute(s)_asynch``, their ``*_reply`` (polling
model) and callbacks (``cmd_ended``, ``attr_read``, ``attr_written``; callback model), and
``get_asynch_replies``.

Each call starts the proxy's ordinary generator operation on the futures I/O thread and
files it in :data:`._asynch.REQUESTS`, which owns ids, replies and callbacks. As in PyTango
the attribute calls and their replies are green methods (awaitable in asyncio mode), while
``command_inout_asynch``, ``command_inout_reply`` and ``get_asynch_replies`` are plain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from .._errors import DevFailed, NamedDevFailedList, make_error
from .._pyvalues import argin_to_any
from ..idl._enums import CmdArgType, ExtractAs
from ..idl._values import DevError
from ._asynch import REQUESTS, AttrReadEvent, AttrWrittenEvent, CmdDoneEvent, Request
from ._engine import Op
from ._green import green
from ._modes import submit

__all__ = ["AsynchMixin"]

T = TypeVar("T")


def _callback_of(cb: Any, method: str) -> Callable[[Any], None] | None:
    """PyTango accepts a callable or an object with the named method."""
    if cb is None:
        return None
    if hasattr(cb, method):
        return getattr(cb, method)
    if callable(cb):
        return cb
    return None


def _poll_timeout(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int | None:
    if "poll_timeout" in kwargs:
        return kwargs.pop("poll_timeout")
    return int(args[0]) if args and args[0] is not None else None


def _read_failed(device: str, attr: str, origin: str) -> DevError:
    return make_error(
        "API_AttributeFailed",
        f"Failed to read_attributes on device {device}, attribute {attr}",
        origin,
    )


def _write_failed(exc: NamedDevFailedList, desc: str, origin: str) -> DevFailed:
    errors = exc.err_list[0].err_stack if exc.err_list else exc.args
    return DevFailed(*errors, make_error("API_AttributeFailed", desc, origin))


def _green_now(method: Callable[..., T]) -> Callable[..., Any]:
    """A green method (see :func:`._green.green`) that runs ``method`` when its operation
    starts: the operation makes no remote call of its own."""

    def operation(self: Any, *args: Any, **kwargs: Any) -> Op[T]:
        return method(self, *args, **kwargs)
        yield  # a generator: the runners drive it like any operation

    public = green(operation)
    public.__name__ = method.__name__.removeprefix("_").removesuffix("_now")
    public.__doc__ = method.__doc__
    return public


class AsynchMixin:
    """AMI methods of ``DeviceProxy`` (see the module docstring)."""

    _dev_name: str

    def dev_name(self) -> str:
        raise NotImplementedError

    # these are DeviceProxy's generator operations
    def _g_command_inout(self, cmd_name: str, cmd_param: Any = None) -> Op[Any]:
        raise NotImplementedError

    def _g_command_info(self, name: str) -> Op[Any]:
        raise NotImplementedError

    def _run_blocking(self, op: Op[Any]) -> Any:
        raise NotImplementedError

    def _g_read_attributes(
        self, attr_names: Sequence[str], extract_as: ExtractAs = ExtractAs.Numpy
    ) -> Op[Any]:
        raise NotImplementedError

    def _g_write_attributes(self, name_val: Iterable[tuple[Any, Any]]) -> Op[None]:
        raise NotImplementedError

    def _start(
        self,
        kind: str,
        op: Op[Any],
        cb: Callable[[Any], None] | None = None,
        make_event: Any = None,
    ) -> int | None:
        future = submit(op)
        request = Request(kind, self, future, cb, make_event)
        if cb is None:
            return REQUESTS.add_polled(request)
        REQUESTS.add_callback(request)
        return None

    # -- commands ---------------------------------------------------------------------

    def _command_asynch_op(self, cmd_name: str, argin: Any) -> Op[Any]:
        try:
            return (yield from self._g_command_inout(cmd_name, argin))
        except DevFailed as exc:
            errors = exc.args
            if errors and getattr(errors[-1], "reason", "") == "API_CommandFailed":
                top = DevError(
                    "API_CommandFailed",
                    1,
                    f"Failed to execute command_inout_asynch on device {self._dev_name}, "
                    f"command {cmd_name}",
                    "Connection::command_inout_reply()",
                )
                raise type(exc)(*errors[:-1], top) from None
            raise

    def _check_argin(self, cmd_name: str, argin: Any) -> None:
        """Raise a bad argument now, as PyTango does (the command's info is cached)."""
        try:
            info = self._run_blocking(self._g_command_info(cmd_name))
        except DevFailed:
            return  # the reply reports it
        if info.in_type in CmdArgType.values:
            argin_to_any(argin, CmdArgType(info.in_type))

    def command_inout_asynch(self, cmd_name: str, *args: Any) -> int | None:
        """``(cmd)``, ``(cmd, arg)``, ``(cmd, arg, forget)``, ``(cmd, cb)``, ``(cmd, arg, cb)``."""
        if len(args) > 2:
            raise TypeError("Wrong number of attributes!")
        argin: Any = args[0] if args else None
        cb = None
        forget = False
        if args and (callable(args[-1]) or hasattr(args[-1], "cmd_ended")):
            cb = _callback_of(args[-1], "cmd_ended")
            argin = args[0] if len(args) == 2 else None
        elif len(args) == 2:
            forget = bool(args[1])
        self._check_argin(cmd_name, argin)
        op = self._command_asynch_op(cmd_name, argin)
        if cb is None:
            rid = REQUESTS.add_polled(Request("command", self, submit(op)))
            if forget:
                REQUESTS.forget(rid)
                return 0
            return rid

        def event(result: Any, exc: DevFailed | None) -> CmdDoneEvent:
            return CmdDoneEvent(self, cmd_name, result, exc is not None, exc.args if exc else ())

        return self._start("command", op, cb, event)

    def command_inout_reply(self, idx: int, timeout: int | None = None) -> Any:
        return REQUESTS.reply(idx, "command", timeout, "Connection::command_inout_reply()")

    # -- reading ---------------------------------------------------------------------

    def _read_attributes_asynch_now(
        self,
        attr_names: Sequence[str],
        cb: Any = None,
        extract_as: ExtractAs = ExtractAs.Numpy,
    ) -> int | None:
        names = [attr_names] if isinstance(attr_names, str) else list(attr_names)
        op = self._g_read_attributes(names, extract_as)
        callback = _callback_of(cb, "attr_read")
        if callback is None:
            return self._start("read", op)

        def event(result: Any, exc: DevFailed | None) -> AttrReadEvent:
            if exc is not None:
                return AttrReadEvent(self, names, [], True, exc.args)
            failed = next((da for da in result if da.has_failed), None)
            if failed is None:
                return AttrReadEvent(self, names, result, False, ())
            top = _read_failed(self._dev_name, failed.name, "Connection::Cb_ReadAttr_Request()")
            return AttrReadEvent(self, names, result, True, (top,))

        return self._start("read", op, callback, event)

    def _read_attribute_asynch_now(
        self, attr_name: str, cb: Any = None, extract_as: ExtractAs = ExtractAs.Numpy
    ) -> int | None:
        return self._read_attributes_asynch_now([attr_name], cb, extract_as)

    def _read_attributes_reply_now(self, idx: int, *args: Any, **kwargs: Any) -> list[Any]:
        timeout = _poll_timeout(args, kwargs)
        result: list[Any] = REQUESTS.reply(
            idx, "read", timeout, "DeviceProxy::read_attributes_reply()"
        )
        return result

    def _read_attribute_reply_now(self, idx: int, *args: Any, **kwargs: Any) -> Any:
        da = self._read_attributes_reply_now(idx, *args, **kwargs)[0]
        if da.has_failed:
            top = _read_failed(self._dev_name, da.name, "DeviceProxy::read_attributes_reply()")
            raise DevFailed(*da.get_err_stack(), top)
        return da

    # -- writing ---------------------------------------------------------------------

    def _write_attributes_asynch_now(
        self, attr_values: Iterable[tuple[Any, Any]], cb: Any = None
    ) -> int | None:
        pairs = list(attr_values)
        names = [getattr(a, "name", a) for a, _ in pairs]
        op = self._g_write_attributes(pairs)
        callback = _callback_of(cb, "attr_written")
        if callback is None:
            return self._start("write", op)

        def event(_result: Any, exc: DevFailed | None) -> AttrWrittenEvent:
            if exc is None:
                return AttrWrittenEvent(self, names, False, NamedDevFailedList([]))
            if isinstance(exc, NamedDevFailedList):
                return AttrWrittenEvent(self, names, True, exc)
            return AttrWrittenEvent(self, names, True, NamedDevFailedList([], *exc.args))

        return self._start("write", op, callback, event)

    def _write_attribute_asynch_now(self, attr: Any, value: Any, cb: Any = None) -> int | None:
        return self._write_attributes_asynch_now([(attr, value)], cb)

    def _write_attributes_reply_now(self, idx: int, *args: Any, **kwargs: Any) -> None:
        timeout = _poll_timeout(args, kwargs)
        origin = "DeviceProxy::write_attributes_reply()"
        try:
            REQUESTS.reply(idx, "write", timeout, origin)
        except NamedDevFailedList as exc:
            names = ", ".join(n.name for n in exc.err_list)
            desc = f"Failed to execute {origin} on device {self._dev_name}, object(s) {names}"
            raise DevFailed(make_error("API_AttributeFailed", desc, origin)) from None

    def _write_attribute_reply_now(self, idx: int, *args: Any, **kwargs: Any) -> None:
        timeout = _poll_timeout(args, kwargs)
        origin = "DeviceProxy::write_attribute_reply()"
        try:
            REQUESTS.reply(idx, "write", timeout, origin)
        except NamedDevFailedList as exc:
            names = ", ".join(n.name for n in exc.err_list)
            desc = (
                f"Failed to execute write_attributes_asynch on device {self._dev_name}\n"
                f"Attribute(s): {names}"
            )
            raise _write_failed(exc, desc, "DeviceProxy::write_attr_except()") from None

    # PyTango makes these green (awaitable in asyncio mode, futures in futures mode...)
    read_attributes_asynch = _green_now(_read_attributes_asynch_now)
    read_attribute_asynch = _green_now(_read_attribute_asynch_now)
    read_attributes_reply = _green_now(_read_attributes_reply_now)
    read_attribute_reply = _green_now(_read_attribute_reply_now)
    write_attributes_asynch = _green_now(_write_attributes_asynch_now)
    write_attribute_asynch = _green_now(_write_attribute_asynch_now)
    write_attributes_reply = _green_now(_write_attributes_reply_now)
    write_attribute_reply = _green_now(_write_attribute_reply_now)

    # -- callbacks ---------------------------------------------------------------------

    def get_asynch_replies(self, call_timeout: int | None = None) -> None:
        """Run the callbacks of this proxy's arrived replies (PULL_CALLBACK model)."""
        REQUESTS.fire_arrived(self, call_timeout)
