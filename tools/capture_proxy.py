"""Logging TCP proxy: forwards connections to a target and records every TCP read.

Each read becomes one JSON line ``{"t": time.time(), "c": connection number (from 1),
"dir": "C2S" | "S2C", "hex": bytes.hex()}`` -- the format of ``/work/shared/captures``.

Usage as a program: ``python tools/capture_proxy.py LISTEN_PORT TARGET_HOST TARGET_PORT OUT``
(Ctrl-C stops). Stdlib only, one thread per direction and connection.
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO

LISTEN_HOST = "127.0.0.1"
BUFSIZE = 65536


class CaptureProxy:
    """TCP proxy from ``127.0.0.1:listen_port`` to ``target_host:target_port`` logging to
    ``out_path``.

    ``listen_port=0`` picks a free port (see ``port``). Use ``start()``/``stop()`` or ``with``.
    """

    def __init__(
        self, listen_port: int, target_host: str, target_port: int, out_path: Path | str
    ) -> None:
        self.target = (target_host, target_port)
        self.out_path = Path(out_path)
        self._listen_port = listen_port
        self._server: socket.socket | None = None
        self._out: IO[str] | None = None
        self._write_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        self._accept_thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.connections = 0
        self.records = 0

    @property
    def port(self) -> int:
        """The port the proxy listens on."""
        if self._server is not None:
            return int(self._server.getsockname()[1])
        return self._listen_port

    def start(self) -> CaptureProxy:
        """Open the output file and start accepting connections."""
        self._stopping.clear()
        self.out_path.parent.mkdir(parents=True, exist_ok=True)
        self._out = self.out_path.open("w", encoding="ascii")
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((LISTEN_HOST, self._listen_port))
        server.listen(16)
        self._server = server
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name="proxy-accept", daemon=True
        )
        self._accept_thread.start()
        return self

    def _accept_loop(self) -> None:
        """Accept client connections and start their pumps."""
        assert self._server is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.connections += 1
            conn = self.connections
            self._sockets += [client, upstream]
            for src, dst, direction in ((client, upstream, "C2S"), (upstream, client, "S2C")):
                thread = threading.Thread(
                    target=self._pump,
                    args=(src, dst, conn, direction),
                    name=f"proxy-{conn}-{direction}",
                    daemon=True,
                )
                self._threads.append(thread)
                thread.start()

    def _pump(self, src: socket.socket, dst: socket.socket, conn: int, direction: str) -> None:
        """Copy ``src`` to ``dst``, logging every read, until EOF or error."""
        while True:
            try:
                data = src.recv(BUFSIZE)
            except OSError:
                data = b""
            if not data:
                break
            self._record(conn, direction, data)
            try:
                dst.sendall(data)
            except OSError:
                break
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _record(self, conn: int, direction: str, data: bytes) -> None:
        """Write one JSON line for one TCP read."""
        line = json.dumps({"t": time.time(), "c": conn, "dir": direction, "hex": data.hex()})
        with self._write_lock:
            if self._out is not None:
                self._out.write(line + "\n")
                self._out.flush()
                self.records += 1

    def stop(self, timeout: float = 5) -> None:
        """Stop accepting, close all connections, wait for the pumps and close the file."""
        self._stopping.set()
        if self._server is not None:
            try:
                self._server.close()
            finally:
                self._server = None
        if self._accept_thread is not None:
            self._accept_thread.join(timeout)
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        for thread in self._threads:
            thread.join(timeout)
        self._sockets.clear()
        self._threads.clear()
        with self._write_lock:
            if self._out is not None:
                self._out.close()
                self._out = None

    def __enter__(self) -> CaptureProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main() -> None:
    """Command-line entry point: run a proxy until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("listen_port", type=int)
    parser.add_argument("target_host")
    parser.add_argument("target_port", type=int)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    with CaptureProxy(args.listen_port, args.target_host, args.target_port, args.out) as proxy:
        print(
            f"proxy 127.0.0.1:{proxy.port} -> {args.target_host}:{args.target_port}, "
            f"logging to {args.out}"
        )
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
