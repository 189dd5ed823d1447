"""Live values for the pages of ``puretango web``: Tango events where the device offers
them, polling otherwise, fanned out to every WebSocket that watches.

Rules:
- A :class:`Feed` is one device at one period. Whatever the number of pages watching it,
  its attributes are read once per period in one ``read_attributes`` (those not fed by
  events), and each update is encoded to JSON once; the same text goes to every page.
- Each attribute of a feed first tries a ``CHANGE_EVENT`` subscription, then a
  ``PERIODIC_EVENT`` one; it is polled while trying and whenever both fail (remembered for
  the life of the process, so a device without events costs two refusals per attribute once).
- A :class:`Page` queues the JSON texts of the updates for its WebSocket and sends them as
  one frame ``{"updates": [...]}``, at most once every ``FLUSH_PERIOD``; a page that does
  not read keeps only the newest ``PAGE_BACKLOG`` updates.
- A failing attribute gives an update with ``error`` set; it never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..idl._enums import AttrDataFormat, CmdArgType, EventType
from ._hub import Hub
from ._json import dumps, error_json, stack_json, value_json

__all__ = ["Live", "Page", "Feed", "Stats", "FLUSH_PERIOD", "ALWAYS"]

#: Seconds between two frames to one page (at most).
FLUSH_PERIOD = 0.1
#: Updates kept for a page that does not read its WebSocket.
PAGE_BACKLOG = 2000
#: Attributes every watch includes.
ALWAYS = ("State", "Status")
#: Shortest and longest poll period accepted from a page, seconds.
PERIOD_RANGE = (0.05, 3600.0)
_EVENT_TYPES = (EventType.CHANGE_EVENT, EventType.PERIODIC_EVENT)


@dataclass
class Stats:
    """Counters shown by ``GET /api/stats``."""

    reads: int = 0  # read_attributes calls (one per feed per period)
    updates_sent: int = 0  # UPDATE items sent, summed over pages
    events: int = 0  # events received
    pages: int = 0  # open WebSockets

    def as_json(self, feeds: int) -> dict[str, int]:
        return {
            "reads": self.reads,
            "updates_sent": self.updates_sent,
            "events": self.events,
            "pages": self.pages,
            "feeds": feeds,
        }


class Page:
    """One WebSocket: its watches and the updates waiting for the next frame."""

    def __init__(self, live: Live, send: Callable[[str], Awaitable[Any]]) -> None:
        self.live = live
        self._send = send
        self._pending: list[str] = []
        self._wake = asyncio.Event()
        self.feeds: dict[str, Feed] = {}  # device name -> the feed it watches
        self._task = asyncio.ensure_future(self._flush_loop())

    def push(self, fragment: str) -> None:
        pending = self._pending
        pending.append(fragment)
        if len(pending) > PAGE_BACKLOG:
            del pending[: len(pending) - PAGE_BACKLOG]
        self._wake.set()

    async def _flush_loop(self) -> None:
        stats = self.live.stats
        while True:
            await self._wake.wait()
            self._wake.clear()
            pending, self._pending = self._pending, []
            if pending:
                await self._send('{"updates":[' + ",".join(pending) + "]}")
                stats.updates_sent += len(pending)
            await asyncio.sleep(FLUSH_PERIOD)

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(BaseException):
            await self._task


class Feed:
    """One device at one period: the attributes some pages watch, read or subscribed."""

    def __init__(self, live: Live, device: str, period: float) -> None:
        self.live = live
        self.device = device
        self.period = period
        self.watchers: dict[Page, frozenset[str]] = {}  # page -> lower-case names
        self.names: dict[str, str] = {}  # lower-case -> name as first asked
        self.last: dict[str, str] = {}  # lower-case -> JSON of its latest update
        self.subscribed: dict[str, int] = {}  # lower-case -> event id
        self.trying: set[str] = set()  # subscriptions under way
        self.missing: set[str] = set()  # names the device does not have
        self.configs: dict[str, Any] = {}
        self._proxy: Any = None
        self._tasks: set[asyncio.Future[Any]] = set()
        self._loop_task = asyncio.ensure_future(self._poll_loop())

    # -- watchers ------------------------------------------------------------------------------

    def set_watch(self, page: Page, attributes: Iterable[str]) -> None:
        """``page`` watches ``attributes`` of this device (replacing what it watched)."""
        wanted: dict[str, str] = {}
        for name in (*ALWAYS, *attributes):
            wanted.setdefault(name.lower(), name)
        self.watchers[page] = frozenset(wanted)
        new = [name for low, name in wanted.items() if low not in self.names]
        for low, name in wanted.items():
            self.names.setdefault(low, name)
            fragment = self.last.get(low)
            if fragment is not None:
                page.push(fragment)
        self._forget_unwatched()
        if new:
            self._spawn(self._start(new))

    def drop(self, page: Page) -> bool:
        """``page`` no longer watches; True when nobody does any more."""
        self.watchers.pop(page, None)
        self._forget_unwatched()
        return not self.watchers

    def _forget_unwatched(self) -> None:
        watched = set().union(*self.watchers.values()) if self.watchers else set()
        for low in [low for low in self.names if low not in watched]:
            del self.names[low]
            self.last.pop(low, None)
            self.missing.discard(low)
            event_id = self.subscribed.pop(low, None)
            if event_id is not None:
                self._spawn(self._unsubscribe(event_id))

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        self._loop_task.cancel()
        for task in list(self._tasks):
            task.cancel()
        for event_id in self.subscribed.values():
            with contextlib.suppress(Exception):
                await self._proxy.unsubscribe_event(event_id)
        self.subscribed.clear()

    # -- delivery ------------------------------------------------------------------------------

    def _deliver(self, low: str, update: dict[str, Any]) -> None:
        fragment = dumps(update)  # once, for every page
        self.last[low] = fragment
        for page, watched in self.watchers.items():
            if low in watched:
                page.push(fragment)

    def _update(self, low: str, da: Any, source: str) -> dict[str, Any]:
        info = self.configs.get(low)
        name = self.names.get(low, getattr(da, "name", low))
        if getattr(da, "has_failed", False):
            error: Any = stack_json(da.get_err_stack())
            value: Any = None
        else:
            error = None
            labels = list(info.enum_labels) if info is not None else ()
            value = value_json(da.value, da.type, labels)
        data_type, data_format = da.type, da.data_format
        if info is not None and (error is not None or data_format == AttrDataFormat.FMT_UNKNOWN):
            data_type, data_format = info.data_type, info.data_format
        stamp = da.time.totime() if da.time is not None else 0.0
        return {
            "device": self.device,
            "attribute": name,
            "value": value,
            "quality": str(getattr(da.quality, "name", da.quality)),
            "time": stamp or time.time(),
            "format": str(getattr(AttrDataFormat(data_format), "name", data_format)),
            "type": str(getattr(CmdArgType(data_type), "name", data_type)),
            "dim": [int(da.dim_x), int(da.dim_y)],
            "error": error,
            "source": source,
        }

    def _error_update(self, low: str, error: dict[str, str], source: str) -> dict[str, Any]:
        info = self.configs.get(low)
        return {
            "device": self.device,
            "attribute": self.names.get(low, low),
            "value": None,
            "quality": "ATTR_INVALID",
            "time": time.time(),
            "format": info.data_format.name if info is not None else "FMT_UNKNOWN",
            "type": CmdArgType(info.data_type).name if info is not None else "Unknown",
            "dim": [0, 0],
            "error": error,
            "source": source,
        }

    # -- polling --------------------------------------------------------------------------------

    async def _connect(self) -> Any:
        if self._proxy is None:
            self._proxy = await self.live.hub.proxy(self.device)
            with contextlib.suppress(Exception):  # labels and types of failed reads only
                self.configs = await self.live.hub.configs(self.device)
        return self._proxy

    def _polled(self) -> list[str]:
        skip = self.subscribed.keys() | self.missing
        return [name for low, name in self.names.items() if low not in skip]

    async def _poll_loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()  # the first values come from _start
        while True:
            next_at += self.period
            now = loop.time()
            if next_at < now:  # a read longer than the period: no burst to catch up
                next_at = now
            await asyncio.sleep(next_at - now)
            names = self._polled()
            if names:
                await self._read(names)

    async def _read(self, names: list[str]) -> None:
        self.live.stats.reads += 1
        try:
            proxy = await self._connect()
            results = await proxy.read_attributes(names)
        except Exception as exc:  # noqa: BLE001 - every attribute shows the failure
            error = error_json(exc)
            if error["reason"] == "API_AttrNotFound" and len(names) > 1:
                await self._find_missing(names)
                return
            for name in names:
                self._deliver(name.lower(), self._error_update(name.lower(), error, "poll"))
            return
        for name, da in zip(names, results):
            low = name.lower()
            if low in self.names:
                self._deliver(low, self._update(low, da, "poll"))

    async def _find_missing(self, names: list[str]) -> None:
        """One name unknown to the device fails the whole read: set those apart."""
        try:
            configs = await self.live.hub.configs(self.device, refresh=True)
        except Exception:  # noqa: BLE001 - the next period tries again
            return
        self.configs = configs
        for name in names:
            low = name.lower()
            if low not in configs and low not in ("state", "status"):
                self.missing.add(low)
                error = {
                    "reason": "API_AttrNotFound",
                    "desc": f"{self.device} has no attribute {name}",
                    "origin": "puretango.web",
                }
                self._deliver(low, self._error_update(low, error, "poll"))

    # -- events ----------------------------------------------------------------------------------

    async def _start(self, names: list[str]) -> None:
        """First values of newly watched attributes at once, then try events for them."""
        await self._read(names)
        if not self.live.events:
            return
        await asyncio.gather(*(self._subscribe(name) for name in names))

    async def _subscribe(self, name: str) -> None:
        low = name.lower()
        key = (self.device.lower(), low)
        no_events = self.live.no_events
        if key in no_events or low in self.trying or low in self.subscribed:
            return
        self.trying.add(low)
        try:
            proxy = await self._connect()
            for event_type in _EVENT_TYPES:
                callback = self._callback(low, event_type)
                try:
                    event_id = await proxy.subscribe_event(name, event_type, callback)
                except Exception:  # noqa: BLE001 - no such event: try the next, then poll
                    continue
                if low in self.names:
                    self.subscribed[low] = event_id
                else:  # unwatched meanwhile
                    with contextlib.suppress(Exception):
                        await proxy.unsubscribe_event(event_id)
                return
            no_events.add(key)
        except Exception:  # noqa: BLE001 - the device is unreachable: polled
            return
        finally:
            self.trying.discard(low)

    def _callback(self, low: str, event_type: EventType) -> Callable[[Any], Awaitable[None]]:
        stats = self.live.stats

        async def on_event(event: Any) -> None:
            stats.events += 1
            if low not in self.names:
                return
            if event.err:
                update = self._error_update(low, stack_json(event.errors), "event")
            else:
                update = self._update(low, event.attr_value, "event")
            self._deliver(low, update)

        on_event.__qualname__ = f"puretango.web.{event_type.name}"
        return on_event

    async def _unsubscribe(self, event_id: int) -> None:
        with contextlib.suppress(Exception):
            await self._proxy.unsubscribe_event(event_id)


class Live:
    """Every feed and page of one ``puretango web`` (made on the serving loop)."""

    def __init__(self, hub: Hub, poll_period: float = 1.0, events: bool = True) -> None:
        self.hub = hub
        self.poll_period = poll_period
        self.events = events
        self.stats = Stats()
        self.feeds: dict[tuple[str, float], Feed] = {}
        self.no_events: set[tuple[str, str]] = set()

    def open_page(self, send: Callable[[str], Awaitable[Any]]) -> Page:
        self.stats.pages += 1
        return Page(self, send)

    async def close_page(self, page: Page) -> None:
        for device in list(page.feeds):
            await self.unwatch(page, device)
        await page.close()
        self.stats.pages -= 1

    async def watch(
        self, page: Page, device: str, attributes: Iterable[str], period: float | None
    ) -> None:
        """``page`` now watches ``attributes`` (and State, Status) of ``device``."""
        low, high = PERIOD_RANGE
        period = min(max(float(period or self.poll_period), low), high)
        old = page.feeds.get(device)
        if old is not None and old.period != period:
            await self.unwatch(page, device)
        key = (device, period)
        feed = self.feeds.get(key)
        if feed is None:
            feed = self.feeds[key] = Feed(self, device, period)
        page.feeds[device] = feed
        feed.set_watch(page, [str(a) for a in attributes])

    async def unwatch(self, page: Page, device: str) -> None:
        feed = page.feeds.pop(device, None)
        if feed is not None and feed.drop(page):
            self.feeds.pop((feed.device, feed.period), None)
            await feed.close()

    async def close(self) -> None:
        for feed in list(self.feeds.values()):
            await feed.close()
        self.feeds.clear()
