"""`kg push`, `kg query --endpoint` and `kg serve` against real SPARQL 1.1 servers.

`.ci/servers.sh` starts Virtuoso 7 and Oxigraph's server on 127.0.0.1 and exports their
endpoints: KG_TEST_VIRTUOSO (with KG_TEST_VIRTUOSO_USER, KG_TEST_VIRTUOSO_PASSWORD) and
KG_TEST_OXIGRAPH. A server not named there is skipped with the reason. The behaviour that needs
no real server (retries, refusals, credentials never shown) is tested against a small local
HTTP server made here.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import threading
import urllib.request
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
import kg.remote
from kg.cli import cli
from kg.errors import EndpointError, QueryError, ServeError
from kg.remote import push

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "articles"
PASSWORD_VAR = "KG_TEST_SERVER_PASSWORD"
CHANGED = "banco-da-china-1-trilhao-yuans.pt.md"
FACTS = """SELECT ?s ?label ?o WHERE { ?s kg:investsIn ?o . ?s rdfs:label ?label }"""
EVERYTHING = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


def _server(name: str) -> dict[str, str]:
    url = os.environ.get(f"KG_TEST_{name.upper()}")
    if not url:
        pytest.skip(f"no {name} server: KG_TEST_{name.upper()} is not set (.ci/servers.sh start sets it)")
    if not _answers(url):
        pytest.skip(f"no {name} server answers at KG_TEST_{name.upper()}={url}")
    server = {"name": name, "endpoint": url}
    if os.environ.get(f"KG_TEST_{name.upper()}_USER"):
        server["user"] = os.environ[f"KG_TEST_{name.upper()}_USER"]
        server["password"] = os.environ.get(f"KG_TEST_{name.upper()}_PASSWORD", "")
    return server


@functools.cache
def _answers(url: str) -> bool:
    """Whether anything listens at the host and port of `url`."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=5):
            return True
    except OSError:
        return False


@pytest.fixture(params=["virtuoso", "oxigraph"])
def server(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    found = _server(request.param)
    if "password" in found:
        monkeypatch.setenv(PASSWORD_VAR, found["password"])
    return found


def _auth(server: dict[str, str]) -> dict[str, str]:
    return {"user": server["user"], "password_env": PASSWORD_VAR} if "user" in server else {}


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("remote") / "articles"
    shutil.copytree(EXAMPLES, folder)
    return folder


@pytest.fixture(scope="module")
def built_once(articles: Path) -> Path:
    out = articles.parent / "out"
    kg.build([articles], out)
    return out


@pytest.fixture()
def built(built_once: Path, articles: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the built examples (output folder, articles) that a test may change."""
    src, out = tmp_path / "articles", tmp_path / "out"
    shutil.copytree(articles, src)
    shutil.copytree(built_once, out)
    kg.build([src], out)  # the copied record names the module's articles: this makes it this folder's
    return out, src


def _graph() -> str:
    return f"urn:kg:test:{uuid.uuid4().hex}"


def _remote(server: dict[str, str], out: Path, sparql: str, graph: str) -> set[tuple]:
    result = kg.query(sparql, out, endpoint=server["endpoint"], graph=graph, timeout=60, **_auth(server))
    return set(result.rows)


def _local(out: Path, sparql: str) -> set[tuple]:
    return set(kg.query(sparql, out, timeout=None).rows)


def _change_one_article(src: Path, out: Path) -> None:
    with open(src / CHANGED, "a", encoding="utf-8") as fh:
        fh.write("\nA Nvidia vai investir US$ 3 bilhões na Mistral, disse a empresa.\n")
    report = kg.build([src], out)
    assert any("updated in place" in note for note in report.notes), report.notes


# --------------------------------------------------------------------------- real servers


def test_a_full_push_answers_as_the_local_graph(server: dict[str, str], built: tuple[Path, Path]) -> None:
    out, _ = built
    graph = _graph()
    report = push(out, server["endpoint"], graph=graph, **_auth(server))
    assert report.mode == "full" and report.chunks >= 1 and report.bytes_sent > 0
    assert _remote(server, out, FACTS, graph) == _local(out, FACTS) != set()
    assert _remote(server, out, EVERYTHING, graph) == _local(out, EVERYTHING)
    assert report.triples == len(_local(out, EVERYTHING))
    again = push(out, server["endpoint"], graph=graph, **_auth(server))
    assert again.mode == "unchanged" and again.chunks == 0


def test_the_command_line_gives_the_same_output_from_a_server(server: dict[str, str], built: tuple[Path, Path]) -> None:
    out, _ = built
    graph = _graph()
    auth = ["--user", server["user"], "--password-env", PASSWORD_VAR] if "user" in server else []
    runner = CliRunner()
    pushed = runner.invoke(cli, ["push", "--out", str(out), "--endpoint", server["endpoint"], "--graph", graph, *auth])
    assert pushed.exit_code == 0, pushed.output
    assert f"full push to <{graph}>" in pushed.output
    assert "password" not in server or server["password"] not in pushed.output
    ordered = FACTS + " ORDER BY ?s ?o ?label"
    for fmt in ("table", "csv", "tsv", "json"):
        local = runner.invoke(cli, ["query", ordered, "--out", str(out), "--format", fmt])
        remote = runner.invoke(
            cli,
            [
                "query",
                ordered,
                "--out",
                str(out),
                "--format",
                fmt,
                "--endpoint",
                server["endpoint"],
                "--graph",
                graph,
                *auth,
            ],
        )
        assert remote.exit_code == 0, remote.output
        assert remote.output == local.output, fmt


def test_a_push_without_a_record_of_the_parts_is_whole(server: dict[str, str], built: tuple[Path, Path]) -> None:
    out, src = built
    graph = _graph()
    kg.build([src], out, cache=False)
    push(out, server["endpoint"], graph=graph, **_auth(server))
    (src / CHANGED).unlink()
    kg.build([src], out, cache=False)
    again = push(out, server["endpoint"], graph=graph, **_auth(server))
    assert again.mode == "full" and any("no record" in note for note in again.notes)
    assert _remote(server, out, EVERYTHING, graph) == _local(out, EVERYTHING)


def test_an_incremental_push_sends_only_the_change(server: dict[str, str], built: tuple[Path, Path]) -> None:
    out, src = built
    graph = _graph()
    first = push(out, server["endpoint"], graph=graph, **_auth(server))
    before = _local(out, EVERYTHING)
    _change_one_article(src, out)
    second = push(out, server["endpoint"], graph=graph, **_auth(server))
    after = _local(out, EVERYTHING)
    assert second.mode == "incremental"
    assert second.added >= len(after - before) > 0 and second.removed == len(before - after)
    assert second.bytes_sent * 10 < first.bytes_sent
    assert _remote(server, out, EVERYTHING, graph) == after
    (src / CHANGED).unlink()  # an article gone: its triples go, the facts others state stay
    kg.build([src], out)
    third = push(out, server["endpoint"], graph=graph, **_auth(server))
    assert third.mode == "incremental" and third.removed > 0
    assert _remote(server, out, EVERYTHING, graph) == _local(out, EVERYTHING)


def test_an_interrupted_push_leaves_the_published_graph(server: dict[str, str], built: tuple[Path, Path]) -> None:
    out, src = built
    graph = _graph()
    push(out, server["endpoint"], graph=graph, **_auth(server))
    published = _local(out, EVERYTHING)
    _change_one_article(src, out)
    sent: list[int] = []

    def stop_midway(done: int, total: int) -> None:
        sent.append(done)
        if len(sent) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        push(out, server["endpoint"], graph=graph, full=True, chunk_bytes=20_000, on_chunk=stop_midway, **_auth(server))
    assert len(sent) == 2
    assert _remote(server, out, EVERYTHING, graph) == published
    staging = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'urn:kg:staging:')) }"
    assert not kg.query(staging, out, endpoint=server["endpoint"], graph=None, **_auth(server)).rows
    resumed = push(out, server["endpoint"], graph=graph, **_auth(server))
    assert resumed.mode == "incremental"
    assert _remote(server, out, EVERYTHING, graph) == _local(out, EVERYTHING)


def test_wrong_credentials_are_one_line_and_never_shown(
    server: dict[str, str], built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    if "user" not in server:
        pytest.skip(f"the {server['name']} test server has no authentication")
    out, _ = built
    secret = "not-the-password-" + uuid.uuid4().hex[:8]
    monkeypatch.setenv(PASSWORD_VAR, secret)
    args = ["push", "--out", str(out), "--endpoint", server["endpoint"], "--graph", _graph()]
    result = CliRunner().invoke(cli, [*args, "--user", server["user"], "--password-env", PASSWORD_VAR])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
    assert "wrong user or password" in result.output
    assert secret not in result.output and server["password"] not in result.output


def test_a_server_that_is_down(server: dict[str, str], built: tuple[Path, Path]) -> None:
    out, _ = built
    port = _closed_port()
    endpoint = server["endpoint"].replace(server["endpoint"].split("/")[2], f"127.0.0.1:{port}")
    with pytest.raises(EndpointError, match="cannot reach .* connection refused"):
        push(out, endpoint, graph=_graph(), retries=2, backoff=0.01, **_auth(server))
    result = CliRunner().invoke(cli, ["query", "ASK {}", "--out", str(out), "--endpoint", endpoint])
    assert result.exit_code == 1 and "cannot reach" in result.output and "Traceback" not in result.output


def test_a_remote_update_needs_allow_update(server: dict[str, str], built: tuple[Path, Path]) -> None:
    out, _ = built
    graph = _graph()
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ kge:x rdfs:label 'x' }} }}"
    with pytest.raises(QueryError, match="updates are refused"):
        kg.query(update, out, endpoint=server["endpoint"], graph=graph, **_auth(server))
    kg.query(update, out, endpoint=server["endpoint"], graph=graph, allow_update=True, **_auth(server))
    assert _remote(server, out, "SELECT ?l WHERE { kge:x rdfs:label ?l }", graph) == {("x",)}


# --------------------------------------------------------------------------- kg serve


def test_serve_answers_as_the_local_graph_with_the_page(built: tuple[Path, Path]) -> None:
    out, _ = built
    try:
        server = kg.serve(out, "127.0.0.1:0")
    except ServeError as exc:
        pytest.skip(str(exc))
    with server:
        assert server.url.startswith("http://127.0.0.1:")
        for graph in (None, kg.remote.GRAPH_IRI):  # by default `kg query --endpoint` names the pushed graph
            served = kg.query(FACTS, out, endpoint=server.query_url, graph=graph)
            assert set(served.rows) == _local(out, FACTS) != set()
        with urllib.request.urlopen(server.url) as page:
            assert page.read() == (out / "graph.html").read_bytes()
        with pytest.raises(EndpointError, match="HTTP 40[45]"):
            kg.query("INSERT DATA { kge:x rdfs:label 'x' }", out, endpoint=server.query_url, allow_update=True)
        assert kg.query("ASK { kge:x ?p ?o }", out, endpoint=server.query_url, graph=None).boolean is False


def test_serve_takes_up_a_new_build(built: tuple[Path, Path]) -> None:
    out, src = built
    try:
        server = kg.serve(out, "127.0.0.1:0")
    except ServeError as exc:
        pytest.skip(str(exc))
    with server:
        assert not server.refresh()  # nothing new
        before = set(kg.query(EVERYTHING, out, endpoint=server.query_url).rows)
        _change_one_article(src, out)
        assert server.refresh()
        after = set(kg.query(EVERYTHING, out, endpoint=server.query_url).rows)
        assert after == _local(out, EVERYTHING) != before


def test_kg_serve_runs_until_stopped(built: tuple[Path, Path]) -> None:
    import signal
    import subprocess
    import sys

    from kg.server import _oxigraph

    try:
        _oxigraph()
    except ServeError as exc:
        pytest.skip(str(exc))
    out, _ = built
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--out", str(out), "--bind", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline() if proc.stdout else ""
        assert first.startswith("page:   http://127.0.0.1:"), first + (proc.stderr.read() if proc.stderr else "")
        url = first.split()[-1]
        with urllib.request.urlopen(url + "graph.ttl") as answer:
            assert answer.read() == (out / "graph.ttl").read_bytes()
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_serve_binds_to_loopback_by_default() -> None:
    from kg.server import DEFAULT_BIND, is_loopback, parse_bind

    assert is_loopback(parse_bind(DEFAULT_BIND)[0])
    assert not is_loopback(parse_bind("0.0.0.0:7878")[0])
    assert parse_bind("8000") == ("127.0.0.1", 8000) and parse_bind("[::1]:80") == ("::1", 80)


# --------------------------------------------------------------------------- a fake server


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Scripted(http.server.BaseHTTPRequestHandler):
    """Answers each request with the next status of `script` (the last one repeats)."""

    script: list[int] = []
    seen: list[tuple[str, str | None]] = []

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        type(self).seen.append((self.command, self.headers.get("Authorization")))
        status = self.script[min(len(self.seen) - 1, len(self.script) - 1)]
        body = b'{"head": {"vars": ["v"]}, "results": {"bindings": []}}' if status == 200 else b"<h1>nope</h1>"
        self.send_response(status)
        if status == 401:
            self.send_header("WWW-Authenticate", 'Digest realm="test", nonce="abc", qop="auth"')
        self.send_header("Content-Type", "application/sparql-results+json" if status == 200 else "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer


@pytest.fixture()
def fake():
    def start(script: list[int]) -> str:
        handler = type("Handler", (_Scripted,), {"script": script, "seen": []})
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        start.handler = handler  # type: ignore[attr-defined]
        return f"http://127.0.0.1:{httpd.server_address[1]}/query"

    servers: list[http.server.ThreadingHTTPServer] = []
    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def test_transient_failures_are_retried_with_backoff(fake, built: tuple[Path, Path]) -> None:
    out, _ = built
    url = fake([503, 502, 200])
    result = kg.query("SELECT ?v WHERE { ?v ?p ?o }", out, endpoint=url)
    assert result.kind == "select" and len(fake.handler.seen) == 3


def test_other_refusals_are_one_line_and_not_retried(fake, built: tuple[Path, Path]) -> None:
    out, _ = built
    url = fake([400])
    result = CliRunner().invoke(cli, ["push", "--out", str(out), "--endpoint", url])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "refused a query: HTTP 400 nope" in result.output
    assert len(fake.handler.seen) == 1


def test_a_password_is_sent_only_as_the_server_asks_and_never_printed(
    fake, built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _ = built
    monkeypatch.setenv(PASSWORD_VAR, "s3cret-pw")
    url = fake([401])
    result = CliRunner().invoke(
        cli, ["query", "ASK {}", "--out", str(out), "--endpoint", url, "--user", "u", "--password-env", PASSWORD_VAR]
    )
    assert result.exit_code == 1 and "wrong user or password (HTTP 401)" in result.output
    assert "s3cret-pw" not in result.output
    first, *later = fake.handler.seen
    assert first[1] is None and any(auth and auth.startswith("Digest ") for _, auth in later)


def test_passwords_never_come_from_the_command_line(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    out, _ = built
    result = CliRunner().invoke(cli, ["push", "--out", str(out), "--endpoint", "http://u:pw@127.0.0.1:1/query"])
    assert result.exit_code == 1 and "a password in the URL is refused" in result.output
    assert "pw@" not in result.output
    result = CliRunner().invoke(cli, ["push", "--password", "x", "--endpoint", "http://127.0.0.1:1/query"])
    assert result.exit_code == 2
    monkeypatch.delenv("KG_NO_SUCH_VARIABLE", raising=False)
    result = CliRunner().invoke(
        cli,
        [
            "push",
            "--out",
            str(out),
            "--endpoint",
            "http://127.0.0.1:1/query",
            "--user",
            "u",
            "--password-env",
            "KG_NO_SUCH_VARIABLE",
        ],
    )
    assert result.exit_code == 1 and "KG_NO_SUCH_VARIABLE is not set" in result.output


def test_the_password_can_come_from_a_netrc_file(fake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.remote import credentials

    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login reader password from-netrc\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    assert credentials("http://127.0.0.1:9/query") == ("reader", "from-netrc")
    assert credentials("http://127.0.0.1:9/query", "someone-else") is None
    assert credentials("http://other.example/query") is None


def test_remote_queries_keep_the_local_refusals(built: tuple[Path, Path]) -> None:
    out, _ = built
    url = f"http://127.0.0.1:{_closed_port()}/query"
    with pytest.raises(QueryError, match="SERVICE"):
        kg.query("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", out, endpoint=url)
    with pytest.raises(QueryError, match="updates are refused"):
        kg.query("CLEAR ALL", out, endpoint=url)
    with pytest.raises(QueryError, match="unknown prefix"):
        kg.query("SELECT * WHERE { ?s nope:x ?o }", out, endpoint=url)


def test_endpoint_layouts() -> None:
    from kg.remote import endpoints

    virtuoso = endpoints("http://h:8890/sparql-auth")
    assert (virtuoso.update, virtuoso.store) == ("http://h:8890/sparql-auth", "http://h:8890/sparql-graph-crud-auth")
    oxigraph = endpoints("http://h:7878/query")
    assert (oxigraph.update, oxigraph.store) == ("http://h:7878/update", "http://h:7878/store")
    fuseki = endpoints("http://h:3030/ds")
    assert fuseki.query == fuseki.update == fuseki.store == "http://h:3030/ds"
    assert endpoints("http://h/ds", store="http://h/ds/data").store == "http://h/ds/data"


@pytest.mark.parametrize("limit", [5_000, 60_000])
def test_the_graph_goes_in_bounded_chunks_that_hold_it_whole(built: tuple[Path, Path], limit: int) -> None:
    import pyoxigraph as ox

    from kg.remote import _built, _file_chunks

    out, _ = built
    graph = _built(out)
    assert graph.parts, "the build recorded its parts"
    chunks = list(_file_chunks(graph, limit))
    assert len(chunks) > 1
    longest_triple = 2_000  # an evidence sentence and its IRIs
    assert all(len(chunk) <= limit + len(graph.header) + longest_triple for chunk in chunks)
    sent = {t for chunk in chunks for t in ox.parse(chunk, format=ox.RdfFormat.TURTLE)}
    assert sent == set(ox.parse(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE))
