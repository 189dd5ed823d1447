"""Web view benchmark: updates per second that ``puretango web`` delivers to pages, and the
CPU of the web process per update (issue 13's target: 50 attributes at 10 Hz to 20 pages
under half a core).

One run starts three processes on 127.0.0.1 (``puretango db`` on a temporary SQLite file,
our TangoTest serving ``sys/tg_test/1`` and ``/2``, ``puretango web --port 0``) and then, for 1
page and for 20 pages, opens that many WebSockets (aiohttp clients in this process, standing
in for browsers: a browser's drawing is not the web process's work), each watching the same
50 attributes of two TangoTest devices (25 each: State, Status and the first non-image ones) at a
0.1 s period. It counts the UPDATE items the pages receive over ``--seconds`` and reads the
web process's CPU time from ``/proc``. The TangoTest server runs in its own process; its
CPU is not counted. There is no PyTango counterpart to compare with: figures are absolute.

Usage: ``python bench/bench_web.py [--seconds 10] [--no-results]`` (needs the web extra).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from _common import add_results_args, free_port, write_results

HOST = "127.0.0.1"
DEVICES = ("sys/tg_test/1", "sys/tg_test/2")
PERIOD = 0.1
ATTRIBUTES = 50


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "puretango.cli", *args]


def _start(argv: list[str], env: dict[str, str], marker: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 60
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if marker in line:
            return process, line
    process.kill()
    raise RuntimeError(f"{argv[3:]} did not print {marker!r}")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _attribute_names(url: str) -> list[str]:
    """Per device, the first non-image attributes: with State and Status (always sent),
    ``ATTRIBUTES`` in all over the devices."""
    async with aiohttp.ClientSession() as session:
        async with session.get(url + "api/device", params={"name": DEVICES[0]}) as response:
            described = await response.json()
    names = [a["name"] for a in described["attributes"] if a["format"] != "IMAGE"]
    names = [n for n in names if n not in ("State", "Status")]
    return names[: ATTRIBUTES // len(DEVICES) - 2]


async def _measure(url: str, pid: int, pages: int, seconds: float) -> dict[str, float]:
    names = await _attribute_names(url)
    received = [0] * pages
    counting = False

    async def page(index: int, session: aiohttp.ClientSession, ready: asyncio.Event) -> None:
        async with session.ws_connect(url + "ws") as ws:
            for device in DEVICES:
                watch = {"op": "watch", "device": device, "attributes": names, "period": PERIOD}
                await ws.send_str(json.dumps(watch))
            ready.set()
            async for message in ws:
                if counting:
                    received[index] += len(json.loads(message.data).get("updates", ()))

    async with aiohttp.ClientSession() as session:
        readies = [asyncio.Event() for _ in range(pages)]
        tasks = [asyncio.create_task(page(i, session, readies[i])) for i in range(pages)]
        await asyncio.gather(*(r.wait() for r in readies))
        await asyncio.sleep(2.0)  # warm up: first reads, subscriptions tried
        counting = True
        cpu0, wall0 = _cpu_seconds(pid), time.monotonic()
        await asyncio.sleep(seconds)
        cpu1, wall1 = _cpu_seconds(pid), time.monotonic()
        counting = False
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    total = sum(received)
    wall, cpu = wall1 - wall0, cpu1 - cpu0
    return {
        "attributes": (len(names) + 2) * len(DEVICES),
        "updates_per_s": total / wall,
        "per_page_per_s": total / wall / pages,
        "cores": cpu / wall,
        "cpu_us_per_update": cpu / total * 1e6 if total else float("nan"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="counting time per case")
    add_results_args(parser)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "TANGO_HOST"}
    started: list[subprocess.Popen] = []
    rows: list[tuple[str, float]] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            port = free_port()
            db_file = str(Path(folder) / "tango.db")
            argv = _cli("db", "--host", HOST, "--port", str(port), "--db-file", db_file)
            started.append(_start(argv, env, "Ready to accept request")[0])
            env["TANGO_HOST"] = f"{HOST}:{port}"
            added = _cli("server", "add", "TangoTest/bench", "TangoTest", *DEVICES)
            subprocess.run(added, env=env, check=True, capture_output=True, timeout=60)
            tangotest = [sys.executable, "-m", "puretango.tangotest", "bench"]
            started.append(_start(tangotest, env, "Ready to accept request")[0])
            web, line = _start(_cli("web", "--port", "0"), env, "puretango web: ")
            started.append(web)
            url = line.split("puretango web: ", 1)[1].strip().rstrip("/") + "/"
            for pages in (1, 20):
                print(f"{pages} page(s): {args.seconds:g} s ...", flush=True)
                figures = asyncio.run(_measure(url, web.pid, pages, args.seconds))
                label = f"{pages} page{'s' if pages > 1 else ''}, {figures['attributes']}"
                label += f" attributes at {1 / PERIOD:g} Hz"
                rows.append((f"{label}: updates delivered [1/s]", figures["updates_per_s"]))
                rows.append((f"{label}: updates per page [1/s]", figures["per_page_per_s"]))
                rows.append((f"{label}: web process CPU [cores]", figures["cores"]))
                rows.append(
                    (f"{label}: CPU per update delivered [µs]", figures["cpu_us_per_update"])
                )
    finally:
        for process in reversed(started):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
    lines = ["| figure | puretango web |", "|---|---:|"]
    lines += [
        f"| {name} | {value:,.3g} |" if value < 10 else f"| {name} | {value:,.0f} |"
        for name, value in rows
    ]
    lines.append("\n- target (issue 13): 50 attributes at 10 Hz to 20 pages under 0.5 core")
    body = "\n".join(lines)
    print(body)
    if not args.no_results:
        write_results(
            args.results,
            time.strftime("%Y-%m-%d %H:%M UTC web view", time.gmtime()),
            [],
            "python bench/bench_web.py",
            body,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
