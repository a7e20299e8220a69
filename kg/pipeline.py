"""`kg.build`: read → analyse → link → extract → RDF → store and page, one article at a time."""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import extract, link
from .analyse import analyse
from .errors import BuildError
from .ontology import Ontology
from .ontology import load as load_ontology
from .read import SUPPORTED_LANGUAGES, pipeline_language, read_articles
from .records import Article, ArticleResult, Skipped

log = logging.getLogger(__name__)

DEFAULT_OUT = "kg-out"
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


def process_article(article: Article, ontology: Sequence[str] = ()) -> ArticleResult:
    """Analyse one article and extract its mentions and facts (a pure function of text and ontology)."""
    lang = pipeline_language(article.lang) or "en"
    kb = load_ontology(tuple(str(p) for p in ontology))
    doc = analyse(article.document, lang, ontology)
    mentions = link.mentions(doc, kb)
    found = extract.facts(doc, mentions, kb, lang, article.id, article.published)
    return ArticleResult(article=article, mentions=tuple(mentions), facts=tuple(found))


def build(
    paths: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str] = DEFAULT_OUT,
    *,
    ontology: Sequence[str | os.PathLike[str]] = (),
    max_nodes: int | None = 2000,
    strict: bool = False,
    on_article: Callable[[Article | Skipped], Any] | None = None,
) -> BuildReport:
    """Build the knowledge graph of every article under `paths` into the folder `out`.

    Writes `out/graph.ttl` (and the query store beside it) and `out/graph.html`. A file that
    cannot be read, or an article whose analysis fails, is reported in `BuildReport.skipped`
    and the build goes on; with `strict=True` any skipped article fails the build instead.
    Outputs are replaced atomically: a failed build leaves the previous ones intact.
    """
    from .store import build_lock, write_graph

    out_dir = Path(out)
    ontology_paths = tuple(str(p) for p in ontology)
    report = BuildReport(out=str(out_dir))
    started = time.perf_counter()
    kb = load_ontology(ontology_paths)
    report.seconds["ontology"] = time.perf_counter() - started

    sources = read_articles(paths)  # raises InputError for a missing path before anything runs
    out_dir.mkdir(parents=True, exist_ok=True)
    with build_lock(out_dir):
        results = _process_all(sources, ontology_paths, report, on_article)
        if strict and report.skipped:
            first = report.skipped[0]
            raise BuildError(f"{len(report.skipped)} input(s) skipped in strict mode; first: "
                             f"{first.path}: {first.reason}")
        if not results:
            reasons = "; ".join(f"{s.path}: {s.reason}" for s in report.skipped[:3])
            raise BuildError("no article could be read" + (f" ({reasons})" if reasons else ""))

        t = time.perf_counter()
        graph = graph_of(results, kb)
        report.seconds["graph"] = time.perf_counter() - t

        t = time.perf_counter()
        written = write_graph(graph, out_dir)
        report.triples = written["triples"]
        report.graph_path = written["graph_path"]
        report.seconds["store"] = time.perf_counter() - t

        t = time.perf_counter()
        from .view import write_page

        page = out_dir / "graph.html"
        write_page(graph, page, max_nodes=max_nodes)
        report.page_path = str(page)
        report.seconds["page"] = time.perf_counter() - t

    from .analysis import summary

    counts = summary(graph)
    report.entities_by_type = {k: v for k, v in counts["entities_by_type"].items() if v}
    report.facts_by_relation = {k: v for k, v in counts["facts_by_relation"].items() if v}
    report.seconds["total"] = time.perf_counter() - started
    return report


def _process_all(sources: Iterable[Article | Skipped], ontology_paths: tuple[str, ...], report: BuildReport,
                 on_article: Callable[[Article | Skipped], Any] | None) -> list[ArticleResult]:
    results = []
    t_read = t_extract = 0.0
    t = time.perf_counter()
    for item in sources:
        t_read += time.perf_counter() - t
        if on_article is not None:
            on_article(item)
        if isinstance(item, Skipped):
            report.skipped.append(item)
            log.warning("skipped %s: %s", item.path, item.reason)
            t = time.perf_counter()
            continue
        if item.lang not in SUPPORTED_LANGUAGES:
            report.notes.append(f"{item.id}: language '{item.lang}' is not supported; "
                                f"analysed with the '{pipeline_language(item.lang)}' pipeline")
        t = time.perf_counter()
        try:
            result = process_article(item, ontology_paths)
        except Exception as exc:  # one article's failure never stops the build
            log.exception("analysis failed for %s", item.path)
            report.skipped.append(Skipped(item.id, f"analysis failed: {type(exc).__name__}: {exc}"))
        else:
            results.append(result)
            report.articles += 1
            report.languages[item.lang] += 1
        t_extract += time.perf_counter() - t
        t = time.perf_counter()
    report.seconds["read"] = t_read
    report.seconds["analyse+extract"] = t_extract
    return results


def graph_of(results: Sequence[ArticleResult], kb: Ontology):
    """The rdflib graph of processed articles: knowledge-base entities plus the new names merged across articles."""
    from .graph import to_rdf

    entities = dict(kb.entities)
    entities.update(link.new_entities(results))
    kb_names: dict[str, list[tuple[str, str]]] = {}
    for name in kb.names:
        kb_names.setdefault(name.key, []).append((name.text, name.lang))
    return to_rdf(results, entities, kb_names)


def stats(out: str | os.PathLike[str] = DEFAULT_OUT, top: int = 10) -> dict[str, Any]:
    """Entities by type, facts by relation and the `top` most connected entities of the graph in `out`."""
    from .analysis import degree_ranking, summary, to_networkx
    from .store import load_graph

    graph = load_graph(Path(out))
    result = summary(graph)
    result["most_connected"] = degree_ranking(to_networkx(graph), top)
    return result
