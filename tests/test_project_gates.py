"""Project gates that run with the tests: ruff is clean, and the sans-I/O core stays sans-I/O."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.fail("ruff is a test dependency and must be installed")
    result = subprocess.run(
        [ruff, "check", "--output-format", "concise", "puretango", "tests", "bench", "tools"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_imports_no_io_or_clock() -> None:
    pattern = re.compile(
        r"^\s*(import|from)\s+(socket|selectors|select|threading|asyncio|gevent|time)\b", re.M
    )
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("puretango/giop", "puretango/idl")
        for path in (ROOT / folder).rglob("*.py")
        if pattern.search(path.read_text())
    ]
    assert offenders == []
