"""``puretango web``: a live browser view of a Tango system (device tree, one device's
attributes, commands and properties, plots), served by an asyncio web server (aiohttp, the
``puretango[web]`` extra) in the puretango process.

``make_app(poll_period=1.0)`` gives the ``aiohttp.web.Application``; ``serve(host, port,
poll_period)`` runs it until Ctrl-C. ``import puretango`` never imports aiohttp: this
package does, on first use of these names.
"""

from __future__ import annotations

from typing import Any

__all__ = ["make_app", "serve", "MissingExtra"]


class MissingExtra(ImportError):
    """aiohttp is not installed."""


def _app_module() -> Any:
    try:
        import aiohttp  # noqa: F401
    except ImportError as exc:
        raise MissingExtra("puretango web needs aiohttp: pip install 'puretango[web]'") from exc
    from . import _app

    return _app


def make_app(poll_period: float = 1.0, events: bool = True) -> Any:
    """The ``aiohttp.web.Application`` of ``puretango web`` (see :mod:`._app`)."""
    return _app_module().make_app(poll_period, events)


def serve(host: str = "127.0.0.1", port: int = 8080, poll_period: float = 1.0) -> None:
    """Serve ``puretango web`` on ``host:port`` until SIGINT/SIGTERM."""
    _app_module().serve(host, port, poll_period)
