"""The polling's texts and history layouts without sockets: cppTango's "Data not updated
since" wording, the run-length coding of a history (the capture's layout) and our client
decoding what our server encodes, failed and INVALID records included."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import numpy as np

from puretango.client._history import attribute_history_from_idl, command_history_from_idl
from puretango.giop._typecode import Any as CorbaAny
from puretango.idl import UnionValue
from puretango.idl import types as t
from puretango.idl._cmdargs import command_typecode
from puretango.idl._enums import AttrDataFormat, AttributeDataType, AttrQuality, CmdArgType
from puretango.idl._values import DevError
from puretango.server._history import _history_tail, _runs, op_command_inout_history_4
from puretango.server._polling import PolledObject, PollRecord, _since, _status_text
from puretango.server._runtime import failed_value, new_value

ERROR = DevError("PyDs_PythonError", 1, "RuntimeError: boom\n", "here")


def _value(values: list[float], quality: AttrQuality = AttrQuality.ATTR_VALID) -> object:
    av = new_value("spec")
    av.value = UnionValue(AttributeDataType.ATT_DOUBLE, np.array(values))
    av.data_format, av.data_type, av.quality = AttrDataFormat.SPECTRUM, 5, quality
    av.r_dim = t.AttributeDim(dim_x=len(values), dim_y=0)
    return av


def test_since_texts() -> None:
    assert _since(0.5004) == "500 mS"
    assert _since(-0.1) == "0 mS"
    assert _since(2.25) == "2 S and 250 mS"
    assert _since(125.5) == "2 MN ,5 S and 500 mS"
    assert _since(120.0) == "2 MN"


def test_runs_as_in_the_capture() -> None:
    values, elts = _runs([AttrQuality.ATTR_VALID] * 3)
    assert values == [AttrQuality.ATTR_VALID]
    assert [(e.start, e.nb_elt) for e in elts] == [(2, 3)]
    values, elts = _runs(["a", "a", None, "b", "a"])
    assert values == ["a", "b", "a"]
    assert [(e.start, e.nb_elt) for e in elts] == [(4, 1), (3, 1), (1, 2)]


def test_status_text_of_a_failed_group() -> None:
    obj = PolledObject("attribute", "broken", 100, 10)
    obj.push(PollRecord(10.0, failed_value("broken", [ERROR]), [ERROR]), 0.5)
    obj.push(PollRecord(10.1, failed_value("broken", [ERROR]), [ERROR]), 0.25)
    text = _status_text(obj, 10, ["broken", "spec"], 10.3)
    assert text == (
        "Polled attribute name = broken\nPolling period (mS) = 100\n"
        "Polling ring buffer depth = 10\n"
        "Time needed for the last attributes (broken + spec) reading (mS) = 0.250\n"
        "Data not updated since 199 mS\nDelta between last records (in mS) = 99\n"
        "Last attribute read FAILED :\n\tReason = PyDs_PythonError\n"
        "\tDesc = RuntimeError: boom\n\n\tOrigin = here"
    )


def test_attribute_history_round_trip() -> None:
    records = [
        PollRecord(1.0, _value([1.0, 2.0]), []),
        PollRecord(2.0, failed_value("spec", [ERROR]), [ERROR]),
        PollRecord(3.0, _value([3.0, 4.0, 5.0]), []),
        PollRecord(4.0, _value([], AttrQuality.ATTR_INVALID), []),
        PollRecord(5.0, _value([6.0]), []),
    ]
    hist = t.DevAttrHistory_5(
        name="spec", data_format=AttrDataFormat.SPECTRUM, data_type=5, **_history_tail(records)
    )
    assert hist.value.value.tolist() == [6.0, 3.0, 4.0, 5.0, 1.0, 2.0]  # newest first
    out = attribute_history_from_idl(hist)
    assert [h.has_failed for h in out] == [False, True, False, False, False]
    assert [None if h.value is None else h.value.tolist() for h in out] == [
        [1.0, 2.0],
        None,
        [3.0, 4.0, 5.0],
        None,
        [6.0],
    ]
    assert out[1].get_err_stack()[0].reason == "PyDs_PythonError"
    assert out[3].quality is AttrQuality.ATTR_INVALID and not out[3].has_failed


def test_command_history_round_trip() -> None:
    """Our server's DevCmdHistory_4 (a pair type: numbers and strings per record) decoded
    by our client, a failed record in the middle."""
    tc = command_typecode(CmdArgType.DevVarLongStringArray)
    obj = PolledObject("command", "Pairs", 100, 10)
    obj.push(PollRecord(1.0, CorbaAny(tc, (np.array([1, 2], np.int32), ["a"])), []), 1.0)
    obj.push(PollRecord(2.0, None, [ERROR]), 1.0)
    obj.push(PollRecord(3.0, CorbaAny(tc, (np.array([3], np.int32), ["b", "c"])), []), 1.0)
    command = SimpleNamespace(out_type=CmdArgType.DevVarLongStringArray)
    poller = SimpleNamespace(find=lambda device, kind, name: obj)
    servant: Any = SimpleNamespace(
        name="a/b/c", server=SimpleNamespace(poller=poller), _command=lambda name: command
    )
    hist = asyncio.run(op_command_inout_history_4(servant, ["Pairs", 5], None))  # type: ignore[arg-type]
    assert [(d.dim_x, d.dim_y) for d in hist.dims] == [(2, 1), (0, 0), (1, 2)]
    assert hist.value.value[1] == ["b", "c", "a"]  # newest first
    out = command_history_from_idl(hist)
    assert [h.has_failed() for h in out] == [False, True, False]
    first, last = out[0].extract(), out[2].extract()
    assert (list(first[0]), first[1]) == ([1, 2], ["a"])
    assert (list(last[0]), last[1]) == ([3], ["b", "c"])
    assert out[1].get_err_stack()[0].reason == "PyDs_PythonError"
