"""The ``puretango`` command line against a live TangoTest reached without a Database
(``#dbase=no``): every sub-command that needs only a device, their output, and their errors
(one readable line and exit status 1, never a traceback)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from peers.launch import TANGOTEST_DEVICE as DEVICE
from peers.launch import TangoTestServer


@pytest.fixture(scope="module")
def device() -> Iterator[str]:
    with TangoTestServer(instance="cli") as server:
        yield server.trl(DEVICE)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "puretango.cli", *args], capture_output=True, text=True, timeout=60
    )


def attr(device: str, name: str) -> str:
    base, _, fragment = device.partition("#")
    return f"{base}/{name}#{fragment}"


def test_read_several_attributes(device: str) -> None:
    result = cli("read", attr(device, "short_scalar_ro"), attr(device, "boolean_scalar"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(attr(device, "short_scalar_ro") + " = ")
    assert lines[0].endswith("(ATTR_VALID)")


def test_write_reads_back(device: str) -> None:
    result = cli("write", attr(device, "double_scalar"), "12.5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{attr(device, 'double_scalar')} = ")
    assert result.stdout.strip().endswith("(set point 12.5)")
    result = cli("write", attr(device, "string_scalar"), "hello world")
    assert result.stdout.strip().endswith("(set point 'hello world')")


def test_command_with_and_without_argument(device: str) -> None:
    assert cli("cmd", device, "DevDouble", "2.25").stdout.strip() == "2.25"
    assert cli("cmd", device, "DevVarLongArray", "[1, 2, 3]").stdout.strip() == "[1 2 3]"
    assert cli("cmd", device, "State").stdout.strip() == "RUNNING"


def test_info(device: str) -> None:
    result = cli("info", device)
    assert result.returncode == 0, result.stderr
    assert "class:   TangoTest" in result.stdout
    assert "double_scalar" in result.stdout and "DevDouble" in result.stdout


def test_watch_refreshes_a_table(device: str) -> None:
    result = cli("watch", attr(device, "long_scalar_w"), "--count", "3", "--period", "0.05")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "long_scalar_w" in line]
    assert len(rows) == 3
    assert "\x1b" not in result.stdout  # not a terminal: plain lines, no escape codes


@pytest.mark.parametrize(
    "args, message",
    [
        (["read", "nonsense"], "is not an attribute name"),
        (["read", "tango://127.0.0.1:1/a/b/c/x#dbase=no"], "API_CantConnectToDevice"),
        (["cmd", "tango://127.0.0.1:1/a/b/c#dbase=no", "Init"], "Failed to connect"),
        (["props", "a/b/c", "x"], "NAME=VALUE"),
    ],
)
def test_errors_are_one_line(args: list[str], message: str) -> None:
    result = cli(*args)
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_unknown_attribute_and_command(device: str) -> None:
    result = cli("read", attr(device, "no_such_attr"))
    assert result.returncode == 1 and "attribute not found" in result.stderr, result.stderr
    result = cli("cmd", device, "NoSuchCommand")
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("puretango cmd: ")
    assert "Command NoSuchCommand not found" in result.stderr


def test_help_everywhere() -> None:
    for args in (["--help"], ["read", "--help"], ["server", "add", "--help"], ["watch", "-h"]):
        result = cli(*args)
        assert result.returncode == 0 and "usage: puretango" in result.stdout
