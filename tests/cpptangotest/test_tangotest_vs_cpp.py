"""Our TangoTest held against the C++ TangoTest of cppTango 9.3, both read by the same
PyTango client: every attribute's configuration and first read (dims, quality, set point,
nb_read/nb_written), every command's info. Only what the newer TangoTest adds may differ."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from peers.launch import TANGOTEST_DEVICE, TangoTestServer

from .conftest import probe

#: attributes the newer TangoTest (ours follows it) adds to the 9.3 one
ADDED_ATTRIBUTES = {
    "echo_mode",
    "enum_image",
    "enum_image_ro",
    "enum_scalar",
    "enum_scalar_ro",
    "enum_spectrum",
    "enum_spectrum_ro",
    "freq",
}
#: commands it adds (none)
ADDED_COMMANDS: set[str] = set()


@pytest.fixture(scope="module")
def our_tangotest() -> Iterator[str]:
    with TangoTestServer(instance="vscpp") as server:
        yield server.trl(TANGOTEST_DEVICE)


def flat(report: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``."""
    out: dict[str, Any] = {}
    for key, value in report.items():
        if isinstance(value, dict):
            out.update(flat(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def differences(ours: dict[str, Any], theirs: dict[str, Any], added: set[str]) -> list[str]:
    """Every field that differs, one line each, and every name only one side has (beyond
    ``added``, which only ours may have)."""
    lines = [f"only ours: {n}" for n in sorted(set(ours) - set(theirs) - added)]
    lines += [f"only C++: {n}" for n in sorted(set(theirs) - set(ours))]
    for name in sorted(set(ours) & set(theirs)):
        mine, cpp = flat(ours[name]), flat(theirs[name])
        for key in sorted(set(mine) | set(cpp)):
            if mine.get(key) != cpp.get(key):
                lines.append(f"{name}.{key}: ours {mine.get(key)!r}, C++ {cpp.get(key)!r}")
    return lines


def test_attribute_reads_match_cpp(our_tangotest: str, cpp_tangotest: str) -> None:
    ours = probe(our_tangotest, "tango", "read")
    theirs = probe(cpp_tangotest, "tango", "read")
    assert differences(ours, theirs, ADDED_ATTRIBUTES) == []
    spectrum = ours["double_spectrum"]  # never written: one zero, w_dim (1, 0)
    assert (spectrum["nb_written"], spectrum["dims"][2:]) == (1, [1, 0])


def test_attribute_configs_and_command_infos_match_cpp(
    our_tangotest: str, cpp_tangotest: str
) -> None:
    ours = probe(our_tangotest, "tango", "info")
    theirs = probe(cpp_tangotest, "tango", "info")
    assert differences(ours["attributes"], theirs["attributes"], ADDED_ATTRIBUTES) == []
    assert differences(ours["commands"], theirs["commands"], ADDED_COMMANDS) == []
    rww = ours["attributes"]["double_scalar_rww"]
    assert rww["writable_attr_name"] == "double_scalar_w"
