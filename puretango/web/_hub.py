"""Device proxies of ``puretango web`` and the one-shot operations of its HTTP API: the
tree, a device's description, a write, a command, properties.

Rules: every Tango call is puretango's asyncio mode awaited on the server's loop (no thread
pool); one proxy per device name for the whole process, made once even when many requests
ask for it together; attribute configurations are cached per device (the live side needs
the enum labels and types); any failure becomes an ERROR object, never an HTTP error.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from ..idl._enums import AttrDataFormat, AttrWriteType, CmdArgType
from ._json import error_json, parse_argin, parse_text, value_json

__all__ = ["Hub"]

_ALL_ATTRIBUTES = "All attributes_3"


def _name(value: Any) -> str:
    return str(getattr(value, "name", value))


class Hub:
    """The proxies of one ``puretango web`` process (make it on the serving loop)."""

    def __init__(self, timeout: float = 3.0) -> None:
        self.timeout = timeout
        self._proxies: dict[str, asyncio.Future[Any]] = {}
        self._configs: dict[str, dict[str, Any]] = {}
        self._database: asyncio.Future[Any] | None = None

    # -- proxies -------------------------------------------------------------------------------

    async def proxy(self, name: str) -> Any:
        """The asyncio ``DeviceProxy`` of ``name`` (made once; a failed one is retried)."""
        future = self._proxies.get(name)
        if future is None:
            future = asyncio.ensure_future(self._make_proxy(name))
            self._proxies[name] = future
        try:
            return await asyncio.shield(future)
        except BaseException:
            if self._proxies.get(name) is future and future.done():
                del self._proxies[name]
            raise

    async def _make_proxy(self, name: str) -> Any:
        from ..asyncio import DeviceProxy

        proxy = await DeviceProxy(name)
        proxy.set_timeout_millis(int(self.timeout * 1000))
        return proxy

    async def database(self) -> Any:
        """The asyncio ``Database`` of ``TANGO_HOST`` (made once; a failed one is retried)."""
        future = self._database
        if future is None:
            from ..asyncio import Database

            future = self._database = asyncio.ensure_future(Database())
        try:
            return await asyncio.shield(future)
        except BaseException:
            if self._database is future and future is not None and future.done():
                self._database = None
            raise

    async def configs(self, name: str, refresh: bool = False) -> dict[str, Any]:
        """Lower-case attribute name -> ``AttributeInfoEx`` of device ``name`` (cached)."""
        cached = self._configs.get(name)
        if cached is not None and not refresh:
            return cached
        proxy = await self.proxy(name)
        infos = await proxy.get_attribute_config_ex(_ALL_ATTRIBUTES)
        configs = {info.name.lower(): info for info in infos}
        self._configs[name] = configs
        return configs

    async def config(self, name: str, attribute: str) -> Any | None:
        """The ``AttributeInfoEx`` of one attribute, or None when the device has no such one."""
        configs = await self.configs(name)
        info = configs.get(attribute.lower())
        if info is None:  # a dynamic attribute added since: ask again once
            info = (await self.configs(name, refresh=True)).get(attribute.lower())
        return info

    # -- the HTTP API ----------------------------------------------------------------------------

    async def tree(self) -> dict[str, Any]:
        """Every device of the Database with its server, class and exported flag."""
        tango_host = os.environ.get("TANGO_HOST") or None
        try:
            db = await self.database()
            servers = list((await db.get_server_list("*")).value_string)
            exported_list = (await db.get_device_exported("*")).value_string
            exported = {d.lower() for d in exported_list}
            listings = await asyncio.gather(
                *(db.get_device_class_list(s) for s in servers), return_exceptions=True
            )
        except Exception as exc:  # noqa: BLE001 - no Database: an empty tree and the reason
            return {"tango_host": tango_host, "devices": [], "error": error_json(exc)}
        devices = []
        for server, listing in zip(servers, listings):
            if isinstance(listing, BaseException):
                continue
            pairs = list(listing.value_string)
            for device, klass in zip(pairs[0::2], pairs[1::2]):
                devices.append(
                    {
                        "name": device,
                        "server": server,
                        "class": klass,
                        "exported": device.lower() in exported,
                    }
                )
        devices.sort(key=lambda d: d["name"].lower())
        return {"tango_host": tango_host, "devices": devices, "error": None}

    async def describe(self, name: str) -> dict[str, Any]:
        """State, status, attributes, commands and properties of one device."""
        result: dict[str, Any] = {
            "name": name,
            "state": "UNKNOWN",
            "status": "",
            "attributes": [],
            "commands": [],
            "properties": {},
            "error": None,
        }
        try:
            proxy = await self.proxy(name)
            configs, commands = await asyncio.gather(
                self.configs(name, refresh=True), proxy.get_command_config()
            )
        except Exception as exc:  # noqa: BLE001 - shown on the page
            result["error"] = error_json(exc)
            return result
        result["attributes"] = [_attribute_json(info) for info in configs.values()]
        result["commands"] = [_command_json(info) for info in commands]
        answers: tuple[Any, ...] = await asyncio.gather(
            proxy.state(), proxy.status(), self._properties(proxy), return_exceptions=True
        )
        state, status, properties = answers
        if isinstance(state, BaseException):
            result["error"] = error_json(state)
        else:
            result["state"] = _name(state)
        if not isinstance(status, BaseException):
            result["status"] = str(status)
        if not isinstance(properties, BaseException):
            result["properties"] = properties
        return result

    async def _properties(self, proxy: Any) -> dict[str, list[str]]:
        names = list(await proxy.get_property_list("*"))
        if not names:
            return {}
        values = await proxy.get_property(names)
        return {name: [str(v) for v in values.get(name, [])] for name in names}

    async def write(self, device: str, attribute: str, text: str) -> dict[str, Any]:
        """Convert ``text`` to the attribute's type and write it."""
        try:
            info = await self.config(device, attribute)
            if info is None:
                raise ValueError(f"{device} has no attribute {attribute}")
            value = parse_text(text, info.data_type, info.data_format, list(info.enum_labels))
            proxy = await self.proxy(device)
            await proxy.write_attribute(info.name, value)
        except Exception as exc:  # noqa: BLE001 - shown next to the field
            return {"ok": False, "error": error_json(exc)}
        return {"ok": True}

    async def command(self, device: str, command: str, argin: str) -> dict[str, Any]:
        """Run a command with ``argin`` converted to its input type."""
        try:
            proxy = await self.proxy(device)
            info = await proxy.get_command_config(command)
            value = parse_argin(argin, info.in_type)
            if value is None:
                result = await proxy.command_inout(info.cmd_name)
            else:
                result = await proxy.command_inout(info.cmd_name, value)
        except Exception as exc:  # noqa: BLE001 - shown beside the command
            return {"ok": False, "error": error_json(exc)}
        return {"ok": True, "result": value_json(result, info.out_type)}

    async def put_properties(self, device: str, properties: dict[str, Any]) -> dict[str, Any]:
        """Store device properties in the Database."""
        try:
            if not isinstance(properties, dict):
                raise ValueError("properties must be an object {name: [values]}")
            clean = {
                str(k): [str(x) for x in (v if isinstance(v, list) else [v])]
                for k, v in properties.items()
            }
            proxy = await self.proxy(device)
            await proxy.put_property(clean)
        except Exception as exc:  # noqa: BLE001
            return {"ok": False, "error": error_json(exc)}
        return {"ok": True}


def _attribute_json(info: Any) -> dict[str, Any]:
    return {
        "name": info.name,
        "label": info.label,
        "unit": info.unit,
        "format": _name(AttrDataFormat(info.data_format)),
        "type": _name(CmdArgType(info.data_type)),
        "writable": _name(AttrWriteType(info.writable)),
        "enum_labels": [str(x) for x in info.enum_labels],
        "min_value": str(info.min_value),
        "max_value": str(info.max_value),
        "description": str(info.description),
    }


def _command_json(info: Any) -> dict[str, Any]:
    return {
        "name": info.cmd_name,
        "in_type": _name(CmdArgType(info.in_type)),
        "out_type": _name(CmdArgType(info.out_type)),
        "in_desc": str(info.in_type_desc),
        "out_desc": str(info.out_type_desc),
    }
