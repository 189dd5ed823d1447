"""The replies of ``Group`` calls: one ``GroupReply`` per device (and per attribute), in the
order of the devices in the hierarchy, gathered in ``GroupReplyList`` and its kin.

A reply names its device and object (command or attribute), says whether the device was
enabled and whether the call failed, and keeps the error stack. Reading the data of a
failed or disabled reply follows cppTango's exception mode
(:meth:`GroupReply.enable_exception`, off by default, one setting per process): when on,
``get_data()`` raises the ``DevFailed``; when off it behaves as PyTango (whose binding
cannot turn it on): a command reply raises ``TypeError``, an attribute reply gives an empty
``DeviceAttribute``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from .._errors import DevFailed, make_error
from ..idl._enums import AttrQuality, ExtractAs
from ..idl._values import DevError
from ._types import DeviceAttribute

__all__ = [
    "GroupReply",
    "GroupCmdReply",
    "GroupAttrReply",
    "GroupReplyList",
    "GroupCmdReplyList",
    "GroupAttrReplyList",
    "CommandResult",
]

_exception_mode = [False]


def _indented(text: str) -> str:
    return "\n".join("    " + line if line else line for line in text.split("\n"))


class GroupReply:
    """The outcome of one group call on one device (a ``write_attribute`` acknowledgement)."""

    __slots__ = ("_dev_name", "_obj_name", "_enabled", "_errors")

    def __init__(
        self,
        dev_name: str = "unknown",
        obj_name: str = "unknown",
        enabled: bool = True,
        errors: Sequence[DevError] | None = None,
    ) -> None:
        self._dev_name = dev_name
        self._obj_name = obj_name
        self._enabled = enabled
        self._errors: tuple[DevError, ...] | None = None if errors is None else tuple(errors)

    @staticmethod
    def enable_exception(exception_mode: bool = True) -> bool:
        """Set the process-wide exception mode of ``get_data`` (see the module docstring);
        return the previous mode."""
        previous = _exception_mode[0]
        _exception_mode[0] = bool(exception_mode)
        return previous

    def has_failed(self) -> bool:
        return self._errors is not None

    def group_element_enabled(self) -> bool:
        return self._enabled

    def dev_name(self) -> str:
        return self._dev_name

    def obj_name(self) -> str:
        return self._obj_name

    def get_err_stack(self) -> tuple[DevError, ...]:
        return self._errors or ()

    def _raise_if_no_data(self, origin: str) -> bool:
        """With exceptions on, raise when there is no data; return whether there is some."""
        if not self._enabled:
            if _exception_mode[0]:
                raise DevFailed(
                    make_error("no data - group member is disabled", "no available data", origin)
                )
            return False
        if self._errors is not None:
            if _exception_mode[0]:
                raise DevFailed(*self._errors)
            return False
        return True

    def _data_text(self) -> str | None:
        return None

    def __str__(self) -> str:
        lines = [
            f'dev_name = "{self._dev_name}"',
            f'obj_name = "{self._obj_name}"',
            f"enabled = {self._enabled}",
            f"has_failed = {self.has_failed()}",
        ]
        if self._enabled and self._errors is not None:
            errors = ",\n".join(str(e) for e in self._errors)
            lines.append(f"err_stack = [\n{_indented(errors)}\n]")
        elif self._enabled:
            data = self._data_text()
            if data is not None:
                lines.append(f"data = {data}")
        return f"{type(self).__name__}[\n{_indented(chr(10).join(lines))}\n]"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(dev_name={self._dev_name!r}, obj_name={self._obj_name!r}, "
            f"enabled={self._enabled}, has_failed={self.has_failed()})"
        )


class CommandResult:
    """The output of a command in a ``GroupCmdReply`` (what ``get_data_raw`` returns), with
    the ``extract()``/``is_empty()`` of PyTango's ``DeviceData``."""

    __slots__ = ("_value", "_empty")

    def __init__(self, value: Any = None, empty: bool = True) -> None:
        self._value, self._empty = value, empty

    def extract(self, extract_as: ExtractAs = ExtractAs.Numpy) -> Any:
        return self._value

    def is_empty(self) -> bool:
        return self._empty

    def __repr__(self) -> str:
        return "DeviceData()" if self._empty else f"DeviceData({self._value!r})"


class GroupCmdReply(GroupReply):
    """The outcome of a command on one device of a group."""

    __slots__ = ("_data",)

    def __init__(
        self,
        dev_name: str = "unknown",
        obj_name: str = "unknown",
        enabled: bool = True,
        errors: Sequence[DevError] | None = None,
        data: CommandResult | None = None,
    ) -> None:
        super().__init__(dev_name, obj_name, enabled, errors)
        self._data = data if data is not None else CommandResult()

    def get_data_raw(self) -> CommandResult:
        """The command output holder (empty when the call failed or the device is disabled)."""
        self._raise_if_no_data("GroupCmdReply::get_data")
        return self._data

    def get_data(self) -> Any:
        """The command output; see the module docstring for failed and disabled devices."""
        if not self._raise_if_no_data("GroupCmdReply::get_data") or self._data.is_empty():
            why = "the call failed" if self._errors is not None else "there is no output"
            raise TypeError(
                f"no data in the reply of {self._dev_name} to {self._obj_name}: "
                + ("the device is disabled" if not self._enabled else why)
                + " (see has_failed() and get_err_stack())"
            )
        return self._data.extract()

    def _data_text(self) -> str:
        value = self._data.extract()
        return f'"{value}"' if isinstance(value, str) else str(value)


def _empty_attribute() -> DeviceAttribute:
    da = DeviceAttribute()
    da.name, da.quality = "Name not set", AttrQuality.ATTR_INVALID
    return da


class GroupAttrReply(GroupReply):
    """The outcome of reading one attribute on one device of a group."""

    __slots__ = ("_attribute", "_convert")

    def __init__(
        self,
        dev_name: str = "unknown",
        obj_name: str = "unknown",
        enabled: bool = True,
        errors: Sequence[DevError] | None = None,
        attribute: DeviceAttribute | None = None,
        convert: Callable[[ExtractAs], DeviceAttribute] | None = None,
    ) -> None:
        super().__init__(dev_name, obj_name, enabled, errors)
        self._attribute = attribute
        self._convert = convert

    def get_data(self, extract_as: ExtractAs = ExtractAs.Numpy) -> DeviceAttribute:
        """The ``DeviceAttribute`` read (converted as ``extract_as`` asks); see the module
        docstring for failed and disabled devices."""
        if not self._raise_if_no_data("GroupAttrReply::get_data") or self._attribute is None:
            return _empty_attribute()
        if extract_as is not ExtractAs.Numpy and self._convert is not None:
            return self._convert(ExtractAs(extract_as))
        return self._attribute

    def _data_text(self) -> str:
        return str(self.get_data())


R = TypeVar("R", bound=GroupReply)


class _ReplyList(list[R], Generic[R]):
    """A list of replies that knows whether any of them failed."""

    def has_failed(self) -> bool:
        return any(r.has_failed() for r in self)

    def reset(self) -> None:
        self.clear()

    def push_back(self, reply: R) -> None:
        self.append(reply)


class GroupReplyList(_ReplyList[GroupReply]):
    """The replies of a group ``write_attribute``."""


class GroupCmdReplyList(_ReplyList[GroupCmdReply]):
    """The replies of a group ``command_inout``."""


class GroupAttrReplyList(_ReplyList[GroupAttrReply]):
    """The replies of a group ``read_attribute(s)``."""
