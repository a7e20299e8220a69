"""SPARQL over the built graph: read-only by default, bounded in time, results in several formats.

Queries run on the pyoxigraph store in `kg-out/store/` (never re-parsing Turtle). Before anything
runs, the text is parsed with rdflib's SPARQL grammar: updates are refused unless asked for,
`SERVICE` is always refused, and unknown prefixes are reported by name.

With a `timeout` (default 30 s) the query runs in a child process that is terminated when the time
is up: pyoxigraph evaluates in native code that a thread cannot interrupt, and an aggregate or
ORDER BY over a cartesian product yields nothing until it is done. The child is forked when this
process has a single OS thread (a few milliseconds; the usual case for `kg query`), otherwise it is
a fresh interpreter (tens of milliseconds). `timeout=None` runs in this process, unbounded.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from kg.errors import NoGraphError, QueryError
from kg.system import fork_is_safe

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
DEFAULT_WIDTH = 60  # table cells longer than this are cut with "…"
FORMATS = ("table", "csv", "tsv", "json", "turtle")

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# Turtle/SPARQL local names: ASCII name characters and %XX escapes, no trailing '.'
_LOCAL_NAME = re.compile(
    r"^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:(?:[A-Za-z0-9_.\-]|%[0-9A-Fa-f]{2})*"
    r"(?:[A-Za-z0-9_\-]|%[0-9A-Fa-f]{2}))?$"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Term(NamedTuple):
    """One RDF term of a result, in the vocabulary of the SPARQL 1.1 JSON results format."""

    type: str  # "uri" | "literal" | "bnode" | "triple"
    value: str
    datatype: str | None = None  # None for simple (xsd:string) and language-tagged literals
    lang: str | None = None


Row = tuple[Term | None, ...]


def compact(iri: str, prefixes: dict[str, str]) -> str:
    """`kge:deepseek` for an IRI under a known namespace (longest one wins), else the IRI itself."""
    best = ""
    name = iri
    for prefix, ns in prefixes.items():
        if len(ns) > len(best) and iri.startswith(ns) and _LOCAL_NAME.match(iri[len(ns) :]):
            best, name = ns, f"{prefix}:{iri[len(ns) :]}"
    return name


def _plain(term: Term | None, prefixes: dict[str, str]) -> str | None:
    if term is None:
        return None
    if term.type == "uri":
        return compact(term.value, prefixes)
    if term.type == "bnode":
        return f"_:{term.value}"
    return term.value


@dataclass(frozen=True)
class QueryResult:
    """The answer to one query: rows of a SELECT, the boolean of an ASK or the triples of a graph.

    Graph results (CONSTRUCT/DESCRIBE) also fill `variables` (subject, predicate, object) and
    `rows`, so every tabular format works for them.
    """

    kind: str  # "select" | "ask" | "graph" | "update"
    variables: list[str] = field(default_factory=list)
    bindings: list[Row] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)
    message: str = ""

    @cached_property
    def rows(self) -> list[tuple[str | None, ...]]:
        """Plain strings: IRIs compacted with the graph's prefixes, literals as their lexical value."""
        return [tuple(_plain(t, self.prefixes) for t in row) for row in self.bindings]

    def to_format(self, fmt: str, *, width: int = DEFAULT_WIDTH) -> str:
        """Render as `table`, `csv`, `tsv`, `json` (SPARQL 1.1 results) or `turtle` (graph results)."""
        try:
            formatter = _FORMATTERS[fmt]
        except KeyError:
            raise QueryError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
        return formatter(self, width)


# --------------------------------------------------------------------------- formats


def _display_width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: str | None, width: int) -> str:
    """One table cell: no line breaks or terminal control characters, cut to `width` columns."""
    if value is None:
        return ""
    text = value.replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵").replace("\t", " ")
    text = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)
    if _display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = _display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))


def _as_table(result: QueryResult, width: int) -> str:
    if result.kind == "ask":
        return ("true" if result.boolean else "false") + "\n"
    if result.kind == "update":
        return result.message + "\n"
    header = [_cell(v, width) for v in result.variables]
    body = [[_cell(v, width) for v in row] for row in result.rows]
    widths = [max([_display_width(h)] + [_display_width(r[i]) for r in body]) for i, h in enumerate(header)]
    lines = [
        "  ".join(_pad(c, w) for c, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
        *("  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body),
    ]
    n = len(body)
    noun = "triple" if result.kind == "graph" else "row"
    lines.append(f"({n} {noun}{'' if n == 1 else 's'})")
    return "\n".join(lines) + "\n"


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if term.type == "bnode" else term.value


def _as_csv(result: QueryResult, width: int) -> str:
    """SPARQL 1.1 CSV: full IRIs, lexical values of literals, CRLF line ends."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
    elif result.kind == "update":
        writer.writerow(["message"])
        writer.writerow([result.message])
    else:
        writer.writerow(result.variables)
        writer.writerows([_csv_value(t) for t in row] for row in result.bindings)
    return buf.getvalue()


def _nt_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def _nt_term(term: Term | None) -> str:
    """A term in N-Triples/SPARQL syntax (as SPARQL 1.1 TSV writes it)."""
    if term is None:
        return ""
    if term.type == "uri":
        return f"<{term.value}>"
    if term.type == "bnode":
        return f"_:{term.value}"
    if term.type == "triple":
        return term.value
    text = f'"{_nt_string(term.value)}"'
    if term.lang:
        return f"{text}@{term.lang}"
    return f"{text}^^<{term.datatype}>" if term.datatype else text


def _as_tsv(result: QueryResult, width: int) -> str:
    """SPARQL 1.1 TSV: `?var` header, terms in SPARQL syntax."""
    if result.kind == "ask":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    if result.kind == "update":
        return "?message\n" + _nt_string(result.message) + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join(_nt_term(t) for t in row) for row in result.bindings]
    return "\n".join(lines) + "\n"


def _json_term(term: Term) -> dict[str, str]:
    out = {"type": term.type, "value": term.value}
    if term.lang:
        out["xml:lang"] = term.lang
    elif term.datatype:
        out["datatype"] = term.datatype
    return out


def _as_json(result: QueryResult, width: int) -> str:
    """SPARQL 1.1 JSON results (graph results as bindings of subject, predicate, object)."""
    if result.kind == "ask":
        doc: dict[str, Any] = {"head": {}, "boolean": bool(result.boolean)}
    elif result.kind == "update":
        doc = {"head": {}, "message": result.message}
    else:
        bindings = [
            {v: _json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.bindings
        ]
        doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _as_turtle(result: QueryResult, width: int) -> str:
    if result.kind != "graph":
        raise QueryError(
            f"turtle output needs a CONSTRUCT or DESCRIBE query; this is {result.kind.upper()}: "
            "use table, csv, tsv or json"
        )
    from rdflib import BNode, Graph, Literal, Namespace, URIRef

    from kg.namespace import bind_prefixes
    from kg.store import serialize_turtle

    def node(term: Term) -> Any:
        if term.type == "uri":
            return URIRef(term.value)
        if term.type == "bnode":
            return BNode(term.value)
        if term.type == "literal":
            return Literal(term.value, lang=term.lang, datatype=term.datatype)
        raise QueryError("turtle output cannot hold quoted triples; use tsv or json")

    graph = bind_prefixes(Graph())
    for prefix, ns in result.prefixes.items():
        graph.bind(prefix, Namespace(ns), override=True)
    for s, p, o in result.triples:
        graph.add((node(s), node(p), node(o)))
    return serialize_turtle(graph)


_FORMATTERS: dict[str, Callable[[QueryResult, int], str]] = {
    "table": _as_table,
    "csv": _as_csv,
    "tsv": _as_tsv,
    "json": _as_json,
    "turtle": _as_turtle,
}


# --------------------------------------------------------------------------- checking


def _query_text(sparql: str | os.PathLike[str]) -> str:
    """The query itself, read from a file when `sparql` names an existing file (e.g. `q.rq`)."""
    if isinstance(sparql, os.PathLike):
        return Path(sparql).read_text(encoding="utf-8")
    if "\n" not in sparql and "{" not in sparql and len(sparql) < 4096:
        try:
            path = Path(sparql).expanduser()
            if path.is_file():
                return path.read_text(encoding="utf-8")
        except (OSError, ValueError):
            pass
    return sparql


def _walk(node: Any) -> Iterable[Any]:
    """Every node of an rdflib SPARQL parse tree (CompValue / ParseResults / lists)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, CompValue):
            stack.extend(item.values())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, ParseResults)):
            stack.extend(item)


def _syntax_error(text: str, err: Any) -> QueryError:
    line_no, col = int(getattr(err, "lineno", 1)), int(getattr(err, "col", 1))
    lines = text.splitlines() or [""]
    line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    msg = getattr(err, "msg", None) or str(err)
    return QueryError(f"malformed SPARQL at line {line_no}, column {col}: {msg}\n    {line}\n    {' ' * (col - 1)}^")


def check_sparql(text: str, predeclared: Iterable[str] = ()) -> str:
    """Parse `text` and return "query" or "update"; raise `QueryError` if it is malformed or refused.

    Refuses `SERVICE` anywhere and prefixed names whose prefix is neither declared in the text nor
    in `predeclared`. Whether an update may run is the caller's decision.
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    if not text.strip():
        raise QueryError("empty query")
    try:
        tree: Any = parseQuery(text)
        kind = "query"
    except ParseBaseException as query_err:
        try:
            tree = parseUpdate(text)
        except ParseBaseException as update_err:
            furthest = update_err if update_err.loc > query_err.loc else query_err
            raise _syntax_error(text, furthest) from None
        if not tree.get("request"):  # only a prologue (or comments): not an update either
            raise _syntax_error(text, query_err) from None
        kind = "update"
    except Exception as exc:  # rdflib raises a few plain errors (e.g. bad escapes) while parsing
        raise QueryError(f"malformed SPARQL: {exc}") from None

    declared, used = set(predeclared), set()
    for node in _walk(tree):
        if not isinstance(node, CompValue):
            continue
        if node.name == "ServiceGraphPattern":
            raise QueryError("SERVICE (federated query) is refused: kg queries only the local graph")
        if node.name == "PrefixDecl":
            declared.add(node.get("prefix") or "")
        elif node.name == "pname":
            used.add(node.get("prefix") or "")
    unknown = sorted(used - declared)
    if unknown:
        raise QueryError(
            f"unknown prefix {unknown[0]}: — declare it (PREFIX {unknown[0]}: <...>) or use one of "
            + ", ".join(f"{p}:" for p in sorted(p for p in predeclared if p))
        )
    return kind


def predeclared_prefixes(out_dir: str | Path) -> dict[str, str]:
    """Prefixes every query may use without declaring them: the project's and the graph's (`kge:`…)."""
    from kg.namespace import ENTITY_BASE, PREFIXES, WIKIDATA
    from kg.store import graph_prefixes

    prefixes = {"kge": ENTITY_BASE, "wd": str(WIKIDATA)}
    prefixes.update(graph_prefixes(Path(out_dir)))
    prefixes.update({p: str(ns) for p, ns in PREFIXES.items()})
    return prefixes


# --------------------------------------------------------------------------- running


def _term(value: Any) -> Term | None:
    import pyoxigraph as ox

    if value is None:
        return None
    if isinstance(value, ox.NamedNode):
        return Term("uri", value.value)
    if isinstance(value, ox.BlankNode):
        return Term("bnode", value.value)
    if isinstance(value, ox.Literal):
        datatype = value.datatype.value
        if value.language or datatype in (_XSD_STRING, _RDF_LANG_STRING):
            return Term("literal", value.value, None, value.language or None)
        return Term("literal", value.value, datatype)
    return Term("triple", str(value))


def _execute(out_dir: str, text: str, kind: str, prefixes: dict[str, str]) -> QueryResult:
    """Run a checked query (read-only store) or update (writable store) and collect the answer."""
    import pyoxigraph as ox

    from kg.store import open_store

    if kind == "update":
        store = open_store(Path(out_dir), read_only=False)
        before = len(store)
        store.update(text, prefixes=prefixes)
        store.flush()
        after = len(store)
        del store
        return QueryResult("update", prefixes=prefixes, message=f"update applied: {before} → {after} triples")

    store = open_store(Path(out_dir), read_only=True)
    answer = store.query(text, prefixes=prefixes)
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(answer), prefixes=prefixes)
    if isinstance(answer, ox.QueryTriples):
        triples = [(_term(t.subject), _term(t.predicate), _term(t.object)) for t in answer]
        return QueryResult(
            "graph",
            variables=["subject", "predicate", "object"],
            bindings=list(triples),  # type: ignore[arg-type]
            triples=triples,  # type: ignore[arg-type]
            prefixes=prefixes,
        )
    variables = [v.value for v in answer.variables]
    bindings = [tuple(_term(solution[v]) for v in variables) for solution in answer]
    return QueryResult("select", variables=variables, bindings=bindings, prefixes=prefixes)


def _outcome(args: tuple[str, str, str, dict[str, str]]) -> tuple[str, Any]:
    """("ok", result) or (error kind, message): the same report in-process and from a child."""
    try:
        return ("ok", _execute(*args))
    except NoGraphError as exc:
        return ("nograph", str(exc))
    except QueryError as exc:
        return ("error", str(exc))
    except SyntaxError as exc:
        return ("error", _engine_message(exc))
    except Exception as exc:  # engine and I/O errors become one QueryError for the user
        return ("error", f"the query failed: {type(exc).__name__}: {exc}")


def _unwrap(outcome: tuple[str, Any]) -> QueryResult:
    status, payload = outcome
    if status == "nograph":
        raise NoGraphError(payload)
    if status != "ok":
        raise QueryError(payload)
    return payload


def _child(conn: Any, args: tuple[str, str, str, dict[str, str]]) -> None:
    """Entry point of the child process: run the query and send back its outcome."""
    try:
        conn.send(_outcome(args))
    finally:
        conn.close()


def _engine_message(exc: BaseException) -> str:
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return "SPARQL error: " + (first if len(first) <= 300 else first[:300] + "…")


def _run_forked(args: tuple[str, str, str, dict[str, str]], timeout: float) -> QueryResult:
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(sender, args), name="kg-query", daemon=True)
    try:
        proc.start()
    except (AssertionError, OSError) as exc:  # e.g. inside a daemonic worker process
        receiver.close()
        sender.close()
        log.warning("cannot fork a query process (%s); starting a new interpreter", exc)
        return _run_subprocess(args, timeout)
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise _timed_out(timeout)
        outcome = receiver.recv()
    except EOFError:
        proc.join(5)
        raise QueryError(f"the query process ended without an answer (exit code {proc.exitcode})") from None
    finally:
        receiver.close()
        if proc.is_alive():
            proc.terminate()
            proc.join(2)
            if proc.is_alive():
                proc.kill()
        proc.join()
    return _unwrap(outcome)


def _serve() -> None:
    """Entry point of a query interpreter: pickled arguments on stdin, pickled outcome on stdout."""
    import pickle
    import sys

    args = pickle.load(sys.stdin.buffer)
    sys.stdout.buffer.write(pickle.dumps(_outcome(args), protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.flush()


def _run_subprocess(args: tuple[str, str, str, dict[str, str]], timeout: float) -> QueryResult:
    """Run in a fresh interpreter (no inherited threads, no re-import of `__main__`)."""
    import pickle
    import subprocess
    import sys

    root = str(Path(__file__).resolve().parent.parent)  # the folder that holds the `kg` package
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kg.sparql import _serve; _serve()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        out, err = proc.communicate(pickle.dumps(args), timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise _timed_out(timeout) from None
    except BaseException:
        proc.kill()
        proc.communicate()
        raise
    if proc.returncode != 0 or not out:
        detail = err.decode("utf-8", "replace").strip().splitlines()
        raise QueryError(
            f"the query process failed (exit code {proc.returncode})" + (f": {detail[-1]}" if detail else "")
        )
    return _unwrap(pickle.loads(out))


def _timed_out(timeout: float) -> QueryError:
    return QueryError(
        f"query timed out after {timeout:g}s; narrow it (LIMIT, more specific patterns) "
        "or allow more time with a larger timeout"
    )


def _run_bounded(args: tuple[str, str, str, dict[str, str]], timeout: float) -> QueryResult:
    """Run in a child process that is killed after `timeout` seconds."""
    if fork_is_safe():
        return _run_forked(args, timeout)
    return _run_subprocess(args, timeout)


def query(
    sparql: str | os.PathLike[str],
    out_dir: str | Path = "kg-out",
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    allow_update: bool = False,
    endpoint: str | None = None,
    **remote: Any,
) -> QueryResult:
    """Run SPARQL (the text, or the path of a `.rq` file) on the graph built in `out_dir`.

    The prefixes kg rdf rdfs owl skos prov dcterms xsd (and the graph's own, e.g. kge wd) are
    predeclared. Updates are refused unless `allow_update`; they then change `store/` only (the
    next build replaces it). `timeout` in seconds bounds the run (None: unbounded, in-process).
    With `endpoint`, the same checks apply and the query runs on that SPARQL 1.1 server instead
    (`remote`: `graph`, `user`, `password_env`, `update_endpoint` of `kg.remote.query`).
    """
    out_dir = Path(out_dir)
    text = _query_text(sparql)
    if endpoint:
        return _query_endpoint(text, endpoint, out_dir, timeout=timeout, allow_update=allow_update, **remote)
    if not (out_dir / "graph.ttl").is_file() and not (out_dir / "store").is_dir():
        raise NoGraphError(f"no graph in {out_dir}: run `kg build ARTICLES --out {out_dir}` first")
    prefixes = predeclared_prefixes(out_dir)
    kind = check_sparql(text, prefixes)
    if kind == "update" and not allow_update:
        raise QueryError("updates are refused; pass --allow-update to modify the store")
    args = (str(out_dir), text, kind, prefixes)

    def run() -> QueryResult:
        return _unwrap(_outcome(args)) if timeout is None else _run_bounded(args, timeout)

    if kind != "update":
        return run()
    from kg.store import build_lock

    with build_lock(out_dir):
        return run()


def _query_endpoint(
    text: str, endpoint: str, out_dir: Path, *, timeout: float | None, allow_update: bool, **remote: Any
) -> QueryResult:
    """`query` on a SPARQL 1.1 server: the same prefixes, refusals and timeout, then `kg.remote.query`."""
    from kg.remote import query as remote_query

    prefixes = predeclared_prefixes(out_dir)
    kind = check_sparql(text, prefixes)
    if kind == "update" and not allow_update:
        raise QueryError("updates are refused; pass --allow-update to modify the graph on the server")
    return remote_query(text, endpoint, kind=kind, prefixes=prefixes, timeout=timeout, **remote)
