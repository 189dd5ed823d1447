"""Ours and the C++ DataBaseds (cppTango 9.3) serving ONE Tango database on MariaDB at once,
on two ports, as a site runs two Databases behind ``TANGO_HOST=h:p1,h:p2``:

* a device server registered through one starts against the other and is imported through
  the first (a PyTango server registered through the C++ Database and started on ours; our
  TangoTest registered through ours and started on the C++ one), by PyTango and our client;
* the command sequences of ``databaseds/test_commands`` run step by step: every write
  through one Database, every read through both at once, answers compared field by field
  (one database: they must be identical); each sequence runs twice, writes through ours
  then through the C++ one, and the two runs' answers are compared too (writes included);
* either Database killed (SIGKILL): a PyTango client and ours, with the two-host
  TANGO_HOST, keep working (held and new ``Database``/``DeviceProxy`` objects) through the
  other, with no user action; what they write meanwhile is read through the restarted one.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from peers.databases import DbProcess
from peers.launch import HOST, free_port, run_pytango_client
from peers.mariadb import cpp_databaseds, mariadb_available, ours_on_mysql, tango_database

import puretango
from puretango.databaseds._mysql_config import MysqlConfig

REASON = mariadb_available()
if REASON is not None:  # pragma: no cover - the peer is part of CI
    pytest.skip(REASON, allow_module_level=True)

from databaseds.test_compare_cpp import (  # noqa: E402
    DIFFERENT,
    SCENARIOS,
    UNORDERED,
    _comparable,
    _unique,
)
from interop.test_database_matrix import DbServer, PyTangoSession  # noqa: E402

PEER_SCRIPT = Path(__file__).resolve().parents[1] / "databaseds" / "DbPeerDev.py"


@dataclass
class Site:
    """One Tango database, the C++ DataBaseds and ours serving it."""

    config: MysqlConfig
    cpp_port: int
    cpp: subprocess.Popen[bytes]
    ours: DbProcess
    log: Path

    @property
    def cpp_host(self) -> str:
        return f"{HOST}:{self.cpp_port}"

    @property
    def ours_host(self) -> str:
        return self.ours.tango_host

    def tango_host(self, first: str = "cpp") -> str:
        """Both, ``first`` ("cpp" or "ours") first."""
        hosts = [self.cpp_host, self.ours_host]
        return ",".join(hosts if first == "cpp" else hosts[::-1])

    def kill_cpp(self) -> None:
        self.cpp.kill()
        self.cpp.wait(10)

    def start_cpp(self) -> None:
        """On a new port: omniORB cannot bind the old one while it is in TIME_WAIT."""
        self.cpp_port = free_port()
        self.cpp = cpp_databaseds(self.config, self.cpp_port, self.log)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    log = tmp_path_factory.mktemp("side") / "cpp.log"
    with tango_database("sbs") as config:
        port = free_port()
        cpp = cpp_databaseds(config, port, log)
        ours = ours_on_mysql(config)
        the_site = Site(config, port, cpp, ours, log)
        try:
            ours.start()
            yield the_site
        finally:
            ours.stop()
            the_site.cpp.terminate()
            the_site.cpp.wait(10)


# ------------------------------------------------------------ servers across Databases

REGISTER_PEER = r"""
import tango
db = tango.Database()
info = tango.DbDevInfo()
info.name, info._class, info.server = "{dev}", "DbPeerDev", "DbPeerDev/{inst}"
db.add_server(info.server, info)
db.put_device_property("{dev}", {{"Greeting": ["registered through {via}"]}})
db.put_device_attribute_property("{dev}", {{"dbl": {{"label": "Double", "unit": "mm"}}}})
db.put_device_alias("{dev}", "{alias}")
"""

USE_PEER = r"""
import json, tango
dev = tango.DeviceProxy("{dev}")
conf = dev.get_attribute_config("dbl")
info = tango.Database().get_device_info("{dev}")
print(json.dumps([dev.greeting, str(tango.DeviceProxy("{alias}").state()), conf.label,
                  conf.unit, info.exported, info.ds_full_name, dev.adm_name()]))
"""

EXPORTED = r"""
import tango
print(tango.Database().import_device("{dev}").exported)
"""


def test_pytango_server_registered_through_cpp_runs_on_ours(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    inst, dev, alias = "sbs1", "sbs/peer/1", "sbspeer1"
    register = REGISTER_PEER.format(dev=dev, inst=inst, via="cpp", alias=alias)
    run_pytango_client(register, env={"TANGO_HOST": site.cpp_host})
    server = DbServer([sys.executable, str(PEER_SCRIPT)], inst, site.ours_host)
    with server:
        seen = json.loads(
            run_pytango_client(
                USE_PEER.format(dev=dev, alias=alias), env={"TANGO_HOST": site.cpp_host}
            )
        )
        monkeypatch.setenv("TANGO_HOST", site.cpp_host)
        proxy = puretango.DeviceProxy(dev)
        ours_seen = [proxy.greeting, puretango.DeviceProxy(alias).name(), proxy.adm_name()]
    assert seen == [
        "registered through cpp", "ON", "Double", "mm", 1, f"DbPeerDev/{inst}",
        f"dserver/DbPeerDev/{inst}",
    ]  # fmt: skip
    assert ours_seen == ["registered through cpp", dev, f"dserver/DbPeerDev/{inst}"]
    # its unexport at exit went through ours; the C++ Database sees it
    exported = run_pytango_client(EXPORTED.format(dev=dev), env={"TANGO_HOST": site.cpp_host})
    assert exported.strip() == "0"


def test_our_tangotest_registered_through_ours_runs_on_cpp(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    inst, dev = "sbs2", "sbs/tg_test/2"
    monkeypatch.setenv("TANGO_HOST", site.ours_host)
    db = puretango.Database()
    info = puretango.DbDevInfo()
    info.name, info._class, info.server = dev, "TangoTest", f"TangoTest/{inst}"
    db.add_server(info.server, info)
    db.put_device_attribute_property(dev, {"double_scalar": {"label": ["Dbl"], "unit": ["V"]}})
    server = DbServer([sys.executable, "-m", "puretango.tangotest"], inst, site.cpp_host)
    use = """
import json, tango
dev = tango.DeviceProxy("{dev}")
conf = dev.get_attribute_config("double_scalar")
print(json.dumps([str(dev.state()), conf.label, conf.unit, dev.info().server_id]))
"""
    with server:
        seen = json.loads(
            run_pytango_client(use.format(dev=dev), env={"TANGO_HOST": site.ours_host})
        )
        proxy = puretango.DeviceProxy(dev)
        ours_seen = [str(proxy.state()), proxy.get_attribute_config("double_scalar").unit]
        assert db.get_device_info(dev).exported == 1
    assert seen == ["RUNNING", "Dbl", "V", f"TangoTest/{inst}"]
    assert ours_seen == ["RUNNING", "V"]
    assert db.import_device(dev).exported == 0


# ------------------------------------------------------- the command sequences, compared

#: runs the file $DB_PLAN (JSON [[command, argin, [index, ...]], ...]) on the Databases of $DB_HOSTS
#: (JSON [[host, port], ...]) with PyTango; prints one JSON list: per step, the answer of
#: each Database named (a result, or {"error": reason})
PLAN_SNIPPET = r"""
import json, os
import tango
dbs = [tango.Database(host, int(port)) for host, port in json.loads(os.environ["DB_HOSTS"])]
def call(db, name, arg):
    try:
        r = db.command_inout(name, arg) if arg is not None else db.command_inout(name)
    except tango.DevFailed as exc:
        return {"error": exc.args[0].reason}
    if isinstance(r, (list, tuple)) and len(r) == 2 and not isinstance(r[0], str):
        return [[int(x) for x in r[0]], list(r[1])]
    return list(r) if isinstance(r, (list, tuple)) else r
with open(os.environ["DB_PLAN"], encoding="utf-8") as plan_file:
    plan = json.load(plan_file)
print(json.dumps([[call(dbs[i], name, arg) for i in where] for name, arg, where in plan]))
"""

CPP, OURS = 0, 1


def _reads(command: str) -> bool:
    return command.startswith(("DbGet", "DbImport")) or command in ("DbInfo", "DbMySqlSelect")


Plan = list[tuple[str, Any, list[int]]]


def _plan(scenario: list[tuple[str, Any]], writers: list[int]) -> Plan:
    """Each write through the next of ``writers`` (in turn), each read through both."""
    plan: Plan = []
    for name, arg in scenario:
        if _reads(name):
            plan.append((name, arg, [CPP, OURS]))
        else:
            plan.append((name, arg, [writers[0]]))
            writers = writers[1:] + writers[:1]
    return plan


def _run_plan(site: Site, plan: Plan) -> list[list[Any]]:
    """Each step's answers, from the Databases it names (C++ first)."""
    hosts = [[HOST, site.cpp_port], [HOST, site.ours.port]]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.json"
        path.write_text(json.dumps(plan), encoding="utf-8")
        env = {"DB_HOSTS": json.dumps(hosts), "DB_PLAN": str(path)}
        return list(json.loads(run_pytango_client(PLAN_SNIPPET, timeout=120, env=env)))


def _ordered(name: str, answer: Any) -> Any:
    """The C++ Database lists pipes in MyISAM's row order (no ORDER BY), ours sorted."""
    return sorted(answer) if name in UNORDERED and isinstance(answer, list) else answer


def _same_run_diffs(scenario: list[tuple[str, Any]], answers: list[list[Any]]) -> list[Any]:
    """Reads whose answers differ between the C++ Database and ours."""
    return [
        (i, name, str(arg)[:80], pair[CPP], pair[OURS])
        for i, ((name, arg), pair) in enumerate(zip(scenario, answers))
        if len(pair) == 2 and name not in DIFFERENT
        if _ordered(name, pair[CPP]) != _ordered(name, pair[OURS])
    ]


def _renamed(answer: Any, old: str, new: str) -> Any:
    return json.loads(json.dumps(answer).replace(old, new))


@pytest.mark.parametrize("which", sorted(SCENARIOS))
def test_both_answer_every_command_alike(site: Site, which: str) -> None:
    tokens = {writer: "z" + uuid.uuid4().hex[:8] for writer in (CPP, OURS)}
    scenarios = {writer: _unique(SCENARIOS[which], tok) for writer, tok in tokens.items()}
    runs = {writer: _run_plan(site, _plan(scenarios[writer], [writer])) for writer in (CPP, OURS)}
    # one database: every read answered alike by both, whoever wrote
    assert _same_run_diffs(scenarios[CPP], runs[CPP]) == []
    assert _same_run_diffs(scenarios[OURS], runs[OURS]) == []
    # writes through the C++ Database and through ours: the same answers, step by step
    # (names of the other run, dates of the history, masked as test_compare_cpp does)
    tok, other = tokens[OURS], tokens[CPP]
    diffs = [
        (i, name, str(arg)[:80], x, y)
        for i, ((name, arg), [x, *_], [y, *_]) in enumerate(
            zip(scenarios[OURS], runs[OURS], runs[CPP])
        )
        if name not in DIFFERENT
        if _comparable(name, x, tok) != _renamed(_comparable(name, y, other), other, tok)
    ]
    assert diffs == []


#: the commands the three sequences leave out; writes alternate between the two Databases
SCENARIO_EXTRA: list[tuple[str, Any]] = [
    ("DbAddServer", ["XSrv/1", "x/dev/1", "XClass"]),
    ("DbExportDevice", ["x/dev/1", "IOR:01", "xhost", "12", "6"]),
    ("DbPutDeviceAttributeProperty2", ["x/dev/1", "1", "att", "1", "unit", "1", "mm"]),
    ("DbPutDeviceAttributeProperty2", ["x/dev/1", "1", "att", "1", "unit", "1", "cm"]),
    ("DbGetDeviceAttributePropertyHist", ["x/dev/1", "att", "unit"]),
    ("DbGetDeviceInfo", "x/dev/1"),
    ("DbUnExportDevice", "x/dev/1"),
    ("DbGetDeviceInfo", "x/dev/1"),
    ("DbGetDeviceInfo", "sys/database/2"),
    ("DbGetCSDbServerList", None),
    ("DbInfo", None),
    ("DbMySqlSelect", "SELECT name FROM device WHERE name LIKE 'x/%'"),
]

#: DbGetDeviceInfo's start and stop dates (string fields 5 and 6)
INFO_DATES = (5, 6)


def _info_undated(answer: Any) -> Any:
    longs, strings = answer
    return [longs, [x for i, x in enumerate(strings) if i not in INFO_DATES]]


def _counts(lines: list[str]) -> list[tuple[str, str]]:
    """DbInfo's figures: (what, how many), spacing aside."""
    found = (re.fullmatch(r"(.*?)\s*=\s*(\d+.*)", line) for line in lines)
    return [(" ".join(m.group(1).split()), m.group(2)) for m in found if m is not None]


@pytest.fixture(scope="module")
def extra(site: Site) -> dict[str, list[list[Any]]]:
    """SCENARIO_EXTRA's answers: each read's [C++, ours], by command."""
    answers = _run_plan(site, _plan(SCENARIO_EXTRA, [CPP, OURS]))
    by_name: dict[str, list[list[Any]]] = {}
    for (name, _), pair in zip(SCENARIO_EXTRA, answers):
        if len(pair) == 2:
            by_name.setdefault(name, []).append(pair)
    return by_name


def test_the_other_commands_answer_alike_but_for_formats(extra: dict[str, Any]) -> None:
    """Identical but for what is documented: the date format of DbGetDeviceInfo (see the
    test below), DbInfo's layout, host names, and DbMySqlSelect (ours runs no SQL)."""
    [[cpp, ours]] = extra["DbGetDeviceAttributePropertyHist"]
    assert cpp == ours and len(ours) == 10
    for cpp, ours in extra["DbGetDeviceInfo"]:
        assert _info_undated(cpp) == _info_undated(ours)
    # DbInfo: the same figures; its first lines name the server and its start time
    [[cpp, ours]] = extra["DbInfo"]
    assert _counts(cpp) == _counts(ours) and len(_counts(ours)) == 9
    # the exported Database servers (one row sys/database/2: the last one started wins):
    # the C++ Database names the host of the IOR (localhost), ours gives its address
    [[cpp, ours]] = extra["DbGetCSDbServerList"]
    assert [x.rsplit(":", 1)[1] for x in cpp] == [x.rsplit(":", 1)[1] for x in ours]
    [[cpp, ours]] = extra["DbMySqlSelect"]
    assert cpp == [[1, 1, 1], ["x/dev/1"]]
    assert ours == {"error": "DB_SQLError"}


def test_device_info_dates_alike(extra: dict[str, Any]) -> None:
    """DbGetDeviceInfo's dates as the C++ DataBaseds writes them ('1st December 2026 at
    07:11:32', MySQL's DATE_FORMAT '%D %M %Y at %H:%i:%s')."""
    for cpp, ours in extra["DbGetDeviceInfo"]:
        assert cpp == ours


def test_values_mariadb_cannot_hold_are_refused_by_both(site: Site) -> None:
    """A value over 65,535 bytes (a ``text`` column): DB_SQLError from both. The C++
    Database has written the properties before it (MyISAM, no transaction); ours has
    written none (it checks before writing)."""
    big = ["x" * 70_000]
    steps: Plan = []
    for who, dev in [(CPP, "big/cpp/1"), (OURS, "big/ours/1")]:
        put = [dev, "2", "Small", "1", "ok", "Big", "1", *big]
        steps += [("DbPutDeviceProperty", put, [who])]
        steps += [("DbGetDeviceProperty", [dev, "Small", "Big"], [CPP, OURS])]
    answers = _run_plan(site, steps)
    assert answers[0] == [{"error": "DB_SQLError"}]
    assert answers[1] == [["big/cpp/1", "2", "Small", "1", "ok", "Big", "0", " "]] * 2
    assert answers[2] == [{"error": "DB_SQLError"}]
    assert answers[3] == [["big/ours/1", "2", "Small", "0", " ", "Big", "0", " "]] * 2


#: non-ASCII text as PyTango puts it on the wire: one byte per character (latin-1);
#: "été" in UTF-8 bytes (what a client holding UTF-8 text sends), and in latin-1 bytes
UTF8_BYTES, LATIN1_BYTES = "été".encode().decode("latin-1"), "été"


@pytest.mark.parametrize("value", [UTF8_BYTES, LATIN1_BYTES], ids=["utf8_bytes", "latin1"])
def test_non_ascii_values_read_alike(site: Site, value: str) -> None:
    """Both pass the wire's bytes to MariaDB unchanged: UTF-8 text is stored as that text
    and read back byte for byte through either; latin-1 bytes that are no UTF-8 are refused
    by both (DB_SQLError, MariaDB's 'Incorrect string value')."""
    steps: Plan = []
    for who, obj in [(CPP, "TextByCpp"), (OURS, "TextByOurs")]:
        steps += [("DbPutProperty", [obj, "1", "text", "1", value], [who])]
        steps += [("DbGetProperty", [obj, "text"], [CPP, OURS])]
    answers = _run_plan(site, steps)
    assert answers[0] == answers[2]  # the write answered alike
    assert answers[1][CPP] == answers[1][OURS]
    assert answers[3][CPP] == answers[3][OURS]


# -------------------------------------------------------------------------- fail-over

CALLS = """
print(json.dumps([list(db.get_device_property("{dev}", "Greeting")["Greeting"]),
    tango.DeviceProxy("{dev}").greeting, held.greeting,
    tango.Database().get_device_info("{dev}").exported]))
"""


def _our_calls(db: puretango.Database, held: Any, dev: str) -> list[Any]:
    return [
        db.get_device_property(dev, "Greeting")["Greeting"],
        puretango.DeviceProxy(dev).greeting,
        held.greeting,
        puretango.Database().get_device_info(dev).exported,
    ]


@pytest.mark.parametrize("victim", ["cpp", "ours"])
def test_clients_fail_over_when_a_database_is_killed(
    site: Site, victim: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TANGO_HOST names the victim first: clients are connected to it when it dies."""
    inst, dev, alias = f"fo{victim}", f"fo/{victim}/1", f"fo{victim}1"
    tango_host = site.tango_host(first=victim)
    register = REGISTER_PEER.format(dev=dev, inst=inst, via=victim, alias=alias)
    run_pytango_client(register, env={"TANGO_HOST": tango_host})
    greeting = [f"registered through {victim}"]
    expected = [greeting, greeting[0], greeting[0], 1]
    monkeypatch.setenv("TANGO_HOST", tango_host)
    with DbServer([sys.executable, str(PEER_SCRIPT)], inst, tango_host):
        session = PyTangoSession(tango_host)
        try:
            session.run(f"import json; db = tango.Database(); held = tango.DeviceProxy({dev!r})")
            db, held = puretango.Database(), puretango.DeviceProxy(dev)
            assert json.loads(session.run(CALLS.format(dev=dev))) == expected
            assert _our_calls(db, held, dev) == expected
            if victim == "cpp":
                site.kill_cpp()
            else:
                site.ours.kill(signal.SIGKILL)
            assert json.loads(session.run(CALLS.format(dev=dev))) == expected
            assert _our_calls(db, held, dev) == expected
            # writes go through the survivor...
            session.run(f"db.put_device_property({dev!r}, {{'ByPyTango': ['{victim}']}})")
            db.put_device_property(dev, {"ByOurs": [victim]})
        finally:
            session.close()
            if site.cpp.poll() is not None:  # killed (or died): started again
                site.start_cpp()
            if site.ours.proc is None:
                site.ours.start()
    # ... and are read through the restarted victim
    props = ["ByPyTango", "ByOurs"]
    victim_host = site.cpp_host if victim == "cpp" else site.ours_host
    assert puretango.Database(victim_host).get_device_property(dev, props) == {
        "ByPyTango": [victim],
        "ByOurs": [victim],
    }
