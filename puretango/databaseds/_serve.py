"""Serving the DataBase device: :class:`DatabaseServer` is a device server (``DataBaseds/2``)
whose Database device answers under its name and under the CORBA object key ``database``
(the key clients build from ``TANGO_HOST``: ``corbaloc:iiop:host:port/database``), and
which registers and exports itself and its admin device in its own store at start, so that
``DbImportDevice("sys/database/2")`` works like any other import. At stop it unexports them.
:class:`EmbeddedDatabase` runs one on a thread of the calling process.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import socket
import threading
from typing import Any

from .._dbformat import DeviceExport
from .._errors import DevFailed
from ..server import DeviceServer
from ..server._servant import DeviceServant
from ..server._server import server_in_thread
from ._base import DB_CLASS_NAME
from ._device import DataBase
from ._store import Store

__all__ = ["DatabaseServer", "EmbeddedDatabase", "DATABASE_KEY"]

#: the CORBA object key of the Database device
DATABASE_KEY = b"database"


class DatabaseServer(DeviceServer):
    """The Database device server, on ``store``."""

    #: the DataBase device's reads complete without waiting (on the loop, often cached)
    eager_requests = True

    def __init__(
        self,
        store: Store,
        instance: str = "2",
        host: str = "0.0.0.0",
        port: int = 10000,
        published_host: str | None = None,
        description: str = "",
        store_workers: int | None = None,
    ) -> None:
        self.db_name = f"sys/database/{instance}"
        super().__init__(
            "DataBaseds",
            instance,
            [(DataBase, self.db_name, None)],
            host=host,
            port=port,
            published_host=published_host,
        )
        self.classes = {DB_CLASS_NAME: DataBase}
        self.store = store
        self.description = description
        if store_workers is None:  # SQLite: one (a second writer would wait on its lock)
            store_workers = store.writer_threads
        self.store_executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=store_workers, thread_name_prefix="puretango-db"
        )

    # -- what the DataBase device asks of its server ------------------------------------------
    def exported_host(self) -> str:
        """The host name written next to our IORs (as a device server does)."""
        if self.published_host:
            return self.published_host
        return socket.gethostname()

    def control_system_addresses(self) -> list[str]:
        """``host:port`` of every Database server of this control system (just this one)."""
        host = self.published_host or (
            self.host if self.host not in ("0.0.0.0", "") else socket.gethostname()
        )
        return [f"{host}:{self.port}"]

    def store_description(self) -> str:
        return self.description

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        server = f"{self.server_name}/{self.instance}"
        await self._in_store(self._register, server)
        await super().start()
        self.servants[DATABASE_KEY] = self.servants[self.db_name.encode("latin-1")]
        for name in (self.db_name, self.admin_name):
            export = DeviceExport(name, self.ior(name), self.exported_host(), str(os.getpid()), "6")
            await self._in_store(self.store.export_device, export)

    def _register(self, server: str) -> None:
        try:
            known = self.store.import_device(self.db_name)
        except DevFailed:
            known = None
        if known is None or known.server.lower() != server.lower():
            self.store.add_server(server, [(self.db_name, DB_CLASS_NAME)])

    async def _in_store(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.store_executor, fn, *args)

    async def stop(self) -> None:
        try:
            await self._in_store(self.store.unexport_server, f"{self.server_name}/{self.instance}")
        except DevFailed:
            pass
        await super().stop()
        self.store_executor.shutdown(wait=True)
        self.store.close()

    def device_servants(self) -> list[DeviceServant]:
        # the Database device is served under two keys: list it once
        unique: dict[int, DeviceServant] = {id(s): s for s in super().device_servants()}
        return list(unique.values())

    async def restart_device(self, name: str) -> None:
        await super().restart_device(name)
        self.servants[DATABASE_KEY] = self.servants[self.db_name.encode("latin-1")]


class EmbeddedDatabase:
    """A Database served from a thread of this process (for demos and tests):
    ``with EmbeddedDatabase(path) as db: os.environ["TANGO_HOST"] = db.tango_host``."""

    def __init__(self, db_file: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 0):
        from ._sqlite import SqliteStore

        self.server = DatabaseServer(
            SqliteStore(db_file), host=host, port=port, published_host=host,
            description=str(db_file),
        )  # fmt: skip
        self._thread: threading.Thread | None = None

    @property
    def tango_host(self) -> str:
        return f"{self.server.published_host}:{self.server.port}"

    def start(self, timeout: float = 30.0) -> EmbeddedDatabase:
        self._thread, _ = server_in_thread(self.server, timeout)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is not None:
            self.server.request_stop()
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> EmbeddedDatabase:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
