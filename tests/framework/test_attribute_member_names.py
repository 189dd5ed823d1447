"""Names and order as PyTango's servers give them: an attribute bound to two class members
(``@attr1.write def set_attr1`` returns the same attribute object) is named after the first
one, and commands are listed in cppTango's order; each compared with a PyTango device
server started from the same source."""

from __future__ import annotations

import json
from typing import Any

import pytest
from peers.launch import run_pytango_client

from puretango.test_context import DeviceTestContext

SOURCE = """
class ServerTest(Device):
    _value = 100

    @attribute(access=AttrWriteType.READ_WRITE)
    def attr1(self) -> int:
        return self._value

    @attr1.write
    def set_attr1(self, value):
        self._value = value

    voltage = attribute(fget=lambda self: 1.5, dtype=float)
"""

_PYTANGO = (
    "import json\n"
    "from tango import AttrWriteType\n"
    "from tango.server import Device, attribute\n"
    "from tango.test_context import DeviceTestContext\n"
    + SOURCE
    + "with DeviceTestContext(ServerTest) as proxy:\n"
    "    proxy.attr1 = 7\n"
    "    print(json.dumps([sorted(proxy.get_attribute_list()), proxy.attr1, proxy.voltage]))\n"
)


def test_attribute_named_after_its_first_member() -> None:
    pytest.importorskip("tango")
    namespace: dict[str, object] = {}
    exec(
        "from puretango import AttrWriteType\n"
        "from puretango.server import Device, attribute\n" + SOURCE,
        namespace,
    )
    with DeviceTestContext(namespace["ServerTest"]) as proxy:  # type: ignore[arg-type]
        proxy.attr1 = 7
        ours = [sorted(proxy.get_attribute_list()), proxy.attr1, proxy.voltage]
    theirs = json.loads(run_pytango_client(_PYTANGO).strip().splitlines()[-1])
    assert ours == theirs == [["State", "Status", "attr1", "voltage"], 7, 1.5]


_COMMANDS = """
class Ordered(Device):
    @command
    def zzz(self) -> None:
        pass

    @command
    def Zed(self) -> None:
        pass

    @command
    def aaa(self) -> None:
        pass

    @command
    def Bcd(self) -> None:
        pass
"""


def test_command_list_in_cpptango_order() -> None:
    """Commands are listed sorted by name as bytes (upper case first), as cppTango does."""
    pytest.importorskip("tango")
    namespace: dict[str, object] = {}
    exec("from puretango.server import Device, command\n" + _COMMANDS, namespace)
    with DeviceTestContext(namespace["Ordered"]) as proxy:  # type: ignore[arg-type]
        ours = [c.cmd_name for c in proxy.command_list_query()]
    code = (
        "import json\n"
        "from tango.server import Device, command\n"
        "from tango.test_context import DeviceTestContext\n"
        + _COMMANDS
        + "with DeviceTestContext(Ordered) as proxy:\n"
        "    print(json.dumps([c.cmd_name for c in proxy.command_list_query()]))\n"
    )
    theirs = json.loads(run_pytango_client(code).strip().splitlines()[-1])
    assert ours == theirs == ["Bcd", "Init", "State", "Status", "Zed", "aaa", "zzz"]


_DECORATED = """
from functools import wraps


def passing(function):
    @wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)

    return wrapper


def adds_argument(method):
    @wraps(method)
    def wrapper(self):
        method(self, "added")

    return wrapper


class Decorated(Device):
    @passing
    @command()
    def before(self, arg: int) -> int:
        return arg + 1

    @command()
    @passing
    def after(self, arg: int) -> int:
        return arg + 2

    @command(dtype_in=None, dtype_out=None)
    @adds_argument
    def explicit_void(self, arg: str) -> str:
        return arg
"""


def test_decorated_commands_as_pytango() -> None:
    """A decorator above ``@command`` keeps the command; ``dtype_in=None`` is DevVoid even
    when the (wrapped) method's hints say otherwise."""
    pytest.importorskip("tango")

    def run(proxy: object) -> list[object]:
        p: Any = proxy
        return [
            p.before(1),
            p.after(1),
            p.explicit_void(),
            str(p.get_command_config("explicit_void").in_type),
        ]

    namespace: dict[str, object] = {}
    exec("from puretango.server import Device, command\n" + _DECORATED, namespace)
    with DeviceTestContext(namespace["Decorated"]) as proxy:  # type: ignore[arg-type]
        ours = run(proxy)
    code = (
        "import json\n"
        "from tango.server import Device, command\n"
        "from tango.test_context import DeviceTestContext\n"
        + _DECORATED
        + "with DeviceTestContext(Decorated) as p:\n"
        "    print(json.dumps([p.before(1), p.after(1), p.explicit_void(),\n"
        "        str(p.get_command_config('explicit_void').in_type)]))\n"
    )
    theirs = json.loads(run_pytango_client(code).strip().splitlines()[-1])
    assert ours == theirs == [2, 3, None, "DevVoid"]


_BOOL_PROPERTY = """
class Flags(Device):
    flag = device_property(dtype=bool)

    @command(dtype_out=bool)
    def get_flag(self):
        return self.flag
"""


def _bool_outcomes(device_test_context: Any, cls: Any, failure: type[Exception]) -> list[str]:
    out = []
    for text in ("yes", "off", "true, true"):
        try:
            with device_test_context(cls, properties={"flag": [text]}) as proxy:
                out.append(str(proxy.get_flag()))
        except failure as exc:
            out.append("Failed to convert property 'flag' of device" in str(exc) and "refused")
    return out


def test_bool_property_values_as_pytango() -> None:
    """Boolean properties read PyTango's truth words and refuse anything else with its
    message."""
    pytest.importorskip("tango")
    namespace: dict[str, object] = {}
    exec(
        "from puretango.server import Device, command, device_property\n" + _BOOL_PROPERTY,
        namespace,
    )
    from puretango import DevFailed

    ours = _bool_outcomes(DeviceTestContext, namespace["Flags"], DevFailed)
    code = (
        "import json\n"
        "from tango import DevFailed\n"
        "from tango.server import Device, command, device_property\n"
        "from tango.test_context import DeviceTestContext\n" + _BOOL_PROPERTY + "out = []\n"
        "for text in ('yes', 'off', 'true, true'):\n"
        "    try:\n"
        "        with DeviceTestContext(Flags, properties={'flag': [text]}) as proxy:\n"
        "            out.append(str(proxy.get_flag()))\n"
        "    except DevFailed as exc:\n"
        "        ok = \"Failed to convert property 'flag' of device\" in str(exc)\n"
        "        out.append(ok and 'refused')\n"
        "print(json.dumps(out))\n"
    )
    theirs = json.loads(run_pytango_client(code).strip().splitlines()[-1])
    assert ours == theirs == ["True", "False", "refused"]
