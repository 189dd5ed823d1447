"""``Group`` membership without servers: cppTango's documented hierarchy order, names and
patterns, ``forward``, removal, and replies of devices nobody serves (each reply failed,
none raised). The devices are TRLs to a closed port, so no call waits."""

from __future__ import annotations

import pytest
from peers.launch import free_port

from puretango import DevFailed, Group, GroupCmdReplyList
from puretango.client._group_members import name_matches

PORT = free_port()


def trl(n: int) -> str:
    return f"tango://127.0.0.1:{PORT}/my/device/{n:02d}#dbase=no"


def hierarchy() -> tuple[Group, Group, Group, Group]:
    """The example of cppTango's ``get_device_list`` documentation."""
    g1, g2, g3, g4 = Group("g1"), Group("g2"), Group("g3"), Group("g4")
    g2.add(trl(4))
    g2.add(trl(5))
    g4.add([trl(8), trl(9)])
    g3.add(trl(6))
    g3.add(g4)
    g3.add(trl(7))
    g1.add(trl(1))
    g1.add(g2)
    g1.add(trl(3))
    g1.add(g3)
    g1.add(trl(2))
    return g1, g2, g3, g4


def test_device_list_order_and_forward() -> None:
    g1, _g2, g3, g4 = hierarchy()
    assert g1.get_device_list() == [trl(n) for n in (1, 4, 5, 3, 6, 8, 9, 7, 2)]
    assert g1.get_device_list(False) == [trl(n) for n in (1, 3, 2)]
    assert (g1.get_size(), g1.get_size(False), len(g3)) == (9, 3, 4)
    assert g4.get_fully_qualified_name() == "g1.g3.g4"
    assert g1.get_group("g4") is g4 and g1.get_group("G1.G3") is g3
    assert g1.contains("g1.g3.g4.*device/08*")  # a device's full name: its groups', its TRL
    assert not g1.contains("g1.g2.*device/08*")
    assert g1.contains("*device/08*") and not g1.contains("*device/08*", forward=False)


def test_names_match_as_cpptango() -> None:
    assert name_matches("*dev*/0*", "my/device/01", "g.my/device/01")
    assert name_matches("MY/*", "my/device/01", "")
    assert name_matches("device", "my/device/01", "")  # pieces match anywhere
    assert not name_matches("*/01/*", "my/device/01", "g.my/device/01")
    assert name_matches("*", "anything", "")


def test_replies_of_devices_nobody_serves() -> None:
    g1, *_ = hierarchy()
    replies = g1.command_inout("State")
    assert isinstance(replies, GroupCmdReplyList) and replies.has_failed()
    assert [r.dev_name() for r in replies] == g1.get_device_list()
    assert all(r.get_err_stack() for r in replies)
    assert len(g1.read_attributes(["a", "b"], forward=False)) == 6
    assert not g1.ping()
    with pytest.raises(DevFailed):
        g1.get_device(1)
    with pytest.raises(KeyError, match="Group does not have device some/wrong/device"):
        g1["some/wrong/device"]


def test_remove_and_enable() -> None:
    g1, g2, g3, _g4 = hierarchy()
    g1.remove("*device/0[5]*")  # no such piece: nothing removed
    assert g1.get_size() == 9
    g1.remove(["*device/08*", trl(4)], forward=False)  # only g1's own: none matches
    assert g1.get_size() == 9
    g1.remove(["*device/08*", trl(4)])
    assert g2.get_device_list() == [trl(5)] and g3.get_size() == 3
    g1.remove("g3")
    assert g1.get_group("g3") is None and g1.get_size() == 4
    g1.remove("g1")  # a group does not remove itself
    g1.disable(trl(5))
    assert not g1.is_enabled(trl(5)) and g1.is_enabled(trl(1)) and not g1.is_enabled("none")
    replies = g1.command_inout("State")
    assert [r.group_element_enabled() for r in replies] == [True, False, True, True]
    g1.remove_all()
    assert len(g1) == 0 and list(g1.command_inout("State")) == []


def test_add_rules() -> None:
    g1, g2, *_ = hierarchy()
    g1.add(trl(5), timeout_ms=1234)  # already in the hierarchy: not added again
    assert g1.get_size() == 9
    g1.add(g2)  # already attached
    g2.add(g1)  # would make a loop
    g1.add(g1)
    assert g1.get_size() == 9 and g2.get_size() == 2
    with pytest.raises(TypeError):
        g1.add(3)
    with pytest.raises(DevFailed) as info:
        g1.add("no-slash-*")
    assert info.value.args[0].reason == "API_WrongDeviceNameSyntax"
