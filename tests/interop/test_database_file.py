"""``Database(filename)``: a client Database on a file database, as PyTango's: properties
that PyTango's client wrote into the file of one of its test contexts read back with ours,
and our puts, gets and deletes answering what PyTango's answer on such a file (the values
in the assertions are the ones PyTango 10.3 gave), written back to the file for a device
server's ``-file=`` database to read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from peers.launch import run_pytango_client

import puretango as tango
from puretango._filedb import write_file_database
from puretango.server._filedb import FileDatabase

pytest.importorskip("tango")

DEVICE = "test/filedb/1"

_PYTANGO_WRITER = """
import json, shutil, sys
import tango
from tango.server import Device, attribute
from tango.test_context import MultiDeviceTestContext

class FileDbDevice(Device):
    @attribute(dtype=str)
    def attr1(self):
        return "a"

info = ({"class": FileDbDevice, "devices": [{"name": %(device)r}]},)
with MultiDeviceTestContext(info) as context:
    db = tango.Database(context.db)
    db.put_device_attribute_property(%(device)r, {"pos": {"unit": "mm", "lst": [1, 2]}})
    db.put_device_property(%(device)r, {"speed": ["1", "2"], "name": "x y, z"})
    db.put_class_property("FileDbDevice", {"lim": 7})
    shutil.copy(context.db, %(copy)r)
    print(json.dumps(db.get_file_name() == context.db))
"""


def test_properties_written_by_pytango_read_back(tmp_path: Path) -> None:
    copy = tmp_path / "pytango.db"
    out = run_pytango_client(_PYTANGO_WRITER % {"device": DEVICE, "copy": str(copy)})
    assert json.loads(out.strip().splitlines()[-1]) is True
    db = tango.Database(str(copy))
    assert db.get_file_name() == str(copy)
    assert db.get_device_attribute_property(DEVICE, ["pos"]) == {
        "pos": {"unit": ["mm"], "lst": ["1", "2"]}
    }
    assert db.get_device_property(DEVICE, ["speed", "name"]) == {
        "speed": ["1", "2"],
        "name": ["x y, z"],
    }
    assert db.get_class_property("FileDbDevice", ["lim"]) == {"lim": ["7"]}


def test_put_get_delete_as_pytango(tmp_path: Path) -> None:
    path = tmp_path / "ours.db"
    write_file_database(path, {"srv/inst": {"Klass": [DEVICE]}}, {})
    db = tango.Database(str(path))
    assert (db.get_db_host(), db.get_db_port()) == ("", "")
    db.put_device_attribute_property(DEVICE, {"pos": {"unit": "mm", "lst": ["1", "2"]}})
    assert db.get_device_attribute_property(DEVICE, ["pos", "nope"]) == {
        "pos": {"unit": ["mm"], "lst": ["1", "2"]},
        "nope": {},
    }
    db.delete_device_attribute_property(DEVICE, {"pos": ["unit"]})
    assert db.get_device_attribute_property(DEVICE, ["pos"]) == {"pos": {"lst": ["1", "2"]}}
    db.put_device_property(DEVICE, {"speed": [1, 2], "name": "x y"})
    db.delete_device_property(DEVICE, ["speed"])
    assert db.get_device_property(DEVICE, ["speed", "name"]) == {"speed": [], "name": ["x y"]}
    db.put_class_property("Klass", {"lim": 7})
    assert db.get_class_property("Klass", ["lim"]) == {"lim": ["7"]}

    server_side = FileDatabase(path)  # what a device server started with -file= reads
    assert server_side.get_device_list("srv/inst", "Klass") == [DEVICE]
    assert server_side.get_device_properties(DEVICE, ["name"]) == {"name": ["x y"]}
    assert server_side.get_device_attribute_properties(DEVICE, ["pos"]) == {
        "pos": {"lst": ["1", "2"]}
    }
    assert server_side.get_class_properties("Klass", ["lim"]) == {"lim": ["7"]}
    assert tango.Database(db).get_device_property(DEVICE, "name") == {"name": ["x y"]}
