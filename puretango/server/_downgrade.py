"""Down-conversions for clients of IDL 1 to 4: the servant builds the newest structs
(``AttributeValue_5``, ``DevCmdInfo_2``) and these functions copy them into the older ones
an older operation returns (configurations convert themselves: ``AttrConfig.to_idl``)."""

from __future__ import annotations

from typing import Any

from .._pyvalues import ARM_SEQUENCE_TYPES
from ..giop._typecode import TC_NULL
from ..giop._typecode import Any as CorbaAny
from ..idl import types as t
from ..idl._enums import AttributeDataType

__all__ = ["downgrade", "value_3", "cmd_info_1"]


def downgrade(value: Any, target: Any) -> Any:
    """Copy the fields an older struct shares with a newer one."""
    return target(**{name: getattr(value, name) for name, _ in target.fields})


def value_3(v: Any) -> Any:
    """An AttributeValue_5 as the AttributeValue_3 of IDL 3 (the value in a CORBA any)."""
    union = v.value
    if union.disc == AttributeDataType.DEVICE_STATE:
        value = CorbaAny(t.DevStateT.typecode, union.value)
    elif union.disc in ARM_SEQUENCE_TYPES:
        value = CorbaAny(ARM_SEQUENCE_TYPES[union.disc].typecode, union.value)
    else:
        value = CorbaAny(TC_NULL, None)
    return t.AttributeValue_3(
        value=value,
        quality=v.quality,
        time=v.time,
        name=v.name,
        r_dim=v.r_dim,
        w_dim=v.w_dim,
        err_list=v.err_list,
    )


def cmd_info_1(info: Any) -> Any:
    """A DevCmdInfo_2 as the DevCmdInfo of IDL 1 (no display level)."""
    return t.DevCmdInfo(
        cmd_name=info.cmd_name,
        cmd_tag=info.cmd_tag,
        in_type=info.in_type,
        out_type=info.out_type,
        in_type_desc=info.in_type_desc,
        out_type_desc=info.out_type_desc,
    )
