"""An attribute bound to two class members (``@attr1.write def set_attr1`` returns the same
attribute object) is named after the first one, as PyTango names it; compared with a
PyTango device server started from the same source."""

from __future__ import annotations

import json

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
