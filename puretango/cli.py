"""The ``puretango`` command line: the demo, the Database in the foreground (and ``db
export|import``, a database copied between MariaDB and SQLite), and the small tools a Tango
user reaches for (``ls``, ``info``, ``read``, ``write``, ``cmd``, ``props``, ``watch``,
``server add|delete|list``), and ``web``, a live view of the system in a browser.

Rule: a user's mistake (a bad name, an unknown attribute, a Database that does not answer)
is one readable line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

__all__ = ["main"]


class UsageError(Exception):
    """A command line that cannot be carried out: the message is what the user sees."""


# -- the demo -----------------------------------------------------------------------------


def _demo(args: argparse.Namespace) -> int:
    """``puretango demo``: the gevent session below, or with ``--web`` the web view."""
    if args.web:
        return _demo_web(args)
    return _demo_gevent(args)


@contextlib.contextmanager
def _demo_system() -> Iterator[str]:
    """A whole Tango system in this process: the embedded Database (SQLite in a temporary
    folder, a free port, ``TANGO_HOST`` set to it meanwhile) and TangoTest registered and
    served as ``sys/tg_test/1``; yields the TANGO_HOST."""
    import os
    import tempfile
    from pathlib import Path

    from . import Database, DbDevInfo, _wiring
    from .databaseds import EmbeddedDatabase
    from .server._server import server_in_thread
    from .server._startup import database_server
    from .tangotest import TangoTest

    saved_host = os.environ.get("TANGO_HOST")
    with tempfile.TemporaryDirectory() as folder:
        with EmbeddedDatabase(Path(folder) / "tango.db") as embedded:
            os.environ["TANGO_HOST"] = embedded.tango_host
            try:
                info = DbDevInfo()
                info.name, info._class, info.server = "sys/tg_test/1", "TangoTest", "TangoTest/test"
                Database().add_server(info.server, [info])
                server = database_server(
                    [TangoTest], "TangoTest", "test", _wiring.server_database(), "127.0.0.1"
                )
                thread, _ = server_in_thread(server)
                print(f"Database sys/database/2 at TANGO_HOST={embedded.tango_host}")
                print("TangoTest/test serving sys/tg_test/1, exported to the Database")
                try:
                    yield embedded.tango_host
                finally:
                    server.request_stop()
                    thread.join(10)
            finally:
                if saved_host is None:
                    os.environ.pop("TANGO_HOST", None)
                else:
                    os.environ["TANGO_HOST"] = saved_host


def _demo_gevent(args: argparse.Namespace) -> int:
    """The demo system (:func:`_demo_system`), then PyTango's gevent session word for word
    with ``from puretango.gevent import DeviceProxy``, and many concurrent reads completing
    on this one thread."""
    try:
        import gevent
    except ImportError:
        sys.stderr.write("puretango demo needs gevent: pip install 'puretango[gevent]'\n")
        return 2
    import threading

    started = time.monotonic()
    with _demo_system():
        print()
        _gevent_session(gevent)
    left = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    print(f"\ndone in {time.monotonic() - started:.1f} s; threads left running: {len(left)}")
    return 0


def _demo_web(args: argparse.Namespace) -> int:
    """The demo system (:func:`_demo_system`), then ``puretango web`` on its TANGO_HOST
    until Ctrl-C."""
    web = _web_module()
    with _demo_system():
        web.serve(args.host, args.port, args.poll_period)
    return 0


def _web_module() -> Any:
    """:mod:`puretango.web`, or a UsageError saying how to install aiohttp."""
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        raise UsageError("needs aiohttp: pip install 'puretango[web]'") from None
    from . import web

    return web


def _web(args: argparse.Namespace) -> int:
    """``puretango web``: the web view of the Database named by TANGO_HOST, until Ctrl-C."""
    if args.poll_period <= 0:
        raise UsageError("--poll-period must be positive")
    _web_module().serve(args.host, args.port, args.poll_period)
    return 0


def _gevent_session(gevent: Any) -> None:
    """PyTango's gevent example (its green-modes documentation), then a burst of reads."""
    import threading

    def say(line: str) -> None:
        print(f">>> {line}")

    say("from puretango.gevent import DeviceProxy")
    from .gevent import DeviceProxy

    say('dev = DeviceProxy("sys/tg_test/1")')
    dev = DeviceProxy("sys/tg_test/1")
    say("dev.get_green_mode()")
    print(repr(dev.get_green_mode()))
    say("print(dev.state())")
    print(dev.state())
    say("result = dev.state(wait=False)")
    result = dev.state(wait=False)
    say("result")
    print(f"<{type(result).__module__}.{type(result).__name__} at {id(result):#x}>")
    say("print(result.get())")
    print(result.get())
    say('result = dev.read_attribute("wave", wait=False)')
    result = dev.read_attribute("wave", wait=False)
    say("print(result.get())")
    print(result.get())

    names = ["double_scalar", "long_scalar", "short_scalar", "float_scalar", "wave"]
    count = 2000
    thread_ids = set()

    def read(i: int) -> Any:
        thread_ids.add(threading.get_ident())
        return dev.read_attribute(names[i % len(names)])

    begin = time.perf_counter()
    greenlets = [gevent.spawn(read, i) for i in range(count)]
    gevent.joinall(greenlets, raise_error=True)
    elapsed = time.perf_counter() - begin
    print(
        f"\n{count} concurrent read_attribute calls in {len(greenlets)} greenlets: "
        f"{count / elapsed:,.0f} reads/s, all on {len(thread_ids)} OS thread"
    )


# -- names and values -------------------------------------------------------------------------


def split_attribute(full_name: str) -> tuple[str, str]:
    """``"[tango://h:p/]a/b/c/attr[#dbase=no]"`` -> (device name, attribute name)."""
    name, hash_, fragment = full_name.partition("#")
    device, slash, attribute = name.rpartition("/")
    if not slash or not device or not attribute or device.endswith("/"):
        raise UsageError(f"{full_name!r} is not an attribute name (domain/family/member/attr)")
    return device + hash_ + fragment, attribute


def parse_value(text: str) -> Any:
    """A value typed on the command line: a Python literal (``3``, ``2.5``, ``True``,
    ``[1, 2]``, ``"a b"``) or else the text itself."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _device(name: str) -> Any:
    from . import DeviceProxy

    return DeviceProxy(name)


def _database() -> Any:
    from . import Database

    return Database()


# -- sub-commands -----------------------------------------------------------------------------


def _db(argv: Sequence[str]) -> int:
    """``puretango db ARGS``: the Database server's own command line (``db export|import``:
    a copy between databases)."""
    if argv[:1] and argv[0] in TRANSFER_ACTIONS:
        return _db_transfer(argv[0], argv[1:])
    from .databaseds.__main__ import main as databaseds_main

    return int(databaseds_main(argv, prog="puretango db") or 0)


def _ls(args: argparse.Namespace) -> int:
    db = _database()
    pattern = args.pattern
    if args.servers:
        names = list(db.get_server_list(pattern).value_string)
    elif args.classes:
        names = list(db.get_class_list(pattern).value_string)
    elif args.exported:
        names = list(db.get_device_exported(pattern).value_string)
    else:  # every device defined, exported or not (PyTango has no method for it)
        names = list(db.command_inout("DbGetDeviceWideList", pattern))
    for name in names:
        print(name)
    return 0


def _info(args: argparse.Namespace) -> int:
    dev = _device(args.device)
    info = dev.info()
    print(f"device:  {dev.dev_name()}")
    print(f"class:   {info.dev_class}")
    print(f"server:  {info.server_id} on {info.server_host} (IDL {info.server_version})")
    print(f"state:   {dev.state()}")
    print(f"status:  {dev.status()}")
    print(f"attributes: {', '.join(dev.get_attribute_list())}")
    print(f"commands:   {', '.join(dev.get_command_list())}")
    return 0


def _read(args: argparse.Namespace) -> int:
    for full_name in args.attributes:
        device, attribute = split_attribute(full_name)
        da = _device(device).read_attribute(attribute)
        print(f"{full_name} = {da.value!r}  ({da.quality})")
    return 0


def _write(args: argparse.Namespace) -> int:
    device, attribute = split_attribute(args.attribute)
    dev = _device(device)
    dev.write_attribute(attribute, parse_value(args.value))
    da = dev.read_attribute(attribute)
    print(f"{args.attribute} = {da.value!r}  (set point {da.w_value!r})")
    return 0


def _cmd(args: argparse.Namespace) -> int:
    dev = _device(args.device)
    result = (
        dev.command_inout(args.command)
        if args.argument is None
        else dev.command_inout(args.command, parse_value(args.argument))
    )
    if result is not None:
        print(result)
    return 0


def _props(args: argparse.Namespace) -> int:
    updates: dict[str, list[str]] = {}
    for assignment in args.assignments:
        name, equals, value = assignment.partition("=")
        if not equals or not name:
            raise UsageError(f"{assignment!r}: properties are set as NAME=VALUE")
        updates[name] = value.split("\n")
    dev = _device(args.device)
    if updates:
        dev.put_property(updates)
    names = dev.get_property_list("*")
    for name, values in dev.get_property(list(names)).items():
        print(f"{name} = {' | '.join(values)}")
    return 0


def _watch(args: argparse.Namespace) -> int:
    targets = [(name, *split_attribute(name)) for name in args.attributes]
    devices = {device: _device(device) for _, device, _ in targets}
    live = sys.stdout.isatty()
    refreshes = 0
    width = max(len(name) for name, _, _ in targets)
    while args.count is None or refreshes < args.count:
        rows = []
        for name, device, attribute in targets:
            try:
                da = devices[device].read_attribute(attribute)
                rows.append(f"{name:<{width}}  {da.value!r}  {da.quality}")
            except Exception as exc:  # noqa: BLE001 - shown in the table, the watch goes on
                rows.append(f"{name:<{width}}  <{_one_line(exc)}>")
        if live:
            sys.stdout.write("\x1b[H\x1b[2J")  # home, clear screen
        sys.stdout.write(time.strftime("%H:%M:%S") + "\n" + "\n".join(rows) + "\n")
        sys.stdout.flush()
        refreshes += 1
        if args.count is None or refreshes < args.count:
            time.sleep(args.period)
    return 0


def _server_add(args: argparse.Namespace) -> int:
    from . import DbDevInfo

    infos = []
    for device in args.devices:
        info = DbDevInfo()
        info.name, info._class, info.server = device, args.class_name, args.server
        infos.append(info)
    _database().add_server(args.server, infos)
    for device in args.devices:
        print(f"{device} ({args.class_name}) added to {args.server}")
    return 0


def _server_delete(args: argparse.Namespace) -> int:
    _database().delete_server(args.server)
    print(f"{args.server} deleted")
    return 0


def _server_list(args: argparse.Namespace) -> int:
    for name in _database().get_server_list(args.pattern).value_string:
        print(name)
    return 0


# -- the parser ---------------------------------------------------------------------------------


# -- db export | db import -----------------------------------------------------------------------

TRANSFER_ACTIONS = ("export", "import")


def _transfer_parser(action: str) -> argparse.ArgumentParser:
    exporting = action == "export"
    parser = argparse.ArgumentParser(
        prog=f"puretango db {action}",
        description=(
            "copy a whole Tango database, replacing the target's rows: "
            + (
                "MariaDB/MySQL into an SQLite file"
                if exporting
                else "an SQLite file into MariaDB/MySQL"
            )
            + " (each of --from and --to may be a mysql:// URL or an SQLite file)"
        ),
    )
    url_role = "the source" if exporting else "the target"
    parser.add_argument(
        "--db-url", help=f"{url_role}, mysql://user:pass@host:3306/db (default: MYSQL_* variables)"
    )
    parser.add_argument("--from", dest="source", metavar="FILE|URL", help="the source")
    parser.add_argument("--to", dest="target", metavar="FILE|URL", help="the target")
    parser.add_argument("--dry-run", action="store_true", help="change nothing, list the changes")
    return parser


def _db_transfer(action: str, argv: Sequence[str]) -> int:
    from .databaseds._mysql_config import MysqlConfig
    from .databaseds._transfer import TransferError, transfer

    args = _transfer_parser(action).parse_args(argv)
    url_side = "source" if action == "export" else "target"
    try:
        if getattr(args, url_side) is None:
            if args.db_url is None:
                config = MysqlConfig.from_env()
                if config is None:
                    raise UsageError(
                        f"give --db-url or --{'from' if url_side == 'source' else 'to'}"
                    )
                args.db_url = config.url(with_password=True)
            setattr(args, url_side, args.db_url)
        elif args.db_url is not None:
            raise UsageError("--db-url and --from/--to name the same side: give one")
        if args.source is None or args.target is None:
            raise UsageError(f"give --{'to' if url_side == 'source' else 'from'}")
        report = transfer(args.source, args.target, dry_run=args.dry_run)
    except (UsageError, TransferError, ValueError) as exc:
        sys.stderr.write(f"puretango db {action}: {_one_line(exc)}\n")
        return 1
    print(report.summary())
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="puretango", description="Tango Controls in pure Python")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="subcommand", metavar="COMMAND")

    def command(name: str, func: Callable[[argparse.Namespace], int], help: str) -> Any:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    demo = command("demo", _demo, "embedded Database + TangoTest + a gevent client session")
    demo.add_argument(
        "--web", action="store_true", help="then the web view (puretango web) instead"
    )
    demo.add_argument("--port", type=int, default=8080, help="web view port (0: a free one)")
    demo.add_argument("--host", default="127.0.0.1", help="web view address")
    demo.add_argument("--poll-period", type=float, default=1.0, help=argparse.SUPPRESS)
    # listed for --help only: main() hands ``db`` and its arguments to _db before parsing
    sub.add_parser(
        "db",
        add_help=False,
        help="run the Tango Database (sys/database/2) in the foreground (db --help for its"
        " options); db export|import: copy a database between MariaDB and SQLite",
    )

    ls = command("ls", _ls, "list devices (or servers, classes) defined in the Database")
    ls.add_argument("pattern", nargs="?", default="*", help="wildcard pattern (default *)")
    kind = ls.add_mutually_exclusive_group()
    kind.add_argument("--servers", action="store_true", help="list device servers")
    kind.add_argument("--classes", action="store_true", help="list device classes")
    kind.add_argument("--exported", action="store_true", help="only exported devices")

    info = command("info", _info, "describe a device: class, server, state, interface")
    info.add_argument("device", help="device name (a/b/c, an alias, or tango://h:p/a/b/c)")

    read = command("read", _read, "read attributes")
    read.add_argument("attributes", nargs="+", metavar="DEV/ATTR")

    write = command("write", _write, "write an attribute and read it back")
    write.add_argument("attribute", metavar="DEV/ATTR")
    write.add_argument("value", help="a Python literal (3, 2.5, True, [1, 2]) or text")

    cmd = command("cmd", _cmd, "execute a command")
    cmd.add_argument("device")
    cmd.add_argument("command")
    cmd.add_argument("argument", nargs="?", help="a Python literal or text")

    props = command("props", _props, "show a device's properties, or set some")
    props.add_argument("device")
    props.add_argument("assignments", nargs="*", metavar="NAME=VALUE")

    watch = command("watch", _watch, "a live table of attribute values")
    watch.add_argument("attributes", nargs="+", metavar="DEV/ATTR")
    watch.add_argument("--period", type=float, default=1.0, help="seconds between reads")
    watch.add_argument("--count", type=int, help="stop after this many refreshes")

    web = command(
        "web", _web, "a live view of the Tango system in a browser (needs puretango[web])"
    )
    web.add_argument("--port", type=int, default=8080, help="TCP port (0: a free one)")
    web.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this computer only; the page can "
        "write attributes)",
    )
    web.add_argument(
        "--poll-period",
        type=float,
        default=1.0,
        help="seconds between reads of attributes without events (default 1.0)",
    )

    server = sub.add_parser("server", help="add, delete or list device servers")
    server_sub = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    add = server_sub.add_parser("add", help="register a server and its devices")
    add.add_argument("server", metavar="EXEC/INSTANCE")
    add.add_argument("class_name", metavar="CLASS")
    add.add_argument("devices", nargs="+", metavar="DEVICE")
    add.set_defaults(func=_server_add)
    delete = server_sub.add_parser("delete", help="delete a server and its devices")
    delete.add_argument("server", metavar="EXEC/INSTANCE")
    delete.set_defaults(func=_server_delete)
    listing = server_sub.add_parser("list", help="list device servers")
    listing.add_argument("pattern", nargs="?", default="*")
    listing.set_defaults(func=_server_list)
    return parser


def _one_line(exc: BaseException) -> str:
    """A failure as one line. For a DevFailed: the outermost error (what failed, in the
    caller's terms), then the innermost one (the cause) when it says something else."""
    errors = [e for e in getattr(exc, "args", ()) if hasattr(e, "reason") and hasattr(e, "desc")]
    if not errors:
        return " ".join(str(exc).split()) or type(exc).__name__

    def flat(text: Any) -> str:
        return " ".join(str(text).split())

    outer, cause = errors[-1], errors[0]
    line = f"{outer.reason}: {flat(outer.desc)}"
    if cause is not outer and flat(cause.desc) not in line:
        line += f" ({flat(cause.desc)})"
    return line


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["db"]:
        return _db(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__

        print(__version__)
        return 0
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    from ._errors import DevFailed

    try:
        return int(args.func(args))
    except (UsageError, DevFailed) as exc:
        sys.stderr.write(f"puretango {args.subcommand}: {_one_line(exc)}\n")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
