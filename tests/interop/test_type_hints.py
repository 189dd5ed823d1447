"""Type hints as types, as PyTango 10 reads them: ``peers/hintdev.py`` served by PyTango and
by puretango, every attribute configuration and command info compared through a real
PyTango client; and ``attribute(dtype=list[str])`` refused by both."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from peers.launch import PEERS_DIR, PyTangoServer, run_pytango_client

import puretango
from puretango.server import Device, attribute

DEVICE = "test/hint/1"
SNIPPET = """
import json, tango
proxy = tango.DeviceProxy({trl!r})
attrs = {{
    c.name: [str(tango.CmdArgType(c.data_type)), str(c.data_format), c.max_dim_x, c.max_dim_y,
             str(c.writable), list(c.enum_labels)]
    for c in proxy.attribute_list_query_ex()
}}
cmds = {{c.cmd_name: [str(c.in_type), str(c.out_type)] for c in proxy.command_list_query()}}
reads = {{n: repr(proxy.read_attribute(n).value) for n in attrs if n not in ("State", "Status")}}
args = [("cmd_list", [1.0, 2.0]), ("cmd_scalar", 3), ("cmd_ndarray", [1, 2]),
        ("cmd_long_string", ([1], ["a"])), ("cmd_void", None), ("cmd_props", None),
        ("cmd_enum", 1)]
results = {{name: repr(proxy.command_inout(name, arg)) for name, arg in args}}
print(json.dumps([attrs, cmds, reads, results]))
"""


class _HintServer(PyTangoServer):
    def __init__(self, impl: str) -> None:
        super().__init__(PEERS_DIR / "hintdev.py", f"hint{impl}", [DEVICE])
        self.impl = impl

    def start(self, timeout: float = 30) -> PyTangoServer:
        import os

        os.environ["HINTDEV_IMPL"] = self.impl
        try:
            return super().start(timeout)
        finally:
            os.environ.pop("HINTDEV_IMPL", None)


@pytest.fixture(scope="module")
def infos() -> Iterator[dict[str, list[object]]]:
    out = {}
    for impl in ("tango", "puretango"):
        with _HintServer(impl) as server:
            out[impl] = json.loads(run_pytango_client(SNIPPET.format(trl=server.trl(DEVICE))))
    yield out


def test_attribute_types_from_hints_match_pytango(infos: dict[str, list[object]]) -> None:
    ours, theirs = infos["puretango"][0], infos["tango"][0]
    assert ours == theirs
    assert theirs["a_tuple_int_int"][:4] == ["DevLong64", "SPECTRUM", 2, 0]  # type: ignore[index]
    assert theirs["k_spectrum"][:5] == [  # type: ignore[index]
        "DevLong64", "SPECTRUM", 3, 0, "READ_WRITE"
    ]  # fmt: skip


def test_command_types_from_hints_match_pytango(infos: dict[str, list[object]]) -> None:
    ours, theirs = infos["puretango"][1], infos["tango"][1]
    assert ours == theirs
    assert theirs["cmd_list"] == ["DevVarDoubleArray", "DevVarStringArray"]  # type: ignore[index]


def test_values_of_hint_typed_device_match_pytango(infos: dict[str, list[object]]) -> None:
    # reads (a never-written WRITE spectrum included) and command results
    assert infos["puretango"][2:] == infos["tango"][2:]
    assert infos["tango"][3]["cmd_props"] == repr(repr(([1, 2], "x")))  # type: ignore[index]


def test_dtype_keyword_takes_no_typing_forms() -> None:
    # PyTango 10.3: RuntimeError "Cannot translate list[str] to TANGO type"
    with pytest.raises((TypeError, RuntimeError)):

        class _Refused(Device):
            a = attribute(dtype=list[str])

    assert puretango.server.attribute(dtype=(str,)).data_format.name == "SPECTRUM"


def test_high_level_state_and_enum_arrays_read_as_pytango_reads_them() -> None:
    # ``proxy.a_states`` is a tuple of DevState members, ``proxy.a_enums`` of enum members
    code = (
        "import {mod} as t; p = t.DeviceProxy({trl!r}); "
        "print(repr([p.a_state, p.a_states, p.a_enums, p.a_enum]))"
    )
    with _HintServer("puretango") as server:
        trl = server.trl(DEVICE)
        ours = run_pytango_client(code.format(mod="puretango", trl=trl))
        theirs = run_pytango_client(code.format(mod="tango", trl=trl))
    assert ours == theirs
    assert "(<DevState.FAULT: 8>,)" in ours
