"""A classic-API device server (DeviceClass + LatestDeviceImpl, started with ``Util``)
that runs unchanged on PyTango or on puretango: ``python classic_peer.py pytango|puretango
PORT``. It serves ``test/classic/1`` (class ``ClassicPeer``) with ``-nodb``."""

from __future__ import annotations

import sys
from typing import Any, ClassVar

if sys.argv[1] == "pytango":
    import tango as api
else:
    import puretango.server as api

C, F, W = api.CmdArgType, api.AttrDataFormat, api.AttrWriteType


class ClassicPeer(api.LatestDeviceImpl):
    def __init__(self, cl: Any, name: str) -> None:
        api.LatestDeviceImpl.__init__(self, cl, name)
        ClassicPeer.init_device(self)

    def init_device(self) -> None:
        self.get_device_properties(self.get_device_class())
        self.set_state(api.DevState.ON)
        self.counter = 0
        self.spectrum = [1.5, 2.5, 3.5]
        self.allowed = True

    def read_counter(self, attr: Any) -> None:
        attr.set_value(self.counter)

    def write_counter(self, attr: Any) -> None:
        self.counter = attr.get_write_value()

    def read_spectrum(self, attr: Any) -> None:
        attr.set_value(self.spectrum)

    def read_speed(self, attr: Any) -> None:
        attr.set_value(self.Speed)

    def is_counter_allowed(self, req_type: Any) -> bool:
        return self.allowed

    def Add(self, value: int) -> int:  # noqa: N802 - a Tango command name
        self.counter += value
        return self.counter

    def Names(self) -> list[str]:  # noqa: N802
        return [self.Title, *self.Tags]

    def Lock(self, allow: bool) -> None:  # noqa: N802
        self.allowed = not allow

    def is_Add_allowed(self) -> bool:  # noqa: N802
        return self.allowed


class ClassicPeerClass(api.DeviceClass):
    class_property_list: ClassVar[dict[str, Any]] = {
        "Title": [C.DevString, "the title", "classic"],
    }
    device_property_list: ClassVar[dict[str, Any]] = {
        "Speed": [C.DevDouble, "the speed", 2.5],
        "Tags": [C.DevVarStringArray, "tags", ["a", "b"]],
    }
    cmd_list: ClassVar[dict[str, Any]] = {
        "Add": [[C.DevLong, "how much"], [C.DevLong, "the new count"]],
        "Names": [[C.DevVoid], [C.DevVarStringArray, "title and tags"]],
        "Lock": [[C.DevBoolean, "lock"], [C.DevVoid, ""]],
    }
    attr_list: ClassVar[dict[str, Any]] = {
        "counter": [[C.DevLong, F.SCALAR, W.READ_WRITE], {"label": "Count", "unit": "n"}],
        "spectrum": [[C.DevDouble, F.SPECTRUM, W.READ, 8], {"description": "some values"}],
        "speed": [[C.DevDouble, F.SCALAR, W.READ], {"max_value": 10, "format": "%5.1f"}],
    }


def main() -> None:
    port = sys.argv[2]
    argv = ["ClassicPeer", "test", "-ORBendPoint", f"giop:tcp:127.0.0.1:{port}", "-nodb"]
    util = api.Util([*argv, "-dlist", "test/classic/1"])
    util.add_class(ClassicPeerClass, ClassicPeer, "ClassicPeer")
    util = api.Util.instance()
    util.server_init()
    print("Ready to accept request", flush=True)
    util.server_run()


if __name__ == "__main__":
    main()
