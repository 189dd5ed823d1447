"""The property commands of the DataBase device: device, class and free-object properties
(get/put/delete, name lists, history), attribute properties (the "2" forms and the old
one-value forms, deletes, attribute lists, history) and pipe properties (Tango 9, the
attribute "2" layout). Layouts come from
:mod:`puretango._dbformat`; storage from :class:`~._store.Store`."""

from __future__ import annotations

import functools
from typing import Any

from .._dbformat import (
    pack_attribute_properties,
    pack_attribute_properties_1,
    pack_properties,
    reply_marks_empty,
    unpack_attribute_properties,
    unpack_attribute_properties_1,
    unpack_properties,
)
from ..server import command
from ._base import DbDeviceBase
from ._replies import EncodedReply, strings_reply, wire_text
from ._store import AttributeKind, HistoryEntry, PropertyKind

__all__ = ["PropertyCommands"]

_S = str
_SA = (str,)


def _history(entries: list[HistoryEntry], with_attribute: bool) -> list[str]:
    """``[attr?, name, date, n, value...]`` per change; a deletion has ``n = 0``."""
    out: list[str] = []
    for e in entries:
        if with_attribute:
            out.append(e.attribute)
        out.extend([e.name, e.date, str(len(e.values)), *e.values])
    return [wire_text(v) for v in out]


class PropertyCommands(DbDeviceBase):
    """Property and attribute-property commands (a base class of ``DataBase``)."""

    # -- device, class and free-object properties ------------------------------------------------
    async def _get(self, kind: PropertyKind, argin: list[str], command: str) -> EncodedReply:
        args = self.need(argin, 1, command, "object name, property names")

        async def compute() -> EncodedReply:
            found = await self.query(self.store.get_properties, kind, args[0], args[1:])
            packed = pack_properties(args[0], dict(found), reply=reply_marks_empty(command))
            return strings_reply(packed)

        return await self.cached((command, *args), compute)

    async def _put(self, kind: PropertyKind, argin: list[str], command: str) -> None:
        obj, props = self.unpack(unpack_properties, argin, command, reply=False)
        await self.run(self.store.put_properties, kind, obj, props)

    async def _delete(self, kind: PropertyKind, argin: list[str], command: str) -> None:
        args = self.need(argin, 1, command, "object name, property names")
        await self.run(self.store.delete_properties, kind, args[0], args[1:])

    async def _names(self, kind: PropertyKind, obj: str, pattern: str) -> list[str]:
        return await self.query(self.store.property_names, kind, obj, pattern)

    async def _hist(self, kind: PropertyKind, argin: list[str], command: str) -> list[str]:
        args = self.need(argin, 2, command, "object name, property name")
        entries = await self.query(self.store.property_history, kind, args[0], args[1])
        return _history(entries, with_attribute=False)

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetDeviceProperty(self, argin: list[str]) -> Any:
        return await self._get("device", argin, "DbGetDeviceProperty")

    @command(dtype_in=_SA)
    async def DbPutDeviceProperty(self, argin: list[str]) -> None:
        await self._put("device", argin, "DbPutDeviceProperty")

    @command(dtype_in=_SA)
    async def DbDeleteDeviceProperty(self, argin: list[str]) -> None:
        await self._delete("device", argin, "DbDeleteDeviceProperty")

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetDevicePropertyList(self, argin: list[str]) -> list[str]:
        args = self.need(argin, 2, "DbGetDevicePropertyList", "device name, filter")
        return await self._names("device", args[0], args[1])

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetDevicePropertyHist(self, argin: list[str]) -> list[str]:
        return await self._hist("device", argin, "DbGetDevicePropertyHist")

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetClassProperty(self, argin: list[str]) -> Any:
        return await self._get("class", argin, "DbGetClassProperty")

    @command(dtype_in=_SA)
    async def DbPutClassProperty(self, argin: list[str]) -> None:
        await self._put("class", argin, "DbPutClassProperty")

    @command(dtype_in=_SA)
    async def DbDeleteClassProperty(self, argin: list[str]) -> None:
        await self._delete("class", argin, "DbDeleteClassProperty")

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetClassPropertyList(self, class_name: str) -> list[str]:
        return await self._names("class", class_name, "*")

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetClassPropertyHist(self, argin: list[str]) -> list[str]:
        return await self._hist("class", argin, "DbGetClassPropertyHist")

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetProperty(self, argin: list[str]) -> Any:
        return await self._get("object", argin, "DbGetProperty")

    @command(dtype_in=_SA)
    async def DbPutProperty(self, argin: list[str]) -> None:
        await self._put("object", argin, "DbPutProperty")

    @command(dtype_in=_SA)
    async def DbDeleteProperty(self, argin: list[str]) -> None:
        await self._delete("object", argin, "DbDeleteProperty")

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetPropertyList(self, argin: list[str]) -> list[str]:
        args = self.need(argin, 2, "DbGetPropertyList", "object name, filter")
        return await self._names("object", args[0], args[1])

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetPropertyHist(self, argin: list[str]) -> list[str]:
        return await self._hist("object", argin, "DbGetPropertyHist")

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetObjectList(self, pattern: str) -> list[str]:
        return await self.query(self.store.objects, pattern)

    # -- attribute properties --------------------------------------------------------------
    async def _get_attr(self, kind: AttributeKind, argin: list[str], command: str) -> Any:
        args = self.need(argin, 1, command, "object name, attribute names")
        return args[0], await self.query(
            self.store.get_attribute_properties, kind, args[0], args[1:]
        )

    async def _get_attr2(self, kind: AttributeKind, argin: list[str], command: str) -> Any:
        async def compute() -> EncodedReply:
            obj, found = await self._get_attr(kind, argin, command)
            return strings_reply(pack_attribute_properties(obj, found))

        return await self.cached((command, *argin), compute)

    async def _get_attr1(self, kind: AttributeKind, argin: list[str], command: str) -> Any:
        async def compute() -> EncodedReply:
            obj, found = await self._get_attr(kind, argin, command)
            single = {
                attr: {name: (values[0] if values else "") for name, values in props.items()}
                for attr, props in found.items()
            }
            return strings_reply(pack_attribute_properties_1(obj, single))

        return await self.cached((command, *argin), compute)

    async def _put_attr2(self, kind: AttributeKind, argin: list[str], command: str) -> None:
        obj, attrs = self.unpack(unpack_attribute_properties, argin, command)
        await self.run(self.store.put_attribute_properties, kind, obj, attrs)

    async def _put_attr1(self, kind: AttributeKind, argin: list[str], command: str) -> None:
        obj, attrs = self.unpack(unpack_attribute_properties_1, argin, command)
        as_lists = {a: {n: [v] for n, v in props.items()} for a, props in attrs.items()}
        await self.run(self.store.put_attribute_properties, kind, obj, as_lists)

    async def _delete_attr(self, kind: AttributeKind, argin: list[str], command: str) -> None:
        args = self.need(argin, 3, command, "object name, attribute name, property names")
        await self.run(self.store.delete_attribute_properties, kind, args[0], args[1], args[2:])

    async def _delete_attrs(
        self, kind: AttributeKind, obj: str, attrs: list[str], *, history: bool = False
    ) -> None:
        await self.run(
            functools.partial(self.store.delete_attributes, history=history), kind, obj, attrs
        )

    async def _attr_hist(self, kind: AttributeKind, argin: list[str], command: str) -> list[str]:
        args = self.need(argin, 3, command, "object name, attribute name, property name")
        entries = await self.query(
            self.store.attribute_property_history, kind, args[0], args[1], args[2]
        )
        return _history(entries, with_attribute=True)

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetDeviceAttributeProperty2(self, argin: list[str]) -> Any:
        return await self._get_attr2("device", argin, "DbGetDeviceAttributeProperty2")

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetDeviceAttributeProperty(self, argin: list[str]) -> Any:
        return await self._get_attr1("device", argin, "DbGetDeviceAttributeProperty")

    @command(dtype_in=_SA)
    async def DbPutDeviceAttributeProperty2(self, argin: list[str]) -> None:
        await self._put_attr2("device", argin, "DbPutDeviceAttributeProperty2")

    @command(dtype_in=_SA)
    async def DbPutDeviceAttributeProperty(self, argin: list[str]) -> None:
        await self._put_attr1("device", argin, "DbPutDeviceAttributeProperty")

    @command(dtype_in=_SA)
    async def DbDeleteDeviceAttributeProperty(self, argin: list[str]) -> None:
        await self._delete_attr("device", argin, "DbDeleteDeviceAttributeProperty")

    @command(dtype_in=_SA)
    async def DbDeleteDeviceAttribute(self, argin: list[str]) -> None:
        args = self.need(argin, 2, "DbDeleteDeviceAttribute", "device name, attribute name")
        await self._delete_attrs("device", args[0], args[1:2])

    @command(dtype_in=_SA)
    async def DbDeleteAllDeviceAttributeProperty(self, argin: list[str]) -> None:
        args = self.need(
            argin, 2, "DbDeleteAllDeviceAttributeProperty", "device name, attribute names"
        )
        await self._delete_attrs("device", args[0], args[1:], history=True)

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetDeviceAttributeList(self, argin: list[str]) -> list[str]:
        args = self.need(argin, 2, "DbGetDeviceAttributeList", "device name, filter")
        return await self.query(self.store.attribute_names, "device", args[0], args[1])

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetDeviceAttributePropertyHist(self, argin: list[str]) -> list[str]:
        return await self._attr_hist("device", argin, "DbGetDeviceAttributePropertyHist")

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetClassAttributeProperty2(self, argin: list[str]) -> Any:
        return await self._get_attr2("class", argin, "DbGetClassAttributeProperty2")

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetClassAttributeProperty(self, argin: list[str]) -> Any:
        return await self._get_attr1("class", argin, "DbGetClassAttributeProperty")

    @command(dtype_in=_SA)
    async def DbPutClassAttributeProperty2(self, argin: list[str]) -> None:
        await self._put_attr2("class", argin, "DbPutClassAttributeProperty2")

    @command(dtype_in=_SA)
    async def DbPutClassAttributeProperty(self, argin: list[str]) -> None:
        await self._put_attr1("class", argin, "DbPutClassAttributeProperty")

    @command(dtype_in=_SA)
    async def DbDeleteClassAttributeProperty(self, argin: list[str]) -> None:
        await self._delete_attr("class", argin, "DbDeleteClassAttributeProperty")

    @command(dtype_in=_SA)
    async def DbDeleteClassAttribute(self, argin: list[str]) -> None:
        args = self.need(argin, 2, "DbDeleteClassAttribute", "class name, attribute name")
        await self._delete_attrs("class", args[0], args[1:2])

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetClassAttributeList(self, argin: list[str]) -> list[str]:
        args = self.need(argin, 2, "DbGetClassAttributeList", "class name, filter")
        return await self.query(self.store.attribute_names, "class", args[0], args[1])

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetClassAttributePropertyHist(self, argin: list[str]) -> list[str]:
        return await self._attr_hist("class", argin, "DbGetClassAttributePropertyHist")

    # -- pipe properties (Tango 9; the "2" layout of attribute properties) -------------------
    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetDevicePipeProperty(self, argin: list[str]) -> Any:
        return await self._get_attr2("device_pipe", argin, "DbGetDevicePipeProperty")

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetClassPipeProperty(self, argin: list[str]) -> Any:
        return await self._get_attr2("class_pipe", argin, "DbGetClassPipeProperty")

    @command(dtype_in=_SA)
    async def DbPutDevicePipeProperty(self, argin: list[str]) -> None:
        await self._put_attr2("device_pipe", argin, "DbPutDevicePipeProperty")

    @command(dtype_in=_SA)
    async def DbPutClassPipeProperty(self, argin: list[str]) -> None:
        await self._put_attr2("class_pipe", argin, "DbPutClassPipeProperty")

    @command(dtype_in=_SA)
    async def DbDeleteDevicePipeProperty(self, argin: list[str]) -> None:
        await self._delete_attr("device_pipe", argin, "DbDeleteDevicePipeProperty")

    @command(dtype_in=_SA)
    async def DbDeleteClassPipeProperty(self, argin: list[str]) -> None:
        await self._delete_attr("class_pipe", argin, "DbDeleteClassPipeProperty")

    @command(dtype_in=_SA)
    async def DbDeleteAllDevicePipeProperty(self, argin: list[str]) -> None:
        args = self.need(argin, 2, "DbDeleteAllDevicePipeProperty", "device name, pipe names")
        await self._delete_attrs("device_pipe", args[0], args[1:], history=True)

    @command(dtype_in=_SA)
    async def DbDeleteDevicePipe(self, argin: list[str]) -> None:
        args = self.need(argin, 2, "DbDeleteDevicePipe", "device name, pipe name")
        await self._delete_attrs("device_pipe", args[0], args[1:2])

    @command(dtype_in=_SA)
    async def DbDeleteClassPipe(self, argin: list[str]) -> None:
        args = self.need(argin, 2, "DbDeleteClassPipe", "class name, pipe name")
        await self._delete_attrs("class_pipe", args[0], args[1:2])

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetDevicePipeList(self, argin: list[str]) -> list[str]:
        args = self.need(argin, 2, "DbGetDevicePipeList", "device name, filter")
        return await self.query(self.store.attribute_names, "device_pipe", args[0], args[1])

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetClassPipeList(self, argin: list[str]) -> list[str]:
        args = self.need(argin, 2, "DbGetClassPipeList", "class name, filter")
        return await self.query(self.store.attribute_names, "class_pipe", args[0], args[1])

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetDevicePipePropertyHist(self, argin: list[str]) -> list[str]:
        return await self._attr_hist("device_pipe", argin, "DbGetDevicePipePropertyHist")

    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetClassPipePropertyHist(self, argin: list[str]) -> list[str]:
        return await self._attr_hist("class_pipe", argin, "DbGetClassPipePropertyHist")
