"""What a ``Group`` call sends and how its raw results become replies: the command
argument (one for all, or one per device), the values written (one for all, or with
``multi`` one per device), and the replies of attribute reads.

The checks are PyTango's and cppTango's: a plain Python argument is converted for the
command's input type, which every device must agree on (``TypeError`` otherwise, or if the
value does not fit); a ``DeviceDataList`` (or any sequence of ``DeviceData``) and ``multi``
values must have one item per device of the call (``API_MethodArgument``). Anything with
``extract()`` and ``get_type()`` (PyTango's ``DeviceData``) counts as a ``DeviceData``.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .._errors import DevFailed, make_error
from .._pyvalues import argin_to_any, python_to_attr_union
from ..idl._enums import AttrDataFormat, CmdArgType, ExtractAs
from ._convert import attribute_value_to_device_attribute
from ._group_reply import GroupAttrReply
from ._modes import submit
from ._types import AttributeInfoEx

if TYPE_CHECKING:
    from ._group import Group

__all__ = ["ArgumentPlan", "plan_command_argument", "plan_write_values", "attribute_replies"]


def _is_device_data(value: Any) -> bool:
    return callable(getattr(value, "extract", None)) and callable(getattr(value, "get_type", None))


def _extract(data: Any) -> Any:
    """The value a ``DeviceData`` holds; None (no argument) when it is empty."""
    try:
        return data.extract()
    except DevFailed:
        return None


def _is_device_data_list(value: Any) -> bool:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value:
        return False
    return all(_is_device_data(item) for item in value)


def _size_error(expected: int, got: int, origin: str) -> DevFailed:
    return DevFailed(
        make_error(
            "API_MethodArgument",
            "the size of the input argument list must equal the number of device in the "
            f"group [expected:{expected} - got:{got}]",
            origin,
        )
    )


class ArgumentPlan:
    """The argument each device of a group command receives (by position in the call)."""

    def __init__(self, common: Any = None, each: Sequence[Any] | None = None) -> None:
        self._common, self._each = common, each

    def argument(self, index: int) -> Any:
        return self._common if self._each is None else self._each[index]


def _command_in_types(group: Group, cmd_name: str, forward: bool) -> set[CmdArgType]:
    """The input types the devices give for the command (asked of all at once); the
    ``DevFailed`` of the last device that failed when none answers."""
    futures = [
        submit(member.call_op(lambda proxy: proxy._g_command_info(cmd_name)))
        for member in group._members(forward)
    ]
    concurrent.futures.wait(futures)
    types: set[CmdArgType] = set()
    last: BaseException | None = None
    for future in futures:
        exc = future.exception()
        if exc is not None:
            last = exc
        else:
            types.add(CmdArgType(future.result().in_type))
    if not types:
        if isinstance(last, DevFailed):
            raise DevFailed(
                *last.args,
                make_error(
                    "PyAPI_GroupCommandArgInTypeUnknown",
                    "Cannot fetch at least one command type in group.",
                    "Group.command_inout_asynch",
                ),
            )
        raise DevFailed(
            make_error(
                "PyAPI_GroupCommandArgInTypeUnknown",
                "Cannot fetch at least one command type in group. Unknown cause.",
                "Group.command_inout_asynch",
            )
        )
    return types


def plan_command_argument(group: Group, cmd_name: str, param: Any, forward: bool) -> ArgumentPlan:
    """What ``Group.command_inout_asynch(cmd_name, param)`` sends to each device."""
    if param is None:
        return ArgumentPlan()
    if _is_device_data(param):
        return ArgumentPlan(_extract(param))
    size = group.get_size(forward)
    if size == 0:
        return ArgumentPlan()
    if _is_device_data_list(param):
        if len(param) != size:
            raise _size_error(size, len(param), "Group::command_inout_asynch")
        return ArgumentPlan(each=[_extract(item) for item in param])
    types = _command_in_types(group, cmd_name, forward)
    if len(types) > 1:
        raise TypeError(
            f"Cannot execute command with more than one type in group, types are:\n{types}"
        )
    in_type = types.pop()
    try:
        argin_to_any(param, in_type)
    except (TypeError, ValueError, OverflowError) as err:
        raise TypeError(
            f"Invalid input argument for command {cmd_name}: "
            f"{param!r} cannot be converted to type {in_type}"
        ) from err
    return ArgumentPlan(param)


def _attribute_info(group: Group, attr_name: str, forward: bool) -> AttributeInfoEx | None:
    """The configuration of the attribute from the first device that gives it."""
    for member in group._members(forward):
        try:
            proxy = member.proxy()
            return proxy._run_blocking(proxy._g_attr_info(attr_name))
        except DevFailed:
            continue
    return None


def plan_write_values(
    group: Group, attr: Any, value: Any, forward: bool, multi: bool
) -> tuple[Any, Callable[[int], Any]]:
    """``(attribute, value_of(index))`` for ``Group.write_attribute_asynch``: the attribute
    as its ``AttributeInfoEx`` when a device gives it (so each device converts the value the
    same way), and the value for the device at each position of the call."""
    size = group.get_size(forward)
    if size == 0:  # nothing to write to (PyTango then checks nothing either)
        return attr, lambda _index: value
    if multi and (isinstance(value, (str, bytes)) or not isinstance(value, Sequence)):
        raise TypeError("When multi is set, value must be a Python sequence (e.g., list or tuple)")
    info = attr if isinstance(attr, AttributeInfoEx) else None
    if info is None:
        info = _attribute_info(group, str(attr), forward)
    items = list(value) if multi else [value]
    if info is not None:
        for item in items:  # PyTango refuses a value that does not fit before sending
            python_to_attr_union(
                item,
                CmdArgType(info.data_type),
                AttrDataFormat(info.data_format),
                info.enum_labels,
            )
    if multi:
        if len(items) != size:
            raise _size_error(size, len(items), "Group::write_attribute_asynch")
        return (info if info is not None else attr), items.__getitem__
    return (info if info is not None else attr), lambda _index: value


def attribute_replies(
    dev_name: str, device: str, names: list[str], values: Sequence[Any]
) -> list[GroupAttrReply]:
    """One reply per attribute read on one device; a failed attribute carries cppTango's
    ``API_AttributeFailed`` on top of the device's errors."""
    replies = []
    for name, raw in zip(names, values):
        da = attribute_value_to_device_attribute(raw)
        if da.has_failed:
            errors = (
                *da.get_err_stack(),
                make_error(
                    "API_AttributeFailed",
                    f"Failed to read_attributes on device {device}, attribute {da.name}",
                    "DeviceProxy::read_attributes_reply()",
                ),
            )
            replies.append(GroupAttrReply(dev_name, name, errors=errors))
            continue

        def convert(extract_as: ExtractAs, raw: Any = raw) -> Any:
            return attribute_value_to_device_attribute(raw, extract_as)

        replies.append(GroupAttrReply(dev_name, name, attribute=da, convert=convert))
    return replies
