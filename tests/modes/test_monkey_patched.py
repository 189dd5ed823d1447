"""puretango under ``gevent.monkey.patch_all()``: gevent mode keeps its own unpatched
sockets, and the synchronous API becomes cooperative through the patched stdlib. Run in a
subprocess: monkey-patching the test runner itself would change every other test."""

from __future__ import annotations

import subprocess
import sys

from peers.launch import PyTangoServer, peer_env

SCRIPT = """
from gevent import monkey
monkey.patch_all()
import threading, time, gevent
import puretango
from puretango.gevent import DeviceProxy as GreenProxy

trl = {trl!r}
green = GreenProxy(trl)
plain = puretango.DeviceProxy(trl)
threads = threading.active_count()
jobs = [gevent.spawn(green.command_inout, "EchoLong", i) for i in range(200)]
jobs += [gevent.spawn(plain.command_inout, "EchoLong", 1000 + i) for i in range(200)]
gevent.joinall(jobs, raise_error=True, timeout=60)
assert [j.value for j in jobs] == list(range(200)) + [1000 + i for i in range(200)]
# ten devices sleeping at once: cooperative waits overlap (the server serialises per device)
others = [GreenProxy(trl.replace("test/mode/1#", f"test/mode/{{k}}#")) for k in range(1, 11)]
start = time.monotonic()
slow = [gevent.spawn(dev.command_inout, "Sleep", 0.5) for dev in others]
gevent.joinall(slow, raise_error=True, timeout=30)
assert time.monotonic() - start < 3.0, time.monotonic() - start
print("ok", threading.active_count() - threads)
"""


def test_gevent_and_sync_proxies_after_patch_all(modes_server: PyTangoServer) -> None:
    code = SCRIPT.format(trl=modes_server.trl("test/mode/1"))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=peer_env()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == ["ok", "0"]
