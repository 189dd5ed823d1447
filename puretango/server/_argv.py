"""A device server's command line as PyTango accepts it (``tango.pyutil.parse_args``):
:func:`parse_args` turns the friendly spellings (``--nodb``, ``-port P [-host H]``,
``-vvvv``/``--verbose``/``-v 4``, ``-file PATH``, ``--ORBxxx value``) into Tango's canonical
ones (``-nodb``, ``-ORBendPoint giop:tcp:H:P``, ``-v4``, ``-file=PATH``, ``-ORBxxx value``),
and exits (``SystemExit``, argparse's message) on what Tango refuses: ``-nodb`` without an
endpoint, ``-dlist`` without ``-nodb``, unknown options, Windows-only options elsewhere."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

__all__ = ["ArgvError", "parse_args"]

_VERBOSE_LEVEL = re.compile(r"^-[vV]=?(\d+)$")
_ORB_OPTION = re.compile(r"^--?ORB(\w+)$")


def _pop_verbose_level(args: list[str]) -> int | None:
    """Take ``-vN``/``-v=N``/``-v N`` out of ``args``: they and ``-vvvv`` cannot share a
    parser."""
    for i, arg in enumerate(args):
        m = _VERBOSE_LEVEL.match(arg)
        if m:
            del args[i]
            return int(m.group(1))
        if arg in ("-v", "-V") and i + 1 < len(args) and args[i + 1].isdigit():
            level = int(args[i + 1])
            del args[i : i + 2]
            return level
    return None


class ArgvError(ValueError):
    """A command line :func:`parse_args` refuses (``strict=False``; else SystemExit)."""


class _Parser(argparse.ArgumentParser):
    strict = True

    def error(self, message: str) -> NoReturn:
        if self.strict:
            super().error(message)
        raise ArgvError(message)


def _parser(prog: str, orb_options: Sequence[str], strict: bool) -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        usage="%(prog)s instance_name [-v[trace level]] [-host] [-port] "
        "[-file=<file_name> | -nodb [-dlist]]",
    )
    parser.add_argument("instance_name", nargs="+")
    parser.add_argument("-v", "--verbose", dest="verbose", action="count")
    parser.add_argument("-file", "--file", dest="file")
    parser.add_argument("-host", "--host", dest="host", default="0.0.0.0")
    parser.add_argument("-port", "--port", dest="port", default="")
    parser.add_argument("-nodb", "--nodb", dest="nodb", action="store_true")
    parser.add_argument("-dlist", "--dlist", dest="dlist")
    parser.add_argument("-ORBendPoint", "--ORBendPoint", dest="ORBendPoint")
    parser.strict = strict
    if sys.platform.startswith("win"):  # the Windows service options
        for flag in ("-dbg", "-i", "-s", "-u"):
            parser.add_argument(flag, dest=flag[1:], action="store_true")
    for name in orb_options:
        parser.add_argument(f"-{name}", f"--{name}", dest=name)
    return parser


def parse_args(args: Sequence[str], strict: bool = True) -> list[str]:
    """Tango's canonical command line for a PyTango-style one (program name first).
    ``strict=False``: ArgvError instead of SystemExit, and ``-nodb`` may go without an
    endpoint (port chosen by the system)."""
    args = list(args)
    orb_options = []
    for arg in args:
        m = _ORB_OPTION.match(arg)
        if m and m.group(1) != "endPoint":
            orb_options.append(arg.lstrip("-"))
    level = _pop_verbose_level(args)
    prog = os.path.splitext(args[0])[0]
    ns = _parser(prog, orb_options, strict).parse_args(args[1:])
    if ns.port and ns.ORBendPoint is None:
        ns.ORBendPoint = f"giop:tcp:{ns.host}:{ns.port}"
    refusal = None
    if ns.nodb and ns.ORBendPoint is None and strict:
        refusal = "-nodb option should used with [-host] -port or -ORBendPoint options"
    if ns.dlist is not None and not ns.nodb:
        refusal = "-dlist should be used only with -nodb option"
    if refusal:
        if strict:
            raise SystemExit(refusal)
        raise ArgvError(refusal)
    result = [prog, *ns.instance_name]
    if level is not None:
        result.append(f"-v{level}")
    elif ns.verbose is not None:
        result.append(f"-v{ns.verbose}")
    for key, value in vars(ns).items():
        if key in ("host", "port", "verbose", "instance_name") or value is None:
            continue
        if isinstance(value, bool):
            if value:
                result.append(f"-{key}")
        elif key == "file":
            result.append(f"-file={value}")
        else:
            result += [f"-{key}", str(value)]
    return result
