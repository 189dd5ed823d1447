"""The Tango host a test context stands for (PyTango's ``tango.utils`` private helpers
``_set/_get/_clear_test_context_tango_host_fqtrl`` and ``_get_device_fqtrl_if_necessary``):
while one is set, a short device name such as ``a/b/c`` resolves to a full
``tango://host:port/a/b/c[#dbase=..]`` on that host. One value per process, the latest."""

from __future__ import annotations

from urllib.parse import urlparse, urlunparse

__all__ = [
    "InvalidTangoHostTrlError",
    "clear_test_context_tango_host_fqtrl",
    "get_device_fqtrl_if_necessary",
    "get_test_context_tango_host_fqtrl",
    "set_test_context_tango_host_fqtrl",
]

_host_trl: str | None = None


class InvalidTangoHostTrlError(ValueError):
    """Invalid Tango Resource Locator format for TANGO_HOST-like variable."""


def set_test_context_tango_host_fqtrl(host_trl: str | None) -> None:
    """Make ``host_trl`` (``tango://host:port[#dbase=no|yes]``) the host of short names;
    None leaves the current one."""
    global _host_trl
    if host_trl is not None:
        _host_trl = host_trl


def clear_test_context_tango_host_fqtrl() -> None:
    """Forget the test context's host."""
    global _host_trl
    _host_trl = None


def get_test_context_tango_host_fqtrl() -> str | None:
    """The test context's host TRL, None when there is none."""
    return _host_trl


def _is_valid_host(host: object) -> bool:
    parsed = urlparse(str(host))
    try:
        port = parsed.port
    except ValueError:
        return False
    return (
        parsed.scheme == "tango"
        and bool(parsed.hostname)
        and bool(port)
        and parsed.path == ""
        and parsed.params == ""
        and parsed.query == ""
        and parsed.fragment in ("", "dbase=no", "dbase=yes")
    )


def get_device_fqtrl_if_necessary(device_trl: str) -> str:
    """``device_trl`` on the test context's host when one is set and the name has no
    ``tango://`` scheme; as given otherwise. ``InvalidTangoHostTrlError`` if the host
    set is not a valid ``tango://host:port`` TRL."""
    if not _host_trl or urlparse(device_trl).scheme == "tango":
        return device_trl
    if not _is_valid_host(_host_trl):
        raise InvalidTangoHostTrlError(
            f"Invalid form for Tango host: {_host_trl!r}, device {device_trl!r}."
        )
    host = urlparse(_host_trl)
    device = urlparse(device_trl)
    return urlunparse((host.scheme, host.netloc, device.path, "", "", host.fragment))
