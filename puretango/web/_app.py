"""The aiohttp application of ``puretango web``: the page (``/``, ``/static/``), the JSON
API (``/api/...``) and the live values (``/ws``), and :func:`serve`.

Rule: every handler answers HTTP 200 with JSON, failures included (an ``error`` object):
the page shows what Tango said; only a malformed request (not JSON) is a 400.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from ._hub import Hub
from ._live import Live

__all__ = ["make_app", "serve", "STATIC_DIR", "LOCAL_HOSTS"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")

_HUB = web.AppKey("hub", Hub)
_LIVE = web.AppKey("live", Live)


def make_app(poll_period: float = 1.0, events: bool = True) -> web.Application:
    """The application; its Tango side (proxies, feeds) lives on the loop that runs it.
    ``events=False`` polls every attribute (never subscribes)."""
    app = web.Application()

    async def start(app: web.Application) -> None:
        hub = Hub()
        app[_HUB] = hub
        app[_LIVE] = Live(hub, poll_period, events)

    async def stop(app: web.Application) -> None:
        await app[_LIVE].close()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_get("/", _index)
    app.router.add_get("/api/tree", _tree)
    app.router.add_get("/api/device", _device)
    app.router.add_get("/api/stats", _stats)
    app.router.add_post("/api/write", _write)
    app.router.add_post("/api/command", _command)
    app.router.add_post("/api/properties", _properties)
    app.router.add_get("/ws", _websocket)
    if STATIC_DIR.is_dir():
        app.router.add_static("/static/", STATIC_DIR)
    return app


def _json(data: Any) -> web.Response:
    return web.json_response(data, dumps=lambda d: json.dumps(d, allow_nan=False))


async def _body(request: web.Request, *keys: str) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise web.HTTPBadRequest(text="the body is not JSON") from None
    if not isinstance(body, dict) or any(k not in body for k in keys):
        raise web.HTTPBadRequest(text=f"the body must be an object with {', '.join(keys)}")
    return body


async def _index(request: web.Request) -> web.StreamResponse:
    index = STATIC_DIR / "index.html"
    if not index.is_file():
        return web.Response(status=404, text="puretango web: the page is not installed")
    return web.FileResponse(index, headers={"Cache-Control": "no-cache"})


async def _tree(request: web.Request) -> web.Response:
    return _json(await request.app[_HUB].tree())


async def _device(request: web.Request) -> web.Response:
    name = request.query.get("name", "")
    if not name:
        raise web.HTTPBadRequest(text="give ?name=DEVICE")
    return _json(await request.app[_HUB].describe(name))


async def _stats(request: web.Request) -> web.Response:
    live = request.app[_LIVE]
    return _json(live.stats.as_json(len(live.feeds)))


async def _write(request: web.Request) -> web.Response:
    body = await _body(request, "device", "attribute", "value")
    hub = request.app[_HUB]
    return _json(await hub.write(str(body["device"]), str(body["attribute"]), str(body["value"])))


async def _command(request: web.Request) -> web.Response:
    body = await _body(request, "device", "command")
    argin = body.get("argin")
    hub = request.app[_HUB]
    result = await hub.command(
        str(body["device"]), str(body["command"]), "" if argin is None else str(argin)
    )
    return _json(result)


async def _properties(request: web.Request) -> web.Response:
    body = await _body(request, "device", "properties")
    return _json(await request.app[_HUB].put_properties(str(body["device"]), body["properties"]))


async def _websocket(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=30, max_msg_size=1 << 20)
    await ws.prepare(request)
    live = request.app[_LIVE]
    page = live.open_page(ws.send_str)
    try:
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                order = json.loads(message.data)
                op, device = order.get("op"), str(order["device"])
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # not an order: ignored
            if op == "watch":
                attributes = order.get("attributes") or []
                await live.watch(page, device, attributes, order.get("period"))
            elif op == "unwatch":
                await live.unwatch(page, device)
    finally:
        await live.close_page(page)
    return ws


# -- serving ------------------------------------------------------------------------------------


def warm_up() -> None:
    """Import the client's asyncio and event modules and compile the IDL structs' codecs
    now (they are made on first use, which would stall the loop under the first page)."""
    import importlib

    from ..idl import compile_codecs

    for name in ("puretango.asyncio", "puretango.client._events_green", "zmq.asyncio"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    compile_codecs()


async def _serve(host: str, port: int, poll_period: float, ready: Any = None) -> None:
    warm_up()
    app = make_app(poll_period)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = getattr(site, "_server", None)
    sockets = getattr(server, "sockets", None) or ()
    bound = sockets[0].getsockname()[1] if sockets else port
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/"
    print(f"puretango web: {url}", flush=True)
    if ready is not None:
        ready(url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def serve(host: str = "127.0.0.1", port: int = 8080, poll_period: float = 1.0) -> None:
    """Serve the web view until SIGINT or SIGTERM; prints ``puretango web: URL`` once
    listening (``port=0``: a free port, the real one printed)."""
    if host not in LOCAL_HOSTS:
        sys.stderr.write(
            f"puretango web: warning: listening on {host}, not only on this computer; "
            "anyone who reaches it can write attributes and run commands\n"
        )
    asyncio.run(_serve(host, port, poll_period))
