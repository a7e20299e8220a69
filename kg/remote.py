"""The built graph on a SPARQL 1.1 server: `push` (Graph Store HTTP Protocol) and `query` (SPARQL 1.1 Protocol).

A push never shows readers a half-written graph. The triples go first into fresh staging graphs
on the server, in chunks of at most `CHUNK_BYTES`; one SPARQL Update then switches the
published graph: `MOVE` of the staging graph over it for a full push, or a `DELETE`/`INSERT`
from the staging graphs for an incremental one. The same update records the sha256 of the
graph.ttl pushed in a small state graph beside the published one (`<GRAPH#push>`).

A push after an incremental build sends only what changed: graph.ttl is written in named parts
(the entities, then one per article), the push remembers each part's digest in
`OUT/.kg-push/` (with a hard link to the graph.ttl it pushed), and the next push compares,
parses only the changed parts of the old and new files and sends the triples that differ. It
falls back to a full push whenever the server's state graph does not name the graph.ttl it last
pushed (another writer, a reset server) or the build left no record of its parts.

A push holds the output folder's build lock, so no build changes graph.ttl while it is sent.
Passwords come from an environment variable or a netrc file, never from an argument or a URL,
and appear in no message.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import netrc
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from kg.errors import EndpointError, NoGraphError, QueryError

if TYPE_CHECKING:
    import pyoxigraph

    from kg.sparql import QueryResult

log = logging.getLogger(__name__)

GRAPH_IRI = "https://w3id.org/kg/graph"  # the published graph's name unless `graph=` says otherwise
CHUNK_BYTES = 4 << 20  # at most this much RDF in one Graph Store request
RETRIES = 4  # attempts after the first on a transient failure
BACKOFF = 0.5  # seconds before the first retry, doubled each time
TIMEOUT = 120.0  # seconds a server may take over one request of a push
SWITCH_TIMEOUT = 3600.0  # … and over the switch, which copies the whole graph on a full push
PUSH_DIR = ".kg-push"  # in the output folder: what was last pushed where

_TRANSIENT = {408, 425, 429, 502, 503, 504}
_IDENTIFIER = "http://purl.org/dc/terms/identifier"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Endpoints:
    """The three URLs of one server: SPARQL query, SPARQL update and Graph Store."""

    query: str
    update: str
    store: str
    virtuoso: bool = False  # updates then run as one transaction (`DEFINE sql:log-enable 1`), not row by row


def endpoints(url: str, *, update: str | None = None, store: str | None = None) -> Endpoints:
    """The query, update and Graph Store URLs of the server whose SPARQL endpoint is `url`.

    Virtuoso's `/sparql` and `/sparql-auth` answer updates themselves and keep the Graph Store at
    `/sparql-graph-crud` and `/sparql-graph-crud-auth`; a URL ending in `/query` (Oxigraph server;
    Fuseki's `/ds/query`) has `/update` and `/store` beside it; any other URL (a Fuseki dataset
    such as `http://host:3030/ds`) serves all three. `update` and `store` override the guess.
    """
    _check_url(url)
    parts = urlsplit(url)
    path = parts.path.rstrip("/")

    def sibling(name: str) -> str:
        return urlunsplit(parts._replace(path=path.rsplit("/", 1)[0] + "/" + name, query=""))

    last = path.rsplit("/", 1)[-1]
    if last in ("sparql", "sparql-auth"):
        store_url = sibling("sparql-graph-crud" + ("-auth" if last.endswith("-auth") else ""))
        guess = Endpoints(url, url, store_url, virtuoso=True)
    elif last == "query":
        guess = Endpoints(url, sibling("update"), sibling("store"))
    else:
        guess = Endpoints(url, url, url)
    for other in (update, store):
        if other:
            _check_url(other)
    return Endpoints(guess.query, update or guess.update, store or guess.store, guess.virtuoso)


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointError(f"not an http(s) URL: {_safe_url(url)}")
    if parts.password is not None:
        raise EndpointError(
            "a password in the URL is refused: give the user with --user and the password "
            "through --password-env or a netrc file"
        )


def _safe_url(url: str) -> str:
    """`url` without any user information, fit for a message."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<malformed URL>"
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=host))


def credentials(url: str, user: str | None = None, password_env: str | None = None) -> tuple[str, str] | None:
    """(user, password) for `url`: the password from the variable `password_env`, else the netrc
    entry of the URL's host (`$NETRC` or `~/.netrc`); None when there is neither."""
    if password_env:
        password = os.environ.get(password_env)
        if password is None:
            raise EndpointError(f"the environment variable {password_env} is not set")
        if not user:
            raise EndpointError("--password-env needs --user")
        return user, password
    host = urlsplit(url).hostname or ""
    try:
        entry = netrc.netrc(os.environ.get("NETRC") or None).authenticators(host)
    except FileNotFoundError:
        entry = None
    except (netrc.NetrcParseError, OSError) as exc:
        raise EndpointError(f"cannot read the netrc file: {getattr(exc, 'msg', exc)}") from None
    if entry is None:
        return None
    login, _account, password = entry
    if user and login and login != user:
        return None
    return (user or login or ""), password or ""


# --------------------------------------------------------------------------- HTTP


class _Client:
    """HTTP requests with retries and backoff on transient failures, Basic or Digest auth as the
    server asks, and a count of the bytes sent."""

    def __init__(
        self,
        auth: tuple[str, str] | None,
        *,
        retries: int = RETRIES,
        backoff: float = BACKOFF,
        timeout: float = TIMEOUT,
    ) -> None:
        import requests

        self.session = requests.Session()
        self.session.trust_env = False  # no netrc or proxy from the environment: credentials are ours
        self.credentials = auth
        self.auth: Any = None
        self.retries, self.backoff, self.timeout = retries, backoff, timeout
        self.bytes_sent = 0
        self.requests = 0

    def close(self) -> None:
        self.session.close()

    def send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        params: dict[str, str] | None = None,
        data: bytes | dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        retry: bool = True,
        timeout: float | None = None,
    ) -> Any:
        """The response to one request; raises `EndpointError` on anything but a 2xx answer."""
        import requests

        attempt = 0
        while True:
            try:
                response = self._once(method, url, params, data, headers, timeout)
            except requests.exceptions.ConnectionError as exc:
                refused = _refused(exc)
                if (retry or refused) and attempt < self.retries:
                    attempt = self._pause(attempt, what, "unreachable")
                    continue
                reason = "connection refused" if refused else _first_line(str(exc.__context__ or exc))
                raise EndpointError(f"cannot reach {_safe_url(url)} ({what}): {reason}") from None
            except requests.exceptions.Timeout:
                if retry and attempt < self.retries:
                    attempt = self._pause(attempt, what, "timed out")
                    continue
                raise EndpointError(
                    f"{_safe_url(url)} did not answer within {timeout or self.timeout:g}s ({what})"
                ) from None
            status = response.status_code
            if 200 <= status < 300:
                return response
            if status == 401 and self.credentials and self.auth is None:
                self.auth = _auth_for(response, *self.credentials)
                if self.auth is not None:
                    continue  # the same request again, with the scheme the server asked for
            if status in (401, 403):
                why = "wrong user or password" if self.credentials else "credentials needed (--user, --password-env)"
                raise EndpointError(f"{_safe_url(url)} refused {what}: {why} (HTTP {status})")
            if status in _TRANSIENT and retry and attempt < self.retries:
                attempt = self._pause(attempt, what, f"HTTP {status}")
                continue
            raise EndpointError(f"{_safe_url(url)} refused {what}: HTTP {status} {_server_message(response)}".rstrip())

    def _once(self, method, url, params, data, headers, timeout) -> Any:
        self.requests += 1
        started = time.perf_counter()
        response = self.session.request(
            method, url, params=params, data=data, headers=headers, auth=self.auth, timeout=timeout or self.timeout
        )
        log.debug(
            "%s %s: HTTP %s in %.2fs", method, _safe_url(url), response.status_code, time.perf_counter() - started
        )
        for sent in [*response.history, response]:
            body = sent.request.body
            self.bytes_sent += len(body) if body else 0
        return response

    def _pause(self, attempt: int, what: str, reason: str) -> int:
        delay = self.backoff * (2**attempt)
        log.info("%s: %s; retrying in %.1fs", what, reason, delay)
        time.sleep(delay)
        return attempt + 1


def _refused(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, ConnectionRefusedError) or "Connection refused" in str(seen):
            return True
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = seen.__cause__ or seen.__context__ or inner
    return False


def _auth_for(response: Any, user: str, password: str) -> Any:
    from requests.auth import HTTPBasicAuth, HTTPDigestAuth

    challenge = response.headers.get("WWW-Authenticate", "").lower()
    if "digest" in challenge:
        return HTTPDigestAuth(user, password)
    if "basic" in challenge or not challenge:
        return HTTPBasicAuth(user, password)
    return None


def _first_line(text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= 200 else line[:200] + "…"


def _server_message(response: Any) -> str:
    """The first meaningful line of an error body (HTML tags dropped), cut short."""
    text = re.sub(r"<[^>]+>", " ", response.text or "")
    text = _CONTROL.sub(" ", _first_line(text))
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------- push


@dataclass(frozen=True)
class PushReport:
    """What a push sent and how: `mode` is "full", "incremental" or "unchanged"."""

    endpoint: str
    graph: str
    mode: str
    triples: int  # in the published graph after the push (as pushed, duplicates removed)
    added: int
    removed: int
    chunks: int
    bytes_sent: int
    requests: int
    seconds: float
    notes: list[str] = field(default_factory=list)


@dataclass
class _Graph:
    """The built graph of an output folder: graph.ttl, its digest, its prefix lines and its parts."""

    path: Path
    sha256: str
    header: bytes
    parts: dict[str, list[int]] | None  # part name → [offset, length] in graph.ttl, where recorded
    triples: int | None = None  # distinct triples, where the build recorded them


def _built(out_dir: Path) -> _Graph:
    from kg.store import GRAPH_FILE, _sha256_file, store_marker

    path = out_dir / GRAPH_FILE
    if not path.is_file():
        raise NoGraphError(f"no graph in {out_dir}: run `kg build ARTICLES --out {out_dir}` first")
    marker = store_marker(out_dir)
    sha = (marker or {}).get("sha256") or _sha256_file(path)
    parts, triples = None, None
    try:
        record = json.loads((out_dir / ".kg-build.json").read_text(encoding="utf-8"))
        if isinstance(record, dict) and record.get("sha256") == sha and isinstance(record.get("parts"), dict):
            parts = {str(k): [int(v[0]), int(v[1])] for k, v in record["parts"].items()}
            triples = int(record["triples"]) if isinstance(record.get("triples"), int) else None
    except (OSError, ValueError, TypeError, IndexError):
        parts = None
    return _Graph(path, sha, _header(path, parts), parts, triples)


def _header(path: Path, parts: dict[str, list[int]] | None) -> bytes:
    """The `@prefix` lines that open graph.ttl (every part is written against them)."""
    if parts:
        start = min((offset for offset, length in parts.values() if length), default=0)
        with open(path, "rb") as fh:
            return fh.read(start)
    lines = []
    with open(path, "rb") as fh:
        for line in fh:
            if not line.startswith(b"@prefix "):
                break
            lines.append(line)
    return b"".join(lines)


def _state_graph(graph: str) -> str:
    return graph + ("#push" if "#" not in graph else "-push")


def _state_key(store_url: str, graph: str) -> str:
    return hashlib.sha256(f"{_safe_url(store_url)}\0{graph}".encode()).hexdigest()[:20]


class _Remembered:
    """What the last push of this output folder to one server and graph sent (`OUT/.kg-push/KEY.*`)."""

    def __init__(self, out_dir: Path, key: str) -> None:
        self.folder = out_dir / PUSH_DIR
        self.json_path = self.folder / f"{key}.json"
        self.ttl_path = self.folder / f"{key}.ttl"
        try:
            data = json.loads(self.json_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}

    def pending(self) -> list[str]:
        return [str(g) for g in self.data.get("pending", [])]

    def save(self, **changes: Any) -> None:
        from kg.store import atomic_write_text

        self.data.update(changes)
        atomic_write_text(self.json_path, json.dumps(self.data, sort_keys=True) + "\n")

    def keep_graph(self, graph: _Graph, digests: dict[str, str] | None) -> None:
        """Remember `graph` as the one now on the server (its file linked, not copied, where possible)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.ttl_path.with_name(f".{self.ttl_path.name}.tmp-{os.getpid()}")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        try:
            os.link(graph.path, tmp)
        except OSError:
            import shutil

            shutil.copyfile(graph.path, tmp)
        os.replace(tmp, self.ttl_path)
        self.save(sha256=graph.sha256, parts=graph.parts, digests=digests, pending=[])


def _part_digests(graph: _Graph) -> dict[str, str] | None:
    if graph.parts is None:
        return None
    digests = {}
    with open(graph.path, "rb") as fh:
        for name, (offset, length) in graph.parts.items():
            fh.seek(offset)
            digests[name] = hashlib.sha1(fh.read(length)).hexdigest()
    return digests


def push(
    out: str | os.PathLike[str] = "kg-out",
    endpoint: str = "",
    *,
    graph: str = GRAPH_IRI,
    user: str | None = None,
    password_env: str | None = None,
    update_endpoint: str | None = None,
    store_endpoint: str | None = None,
    full: bool = False,
    chunk_bytes: int = CHUNK_BYTES,
    retries: int = RETRIES,
    backoff: float = BACKOFF,
    timeout: float = TIMEOUT,
    on_chunk: Callable[[int, int], Any] | None = None,
) -> PushReport:
    """Load the graph built in `out` into the named graph `graph` of the SPARQL server at `endpoint`.

    Only what changed since the last push from `out` is sent when the server still holds that push
    (unless `full`); readers see the previous graph until one update switches to the new one.
    `on_chunk(done, total)` is called after each chunk is stored. Raises `EndpointError` with one
    line on refusal (credentials, HTTP 4xx, a server error) or when the server cannot be reached.
    """
    from kg.store import build_lock

    started = time.perf_counter()
    out_dir = Path(out)
    urls = endpoints(endpoint, update=update_endpoint, store=store_endpoint)
    _check_iri(graph)
    if not (out_dir / "graph.ttl").is_file():  # no graph: say so before anything else
        _built(out_dir)
    client = _Client(credentials(urls.query, user, password_env), retries=retries, backoff=backoff, timeout=timeout)
    try:
        with build_lock(out_dir):  # graph.ttl and the record stay as they are while they are sent
            built = _built(out_dir)
            remembered = _Remembered(out_dir, _state_key(urls.store, graph))
            job = _Push(client, urls, graph, built, remembered, chunk_bytes, on_chunk)
            mode, counts, notes = job.run(full)
    finally:
        client.close()
    return PushReport(
        endpoint=_safe_url(urls.query),
        graph=graph,
        mode=mode,
        triples=counts.get("triples", 0),
        added=counts.get("added", 0),
        removed=counts.get("removed", 0),
        chunks=counts.get("chunks", 0),
        bytes_sent=client.bytes_sent,
        requests=client.requests,
        seconds=round(time.perf_counter() - started, 3),
        notes=notes,
    )


def _check_iri(iri: str) -> None:
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|^`\\]*$", iri):
        raise EndpointError(f"not an absolute IRI: {iri!r}")


class _Push:
    """One push: find what the server holds, stage the triples, switch in one update."""

    def __init__(
        self,
        client: _Client,
        urls: Endpoints,
        graph: str,
        built: _Graph,
        remembered: _Remembered,
        chunk_bytes: int,
        on_chunk: Callable[[int, int], Any] | None,
    ) -> None:
        self.client, self.urls, self.graph, self.built = client, urls, graph, built
        self.remembered, self.chunk_bytes, self.on_chunk = remembered, max(1024, chunk_bytes), on_chunk
        self.state = _state_graph(graph)
        self.counts: dict[str, int] = {}

    def run(self, full: bool) -> tuple[str, dict[str, int], list[str]]:
        notes: list[str] = []
        on_server = self._server_sha()
        self._drop_leftovers()
        if on_server == self.built.sha256 and not full:
            self.counts["triples"] = int(self.remembered.data.get("triples", 0)) or _count_triples(self.built)
            return "unchanged", self.counts, ["the server already holds this graph"]
        previous = self.remembered.data
        incremental = (
            not full
            and on_server is not None
            and previous.get("sha256") == on_server
            and self.built.parts is not None
            and isinstance(previous.get("digests"), dict)
            and isinstance(previous.get("parts"), dict)
            and self.remembered.ttl_path.is_file()
        )
        if not full and not incremental:
            notes.append(
                "full push: "
                + (
                    "the server holds no graph pushed from here"
                    if on_server != previous.get("sha256") or on_server is None
                    else "no record of the graph's parts"
                )
            )
        digests = _part_digests(self.built)
        token = secrets.token_hex(8)
        staging = [f"urn:kg:staging:{token}:add", f"urn:kg:staging:{token}:remove"]
        self.remembered.save(pending=sorted({*self.remembered.pending(), *staging}))
        try:
            if incremental:
                self._incremental(staging, digests)
                mode = "incremental"
            else:
                self._full(staging[0])
                mode = "full"
        except BaseException:
            with contextlib.suppress(Exception):
                self._drop(staging, quick=True)
            raise
        self.remembered.keep_graph(self.built, digests)
        self.remembered.save(triples=self.counts.get("triples", 0))
        return mode, self.counts, notes

    # ------------------------------------------------------------------ server state

    def _server_sha(self) -> str | None:
        """The sha256 of the graph.ttl the state graph says the published graph holds (None: none)."""
        query = f"SELECT ?v WHERE {{ GRAPH <{self.state}> {{ <{self.graph}> <{_IDENTIFIER}> ?v }} }}"
        response = self.client.send(
            "POST",
            self.urls.query,
            what="a query",
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        values = [b.get("v", {}).get("value") for b in _json(response)["results"]["bindings"]]
        return values[0] if len(values) == 1 else None

    def _update(self, text: str, what: str, *, retry: bool = True, timeout: float | None = None) -> None:
        self.client.send(
            "POST",
            self.urls.update,
            what=what,
            data={"update": text},
            retry=retry,
            timeout=timeout,
            headers={"Accept": "application/sparql-results+json, */*;q=0.5"},
        )

    def _drop(self, graphs: Iterable[str], *, quick: bool = False) -> None:
        text = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)
        if text:
            if quick:  # on the way out of a failed push: one short try (the next push drops what is left)
                self.client.retries = 0
            self._update(text, "dropping staging graphs", timeout=10.0 if quick else None)

    def _drop_leftovers(self) -> None:
        """Staging graphs an interrupted push may have left on the server."""
        pending = self.remembered.pending()
        if pending:
            self._drop(pending)
            self.remembered.save(pending=[])

    def _switch(self, operations: list[str], what: str) -> None:
        """Publish in one update request (one transaction on the server): the `operations`, then the new state."""
        sha = self.built.sha256
        operations = [
            *operations,
            f"DROP SILENT GRAPH <{self.state}>",
            f'INSERT DATA {{ GRAPH <{self.state}> {{ <{self.graph}> <{_IDENTIFIER}> "{sha}" }} }}',
        ]
        text = " ;\n".join(operations)
        if self.urls.virtuoso:  # its endpoint commits row by row unless told otherwise
            text = "DEFINE sql:log-enable 1\n" + text
        # not retried once sent: a switch whose answer was lost may have happened (the next push sees it)
        self._update(text, what, retry=False, timeout=SWITCH_TIMEOUT)

    # ------------------------------------------------------------------ sending

    def _post(self, staging: str, body: bytes) -> None:
        self.client.send(
            "POST",
            self.urls.store,
            what="storing a chunk",
            params={"graph": staging},
            data=body,
            headers={"Content-Type": "text/turtle; charset=utf-8"},
        )
        self.counts["chunks"] = self.counts.get("chunks", 0) + 1

    def _send_chunks(self, staging: str, chunks: Iterator[bytes], total: int) -> None:
        done = 0
        for body in chunks:
            self._post(staging, body)
            done += len(body)
            if self.on_chunk is not None:
                self.on_chunk(done, total)

    def _full(self, staging: str) -> None:
        built = self.built
        total = built.path.stat().st_size
        self._send_chunks(staging, _file_chunks(built, self.chunk_bytes), total)
        self.counts["triples"] = self.counts["added"] = _count_triples(built)
        self._switch([f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{self.graph}>"], "switching to the new graph")

    def _incremental(self, staging: list[str], digests: dict[str, str] | None) -> None:
        added, removed = _delta(self.built, self.remembered, digests or {})
        prefixes = _prefixes_of(self.built.header)
        total = 0
        chunks = {}
        for name, quads in ((staging[0], added), (staging[1], removed)):
            chunks[name] = list(_quad_chunks(quads, prefixes, self.chunk_bytes))
            total += sum(len(c) for c in chunks[name])
        done = 0
        for name, bodies in chunks.items():
            for body in bodies:
                self._post(name, body)
                done += len(body)
                if self.on_chunk is not None:
                    self.on_chunk(done, total)
        operations = []
        if removed:
            operations.append(
                f"DELETE {{ GRAPH <{self.graph}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{staging[1]}> {{ ?s ?p ?o }} }}"
            )
        if added:
            operations.append(
                f"INSERT {{ GRAPH <{self.graph}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{staging[0]}> {{ ?s ?p ?o }} }}"
            )
        operations += [f"DROP SILENT GRAPH <{g}>" for g in staging]
        self._switch(operations, "applying the changes")
        self.counts.update(added=len(added), removed=len(removed), triples=_count_triples(self.built))


def _json(response: Any) -> dict[str, Any]:
    try:
        doc = response.json()
    except ValueError:
        raise EndpointError(f"{_safe_url(response.url)} did not answer with SPARQL JSON results") from None
    if not isinstance(doc, dict):
        raise EndpointError(f"{_safe_url(response.url)} did not answer with SPARQL JSON results")
    return doc


def _prefixes_of(header: bytes) -> dict[str, str]:
    prefixes = {}
    for line in header.decode("utf-8", "replace").splitlines():
        match = re.match(r"^@prefix ([A-Za-z][\w.\-]*)?: <([^>]*)> \.$", line)
        if match and match.group(1):
            prefixes[match.group(1)] = match.group(2)
    return prefixes


def _file_chunks(graph: _Graph, limit: int) -> Iterator[bytes]:
    """graph.ttl as Turtle documents of at most about `limit` bytes: its prefix lines, then whole
    parts; a part larger than `limit` is re-serialised in pieces; without parts, the file's triples."""
    import pyoxigraph as ox

    prefixes = _prefixes_of(graph.header)
    if graph.parts is None:
        quads = ox.parse(path=str(graph.path), format=ox.RdfFormat.TURTLE)
        yield from _quad_chunks(quads, prefixes, limit)
        return
    pieces: list[bytes] = []
    size = 0
    with open(graph.path, "rb") as fh:
        for offset, length in sorted(graph.parts.values()):
            if not length:
                continue
            fh.seek(offset)
            data = fh.read(length)
            if len(data) + len(graph.header) > limit:
                quads = ox.parse(graph.header + data, format=ox.RdfFormat.TURTLE)
                yield from _quad_chunks(quads, prefixes, limit)
                continue
            if pieces and size + len(data) + len(graph.header) > limit:
                yield graph.header + b"".join(pieces)
                pieces, size = [], 0
            pieces.append(data)
            size += len(data)
    if pieces:
        yield graph.header + b"".join(pieces)


def _quad_chunks(quads: Iterable[Any], prefixes: dict[str, str], limit: int) -> Iterator[bytes]:
    """Turtle documents of at most about `limit` bytes holding `quads` (in the default graph)."""
    import pyoxigraph as ox

    batch: list[Any] = []
    estimate = 0
    for quad in quads:
        triple = ox.Quad(quad.subject, quad.predicate, quad.object)
        batch.append(triple)
        estimate += len(str(triple))  # N-Triples length: an upper bound of its Turtle
        if estimate >= limit:
            yield ox.serialize(batch, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""
            batch, estimate = [], 0
    if batch:
        yield ox.serialize(batch, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""


def _count_triples(graph: _Graph) -> int:
    """The distinct triples of the built graph (the store's count where it holds graph.ttl)."""
    from kg.store import open_store

    if graph.triples is not None:
        return graph.triples
    store = open_store(graph.path.parent)
    try:
        return len(store)
    finally:
        del store


def _triples_of(header: bytes, chunks: Iterable[bytes]) -> set[Any]:
    import pyoxigraph as ox

    data = header + b"".join(chunks)
    return {ox.Quad(q.subject, q.predicate, q.object) for q in ox.parse(data, format=ox.RdfFormat.TURTLE)}


def _delta(built: _Graph, remembered: _Remembered, digests: dict[str, str]) -> tuple[list[Any], list[Any]]:
    """(added, removed) triples from the graph last pushed to the graph built now.

    Only the parts whose digest changed are parsed, in both files. A triple of an old part that is
    gone is removed only if no part of the new graph states it (facts are stated by every article
    that states them); a triple of a new part is added even if an unchanged part already had it,
    which changes nothing on the server.
    """
    from kg.store import open_store

    old_parts: dict[str, list[int]] = remembered.data["parts"]
    old_digests: dict[str, str] = remembered.data["digests"]
    new_parts = built.parts or {}
    changed_old = [n for n in old_parts if old_digests.get(n) != digests.get(n)]
    changed_new = [n for n in new_parts if old_digests.get(n) != digests.get(n)]
    with open(remembered.ttl_path, "rb") as fh:
        old_header = _header(remembered.ttl_path, old_parts)
        old_triples = _triples_of(old_header, _ranges(fh, [old_parts[n] for n in changed_old]))
    with open(built.path, "rb") as fh:
        new_triples = _triples_of(built.header, _ranges(fh, [new_parts[n] for n in changed_new]))
    added = sorted(new_triples - old_triples, key=str)
    store = open_store(built.path.parent)
    try:
        removed = sorted((t for t in old_triples - new_triples if t not in store), key=str)
    finally:
        del store
    return added, removed


def _ranges(fh: Any, ranges: Iterable[list[int]]) -> Iterator[bytes]:
    for offset, length in ranges:
        fh.seek(offset)
        yield fh.read(length)


# --------------------------------------------------------------------------- query


def query(
    text: str,
    endpoint: str,
    *,
    kind: str,
    prefixes: dict[str, str],
    graph: str | None = GRAPH_IRI,
    user: str | None = None,
    password_env: str | None = None,
    timeout: float | None = 30.0,
    update_endpoint: str | None = None,
) -> QueryResult:
    """Run a checked query or update (`kind`, from `kg.sparql.check_sparql`) on a SPARQL 1.1 server.

    The prefixes are declared for the server in front of the text (those it does not declare
    itself); a query reads `graph` as its default graph (None: the server's default graph).
    """
    from kg.sparql import QueryResult

    urls = endpoints(endpoint, update=update_endpoint)
    client = _Client(credentials(urls.query, user, password_env), retries=2, timeout=timeout or 3600.0)
    full_text = _with_prefixes(text, prefixes)
    try:
        if kind == "update":
            client.send("POST", urls.update, what="an update", data={"update": full_text}, retry=False)
            return QueryResult("update", prefixes=prefixes, message="update applied")
        data = {"query": full_text}
        if graph:
            data["default-graph-uri"] = graph
        accept = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
        try:
            response = client.send(
                "POST", urls.query, what="the query", data=data, headers={"Accept": accept}, retry=True
            )
        except EndpointError as exc:
            if "did not answer within" in str(exc):
                raise QueryError(
                    f"query timed out after {timeout:g}s at {_safe_url(urls.query)}; narrow it "
                    "(LIMIT, more specific patterns) or allow more time with a larger timeout"
                ) from None
            raise
    finally:
        client.close()
    return _result(response, prefixes)


def _with_prefixes(text: str, prefixes: dict[str, str]) -> str:
    declared = {m.lower() for m in re.findall(r"(?i)\bPREFIX\s+([A-Za-z][\w.\-]*|):", text)}
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in sorted(prefixes.items()) if p and p.lower() not in declared]
    return "\n".join([*lines, text])


def _result(response: Any, prefixes: dict[str, str]) -> QueryResult:
    """A `QueryResult` from a SPARQL JSON results or an N-Triples / Turtle answer."""
    from kg.sparql import QueryResult

    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type in ("application/n-triples", "text/plain", "text/turtle", "application/x-turtle"):
        import pyoxigraph as ox

        fmt = ox.RdfFormat.TURTLE if "turtle" in content_type else ox.RdfFormat.N_TRIPLES
        try:
            triples = [
                (_ox_term(t.subject), _ox_term(t.predicate), _ox_term(t.object))
                for t in ox.parse(response.content, format=fmt)
            ]
        except SyntaxError as exc:
            raise EndpointError(f"{_safe_url(response.url)} sent malformed RDF: {exc}") from None
        return QueryResult(
            "graph",
            variables=["subject", "predicate", "object"],
            bindings=list(triples),
            triples=triples,
            prefixes=prefixes,
        )
    doc = _json(response)
    if "boolean" in doc:
        return QueryResult("ask", boolean=bool(doc["boolean"]), prefixes=prefixes)
    variables = list(doc.get("head", {}).get("vars", []))
    rows = []
    for binding in doc.get("results", {}).get("bindings", []):
        rows.append(tuple(_json_term(binding.get(v)) for v in variables))
    return QueryResult("select", variables=variables, bindings=rows, prefixes=prefixes)


_PLAIN = ("http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")


def _json_term(value: dict[str, str] | None) -> Any:
    """A term of SPARQL JSON results; Virtuoso's older `typed-literal` is a literal."""
    from kg.sparql import Term

    if value is None:
        return None
    kind = value.get("type")
    if kind == "uri":
        return Term("uri", value["value"])
    if kind == "bnode":
        return Term("bnode", value["value"])
    if kind in ("literal", "typed-literal"):
        lang = value.get("xml:lang") or None
        datatype = value.get("datatype")
        if lang or datatype in _PLAIN:
            datatype = None
        return Term("literal", value["value"], datatype, lang)
    return Term("triple", json.dumps(value.get("value")))


def _ox_term(node: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal) -> Any:
    from kg.sparql import _term

    return _term(node)
