"""The ``puretango`` command line with a Database: ``puretango db`` serves it, and the
sub-commands that need one (``ls``, ``server``, ``props``, names resolved through it) run
against it as a user would run them, with ``TANGO_HOST`` set."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from peers.launch import HOST, READY_MARKER, TANGOTEST_DEVICE, free_port


def cli(tango_host: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TANGO_HOST": tango_host}
    return subprocess.run(
        [sys.executable, "-m", "puretango.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


@pytest.fixture(scope="module")
def tango_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``puretango db`` in the foreground of a subprocess, on a fresh file."""
    port = free_port()
    db_file = tmp_path_factory.mktemp("db") / "tango.db"
    argv = [sys.executable, "-m", "puretango.cli", "db", "--host", HOST, "--port", str(port)]
    proc = subprocess.Popen(
        [*argv, "--db-file", str(db_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    lines = []
    deadline = time.monotonic() + 30
    for line in proc.stdout:
        lines.append(line)
        if READY_MARKER in line or time.monotonic() > deadline:
            break
    assert any(READY_MARKER in line for line in lines), "".join(lines)
    assert any(str(db_file) in line for line in lines), "".join(lines)  # the file is printed
    try:
        yield f"{HOST}:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0


@pytest.fixture(scope="module")
def tangotest(tango_host: str) -> Iterator[str]:
    """TangoTest registered with ``puretango server add`` and started with the Database."""
    result = cli(tango_host, "server", "add", "TangoTest/cli", "TangoTest", TANGOTEST_DEVICE)
    assert result.returncode == 0, result.stderr
    env = {**os.environ, "TANGO_HOST": tango_host}
    proc = subprocess.Popen(
        [sys.executable, "-m", "puretango.tangotest", "cli"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if READY_MARKER in line:
            break
    assert any(READY_MARKER in line for line in lines), "".join(lines)
    try:
        yield TANGOTEST_DEVICE
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)


def test_server_list_and_ls(tango_host: str, tangotest: str) -> None:
    servers = cli(tango_host, "server", "list").stdout.split()
    assert "TangoTest/cli" in servers and "DataBaseds/2" in servers
    devices = cli(tango_host, "ls").stdout.split()
    assert tangotest in devices and "sys/database/2" in devices
    assert cli(tango_host, "ls", "sys/tg_*").stdout.split() == [tangotest]
    assert "TangoTest" in cli(tango_host, "ls", "--classes").stdout.split()
    assert tangotest in cli(tango_host, "ls", "--exported").stdout.split()


def test_names_resolved_through_the_database(tango_host: str, tangotest: str) -> None:
    result = cli(tango_host, "read", f"{tangotest}/short_scalar_ro", f"{tangotest}/ampli")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2
    assert "class:   TangoTest" in cli(tango_host, "info", tangotest).stdout
    assert cli(tango_host, "cmd", tangotest, "DevString", "'hello'").stdout.strip() == "hello"


def test_props_set_and_show(tango_host: str, tangotest: str) -> None:
    result = cli(tango_host, "props", tangotest, "Mode=fast", "Note=naïve 'quoted' %_")
    assert result.returncode == 0, result.stderr
    lines = cli(tango_host, "props", tangotest).stdout.splitlines()
    assert "Mode = fast" in lines and "Note = naïve 'quoted' %_" in lines


def test_server_delete(tango_host: str) -> None:
    assert cli(tango_host, "server", "add", "Gone/x", "GoneClass", "gone/dev/1").returncode == 0
    assert "Gone/x" in cli(tango_host, "server", "list", "Gone/*").stdout
    assert cli(tango_host, "server", "delete", "Gone/x").returncode == 0
    assert cli(tango_host, "server", "list", "Gone/*").stdout.strip() == ""


def test_database_errors_are_one_line(tango_host: str) -> None:
    result = cli(tango_host, "read", "no/such/device/attr")
    assert result.returncode == 1, result.stderr
    assert "no/such/device not defined in the database" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    down = f"{HOST}:{free_port()}"
    for args in (["ls"], ["read", "a/b/c/d"], ["server", "list"]):
        result = cli(down, *args)
        assert result.returncode == 1, result.stdout
        assert "API_CantConnectToDatabase" in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
