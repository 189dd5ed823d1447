"""The ``puretango`` command line."""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    """TangoTest served in this process and a gevent client session against it, after
    PyTango's own gevent example. (The embedded Database arrives with a later issue; until
    then the device is reached without one, ``#dbase=no``.)"""
    try:
        import gevent
    except ImportError:
        sys.stderr.write("puretango demo needs gevent: pip install 'puretango[gevent]'\n")
        return 2
    from .server._server import DeviceServer, server_in_thread
    from .tangotest import TangoTest

    server = DeviceServer("TangoTest", "demo", [(TangoTest, "sys/tg_test/1", None)], "127.0.0.1", 0)
    thread, _ = server_in_thread(server)
    name = f"tango://127.0.0.1:{server.port}/sys/tg_test/1#dbase=no"
    print(f"TangoTest serving {name}")
    try:
        from .gevent import DeviceProxy

        dev = DeviceProxy(name)
        print(f"{dev!r}: state {dev.state()}, status {dev.status()!r}")
        result = dev.read_attribute("wave", wait=False)  # a gevent.event.AsyncResult
        print(
            "read_attribute('wave', wait=False) -> "
            f"{type(result).__module__}.{type(result).__name__}"
        )
        wave = result.get()
        print(
            f"wave: {wave.value.size} points, "
            f"min {wave.value.min():.3f}, max {wave.value.max():.3f}"
        )
        names = ["double_scalar", "long_scalar", "boolean_scalar", "string_scalar", "ampli"]
        greenlets = [gevent.spawn(dev.read_attribute, n) for n in names]
        gevent.joinall(greenlets, raise_error=True)
        for n, g in zip(names, greenlets):
            print(f"  {n} = {g.value.value!r}")
        print(f"DevDouble(3.14) -> {dev.DevDouble(3.14)}")
        dev.ampli = 2.0
        print(f"dev.ampli = 2.0 -> read back {dev.ampli}")
        print(dev.read_attribute("double_scalar"))
    finally:
        server.request_stop()
        thread.join(10)
    return 0


def _read(args: argparse.Namespace) -> int:
    from . import DeviceProxy

    dev = DeviceProxy(args.device)
    for name in args.attributes:
        print(f"{name} = {dev.read_attribute(name).value!r}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="puretango", description="Tango Controls in pure Python")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser(
        "demo", help="embedded Database + TangoTest + a gevent client session"
    ).set_defaults(func=_demo)
    read = sub.add_parser("read", help="read attributes of a device")
    read.add_argument("device", help="tango://host:port/domain/family/member#dbase=no")
    read.add_argument("attributes", nargs="+")
    read.set_defaults(func=_read)
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__

        print(__version__)
        return 0
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
