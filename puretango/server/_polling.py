"""The polling of a device server: one :class:`Poller` for all its devices. It keeps the
polled objects of each device (attributes and commands, in the order they were added),
reads them at their periods through the servant's own read and command paths, keeps the
last records of each in a ring buffer (:class:`PolledObject`), answers the admin device's
polling commands with cppTango's checks and reasons, and writes DevPollStatus's text.

Rule 1: polling runs as asyncio tasks on the server loop: one per device and period for
attributes (attributes of a device with the same period are read together, in one read,
as cppTango does), one per polled command. Device code runs through the servant, so a
polled read is exactly what a client read returns.

Rule 2: after every polled read of an attribute the poller hands the AttributeValue_5 to
``server.events.attribute_polled(device, attribute, value)`` (on the loop).

Rule 3: with a Database, what is polled is stored in the device properties ``polled_attr``
and ``polled_cmd`` (``[name, period_ms, ...]``, names lower-cased as cppTango writes them)
and read back at start-up, with ``poll_ring_depth`` (default 10); ``polling_period=`` on a
declaration polls it too unless ``non_auto_polled_attr``/``non_auto_polled_cmd`` list it.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from .._errors import DevFailed, make_error
from ..giop._typecode import Any as CorbaAny
from ..idl._enums import CmdArgType, DevSource
from ..idl._values import DevError
from ._device_polling import with_device_overrides

if TYPE_CHECKING:
    from ._servant import ClientInfo, DeviceServant
    from ._server import DeviceServer

__all__ = ["Poller", "PolledObject", "PollRecord", "MIN_POLL_PERIOD", "DEFAULT_RING_DEPTH"]

log = logging.getLogger("puretango.server.polling")

#: the smallest period accepted (ms), as cppTango's MIN_POLL_PERIOD
MIN_POLL_PERIOD = 5
#: records kept per polled object unless the device property ``poll_ring_depth`` says
DEFAULT_RING_DEPTH = 10
#: a cache older than this many periods is "not updated any more" (cppTango's default)
POLL_OLD_FACTOR = 4
_KINDS = ("attribute", "command")
_PROPERTIES = {"attribute": "polled_attr", "command": "polled_cmd"}
_NON_AUTO = {"attribute": "non_auto_polled_attr", "command": "non_auto_polled_cmd"}


class PollRecord:
    """One polled read: when it happened, its value (an AttributeValue_5 for attributes,
    the command's result ``any`` for commands) and its errors (non-empty: it failed)."""

    __slots__ = ("when", "value", "errors")

    def __init__(self, when: float, value: Any, errors: Sequence[DevError]) -> None:
        self.when, self.value, self.errors = when, value, list(errors)


class PolledObject:
    """A polled attribute or command of one device and its ring buffer of records."""

    __slots__ = ("kind", "name", "period", "ring", "needed_ms")

    def __init__(self, kind: str, name: str, period: int, depth: int) -> None:
        self.kind = kind
        #: the declared name (``State``/``Status`` for those two)
        self.name = name
        #: ms; 0 is "externally triggered" (never polled by the poller)
        self.period = period
        self.ring: collections.deque[PollRecord] = collections.deque(maxlen=depth)
        #: how long the last read took (ms)
        self.needed_ms = 0.0

    @property
    def key(self) -> str:
        return self.name.lower()

    def push(self, record: PollRecord, needed_ms: float) -> None:
        self.ring.append(record)
        self.needed_ms = needed_ms

    def last(self, depth: int) -> list[PollRecord]:
        """The last ``depth`` records, oldest first."""
        records = list(self.ring)
        return records[-depth:] if depth > 0 else []

    def is_stale(self, now: float) -> bool:
        """True when polling stopped refreshing it (cppTango's "not updated any more")."""
        if not self.period or not self.ring:
            return False
        return now - self.ring[-1].when > POLL_OLD_FACTOR * self.period / 1000.0 + 0.05


def _polling_client() -> ClientInfo:
    from ._servant import ClientInfo

    return ClientInfo(host="polling")


def _error(reason: str, desc: str, origin: str) -> DevFailed:
    return DevFailed(make_error(reason, desc, origin))


def device_name_of(name: str) -> str:
    """``tango://host:port/a/b/c#dbase=no`` -> ``a/b/c``."""
    name = name.split("#")[0]
    if "://" in name:
        name = name.split("://", 1)[1].split("/", 1)[1]
    return name


class Poller:
    """Polls the attributes and commands of a server's devices at their periods."""

    def __init__(self, server: DeviceServer) -> None:
        self._server = server
        #: lower-cased device name -> its polled objects, in the order they were added
        self._objects: dict[str, list[PolledObject]] = {}
        #: lower-cased device name -> ring depth
        self._depths: dict[str, int] = {}
        #: lower-cased device name -> {kind: [name, period, ...]} as in the Database
        self._stored: dict[str, dict[str, list[str]]] = {}
        self._non_auto: dict[str, dict[str, list[str]]] = {}
        self._tasks: dict[tuple[str, str, Any], asyncio.Task[None]] = {}
        #: False between StopPolling and StartPolling
        self.running = True
        self._started = False

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Start polling what the devices and the Database declare as polled."""
        self._started = True
        for servant in self._server.device_servants():
            await self._load_device(servant)
        for device in list(self._objects):
            self._schedule(device)

    async def _load_device(self, servant: DeviceServant) -> None:
        key = servant.name.lower()
        props: dict[str, list[str]] = {}
        database = self._server.database
        if database is not None:
            names = ["poll_ring_depth", *_PROPERTIES.values(), *_NON_AUTO.values()]
            loop = asyncio.get_running_loop()
            try:
                props = await loop.run_in_executor(
                    self._server.executor, database.get_device_properties, servant.name, names
                )
            except Exception:  # noqa: BLE001 - a server starts without its polling then
                log.exception("cannot read the polling properties of %s", servant.name)
        try:
            self._depths[key] = int(props.get("poll_ring_depth", [DEFAULT_RING_DEPTH])[0])
        except ValueError:
            self._depths[key] = DEFAULT_RING_DEPTH
        self._stored[key] = {k: list(props.get(p, [])) for k, p in _PROPERTIES.items()}
        self._non_auto[key] = {
            k: [n.lower() for n in props.get(p, [])] for k, p in _NON_AUTO.items()
        }
        wanted: list[tuple[str, str, int]] = []
        for kind, stored in self._stored[key].items():
            for name, period in zip(stored[0::2], stored[1::2]):
                try:
                    wanted.append((kind, name, int(period)))
                except ValueError:
                    log.warning("bad polling period %r for %s/%s", period, servant.name, name)
        declared: list[tuple[str, str, Any]] = [
            ("attribute", a.name, a.decl.kwargs.get("polling_period"))
            for a in servant.attributes.values()
        ]
        cls = type(servant.device)
        declared += [
            ("command", c.name, cls._commands[k].kwargs.get("polling_period"))
            for k, c in servant.commands.items()
            if k in cls._commands
        ]
        for kind, name, declared_period in declared:
            if not declared_period or name.lower() in self._non_auto[key][kind]:
                continue
            if not any(k == kind and n.lower() == name.lower() for k, n, _ in wanted):
                wanted.append((kind, name, int(declared_period)))
        wanted = with_device_overrides(servant.device, wanted)  # device code's poll_attribute
        for kind, name, ms in wanted:
            try:
                self._add(servant, kind, name, ms)
            except DevFailed as exc:
                log.warning("cannot poll %s %s of %s: %s", kind, name, servant.name, exc)

    async def stop(self) -> None:
        """Stop every polling task."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- queries -------------------------------------------------------------------------

    def period_of(self, device: str, kind: str, name: str) -> int | None:
        """The polling period in ms of ``kind`` (``"attribute"`` or ``"command"``) ``name``
        of ``device``, or None when it is not polled."""
        obj = self.find(device, kind, name)
        return None if obj is None else obj.period

    def polls(self, device: str) -> bool:
        """True when ``device`` (its name as served) has polled objects (a quick test for
        the reads every client makes with ``CACHE_DEV``)."""
        return bool(self._objects.get(device.lower()))

    def find(self, device: str, kind: str, name: str) -> PolledObject | None:
        """The polled object, or None (``State``/``Status`` are polled as attributes)."""
        key = name.lower()
        if key in ("state", "status"):
            kind = "attribute"
        for obj in self._objects.get(device_name_of(device).lower(), ()):
            if obj.kind == kind and obj.key == key:
                return obj
        return None

    def ring_depth(self, device: str) -> int:
        return self._depths.get(device.lower(), DEFAULT_RING_DEPTH)

    def polled_devices(self) -> list[str]:
        """The names of the devices with polled objects, sorted (PolledDevice)."""
        servants = self._server.device_servants()
        return sorted(s.name for s in servants if self._objects.get(s.name.lower()))

    def status(self, device: str) -> list[str]:
        """DevPollStatus: one text per polled object, commands first, as cppTango."""
        servant = self._servant(device)
        objects = self._objects.get(servant.name.lower(), [])
        depth = self.ring_depth(servant.name)
        groups: dict[int, list[str]] = {}
        for obj in objects:
            if obj.kind == "attribute":
                groups.setdefault(obj.period, []).append(obj.name)
        commands: list[str] = []
        attributes: list[str] = []
        now = time.time()
        for obj in objects:
            text = _status_text(obj, depth, groups.get(obj.period, []), now)
            if obj.kind == "command":
                commands.append(text)
                continue
            attributes.append(text)
            if obj.key in ("state", "status"):
                commands.append(text.replace("attribute", "command"))
        return commands + attributes

    # -- the admin device's commands -----------------------------------------------------

    def _servant(self, device: str) -> DeviceServant:
        name = device_name_of(device)
        for servant in self._server.device_servants():
            if servant.name.lower() == name.lower():
                return servant
        raise _error("API_DeviceNotFound", f"Device {name} not found", "Util::get_device_by_name")

    async def add_polling(self, periods: Sequence[int], names: Sequence[str]) -> None:
        """AddObjPolling: ``periods = [ms]``, ``names = [device, kind, object]``."""
        origin = "DServer::add_obj_polling"
        if len(names) != 3 or len(periods) != 1:
            raise _error("API_WrongNumberOfArgs", "Incorrect number of inout arguments", origin)
        servant = self._device_for(names[0], origin)
        obj = self._add(servant, names[1], names[2], int(periods[0]))
        await self._store(servant.name, obj.kind, obj.key, str(obj.period))
        self._schedule(servant.name.lower())

    def _device_for(self, device: str, origin: str) -> DeviceServant:
        try:
            return self._servant(device)
        except DevFailed as exc:
            name = device_name_of(device)
            raise DevFailed(
                *exc.errors, make_error("API_DeviceNotFound", f"Device {name} not found", origin)
            ) from None

    def _add(self, servant: DeviceServant, kind: str, name: str, period: int) -> PolledObject:
        origin = "DServer::add_obj_polling"
        kind = _kind(kind, origin)
        key = name.lower()
        if key in ("state", "status"):
            kind, declared = "attribute", "State" if key == "state" else "Status"
        elif kind == "command":
            cmd = servant._command(name)
            if cmd.in_type is not CmdArgType.DevVoid:
                raise _error(
                    "API_IncompatibleCmdArgumentType",
                    f"Command {key} cannot be polled because it needs input value",
                    "DeviceImpl::check_command_exists",
                )
            if key == "init":
                desc = "It's not possible to poll the Init command!"
                raise _error("API_NotSupported", desc, origin)
            declared = cmd.name
        else:
            declared = servant._attribute(name).name
        if self.find(servant.name, kind, key) is not None:
            what = "Command" if kind == "command" else "Attribute"
            raise _error("API_AlreadyPolled", f"{what} {key} already polled", origin)
        _check_period(period, origin)
        obj = PolledObject(kind, declared, period, self.ring_depth(servant.name))
        self._objects.setdefault(servant.name.lower(), []).append(obj)
        return obj

    def _polled(self, names: Sequence[str], origin: str) -> tuple[DeviceServant, PolledObject]:
        servant = self._device_for(names[0], origin)
        if not self._objects.get(servant.name.lower()):
            raise _error("API_DeviceNotPolled", f"Device {names[0]} is not polled", origin)
        kind = _kind(names[1].lower(), origin)
        obj = self.find(servant.name, kind, names[2])
        if obj is None:
            raise _error(
                "API_PollObjNotFound",
                f"{names[2].lower()} not found in list of polled object",
                "DeviceImpl::get_polled_obj_by_type_name",
            )
        return servant, obj

    async def update_period(self, periods: Sequence[int], names: Sequence[str]) -> None:
        """UpdObjPollingPeriod: same arguments as :meth:`add_polling`."""
        origin = "DServer::upd_obj_polling_period"
        if len(names) != 3 or len(periods) != 1:
            raise _error("API_WrongNumberOfArgs", "Incorrect number of inout arguments", origin)
        servant, obj = self._polled(names, origin)
        period = int(periods[0])
        _check_period(period, "DServer::upd_obj_polling")
        obj.period = period
        await self._store(servant.name, obj.kind, obj.key, str(period))
        self._schedule(servant.name.lower())

    async def remove_polling(self, names: Sequence[str]) -> None:
        """RemObjPolling: ``[device, kind, object]``."""
        origin = "DServer::rem_obj_polling"
        if len(names) != 3:
            raise _error("API_WrongNumberOfArgs", "Incorrect number of inout arguments", origin)
        servant, obj = self._polled(names, origin)
        self._objects[servant.name.lower()].remove(obj)
        await self._store(servant.name, obj.kind, obj.key, None)
        self._schedule(servant.name.lower())

    # -- the Database ----------------------------------------------------------------------

    async def _store(self, device: str, kind: str, key: str, period: str | None) -> None:
        """Record in ``polled_attr``/``polled_cmd`` (and the Database, if any) that ``key``
        is polled at ``period`` (None: no longer polled)."""
        dev = device.lower()
        stored = self._stored.setdefault(dev, {k: [] for k in _KINDS})[kind]
        pairs = [[n, p] for n, p in zip(stored[0::2], stored[1::2])]
        found = next((pair for pair in pairs if pair[0].lower() == key), None)
        prop, values = _PROPERTIES[kind], None
        if period is None:
            if found is not None:
                pairs.remove(found)
            else:  # a polling declared in the code: remembered as not to be polled
                non_auto = self._non_auto.setdefault(dev, {k: [] for k in _KINDS})[kind]
                if key not in non_auto:
                    non_auto.append(key)
                prop, values = _NON_AUTO[kind], list(non_auto)
        elif found is not None:
            found[1] = period
        else:
            non_auto = self._non_auto.get(dev, {}).get(kind, [])
            if key in non_auto:
                non_auto.remove(key)
            pairs.append([key, period])
        stored[:] = [s for pair in pairs for s in pair]
        if values is None:
            values = list(stored)
        database = self._server.database
        if database is None:
            return
        loop = asyncio.get_running_loop()
        if values:
            await loop.run_in_executor(
                self._server.executor, database.put_device_properties, device, {prop: values}
            )
        else:
            await loop.run_in_executor(
                self._server.executor, database.delete_device_properties, device, [prop]
            )

    # -- the polling tasks -------------------------------------------------------------------

    def _schedule(self, device: str) -> None:
        """Start the tasks ``device``'s polled objects need, cancel those no longer needed."""
        if not self._started or self._server.loop is None:
            return
        wanted: set[tuple[str, str, Any]] = set()
        for obj in self._objects.get(device, []):
            if obj.period > 0:
                wanted.add((device, obj.kind, obj.period if obj.kind == "attribute" else obj.key))
        for group in [g for g in self._tasks if g[0] == device and g not in wanted]:
            self._tasks.pop(group).cancel()
        for group in wanted - set(self._tasks):
            self._tasks[group] = asyncio.ensure_future(self._run(group))

    async def _run(self, group: tuple[str, str, Any]) -> None:
        device, kind, which = group
        loop = asyncio.get_running_loop()
        next_time = loop.time()
        while True:
            objects = [
                o
                for o in self._objects.get(device, [])
                if o.kind == kind and (o.period if kind == "attribute" else o.key) == which
            ]
            if not objects:
                return
            period = objects[0].period / 1000.0
            if self.running:
                try:
                    if kind == "attribute":
                        await self._poll_attributes(device, objects)
                    else:
                        await self._poll_command(device, objects[0])
                except asyncio.CancelledError:
                    raise
                except Exception:  # noqa: BLE001 - a bug of ours must not stop the polling
                    log.exception("polling %s of %s failed", which, device)
            next_time += period
            now = loop.time()
            if next_time < now:  # late (a slow read): start again from now
                next_time = now + period
            await asyncio.sleep(next_time - now)

    async def _poll_attributes(self, device: str, objects: list[PolledObject]) -> None:
        servant = self._servant(device)
        names = [o.name for o in objects]
        when, start = time.time(), time.perf_counter()
        values = await _on_device(servant, servant._read_values(names, _polling_client()))
        needed = (time.perf_counter() - start) * 1000.0
        events = self._server.events
        for obj, value in zip(objects, values):
            obj.push(PollRecord(when, value, value.err_list), needed)
            events.attribute_polled(servant.name, obj.name, value)

    async def _poll_command(self, device: str, obj: PolledObject) -> None:
        servant = self._servant(device)
        args = [obj.name, CorbaAny(_NULL_TC, None), DevSource.DEV, None]
        when, start = time.time(), time.perf_counter()
        try:
            result = await _on_device(servant, servant._op_command_inout(args, _polling_client()))
            record = PollRecord(when, result, ())
        except DevFailed as exc:
            record = PollRecord(when, None, exc.errors)
        obj.push(record, (time.perf_counter() - start) * 1000.0)


async def _on_device(servant: DeviceServant, operation: Coroutine[Any, Any, Any]) -> Any:
    """Run a servant operation as a request runs it: a synchronous device's whole on a
    worker thread (an operation cancelled before it started is closed, not leaked)."""
    if not servant.bridge.threaded:
        return await operation
    try:
        return await servant.bridge.run_on_worker(operation)
    finally:
        try:
            operation.close()  # a no-op once it has run
        except (RuntimeError, ValueError):  # still running on the worker thread
            pass


def _null_tc() -> Any:
    from ..idl._cmdargs import command_typecode

    return command_typecode(CmdArgType.DevVoid)


_NULL_TC = _null_tc()


def _kind(kind: str, origin: str) -> str:
    if kind.lower() not in _KINDS:
        raise _error("API_NotSupported", f"Object type {kind} not supported", origin)
    return kind.lower()


def _check_period(period: int, origin: str) -> None:
    if period != 0 and period < MIN_POLL_PERIOD:
        raise _error(
            "API_NotSupported",
            f"{period} is below the min authorized period ({MIN_POLL_PERIOD} mS)",
            origin,
        )


def _since(seconds: float) -> str:
    """cppTango's "Data not updated since" text."""
    seconds = max(seconds, 0.0)
    if seconds < 1.0:
        return f"{int(seconds * 1000)} mS"
    if seconds < 60.0:
        return f"{int(seconds)} S and {int((seconds - int(seconds)) * 1000)} mS"
    minutes = int(seconds / 60)
    secs = int(seconds - 60 * minutes)
    msecs = int((seconds - int(seconds)) * 1000)
    text = f"{minutes} MN"
    if secs:
        text += f" ,{secs} S"
    if msecs:
        text += f" and {msecs} mS"
    return text


def _status_text(obj: PolledObject, depth: int, together: list[str], now: float) -> str:
    """The DevPollStatus text of one polled object (cppTango's lines, in its order)."""
    lines = [f"Polled {obj.kind} name = {obj.name}"]
    if obj.period == 0:
        lines.append("Polling externally triggered")
    else:
        lines.append(f"Polling period (mS) = {obj.period}")
    lines.append(f"Polling ring buffer depth = {depth}")
    records = list(obj.ring)
    if not records:
        lines.append("No data recorded yet")
        return "\n".join(lines)
    if obj.needed_ms == 0.0:
        lines.append("The polling buffer is externally filled in")
    elif obj.period != 0:
        if obj.kind == "command":
            what = "command execution (mS) = "
        elif len(together) > 1:
            what = f"attributes ({' + '.join(together)}) reading (mS) = "
        else:
            what = "attribute reading (mS) = "
        lines.append(f"Time needed for the last {what}{obj.needed_ms:.3f}")
        since = now - records[-1].when - obj.needed_ms / 1000.0
        lines.append(f"Data not updated since {_since(since)}")
    if len(records) >= 2:
        newest_first = records[::-1][:5]
        deltas = [
            str(int((a.when - b.when) * 1000)) for a, b in zip(newest_first, newest_first[1:])
        ]
        lines.append("Delta between last records (in mS) = " + ", ".join(deltas))
    last = records[-1]
    if last.errors:
        what = "command execution" if obj.kind == "command" else "attribute read"
        err = last.errors[0]
        lines.append(
            f"Last {what} FAILED :\n\tReason = {err.reason}\n\tDesc = {err.desc}"
            f"\n\tOrigin = {err.origin}"
        )
    return "\n".join(lines)
