"""The command lines of the web view: ``puretango demo --web`` (the demo's Database and
TangoTest, then the web view on them) and the warning of ``puretango web`` bound beyond
127.0.0.1."""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Any

import pytest

from web.conftest import URL_MARKER, _cli, _Process

pytestmark = pytest.mark.timeout(90)


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=20) as reply:
        return json.loads(reply.read())


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "TANGO_HOST"}


def test_demo_web_serves_its_tangotest_and_stops_on_ctrl_c() -> None:
    process = _Process(_cli("demo", "--web", "--port", "0"), _env())
    try:
        url = process.wait_for(URL_MARKER, timeout=60).split(URL_MARKER, 1)[1].strip()
        tree = _get(url.rstrip("/") + "/api/tree")
        assert tree["error"] is None
        assert "sys/tg_test/1" in {d["name"] for d in tree["devices"]}
        device = _get(url.rstrip("/") + "/api/device?name=sys/tg_test/1")
        assert device["error"] is None and device["state"] == "RUNNING"
    finally:
        code = process.stop()
    assert code == 0, process.output


def test_web_bound_beyond_this_computer_warns() -> None:
    """127.0.0.2 is loopback too, but not one of the names the web view treats as local."""
    process = _Process(_cli("web", "--host", "127.0.0.2", "--port", "0"), _env())
    try:
        process.wait_for(URL_MARKER)
    finally:
        process.stop()
    assert "warning: listening on 127.0.0.2" in process.output
    assert "can write attributes" in process.output


def test_web_on_this_computer_does_not_warn() -> None:
    process = _Process(_cli("web", "--port", "0"), _env())
    try:
        process.wait_for(URL_MARKER)
    finally:
        process.stop()
    assert "warning" not in process.output
