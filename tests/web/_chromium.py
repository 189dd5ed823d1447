"""A small driver of headless Chromium over the DevTools protocol (no selenium).

``Chromium()`` launches ``/usr/bin/chromium --headless`` with a private profile and a
DevTools port chosen by Chromium itself, and talks to it over one WebSocket (aiohttp's
client) from a private event-loop thread; its methods are synchronous, for tests. Pages
are targets attached with flattened sessions. Every wait has a timeout, and ``close()``
kills Chromium's whole process group whatever state it is in.

    with Chromium() as browser:
        page = browser.new_page("http://127.0.0.1:8080/")
        page.wait_for("document.title === 'puretango'")
        png = page.screenshot("#tree")
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ctypes
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
]


_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL when the test process dies (even killed, when
    no teardown runs); its renderers and zygotes then exit with it."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class BrowserError(RuntimeError):
    """Chromium failed to start, answered a DevTools error, or a wait timed out."""


class JavaScriptError(BrowserError):
    """An expression evaluated in a page threw."""


class Chromium:
    """Headless Chromium and its DevTools connection (use ``with`` or ``close()``)."""

    def __init__(
        self,
        executable: Path = CHROMIUM,
        timeout: float = 15,
        window: tuple[int, int] = (1280, 900),
    ) -> None:
        self.executable = Path(executable)
        self.timeout = timeout
        self.window = window
        self._profile = tempfile.mkdtemp(prefix="puretango-chromium-")
        self._proc: subprocess.Popen[bytes] | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="cdp", daemon=True)
        self._thread.start()
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse[bool] | None = None
        self._reader: asyncio.Task[None] | None = None
        self.pages: list[Page] = []
        try:
            self._launch()
            self._run(self._connect())
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ lifecycle

    def _launch(self) -> None:
        """Start Chromium and wait for its DevToolsActivePort file."""
        if not self.executable.exists():
            raise BrowserError(f"{self.executable} is absent")
        log = open(Path(self._profile) / "chromium.log", "wb")  # noqa: SIM115 (kept by Popen)
        width, height = self.window
        argv = [
            str(self.executable),
            *FLAGS,
            f"--window-size={width},{height}",
            f"--user-data-dir={self._profile}",
            "about:blank",
        ]
        self._proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        log.close()
        active = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise BrowserError(f"chromium exited with {self._proc.returncode}: {self.log()}")
            lines = active.read_text().split() if active.exists() else []
            if len(lines) == 2:
                self._url = f"ws://127.0.0.1:{lines[0]}{lines[1]}"
                return
            time.sleep(0.05)
        raise BrowserError(f"no DevToolsActivePort after {self.timeout} s: {self.log()}")

    def log(self) -> str:
        """The last lines Chromium wrote to stderr/stdout."""
        path = Path(self._profile) / "chromium.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-20:])

    async def _connect(self) -> None:
        self._session = aiohttp.ClientSession()
        self._ws = await self._session.ws_connect(self._url, max_msg_size=0, heartbeat=None)
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        """Route answers to their callers; events are not needed by these tests."""
        assert self._ws is not None
        async for msg in self._ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            data = json.loads(msg.data)
            future = self._pending.pop(data.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(data)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(BrowserError("DevTools connection closed"))
        self._pending.clear()

    def close(self) -> None:
        """Close the DevTools connection and kill Chromium (its process group)."""
        if self._loop.is_running():
            with contextlib.suppress(Exception):
                self._run(self._disconnect(), timeout=3)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(3)
        proc = self._proc
        if proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # renderers and zygotes too
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # until the kernel has taken them all
                try:
                    os.killpg(proc.pid, 0)
                except (ProcessLookupError, PermissionError):
                    break
                time.sleep(0.02)
            self._proc = None
        if not self._loop.is_running() and not self._loop.is_closed():
            self._loop.close()
        shutil.rmtree(self._profile, ignore_errors=True)

    async def _disconnect(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader
        if self._session is not None:
            await self._session.close()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ protocol

    def _run(self, coro: Any, timeout: float | None = None) -> Any:
        """Run ``coro`` on the private loop and wait for its result."""
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(self.timeout + 5 if timeout is None else timeout)
        except TimeoutError:
            future.cancel()
            raise BrowserError(f"no answer from Chromium after {timeout} s") from None

    async def _send(
        self, method: str, params: dict[str, Any], session: str | None, timeout: float
    ) -> dict[str, Any]:
        if self._ws is None or self._ws.closed:
            raise BrowserError("DevTools connection closed")
        ident = next(self._ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        future: asyncio.Future[dict[str, Any]] = self._loop.create_future()
        self._pending[ident] = future
        await self._ws.send_str(json.dumps(message))
        try:
            answer = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise BrowserError(f"{method}: no answer after {timeout} s") from None
        finally:
            self._pending.pop(ident, None)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error'].get('message')}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send one DevTools command (to a page's ``session``) and return its result."""
        wait = self.timeout if timeout is None else timeout
        result: dict[str, Any] = self._run(
            self._send(method, params or {}, session, wait), timeout=wait + 2
        )
        return result

    # ------------------------------------------------------------------ pages

    def new_page(self, url: str = "about:blank", wait: bool = True, window: bool = False) -> Page:
        """Open a new page (a target of its own), attached with a flattened session; with
        ``window``, in a window of its own, so that it is visible and not throttled as a
        background tab is (timers at 1 Hz, no animation frames)."""
        params: dict[str, Any] = {"url": "about:blank"}
        if window:
            width, height = self.window
            params.update(newWindow=True, width=width, height=height)
        target = self.send("Target.createTarget", params)["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, target, session)
        page.send("Page.enable")
        page.send("Runtime.enable")
        self.pages.append(page)
        if url != "about:blank":
            page.navigate(url, wait=wait)
        return page


class Page:
    """One page of a :class:`Chromium`; all waits raise BrowserError on timeout."""

    def __init__(self, browser: Chromium, target: str, session: str) -> None:
        self.browser = browser
        self.target = target
        self.session = session

    def send(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        """A DevTools command in this page's session."""
        return self.browser.send(method, params, session=self.session, **kw)

    def navigate(self, url: str, wait: bool = True, timeout: float | None = None) -> None:
        """Load ``url``; with ``wait``, until ``document.readyState`` is complete."""
        answer = self.send("Page.navigate", {"url": url})
        if answer.get("errorText"):
            raise BrowserError(f"navigate {url}: {answer['errorText']}")
        if wait:
            self.wait_for(
                "location.href !== 'about:blank' && document.readyState === 'complete'",
                timeout=timeout,
            )

    def evaluate(self, expression: str, timeout: float | None = None) -> Any:
        """The JSON value of ``expression`` in the page (promises are awaited)."""
        answer = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout=timeout,
        )
        if "exceptionDetails" in answer:
            details = answer["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise JavaScriptError(f"{expression}: {text}")
        return answer.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float | None = None, every: float = 0.05) -> Any:
        """Evaluate ``expression`` until it is truthy and return it; BrowserError after
        ``timeout`` seconds (the browser's default timeout when None)."""
        limit = self.browser.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        last: Any = None
        js = f"(v => v instanceof Node ? true : v)({expression})"  # an element counts as true
        while True:
            left = deadline - time.monotonic()
            try:  # a page busy loading may not answer at once: ask again until the deadline
                last = self.evaluate(js, timeout=max(1.0, min(5.0, left)))
            except BrowserError as exc:
                last = exc
            else:
                if last:
                    return last
            if time.monotonic() > deadline:
                raise BrowserError(f"timeout after {limit} s waiting for {expression} ({last!r})")
            time.sleep(every)

    def _center(self, selector: str) -> tuple[float, float]:
        box = self.rect(selector)
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    def rect(self, selector: str, scroll: bool = True) -> dict[str, float]:
        """The viewport rectangle of the first element matching ``selector``."""
        js = (
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " if (!e) return null;"
            f" if ({json.dumps(scroll)}) e.scrollIntoView({{block: 'center'}});"
            " const r = e.getBoundingClientRect();"
            " return {x: r.x, y: r.y, width: r.width, height: r.height,"
            " scrollX: window.scrollX, scrollY: window.scrollY}; })()"
        )
        box = self.evaluate(js)
        if box is None:
            raise BrowserError(f"no element {selector}")
        return dict(box)

    def click(self, selector: str) -> None:
        """A real mouse click at the centre of ``selector``."""
        x, y = self._center(selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            params: dict[str, Any] = {"type": kind, "x": x, "y": y}
            if kind != "mouseMoved":
                params.update(button="left", clickCount=1)
            self.send("Input.dispatchMouseEvent", params)

    def type(self, selector: str, text: str, clear: bool = True, enter: bool = False) -> None:
        """Focus ``selector``, (clear it,) type ``text`` as keyboard input, then Enter."""
        focus = (
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            f" if (!e) return false; e.focus(); if ({json.dumps(clear)}) e.select();"
            " return document.activeElement === e; })()"
        )
        if not self.evaluate(focus):
            raise BrowserError(f"cannot focus {selector}")
        if clear:
            self.key("Backspace", code="Backspace", vk=8)
        self.send("Input.insertText", {"text": text})
        if enter:
            self.key("Enter", code="Enter", vk=13, text="\r")

    def key(self, key: str, code: str, vk: int, text: str = "") -> None:
        """Press and release one key (keyDown with its text, keyUp)."""
        down: dict[str, Any] = {
            "type": "keyDown" if text else "rawKeyDown",
            "key": key,
            "code": code,
            "windowsVirtualKeyCode": vk,
            "nativeVirtualKeyCode": vk,
        }
        if text:
            down.update(text=text, unmodifiedText=text)
        self.send("Input.dispatchKeyEvent", down)
        self.send(
            "Input.dispatchKeyEvent",
            {"type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": vk},
        )

    def screenshot(self, selector: str | None = None, padding: float = 0) -> bytes:
        """PNG bytes of the element ``selector`` (its bounding box), or of the viewport."""
        params: dict[str, Any] = {"format": "png"}
        if selector is not None:
            box = self.rect(selector)
            params["clip"] = {
                "x": max(0.0, box["x"] + box["scrollX"] - padding),
                "y": max(0.0, box["y"] + box["scrollY"] - padding),
                "width": box["width"] + 2 * padding,
                "height": box["height"] + 2 * padding,
                "scale": 1,
            }
        data = self.send("Page.captureScreenshot", params)["data"]
        return base64.b64decode(data)

    def close(self) -> None:
        """Close this page's target."""
        with contextlib.suppress(BrowserError):
            self.browser.send("Target.closeTarget", {"targetId": self.target})
        with contextlib.suppress(ValueError):
            self.browser.pages.remove(self)
