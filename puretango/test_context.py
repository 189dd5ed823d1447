"""Test contexts with PyTango's signatures and behaviour: ``DeviceTestContext`` and
``MultiDeviceTestContext`` write the devices and their properties to a file database
(:mod:`.server._filedb`) and serve them with :func:`.server.run` in a thread of this process
or, with ``process=True``, in a child process (:mod:`multiprocessing`). The server's port
(0: chosen by the system) and its start-up outcome come back through queues; while a
context runs, short device names resolve to its server (``DeviceProxy("a/b/c")``).

Also here: the command line
``python -m puretango.test_context module.Device --port P --prop "{...}"``.
"""

from __future__ import annotations

import ast
import importlib
import multiprocessing
import os
import queue
import socket
import tempfile
import threading
import time
import traceback
from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from ._errors import DevFailed, make_error
from .client import DeviceProxy
from .client._names import clear_test_context_host, set_test_context_host
from .green import switch_existing_global_executors_to_thread
from .idl._enums import GreenMode
from .server._cli import run, running_server
from .server._filedb import write_file_database
from .server._server import IDLE_TIMEOUT, DeviceServer

__all__ = [
    "DeviceTestContext",
    "MultiDeviceTestContext",
    "parse_command_line_args",
    "run_device_test_context",
]

NO_DB_FRAGMENT = "dbase=no"


def device(path: str) -> Any:
    """The class named by ``module.Class`` (the CLI's argument type)."""
    module_name, _, class_name = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except Exception:
        raise ArgumentTypeError(
            f"Error importing {module_name}.{class_name}:\n{traceback.format_exc()}"
        ) from None
    return getattr(module, class_name)


def _device_class_from_field(field: Any) -> tuple[Any, Any]:
    """``(DeviceClass or None, device class)`` of a ``devices_info`` "class" entry: a class,
    a ``module.Class`` name, or a ``(DeviceClass, DeviceImpl)`` pair of either."""
    device_cls = None
    if isinstance(field, Sequence) and not isinstance(field, str):
        device_cls, impl = field[0], field[1]
        if isinstance(device_cls, str):
            device_cls = device(device_cls)
    else:
        impl = field
    if isinstance(impl, str):
        impl = device(impl)
    return device_cls, impl


def _strings(value: Any) -> list[str]:
    """A property value as file database strings: one per item, ``""`` stored as ``" "``
    (PyTango's work-around, kept for the same results)."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        items = [value]
    else:
        items = list(value)
    result = []
    for item in items:
        text = item.decode() if isinstance(item, bytes) else str(item)
        result.append(text if text != "" else " ")
    return result


#: the thread-mode contexts started and not stopped yet
_thread_contexts: set[MultiDeviceTestContext] = set()


class ServerOptions:
    """Options for the :class:`.server.DeviceServer` a context starts: ``ctx.server`` until
    the server runs (e.g. ``ctx.server.idle_timeout = 0.3``), the admin proxy once it does."""

    def __init__(self) -> None:
        self.idle_timeout: float | None = IDLE_TIMEOUT
        self.eager_requests: bool = DeviceServer.eager_requests

    def apply(self, server: DeviceServer) -> None:
        server.idle_timeout = self.idle_timeout
        server.eager_requests = self.eager_requests


class MultiDeviceTestContext:
    """Serve several devices (of one or several classes) for a test, without a Database.

    ``devices_info``: ``[{"class": cls, "class_properties": {...}, "devices": [{"name":
    ..., "properties": {...}, "memorized": {...}, "root_atts": {...}}]}]`` where ``cls`` is a
    class, a ``module.Class`` name or a ``(DeviceClass, DeviceImpl)`` pair. ``with ctx:``
    starts and stops the server; ``ctx.get_device(name)`` gives a cached ``DeviceProxy``.
    """

    command = "{0} {1} -ORBendPoint giop:tcp:{2}:{3} -file={4}"
    enable_test_context_tango_host_override = True
    #: False: starting a second thread-mode context while one runs in this process fails
    #: (DevFailed), as with PyTango, whose device server is a process singleton
    several_in_process = True
    thread_timeout = 5.0
    process_timeout = 7.0

    def __init__(
        self,
        devices_info: Sequence[dict[str, Any]],
        server_name: str | None = None,
        instance_name: str | None = None,
        db: str | None = None,
        host: str | None = None,
        port: int = 0,
        debug: int = 3,
        process: bool = False,
        daemon: bool = False,
        timeout: float | None = None,
        green_mode: Any = None,
        cleanup: bool = True,
    ) -> None:
        if not server_name:
            server_name = _device_class_from_field(devices_info[0]["class"])[1].__name__
        assert server_name is not None
        instance_name = instance_name or server_name.lower()
        self.host = host or "127.0.0.1"
        self.port = port
        self.timeout = timeout or (self.process_timeout if process else self.thread_timeout)
        self.server_name = f"dserver/{server_name}/{instance_name}"
        self._process = process
        self.handle: int | None = None
        self._own_db = db is None
        if db is None:
            self.handle, db = tempfile.mkstemp(prefix="puretango-", suffix=".db")
        self.db = db
        args = self.command.format(server_name, instance_name, self.host, port, db)
        self._args = args.split() + ([f"-v{debug}"] if debug else [])
        self._devices: dict[str, DeviceProxy] = {}
        self._saved_environ: dict[str, str] = {}
        self._startup_exception: BaseException | None = None
        self.server: Any = ServerOptions()
        self._options = self.server
        try:
            self._classes, self._file = self._describe(
                devices_info, f"{server_name}/{instance_name}"
            )
            self._write_db()
        except BaseException:
            self.delete_db()
            raise
        self._green_mode = green_mode
        self._daemon = daemon
        self.thread: Any = self._new_launcher()

    # -- set-up --------------------------------------------------------------------------------
    def _describe(
        self, devices_info: Sequence[dict[str, Any]], server: str
    ) -> tuple[list[Any], tuple[Any, Any]]:
        classic: list[tuple[Any, Any]] = []
        high_level: list[tuple[Any, Any]] = []
        names: list[str] = []
        devices: dict[str, list[str]] = {}
        properties: dict[str, dict[str, list[str]]] = {}
        for info in devices_info:
            device_cls, impl = _device_class_from_field(info["class"])
            name = impl.__name__
            if name in names:
                raise ValueError(
                    "multiple entries in devices_info pointing to the same Tango class"
                )
            names.append(name)
            (classic if device_cls else high_level).append((device_cls, impl))
            class_props = dict(info.get("class_properties") or {})
            if class_props:
                properties[f"CLASS/{name}"] = self._checked(class_props, info)
            devices[name] = []
            for dev in info["devices"]:
                dev_name = dev["name"]
                devices[name].append(dev_name)
                props = dict(dev.get("properties") or {})
                if props:
                    properties[dev_name] = self._checked(props, info)
                attr_props: dict[str, dict[str, Any]] = {}
                for attr, root in (dev.get("root_atts") or {}).items():
                    attr_props.setdefault(attr, {})["__root_att"] = root
                for attr, value in (dev.get("memorized") or {}).items():
                    attr_props.setdefault(attr, {})["__value"] = value
                for attr, attr_prop in attr_props.items():
                    properties[f"{dev_name}/{attr}"] = self._checked(attr_prop, info)
        if classic and high_level:
            raise ValueError("mixing HLAPI and classical API in devices_info is not supported")
        if not classic and not high_level:
            raise ValueError("Wrong format of devices_info")
        classes = [pair for pair in classic] or [impl for _, impl in high_level]
        return classes, ({server: devices}, properties)

    @staticmethod
    def _checked(props: dict[str, Any], info: Any) -> dict[str, list[str]]:
        result = {}
        for name, value in props.items():
            strings = _strings(value)
            if not strings:
                raise RuntimeError(
                    "Invalid FileDatabase file was created: a property has no value "
                    f"(an empty list?): {name!r} in {info}"
                )
            result[name] = strings
        return result

    def _write_db(self) -> None:
        servers, properties = self._file
        write_file_database(self.db, servers, properties, append=not self._own_db)

    def delete_db(self) -> None:
        """Delete the file database, if this context made it."""
        if self.handle is not None:
            os.close(self.handle)
            os.unlink(self.db)
            self.handle = None

    def _new_launcher(self) -> Any:
        if self._process:
            self._startup_exception_queue: Any = multiprocessing.Queue()
            self._discovered_port_queue: Any = multiprocessing.JoinableQueue()
            launcher: Any = multiprocessing.Process(target=self.target, args=(True,))
        else:
            self._startup_exception_queue = queue.Queue()
            self._discovered_port_queue = queue.Queue()
            launcher = threading.Thread(target=self.target, args=(False,))
        launcher.daemon = self._daemon
        return launcher

    # -- the launcher (thread or child process) ------------------------------------------------
    def target(self, process: bool = False) -> None:
        """Run the server (in the launcher) and report its start-up through the queues."""
        threading.current_thread().name += " TestContext DS launcher"
        try:
            run(
                self._classes,
                self._args,
                msg_stream=None,
                green_mode=self._green_mode,
                pre_init_callback=self.pre_init,
                post_init_callback=self.post_init,
                raises=True,
                configure=self._options.apply,
            )
        except Exception as exc:
            self._startup_exception_queue.put(exc)
            self._discovered_port_queue.put(-1)  # don't leave the starter waiting
        finally:
            self._startup_exception_queue.put(RuntimeError("The server failed to report anything"))
            if process:  # let the queues' feeder threads send before the process exits
                time.sleep(0.1)

    def pre_init(self) -> None:
        """The server listens: report its port (in a child process, resolve short names
        there too) and wait until the starter has taken it, as PyTango does."""
        server = running_server()
        assert server is not None
        if self._process:
            self.port = server.port
            self._override_test_context_tango_host()
        self._discovered_port_queue.put(server.port)
        self._discovered_port_queue.join()

    def post_init(self) -> None:
        """The devices are served: the start-up succeeded."""
        self._startup_exception_queue.put(None)

    def _override_test_context_tango_host(self) -> None:
        if self.enable_test_context_tango_host_override:
            set_test_context_host(f"tango://{self.host}:{self.port}#{NO_DB_FRAGMENT}")

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> MultiDeviceTestContext:
        """Start the server and wait for it (RuntimeError if it does not start)."""
        if self.thread.ident is not None or getattr(self.thread, "exitcode", None) is not None:
            self.thread = self._new_launcher()  # started before: a context may be re-entered
            self._devices.clear()
            if self.handle is None and not os.path.exists(self.db):
                self.handle, self.db = tempfile.mkstemp(prefix="puretango-", suffix=".db")
                self._args[-2 if self._args[-1].startswith("-v") else -1] = f"-file={self.db}"
            self._write_db()
        if not self._process:
            if _thread_contexts and not self.several_in_process:
                raise DevFailed(
                    make_error(
                        "API_ServerRunningInProcess",
                        "a device server already runs in this process: nest contexts "
                        "with process=True, or serve every device in a MultiDeviceTestContext",
                        "MultiDeviceTestContext.start",
                    )
                )
            _thread_contexts.add(self)
            self.thread.daemon = True
        self._saved_environ = dict(os.environ)
        self.thread.start()
        self.connect()
        return self

    def connect(self) -> None:
        """Wait for the server's port and start-up outcome; make the admin proxy."""
        try:
            port = self._discovered_port_queue.get(timeout=self.timeout)
            if port != -1:
                self.port = port
                self._override_test_context_tango_host()  # before the devices are made
            self._discovered_port_queue.task_done()
            self._startup_exception = self._startup_exception_queue.get(timeout=self.timeout)
        except queue.Empty:
            if self.thread.is_alive():
                raise RuntimeError(
                    "The server appears to be stuck at initialization. "
                    "Check stdout/stderr for more information."
                ) from None
            if getattr(self.thread, "exitcode", None) is not None:
                raise RuntimeError(
                    f"The server process stopped with exitcode {self.thread.exitcode}. "
                    "Check stdout/stderr for more information."
                ) from None
            raise RuntimeError(
                "The server stopped without reporting. Check stdout/stderr for more information."
            ) from None
        if self._startup_exception is not None:
            raise self._startup_exception
        self.server = DeviceProxy(self.get_server_access(), green_mode=GreenMode.Synchronous)
        self.server.ping()
        if not self._process:
            switch_existing_global_executors_to_thread()

    def stop(self) -> None:
        """Kill the server and wait for it (RuntimeError if it does not exit)."""
        try:
            if isinstance(self.server, DeviceProxy):
                self.server.command_inout("Kill")
            self.join(self.timeout)
            self._ensure_device_server_exited()
        finally:
            self.server = self._options
            _thread_contexts.discard(self)
            clear_test_context_host()
            self.delete_db()
            self._restore_environment_variables()

    def _ensure_device_server_exited(self) -> None:
        if not self.thread.is_alive():
            return
        if self._process:
            self.thread.kill()
            deadline = time.monotonic() + self.timeout
            while self.thread.is_alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            raise RuntimeError(
                "Device server failed to exit cleanly (stuck in shutdown?). "
                f"Tried to kill subprocess. Still alive: {self.thread.is_alive()}."
            )
        raise RuntimeError("Device server failed to exit cleanly (stuck in shutdown?)")

    def join(self, timeout: float | None = None) -> None:
        """Wait for the server's thread or process to end."""
        self.thread.join(timeout)

    def _restore_environment_variables(self) -> None:
        for key in set(os.environ) - set(self._saved_environ):
            del os.environ[key]
        for key, value in self._saved_environ.items():
            if os.environ.get(key) != value:
                os.environ[key] = value

    def __enter__(self) -> Any:
        if not self.thread.is_alive():
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- access ------------------------------------------------------------------------------
    def get_server_access(self) -> str:
        """The fully qualified name of the server's admin device."""
        return f"tango://{self.host}:{self.port}/{self.server_name}#{NO_DB_FRAGMENT}"

    def get_device_access(self, device_name: str) -> str:
        """The fully qualified name of a served device."""
        return f"tango://{self.host}:{self.port}/{device_name}#{NO_DB_FRAGMENT}"

    def get_device(self, device_name: str) -> DeviceProxy:
        """A proxy to a served device (the same one on every call)."""
        proxy = self._devices.get(device_name)
        if proxy is None:
            proxy = self._devices[device_name] = DeviceProxy(self.get_device_access(device_name))
        return proxy


class DeviceTestContext(MultiDeviceTestContext):
    """Serve one device for a test: ``with DeviceTestContext(MyDevice) as proxy:``."""

    def __init__(
        self,
        device: Any,
        device_cls: Any = None,
        server_name: str | None = None,
        instance_name: str | None = None,
        device_name: str | None = None,
        properties: dict[str, Any] | None = None,
        db: str | None = None,
        host: str | None = None,
        port: int = 0,
        debug: int = 3,
        process: bool = False,
        daemon: bool = False,
        timeout: float | None = None,
        memorized: dict[str, Any] | None = None,
        root_atts: dict[str, Any] | None = None,
        green_mode: Any = None,
        class_properties: dict[str, Any] | None = None,
        cleanup: bool = True,
    ) -> None:
        server_name = server_name or device.__name__
        assert server_name is not None
        device_name = device_name or f"test/nodb/{server_name.lower()}"
        info = {
            "class": (device_cls, device) if device_cls else device,
            "class_properties": class_properties,
            "devices": [
                {
                    "name": device_name,
                    "properties": properties or {},
                    "memorized": memorized or {},
                    "root_atts": root_atts or {},
                }
            ],
        }
        super().__init__(
            [info],
            server_name=server_name,
            instance_name=instance_name,
            db=db,
            host=host,
            port=port,
            debug=debug,
            process=process,
            daemon=daemon,
            timeout=timeout,
            green_mode=green_mode,
            cleanup=cleanup,
        )
        self.device_name = device_name
        self.device: DeviceProxy | None = None

    def get_device_access(self, device_name: str | None = None) -> str:
        return super().get_device_access(device_name or self.device_name)

    def connect(self) -> None:
        super().connect()
        self.device = self.get_device(self.device_name)
        self.device.ping(green_mode=GreenMode.Synchronous)

    def __enter__(self) -> Any:
        if not self.thread.is_alive():
            self.start()
        return self.device


# -- command line ----------------------------------------------------------------------------


def _literal_dict(text: str) -> dict[str, Any]:
    return dict(ast.literal_eval(text))


def get_host_ip() -> str:
    """The primary IP address of this host (that of the default route; no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("8.8.8.8", 80))
            return str(sock.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def parse_command_line_args(args: Sequence[str] | None = None) -> tuple[Any, ...]:
    """``DEVICE [--host H] [--port P] [--debug D] [--prop DICT]
    [--disable-short-name-lookup]`` -> (device class, host, port, properties, debug,
    disable short names)."""
    parser = ArgumentParser(description="Run a given device on a given port.")
    parser.add_argument("device", metavar="DEVICE", type=device, help="module.Class to run")
    parser.add_argument("--host", metavar="HOST", default=None, help="the host to use")
    parser.add_argument("--port", metavar="PORT", type=int, default=8888, help="the port")
    parser.add_argument("--debug", metavar="DEBUG", type=int, default=3, help="debug level")
    parser.add_argument(
        "--prop", metavar="PROP", type=_literal_dict, default="{}", help="properties (a dict)"
    )
    parser.add_argument(
        "--disable-short-name-lookup",
        dest="disable_short_name_lookup",
        action="store_true",
        help="do not resolve short device names to this context",
    )
    ns = parser.parse_args(args)
    host = ns.host or get_host_ip()
    return ns.device, host, ns.port, ns.prop, ns.debug, ns.disable_short_name_lookup


def run_device_test_context(args: Sequence[str] | None = None) -> None:
    """Serve one device from the command line until the server is killed."""
    device_, host, port, properties, debug, no_short_names = parse_command_line_args(args)
    context = DeviceTestContext(device_, properties=properties, host=host, port=port, debug=debug)
    context.enable_test_context_tango_host_override = not no_short_names
    context.start()
    print(f"{device_.__name__} started on port {context.port} with properties {properties}")
    print(f"Device access: {context.get_device_access()}")
    print(f"Server access: {context.get_server_access()}")
    context.join()
    print("Done")


main = run_device_test_context
parse_args = parse_command_line_args

if __name__ == "__main__":
    run_device_test_context()
