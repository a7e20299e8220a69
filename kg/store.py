"""Write the built graph to the output folder (graph.ttl + a query store) without ever losing the last one.

Every output is written under a temporary name in the output folder and moved into place with
`os.replace`, so an interrupted build leaves the previous `graph.ttl` and `store/` complete.
The graph comes in named parts (the entities, then each article): each part is written to
`graph.ttl` as Turtle and streamed into a new on-disk Oxigraph store. A later build changes a copy
of that store in place (`update_graph`) and writes `graph.ttl` anew from the parts that changed
and byte ranges of the previous file for those that did not, so the same parts always give
byte-identical files however the graph was built. `serialize_turtle` is a small sorted Turtle
writer for query results.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Literal, URIRef

from kg.errors import BuildError, BuildLockedError, NoGraphError

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib

log = logging.getLogger(__name__)

GRAPH_FILE = "graph.ttl"
STORE_DIR = "store"
LOCK_FILE = ".kg.lock"
STORE_MARKER = "KG-STORE.json"  # inside store/: which graph.ttl the store was loaded from

# `.graph.ttl.tmp-123`, `.store.old-123`, `.graph.html.tmp-123-ab12cd`: temporaries of process 123
_LEFTOVER = re.compile(r"^\..+\.(?:tmp|old)-(\d+)(?:-[0-9a-z]+)?$")
_STALE_WITHOUT_PID_CHECK = 24 * 3600.0  # seconds; only where liveness of a pid cannot be tested

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
# a conservative subset of Turtle's PN_LOCAL: ASCII name characters, no trailing '.'
_LOCAL_NAME = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_PREFIX_LINE = re.compile(r"^@prefix ([A-Za-z][\w.\-]*)?: <([^>]*)> \.$")
_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')


# --------------------------------------------------------------------------- atomic files


def _fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable (a no-op where directories cannot be opened)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temporary_beside(path: Path, data: bytes) -> Path:
    """Write `data` to a new temporary file beside `path` (a name `clean_leftovers` knows), fsynced;
    returns it, for the caller to move into place. Nothing is left behind if the write fails."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{os.urandom(3).hex()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temporary file in the same folder, fsync and `os.replace`."""
    path = Path(path)
    tmp = temporary_beside(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` (UTF-8, newlines as given) to `path` atomically; see `atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # unknowable without extra dependencies; callers fall back to the file's age
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(out_dir: Path) -> list[Path]:
    """Delete temporaries left in `out_dir` by builds that died; return what was removed."""
    out_dir = Path(out_dir)
    removed: list[Path] = []
    if not out_dir.is_dir():
        return removed
    now = time.time()
    for entry in sorted(out_dir.iterdir()):
        match = _LEFTOVER.match(entry.name)
        if not match:
            continue
        pid = int(match.group(1))
        if pid == os.getpid():
            continue  # ours: a write in progress in this process cleans up after itself
        if os.name == "posix":
            if _pid_alive(pid):
                continue
        else:
            with contextlib.suppress(OSError):
                if now - entry.stat().st_mtime < _STALE_WITHOUT_PID_CHECK:
                    continue
        _remove(entry)
        removed.append(entry)
        log.info("removed leftover %s of an interrupted build", entry)
    return removed


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


# --------------------------------------------------------------------------- lock


@contextlib.contextmanager
def build_lock(out_dir: Path) -> Iterator[Path]:
    """Hold an exclusive lock on `out_dir/.kg.lock` or raise `BuildLockedError` at once."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    lock_path = out_dir / LOCK_FILE
    try:
        import fcntl
    except ImportError:  # pragma: no cover - platforms without fcntl (Windows)
        with _exclusive_file_lock(lock_path, out_dir):
            yield lock_path
        return

    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLockedError(f"another kg build is writing to {out_dir}") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield lock_path
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _exclusive_file_lock(lock_path: Path, out_dir: Path) -> Iterator[None]:
    """Lock by creating the lock file exclusively (with our pid); a dead holder's file is taken over."""
    for attempt in range(2):
        try:
            fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            break
        except FileExistsError:
            try:
                holder = int(lock_path.read_text().strip() or "0")
            except (OSError, ValueError):
                holder = 0
            if attempt == 0 and holder and not _pid_alive(holder):
                with contextlib.suppress(FileNotFoundError):
                    lock_path.unlink()
                continue
            raise BuildLockedError(f"another kg build is writing to {out_dir}") from None
    else:  # pragma: no cover
        raise BuildLockedError(f"another kg build is writing to {out_dir}")
    try:
        os.write(fd, f"{os.getpid()}\n".encode())
        os.close(fd)
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock_path.unlink()


# --------------------------------------------------------------------------- deterministic Turtle


def _default_prefixes() -> dict[str, str]:
    """The project's prefixes (`kg.namespace.bind_prefixes`), and no others rdflib binds by default."""
    from rdflib import Graph

    from kg.namespace import PREFIXES, bind_prefixes

    ours = {*PREFIXES, "kge", "wd"}
    return {prefix: str(ns) for prefix, ns in bind_prefixes(Graph()).namespaces() if prefix in ours}


def _graph_prefixes(graph: rdflib.Graph) -> dict[str, str]:
    """The project's prefixes, overridden by the graph's own bindings (e.g. a configured `kge:` base)."""
    prefixes = _default_prefixes()
    defaults = {prefix: str(ns) for prefix, ns in type(graph)().namespaces()}
    for prefix, ns in graph.namespaces():
        if defaults.get(prefix) == str(ns):
            continue  # one of rdflib's own default bindings
        if prefix and re.fullmatch(r"[A-Za-z][\w\-]*", prefix):
            prefixes[prefix] = str(ns)
    return prefixes


class _TurtleWriter:
    """Turns rdflib terms into Turtle tokens, compacting IRIs with the longest usable prefix."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        # longest namespace first so e.g. `kge:` wins over a shorter enclosing namespace
        self._namespaces = sorted(((ns, p) for p, ns in prefixes.items()), key=lambda t: (-len(t[0]), t[1]))
        self.used: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        if _IRI_FORBIDDEN.search(iri):
            raise BuildError(f"cannot write IRI {iri!r}: it contains characters not allowed in IRIs")
        for ns, prefix in self._namespaces:
            if iri.startswith(ns) and _LOCAL_NAME.match(iri[len(ns) :]):
                self.used[prefix] = ns
                return f"{prefix}:{iri[len(ns) :]}"
        return f"<{iri}>"

    def term(self, node: Any) -> str:
        if isinstance(node, URIRef):
            return self.iri(str(node))
        if isinstance(node, Literal):
            text = '"' + _escape_string(str(node)) + '"'
            if node.language:
                return f"{text}@{node.language}"
            if node.datatype is not None:
                return f"{text}^^{self.iri(str(node.datatype))}"
            return text
        if isinstance(node, BNode):
            return "_:" + (re.sub(r"[^A-Za-z0-9_]", "_", str(node)) or "b")
        raise BuildError(f"cannot write {node!r} to Turtle")


def _escape_string(value: str) -> str:
    def escape(match: re.Match[str]) -> str:
        ch = match.group(0)
        return _STRING_ESCAPES.get(ch) or f"\\u{ord(ch):04X}"

    return _NEEDS_ESCAPE.sub(escape, value)


def _object_key(node: Any) -> tuple[int, str, str, str]:
    from rdflib import Literal, URIRef

    if isinstance(node, URIRef):
        return (0, str(node), "", "")
    if isinstance(node, Literal):
        return (1, str(node), str(node.datatype or ""), node.language or "")
    return (2, str(node), "", "")


def serialize_turtle(graph: rdflib.Graph) -> str:
    """Turtle for `graph` that depends only on its triples and prefix bindings (byte-stable).

    Subjects, predicates (`a` and `rdfs:label` first) and objects are sorted by their text; only
    prefixes that are used are declared. Blank nodes are written with their own ids.
    """
    writer = _TurtleWriter(_graph_prefixes(graph))
    by_subject: dict[Any, dict[Any, list[Any]]] = {}
    for s, p, o in graph.triples((None, None, None)):
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)

    def predicate_key(p: Any) -> tuple[int, str]:
        return ({_RDF_TYPE: 0, _RDFS_LABEL: 1}.get(str(p), 2), str(p))

    blocks: list[str] = []
    for subject in sorted(by_subject, key=_object_key):
        lines = []
        for predicate in sorted(by_subject[subject], key=predicate_key):
            verb = "a" if str(predicate) == _RDF_TYPE else writer.iri(str(predicate))
            objects = [writer.term(o) for o in sorted(by_subject[subject][predicate], key=_object_key)]
            lines.append(f"    {verb} " + " ,\n        ".join(objects))
        blocks.append(writer.term(subject) + "\n" + " ;\n".join(lines) + " .\n")

    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(writer.used.items()))
    return header + ("\n" if header and blocks else "") + "\n".join(blocks)


def read_prefixes(ttl_path: Path) -> dict[str, str]:
    """The `@prefix` declarations at the head of a `graph.ttl` written by `serialize_turtle`."""
    prefixes: dict[str, str] = {}
    with open(ttl_path, encoding="utf-8") as fh:
        for line in fh:
            match = _PREFIX_LINE.match(line.rstrip("\n"))
            if not match:
                break
            if match.group(1):
                prefixes[match.group(1)] = match.group(2)
    return prefixes


# --------------------------------------------------------------------------- writing


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def quads_of(graph: rdflib.Graph) -> Iterator[pyoxigraph.Quad]:
    """pyoxigraph quads (in the default graph) of an rdflib graph's triples."""
    import pyoxigraph

    def term(node: Any) -> Any:
        if isinstance(node, URIRef):
            value = str(node)
            if _IRI_FORBIDDEN.search(value):
                raise BuildError(f"cannot write IRI {value!r}: it contains characters not allowed in IRIs")
            return pyoxigraph.NamedNode(value)
        if isinstance(node, Literal):
            if node.language:
                return pyoxigraph.Literal(str(node), language=node.language)
            if node.datatype is not None:
                return pyoxigraph.Literal(str(node), datatype=pyoxigraph.NamedNode(str(node.datatype)))
            return pyoxigraph.Literal(str(node))
        if isinstance(node, BNode):
            return pyoxigraph.BlankNode(re.sub(r"[^A-Za-z0-9_]", "_", str(node)) or "b")
        raise BuildError(f"cannot write {node!r} to the graph")

    for s, p, o in graph.triples((None, None, None)):
        yield pyoxigraph.Quad(term(s), term(p), term(o))


def _build_store(store_tmp: Path, ttl_path: Path, marker: dict[str, Any]) -> None:
    """Bulk-load `ttl_path` into a new on-disk pyoxigraph store at `store_tmp` (a store lost or stale)."""
    import pyoxigraph

    store = pyoxigraph.Store(str(store_tmp))
    try:
        store.bulk_load(path=str(ttl_path), format=pyoxigraph.RdfFormat.TURTLE)
        store.flush()
    except SyntaxError as exc:
        raise BuildError(f"the query store rejected {ttl_path.name}: {exc}") from exc
    finally:
        del store  # closes the database
    atomic_write_text(store_tmp / STORE_MARKER, json.dumps(marker, indent=2, sort_keys=True) + "\n")


class _TurtleOut:
    """graph.ttl being written: the prefixes, then named parts one after the other, each part's
    place in the file remembered so that a later build can copy the parts that did not change."""

    def __init__(self, path: Path, prefixes: dict[str, str]):
        import pyoxigraph

        self.prefixes = prefixes
        probe = pyoxigraph.Quad(pyoxigraph.NamedNode("urn:x"), pyoxigraph.NamedNode("urn:y"), pyoxigraph.Literal(""))
        lines = (
            pyoxigraph.serialize([probe], format=pyoxigraph.RdfFormat.TURTLE, prefixes=prefixes) or b""
        ).splitlines(True)
        self.header = b"".join(line for line in lines if line.startswith(b"@prefix "))
        self.fh = open(path, "wb")  # noqa: SIM115 - closed by `close`
        self.sha256 = hashlib.sha256()
        self.offset = 0
        self.parts: dict[str, list[int]] = {}
        self._write(self.header)

    def _write(self, data: bytes) -> None:
        self.fh.write(data)
        self.sha256.update(data)
        self.offset += len(data)

    def add(self, name: str, quads: list[pyoxigraph.Quad]) -> None:
        """Write part `name`: `quads` as Turtle (nothing for no quads)."""
        import pyoxigraph

        data = (
            (pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.TURTLE, prefixes=self.prefixes) or b"")
            if quads
            else b""
        )
        if data:
            if not data.startswith(self.header):
                raise BuildError("the Turtle writer changed its prefix lines")
            data = data[len(self.header) :] + b"\n"
        self.parts[name] = [self.offset, len(data)]
        self._write(data)

    def copy(self, name: str, source: Any, offset: int, length: int) -> None:
        """Write part `name` as the `length` bytes at `offset` of the open file `source`."""
        source.seek(offset)
        data = source.read(length)
        if len(data) != length:
            raise BuildError("graph.ttl is shorter than its build record says")
        self.parts[name] = [self.offset, length]
        self._write(data)

    def close(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()


def _size(store_dir: Path) -> int:
    """The number of triples in the finished store at `store_dir`."""
    store = read_store(store_dir)
    try:
        return len(store)
    finally:
        del store


LOAD_BATCH = 100_000  # quads bulk-loaded into the store at a time: bounds the loader's memory


def _fill_store(store_tmp: Path, out: _TurtleOut, parts: Iterable[tuple[str, list[pyoxigraph.Quad]]]) -> None:
    """Write every part to graph.ttl and bulk-load it into a new on-disk store."""
    import pyoxigraph

    store = pyoxigraph.Store(str(store_tmp))
    try:
        batch: list[pyoxigraph.Quad] = []
        for name, quads in parts:
            out.add(name, quads)
            batch += quads
            if len(batch) >= LOAD_BATCH:
                store.bulk_extend(batch)
                batch = []
        if batch:
            store.bulk_extend(batch)
        store.flush()
    except (ValueError, SyntaxError) as exc:
        raise BuildError(f"the query store rejected a triple: {exc}") from exc
    finally:
        del store  # closes the database


def _install_store(out_dir: Path, store_tmp: Path) -> None:
    """Move a complete store into `out_dir/store`: old aside, new in, old deleted."""
    pid = os.getpid()
    target = out_dir / STORE_DIR
    old = out_dir / f".{STORE_DIR}.old-{pid}"
    if target.exists():
        os.replace(target, old)
    os.replace(store_tmp, target)
    _fsync_dir(out_dir)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def _marker_for(ttl_path: Path, sha256: str, prefixes: dict[str, str]) -> dict[str, Any]:
    st = ttl_path.stat()
    return {
        "graph": GRAPH_FILE,
        "sha256": sha256,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "prefixes": prefixes,
    }


def write_graph(
    graph: Any, out_dir: Path, prefixes: dict[str, str] | None = None, finish: Any = None
) -> dict[str, Any]:
    """Write `out_dir/graph.ttl` and `out_dir/store/` for `graph`, replacing the previous ones atomically.

    `graph` is an rdflib graph (its prefix bindings are used; its triples are written sorted) or an
    iterable of named parts, `(name, pyoxigraph quads)`, streamed to graph.ttl in that order and
    into the store (`prefixes` then name the prefixes of graph.ttl; the project's by default).
    Returns counts, sizes (bytes), timings (seconds) and where each part lies in graph.ttl
    (`parts`: name → [offset, length]). If anything fails, the previous outputs are untouched and
    this call's temporaries are removed. `finish` writes further outputs before the swap (see
    `_replace_outputs`).
    """
    if hasattr(graph, "namespaces"):
        prefixes = prefixes or _graph_prefixes(graph)
        graph = [("", sorted(quads_of(graph), key=str))]
    prefixes = prefixes or _default_prefixes()
    return _replace_outputs(Path(out_dir), prefixes, lambda store_tmp, out: _fill_store(store_tmp, out, graph), finish)


def update_graph(
    out_dir: Path, changes: Any, parts: Iterable[tuple[str, Any]], old: Any, finish: Any = None
) -> dict[str, Any] | None:
    """Change the current graph of `out_dir` in place of rewriting it.

    A copy of the store has the removals of `changes` (a `kg.graph.Changes`, see `remove_from`)
    applied and `changes.added` added; graph.ttl is written anew from `parts` in order, each
    `(name, quads)`, or `(name, None)` for a part copied from the current graph.ttl, where
    `old[name]` is its [offset, length]. Both then replace the
    current ones as in `write_graph`. Returns None, writing nothing, when the store does not hold
    the current graph.ttl (the caller writes the whole graph then).
    """
    out_dir = Path(out_dir)
    marker = store_marker(out_dir)
    if marker is None:
        return None
    prefixes = dict(marker.get("prefixes") or _default_prefixes())

    def fill(store_tmp: Path, out: _TurtleOut) -> None:
        import pyoxigraph

        with open(out_dir / GRAPH_FILE, "rb") as previous:
            for name, quads in parts:
                if quads is None:
                    out.copy(name, previous, *old[name])
                else:
                    out.add(name, quads)
        store_tmp.rmdir()  # a backup makes its own folder
        source = pyoxigraph.Store(str(out_dir / STORE_DIR))
        try:
            source.backup(str(store_tmp))  # hard links to the immutable files: cheap at any size
        finally:
            del source
        store = pyoxigraph.Store(str(store_tmp))
        try:
            remove_from(store, changes)
            store.extend(changes.added)
            store.flush()
        finally:
            del store

    return _replace_outputs(out_dir, prefixes, fill, finish)


def remove_from(store: pyoxigraph.Store, removals: Any) -> None:
    """Take out of `store` every triple of `removals.subjects`, the `removals.descriptions` of entities
    (the predicates of `kg.graph.DESCRIPTION`) and the single `removals.triples`."""
    from .graph import DESCRIPTION

    doomed: list[pyoxigraph.Quad] = []
    for subject in removals.subjects:
        doomed += store.quads_for_pattern(subject, None, None)
    for entity in removals.descriptions:
        for predicate in DESCRIPTION:
            doomed += store.quads_for_pattern(entity, predicate, None)
    doomed += removals.triples
    for quad in doomed:
        store.remove(quad)


def _replace_outputs(out_dir: Path, prefixes: dict[str, str], fill: Any, finish: Any = None) -> dict[str, Any]:
    """Write graph.ttl and fill a new store with `fill(store_tmp, turtle_out)`, then swap both into place.

    `finish(store_tmp, stats)`, if given, is called once the new store is complete and closed, before
    anything is swapped in: it writes further outputs made from the new graph (the page, the build
    record) under temporary names and returns (temporary, final path) pairs, moved into place right
    after graph.ttl and the store. Every write that can fail (a full disk) thus happens while the
    previous outputs are all still in place; what follows is renames only.
    """
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out_dir)
    pid = os.getpid()
    ttl_tmp = out_dir / f".{GRAPH_FILE}.tmp-{pid}"
    store_tmp = out_dir / f".{STORE_DIR}.tmp-{pid}"
    for stale in (ttl_tmp, store_tmp):
        _remove(stale)
    moves: list[tuple[Path, Path]] = []
    try:
        store_tmp.mkdir()
        out = _TurtleOut(ttl_tmp, prefixes)
        try:
            fill(store_tmp, out)
        finally:
            out.close()
        marker = _marker_for(ttl_tmp, out.sha256.hexdigest(), prefixes)
        atomic_write_text(store_tmp / STORE_MARKER, json.dumps(marker, indent=2, sort_keys=True) + "\n")
        stats = {
            "triples": _size(store_tmp),
            "graph_path": str(out_dir / GRAPH_FILE),
            "graph_bytes": marker["size"],
            "store_path": str(out_dir / STORE_DIR),
            "store_bytes": _dir_size(store_tmp),
            "sha256": marker["sha256"],
            "parts": out.parts,
            "seconds": round(time.perf_counter() - started, 4),
        }
        if finish is not None:
            moves = list(finish(store_tmp, stats))

        # graph.ttl first (it is the truth); a store left from the previous graph is detected by
        # its marker and bypassed by readers until the store is swapped in a moment later.
        os.replace(ttl_tmp, out_dir / GRAPH_FILE)
        _fsync_dir(out_dir)
        _install_store(out_dir, store_tmp)
        for tmp, final in moves:
            os.replace(tmp, final)
        if moves:
            _fsync_dir(out_dir)
    except BaseException:
        for tmp in (ttl_tmp, store_tmp, *(tmp for tmp, _ in moves)):
            _remove(tmp)
        raise
    log.info("wrote %s triples to %s (%.2fs)", stats["triples"], out_dir, stats["seconds"])
    return stats


# --------------------------------------------------------------------------- reading


def _no_graph(out_dir: Path) -> NoGraphError:
    return NoGraphError(f"no graph in {out_dir}: run `kg build ARTICLES --out {out_dir}` first")


def load_graph(out_dir: Path) -> rdflib.Graph:
    """Parse `out_dir/graph.ttl` into an rdflib graph with the project's prefixes bound."""
    from rdflib import Graph

    from kg.namespace import bind_prefixes

    out_dir = Path(out_dir)
    path = out_dir / GRAPH_FILE
    if not path.is_file():
        raise _no_graph(out_dir)
    graph = bind_prefixes(Graph())
    graph.parse(path, format="turtle")
    return graph


def store_marker(out_dir: Path) -> dict[str, Any] | None:
    """The marker of `out_dir/store` if that store was loaded from the current graph.ttl, else None."""
    out_dir = Path(out_dir)
    try:
        marker = json.loads((out_dir / STORE_DIR / STORE_MARKER).read_text(encoding="utf-8"))
        st = (out_dir / GRAPH_FILE).stat()
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("size") != st.st_size:
        return None
    if marker.get("mtime_ns") == st.st_mtime_ns:
        return marker
    # copied folders lose mtimes: confirm by content
    digest = hashlib.sha256((out_dir / GRAPH_FILE).read_bytes()).hexdigest()
    return marker if digest == marker.get("sha256") else None


def graph_prefixes(out_dir: Path) -> dict[str, str]:
    """Prefixes declared by the built graph (e.g. `kge:`), from the store marker or graph.ttl."""
    out_dir = Path(out_dir)
    marker = store_marker(out_dir)
    if marker and isinstance(marker.get("prefixes"), dict):
        return dict(marker["prefixes"])
    try:
        return read_prefixes(out_dir / GRAPH_FILE)
    except (OSError, UnicodeDecodeError):
        return {}


def _memory_store(out_dir: Path) -> pyoxigraph.Store:
    import pyoxigraph

    path = out_dir / GRAPH_FILE
    if not path.is_file():
        raise _no_graph(out_dir)
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    return store


def read_store(store_dir: Path) -> pyoxigraph.Store:
    """The store in `store_dir`, opened read-only where this pyoxigraph can."""
    import pyoxigraph

    opener = getattr(pyoxigraph.Store, "read_only", None) or pyoxigraph.Store
    return opener(str(store_dir))


def open_store(out_dir: Path, *, read_only: bool = True) -> pyoxigraph.Store:
    """Open the query store of `out_dir`.

    Read-only opens `store/` when it holds the current graph.ttl, else loads graph.ttl into memory.
    Writable (`read_only=False`) first rebuilds `store/` from graph.ttl if it is missing or stale;
    the caller should hold `build_lock(out_dir)`.
    """
    import pyoxigraph

    out_dir = Path(out_dir)
    store_path = out_dir / STORE_DIR
    current = store_marker(out_dir) is not None
    if read_only:
        if current:
            try:
                return read_store(store_path)
            except OSError as exc:
                log.warning("cannot open %s (%s); reading %s instead", store_path, exc, GRAPH_FILE)
        elif store_path.exists():
            log.warning("%s does not match %s; reading %s instead", store_path, GRAPH_FILE, GRAPH_FILE)
        return _memory_store(out_dir)

    ttl_path = out_dir / GRAPH_FILE
    if not ttl_path.is_file():
        raise _no_graph(out_dir)
    if not current:
        log.warning("rebuilding %s from %s", store_path, GRAPH_FILE)
        clean_leftovers(out_dir)
        store_tmp = out_dir / f".{STORE_DIR}.tmp-{os.getpid()}"
        _remove(store_tmp)
        try:
            store_tmp.mkdir()
            _build_store(store_tmp, ttl_path, _marker_for(ttl_path, _sha256_file(ttl_path), read_prefixes(ttl_path)))
            _install_store(out_dir, store_tmp)
        except BaseException:
            _remove(store_tmp)
            raise
    return pyoxigraph.Store(str(store_path))
