"""PyTango's ``Util``: the device server process seen from device code, and the classic
way to run one (``Util(argv)``, ``add_class(...)``, ``server_init()``, ``server_run()``).

One ``Util`` per process (``Util.instance()``). Built from a command line it runs its own
:class:`._server.DeviceServer` (made by :func:`._cli.make_server`, so the arguments, the
Database and ``-nodb`` work as for ``run``); without one, ``Util.instance()`` describes
the server already running in this process (a test context's). ``add_class("TangoTest",
"TangoTest", language="c++")`` adds puretango's TangoTest class, the only C++ class there
is. :class:`SubDevDiag` is the server's list of the sub-devices its devices use;
:class:`TimedCmdData` a record for ``fill_cmd_polling_buffer``.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import signal
import socket
import sys
import threading
from collections.abc import Sequence
from typing import Any, ClassVar

from .._errors import DevFailed, make_error
from .._omnithreads import EnsureOmniThread, is_omni_thread
from .._version import __version__
from ..idl._enums import SerialModel
from ._admin import DServer
from ._argv import parse_args
from ._classic import DeviceClass, device_class_object, device_type_of
from ._cli import make_server
from ._model import Device
from ._server import DeviceServer, server_in_thread

__all__ = [
    "EnsureOmniThread",
    "SubDevDiag",
    "TimedCmdData",
    "Util",
    "is_omni_thread",
    "parse_args",
]


class TimedCmdData:
    """One command result to put in a polling buffer (``fill_cmd_polling_buffer``)."""

    def __init__(
        self, value: Any = None, error: Exception | None = None, time_stamp: float | None = None
    ) -> None:
        self.value, self.error, self.time_stamp = value, error, time_stamp


def _api_error(reason: str, desc: str, origin: str) -> DevFailed:
    return DevFailed(make_error(reason, desc, origin))


class SubDevDiag:
    """The sub-devices the devices of a server say they use (``register_sub_device``)."""

    def __init__(self) -> None:
        self._subs: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        #: the device whose request is being served, if known
        self.associated_device = ""

    def register_sub_device(self, dev_name: str, sub_dev_name: str) -> None:
        with self._lock:
            subs = self._subs.setdefault(dev_name.lower(), [])
            if sub_dev_name.lower() not in subs:
                subs.append(sub_dev_name.lower())

    def remove_sub_devices(self, dev_name: str | None = None) -> None:
        with self._lock:
            if dev_name is None:
                self._subs.clear()
            else:
                self._subs.pop(dev_name.lower(), None)

    def get_sub_devices(self) -> list[str]:
        """``"<device> <sub-device>"`` for every registered pair."""
        with self._lock:
            return [f"{dev} {sub}" for dev, subs in self._subs.items() for sub in subs]

    def set_associated_device(self, dev_name: str) -> None:
        self.associated_device = dev_name

    def get_associated_device(self) -> str:
        """The device whose code is calling (found on the call stack), else the last one
        set with ``set_associated_device``."""
        frame = sys._getframe(1)
        while frame is not None:
            owner = frame.f_locals.get("self")
            if isinstance(owner, Device) and not isinstance(owner, DServer):
                return str(owner.get_name())
            frame = frame.f_back  # type: ignore[assignment]
        return self.associated_device


def _cpp_class(name: str) -> type[Device]:
    """A "C++" class of puretango: TangoTest."""
    if name.lower() == "tangotest":
        from ..tangotest._device import TangoTest

        return TangoTest
    raise _api_error(
        "API_ClassNotFound",
        f"No C++ class {name} in puretango (only TangoTest)",
        "Util::add_class",
    )


class Util:
    """The device server process (PyTango's ``tango.Util``)."""

    _instance: ClassVar[Util | None] = None
    #: whether the server uses a Database (PyTango's class attributes)
    _UseDb: ClassVar[bool] = False
    _FileDb: ClassVar[bool] = False

    def __init__(self, args: Sequence[str] | None = None) -> None:
        self._argv = list(sys.argv if args is None else args)
        self._classes: list[Any] = []
        self._server: DeviceServer | None = None
        self._thread: threading.Thread | None = None
        self._serial_model = SerialModel.BY_DEVICE
        self._sub_dev_diag = SubDevDiag()
        self._starting = True
        self._shutting_down = False
        self._polling_pool_size = 1
        self._server_version = __version__
        Util._UseDb = "-nodb" not in self._argv
        Util._instance = self

    # -- the singleton ---------------------------------------------------------------------
    @classmethod
    def instance(cls, exit: bool = True) -> Util:  # noqa: A002 - PyTango's keyword
        """The process's Util; without one, a Util describing the server running here."""
        if cls._instance is None:
            if not DeviceServer.running:
                raise _api_error(
                    "API_UtilSingletonNotCreated", "Util singleton not created", "Util::instance"
                )
            util = cls.__new__(cls)
            Util.__init__(util, [DeviceServer.running[-1].server_name])
            util._server = DeviceServer.running[-1]
            util._starting = False
        assert cls._instance is not None
        if cls._instance._server is None and DeviceServer.running:
            cls._instance._server = DeviceServer.running[-1]
        return cls._instance

    @staticmethod
    def init(args: Sequence[str]) -> Util:
        return Util(args)

    # -- classes -----------------------------------------------------------------------------
    def add_class(self, *args: Any, language: str = "python") -> None:
        """``add_class(DeviceClass, DeviceImpl[, name])`` or, with ``language="c++"``,
        ``add_class("TangoTest", "TangoTest")``."""
        if language.lower() != "python":
            self._classes.append(_cpp_class(str(args[-1])))
        elif len(args) == 1:
            self._classes.append(device_type_of(args[0]))
        else:
            name = args[2] if len(args) > 2 else None
            self._classes.append(device_type_of((args[0], args[1]), name))

    def add_TgClass(self, klass: Any, impl: Any, name: str | None = None) -> None:  # noqa: N802
        self.add_class(klass, impl, *([name] if name else []))

    def add_Cpp_TgClass(self, klass: str, name: str) -> None:  # noqa: N802
        self.add_class(klass, name, language="c++")

    # -- running -----------------------------------------------------------------------------
    def server_init(self, with_window: bool = False) -> None:
        """Create the devices and start serving them (in a thread of this process)."""
        if self._server is not None:
            return
        self._server = make_server(self._classes, self._argv)
        self._thread, _ = server_in_thread(self._server)
        self._starting = False

    def server_run(self) -> None:
        """Serve until the server is killed (or SIGTERM, or Ctrl-C)."""
        if self._server is None:
            self.server_init()
        assert self._server is not None and self._thread is not None
        server = self._server
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(ValueError, OSError):
                    signal.signal(signum, lambda *_: server.request_stop())
        while self._thread.is_alive():
            self._thread.join(0.2)
        self._shutting_down = True

    def server_cleanup(self) -> None:
        """Nothing to release: the server stopped with ``server_run``."""

    def server_set_event_loop(self, event_loop: Any) -> None:
        self._event_loop = event_loop

    def orb_run(self) -> None:
        self.server_run()

    def unregister_server(self) -> None:
        """Unexported when the server stops."""

    # -- the server ---------------------------------------------------------------------------
    def _running(self) -> DeviceServer:
        if self._server is None:
            raise _api_error("API_DeviceNotFound", "The server is not started", "Util")
        return self._server

    def get_ds_name(self) -> str:
        server = self._server
        if server is not None:
            return f"{server.server_name}/{server.instance}"
        return f"{self.get_ds_exec_name()}/{self.get_ds_inst_name()}"

    def get_ds_exec_name(self) -> str:
        if self._server is not None:
            return self._server.server_name
        return os.path.splitext(os.path.basename(self._argv[0]))[0] if self._argv else ""

    def get_ds_inst_name(self) -> str:
        if self._server is not None:
            return self._server.instance
        return self._argv[1] if len(self._argv) > 1 else ""

    def get_host_name(self) -> str:
        return socket.getfqdn()

    def get_pid(self) -> int:
        return os.getpid()

    def get_pid_str(self) -> str:
        return str(os.getpid())

    def get_version_str(self) -> str:
        return f"puretango {__version__}"

    def get_tango_lib_release(self) -> int:
        return 1000

    def get_server_version(self) -> str:
        return self._server_version

    def set_server_version(self, version: str) -> None:
        self._server_version = version

    def is_svr_starting(self) -> bool:
        return self._starting

    def is_svr_shutting_down(self) -> bool:
        return self._shutting_down

    def is_device_restarting(self, name: str) -> bool:
        return False

    def get_serial_model(self) -> SerialModel:
        return self._serial_model

    def set_serial_model(self, model: SerialModel) -> None:
        self._serial_model = SerialModel(model)

    def get_polling_threads_pool_size(self) -> int:
        return self._polling_pool_size

    def set_polling_threads_pool_size(self, size: int) -> None:
        self._polling_pool_size = int(size)

    def reset_filedatabase(self) -> None:
        """puretango has no file database to reload."""

    def get_database(self) -> Any:
        return None if self._server is None else self._server.database

    def get_sub_dev_diag(self) -> SubDevDiag:
        return self._sub_dev_diag

    # -- devices and classes --------------------------------------------------------------------
    def _devices(self) -> list[Any]:
        return [s.device for s in self._running().device_servants()]

    def get_device_list(self, pattern: str = "*") -> list[Any]:
        """The devices whose name matches ``pattern`` (``*`` wildcards)."""
        pattern = pattern.lower()
        return [d for d in self._devices() if fnmatch.fnmatchcase(d.get_name().lower(), pattern)]

    def get_device_list_by_class(self, class_name: str) -> list[Any]:
        server = self._running()
        return [
            s.device for s in server.device_servants() if s.class_name.lower() == class_name.lower()
        ]

    def get_device_by_name(self, name: str) -> Any:
        key = name.lower().split("://")[-1].split("#")[0]
        for servant in self._running().servants.values():
            if servant.name.lower() == key:
                return servant.device
        raise _api_error(
            "API_DeviceNotFound", f"Device {name} not found", "Util::get_device_by_name"
        )

    def get_dserver_device(self) -> Any:
        server = self._running()
        return self.get_device_by_name(server.admin_name)

    def get_class_list(self) -> list[DeviceClass]:
        """The device class object of each class served."""
        found: dict[str, DeviceClass] = {}
        for servant in self._running().device_servants():
            if servant.class_name not in found:
                found[servant.class_name] = device_class_object(servant.device)
        return list(found.values())
