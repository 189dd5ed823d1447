"""The README's first command: ``puretango demo`` runs TangoTest and a gevent session."""

from __future__ import annotations

import subprocess
import sys


def test_demo_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "puretango.cli", "demo"], capture_output=True, text=True, timeout=90
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "TangoTest(sys/tg_test/1): state RUNNING" in out
    assert "AsyncResult" in out and "wave: 256 points" in out
    assert "DevDouble(3.14) -> 3.14" in out and "read back 2.0" in out
    assert "Traceback" not in result.stderr
