"""A real PyTango client sees the same TypeDev whether PyTango or puretango serves it.

The same probe script (``_probe.py``: ``tango.DeviceProxy`` in a subprocess) runs against
the PyTango TypeDev (``peers/typedev.py``) and the puretango TypeDev
(``peers/typedev_pure.py``, which executes typedev.py on ``puretango.server``); each server
is started once per session, each probe once per module. The probe serialises what the
client sees with Python/numpy types kept, so every comparison below is "same value, same
type, same shape, same metadata". Differences are reported as a path-by-path diff.

Legitimate differences are normalised in :func:`normalise`, each with its reason.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from peers import typedev_values as tv
from peers.launch import PyTangoServer, run_pytango_client

from .conftest import DEVICES

PROBE = Path(__file__).with_name("_probe.py")
SERVERS = ("PyTango", "puretango")
READ_NAMES = tv.all_attr_names() + ["State", "Status"]
RW_NAMES = [spec.rw_name for spec in tv.ATTRS.values()]
ECHO_NAMES = list(tv.ECHO_COMMANDS)
ERROR_CASES = [
    "Fail", "PyError", "NoSuchCommand", "failing_attr", "devfailed_attr", "no_such_attribute",
    "config_no_such_attribute", "write_ro", "write_no_such_attribute", "write_spectrum_too_long",
    "write_image_too_wide", "write_image_too_tall", "write_string_spectrum_too_long",
    "write_empty_spectrum", "missing_argin", "wrong_argin_type", "argin_to_void_command",
    "command_query_no_such",
]  # fmt: skip
COMMAND_NAMES = tv.all_command_names() + ["Init", "State", "Status"]

# cppTango servers built with OpenTelemetry add these admin commands; puretango has no
# telemetry (an optional cppTango build feature, not part of the Tango protocol).
_TELEMETRY = re.compile(r"Telemetry")
# Where the client library (the same PyTango in both cases) built an error entry.
_CLIENT_ORIGIN = "/src/cppTango/src/client/"


def _run_probe(server: PyTangoServer) -> dict[str, Any]:
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['probe', {server.trl(DEVICES[0])!r}]\n"
        f"runpy.run_path({str(PROBE)!r}, run_name='__main__')\n"
    )
    return json.loads(run_pytango_client(code, timeout=120).strip().splitlines()[-1])


def _normalise_errors(node: Any) -> Any:
    """Error stacks: ``origin`` is where the server implementation raised the error.

    cppTango/PyTango report C++ function signatures and source lines, or a Python
    traceback (PyDs_PythonError) through their own modules; puretango reports its own
    functions. Origins are compared only when the device code chose them (reason
    ``TypeDev_*``) or when the client library produced the entry (same PyTango client).
    """
    if isinstance(node, dict):
        if "stack" in node and isinstance(node["stack"], list):
            node = dict(node)
            node["stack"] = [
                {
                    **e,
                    "origin": e["origin"]
                    if e["reason"].startswith("TypeDev_") or _CLIENT_ORIGIN in e["origin"]
                    else "<server implementation>",
                }
                for e in node["stack"]
            ]
        return {k: _normalise_errors(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_normalise_errors(v) for v in node]
    return node


def normalise(doc: dict[str, Any]) -> dict[str, Any]:
    """Remove the differences that are legitimate (each explained)."""
    doc = _normalise_errors(doc)
    ident = doc["identity"]
    # The server name is the script name: "typedev" vs "typedev_pure"; and the TRL of the
    # admin device holds the server's (different, random) port.
    ident["adm_name"] = re.sub(r"^tango://[^/]+/|#dbase=no$", "", ident["adm_name"]).replace(
        "typedev_pure", "typedev"
    )
    info = ident["info"]
    info["server_id"] = info["server_id"].replace("typedev_pure/", "typedev/")
    # version_info lists the implementation's components (cppTango, omniORB, zmq, ... vs
    # puretango, NumPy); keys and values differ by design. Checked separately.
    ident["version_info_keys"] = sorted(info.pop("version_info"))
    # server_host is the host name as each implementation spells it (short/FQDN).
    info["server_host"] = "<host>"
    ident["admin_commands"] = [c for c in ident["admin_commands"] if not _TELEMETRY.search(c)]
    return doc


@pytest.fixture(scope="module")
def views(typedev_pair: tuple[PyTangoServer, PyTangoServer]) -> dict[str, dict[str, Any]]:
    """The probe's view of each server, normalised: {"PyTango": ..., "puretango": ...}."""
    with ThreadPoolExecutor(2) as pool:
        docs = list(pool.map(_run_probe, typedev_pair))
    return {name: normalise(doc) for name, doc in zip(SERVERS, docs, strict=True)}


# ------------------------------------------------------------------------------ diffing


def _short(value: Any, limit: int = 400) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Path-by-path differences of two JSON documents (dicts recursed, the rest compared)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for key in sorted(set(a) | set(b), key=str):
            sub = f"{path}/{key}"
            if key not in a or key not in b:
                out.append(
                    f"{sub}:\n    PyTango:   {_short(a.get(key, '<absent>'))}\n"
                    f"    puretango: {_short(b.get(key, '<absent>'))}"
                )
            else:
                out += differences(a[key], b[key], sub)
        return out
    if a != b:
        return [f"{path or '/'}:\n    PyTango:   {_short(a)}\n    puretango: {_short(b)}"]
    return []


def assert_same(views: dict[str, Any], *keys: str, drop: tuple[str, ...] = ()) -> None:
    """Fail with a diff unless both views agree on ``views[*][keys...]`` (minus ``drop``)."""
    a, b = views["PyTango"], views["puretango"]
    for key in keys:
        a, b = a[key], b[key]
    if drop:
        a = {k: v for k, v in a.items() if k not in drop}
        b = {k: v for k, v in b.items() if k not in drop}
    diffs = differences(a, b, "/" + "/".join(keys))
    if diffs:
        pytest.fail(
            f"a PyTango client sees {len(diffs)} difference(s) between the PyTango and the "
            "puretango server:\n" + "\n".join(diffs),
            pytrace=False,
        )


# ---------------------------------------------------------------------------- identity


def test_identity_state_status_info(views: dict[str, Any]) -> None:
    """name, state, status, description, info(), admin device state/status, QueryClass/Device."""
    assert_same(views, "identity", drop=("admin_commands", "version_info_keys"))


def test_pure_server_loads_no_pytango(typedev_pair: tuple[PyTangoServer, PyTangoServer]) -> None:
    """The puretango server process maps no PyTango, cppTango or omniORB library."""
    pid = typedev_pair[1].pid
    maps = Path(f"/proc/{pid}/maps").read_text()
    for marker in ("site-packages/tango/", "libtango", "omniORB", "libzmq"):
        assert marker not in maps, f"the puretango server (pid {pid}) maps {marker}"


def test_version_info_names_the_implementation(views: dict[str, Any]) -> None:
    keys = views["puretango"]["identity"]["version_info_keys"]
    assert "puretango" in keys, keys
    assert "PyTango" in views["PyTango"]["identity"]["version_info_keys"]


def test_admin_command_list(views: dict[str, Any]) -> None:
    assert_same(views, "identity", "admin_commands")


def test_attribute_list(views: dict[str, Any]) -> None:
    assert_same(views, "attribute_list")
    assert_same(views, "config_all")


def test_command_list(views: dict[str, Any]) -> None:
    assert_same(views, "command_list")


# ------------------------------------------------------------------------------- reads


@pytest.mark.parametrize("name", READ_NAMES)
def test_read_value_and_metadata(views: dict[str, Any], name: str) -> None:
    """value, w_value (type, dtype, shape, content) and every DeviceAttribute field."""
    assert_same(views, "read", name)
    for server in SERVERS:  # both agree with typedev_values, not just with each other
        entry = views[server]["read"][name]
        assert entry.get("value_ok", True), f"{server}: {name} value differs from typedev_values"
        assert entry.get("w_value_ok", True), (
            f"{server}: {name} w_value differs from typedev_values"
        )


def test_counter_counts_reads(views: dict[str, Any]) -> None:
    assert_same(views, "counter")
    assert views["puretango"]["counter"][1:] == [
        views["puretango"]["counter"][0] + 1,
        views["puretango"]["counter"][0] + 2,
    ]


def test_read_attributes_with_failures(views: dict[str, Any]) -> None:
    """read_attributes of good, failing and DevFailed attributes in one call."""
    assert_same(views, "read_attributes_mixed")


# ------------------------------------------------------------------------------ config


@pytest.mark.parametrize("name", READ_NAMES)
def test_attribute_config(views: dict[str, Any], name: str) -> None:
    """get_attribute_config: writable, format, type, dims, label, unit, limits, alarms, ..."""
    assert_same(views, "config", name)


# ------------------------------------------------------------------------------ writes


@pytest.mark.parametrize("name", RW_NAMES)
def test_write_then_read(views: dict[str, Any], name: str) -> None:
    """write_attribute(AttrValues.write) then read: read part and set point are the value."""
    assert_same(views, "write", name)
    for server in SERVERS:
        entry = views[server]["write"][name]
        assert "raised" not in entry, f"{server}: writing {name} failed: {entry}"
        assert entry["value_ok"] and entry["w_value_ok"], f"{server}: {name} after write: {entry}"


@pytest.mark.parametrize("key", ["write_read_attribute", "after_reset"])
def test_write_read_and_reset(views: dict[str, Any], key: str) -> None:
    assert_same(views, "write", key)


# ---------------------------------------------------------------------------- commands


@pytest.mark.parametrize("name", ECHO_NAMES)
def test_echo_command(views: dict[str, Any], name: str) -> None:
    """command_inout(Echo<Type>, arg): result value and type."""
    assert_same(views, "echo", name)
    assert views["puretango"]["echo"][name].get("same_as_arg"), views["puretango"]["echo"][name]


@pytest.mark.parametrize("name", ["GetPid_type", "Sleep", "Init", "State", "Status"])
def test_other_commands(views: dict[str, Any], name: str) -> None:
    assert_same(views, "echo", name)


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_command_query(views: dict[str, Any], name: str) -> None:
    """command_query: name, tag, in/out types, display level (descriptions: next test)."""
    assert_same(views, "command_query", name, drop=("in_type_desc", "out_type_desc"))


def test_command_list_query(views: dict[str, Any]) -> None:
    strip = [
        [
            {k: v for k, v in c.items() if not k.endswith("_type_desc")}
            for c in views[s]["command_list_query"]
        ]
        for s in SERVERS
    ]
    assert strip[0] == strip[1], differences(strip[0], strip[1])


def test_command_type_descriptions(views: dict[str, Any]) -> None:
    assert_same(views, "command_list_query")


# ------------------------------------------------------------------------------ errors


@pytest.mark.parametrize("case", ERROR_CASES)
def test_error_stack(views: dict[str, Any], case: str) -> None:
    """Exception class and DevError stack: reason, desc, severity (origin: see normalise)."""
    assert_same(views, "errors", case)


def test_failed_writes_leave_set_points(views: dict[str, Any]) -> None:
    """After the failed (too large) writes, the set points are those of the last good write."""
    assert_same(views, "errors_left_state")
