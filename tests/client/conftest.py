"""Client unit tests see no Tango Database unless they name one: no ``TANGO_HOST`` in the
environment, an empty home and no ``/etc/tangorc`` (the host may have one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from puretango.client import _tangohost


@pytest.fixture(autouse=True)
def _no_tango_host(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TANGO_HOST", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(_tangohost, "SYSTEM_TANGORC", tmp_path / "no-tangorc")
