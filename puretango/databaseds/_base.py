"""What every command of the DataBase device shares: where the store is, how a store call
runs (on the Database server's worker threads, off the event loop), how a read reply is
served from the cache (:mod:`._replies`), and how a malformed argument array becomes
``DevFailed(DB_IncorrectArguments)`` instead of anything worse.

The device is an asyncio-mode device: requests are not serialised by a device lock (the
store is safe with concurrent callers). A command that writes is one hop to a worker thread
(a commit waits for the disk); one that only reads runs on the event loop when the store
allows it (SQLite reads of indexed rows take microseconds, less than the hop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from .._dbformat import DbFormatError
from ..idl._enums import DevState, GreenMode
from ..server import Device
from ._replies import EncodedReply, ReplyCache
from ._store import INCORRECT_ARGUMENTS, Store, db_error

__all__ = ["DbDeviceBase", "DB_CLASS_NAME"]

_T = TypeVar("_T")

#: the Tango class of the Database device
DB_CLASS_NAME = "DataBase"


class DbDeviceBase(Device):
    """The plumbing of the DataBase device's commands (no command is declared here)."""

    green_mode = GreenMode.Asyncio

    async def init_device(self) -> None:
        await super().init_device()
        self.replies = ReplyCache()
        self.set_state(DevState.ON)

    @property
    def store(self) -> Store:
        store: Store = self._server.store
        return store

    async def run(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run one store call that writes (one transaction) on a worker thread."""
        return await asyncio.get_running_loop().run_in_executor(
            self._server.store_executor, fn, *args
        )

    async def query(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run one store call that only reads: on the event loop itself when the store says
        its reads are that fast (:attr:`~._store.Store.inline_reads`), else as :meth:`run`."""
        if self.store.inline_reads:
            return fn(*args)
        return await self.run(fn, *args)

    async def cached(
        self, key: Hashable, compute: Callable[[], Awaitable[EncodedReply]]
    ) -> EncodedReply:
        """The reply of a read command for ``key`` (command and argument): from the cache
        while the store's generation is unchanged, else computed (and kept if no write
        started or ended meanwhile)."""
        generation = self.store.generation()
        if generation is None:
            return await compute()
        reply = self.replies.get(generation, key)
        if reply is None:
            reply = await compute()
            if self.store.generation() == generation:
                self.replies.put(generation, key, reply)
        return reply

    @staticmethod
    def need(argin: Sequence[str], n: int, command: str, what: str) -> list[str]:
        """``argin`` as a list of at least ``n`` strings, or DB_IncorrectArguments."""
        values = [str(v) for v in argin]
        if len(values) < n:
            raise db_error(
                INCORRECT_ARGUMENTS,
                f"insufficient number of arguments to {command}: {len(values)}, "
                f"expected at least {n} ({what})",
                f"DataBase::{command}()",
            )
        return values

    @staticmethod
    def unpack(fn: Callable[..., _T], argin: Sequence[str], command: str, **kw: Any) -> _T:
        """Decode an argument array with a :mod:`puretango._dbformat` function."""
        try:
            return fn([str(v) for v in argin], **kw)
        except DbFormatError as exc:
            raise db_error(INCORRECT_ARGUMENTS, str(exc), f"DataBase::{command}()") from None
