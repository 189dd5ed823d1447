"""``TANGO_HOST``: where the Tango Database of this control system is, as cppTango finds it.

Read each time a name is resolved (never cached per process): the environment, then
``$HOME/.tangorc``, then ``/etc/tangorc`` (lines ``TANGO_HOST=host:port``). The value is
``host:port`` or a comma-separated list of equivalent Database servers, tried in order.
Malformed or missing values raise ``ConnectionFailed`` with reason ``API_TangoHostNotSet``
and cppTango's descriptions.
"""

from __future__ import annotations

import os
from pathlib import Path

from .._errors import ConnectionFailed, make_error

__all__ = ["DbAddress", "read_tango_host", "parse_tango_host", "tango_host_addresses"]

#: ``(host, port)`` of one Database server.
DbAddress = tuple[str, int]

#: The system-wide configuration file (a module attribute so that tests can move it).
SYSTEM_TANGORC = Path("/etc/tangorc")

_ORIGIN = "Database::check_tango_host()"


def _from_rc(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key.strip() == "TANGO_HOST" and value.strip():
            return value.strip()
    return None


def read_tango_host() -> str:
    """The ``TANGO_HOST`` value now in force; ``ConnectionFailed`` if there is none."""
    value = os.environ.get("TANGO_HOST", "").strip()
    if value:
        return value
    home = os.environ.get("HOME")
    for path in ([Path(home) / ".tangorc"] if home else []) + [SYSTEM_TANGORC]:
        found = _from_rc(path)
        if found:
            return found
    raise ConnectionFailed(
        make_error(
            "API_TangoHostNotSet",
            "TANGO_HOST env. variable not set, set it and retry (e.g. TANGO_HOST=<host>:<port>);"
            " a device of a server without database is named"
            " tango://host:port/domain/family/member#dbase=no",
            _ORIGIN,
        )
    )


def parse_tango_host(value: str) -> tuple[DbAddress, ...]:
    """``"h1:p1,h2:p2"`` -> ``(("h1", p1), ("h2", p2))``; ``API_TangoHostNotSet`` if malformed."""
    items = [item.strip() for item in value.split(",")]
    several = len(items) > 1
    addresses = []
    for item in items:
        host, sep, port = item.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            example = "<host>:<port>,<host>:<port>" if several else "<host>:<port>"
            raise ConnectionFailed(
                make_error(
                    "API_TangoHostNotSet",
                    f"TANGO_HOST env. variable syntax incorrect (e.g. TANGO_HOST={example})",
                    _ORIGIN,
                )
            )
        addresses.append((host.lower(), int(port)))
    return tuple(addresses)


def tango_host_addresses() -> tuple[DbAddress, ...]:
    """The Database servers named by ``TANGO_HOST`` now."""
    return parse_tango_host(read_tango_host())
