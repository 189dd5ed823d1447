"""The README's first command: ``puretango demo`` runs the embedded Database, TangoTest
registered in it, and PyTango's gevent session against ``sys/tg_test/1``."""

from __future__ import annotations

import os
import re
import subprocess
import sys


def test_demo_runs_the_gevent_session_on_a_database_named_device() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TANGO_HOST"}
    result = subprocess.run(
        [sys.executable, "-m", "puretango.cli", "demo"],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert re.search(r"TANGO_HOST=127\.0\.0\.1:\d+", out)
    assert '>>> dev = DeviceProxy("sys/tg_test/1")' in out
    assert ">>> print(dev.state())\nRUNNING\n" in out
    assert re.search(r">>> result\n<gevent\.\S*AsyncResult at 0x[0-9a-f]+>", out)
    assert (
        ">>> print(result.get())\nDeviceAttribute[\n    data_format = <AttrDataFormat.SPECTRUM"
        in out
    )
    assert 'name = "wave"' in out and "dim_x = 256" in out
    burst = re.search(
        r"(\d+) concurrent read_attribute calls .*: ([\d,]+) reads/s, all on 1 OS", out
    )
    assert burst and int(burst.group(1)) >= 1000
    assert "threads left running: 0" in out
    assert "Traceback" not in result.stderr
