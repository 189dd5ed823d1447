"""Our Database under stress: concurrent writer processes, ``kill -9`` during a write load
(nothing acknowledged is lost, and it restarts on the same file), and malformed argument
arrays (a DevFailed with a DB_ reason, never a crash)."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

from peers.databases import call_db, ours
from peers.launch import peer_env, run_pytango_client

WRITER = r"""
import sys, tango
n = sys.argv[1]
db = tango.Database()
i = 0
while True:
    try:
        db.put_property("load", {f"w{n}_{i}": [str(i), "x" * 200]})
    except Exception:
        break
    print(i, flush=True)
    i += 1
"""


def _writers(tango_host: str, n: int) -> list[subprocess.Popen[str]]:
    env = {**peer_env(), "TANGO_HOST": tango_host}
    return [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(k)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        for k in range(n)
    ]


def _acknowledged(proc: subprocess.Popen[str]) -> int:
    """How many puts the writer was told succeeded."""
    out, _ = proc.communicate(timeout=60)
    return len(out.split())


def _stored(tango_host: str) -> set[str]:
    [names] = call_db(tango_host, [("DbGetPropertyList", ["load", "*"])])
    return set(names)


def test_kill_9_during_writes_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "tango.db"
    db = ours(path).start()
    try:
        writers = _writers(db.tango_host, 3)
        time.sleep(2.5)
        db.kill()  # SIGKILL while the writers write
        acked = [_acknowledged(w) for w in writers]
        assert all(n > 0 for n in acked), acked
        print("acknowledged puts before kill -9:", acked)
        db = ours(path).start()  # the same file, again
        stored = _stored(db.tango_host)
        for k, n in enumerate(acked):
            missing = [i for i in range(n) if f"w{k}_{i}" not in stored]
            assert missing == [], f"writer {k}: {len(missing)} acknowledged puts lost"
        # and it still writes
        call_db(db.tango_host, [("DbPutProperty", ["load", "1", "after", "1", "restart"])])
        assert "after" in _stored(db.tango_host)
    finally:
        db.stop()


def test_concurrent_writers_all_land(tmp_path: Path) -> None:
    with ours(tmp_path / "tango.db") as db:
        code = r"""
import sys, tango
db = tango.Database()
for k in range(4):
    info = tango.DbDevInfo()
    info.name, info._class, info.server = f"conc/{sys.argv[1]}/{k}", "C", f"Conc/{sys.argv[1]}"
    db.add_device(info)
    for i in range(15):
        db.put_device_property(info.name, {f"p{i}": [str(i)]})
"""
        env = {**peer_env(), "TANGO_HOST": db.tango_host}
        procs = [subprocess.Popen([sys.executable, "-c", code, str(n)], env=env) for n in range(4)]
        assert [p.wait(60) for p in procs] == [0, 0, 0, 0]
        calls = [
            ("DbGetDevicePropertyList", [f"conc/{n}/{k}", "*"]) for n in range(4) for k in range(4)
        ]
        answers = call_db(db.tango_host, [("DbGetDeviceWideList", "conc/*"), *calls])
        assert len(answers[0]) == 16
        assert all(len(a) == 15 for a in answers[1:])


ARRAY_COMMANDS = [
    "DbAddServer", "DbAddDevice", "DbExportDevice", "DbRenameServer", "DbGetDeviceList",
    "DbPutDeviceProperty", "DbGetDeviceProperty", "DbDeleteDeviceProperty",
    "DbPutClassProperty", "DbPutProperty", "DbGetDevicePropertyList", "DbGetPropertyHist",
    "DbPutDeviceAttributeProperty2", "DbPutDeviceAttributeProperty",
    "DbPutClassAttributeProperty2", "DbPutClassAttributeProperty",
    "DbGetDeviceAttributeProperty2", "DbDeleteDeviceAttributeProperty",
    "DbDeleteAllDeviceAttributeProperty", "DbDeleteClassAttribute", "DbPutDeviceAlias",
    "DbPutAttributeAlias", "DbPutServerInfo", "DbGetDeviceAttributePropertyHist",
    "DbGetClassAttributeList",
]  # fmt: skip

ALLOWED_REASONS = {
    "DB_IncorrectArguments",
    "DB_IncorrectDeviceName",
    "DB_IncorrectServerName",
    "DB_DeviceNotDefined",
    "DB_AliasNotDefined",
    "DB_SQLError",
}


def _fuzz_calls(seed: int, n: int) -> list[tuple[str, list[str]]]:
    rnd = random.Random(seed)
    atoms = ["", "0", "1", "2", "-1", "3", "99999999999", "x", "a/b/c", "a/b/c/d", "S/1", "*"]
    atoms += ["%", "_", "'", "é", "1e3", " ", "nan"]
    calls = []
    for _ in range(n):
        arg = [rnd.choice(atoms) for _ in range(rnd.randrange(0, 8))]
        calls.append((rnd.choice(ARRAY_COMMANDS), arg))
    return calls


def test_malformed_arrays_are_refused_cleanly(tmp_path: Path) -> None:
    fixed = [
        ("DbPutDeviceProperty", ["a/b/c", "5", "p"]),
        ("DbPutDeviceProperty", ["a/b/c", "x"]),
        ("DbPutDeviceProperty", ["a/b/c", "1", "p", "-1"]),
        ("DbPutDeviceProperty", ["a/b/c", "1", "p", "99999999999"]),
        ("DbPutDeviceAttributeProperty2", ["a/b/c", "1", "attr", "2", "p", "1"]),
        ("DbAddServer", ["only"]),
        ("DbAddDevice", ["S/1", "a/b", "K"]),
        ("DbExportDevice", ["a/b/c"]),
        ("DbGetDeviceProperty", []),
        ("DbPutServerInfo", ["S/1", "h", "mode", "x"]),
    ]
    with ours(tmp_path / "tango.db") as db:
        answers = call_db(db.tango_host, fixed)
        assert [a.get("error") for a in answers] == [
            "DB_IncorrectArguments",
            "DB_IncorrectArguments",
            "DB_IncorrectArguments",
            "DB_IncorrectArguments",
            "DB_IncorrectArguments",
            "DB_IncorrectArguments",
            "DB_IncorrectDeviceName",
            "DB_IncorrectArguments",
            "DB_IncorrectArguments",
            "DB_IncorrectArguments",
        ]
        fuzz = _fuzz_calls(8, 400)
        answers = call_db(db.tango_host, fuzz)
        bad = [
            (c, a)
            for c, a in zip(fuzz, answers)
            if isinstance(a, dict) and a.get("error") not in ALLOWED_REASONS
        ]
        assert bad == []
        # still serving
        assert run_pytango_client(
            "import tango; print(tango.Database().get_info().splitlines()[0])",
            env={"TANGO_HOST": db.tango_host},
        ).startswith("TANGO Database")
