"""The typed attribute configuration (:mod:`puretango._attrconfig`): its IDL forms, the
configuration a server declares, and the rules a server applies to what clients set."""

from __future__ import annotations

import dataclasses

import pytest

from puretango._attrconfig import NOT_SPECIFIED, AttrConfig, memorized_flags, parse_limit
from puretango.giop._cdr import CdrDecoder, CdrEncoder
from puretango.idl import types as t
from puretango.idl._enums import (
    AttrDataFormat,
    AttrMemorizedType,
    AttrWriteType,
    CmdArgType,
    DispLevel,
)

NS = NOT_SPECIFIED
_C = CmdArgType
_RW = AttrWriteType.READ_WRITE


def _declared(data_type: CmdArgType = _C.DevDouble, access: AttrWriteType = _RW, **options):
    fmt = AttrDataFormat(options.pop("dformat", AttrDataFormat.SCALAR))
    return AttrConfig.declared("volts", data_type, fmt, access, options, max_dim_x=1, max_dim_y=0)


def _wire(struct: t.Struct, value: object) -> object:
    enc = CdrEncoder()
    struct.write(enc, value)
    return struct.read(CdrDecoder(enc.getvalue()))


def test_builtin_state_and_status() -> None:
    state = AttrConfig.builtin("State").to_idl()
    assert (state.name, state.data_type, state.format, state.label) == ("State", 19, NS, "State")
    status = AttrConfig.builtin("Status").to_idl()
    assert (status.data_type, status.format, status.max_dim_x) == (8, "%s", 1)
    assert status.writable is AttrWriteType.READ and status.writable_attr_name == "None"
    assert status.event_prop.per_event.period == "1000"
    assert status.att_alarm.min_alarm == NS and status.enum_labels == []


@pytest.mark.parametrize(
    "data_type, fmt",
    [
        (_C.DevString, "%s"),
        (_C.DevEnum, "%s"),
        (_C.DevState, NS),
        (_C.DevBoolean, NS),
        (_C.DevEncoded, NS),
        (_C.DevUChar, "%d"),
        (_C.DevLong64, "%d"),
        (_C.DevFloat, "%6.2f"),
        (_C.DevDouble, "%6.2f"),
    ],
)
def test_declared_default_format(data_type: CmdArgType, fmt: str) -> None:
    assert _declared(data_type).format == fmt


def test_declared_options() -> None:
    c = _declared(
        format="5d",
        doc="the voltage",
        unit="V",
        min_alarm=3,
        max_warning=2.5,
        period=0,
        archive_period=100,
        display_level=DispLevel.EXPERT,
    )
    assert (c.format, c.description, c.unit, c.label) == ("%5d", "the voltage", "V", "volts")
    assert (c.min_alarm, c.max_warning, c.min_value) == ("3", "2.5", NS)
    assert (c.period, c.archive_period) == ("1000", "100")
    assert c.alarm_limits == (3.0, None, None, 2.5)
    assert c.value_limits == (None, None)
    assert (c.standard_unit, c.display_unit) == ("No standard unit", "No display unit")
    assert c.writable_attr_name == "volts" and c.level is DispLevel.OPERATOR  # level is a parameter
    assert _declared(access=AttrWriteType.READ).writable_attr_name == "None"
    assert _declared(description="d").description == "d"
    assert _declared().description == "No description"


def test_declared_memorized_flags() -> None:
    assert (_declared().memorized, _declared().mem_init) == (False, True)
    assert _declared(access=AttrWriteType.READ).mem_init is False
    assert (_declared(memorized=True).memorized, _declared(memorized=True).mem_init) == (
        True,
        False,
    )
    both = _declared(memorized=True, hw_memorized=True)
    assert both.memorized_type is AttrMemorizedType.MEMORIZED_WRITE_INIT
    assert memorized_flags(both.memorized_type) == (True, True)
    assert memorized_flags(AttrMemorizedType.NOT_KNOWN) == (False, False)


def test_idl_round_trips_and_downgrades() -> None:
    c = dataclasses.replace(
        _declared(_C.DevEnum, enum_labels=["A", "B"], min_value=-1),
        extensions=("e",),
        alarm_extensions=("a",),
        archive_extensions=("x", "y"),
        root_attr_name="root",
    )
    assert c.enum_labels == ("A", "B")
    c5 = _wire(t.AttributeConfig_5, c.to_idl())
    assert AttrConfig.from_idl(c5) == c
    c3 = _wire(t.AttributeConfig_3, c.to_idl(t.AttributeConfig_3))
    assert AttrConfig.from_idl(c3) == dataclasses.replace(
        c, memorized=False, mem_init=False, enum_labels=(), root_attr_name=NS
    )
    for struct in (t.AttributeConfig_2, t.AttributeConfig):
        old = c.to_idl(struct)
        assert (old.min_alarm, old.max_alarm, old.min_value) == (c.min_alarm, c.max_alarm, "-1")
    assert c.to_idl(t.AttributeConfig_2).level is DispLevel.OPERATOR
    assert AttrConfig.from_idl(c5).data_type is _C.DevEnum
    odd = c.to_idl()
    odd.data_type = 1234
    assert AttrConfig.from_idl(odd).data_type == 1234


def test_updated_applies_the_server_rules() -> None:
    c = _declared(_C.DevEnum, enum_labels=["A", "B"], min_alarm=1, unit="V")
    sent = c.to_idl()
    sent.unit = ""
    sent.standard_unit = ""
    sent.max_value = "10"
    sent.att_alarm.min_alarm = ""
    sent.att_alarm.max_alarm = "5"
    sent.event_prop.per_event.period = ""
    sent.event_prop.arch_event.abs_change = "0.5"
    sent.enum_labels = ["X", "Y", "Z"]
    sent.extensions = ["ignored"]
    new = c.updated(sent)
    assert c.unit == "V" and c.min_alarm == "1"  # the old value is unchanged
    assert (new.unit, new.standard_unit, new.max_value) == ("", NS, "10")
    assert (new.min_alarm, new.max_alarm, new.period) == (NS, "5", NS)
    assert new.archive_abs_change == "0.5"
    assert new.enum_labels == ("X", "Y", "Z")
    assert new.extensions == ()
    assert new.alarm_limits == (None, 5.0, None, None)
    assert new.value_limits == (None, 10.0)
    sent.enum_labels = []
    assert new.updated(sent).enum_labels == ("X", "Y", "Z")  # none sent: kept


def test_updated_by_an_old_config_keeps_alarms_and_events() -> None:
    c = _declared(min_alarm=1, rel_change=2)
    old = c.to_idl(t.AttributeConfig)
    old.min_alarm = "7"  # the oldest struct's alarm limits are not applied (as before)
    old.label = ""
    new = c.updated(old)
    assert (new.min_alarm, new.rel_change, new.label) == ("1", "2", "")
    labels = _declared(_C.DevShort).updated(dataclasses.replace(c, enum_labels=("A",)).to_idl())
    assert labels.enum_labels == ()  # labels only change for a DevEnum attribute


def test_frozen_and_limits_parsing() -> None:
    c = _declared()
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.label = "x"  # type: ignore[misc]
    assert [parse_limit(v) for v in (NS, "", "abc", "1e3", 4, None)] == [
        None,
        None,
        None,
        1000.0,
        4.0,
        None,
    ]
