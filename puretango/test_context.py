"""In-process test contexts with PyTango's signatures: ``DeviceTestContext`` and
``MultiDeviceTestContext`` run a device server on its own event loop in a thread of
this process (no fork, no file database), so several can run at once."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from .client import DeviceProxy
from .server._classic import device_type_of
from .server._model import Device
from .server._server import DeviceServer, server_in_thread

__all__ = ["DeviceTestContext", "MultiDeviceTestContext"]


class MultiDeviceTestContext:
    """Serve several devices (possibly of several classes) for a test.

    ``devices_info`` is a sequence of ``{"class": DeviceClass, "devices": [{"name": ...,
    "properties": {...}}, ...]}`` as in PyTango. ``with ctx:`` starts and stops the server;
    ``ctx.get_device(name)`` gives a (cached) ``DeviceProxy``.
    """

    def __init__(
        self,
        devices_info: Any,
        server_name: str | None = None,
        instance_name: str | None = None,
        db: Any = None,
        host: str | None = None,
        port: int = 0,
        debug: int = 3,
        process: bool = False,
        daemon: bool = False,
        timeout: float | None = None,
        green_mode: Any = None,
        cleanup: bool = True,
    ) -> None:
        if process:
            raise NotImplementedError(
                "process=True is not supported: puretango contexts run in threads"
            )
        specs: list[tuple[type[Device], str, dict[str, Any] | None]] = []
        for info in devices_info:
            cls = device_type_of(info["class"])  # [classic] pairs and dotted names too
            for dev in info.get("devices", ()):
                specs.append((cls, dev["name"], dev.get("properties")))
        if not specs:
            raise ValueError("no device to serve")
        first = specs[0][0]
        self.server_name = server_name or first.__name__
        self.instance_name = instance_name or self.server_name.lower()
        self.host = host or "127.0.0.1"
        self.timeout = 30.0 if timeout is None else timeout
        self.server = DeviceServer(self.server_name, self.instance_name, specs, self.host, port)
        self._thread: threading.Thread | None = None
        self._proxies: dict[str, DeviceProxy] = {}

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> MultiDeviceTestContext:
        self._thread, _ = server_in_thread(self.server, self.timeout)
        return self

    def stop(self) -> None:
        self.server.request_stop()
        if self._thread is not None:
            self._thread.join(self.timeout)
            self._thread = None
        self._proxies.clear()

    def __enter__(self) -> Any:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- access ------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self.server.port

    def get_device_access(self, device_name: str) -> str:
        return f"tango://{self.host}:{self.server.port}/{device_name}#dbase=no"

    def get_server_access(self) -> str:
        return self.get_device_access(self.server.admin_name)

    def get_device(self, device_name: str) -> DeviceProxy:
        proxy = self._proxies.get(device_name)
        if proxy is None:
            proxy = self._proxies[device_name] = DeviceProxy(self.get_device_access(device_name))
        return proxy


class DeviceTestContext(MultiDeviceTestContext):
    """Serve one device for a test; ``with DeviceTestContext(MyDevice) as proxy:``."""

    def __init__(
        self,
        device: type[Device],
        device_cls: Any = None,
        server_name: str | None = None,
        instance_name: str | None = None,
        device_name: str | None = None,
        properties: dict[str, Any] | None = None,
        db: Any = None,
        host: str | None = None,
        port: int = 0,
        debug: int = 3,
        process: bool = False,
        daemon: bool = False,
        timeout: float | None = None,
        memorized: Any = None,
        root_atts: Any = None,
        green_mode: Any = None,
        class_properties: Any = None,
        cleanup: bool = True,
    ) -> None:
        self.device_name = device_name or f"test/nodb/{device.__name__.lower()}"
        served = device if device_cls is None else (device_cls, device)  # [classic]
        super().__init__(
            [{"class": served, "devices": [{"name": self.device_name, "properties": properties}]}],
            server_name=server_name,
            instance_name=instance_name,
            host=host,
            port=port,
            process=process,
            timeout=timeout,
        )

    def get_device_access(self, device_name: str | None = None) -> str:
        return super().get_device_access(device_name or self.device_name)

    def __enter__(self) -> DeviceProxy:
        self.start()
        self.device = self.get_device(self.device_name)
        return self.device
