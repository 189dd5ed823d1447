"""The DataBase device (class ``DataBase``, ``sys/database/2``): servers and devices (add,
delete, rename, export, unexport, import, info), the name lists with wildcards, device and
attribute aliases, Starter server information, ``DbInfo``, the legacy event and cache
commands, and the ``StoredProcedureRelease`` attribute. Property commands come from
:class:`~._properties.PropertyCommands`."""

from __future__ import annotations

from typing import Any

from .._dbformat import DbFormatError, DeviceExport
from .._errors import DevFailed
from ..idl._enums import CmdArgType
from ..server import attribute, command
from ._properties import PropertyCommands
from ._replies import EncodedReply, long_strings_reply, strings_reply
from ._store import INCORRECT_ARGUMENTS, ServerInfo, db_error

__all__ = ["DataBase"]

_S = str
_SA = (str,)
_LSA = CmdArgType.DevVarLongStringArray

#: what cppTango reads to decide how to call DbGetDataForServerCache; below 1.9 it does not
#: append "%%<major>" to the host argument
STORED_PROCEDURE_RELEASE = "release 1.8"


class DataBase(PropertyCommands):
    """The Tango Database device."""

    @attribute(dtype=str)
    async def StoredProcedureRelease(self) -> str:
        return STORED_PROCEDURE_RELEASE

    # -- servers and devices -------------------------------------------------------------------
    @command(dtype_in=_SA)
    async def DbAddServer(self, argin: list[str]) -> None:
        args = self.need(argin, 3, "DbAddServer", "server, device, class, ...")
        if len(args) % 2 == 0:
            raise db_error(
                INCORRECT_ARGUMENTS,
                "DbAddServer takes a server name then device and class pairs",
                "DataBase::DbAddServer()",
            )
        devices = list(zip(args[1::2], args[2::2]))
        await self.run(self.store.add_server, args[0], devices)

    @command(dtype_in=_SA)
    async def DbAddDevice(self, argin: list[str]) -> None:
        args = self.need(argin, 3, "DbAddDevice", "server, device, class")
        await self.run(self.store.add_device, args[0], args[1], args[2])

    @command(dtype_in=_S)
    async def DbDeleteServer(self, server: str) -> None:
        await self.run(self.store.delete_server, server)

    @command(dtype_in=_S)
    async def DbDeleteDevice(self, device: str) -> None:
        await self.run(self.store.delete_device, device)

    @command(dtype_in=_SA)
    async def DbRenameServer(self, argin: list[str]) -> None:
        args = self.need(argin, 2, "DbRenameServer", "old server name, new server name")
        await self.run(self.store.rename_server, args[0], args[1])

    @command(dtype_in=_SA)
    async def DbExportDevice(self, argin: list[str]) -> None:
        try:
            export = DeviceExport.from_strings([str(v) for v in argin])
        except DbFormatError as exc:
            raise db_error(INCORRECT_ARGUMENTS, str(exc), "DataBase::DbExportDevice()") from None
        await self.run(self.store.export_device, export)

    @command(dtype_in=_S)
    async def DbUnExportDevice(self, device: str) -> None:
        await self.run(self.store.unexport_device, device)

    @command(dtype_in=_S)
    async def DbUnExportServer(self, server: str) -> None:
        await self.run(self.store.unexport_server, server)

    @command(dtype_in=_S, dtype_out=_LSA)
    async def DbImportDevice(self, name: str) -> Any:
        async def compute() -> EncodedReply:
            record = await self.query(self.store.import_device, name)
            return long_strings_reply(*record.to_long_string())

        return await self.cached(("DbImportDevice", name), compute)

    @command(dtype_in=_S, dtype_out=_LSA)
    async def DbGetDeviceInfo(self, name: str) -> Any:
        info = await self.query(self.store.device_info, name)
        r = info.record
        strings = [r.name, r.ior, r.version, r.server, r.host, info.started, info.stopped]
        return long_strings_reply([int(r.exported), r.pid], [*strings, r.class_name])

    @command(dtype_in=_S, dtype_out=_S)
    async def DbGetClassForDevice(self, device: str) -> str:
        return await self.query(self.store.device_class, device)

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetClassInheritanceForDevice(self, device: str) -> list[str]:
        class_name = await self.query(self.store.device_class, device)
        found = await self.query(self.store.get_properties, "class", class_name, ["InheritedFrom"])
        return [class_name, *found[0][1]]

    # -- lists ------------------------------------------------------------------------------------
    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetDeviceList(self, argin: list[str]) -> Any:
        server, class_name = self.need(argin, 2, "DbGetDeviceList", "server name, class name")[:2]

        async def compute() -> EncodedReply:
            return strings_reply(await self.query(self.store.devices_of, server, class_name))

        return await self.cached(("DbGetDeviceList", server, class_name), compute)

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetDeviceClassList(self, server: str) -> list[str]:
        pairs = await self.query(self.store.device_classes_of, server)
        return [item for pair in pairs for item in pair]

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetDeviceServerClassList(self, server: str) -> list[str]:
        """The server's classes, DServer included (cppTango's client removes it)."""
        pairs = await self.query(self.store.device_classes_of, server)
        classes: dict[str, str] = {}
        for _, class_name in pairs:
            classes.setdefault(class_name.lower(), class_name)
        return [classes[k] for k in sorted(classes)]

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetDeviceExportedList(self, pattern: str) -> list[str]:
        return await self.query(lambda: self.store.devices(pattern, exported_only=True))

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetDeviceWideList(self, pattern: str) -> list[str]:
        return await self.query(self.store.devices, pattern)

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetExportdDeviceListForClass(self, class_name: str) -> list[str]:
        return await self.query(self.store.exported_devices_of_class, class_name)

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetDeviceDomainList(self, pattern: str) -> list[str]:
        return await self.query(self.store.name_parts, "domain", pattern)

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetDeviceFamilyList(self, pattern: str) -> list[str]:
        return await self.query(self.store.name_parts, "family", pattern)

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetDeviceMemberList(self, pattern: str) -> list[str]:
        return await self.query(self.store.name_parts, "member", pattern)

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetServerList(self, pattern: str) -> list[str]:
        return await self.query(self.store.servers, pattern)

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetServerNameList(self, pattern: str) -> list[str]:
        names: list[str] = []
        for server in await self.query(self.store.servers, pattern):
            exec_name = server.split("/")[0]
            if exec_name.lower() not in (n.lower() for n in names):
                names.append(exec_name)
        return names

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetInstanceNameList(self, exec_name: str) -> list[str]:
        servers = await self.query(self.store.servers, f"{exec_name}/*")
        return [s.split("/", 1)[1] for s in servers if "/" in s]

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetClassList(self, pattern: str) -> list[str]:
        return await self.query(self.store.classes, pattern)

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetHostList(self, pattern: str) -> list[str]:
        return await self.query(self.store.hosts, pattern)

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetHostServerList(self, host_pattern: str) -> list[str]:
        return await self.query(self.store.host_servers, host_pattern)

    # -- aliases -----------------------------------------------------------------------------------
    @command(dtype_in=_SA)
    async def DbPutDeviceAlias(self, argin: list[str]) -> None:
        args = self.need(argin, 2, "DbPutDeviceAlias", "device name, alias")
        await self.run(self.store.put_device_alias, args[0], args[1])

    @command(dtype_in=_S)
    async def DbDeleteDeviceAlias(self, alias: str) -> None:
        await self.run(self.store.delete_device_alias, alias)

    @command(dtype_in=_S, dtype_out=_S)
    async def DbGetAliasDevice(self, alias: str) -> str:
        return await self.query(self.store.alias_device, alias)

    @command(dtype_in=_S, dtype_out=_S)
    async def DbGetDeviceAlias(self, device: str) -> str:
        return await self.query(self.store.device_alias, device)

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetDeviceAliasList(self, pattern: str) -> list[str]:
        return await self.query(self.store.device_aliases, pattern)

    @command(dtype_in=_SA)
    async def DbPutAttributeAlias(self, argin: list[str]) -> None:
        args = self.need(argin, 2, "DbPutAttributeAlias", "attribute name, alias")
        await self.run(self.store.put_attribute_alias, args[0], args[1])

    @command(dtype_in=_S)
    async def DbDeleteAttributeAlias(self, alias: str) -> None:
        await self.run(self.store.delete_attribute_alias, alias)

    @command(dtype_in=_S, dtype_out=_S)
    async def DbGetAttributeAlias(self, alias: str) -> str:
        return await self.query(self.store.alias_attribute, alias)

    @command(dtype_in=_S, dtype_out=_S)
    async def DbGetAliasAttribute(self, alias: str) -> str:
        return await self.query(self.store.alias_attribute, alias)

    @command(dtype_in=_S, dtype_out=_S)
    async def DbGetAttributeAlias2(self, attribute_name: str) -> str:
        return await self.query(self.store.attribute_alias, attribute_name)

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetAttributeAliasList(self, pattern: str) -> list[str]:
        return await self.query(self.store.attribute_aliases, pattern)

    # -- Starter information, statistics, this control system -----------------------------------
    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetServerInfo(self, server: str) -> list[str]:
        info = await self.query(self.store.get_server_info, server)
        return [info.name, info.host, info.mode, info.level]

    @command(dtype_in=_SA)
    async def DbPutServerInfo(self, argin: list[str]) -> None:
        args = self.need(argin, 4, "DbPutServerInfo", "server, host, mode, level")
        await self.run(self.store.put_server_info, ServerInfo(*args[:4]))

    @command(dtype_in=_S)
    async def DbDeleteServerInfo(self, server: str) -> None:
        await self.run(self.store.delete_server_info, server)

    @command(dtype_in=_S, dtype_out=_SA)
    async def DbGetHostServersInfo(self, host: str) -> list[str]:
        infos = await self.query(self.store.host_servers_info, host)
        return [item for i in infos for item in (i.name, i.mode, i.level)]

    @command(dtype_out=_SA)
    async def DbGetCSDbServerList(self) -> list[str]:
        return list(self._server.control_system_addresses())

    @command(dtype_out=_SA)
    async def DbInfo(self) -> list[str]:
        c = await self.query(self.store.counts)
        try:
            since = (await self.query(self.store.device_info, self.get_name())).started
        except DevFailed:  # our own entry was deleted by a client
            since = "?"

        def hist(table: str) -> str:
            return f"{c[table]} [History lgth = {c[table + '_hist']}]"

        return [
            f"TANGO Database {self._server.store_description()}",
            " ",
            f"Running since {since}",
            " ",
            f"Devices defined = {c['devices']}",
            f"Devices exported = {c['exported']}",
            f"Device servers defined = {c['servers']}",
            f"Device servers exported = {c['servers_exported']}",
            " ",
            f"Device properties defined = {hist('property_device')}",
            f"Class properties defined = {hist('property_class')}",
            f"Device attribute properties defined = {hist('property_attribute_device')}",
            f"Class attribute properties defined = {hist('property_attribute_class')}",
            f"Object properties defined = {hist('property')}",
        ]

    @command
    async def ResetTimingValues(self) -> None:
        """No timing statistics are kept: nothing to reset."""

    # -- legacy and optional ----------------------------------------------------------------------
    @command(dtype_in=_SA, dtype_out=_SA)
    async def DbGetDataForServerCache(self, argin: list[str]) -> list[str]:
        """Refused: cppTango servers then make the individual calls (protocol.md §7.5)."""
        raise db_error(
            "API_CommandNotFound",
            "DbGetDataForServerCache is not implemented by this Database; "
            "use the individual commands",
            "DataBase::DbGetDataForServerCache()",
        )

    @command(dtype_in=_S, dtype_out=_LSA)
    async def DbImportEvent(self, name: str) -> Any:
        longs, strings = await self.query(self.store.import_event, name)
        return long_strings_reply(longs, strings)

    @command(dtype_in=_SA)
    async def DbExportEvent(self, argin: list[str]) -> None:
        """A notifd event channel (Tango < 8): kept for DbImportEvent, as the C++ Database."""
        args = self.need(argin, 5, "DbExportEvent", "name, IOR, host, pid, version")
        await self.run(self.store.export_event, *args[:5])

    @command(dtype_in=_S)
    async def DbUnExportEvent(self, name: str) -> None:
        await self.run(self.store.unexport_event, name)

    @command(dtype_in=_S, dtype_out=_LSA)
    async def DbMySqlSelect(self, query: str) -> Any:
        raise db_error(
            "DB_SQLError",
            "DbMySqlSelect is not supported: this Database does not run SQL from clients",
            "DataBase::DbMySqlSelect()",
        )
