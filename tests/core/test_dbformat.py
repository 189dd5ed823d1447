"""The Database array layouts: examples observed on the wire (protocol.md §7.2, from
PyTango 10.3.1's Database), round trips of every layout, and fuzzed input."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puretango._dbformat import (
    DbFormatError,
    DeviceExport,
    DeviceImport,
    pack_attribute_properties,
    pack_attribute_properties_1,
    pack_properties,
    unpack_attribute_properties,
    unpack_attribute_properties_1,
    unpack_properties,
)

# -- observed layouts -------------------------------------------------------------------


def test_get_reply_with_empty_properties_has_one_dummy_each() -> None:
    observed = ["dserver/TestDev/test", "2", "logging_path", "0", " ", "logging_rft", "0", " "]
    obj, props = unpack_properties(observed, reply=True)
    assert obj == "dserver/TestDev/test"
    assert props == {"logging_path": [], "logging_rft": []}
    assert pack_properties(obj, props, reply=True) == observed


def test_put_layout_has_no_dummy() -> None:
    observed = ["test/dev/1", "2", "Prop1", "2", "a", "b", "Prop2", "1", "7"]
    assert unpack_properties(observed, reply=False) == (
        "test/dev/1",
        {"Prop1": ["a", "b"], "Prop2": ["7"]},
    )
    empty = ["dserver/TestDev/test", "1", "polling_threads_pool_conf", "0"]
    assert unpack_properties(empty, reply=False)[1] == {"polling_threads_pool_conf": []}
    assert pack_properties(
        "dserver/TestDev/test", {"polling_threads_pool_conf": []}, reply=False
    ) == (empty)


def test_attribute_properties_2_observed() -> None:
    observed = ["test/dev/1", "3", "dbl", "2", "abs_change", "1", "0.5", "label", "1", "Dbl"]
    observed += ["lng", "0", "strattr", "0"]
    obj, attrs = unpack_attribute_properties(observed)
    assert attrs == {
        "dbl": {"abs_change": ["0.5"], "label": ["Dbl"]},
        "lng": {},
        "strattr": {},
    }
    assert pack_attribute_properties(obj, attrs) == observed


def test_import_record_of_a_never_exported_device() -> None:
    longs = [0, 0]
    strings = ["dserver/testdev/test", "nada", "0", "TestDev/test", "nada", "DServer"]
    info = DeviceImport.from_long_string(longs, strings)
    assert not info.exported and info.class_name == "DServer" and info.ior == "nada"
    assert info.to_long_string() == (longs, strings)


def test_export_record() -> None:
    data = ["test/dev/1", "IOR:0100", "vm", "13628", "6"]
    assert DeviceExport.from_strings(data).to_strings() == data
    with pytest.raises(DbFormatError, match="expected 5"):
        DeviceExport.from_strings(data[:4])


# -- round trips --------------------------------------------------------------------------

names = st.text(min_size=1, max_size=12)
texts = st.text(max_size=30)  # any text: newlines, quotes, non-ASCII, " " itself
props = st.dictionaries(names, st.lists(texts, max_size=4), max_size=5)


@given(obj=names, props=props, reply=st.booleans())
def test_properties_round_trip(obj: str, props: dict[str, list[str]], reply: bool) -> None:
    assert unpack_properties(pack_properties(obj, props, reply=reply), reply=reply) == (obj, props)


@given(obj=names, attrs=st.dictionaries(names, props, max_size=4))
def test_attribute_properties_round_trip(obj: str, attrs: dict[str, dict[str, list[str]]]) -> None:
    assert unpack_attribute_properties(pack_attribute_properties(obj, attrs)) == (obj, attrs)


@given(obj=names, attrs=st.dictionaries(names, st.dictionaries(names, texts, max_size=4)))
def test_attribute_properties_1_round_trip(obj: str, attrs: dict[str, dict[str, str]]) -> None:
    assert unpack_attribute_properties_1(pack_attribute_properties_1(obj, attrs)) == (obj, attrs)


@given(
    exported=st.booleans(),
    pid=st.integers(0, 2**31 - 1),
    strings=st.lists(texts, min_size=6, max_size=6),
)
def test_import_round_trip(exported: bool, pid: int, strings: list[str]) -> None:
    info = DeviceImport.from_long_string([int(exported), pid], strings)
    assert info.to_long_string() == ([int(exported), pid], strings)


# -- fuzzing ------------------------------------------------------------------------------

arrays = st.lists(st.one_of(texts, st.integers(-5, 10**12).map(str)), max_size=40)
decoders = [
    lambda d: unpack_properties(d, reply=True),
    lambda d: unpack_properties(d, reply=False),
    unpack_attribute_properties,
    unpack_attribute_properties_1,
]


@pytest.mark.parametrize("decode", decoders)
@given(data=arrays)
def test_random_arrays_decode_or_fail_clearly(
    decode: Callable[[list[str]], object], data: list[str]
) -> None:
    try:
        decode(data)
    except DbFormatError as exc:
        assert "array" in str(exc)


@pytest.mark.parametrize(
    "data, message",
    [
        ([], "ends where the object name"),
        (["dev", "x"], "not a number"),
        (["dev", "1000000000"], "more than the 0 elements left"),
        (["dev", "-1"], "more than"),
        (["dev", "1", "p", "5", "a"], "more than the 1 elements left"),
    ],
)
def test_bad_property_arrays_say_what_is_wrong(data: list[str], message: str) -> None:
    with pytest.raises(DbFormatError, match=message):
        unpack_properties(data, reply=False)


def test_class_property_replies_have_no_empty_mark() -> None:
    """Observed on the C++ and PyTango Databases: a missing class property is ``name, "0"``
    (tests/databaseds compares the servers; this pins which replies carry the mark)."""
    from puretango._dbformat import reply_marks_empty

    assert reply_marks_empty("DbGetDeviceProperty") and reply_marks_empty("DbGetProperty")
    assert not reply_marks_empty("DbGetClassProperty")
    reply = ["TestDev", "2", "missing", "0", "CProp", "1", "x"]
    assert unpack_properties(reply, reply=reply_marks_empty("DbGetClassProperty")) == (
        "TestDev",
        {"missing": [], "CProp": ["x"]},
    )
