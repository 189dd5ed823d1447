"""Regenerate the golden wire captures in ``tests/wire/golden/``.

Run ``/work/venv/bin/python tools/capture_golden.py`` (needs PyTango). Two sessions, each a
real PyTango client talking to the real PyTango ``TypeDev`` server (``tests/peers/typedev.py``)
through the logging proxy of ``tools/capture_proxy.py``:

* ``typedev_client*``: no-database device ``tango://127.0.0.1:<proxy>/test/type/1#dbase=no``
  (corbaloc, so GIOP 1.0). The object key is the device name, so a name pointing at the
  proxy's port reaches the server unchanged.
* ``typedev_client_giop12*``: the same device registered in a throw-away PyTango Database
  (``tango.databaseds``, sqlite). The server publishes the proxy's address in its IOR
  (``-ORBendPointPublish``), so the client (which imports the device from the Database)
  speaks GIOP 1.2 to the proxy. Only client<->device traffic is captured, not the Database
  traffic. This session skips the 1.6 MB spectrum; a 4000-double Echo covers GIOP 1.2
  fragmentation of requests and replies instead.

For each session: ``<name>.jsonl`` (traffic, one JSON line per TCP read), ``<name>_marks.jsonl``
(``{"t", "mark"}`` written just before each client action) and ``<name>_expected.json`` (per
mark: action, arguments and the result or DevFailed as PyTango saw it).
Internal: ``capture_golden.py client <device name> <marks> <expected> [--giop12]`` is the client.
"""

from __future__ import annotations

import argparse
import enum
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.peers import typedev_values as tv  # noqa: E402
from tests.peers.launch import (  # noqa: E402
    HOST,
    TYPEDEV_SCRIPT,
    PeerError,
    PyTangoServer,
    free_port,
    peer_env,
)
from tools.capture_proxy import CaptureProxy  # noqa: E402

GOLDEN_DIR = REPO / "tests" / "wire" / "golden"
DEVICE = "test/type/1"
INSTANCE = "golden"
LARGE_ECHO_LEN = 4000  # doubles: above omniORB's ~8 KB GIOP 1.2 fragmentation threshold
ARRAY_INLINE_LIMIT = 1000  # larger arrays are summarised (sha256, head, tail)

# =============================================================================== client side


def to_json(obj: Any) -> Any:
    """Convert a PyTango-level value to strict JSON (types kept where JSON loses them).

    Encodings: non-finite float -> {"float": "inf"|"-inf"|"nan"}; enum member ->
    {"enum": class, "name", "value"}; bytes -> {"bytes": hex}; numpy array -> {"ndarray":
    {"dtype", "shape", "data"}} (or "sha256"/"head"/"tail" instead of "data" when large);
    DevFailed -> {"devfailed": [DevError dicts]}; other tango structs -> {"struct": class,
    "fields": {...}}; tuples and lists -> lists; anything else -> {"repr": repr(obj)}.
    """
    import tango

    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, enum.Enum):
        return {"enum": type(obj).__name__, "name": obj.name, "value": int(obj.value)}
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else {"float": repr(obj)}
    if isinstance(obj, np.generic):
        return to_json(obj.item())
    if isinstance(obj, bytes | bytearray):
        return {"bytes": bytes(obj).hex()}
    if isinstance(obj, np.ndarray):
        desc: dict[str, Any] = {"dtype": str(obj.dtype), "shape": list(obj.shape)}
        if obj.size > ARRAY_INLINE_LIMIT:
            desc["sha256"] = hashlib.sha256(np.ascontiguousarray(obj).tobytes()).hexdigest()
            flat = obj.reshape(-1)
            desc["head"] = to_json(flat[:5].tolist())
            desc["tail"] = to_json(flat[-5:].tolist())
        else:
            desc["data"] = to_json(obj.tolist())
        return {"ndarray": desc}
    if isinstance(obj, dict):
        return {str(k): to_json(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_json(v) for v in obj]
    if isinstance(obj, tango.DevFailed):
        return {"devfailed": [to_json(err) for err in obj.args]}
    if type(obj).__module__.startswith("tango"):
        if type(obj).__name__.startswith("Std") and hasattr(obj, "__len__"):
            return [to_json(v) for v in obj]
        fields = {}
        for name in dir(obj):
            if name.startswith("_"):
                continue
            value = getattr(obj, name)
            if callable(value) and not isinstance(value, enum.Enum):
                continue
            fields[name] = to_json(value)
        return {"struct": type(obj).__name__, "fields": fields}
    return {"repr": repr(obj)}


class Recorder:
    """Runs named client actions, writing a mark before each and recording the outcome."""

    def __init__(self, marks_path: Path) -> None:
        self.marks = marks_path.open("w", encoding="utf-8")
        self.entries: list[dict[str, Any]] = []

    def mark(self, name: str) -> None:
        """Write a mark line (flushed, so its time precedes the action's traffic)."""
        self.marks.write(json.dumps({"t": time.time(), "mark": name}) + "\n")
        self.marks.flush()

    def run(
        self, name: str, action: str, fn: Callable[..., Any], *args: Any, record: bool = True
    ) -> Any:
        """Mark ``name``, call ``fn(*args)`` and record action, args and result or error.

        ``record=False`` stores only the result type (used for the DeviceProxy itself, whose
        introspection would cause extra traffic).
        """
        import tango

        entry: dict[str, Any] = {"mark": name, "action": action, "args": to_json(list(args))}
        self.mark(name)
        result = None
        try:
            result = fn(*args)
        except tango.DevFailed as exc:
            entry["error"] = to_json(exc)
        else:
            if record:
                entry["result"] = to_json(result)
            entry["result_type"] = type(result).__name__
        self.entries.append(entry)
        return result

    def close(self) -> None:
        """Close the marks file."""
        self.marks.close()


def run_client(device_name: str, marks_path: Path, expected_path: Path, giop12: bool) -> None:
    """The scripted PyTango client session (runs in its own process)."""
    import tango

    rec = Recorder(marks_path)
    spec_names = [s.rw_name for s in tv.ATTRS.values()]
    dev = rec.run("connect", "DeviceProxy", tango.DeviceProxy, device_name, record=False)
    rec.run("state", "state", dev.state)
    rec.run("status", "status", dev.status)
    rec.run("ping", "ping", dev.ping)
    rec.run("info", "info", dev.info)
    rec.run("description", "description", dev.description)
    rec.run("adm_name", "adm_name", dev.adm_name)

    # one read_attribute per attribute
    read_names = ["State", "Status", *tv.all_attr_names()]
    if giop12:
        read_names.remove(tv.BIG_SPECTRUM_ATTR)
    for name in read_names:
        rec.run(f"read:{name}", "read_attribute", dev.read_attribute, name)

    # writes with the expected write values, then read back
    for spec in tv.ATTRS.values():
        rec.run(
            f"write:{spec.rw_name}",
            "write_attribute",
            dev.write_attribute,
            spec.rw_name,
            spec.write,
        )
    for name in spec_names:
        rec.run(f"reread:{name}", "read_attribute", dev.read_attribute, name)
    wr = tv.ATTRS["long_spectrum"]
    rec.run(
        f"write_read:{wr.rw_name}",
        "write_read_attribute",
        dev.write_read_attribute,
        wr.rw_name,
        wr.read,
    )
    several = ["double_scalar_ro", "long_spectrum_ro", "string_image_ro", "enum_scalar_rw", "State"]
    rec.run("read_attributes", "read_attributes", dev.read_attributes, several)
    rec.run(
        "read_attributes_failing",
        "read_attributes",
        dev.read_attributes,
        ["short_scalar_ro", tv.FAILING_ATTR, tv.DEVFAILED_ATTR],
    )

    # commands
    for cmd in tv.ECHO_COMMANDS.values():
        args = () if cmd.tango_type == "DevVoid" else (cmd.arg,)
        rec.run(f"command:{cmd.name}", "command_inout", dev.command_inout, cmd.name, *args)
    if giop12:
        big = np.arange(LARGE_ECHO_LEN, dtype=np.float64) * 0.25
        rec.run(
            "command:EchoVarDoubleArray:large",
            "command_inout",
            dev.command_inout,
            "EchoVarDoubleArray",
            big,
        )
    rec.run("command:Fail", "command_inout", dev.command_inout, tv.FAIL_COMMAND)
    rec.run("command:PyError", "command_inout", dev.command_inout, tv.PYERROR_COMMAND)
    rec.run("command:GetPid", "command_inout", dev.command_inout, tv.GETPID_COMMAND)
    rec.run("command:Sleep", "command_inout", dev.command_inout, tv.SLEEP_COMMAND, 0.05)
    rec.run("command:NoSuchCommand", "command_inout", dev.command_inout, "NoSuchCommand")
    rec.run(
        "command_query:EchoVarLongStringArray",
        "command_query",
        dev.command_query,
        "EchoVarLongStringArray",
    )

    # configuration and introspection
    configs = {}
    for name in [
        "configured_attr",
        "double_scalar_rw",
        "enum_scalar_ro",
        "string_image_rw",
        "encoded_scalar_rw",
    ]:
        configs[name] = rec.run(
            f"get_attribute_config:{name}", "get_attribute_config", dev.get_attribute_config, name
        )
    rec.run("command_list_query", "command_list_query", dev.command_list_query)
    rec.run("get_attribute_list", "get_attribute_list", dev.get_attribute_list)
    rec.run("black_box", "black_box", dev.black_box, 3)
    cfg = configs["double_scalar_rw"]
    cfg.label = "Double RW (edited)"
    cfg.unit = "V"
    cfg.format = "%10.4f"
    rec.run(
        "set_attribute_config:double_scalar_rw",
        "set_attribute_config",
        dev.set_attribute_config,
        cfg,
    )
    rec.run(
        "get_attribute_config_after_set:double_scalar_rw",
        "get_attribute_config",
        dev.get_attribute_config,
        "double_scalar_rw",
    )

    rec.mark("disconnect")
    del dev
    rec.close()
    meta = {
        "device_name": device_name,
        "giop": "1.2" if giop12 else "1.0",
        "pytango": tango.__version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": sys.version.split()[0],
    }
    # One action per line: compact, yet diff-friendly.
    body = ",\n".join(json.dumps(e, ensure_ascii=False) for e in rec.entries)
    text = f'{{"meta": {json.dumps(meta)},\n"actions": [\n{body}\n]}}\n'
    expected_path.write_text(text, encoding="utf-8")


# =============================================================================== driver side


def spawn_client(device_name: str, stem: Path, giop12: bool, env: dict[str, str]) -> None:
    """Run the client session in a fresh interpreter; raise PeerError on failure."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "client",
        device_name,
        str(stem.with_name(stem.name + "_marks.jsonl")),
        str(stem.with_name(stem.name + "_expected.json")),
    ]
    if giop12:
        cmd.append("--giop12")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    if proc.returncode != 0:
        raise PeerError(f"client failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")


def capture_nodb(out_dir: Path) -> Path:
    """Session 1: no-database device through a corbaloc name pointing at the proxy."""
    stem = out_dir / "typedev_client"
    with PyTangoServer(TYPEDEV_SCRIPT, INSTANCE, [DEVICE]) as server:
        with CaptureProxy(0, HOST, server.port, stem.with_suffix(".jsonl")) as proxy:
            name = f"tango://{HOST}:{proxy.port}/{DEVICE}#dbase=no"
            spawn_client(name, stem, False, peer_env())
            time.sleep(0.5)  # let the last bytes (CloseConnection) be logged
    return stem


def _wait_ready(proc: subprocess.Popen[str], what: str, timeout: float = 60) -> None:
    """Wait for a Tango server subprocess to print its ready message."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Ready to accept request" in line:
            return
    proc.kill()
    raise PeerError(f"{what} did not start:\n{''.join(lines)}")


def _stop(proc: subprocess.Popen[str]) -> None:
    """Stop a server subprocess started here."""
    if proc.poll() is None:
        proc.send_signal(2)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def capture_giop12(out_dir: Path) -> Path:
    """Session 2: device imported from a throw-away Database, so the client uses GIOP 1.2."""
    stem = out_dir / "typedev_client_giop12"
    tmp = Path(tempfile.mkdtemp(prefix="golden-db-"))
    db_port, dev_port, proxy_port = free_port(), free_port(), free_port()
    env = peer_env()
    env["TANGO_HOST"] = f"{HOST}:{db_port}"
    db_env = dict(env, PYTANGO_DATABASE_NAME=str(tmp / "tango.db"))
    db = subprocess.Popen(
        [
            sys.executable, "-m", "tango.databaseds.database",
            "--host", HOST, "--port", str(db_port), "2",
        ],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=db_env, cwd=tmp,
    )  # fmt: skip
    server: subprocess.Popen[str] | None = None
    try:
        _wait_ready(db, "Database")
        register = (
            "import tango\n"
            "info = tango.DbDevInfo()\n"
            f"info.name, info._class, info.server = {DEVICE!r}, 'TypeDev', 'typedev/{INSTANCE}'\n"
            "tango.Database().add_device(info)\n"
        )
        subprocess.run([sys.executable, "-c", register], check=True, env=env, timeout=60)
        server = subprocess.Popen(
            [sys.executable, str(TYPEDEV_SCRIPT), INSTANCE,
             "-ORBendPoint", f"giop:tcp:{HOST}:{dev_port}",
             "-ORBendPointPublish", f"giop:tcp:{HOST}:{proxy_port}"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )  # fmt: skip
        _wait_ready(server, "TypeDev (database mode)")
        with CaptureProxy(proxy_port, HOST, dev_port, stem.with_suffix(".jsonl")):
            spawn_client(DEVICE, stem, True, env)
            time.sleep(0.5)
    finally:
        if server is not None:
            _stop(server)
        _stop(db)
        shutil.rmtree(tmp, ignore_errors=True)
    return stem


def summarize(stem: Path) -> str:
    """One line describing a captured session."""
    traffic = stem.with_suffix(".jsonl")
    lines = traffic.read_text(encoding="ascii").splitlines()
    conns = {json.loads(line)["c"] for line in lines}
    marks = stem.with_name(stem.name + "_marks.jsonl").read_text(encoding="utf-8").splitlines()
    size = os.path.getsize(traffic)
    return (
        f"{traffic.name}: {len(lines)} reads, {len(conns)} connection(s), "
        f"{size} bytes; {len(marks)} marks"
    )


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Regenerate tests/wire/golden captures.")
    sub = parser.add_subparsers(dest="mode")
    client = sub.add_parser("client", help="internal: run the scripted PyTango client")
    client.add_argument("device_name")
    client.add_argument("marks", type=Path)
    client.add_argument("expected", type=Path)
    client.add_argument("--giop12", action="store_true")
    parser.add_argument("--out-dir", type=Path, default=GOLDEN_DIR)
    parser.add_argument("--skip-giop12", action="store_true", help="only the no-database session")
    args = parser.parse_args()
    if args.mode == "client":
        run_client(args.device_name, args.marks, args.expected, args.giop12)
        return
    args.out_dir.mkdir(parents=True, exist_ok=True)
    stems = [capture_nodb(args.out_dir)]
    if not args.skip_giop12:
        stems.append(capture_giop12(args.out_dir))
    for stem in stems:
        print(summarize(stem))


if __name__ == "__main__":
    main()
