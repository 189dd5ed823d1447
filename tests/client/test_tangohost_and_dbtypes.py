"""``TANGO_HOST`` lookup and syntax (as cppTango), and the Database data classes with
PyTango's reprs and argument forms. No server."""

from __future__ import annotations

from pathlib import Path

import pytest

import puretango as tango
from puretango.client import _tangohost
from puretango.client._dbtypes import (
    attribute_property_names,
    attribute_property_values,
    property_names,
    property_values,
)
from puretango.client._tangohost import parse_tango_host, read_tango_host


def test_tango_host_syntax() -> None:
    assert parse_tango_host("DbHost:10000") == (("dbhost", 10000),)
    assert parse_tango_host("h1:1, h2:2") == (("h1", 1), ("h2", 2))
    for bad in ["nocolon", ":10", "host:", "h:abc", "h1:1,h2"]:
        with pytest.raises(tango.ConnectionFailed) as info:
            parse_tango_host(bad)
        assert info.value.args[0].reason == "API_TangoHostNotSet"
        assert "TANGO_HOST env. variable syntax incorrect" in info.value.args[0].desc


def test_tango_host_lookup_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(tango.ConnectionFailed) as info:
        read_tango_host()
    assert info.value.args[0].desc.startswith("TANGO_HOST env. variable not set")
    system = tmp_path / "tangorc"
    system.write_text("# comment\nTANGO_HOST=sys:1\n")
    monkeypatch.setattr(_tangohost, "SYSTEM_TANGORC", system)
    assert read_tango_host() == "sys:1"
    (tmp_path / ".tangorc").write_text("TANGO_HOST = home:2\n")
    assert read_tango_host() == "home:2"
    monkeypatch.setenv("TANGO_HOST", "env:3")
    assert read_tango_host() == "env:3"


def test_tango_host_is_read_when_a_name_is_resolved(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANGO_HOST", "h1:1")
    first = tango.DeviceProxy("a/b/c", _connect=False)
    monkeypatch.setenv("TANGO_HOST", "h2:2")
    second = tango.DeviceProxy("a/b/c", _connect=False)
    assert (first.get_db_host(), second.get_db_host()) == ("h1", "h2")
    explicit = tango.DeviceProxy("tango://h3:3/a/b/c", _connect=False)
    assert (explicit.get_db_host(), explicit.get_db_port_num()) == ("h3", 3)
    assert tango.DeviceProxy("h4:4/a/b/c", _connect=False).get_db_port() == "4"


def test_database_down_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nobody listens there
    monkeypatch.setenv("TANGO_HOST", f"127.0.0.1:{port}")
    for make in (tango.Database, lambda: tango.DeviceProxy("a/b/c")):
        with pytest.raises(tango.ConnectionFailed) as info:
            make()
        assert [e.reason for e in info.value.args] == [
            "API_CorbaException",
            "API_CantConnectToDatabase",
        ]
        assert info.value.args[1].desc == (
            f"Failed to connect to database on host 127.0.0.1 with port {port}"
        )


def test_db_data_classes_as_pytango() -> None:
    datum = tango.DbDatum("n")
    assert (repr(datum), datum.is_empty(), datum.size()) == (
        "DbDatum(name = 'n', value_string = [])",
        True,
        0,
    )
    datum.value_string = ["a"]
    datum.append(2)
    assert list(datum) == ["a", "2"] and len(datum) == 2
    assert str(datum) == "DbDatum[\n    name = \"n\"\n    value_string = ['a', '2']\n]"
    info = tango.DbDevInfo()
    info.name, info._class, info.server = "a/b/c", "Cls", "Srv/1"
    assert repr(info) == "DbDevInfo(klass = 'Cls', name = 'a/b/c', server = 'Srv/1')"
    assert repr(tango.DbDevExportInfo()) == (
        "DbDevExportInfo(host = '', ior = '', name = '', pid = 0, version = '')"
    )
    assert repr(tango.DbServerInfo()) == "DbServerInfo(host = '', level = 0, mode = 0, name = '')"
    assert repr(tango.DbDevImportInfo()) == (
        "DbDevImportInfo(exported = 0, ior = '', name = '', version = '')"
    )
    assert isinstance(tango.DbDevFullInfo(), tango.DbDevImportInfo)
    assert tango.DbData([datum]) == [datum]


def test_property_arguments_in_every_pytango_form() -> None:
    datum = tango.DbDatum("p", ["1", "2"])
    assert property_names("p") == ["p"]
    assert property_names(["p", datum]) == ["p", "p"]
    assert property_names({"a": 1, "b": datum}) == ["a", "p"]
    assert property_names(tango.DbData([datum])) == ["p"]
    assert property_values(datum) == {"p": ["1", "2"]}
    assert property_values({"a": 1.5, "b": ["x", 2], "c": "s", "d": datum}) == {
        "a": ["1.5"],
        "b": ["x", "2"],
        "c": ["s"],
        "p": ["1", "2"],
    }
    assert property_values([datum]) == {"p": ["1", "2"]}
    with pytest.raises(TypeError):
        property_values(["just", "names"])
    assert attribute_property_values({"x": {"label": "X", "abs": [1, 2]}}) == {
        "x": {"label": ["X"], "abs": ["1", "2"]}
    }
    flat = [tango.DbDatum("x", ["1"]), tango.DbDatum("label", ["X"])]
    assert attribute_property_values(flat) == {"x": {"label": ["X"]}}
    assert attribute_property_names({"x": ["label"]}) == {"x": ["label"]}
    assert attribute_property_names(["x", "label", "unit"]) == {"x": ["label", "unit"]}
