"""Client pieces that need no server: names, enums, errors, value classes, public API."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import puretango as tango
from puretango._pyvalues import argin_to_any, python_to_attr_union
from puretango.client._names import parse_attribute_name, parse_device_name


@pytest.mark.parametrize(
    "name, device, host, port, dbase",
    [
        ("tango://Host:1234/A/b/C#dbase=no", "a/b/c", "host", 1234, False),
        ("host:10000/a/b/c#dbase=no", "a/b/c", "host", 10000, False),
        ("tango://127.0.0.1:5/x/y/z", "x/y/z", "127.0.0.1", 5, True),
        ("sys/tg_test/1", "sys/tg_test/1", None, None, True),
        ("my_alias", "my_alias", None, None, True),
    ],
)
def test_device_names(
    name: str, device: str, host: str | None, port: int | None, dbase: bool
) -> None:
    parsed = parse_device_name(name)
    assert (parsed.device, parsed.host, parsed.port, parsed.dbase) == (device, host, port, dbase)


@pytest.mark.parametrize(
    "name",
    ["a/b", "a/b/c/d", "", "tango://a/b/c", "a//c", "a/b/c#dbase=no", "tango://h:1/a/b#dbase=no"],
)
def test_wrong_device_names(name: str) -> None:
    with pytest.raises(tango.WrongNameSyntax) as info:
        parse_device_name(name)
    assert info.value.args[0].reason == "API_WrongDeviceNameSyntax"


def test_attribute_names() -> None:
    parsed = parse_attribute_name("tango://h:1/a/b/c/Attr#dbase=no")
    assert (parsed.device, parsed.attribute, parsed.dbase) == ("a/b/c", "Attr", False)
    with pytest.raises(tango.WrongNameSyntax):
        parse_attribute_name("a/b/c")


def test_database_names_fail_clearly() -> None:
    with pytest.raises(tango.ConnectionFailed) as info:
        tango.DeviceProxy("sys/tg_test/1")
    assert info.value.args[0].reason == "API_TangoHostNotSet"
    assert "dbase=no" in info.value.args[0].desc


def test_enums_as_pytango() -> None:
    assert str(tango.DevState.ON) == "ON"
    assert repr(tango.DevState.MOVING) == "<DevState.MOVING: 6>"
    assert tango.DevState.names["FAULT"] is tango.DevState.FAULT
    assert tango.DevState.values[13] is tango.DevState.UNKNOWN
    assert tango.CmdArgType.DevEncoded == 28 and tango.ArgType is tango.CmdArgType
    assert tango.GreenMode.Asyncio == 3
    assert [m.name for m in tango.AttrQuality] == [
        "ATTR_VALID",
        "ATTR_INVALID",
        "ATTR_ALARM",
        "ATTR_CHANGING",
        "ATTR_WARNING",
    ]
    assert tango.EventType.ALARM_EVENT == 9 and tango.SPECTRUM is tango.AttrDataFormat.SPECTRUM


def test_devfailed_shape() -> None:
    err = tango.DevError("R", tango.ErrSeverity.ERR, "d", "o")
    exc = tango.DevFailed(err)
    assert exc.args == (err,)
    assert (
        repr(exc) == "DevFailed(args = (DevError(desc = 'd', origin = 'o', reason = 'R', "
        "severity = <ErrSeverity.ERR: 1>),))"
    )
    assert issubclass(tango.ConnectionFailed, tango.DevFailed)
    assert issubclass(tango.CommunicationFailed, tango.DevFailed)
    with pytest.raises(tango.DevFailed) as info:
        tango.Except.throw_exception("X", "desc", "origin")
    assert info.value.args[0].reason == "X"
    assert tango.DevFailed("text").args == ("text",)


def test_timeval() -> None:
    tv = tango.TimeVal(1.5)
    assert (tv.tv_sec, tv.tv_usec) == (1, 500000)
    assert tv.totime() == 1.5
    assert repr(tango.TimeVal(3, 4, 5)) == "TimeVal(tv_nsec = 5, tv_sec = 3, tv_usec = 4)"
    assert (
        abs(
            tango.TimeVal.now().totime()
            - tango.TimeVal.fromdatetime(tango.TimeVal.now().todatetime()).totime()
        )
        < 1
    )


def test_value_conversion_errors() -> None:
    dbl, short = tango.CmdArgType.DevDouble, tango.CmdArgType.DevShort
    with pytest.raises(TypeError):
        python_to_attr_union("abc", short, tango.AttrDataFormat.SCALAR)
    with pytest.raises(TypeError):
        python_to_attr_union(2.7, short, tango.AttrDataFormat.SCALAR)
    with pytest.raises(OverflowError):
        python_to_attr_union(70000, short, tango.AttrDataFormat.SCALAR)
    with pytest.raises(TypeError):
        python_to_attr_union(np.zeros(3), dbl, tango.AttrDataFormat.IMAGE)
    union, dims = python_to_attr_union(np.zeros((2, 3)), dbl, tango.AttrDataFormat.IMAGE)
    assert dims == (3, 2) and union.value.size == 6
    with pytest.raises(TypeError):
        argin_to_any("x", tango.CmdArgType.DevLong64)
    with pytest.raises(TypeError):
        argin_to_any("abc", tango.CmdArgType.DevVarStringArray)


def test_import_does_not_import_gevent() -> None:
    code = "import puretango, sys; assert 'gevent' not in sys.modules, 'gevent imported'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_import_is_light() -> None:
    """numpy is imported on first use, not by ``import puretango``."""
    code = "import puretango, sys; assert 'numpy' not in sys.modules, 'numpy imported'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
