"""``puretango web`` in a real headless Chromium (Debian's, driven over the DevTools
protocol by :mod:`_chromium`), with our TangoTest and with the C++ TangoTest: the tree, a
device page that updates, a write from the page reaching the device, the ``wave`` plot
drawing, a failing attribute shown without breaking the page, 20 pages live at once.

``PURETANGO_WEB_SCREENSHOTS=docs/web pytest tests/web/test_browser.py -k screenshots``
writes the README's pictures (tree.png, device.png, wave.png) from a real run.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("aiohttp", reason="puretango web needs aiohttp (the web extra)")

from peers.databases import ours  # noqa: E402
from peers.launch import CPP_TANGO, TANGOTEST_DEVICE, CppTangoTest  # noqa: E402

import puretango  # noqa: E402
from web._chromium import CHROMIUM, Chromium, Page  # noqa: E402
from web.conftest import WebServer  # noqa: E402

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is absent (apt-get install chromium; .ci/run does it)",
        allow_module_level=True,
    )

DEVICE = TANGOTEST_DEVICE
TREE_ITEM = f'[data-device="{DEVICE}"]'
DOUBLE = '[data-attr="double_scalar"] .value'
THROW = '[data-attr="throw_exception"] .error'


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    with Chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Chromium) -> Iterator[Page]:
    page = browser.new_page()
    try:
        yield page
    finally:
        page.close()


def q(selector: str) -> str:
    """JS for the first element matching ``selector``."""
    return f"document.querySelector({json.dumps(selector)})"


def text(page: Page, selector: str) -> str | None:
    """The trimmed text of ``selector``, or None when absent."""
    return page.evaluate(
        f"(() => {{ const e = {q(selector)}; return e && e.textContent.trim(); }})()"
    )


def open_device(page: Page, url: str, name: str, timeout: float = 15) -> None:
    """Load the page with ``#device=NAME`` and wait for double_scalar to show a value."""
    page.navigate(f"{url}#device={quote(name, safe='')}")
    page.wait_for(
        f"window.puretangoWeb && window.puretangoWeb.device === {json.dumps(name)}"
        f" && ({q(DOUBLE)} || {{}}).textContent",
        timeout=timeout,
    )


def wait_value_change(page: Page, attr: str, timeout: float) -> tuple[str, str]:
    """Wait until the ``.value`` text of ``attr`` changes; return (before, after)."""
    selector = f'[data-attr="{attr}"] .value'
    before = text(page, selector)
    assert before, f"no value shown for {attr}"
    after = page.wait_for(
        f"(() => {{ const t = ({q(selector)} || {{}}).textContent;"
        f" return t && t.trim() !== {json.dumps(before)} && t.trim(); }})()",
        timeout=timeout,
    )
    return before, after


def wave_amplitude(tango_host: str) -> float:
    wave = puretango.DeviceProxy(f"tango://{tango_host}/{DEVICE}").read_attribute("wave").value
    return float(max(abs(v) for v in wave))


# ------------------------------------------------------------------ our TangoTest


def test_tree_lists_tangotest(page: Page, web_server: str) -> None:
    page.navigate(web_server)
    page.wait_for(q(TREE_ITEM))
    page.type("input#filter", "tg_test")
    page.wait_for(f"{q(TREE_ITEM)}.offsetParent !== null")


def test_device_page_updates_double_scalar(page: Page, web_server: str) -> None:
    open_device(page, web_server, DEVICE)
    wait_value_change(page, "double_scalar", timeout=6)
    assert text(page, "#state") == "RUNNING"


def test_write_ampli_from_the_page_changes_wave(
    page: Page, web_server: str, tango_host: str
) -> None:
    open_device(page, web_server, DEVICE)
    try:
        for ampli in (2.5, 4.0):
            page.type('[data-attr="ampli"] input.write', str(ampli), enter=True)
            deadline = time.monotonic() + 8
            while abs(wave_amplitude(tango_host) - ampli) > 1e-3:
                assert time.monotonic() < deadline, f"wave did not follow ampli={ampli}"
                time.sleep(0.1)
            assert not text(page, '[data-attr="ampli"] .write-error')
    finally:
        puretango.DeviceProxy(f"tango://{tango_host}/{DEVICE}").write_attribute("ampli", 1.0)


def test_wave_plot_draws(page: Page, web_server: str) -> None:
    open_device(page, web_server, DEVICE)
    canvas = '[data-attr="wave"] canvas.plot'
    page.wait_for(q(canvas))
    first = page.screenshot(canvas)
    deadline = time.monotonic() + 8
    while page.screenshot(canvas) == first:
        assert time.monotonic() < deadline, "the wave plot did not change"
        time.sleep(0.3)
    # something is drawn: more than one colour in the canvas
    colours = page.evaluate(
        f"(() => {{ const c = {q(canvas)}; const d = c.getContext('2d')"
        ".getImageData(0, 0, c.width, c.height).data; const s = new Set();"
        " for (let i = 0; i < d.length; i += 4 * 7) s.add(d[i] << 16 | d[i+1] << 8 | d[i+2]);"
        " return s.size; })()"
    )
    assert colours > 1


def test_failing_attribute_shows_its_error(page: Page, web_server: str) -> None:
    open_device(page, web_server, DEVICE)
    error = page.wait_for(f"({q(THROW)} || {{}}).textContent", timeout=8)
    assert "exception" in error.lower(), error
    assert not text(page, '[data-attr="double_scalar"] .error')
    wait_value_change(page, "double_scalar", timeout=6)


def test_twenty_pages_stay_live(browser: Chromium, web_server: str) -> None:
    pages = [browser.new_page(window=True) for _ in range(20)]  # 20 screens, all visible
    try:
        for p in pages:
            p.navigate(f"{web_server}#device={quote(DEVICE, safe='')}", wait=False)
        counts = []
        for p in pages:
            counts.append(p.wait_for("window.puretangoWeb && window.puretangoWeb.updates", 20))
        for p, before in zip(pages, counts, strict=True):
            p.wait_for(f"window.puretangoWeb.updates > {before}", timeout=10)
    finally:
        for p in pages:
            p.close()


# ------------------------------------------------------------------ the C++ TangoTest


@pytest.fixture(scope="module")
def cpp_web() -> Iterator[str]:
    """Our Database, the C++ TangoTest registered in it as sys/tg_test/1, and puretango
    web on it: yields the web URL."""
    if not CPP_TANGO.exists():
        pytest.skip(f"{CPP_TANGO} is absent")
    with tempfile.TemporaryDirectory() as folder, ours(Path(folder) / "tango.db") as db:
        info = puretango.DbDevInfo()
        info.name, info._class, info.server = DEVICE, "TangoTest", "TangoTest/test"
        puretango.Database(*db.tango_host.split(":")).add_server(info.server, info)
        with CppTangoTest(db.tango_host, "test", DEVICE), WebServer(db.tango_host) as web:
            yield web.url


def test_cpp_tangotest_tree_and_device(page: Page, cpp_web: str) -> None:
    page.navigate(cpp_web)
    page.wait_for(q(TREE_ITEM), timeout=15)
    page.click(TREE_ITEM)
    page.wait_for(
        f"window.puretangoWeb.device === {json.dumps(DEVICE)} && ({q(DOUBLE)} || {{}}).textContent",
        timeout=15,
    )
    wait_value_change(page, "double_scalar", timeout=8)  # it generates every 2 s
    assert text(page, "#state") == "RUNNING"
    assert page.evaluate("window.puretangoWeb.updates") > 0


# ------------------------------------------------------------------ README pictures


def test_screenshots(browser: Chromium, web_server: str) -> None:
    folder = os.environ.get("PURETANGO_WEB_SCREENSHOTS")
    if not folder:
        pytest.skip("set PURETANGO_WEB_SCREENSHOTS=docs/web to write the README's pictures")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(web_server)
    try:
        page.wait_for(q(TREE_ITEM))
        (out / "tree.png").write_bytes(page.screenshot())
        open_device(page, web_server, DEVICE)
        time.sleep(3)  # trends fill in
        page.evaluate("window.scrollTo(0, 0)")
        (out / "device.png").write_bytes(page.screenshot())
        (out / "wave.png").write_bytes(page.screenshot('[data-attr="wave"]', padding=4))
    finally:
        page.close()
