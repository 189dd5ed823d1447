"""Tango device and attribute names, as cppTango parses them (its ``DeviceProxy`` name rules).

``[tango://][host:port/]domain/family/member[/attribute][#dbase=yes|no]``; names are
case-insensitive and compared lower-cased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .._errors import WrongNameSyntax, make_error

__all__ = [
    "TangoName",
    "clear_test_context_host",
    "get_test_context_host",
    "parse_attribute_name",
    "parse_device_name",
    "set_test_context_host",
    "with_test_context_host",
]

_NAME = re.compile(
    r"^(?:tango://)?(?:(?P<host>[^/:#]+):(?P<port>\d+)/)?(?P<path>[^#]+?)(?:#dbase=(?P<dbase>yes|no))?$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TangoName:
    """A parsed device name; ``device`` is lower-cased, ``given`` keeps the user's spelling."""

    device: str
    given: str
    host: str | None = None
    port: int | None = None
    dbase: bool = True
    attribute: str | None = None

    @property
    def fqtrl(self) -> str:
        """Fully qualified TRL, as PyTango reports it for no-database devices."""
        base = f"tango://{self.host}:{self.port}/{self.device}" if self.host else self.device
        return base + ("" if self.dbase else "#dbase=no")


def _wrong(name: str, what: str) -> WrongNameSyntax:
    return WrongNameSyntax(
        make_error(
            "API_WrongDeviceNameSyntax",
            f"The device name {name!r} is not valid: {what}",
            "DeviceProxy",
        )
    )


def _split(name: str) -> tuple[str | None, int | None, bool, list[str], str]:
    if not isinstance(name, str) or not name.strip():
        raise _wrong(str(name), "empty name")
    m = _NAME.match(name.strip())
    if not m:
        raise _wrong(name, "malformed")
    host, port, path, dbase = m.group("host"), m.group("port"), m.group("path"), m.group("dbase")
    if name.lower().startswith("tango://") and host is None:
        raise _wrong(name, "tango:// must be followed by host:port/")
    parts = path.split("/")
    if any(not p for p in parts):
        raise _wrong(name, "empty field")
    use_db = dbase is None or dbase.lower() == "yes"
    return host, int(port) if port else None, use_db, parts, path


def parse_device_name(name: str) -> TangoName:
    """Parse a device name; raise ``WrongNameSyntax`` if it is malformed."""
    host, port, use_db, parts, path = _split(name)
    if len(parts) != 3:
        if len(parts) == 1 and use_db:
            # an alias: needs the database
            return TangoName(parts[0].lower(), path, host, port, True)
        raise _wrong(name, "a device name has three fields domain/family/member")
    if not use_db and host is None:
        raise _wrong(name, "#dbase=no needs host:port/")
    return TangoName(path.lower(), path, host.lower() if host else None, port, use_db)


def parse_attribute_name(name: str) -> TangoName:
    """Parse ``device/attribute``; the attribute keeps its case in ``attribute``."""
    host, port, use_db, parts, path = _split(name)
    if len(parts) != 4:
        raise WrongNameSyntax(
            make_error(
                "API_WrongAttributeNameSyntax",
                f"The attribute name {name!r} is not valid",
                "AttributeProxy",
            )
        )
    device = "/".join(parts[:3])
    if not use_db and host is None:
        raise _wrong(name, "#dbase=no needs host:port/")
    return TangoName(device.lower(), device, host.lower() if host else None, port, use_db, parts[3])


# [context] the "nodb" host of a running test context: short names resolve there
_test_context_host: list[str | None] = [None]
_HOST_TRL = re.compile(r"^tango://(?P<host>[^/:#]+):(?P<port>\d+)(?:#dbase=(?:yes|no))?$", re.I)


def set_test_context_host(host_trl: str | None) -> None:
    """Make short device names resolve to ``host_trl`` (``tango://host:port#dbase=no``),
    as a running test context does; None leaves the setting unchanged (as PyTango)."""
    if host_trl is not None:
        _test_context_host[0] = host_trl


def clear_test_context_host() -> None:
    """Short device names use ``TANGO_HOST`` again."""
    _test_context_host[0] = None


def get_test_context_host() -> str | None:
    """The test context host TRL short names resolve to, if any."""
    return _test_context_host[0]


def with_test_context_host(name: str) -> str:
    """``name`` made fully qualified on the test context host when one is set and ``name``
    does not start with ``tango://``; ValueError if the host TRL is malformed."""
    host_trl = _test_context_host[0]
    if not host_trl or not isinstance(name, str) or name.lower().startswith("tango://"):
        return name
    m = _HOST_TRL.match(host_trl)
    if m is None:
        raise ValueError(f"Invalid form for Tango host: {host_trl!r}, device {name!r}")
    fragment = host_trl.partition("#")[2]
    suffix = f"#{fragment.lower()}" if fragment else ""
    return f"tango://{m.group('host')}:{m.group('port')}/{name.split('#')[0]}{suffix}"
