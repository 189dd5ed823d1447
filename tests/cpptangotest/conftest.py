"""The C++ TangoTest of cppTango 9.3 without Database (``../shared/peers/cpp-tango``),
and :func:`probe`, which reads a device with :mod:`probe` under PyTango or puretango."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from peers.launch import CPP_TANGO, TANGOTEST_DEVICE, CppTangoTestNoDb, peer_env

if not CPP_TANGO.exists():
    pytest.skip(f"{CPP_TANGO} is absent", allow_module_level=True)
pytest.importorskip("tango", reason="PyTango is the reference client")

PROBE = Path(__file__).resolve().parent / "probe.py"


@pytest.fixture(scope="package")
def cpp_tangotest() -> Iterator[str]:
    """The TRL of the C++ TangoTest's ``sys/tg_test/1``."""
    with CppTangoTestNoDb() as server:
        yield server.trl(TANGOTEST_DEVICE)


def probe(trl: str, module: str, mode: str) -> Any:
    """The JSON report of :mod:`probe` (``mode`` read or info) with ``module`` as client."""
    proc = subprocess.run(
        [sys.executable, str(PROBE), trl, module, mode],
        capture_output=True,
        text=True,
        timeout=120,
        env=peer_env(),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)
