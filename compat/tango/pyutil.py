"""``tango.pyutil`` on puretango: the polling-buffer records ``TimedAttrData`` and
``TimedCmdData`` (for ``Util.fill_attr_polling_buffer``/``fill_cmd_polling_buffer``) and
``parse_args``, which turns a PyTango device-server command line into the arguments
cppTango's ``Util`` takes (``-port``/``-host`` become ``-ORBendPoint``, ``-vvv`` ``-v3``...).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

from puretango import AttrQuality

__all__ = ["TimedAttrData", "TimedCmdData", "parse_args"]


class TimedAttrData:
    """One attribute record for a polling buffer: a value (or an ``error``, which wins),
    its quality, the written value and a time stamp (seconds; None: now)."""

    def __init__(
        self,
        value: Any = None,
        quality: AttrQuality = AttrQuality.ATTR_VALID,
        w_value: Any = None,
        error: Exception | None = None,
        time_stamp: float | None = None,
    ) -> None:
        self.value = value
        self.quality = quality
        self.w_value = w_value
        self.error = error
        self.time_stamp = time_stamp


class TimedCmdData:
    """One command record for a polling buffer: a value (or an ``error``, which wins)
    and a time stamp (seconds; None: now)."""

    def __init__(
        self, value: Any = None, error: Exception | None = None, time_stamp: float | None = None
    ) -> None:
        self.value = value
        self.error = error
        self.time_stamp = time_stamp


_VERBOSE_LEVEL = re.compile(r"-[vV]=?(\d+)$")
_ORB_OPTION = re.compile(r"--?ORB(\w+)$")
_WINDOWS_FLAGS = ("dbg", "i", "s", "u")


def _parser(prog: str, orb_options: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, add_help=False)
    parser.add_argument("instance_name", nargs="+")
    parser.add_argument("-h", "-?", "--help", action="help")
    parser.add_argument("-v", "--verbose", action="count")
    parser.add_argument("-file", "--file")
    parser.add_argument("-host", "--host", default="0.0.0.0")
    parser.add_argument("-port", "--port", default="")
    parser.add_argument("-nodb", "--nodb", action="store_true")
    parser.add_argument("-dlist", "--dlist")
    parser.add_argument("-ORBendPoint", "--ORBendPoint", dest="ORBendPoint")
    if sys.platform.startswith("win"):
        for flag in _WINDOWS_FLAGS:
            parser.add_argument(f"-{flag}", f"--{flag}", action="store_true")
    for option in orb_options:
        parser.add_argument(f"-{option}", f"--{option}", dest=option)
    return parser


def _pop_verbose_level(args: list[str]) -> int | None:
    """Remove the first ``-vN`` (or ``-v N``) from ``args``; its level."""
    for index, arg in enumerate(args):
        match = _VERBOSE_LEVEL.match(arg)
        if match:
            del args[index]
            return int(match.group(1))
        if arg in ("-v", "-V") and index + 1 < len(args) and args[index + 1].isdigit():
            level = int(args[index + 1])
            del args[index : index + 2]
            return level
    return None


def parse_args(args: list[str]) -> list[str]:
    """PyTango's device-server arguments ``[prog, instance, options...]`` as cppTango's;
    raises ``SystemExit`` on a wrong command line (as argparse does)."""
    args = list(args)
    orb_options = sorted(
        {m.group(0).lstrip("-") for m in map(_ORB_OPTION.match, args) if m} - {"ORBendPoint"}
    )
    level = _pop_verbose_level(args)
    prog = os.path.splitext(args[0])[0]
    parsed = _parser(prog, orb_options).parse_args(args[1:])
    if parsed.port and parsed.ORBendPoint is None:
        parsed.ORBendPoint = f"giop:tcp:{parsed.host}:{parsed.port}"
    if parsed.nodb and parsed.ORBendPoint is None:
        raise SystemExit("-nodb option should used with [-host] -port or -ORBendPoint options")
    if parsed.dlist is not None and not parsed.nodb:
        raise SystemExit("-dlist should be used only with -nodb option")
    result = [prog, *parsed.instance_name]
    if level is None:
        level = parsed.verbose
    if level is not None:
        result.append(f"-v{level}")
    if parsed.file is not None:
        result.append(f"-file={parsed.file}")
    if parsed.nodb:
        result.append("-nodb")
    if parsed.dlist is not None:
        result += ["-dlist", parsed.dlist]
    if parsed.ORBendPoint is not None:
        result += ["-ORBendPoint", parsed.ORBendPoint]
    for flag in _WINDOWS_FLAGS:
        if getattr(parsed, flag, False):
            result.append(f"-{flag}")
    for option in orb_options:
        value = getattr(parsed, option)
        if value is not None:
            result += [f"-{option}", value]
    return result
