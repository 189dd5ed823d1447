"""Tango errors as PyTango raises them: ``DevFailed`` and its subclasses.

``DevFailed.args`` is the tuple of :class:`DevError` entries, the original
(innermost) error first; each re-throw appends at the end.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from typing import Any

from .idl._enums import ErrSeverity
from .idl._values import DevError

__all__ = [
    "DevError",
    "DevFailed",
    "ConnectionFailed",
    "CommunicationFailed",
    "WrongNameSyntax",
    "NonDbDevice",
    "WrongData",
    "NonSupportedFeature",
    "AsynCall",
    "AsynReplyNotArrived",
    "EventSystemFailed",
    "DeviceUnlocked",
    "NotAllowed",
    "NamedDevFailed",
    "NamedDevFailedList",
    "Except",
    "make_error",
]


class DevFailed(Exception):
    """A Tango error: ``args`` holds the :class:`DevError` stack, root cause first."""

    def __init__(self, *args: Any) -> None:
        if (
            len(args) == 1
            and isinstance(args[0], (list, tuple))
            and all(isinstance(e, DevError) for e in args[0])
        ):
            args = tuple(args[0])
        super().__init__(*args)

    def __str__(self) -> str:
        if self.args and all(isinstance(e, DevError) for e in self.args):
            inner = "".join(f"    {e.pretty('    ')}\n" for e in self.args)
            return f"DevFailed[\n{inner}]"
        return super().__str__()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(args = {self.args!r})"

    @property
    def errors(self) -> tuple[DevError, ...]:
        return tuple(e for e in self.args if isinstance(e, DevError))

    @property
    def reason(self) -> str:
        """Reason of the root cause (``args[0].reason``)."""
        errs = self.errors
        return errs[0].reason if errs else ""


class ConnectionFailed(DevFailed):
    pass


class CommunicationFailed(DevFailed):
    pass


class WrongNameSyntax(DevFailed):
    pass


class NonDbDevice(DevFailed):
    pass


class WrongData(DevFailed):
    pass


class NonSupportedFeature(DevFailed):
    pass


class AsynCall(DevFailed):
    pass


class AsynReplyNotArrived(DevFailed):
    pass


class EventSystemFailed(DevFailed):
    pass


class DeviceUnlocked(DevFailed):
    pass


class NotAllowed(DevFailed):
    pass


class NamedDevFailed:
    """The failure of one attribute in a ``write_attributes`` call."""

    def __init__(self, name: str, idx_in_call: int, err_stack: Iterable[DevError]) -> None:
        self.name = name
        self.idx_in_call = idx_in_call
        self.err_stack = tuple(err_stack)

    def __repr__(self) -> str:
        return (
            f"NamedDevFailed(name = {self.name!r}, idx_in_call = {self.idx_in_call}, "
            f"err_stack = {self.err_stack!r})"
        )


class NamedDevFailedList(DevFailed):
    """Raised by ``write_attributes`` when some attributes failed (``err_list``)."""

    def __init__(self, err_list: Iterable[NamedDevFailed], *errors: DevError) -> None:
        self.err_list = list(err_list)
        super().__init__(*errors)

    def get_faulty_attr_nb(self) -> int:
        return len(self.err_list)

    def __repr__(self) -> str:
        return f"NamedDevFailedList(err_list = {self.err_list!r}, args = {self.args!r})"


def make_error(
    reason: str, desc: str, origin: str = "", severity: ErrSeverity = ErrSeverity.ERR
) -> DevError:
    return DevError(reason, severity, desc, origin)


class Except:
    """PyTango's ``tango.Except`` helpers."""

    @staticmethod
    def throw_exception(
        reason: str, desc: str, origin: str = "", severity: ErrSeverity = ErrSeverity.ERR
    ) -> None:
        raise DevFailed(make_error(reason, desc, origin, severity))

    @staticmethod
    def re_throw_exception(
        ex: DevFailed,
        reason: str,
        desc: str,
        origin: str = "",
        severity: ErrSeverity = ErrSeverity.ERR,
    ) -> None:
        raise type(ex)(*ex.args, make_error(reason, desc, origin, severity)) from ex

    @staticmethod
    def to_dev_failed(exc_type: Any = None, exc_value: Any = None, tb: Any = None) -> DevFailed:
        """A Python exception (``sys.exc_info()``) as a DevFailed of one
        ``PyDs_PythonError``: its ``Type: message`` as desc, its traceback as origin.
        Without the three parts it is PyTango's ``PyDs_BadPythonException``."""
        if exc_type is None or exc_value is None or tb is None:
            return DevFailed(
                make_error(
                    "PyDs_BadPythonException",
                    "A badly formed exception has been received",
                    "Py_to_dev_failed",
                )
            )
        desc = "".join(traceback.format_exception_only(exc_type, exc_value))
        origin = "".join(traceback.format_exception(exc_type, exc_value, tb))
        return DevFailed(make_error("PyDs_PythonError", desc, origin))

    @staticmethod
    def throw_python_exception(exc_type: Any = None, exc_value: Any = None, tb: Any = None) -> None:
        """Raise :meth:`to_dev_failed` of the exception."""
        raise Except.to_dev_failed(exc_type, exc_value, tb)

    @staticmethod
    def print_error_stack(errors: Iterable[DevError]) -> None:
        for err in errors:
            print(err)

    @staticmethod
    def compare_exception(a: DevFailed, b: DevFailed) -> bool:
        return a.args == b.args
