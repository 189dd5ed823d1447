"""Fixtures of the drop-in's tests: one environment without PyTango per session, and real
PyTango's public names to compare with."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from compat.compat_env import CompatVenv, create_compat_venv
from compat.missing_names import NAMES_SNIPPET


@pytest.fixture(scope="session")
def compat_venv(tmp_path_factory: pytest.TempPathFactory) -> CompatVenv:
    """The drop-in's environment, created once per session."""
    return create_compat_venv(tmp_path_factory.mktemp("compat"))


@pytest.fixture(scope="session")
def reference_names() -> dict[str, list[str]]:
    """Real PyTango's public names per module (PyTango is a test dependency)."""
    pytest.importorskip("tango")
    done = subprocess.run(
        [sys.executable, "-c", NAMES_SNIPPET], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
