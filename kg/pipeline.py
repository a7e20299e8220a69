"""`kg.build`: read → analyse → link → extract → RDF → store and page, one article at a time."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import extract, link
from .analyse import analyse
from .errors import BuildError, InputError, OutputError
from .ontology import Ontology
from .ontology import load as load_ontology
from .read import SUPPORTED_LANGUAGES, pipeline_language, read_articles
from .records import Article, ArticleResult, Skipped, Unchanged
from .system import fork_is_safe

log = logging.getLogger(__name__)

DEFAULT_OUT = "kg-out"
DEFAULT_ARTICLE_TIMEOUT = 60.0
"""Seconds one article's analysis may take before it is skipped (a 1 MB article takes about 5 s)."""
PIPELINE_VERSION = "1"  # bump when extraction changes what it yields for the same text


@dataclass
class BuildReport:
    """What a build read, skipped, found and wrote, and how long each stage took."""

    out: str
    articles: int = 0
    languages: Counter = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. unsupported languages processed anyway
    entities_by_type: dict[str, int] = field(default_factory=dict)
    facts_by_relation: dict[str, int] = field(default_factory=dict)
    triples: int = 0
    graph_path: str = ""
    page_path: str = ""
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def entities(self) -> int:
        return sum(self.entities_by_type.values())

    @property
    def facts(self) -> int:
        return sum(self.facts_by_relation.values())


def process_article(
    article: Article, ontology: Sequence[str] = (), model: str | None = None, extractor: str | None = None
) -> ArticleResult:
    """Analyse one article and extract its mentions and facts (a pure function of text, ontology and models).

    `model` names a spaCy model package or saved pipeline whose entities add candidates ("auto": the
    language's small model where installed; None: no model). `extractor` is the folder of a trained
    extractor (see `kg.extract.resolve_extractor`); None: the patterns alone decide.
    """
    return _process(article, ontology, model, extractor)


def _process(article: Article, ontology: Sequence[str], model: str | None, extractor: str | None) -> ArticleResult:
    lang = pipeline_language(article.lang) or "en"
    kb = load_ontology(tuple(str(p) for p in ontology))
    doc = analyse(article.document, lang, ontology, model, extract.typer_of(extractor))
    mentions = link.mentions(doc, kb)
    decider = extract.load_extractor(extractor) if extractor else None
    found = extract.facts(doc, mentions, kb, lang, article.id, article.published, decider)
    return ArticleResult(article=article, mentions=tuple(mentions), facts=tuple(found))


def build(
    paths: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str] = DEFAULT_OUT,
    *,
    ontology: Sequence[str | os.PathLike[str]] = (),
    max_nodes: int | None = 2000,
    strict: bool = False,
    on_article: Callable[[Article | Skipped], Any] | None = None,
    jobs: int = 1,
    cache: bool = True,
    on_stage: Callable[[str], Any] | None = None,
    model: str | None = "auto",
    extractor: str | os.PathLike[str] | None = "default",
    article_timeout: float | None = DEFAULT_ARTICLE_TIMEOUT,
    cluster: str | None = None,
) -> BuildReport:
    """Build the knowledge graph of every article under `paths` into the folder `out`.

    Writes `out/graph.ttl` (and the query store beside it) and `out/graph.html`. A file that
    cannot be read, or an article whose analysis fails, is reported in `BuildReport.skipped`
    and the build goes on; with `strict=True` any skipped article fails the build instead.
    Outputs are replaced atomically: a failed build leaves the previous ones intact.

    `jobs` processes analyse the articles (0: one per core); the output does not depend on it.
    With `cache`, each article's result is kept in `out/cache/` and reused while the article, the
    ontology and the versions of `kg` and its pipeline are unchanged. `on_article` is called with
    each article (or skipped input) once it is processed, in input order; `on_stage` with the name
    of each stage that follows ("graph": the store and graph.ttl, "page"). `model` is a spaCy model for names the
    knowledge base lacks (see `process_article`); `kg` needs none. `extractor` is the trained model that
    decides the facts: "default" (the one shipped with `kg`), a folder made by `kg train`, or "none"
    for the patterns alone. An article whose analysis takes longer than `article_timeout` seconds is skipped
    with that reason (None or 0: no limit). `cluster`, the address of a Dask scheduler, sends the
    analysis to its workers instead of `jobs` processes (`kg.cluster`).
    """
    from .store import build_lock

    if cluster and jobs != 1:
        raise InputError("--jobs and --cluster exclude each other: the cluster's workers analyse the articles")
    out_dir = Path(out)
    ontology_paths = tuple(str(p) for p in ontology)
    report = BuildReport(out=str(out_dir))
    started = time.perf_counter()
    kb = load_ontology(ontology_paths)
    from .analyse import resolve_model

    models = {lang: resolve_model(model, lang) for lang in SUPPORTED_LANGUAGES}  # fails early if missing
    chosen = extract.resolve_extractor(extractor)  # fails early for a missing or corrupt model
    settings = (ontology_paths, model, chosen)
    report.seconds["ontology"] = time.perf_counter() - started

    paths = list(paths)
    read_articles(paths)  # raises InputError for a missing path before anything runs
    with _output_errors(out_dir):
        out_dir.mkdir(parents=True, exist_ok=True)
        with build_lock(out_dir):
            from .store import clean_leftovers

            clean_leftovers(out_dir)  # what a killed build left behind, even if nothing else is written now
            article_cache = None
            if cache:
                from .cache import ArticleCache, cache_salt

                used_models = ",".join(f"{lang}={name}" for lang, name in sorted(models.items()) if name)
                decider = extract.digest(chosen)
                article_cache = ArticleCache(
                    out_dir, cache_salt(PIPELINE_VERSION, f"{kb.version}|models={used_models}|extractor={decider}")
                )
            timeout = article_timeout or 0.0
            job = _Build(paths, out_dir, kb, settings, max_nodes, strict, report, article_cache, timeout, cluster)
            with _fewer_collections():
                try:
                    job.run(on_article, on_stage, _job_count(jobs), reuse_files=article_cache is not None)
                except _Reread:  # a cached result the last build relied on is gone: read everything again
                    job.report = report = BuildReport(
                        out=str(out_dir), seconds={"ontology": report.seconds["ontology"]}
                    )
                    job.run(on_article, on_stage, _job_count(jobs), reuse_files=False)
    report.seconds["total"] = time.perf_counter() - started
    return report


@contextlib.contextmanager
def _output_errors(out_dir: Path) -> Iterator[None]:
    """Turn an OSError of the output side (a full disk, a folder that cannot be written, a file in the
    way) into an `OutputError` of one line naming the path and the cause."""
    import errno

    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTDIR) and out_dir.exists() and not out_dir.is_dir():
            raise OutputError(f"cannot write the output to {out_dir}: it is a file, not a folder") from None
        causes = {
            errno.ENOSPC: "no space left on device",
            errno.EDQUOT: "disk quota exceeded",
            errno.EACCES: "permission denied",
            errno.EPERM: "permission denied",
            errno.EROFS: "read-only file system",
        }
        cause = causes.get(exc.errno or 0, exc.strerror or str(exc))
        where = exc.filename or out_dir
        raise OutputError(f"cannot write {where}: {cause}; the previous graph in {out_dir} is unchanged") from None


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector, less often while a build makes millions of small objects
    (none of them in cycles): what is alive at the start is set aside, collections come later."""
    import gc

    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


class _Reread(Exception):
    """An unread article's cached result is missing: the build must read its inputs again."""


@dataclass
class _Build:
    """One build inside the output folder's lock: read, analyse, then write the graph and the page."""

    paths: list[Any]
    out_dir: Path
    kb: Ontology
    settings: Settings
    max_nodes: int | None
    strict: bool
    report: BuildReport
    cache: Any
    timeout: float = 0.0
    cluster: str | None = None

    def run(self, on_article: Any, on_stage: Any, jobs: int, *, reuse_files: bool) -> None:

        report, cache, out_dir = self.report, self.cache, self.out_dir
        record = _read_record(out_dir) if cache is not None else {}
        files = _Files(record.get("files", {}) if reuse_files and record.get("salt") == cache.salt else {})
        sources = read_articles(self.paths, unchanged=files)
        entries = _process_all(
            sources,
            self.settings,
            report,
            on_article,
            cache=cache,
            jobs=jobs,
            keep_results=not reuse_files,
            timeout=self.timeout,
            cluster=self.cluster,
        )
        if self.strict and report.skipped:
            first = report.skipped[0]
            raise BuildError(
                f"{len(report.skipped)} input(s) skipped in strict mode; first: {first.path}: {first.reason}"
            )
        if not entries:
            reasons = "; ".join(f"{s.path}: {s.reason}" for s in report.skipped[:3])
            raise BuildError("no article could be read" + (f" ({reasons})" if reasons else ""))

        used_keys = {entry.key for entry in entries if entry.key}
        digest = _outputs_digest(used_keys, report, self.max_nodes) if cache is not None else ""
        if digest and _up_to_date(out_dir, digest, report, record):
            _prune(cache, used_keys, report)
            if record.get("files") != (recorded := files.record(entries, report.skipped)):
                _record_outputs(out_dir, {**record, "files": recorded})
            return  # same articles, same results, same settings: the outputs are already these

        _stage(on_stage, "graph")
        t = time.perf_counter()
        page_seconds = 0.0

        def finish(store_tmp: Path, written: dict[str, Any], index: Any, layout: Any, keys: dict[str, str]):
            """The page and the build record of the new graph, under temporary names: written from
            the new store before anything is swapped in, so that a full disk leaves the previous
            outputs all in place."""
            nonlocal page_seconds
            from .graph import Statements
            from .store import read_store

            entries[:] = [replace(e, result=None) for e in entries]  # written: let the results go
            _stage(on_stage, "page")
            started = time.perf_counter()
            reader = read_store(store_tmp)
            try:
                page, counts = _write_page(reader, out_dir / "graph.html", self.max_nodes, Statements(index, layout))
            finally:
                del reader
            moves = [(page, out_dir / "graph.html")]
            report.entities_by_type = {k: v for k, v in counts["entities_by_type"].items() if v}
            report.facts_by_relation = {k: v for k, v in counts["facts_by_relation"].items() if v}
            page_seconds = time.perf_counter() - started
            if digest:
                record = {
                    "format": RECORD_FORMAT,
                    "digest": digest,
                    "sha256": written["sha256"],
                    "triples": written["triples"],
                    "entities_by_type": report.entities_by_type,
                    "facts_by_relation": report.facts_by_relation,
                    "salt": cache.salt,
                    "articles": dict(sorted(keys.items())),
                    "index": index.to_json(),
                    "parts": written["parts"],
                    "files": files.record(entries, report.skipped),
                }
                try:
                    moves.append((_record_temporary(out_dir, record), out_dir / BUILD_RECORD))
                except BaseException:
                    page.unlink(missing_ok=True)
                    raise
            return moves

        _write_graph(out_dir, entries, self.kb, cache, report, record, finish)
        report.page_path = str(out_dir / "graph.html")
        report.seconds["page"] = page_seconds
        report.seconds["graph"] = time.perf_counter() - t - report.seconds.get("store", 0.0) - page_seconds
        _prune(cache, used_keys, report)


@dataclass(frozen=True)
class _Entry:
    """An article of the build: its id, file, language, cache key and result (None while unread)."""

    id: str
    path: str
    lang: str
    key: str
    result: ArticleResult | None


class _Files:
    """The input files of the last build, by path, with the size, time and inode they had when read
    and the articles they gave: a file that still has them is not read again (`read_articles`'s
    `unchanged`), its articles known by their cache keys."""

    def __init__(self, previous: dict[str, Any]):
        self.previous = previous
        self.seen: dict[str, tuple[str, list[int] | None]] = {}  # path → (file id, stamp before reading)

    def __call__(self, path: Path, file_id: str) -> list[Unchanged] | None:
        stamp = _stamp(path)
        self.seen[str(path)] = (file_id, stamp)
        entry = self.previous.get(str(path))
        if not entry or stamp is None or entry.get("id") != file_id or entry.get("stamp") != stamp:
            return None
        return [Unchanged(aid, str(path), lang, key) for aid, lang, key in entry["articles"]]

    def record(self, entries: list[_Entry], skipped: list[Skipped]) -> dict[str, Any]:
        """The files to remember: those whose every article was built (none skipped, none failed)."""
        by_path: dict[str, list[list[str]]] = {}
        for entry in entries:
            by_path.setdefault(entry.path, []).append([entry.id, entry.lang, entry.key])
        flawed = [s.path for s in skipped]
        files = {}
        for path, articles in sorted(by_path.items()):
            file_id, stamp = self.seen.get(path, ("", None))
            if stamp is None or any(f == path or f.startswith((path + "#", path + ":")) for f in flawed):
                continue
            files[path] = {"id": file_id, "stamp": stamp, "articles": articles}
        return files


def _stamp(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


BUILD_RECORD = ".kg-build.json"
RECORD_FORMAT = 2  # bump when the record's layout changes: an older record is then ignored


def _outputs_digest(used_keys: set[str], report: BuildReport, max_nodes: int | None) -> str:
    """What the outputs are a function of: every article's cache key (text, ontology, versions) and the options."""
    import hashlib

    from . import __version__

    h = hashlib.sha256(f"{__version__}\0{PIPELINE_VERSION}\0{max_nodes}\0".encode())
    for key in sorted(used_keys):
        h.update(key.encode() + b"\0")
    for skipped in report.skipped:
        h.update(f"{skipped.path}\0{skipped.reason}\0".encode())
    return h.hexdigest()


def _read_record(out_dir: Path) -> dict[str, Any]:
    """The record the last build left in `out_dir` (see `_Build.run`), or {} if there is none."""
    import json

    try:
        record = json.loads((out_dir / BUILD_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) and record.get("format") == RECORD_FORMAT else {}


def _up_to_date(out_dir: Path, digest: str, report: BuildReport, record: dict[str, Any]) -> bool:
    """True (and the report filled from the record) when the outputs were built from exactly these inputs."""
    from .store import GRAPH_FILE, store_marker

    graph_file = out_dir / GRAPH_FILE
    if record.get("digest") != digest or not graph_file.is_file() or not (out_dir / "graph.html").is_file():
        return False
    marker = store_marker(out_dir)
    if not marker or record.get("sha256") != marker.get("sha256"):
        return False
    report.entities_by_type = record.get("entities_by_type", {})
    report.facts_by_relation = record.get("facts_by_relation", {})
    report.triples = record.get("triples", 0)
    report.graph_path, report.page_path = str(graph_file), str(out_dir / "graph.html")
    report.notes.append("nothing changed since the last build: outputs kept as they are")
    return True


def _record_text(record: dict[str, Any]) -> str:
    import json

    return json.dumps(record, sort_keys=True, separators=(",", ":"))


def _record_outputs(out_dir: Path, record: dict[str, Any]) -> None:
    from .store import atomic_write_text

    atomic_write_text(out_dir / BUILD_RECORD, _record_text(record))


def _record_temporary(out_dir: Path, record: dict[str, Any]) -> Path:
    """The build record written beside its place under a temporary name, for the caller to move in."""
    from .store import temporary_beside

    return temporary_beside(out_dir / BUILD_RECORD, _record_text(record).encode("utf-8"))


def _stage(on_stage: Callable[[str], Any] | None, name: str) -> None:
    if on_stage is not None:
        on_stage(name)


def _job_count(jobs: int) -> int:
    """`jobs`, with 0 (or less) meaning one per core available to this process."""
    if jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


# Articles sent to a worker process at a time, and batches in flight per worker: large enough to
# amortise the messages, small enough to keep memory and the merge order tight.
RESULTS_IN_MEMORY = 5_000  # results kept for writing the graph; with a cache, the rest are read back from it
BATCH_SIZE = 16
IN_FLIGHT_PER_JOB = 4


@dataclass
class _Pending:
    """An article waiting for its result, in input order."""

    item: Article | Skipped | Unchanged
    result: ArticleResult | str | None = None  # a result, or the reason analysis failed
    key: str = ""

    @property
    def ready(self) -> bool:
        return self.result is not None or isinstance(self.item, (Skipped, Unchanged))


Settings = tuple[tuple[str, ...], str | None, str | None]  # (ontology paths, spaCy model, extractor) workers need


def _write_page(reader: Any, page: Path, max_nodes: int | None, statements: Any) -> tuple[Path, dict[str, Any]]:
    """The graph page from the store, written under a temporary name beside `page` for the caller
    to move into place; returns that name and the graph's summary (`kg.measures.summary`)."""
    from .view import write_page

    tmp = page.with_name(f".{page.name}.tmp-{os.getpid()}")
    try:
        summary = write_page(reader, tmp, max_nodes=max_nodes, statements=statements)["summary"]
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, summary


def _where(article: Article) -> str:
    """The file an article came from, with its item or line number for JSON arrays and JSON Lines."""
    item = article.id.rsplit("#", 1)[1] if "#" in article.id else ""
    return f"{article.path}#{item}" if item else article.path


def _prune(cache: Any, used_keys: set[str], report: BuildReport) -> None:
    """Delete the cache entries of articles no longer among the inputs, once the graph no longer needs them."""
    if cache is None:
        return
    t = time.perf_counter()
    pruned = cache.prune(used_keys)
    if pruned:
        log.info("pruned %d stale cache entries", pruned)
    report.seconds["cache"] = report.seconds.get("cache", 0.0) + time.perf_counter() - t


def _kb_names(kb: Ontology) -> dict[str, list[tuple[str, str]]]:
    names: dict[str, list[tuple[str, str]]] = {}
    for name in kb.names:
        names.setdefault(name.key, []).append((name.text, name.lang))
    return names


def _write_graph(
    out_dir: Path,
    entries: list[_Entry],
    kb: Ontology,
    cache: Any,
    report: BuildReport,
    record: dict[str, Any],
    finish: Callable[..., list[tuple[Path, Path]]],
) -> None:
    """Write graph.ttl and the store: as changes to the previous graph where the last build's
    `record` allows it (only the articles that changed are taken out and put in; the record's
    index is taken out of it then, to be held once), else whole.
    Before either is swapped in, `finish(store_tmp, written, index, layout, keys)` writes the
    outputs made from them (see `kg.store.write_graph`): `written` says where each part of the
    graph lies in graph.ttl, `index` is the corpus index of the graph, `layout` its entities and
    IRIs and `keys` the cache key of each article by id."""
    from .graph import ENTITIES_PART, CorpusIndex, Layout, changes, corpus_parts, entity_part
    from .store import store_marker, update_graph, write_graph

    kb_names = _kb_names(kb)
    keys = {entry.id: entry.key for entry in entries}
    marker = store_marker(out_dir) or {}
    current = marker.get("sha256") and record.get("sha256") == marker.get("sha256")
    if cache is not None and current and record.get("salt") == cache.salt:
        try:
            before, old_keys, old_parts = (
                CorpusIndex.from_json(record.pop("index")),
                dict(record["articles"]),
                dict(record["parts"]),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            before, old_keys, old_parts = None, {}, {}
        gone = [key for aid, key in sorted(old_keys.items()) if keys.get(aid) != key]
        came = [_result(e, cache) for e in entries if old_keys.get(e.id) != e.key]
        old_results = [cache.get(key) for key in gone]
        delta = None
        if before is not None and None not in came and None not in old_results:
            delta = changes(old_results, came, before, kb.entities, kb_names)
        if delta is not None and all(e.id in old_parts or e.id in delta.articles for e in entries):
            parts: list[tuple[str, list[Any] | None]] = [
                (ENTITIES_PART, entity_part(delta.layout, delta.index, kb_names))
            ]
            parts += [(e.id, delta.articles.get(e.id)) for e in entries]  # None: copied from graph.ttl
            then = functools.partial(finish, index=delta.index, layout=delta.layout, keys=keys)
            written = update_graph(out_dir, delta, parts, old_parts, then)
            if written is not None:
                _written(report, written)
                report.notes.append(f"graph updated in place: {len(gone)} article(s) out, {len(came)} in")
                return
    index = CorpusIndex()
    for result in _results(entries, cache):  # a first pass for what the articles share
        index.add(result)
    layout = Layout.of(index, kb.entities)
    then = functools.partial(finish, index=index, layout=layout, keys=keys)
    written = write_graph(corpus_parts(_results(entries, cache), index, layout, kb_names), out_dir, finish=then)
    _written(report, written)


def _result(entry: _Entry, cache: Any) -> ArticleResult:
    """The result of `entry`: kept in memory without a cache, else read from it."""
    result = entry.result if entry.result is not None or cache is None else cache.get(entry.key)
    if result is None:
        raise _Reread()  # cached by an earlier build, and gone since
    return result


def _results(entries: list[_Entry], cache: Any) -> Iterator[ArticleResult]:
    for entry in entries:
        yield _result(entry, cache)


def _written(report: BuildReport, written: dict[str, Any]) -> None:
    report.triples, report.graph_path = written["triples"], written["graph_path"]
    report.seconds["store"] = written["seconds"]  # graph.ttl and the store written


def _process_all(
    sources: Iterable[Article | Skipped | Unchanged],
    settings: Settings,
    report: BuildReport,
    on_article: Callable[[Article | Skipped | Unchanged], Any] | None,
    *,
    cache: Any = None,
    jobs: int = 1,
    keep_results: bool = True,
    timeout: float = 0.0,
    cluster: str | None = None,
) -> list[_Entry]:
    """Every article in input order with its result (without the text), from the cache or computed
    (by `jobs` processes, or the workers of the Dask scheduler at `cluster`), and the cache key it
    was found or stored under ('' without a cache). An `Unchanged` article is not looked up: its
    result stays None until a whole new graph needs it.
    """
    entries: list[_Entry] = []
    timing = {"read": 0.0, "cache": 0.0}

    def finish(pending: _Pending) -> None:
        item = pending.item
        if on_article is not None:
            on_article(item)
        if isinstance(item, Skipped):
            report.skipped.append(item)
            log.info("skipped %s: %s", item.path, item.reason)
            return
        if isinstance(pending.result, str) and isinstance(item, Article):
            report.skipped.append(Skipped(_where(item), pending.result))
            return
        # past RESULTS_IN_MEMORY, results are read back from the cache when needed: memory stays bounded
        spill = cache is not None and not keep_results and len(entries) >= RESULTS_IN_MEMORY
        result = None if isinstance(item, Unchanged) or spill else pending.result
        entries.append(_Entry(item.id, item.path, item.lang, pending.key, result))  # type: ignore[arg-type]
        report.articles += 1
        report.languages[item.lang] += 1

    started = time.perf_counter()
    queue = _lookups(sources, report, cache, timing)
    if cluster:
        from .cluster import analyse_on

        analyse_on(cluster, queue, settings, cache, finish, timeout)
    elif jobs <= 1:
        for pending in queue:
            if not pending.ready:
                assert isinstance(pending.item, Article)
                pending.result = _analyse_one(pending.item, settings, cache, pending.key, timeout)
            finish(pending)
    else:
        _in_pool(queue, settings, cache, jobs, finish, timeout)
    report.seconds["read"] = timing["read"]
    if cache is not None:
        report.seconds["cache"] = timing["cache"]
    report.seconds["analyse+extract"] = time.perf_counter() - started - timing["read"] - timing["cache"]
    return entries


def _lookups(
    sources: Iterable[Article | Skipped | Unchanged], report: BuildReport, cache: Any, timing: dict[str, float]
) -> Iterator[_Pending]:
    """Read the inputs one by one and look each article up in the cache (timing both)."""
    iterator = iter(sources)
    while True:
        t = time.perf_counter()
        item = next(iterator, None)
        timing["read"] += time.perf_counter() - t
        if item is None:
            return
        if isinstance(item, Skipped):
            yield _Pending(item)
            continue
        if isinstance(item, Unchanged):
            yield _Pending(item, key=item.key)
        if item.lang not in SUPPORTED_LANGUAGES:
            report.notes.append(
                f"{item.id}: language '{item.lang}' is not supported; "
                f"analysed with the '{pipeline_language(item.lang)}' pipeline"
            )
        if isinstance(item, Unchanged):
            continue
        pending = _Pending(item)
        if cache is not None:
            t = time.perf_counter()
            pending.key = cache.key(item)
            pending.result = cache.get(pending.key)
            timing["cache"] += time.perf_counter() - t
        yield pending


@functools.lru_cache(maxsize=8)
def _warm(lang: str, settings: Settings) -> None:
    """Load the ontology and the pipeline of `lang` (and what they build on first use) with a short text."""
    _process(Article(id="", path="", title="", text="OpenAI e NVIDIA.", lang=lang), *settings)


class _OutOfTime(BaseException):
    """Raised by the timer inside an article's analysis (a BaseException: no `except Exception` keeps it)."""


@contextlib.contextmanager
def _time_budget(seconds: float) -> Iterator[None]:
    """Raise `_OutOfTime` in this thread after `seconds` (0: never). A real-time timer and SIGALRM, so only
    in a main thread (each worker process's is one); elsewhere the budget is not enforced."""
    import signal
    import threading

    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _OutOfTime()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _analyse_one(
    article: Article, settings: Settings, cache: Any, key: str, timeout: float = 0.0
) -> ArticleResult | str:
    """The text-free result of `article` (stored in the cache under `key`), or why its analysis failed
    (including taking longer than `timeout` seconds)."""
    try:
        if timeout > 0:
            _warm(pipeline_language(article.lang) or "en", settings)  # loading the pipeline is not the article's time
        with _time_budget(timeout):
            result = process_article(article, *settings)
    except _OutOfTime:
        return f"analysis took longer than the article time-out ({timeout:g} s)"
    except Exception as exc:  # one article's failure never stops the build
        log.debug("analysis failed for %s", article.path, exc_info=True)
        return f"analysis failed: {type(exc).__name__}: {exc}"
    from .cache import without_text

    result = without_text(result)
    if cache is not None and key:
        cache.put(key, result)
    return result


def _work(batch: tuple[Settings, Any, list[tuple[Article, str]], float]) -> list[Any]:
    """In a worker process: analyse a batch of articles, returning compact records (encoded results)."""
    from .cache import encode

    settings, cache, items, timeout = batch
    out: list[Any] = []
    for article, key in items:
        result = _analyse_one(article, settings, cache, key, timeout)
        out.append(result if isinstance(result, str) else encode(result))
    return out


def _pool_context():
    """Fork where it is safe (one thread: workers start at once, sharing the loaded pipeline), else spawn."""
    import multiprocessing

    return multiprocessing.get_context("fork" if fork_is_safe() else "spawn")


class InputOrder:
    """Items finished in input order while the unfinished ones are sent away in batches (to worker
    processes or a cluster), a bounded number of batches in flight.

    `send(batch)` sends a batch and returns a handle; `collect(batch, handle)` waits for it and sets
    the result of each of its items; `limit()` is how many batches may be in flight."""

    def __init__(
        self,
        finish: Callable[[_Pending], None],
        batch_size: int,
        send: Callable[[list[_Pending]], Any],
        collect: Callable[[list[_Pending], Any], None],
        limit: Callable[[], int],
    ):
        from collections import deque

        self.finish, self.batch_size, self.send, self.collect, self.limit = finish, batch_size, send, collect, limit
        self.window: deque[_Pending] = deque()  # every item not finished yet, in input order
        self.in_flight: deque[tuple[list[_Pending], Any]] = deque()  # batches sent, oldest first
        self.batch: list[_Pending] = []

    def run(self, queue: Iterable[_Pending]) -> None:
        for pending in queue:
            self.window.append(pending)
            if not pending.ready:
                self.batch.append(pending)
                if len(self.batch) >= self.batch_size:
                    self._send()
            elif len(self.window) == 1:
                self._flush_ready()
        if self.batch:
            self._send()
        while self.in_flight:
            self._collect_oldest()
        self._flush_ready()

    def _flush_ready(self) -> None:
        while self.window and self.window[0].ready:
            self.finish(self.window.popleft())

    def _collect_oldest(self) -> None:
        members, handle = self.in_flight.popleft()
        self.collect(members, handle)
        self._flush_ready()

    def _send(self) -> None:
        batch, self.batch = self.batch, []
        self.in_flight.append((batch, self.send(batch)))
        while len(self.in_flight) >= self.limit():
            self._collect_oldest()


def _in_pool(
    queue: Iterator[_Pending],
    settings: Settings,
    cache: Any,
    jobs: int,
    finish: Callable[[_Pending], None],
    timeout: float = 0.0,
) -> None:
    """Analyse the cache misses of `queue` in `jobs` worker processes, finishing every item in input order."""
    from .cache import decode

    def collect(members: list[_Pending], handle: Any) -> None:
        for pending, record in zip(members, handle.get(), strict=True):
            pending.result = record if isinstance(record, str) else decode(record)

    with _pool_context().Pool(jobs) as pool:

        def send(batch: list[_Pending]) -> Any:
            items = [(p.item, p.key) for p in batch]
            return pool.apply_async(_work, ((settings, cache, items, timeout),))

        InputOrder(finish, BATCH_SIZE, send, collect, lambda: jobs * IN_FLIGHT_PER_JOB).run(queue)


def stats(out: str | os.PathLike[str] = DEFAULT_OUT, top: int = 10) -> dict[str, Any]:
    """Entities by type, facts by relation and the `top` most connected entities of the graph in `out`."""
    from .measures import degree_ranking, summary, to_networkx
    from .store import open_store

    store = open_store(Path(out))
    nxg = to_networkx(store, with_evidence=False)
    result = summary(store, nxg)
    result["most_connected"] = degree_ranking(nxg, top)
    return result
