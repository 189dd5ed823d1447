"""The ``puretango`` command line."""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]

_DEMO_PENDING = """\
puretango demo needs the embedded Database and the TangoTest device server, which arrive
with later issues. What works today is the client: see "A client in ten lines" in README.md,
or point it at any Tango device server started without a database:

    import puretango as tango
    dev = tango.DeviceProxy("tango://127.0.0.1:10000/test/dev/1#dbase=no")
    print(dev.state(), dev.read_attribute("double_scalar").value)
"""


def _demo(args: argparse.Namespace) -> int:
    sys.stderr.write(_DEMO_PENDING)
    return 2


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
    sub.add_parser("demo", help="embedded Database + TangoTest + a gevent client session").set_defaults(func=_demo)
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
