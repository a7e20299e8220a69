"""`kg serve`: the built graph, read-only over the SPARQL 1.1 Protocol, with its page beside it.

The SPARQL engine is Oxigraph's own server (`oxigraph serve-read-only`, from the PyPI package
`oxigraph`, installed by `pip install 'kg[server]'`) on the build's `store/`, listening on a private
loopback port. In front of it, on the address asked for, a small HTTP server answers `/` with
graph.html, `/graph.ttl` with the graph, and passes `/query` (and `/sparql`) through to Oxigraph
(the served graph is the default graph, and also answers to the name a push gives it,
`kg.remote.GRAPH_IRI`); nothing else is served, so the graph cannot be changed through it. The address is
127.0.0.1 unless another is asked for. When a build replaces the store, a new Oxigraph server
starts on it and takes over.
"""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kg.errors import NoGraphError, ServeError

log = logging.getLogger(__name__)

DEFAULT_BIND = "127.0.0.1:7878"
QUERY_PATHS = ("/query", "/sparql")
_STARTUP = 30.0  # seconds Oxigraph's server may take to answer


def parse_bind(bind: str) -> tuple[str, int]:
    """(host, port) of `HOST:PORT` (`[::1]:PORT` for IPv6; a bare `PORT` is on 127.0.0.1)."""
    text = bind.strip()
    if text.isdigit():
        return "127.0.0.1", int(text)
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ServeError(f"--bind wants HOST:PORT, e.g. 127.0.0.1:7878; got {bind!r}")
    return host.strip("[]"), int(port)


def is_loopback(host: str) -> bool:
    """Whether `host` names only this machine (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _oxigraph() -> str:
    """The `oxigraph` server program: beside this interpreter (a virtualenv) or on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise ServeError("kg serve needs Oxigraph's server: pip install 'kg[server]' (the PyPI package oxigraph)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running `kg serve`: `url` is its address, `query_url` its SPARQL endpoint; `close()` stops it."""

    url: str
    query_url: str
    front: http.server.ThreadingHTTPServer
    engine: subprocess.Popen[bytes]
    thread: threading.Thread
    out_dir: Path
    timeout: float
    served: str  # the sha256 of the graph.ttl whose store is served

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C, SIGTERM, or Oxigraph's server exiting), serving
        the new graph whenever a build has replaced the store."""
        try:
            ticks = 0
            while self.thread.is_alive() and self.engine.poll() is None:
                time.sleep(0.5)
                ticks += 1
                if ticks % 4 == 0:
                    self.refresh()
        finally:
            self.close()
        if self.engine.returncode not in (0, None, -15):
            raise ServeError(f"Oxigraph's server stopped (exit code {self.engine.returncode})")

    def refresh(self) -> bool:
        """Serve the store of a newer build, if one has replaced the served one; True if so.

        A new Oxigraph server starts on the new store and takes the queries; the old one then stops.
        """
        from kg.store import store_marker

        sha = (store_marker(self.out_dir) or {}).get("sha256")
        if not sha or sha == self.served:
            return False
        try:
            engine, port = _start_engine(self.out_dir, self.timeout)
        except ServeError as exc:
            log.warning("still serving the previous graph: %s", exc)
            return False
        old, self.engine, self.served = self.engine, engine, sha
        self.front.RequestHandlerClass.inner = port  # type: ignore[attr-defined]
        _stop(old)
        log.info("serving the graph of %s", sha[:12])
        return True

    def close(self) -> None:
        """Stop answering and end Oxigraph's server."""
        with contextlib.suppress(Exception):
            self.front.shutdown()
        self.front.server_close()
        _stop(self.engine)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _stop(engine: subprocess.Popen[bytes]) -> None:
    if engine.poll() is None:
        engine.terminate()
        try:
            engine.wait(5)
        except subprocess.TimeoutExpired:
            engine.kill()
            engine.wait()


def serve(out: str | os.PathLike[str] = "kg-out", bind: str = DEFAULT_BIND, *, timeout: float = 30.0) -> Server:
    """Start serving the graph built in `out` on `bind` (HOST:PORT; port 0 picks a free one).

    Queries longer than `timeout` seconds are stopped by Oxigraph. Returns at once with the running
    `Server`; `Server.wait()` blocks until it stops, and serves each new build's graph meanwhile.
    """
    from kg.store import build_lock, open_store, store_marker

    out_dir = Path(out)
    host, port = parse_bind(bind)
    if not (out_dir / "graph.ttl").is_file():
        raise NoGraphError(f"no graph in {out_dir}: run `kg build ARTICLES --out {out_dir}` first")
    if store_marker(out_dir) is None:  # no store, or one older than graph.ttl: make it from graph.ttl
        with build_lock(out_dir):
            store = open_store(out_dir, read_only=False)
            del store  # closes it
    served = (store_marker(out_dir) or {}).get("sha256", "")
    engine, inner = _start_engine(out_dir, timeout)
    try:
        front = _front(host, port, out_dir, inner)
    except BaseException:
        _stop(engine)
        raise
    thread = threading.Thread(target=front.serve_forever, name="kg-serve", daemon=True)
    thread.start()
    real_port = front.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{real_port}/"
    return Server(url, url + "query", front, engine, thread, out_dir, timeout, served)


def _start_engine(out_dir: Path, timeout: float) -> tuple[subprocess.Popen[bytes], int]:
    """Oxigraph's read-only server on `out_dir/store`, on a free loopback port, once it answers."""
    from kg.store import STORE_DIR

    program = _oxigraph()
    port = _free_port()
    engine = subprocess.Popen(
        [
            program,
            "serve-read-only",
            "--location",
            str(out_dir / STORE_DIR),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout-s",
            str(max(1, int(timeout))),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_ready(engine, port)
    except BaseException:
        _stop(engine)
        raise
    return engine, port


def _wait_ready(engine: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + _STARTUP
    while time.monotonic() < deadline:
        if engine.poll() is not None:
            detail = (engine.stderr.read() if engine.stderr else b"").decode("utf-8", "replace").strip()
            raise ServeError("Oxigraph's server did not start" + (f": {detail.splitlines()[-1]}" if detail else ""))
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise ServeError(f"Oxigraph's server did not answer within {_STARTUP:g}s")


def _front(host: str, port: int, out_dir: Path, inner: int) -> http.server.ThreadingHTTPServer:
    handler = type("Handler", (_Handler,), {"out_dir": out_dir, "inner": inner})
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server_class = type("Front", (http.server.ThreadingHTTPServer,), {"address_family": family, "daemon_threads": True})
    try:
        return server_class((host, port), handler)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


class _Handler(http.server.BaseHTTPRequestHandler):
    """The page and the graph as files; SPARQL queries passed to Oxigraph's server."""

    out_dir: Path
    inner: int
    server_version = "kg-serve"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the name http.server uses
        log.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = urlsplit(self.path).path
        if path in ("/", "/graph.html"):
            self._file(self.out_dir / "graph.html", "text/html; charset=utf-8")
        elif path == "/graph.ttl":
            self._file(self.out_dir / "graph.ttl", "text/turtle; charset=utf-8")
        elif path in QUERY_PATHS:
            self._forward(b"")
        else:
            self._plain(404, "not found: this server answers /, /graph.ttl and /query\n")

    def do_POST(self) -> None:  # noqa: N802
        if urlsplit(self.path).path not in QUERY_PATHS:
            self._plain(
                405 if urlsplit(self.path).path in ("/update", "/store") else 404,
                "read-only: only queries are answered, at /query\n",
            )
            return
        length = int(self.headers.get("Content-Length") or 0)
        self._forward(self.rfile.read(length) if length else b"")

    def _file(self, path: Path, content_type: str) -> None:
        try:
            size = path.stat().st_size
            fh = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError:
            self._plain(404, f"{path.name} has not been built\n")
            return
        with fh:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(size))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            shutil.copyfileobj(fh, self.wfile, 1 << 16)

    def _plain(self, status: int, text: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _forward(self, body: bytes) -> None:
        """The request to Oxigraph's `/query`, same method, query string, headers that matter and body."""
        import http.client

        query = _without_own_graph(urlsplit(self.path).query)
        headers = {k: v for k in ("Accept", "Content-Type") if (v := self.headers.get(k))}
        if body and "x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
            body = _without_own_graph(body.decode("utf-8", "replace")).encode()
        connection = http.client.HTTPConnection("127.0.0.1", self.inner, timeout=3600)
        try:
            connection.request(
                self.command, "/query" + (f"?{query}" if query else ""), body=body or None, headers=headers
            )
            answer = connection.getresponse()
            data = answer.read()
        except OSError as exc:
            self._plain(502, f"the SPARQL engine is not answering: {exc}\n")
            return
        finally:
            connection.close()
        self.send_response(answer.status)
        for name in ("Content-Type", "Vary"):
            if answer.getheader(name):
                self.send_header(name, answer.getheader(name))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _without_own_graph(form: str) -> str:
    """`form` (a query string or form body) without `default-graph-uri` naming the published graph's
    name: the served graph is the store's default graph, known by that name too (as after `kg push`)."""
    from urllib.parse import parse_qsl, urlencode

    from kg.remote import GRAPH_IRI

    if "default-graph-uri" not in form:
        return form
    pairs = parse_qsl(form, keep_blank_values=True)
    return urlencode([(k, v) for k, v in pairs if not (k == "default-graph-uri" and v == GRAPH_IRI)])
