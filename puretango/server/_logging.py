"""Device logging as cppTango's log4tango does it: one :class:`DeviceLogger` per device
(its Tango level, OFF 0 ... DEBUG 5, and its targets), the targets (``console::cout``,
``file::<path>`` in log4j XML, ``device::<name>``: that device's ``Log`` command with
``[ms timestamp, level, source, message, "", thread]``), the device streams
(:class:`DeviceLogging`, mixed into ``Device``: ``info_stream``... with their source
location, and the file-like ``log_info``...), and what the admin device's logging commands
do (:func:`add_targets`...).

A server's ``-vN`` trace level sets each device's start: none: WARN and no target; 1-2:
INFO, 3 and up: DEBUG, with the console; 5 and up: the admin device too (it is OFF
otherwise). The ``device::`` target reaches its consumer through the client, late-bound in
:data:`puretango._registry.log_consumer_factory`.
"""

from __future__ import annotations

import contextlib
import datetime
import fnmatch
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from .. import _registry
from .._errors import DevFailed, make_error
from .._logdecorators import TangoStream, logged_source

__all__ = [
    "LEVEL_NAMES",
    "DeviceLogger",
    "DeviceLogging",
    "add_targets",
    "get_levels",
    "get_targets",
    "remove_targets",
    "set_levels",
    "source_location",
]

OFF, FATAL, ERROR, WARN, INFO, DEBUG = range(6)
LEVEL_NAMES = {FATAL: "FATAL", ERROR: "ERROR", WARN: "WARN", INFO: "INFO", DEBUG: "DEBUG"}
_SEP = "::"


def source_location(source: Any = None) -> tuple[str, int]:
    """(file name, line) of a log call: ``source``'s definition (its decorators unwrapped),
    else the first caller outside puretango and the ``tango`` drop-in."""
    try:
        if source is not None:
            while hasattr(source, "__wrapped__"):
                source = source.__wrapped__
            code = source.__code__
            return os.path.basename(code.co_filename), code.co_firstlineno
        frame = sys._getframe(1)
        while frame is not None:
            module = frame.f_globals.get("__name__", "")
            if module.partition(".")[0] not in ("puretango", "tango"):
                return os.path.basename(frame.f_code.co_filename), frame.f_lineno
            frame = frame.f_back  # type: ignore[assignment]
    except (AttributeError, ValueError):
        pass
    return "(unknown)", 0


class _Record:
    __slots__ = ("filename", "level", "line", "message", "native", "source", "thread", "time")

    def __init__(self, source: str, level: int, message: str, filename: str, line: int) -> None:
        self.time = time.time()
        self.source, self.level, self.message = source, level, message
        self.filename, self.line = filename, line
        self.thread, self.native = threading.get_ident(), threading.get_native_id()


class _ConsoleTarget:
    """``console::cout``: one line per record on the process's standard output."""

    def emit(self, record: _Record) -> None:
        stamp = datetime.datetime.fromtimestamp(record.time).astimezone()
        text = stamp.strftime("%Y-%m-%dT%H:%M:%S,%f%z")
        line = (
            f"{text} {LEVEL_NAMES[record.level]} ({record.filename}:{record.line}) "
            f"{record.source} {record.message}\n"
        )
        with contextlib.suppress(Exception):  # a closed stdout does not stop the device
            sys.stdout.write(line)
            sys.stdout.flush()

    def close(self) -> None:
        pass


class _FileTarget:
    """``file::<path>``: records appended as log4j XML events, as cppTango's file target."""

    def __init__(self, path: str) -> None:
        self.path = path
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "a", encoding="utf-8"):
            pass

    def emit(self, record: _Record) -> None:
        text = (
            f'<log4j:event logger="{record.source}" timestamp="{int(record.time * 1000)}" '
            f'level="{LEVEL_NAMES[record.level]}" thread="{record.thread}">\n'
            f"<log4j:message><![CDATA[{record.message}]]></log4j:message>\n"
            "<log4j:NDC><![CDATA[]]></log4j:NDC>\n</log4j:event>\n\n"
        )
        with contextlib.suppress(OSError), open(self.path, "a", encoding="utf-8") as out:
            out.write(text)

    def close(self) -> None:
        pass


class _DeviceTarget:
    """``device::<name>``: each record sent to that device's ``Log`` command, in order, from
    a thread of its own (the device logging never waits for the consumer). A consumer that
    fails is dropped, as cppTango drops its dead appenders."""

    def __init__(self, name: str) -> None:
        factory = _registry.log_consumer_factory
        try:
            if factory is None:
                raise RuntimeError("no client to reach a log consumer")
            self._send: Callable[[list[str]], Any] = factory(name)
        except Exception as exc:  # noqa: BLE001 - whatever the reason, cppTango's error
            raise DevFailed(
                make_error(
                    "API_ConnectionFailed",
                    f"Could not connect to log consumer {name}",
                    "Logging::add_logging_target",
                )
            ) from exc
        self.dead = False
        self._queue: queue.SimpleQueue[_Record | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="puretango-log", daemon=True)
        self._thread.start()

    def emit(self, record: _Record) -> None:
        if not self.dead:
            self._queue.put(record)

    def close(self) -> None:
        self._queue.put(None)

    def _run(self) -> None:
        while (record := self._queue.get()) is not None:
            if self.dead:
                continue
            thread = f"@{record.thread:x} [{record.native}]"
            entry = [
                str(int(record.time * 1000)),
                LEVEL_NAMES[record.level],
                record.source,
                record.message,
                "",
                thread,
            ]
            try:
                self._send(entry)
            except Exception:  # noqa: BLE001 - a dead consumer is dropped
                self.dead = True


def _initial_level(trace_level: int, admin: bool) -> tuple[int, bool]:
    """(level, console?) of a device at start, from the server's ``-v`` trace level."""
    if admin:
        return (DEBUG, True) if trace_level >= 5 else (OFF, False)
    if trace_level <= 0:
        return WARN, False
    return (INFO if trace_level <= 2 else DEBUG), True


def _log4tango(level: int) -> int:
    """A Tango level (OFF 0 ... DEBUG 5) as log4tango's (OFF 100 ... DEBUG 600)."""
    return (level + 1) * 100


def _tango(value: int) -> int:
    """A log4tango level as the Tango level it falls in."""
    return min(max(int(value) // 100 - 1, OFF), DEBUG)


class DeviceLogger:
    """The logger of one device (PyTango's ``tango.Logger`` for it, whose levels are
    log4tango's: OFF 100, FATAL 200 ... DEBUG 600): a Tango level (what the admin device
    sets and answers) and the targets every record at or above it goes to."""

    def __init__(self, name: str, trace_level: int = 0, admin: bool = False) -> None:
        self._name = name
        self._level, console = _initial_level(trace_level, admin)
        self._saved_level: int | None = None
        self._targets: dict[str, Any] = {}
        if console:
            self._targets["console::cout"] = _ConsoleTarget()
        self._lock = threading.Lock()

    # -- the Tango level (the admin device's) --------------------------------------------
    def get_tango_level(self) -> int:
        return self._level

    def set_tango_level(self, level: int) -> None:
        self._level = int(level)

    def _enabled(self, level: int) -> bool:
        return OFF < level <= self._level

    # -- PyTango's Logger ----------------------------------------------------------------
    def get_name(self) -> str:
        return self._name

    def get_level(self) -> int:
        return _log4tango(self._level)

    def set_level(self, level: int) -> None:
        self._level = _tango(level)

    def is_level_enabled(self, level: int) -> bool:
        return self._enabled(_tango(level))

    def is_debug_enabled(self) -> bool:
        return self._enabled(DEBUG)

    def is_info_enabled(self) -> bool:
        return self._enabled(INFO)

    def is_warn_enabled(self) -> bool:
        return self._enabled(WARN)

    def is_error_enabled(self) -> bool:
        return self._enabled(ERROR)

    def is_fatal_enabled(self) -> bool:
        return self._enabled(FATAL)

    def log(self, level: int, msg: str, *args: Any) -> None:
        """Log at log4tango ``level``."""
        self._log_at(_tango(level), msg, args, None)

    def log_unconditionally(self, level: int, msg: str, *args: Any) -> None:
        filename, line = source_location()
        self.emit(_tango(level), msg % args if args else msg, filename, line, check=False)

    def debug(self, msg: str, *args: Any) -> None:
        self._log_at(DEBUG, msg, args, None)

    def info(self, msg: str, *args: Any) -> None:
        self._log_at(INFO, msg, args, None)

    def warn(self, msg: str, *args: Any) -> None:
        self._log_at(WARN, msg, args, None)

    warning = warn

    def error(self, msg: str, *args: Any) -> None:
        self._log_at(ERROR, msg, args, None)

    def fatal(self, msg: str, *args: Any) -> None:
        self._log_at(FATAL, msg, args, None)

    def exception(self, msg: str, *args: Any) -> None:
        """An ERROR record of ``msg`` and the exception being handled."""
        import traceback

        self._log_at(ERROR, f"{msg % args if args else msg}\n{traceback.format_exc()}", (), None)

    # -- records -------------------------------------------------------------------------
    def _log_at(self, level: int, msg: str, args: tuple[Any, ...], source: Any) -> None:
        if not self._enabled(level):
            return
        filename, line = source_location(source if source is not None else logged_source())
        self.emit(level, str(msg) % args if args else str(msg), filename, line)

    def emit(self, level: int, message: str, filename: str, line: int, check: bool = True) -> None:
        """Send one record at Tango ``level`` to every target (if enabled, or ``check``
        off)."""
        if check and not self._enabled(level):
            return
        level = min(max(level, FATAL), DEBUG)
        record = _Record(self._name, level, message, filename, line)
        with self._lock:
            targets = list(self._targets.items())
        for name, target in targets:
            if getattr(target, "dead", False):
                self._drop(name)
                continue
            target.emit(record)

    # -- targets ---------------------------------------------------------------------------
    def target_names(self) -> list[str]:
        with self._lock:
            for name in [n for n, t in self._targets.items() if getattr(t, "dead", False)]:
                self._targets.pop(name).close()
            return list(self._targets)

    def add_target(self, spec: str, log_dir: str = "") -> None:
        """Add ``type::name`` (``console``, ``file``: ``log_dir/<device>.log`` by default,
        ``device``), lower-cased as cppTango stores it; an existing one is kept."""
        kind, _, name = spec.lower().partition(_SEP)
        make: Callable[[], Any]
        if kind == "console":
            key, make = "console::cout", _ConsoleTarget
        elif kind == "file":
            path = name or os.path.join(log_dir, self._name.lower().replace("/", "_") + ".log")
            key, make = f"file::{path}", lambda: _FileTarget(path)
        elif kind == "device":
            if not name:
                raise _argument_error("Device target name must be specified (no default value)")
            key, make = f"device::{name}", lambda: _DeviceTarget(name)
        else:
            raise _argument_error(f"Invalid logging target type specified ({kind})")
        with self._lock:
            if key in self._targets:
                return
        target = make()
        with self._lock:
            self._targets.setdefault(key, target)

    def remove_target(self, spec: str) -> None:
        """Remove ``type::name`` (``type`` alone or ``type::*``: every target of that type)."""
        kind, _, name = spec.lower().partition(_SEP)
        if kind not in ("console", "file", "device"):
            raise DevFailed(
                make_error(
                    "API_MethodArgument",
                    f"Logging target type <{kind}> not supported",
                    "Logging::remove_logging_target",
                )
            )
        with self._lock:
            for key in list(self._targets):
                key_kind, _, key_name = key.partition(_SEP)
                if key_kind == kind and (kind == "console" or name in ("", "*", key_name)):
                    self._targets.pop(key).close()

    def _drop(self, name: str) -> None:
        with self._lock:
            target = self._targets.pop(name, None)
        if target is not None:
            target.close()

    # -- StopLogging / StartLogging ----------------------------------------------------------
    def stop(self) -> None:
        if self._saved_level is None:
            self._saved_level, self._level = self._level, OFF

    def start(self) -> None:
        if self._saved_level is not None:
            self._level, self._saved_level = self._saved_level, None


def _argument_error(text: str) -> DevFailed:
    return DevFailed(make_error("API_MethodArgument", text, "Logging::add_logging_target"))


class DeviceLogging:
    """The logging methods of a device: its logger and PyTango's streams, each record
    located at its caller (or at ``source``'s definition, or at the method a ``LogIt``
    decorator wraps)."""

    _logger: DeviceLogger

    def get_logger(self) -> DeviceLogger:
        return self._logger

    def _stream(self, level: int, msg: str, args: tuple[Any, ...], source: Any) -> None:
        self._logger._log_at(level, msg, args, source)

    def debug_stream(self, msg: str, *args: Any, source: Any = None) -> None:
        self._stream(DEBUG, msg, args, source)

    def info_stream(self, msg: str, *args: Any, source: Any = None) -> None:
        self._stream(INFO, msg, args, source)

    def warn_stream(self, msg: str, *args: Any, source: Any = None) -> None:
        self._stream(WARN, msg, args, source)

    def error_stream(self, msg: str, *args: Any, source: Any = None) -> None:
        self._stream(ERROR, msg, args, source)

    def fatal_stream(self, msg: str, *args: Any, source: Any = None) -> None:
        self._stream(FATAL, msg, args, source)

    # PyTango's file-like streams: ``print(msg, file=self.log_info)``
    def _file(self, level: str) -> TangoStream:
        key = f"_log_{level}_file"
        if key not in self.__dict__:
            self.__dict__[key] = TangoStream(getattr(self, f"{level}_stream"))
        stream: TangoStream = self.__dict__[key]
        return stream

    @property
    def log_debug(self) -> TangoStream:
        return self._file("debug")

    @property
    def log_info(self) -> TangoStream:
        return self._file("info")

    @property
    def log_warn(self) -> TangoStream:
        return self._file("warn")

    @property
    def log_error(self) -> TangoStream:
        return self._file("error")

    @property
    def log_fatal(self) -> TangoStream:
        return self._file("fatal")

    def init_logger(self) -> None:
        """PyTango's hook (the logging properties of a Database device): made at start."""

    def start_logging(self) -> None:
        self._logger.start()

    def stop_logging(self) -> None:
        self._logger.stop()


# -- the admin device's logging commands ------------------------------------------------------
Loggers = Iterable[tuple[str, DeviceLogger]]


def _matching(loggers: Loggers, pattern: str) -> list[tuple[str, DeviceLogger]]:
    wanted = pattern.lower()
    return [(n, lg) for n, lg in loggers if fnmatch.fnmatchcase(n.lower(), wanted)]


def _matching_or_fail(loggers: Loggers, pattern: str) -> list[tuple[str, DeviceLogger]]:
    found = _matching(loggers, pattern)
    if not found:
        raise DevFailed(
            make_error(
                "API_DeviceNotFound",
                f"No device name matching pattern  <{pattern}>",
                "Logging::add_logging_target",
            )
        )
    return found


def _pairs(argin: list[str]) -> list[tuple[str, str]]:
    if len(argin) % 2:
        raise _argument_error("Incorrect number of inout arguments")
    return list(zip(argin[0::2], argin[1::2]))


def add_targets(loggers: Loggers, argin: list[str], log_dir: str) -> None:
    """``AddLoggingTarget``: [device pattern, target, ...]."""
    loggers = list(loggers)
    for pattern, target in _pairs(argin):
        for _, logger in _matching_or_fail(loggers, pattern):
            logger.add_target(target, log_dir)


def remove_targets(loggers: Loggers, argin: list[str]) -> None:
    """``RemoveLoggingTarget``: [device pattern, target, ...]."""
    loggers = list(loggers)
    for pattern, target in _pairs(argin):
        for _, logger in _matching_or_fail(loggers, pattern):
            logger.remove_target(target)


def get_targets(loggers: Loggers, device: str) -> list[str]:
    """``GetLoggingTarget``: the targets of one device."""
    for name, logger in loggers:
        if name.lower() == device.lower():
            return logger.target_names()
    raise DevFailed(
        make_error("API_DeviceNotFound", f"Device {device} not found", "Util::get_device_by_name")
    )


def get_levels(loggers: Loggers, patterns: list[str]) -> list[Any]:
    """``GetLoggingLevel``: [[level, ...], [device, ...]] of the devices matching each
    pattern."""
    loggers = list(loggers)
    levels: list[int] = []
    names: list[str] = []
    for pattern in patterns:
        for name, logger in _matching(loggers, pattern):
            levels.append(logger.get_tango_level())
            names.append(name)
    return [levels, names]


def set_levels(loggers: Loggers, argin: Any) -> None:
    """``SetLoggingLevel``: [[level, ...], [device pattern, ...]]."""
    levels, patterns = list(argin[0]), list(argin[1])
    if len(levels) != len(patterns):
        raise DevFailed(
            make_error(
                "API_IncompatibleCmdArgumentType",
                "Imcompatible command argument type,                                    "
                "long and string arrays must have the same length",
                "Logging::set_logging_level",
            )
        )
    loggers = list(loggers)
    for level, pattern in zip(levels, patterns):
        if not OFF <= int(level) <= DEBUG:
            raise DevFailed(
                make_error(
                    "API_MethodArgument",
                    "Invalid argument for command,                                      "
                    "logging level out of range",
                    "Logging::set_logging_level",
                )
            )
        for _, logger in _matching(loggers, pattern):
            logger.set_tango_level(int(level))
