"""PyTango's remaining namespace, held against PyTango itself (imported in this process):
the code enums, the configuration structs and their printing, sequences and ``DeviceData``,
the type helpers of ``tango.utils``, the test-context host TRLs, ``TimeVal`` from a float,
the constants, and the ``LogIt`` messages."""

from __future__ import annotations

import logging
import pickle
from typing import Any

import numpy as np
import pytest

tango = pytest.importorskip("tango", reason="PyTango is the reference")
from tango import utils as pt_utils  # noqa: E402

import puretango  # noqa: E402
from puretango import _testhost, _typeinfo, constants  # noqa: E402

CODE_ENUMS = (
    "AccessControlType AttrSerialModel KeepAliveCmdCode LockCmdCode LogLevel LogTarget "
    "MessBoxType PollCmdCode PollObjType asyn_req_type cb_sub_model"
).split()


@pytest.mark.parametrize("name", CODE_ENUMS)
def test_code_enums_have_pytangos_members(name: str) -> None:
    ours, theirs = getattr(puretango, name), getattr(tango, name)
    assert {k: int(v) for k, v in ours.names.items()} == {
        k: int(v) for k, v in theirs.names.items()
    }
    assert list(ours.values) == list(theirs.values)
    assert all(str(member) == member.name for member in ours)


STRUCTS = (
    "AttributeConfig AttributeConfig_2 AttributeConfig_3 AttributeConfig_5 AttributeAlarm "
    "ChangeEventProp PeriodicEventProp ArchiveEventProp EventProperties"
).split()


@pytest.mark.parametrize("name", STRUCTS)
def test_idl_structs_print_and_pickle_as_pytangos(name: str) -> None:
    ours = getattr(puretango, name)()
    theirs = getattr(tango._tango, name)()
    assert sorted(ours._fields) == [f for f in dir(theirs) if not f.startswith("_")]
    assert repr(ours).startswith(f"{name}(") and "\n" not in repr(ours)
    assert str(ours).startswith(f"{name}[\n") and str(ours).endswith("]")
    assert pickle.loads(pickle.dumps(ours)) == ours


@pytest.mark.parametrize("name", ["DeviceAttributeConfig", "DevCommandInfo", "LockerInfo"])
def test_records_have_pytangos_fields_and_print_alike(name: str) -> None:
    ours, theirs = getattr(puretango, name)(), getattr(tango, name)()
    assert sorted(ours._fields) == [f for f in dir(theirs) if not f.startswith("_")]
    if name != "DeviceAttributeConfig":  # PyTango's data_type default there is an int
        assert repr(ours) == repr(theirs)
        assert str(ours) == str(theirs)


def test_client_addr_prints_as_pytango() -> None:
    ours, theirs = puretango.ClientAddr("127.0.0.1"), tango.ClientAddr("127.0.0.1")
    assert str(ours) == str(theirs) == "Client identification not available"
    # PyTango leaves java_ident uninitialised (garbage): compare up to it
    assert repr(ours).partition("java_ident")[0] == repr(theirs).partition("java_ident")[0]


def test_device_data_inserts_and_extracts_as_pytango() -> None:
    for dtype, value in (
        (puretango.DevLong64, 5),
        (puretango.DevVarDoubleArray, [1, 2]),
        (puretango.DevVarLongStringArray, [[1, 2], ["a"]]),
        (puretango.DevString, "abc"),
    ):
        ours, theirs = puretango.DeviceData(), tango.DeviceData()
        ours.insert(dtype, value)
        theirs.insert(int(dtype), value)
        assert ours.get_type() == theirs.get_type() and not ours.is_empty()
        np.testing.assert_equal(ours.extract(), theirs.extract())
    with pytest.raises(puretango.WrongData, match="no data in DeviceData"):
        puretango.DeviceData().extract()


def test_sequences_print_as_lists() -> None:
    vector = puretango.StdStringVector(["a", "b"])
    assert repr(vector) == str(vector) == repr(tango.StdStringVector(["a", "b"]))
    assert repr(puretango.CommandInfoList()) == "[]"


def test_to_tango_type_has_pytangos_entries() -> None:
    assert _typeinfo.TO_TANGO_TYPE.keys() == pt_utils.TO_TANGO_TYPE.keys()
    for key, value in pt_utils.TO_TANGO_TYPE.items():
        assert int(_typeinfo.TO_TANGO_TYPE[key]) == int(value), key


@pytest.mark.parametrize(
    "value",
    ["abc", 123, 1.5, True, [1, 2, 3], [[1, 2], [3, 4]], np.zeros((2, 2)), puretango.DevState.ON],
)
def test_get_tango_type_as_pytango(value: Any) -> None:
    pt_value = tango.DevState.ON if isinstance(value, puretango.DevState) else value
    ours, theirs = _typeinfo.get_tango_type(value), pt_utils.get_tango_type(pt_value)
    assert (int(ours[0]), int(ours[1])) == (int(theirs[0]), int(theirs[1]))


@pytest.mark.parametrize(
    "dtype", [int, "float32", (str,), ((bool,),), "DevState", np.uint16, (float,)]
)
def test_get_tango_type_format_as_pytango(dtype: Any) -> None:
    ours, theirs = _typeinfo.get_tango_type_format(dtype), pt_utils.get_tango_type_format(dtype)
    assert (int(ours[0]), int(ours[1])) == (int(theirs[0]), int(theirs[1]))


def test_get_tango_type_format_refuses_unknown_types() -> None:
    with pytest.raises(RuntimeError, match="Cannot translate"):
        _typeinfo.get_tango_type_format(object)


@pytest.mark.parametrize("caller", ["attribute", "command", "property"])
@pytest.mark.parametrize(
    "hint",
    [int, list[float], tuple[int, int, int], tuple[str, ...], tuple[str, bytes], "list[int]"],
)
def test_parse_type_hint_as_pytango(hint: Any, caller: str) -> None:
    ours = _typeinfo.parse_type_hint(hint, caller)
    theirs = pt_utils.parse_type_hint(hint, caller)
    assert ours[0] == theirs[0] and ours[2:] == theirs[2:]
    assert int(ours[1]) == int(theirs[1])


@pytest.mark.parametrize("caller", ["attribute", "command", "property"])
def test_parse_type_hint_refuses_mixed_types_as_pytango(caller: str) -> None:
    with pytest.raises(RuntimeError, match="does not support mixed types"):
        _typeinfo.parse_type_hint(tuple[int, float], caller)


def test_enum_labels() -> None:
    import enum

    class Good(enum.IntEnum):
        A = 0
        B = 1

    class Gap(enum.IntEnum):
        A = 0
        B = 2

    assert _typeinfo.get_enum_labels(Good) == pt_utils.get_enum_labels(Good) == ["A", "B"]
    with pytest.raises(_typeinfo.EnumTypeError, match="must start at 0"):
        _typeinfo.get_enum_labels(Gap)


@pytest.mark.parametrize(
    "host, device",
    [
        (None, "a/b/c"),
        ("tango://host:12", "a/b/c/d"),
        ("tango://host:12#dbase=no", "a/b/c"),
        ("tango://host:12", "tango://other:13/a/b/c"),
    ],
)
def test_test_context_host_resolves_short_names_as_pytango(host: Any, device: str) -> None:
    try:
        _testhost.set_test_context_tango_host_fqtrl(host)
        pt_utils._set_test_context_tango_host_fqtrl(host)
        assert _testhost.get_device_fqtrl_if_necessary(device) == (
            pt_utils._get_device_fqtrl_if_necessary(device)
        )
    finally:
        _testhost.clear_test_context_tango_host_fqtrl()
        pt_utils._clear_test_context_tango_host_fqtrl()


def test_an_invalid_test_context_host_is_refused() -> None:
    try:
        _testhost.set_test_context_tango_host_fqtrl("tango://host:0")
        with pytest.raises(_testhost.InvalidTangoHostTrlError):
            _testhost.get_device_fqtrl_if_necessary("a/b/c")
    finally:
        _testhost.clear_test_context_tango_host_fqtrl()


def test_time_val_from_a_float_as_pytango() -> None:
    ours, theirs = puretango.TimeVal(100.2003004), tango.TimeVal(100.2003004)
    assert (ours.tv_sec, ours.tv_usec, ours.tv_nsec) == (
        theirs.tv_sec,
        theirs.tv_usec,
        theirs.tv_nsec,
    )


def test_constants_have_pytangos_values() -> None:
    import tango.constants as pt_constants

    versions = {n for n in constants.__all__ if "VERSION" in n or n.startswith("TgLib")}
    for name in set(constants.__all__) - versions - {"TELEMETRY_SUPPORTED"}:
        assert getattr(constants, name) == getattr(pt_constants, name), name


class _Device:
    """Just what the decorators use of a device: its logger and streams."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self.logger = logging.getLogger("test.logit")
        self.logger.setLevel(logging.DEBUG)

    def get_logger(self) -> logging.Logger:
        return self.logger

    def debug_stream(self, msg: str) -> None:
        self.lines.append(("debug", msg))

    def info_stream(self, msg: str) -> None:
        self.lines.append(("info", msg))

    @puretango.LogIt(show_args=True, show_kwargs=True, show_ret=True)
    def method(self, arg: str, kwarg: str = "") -> str:
        return arg + kwarg

    @puretango.InfoIt()
    def fails(self) -> None:
        raise RuntimeError("no")


def test_logit_logs_entry_and_exit_through_the_device_streams() -> None:
    device = _Device()
    device.method("a" * 26, kwarg="b")
    with pytest.raises(RuntimeError):
        device.fails()
    assert device.lines == [
        ("debug", "-> _Device.method('" + "a" * 19 + "[...], kwarg='b')"),
        ("debug", "'" + "a" * 19 + "[...] <- _Device.method()"),
        ("info", "-> _Device.fails()"),
        ("info", "<- _Device.fails() raised exception!"),
    ]


def test_tango_stream_hands_over_whole_lines() -> None:
    received: list[str] = []
    stream = puretango.TangoStream(received.append)
    stream.write("ab")
    stream.write("\nc\n")
    stream.flush()
    assert received == ["ab\nc"]
