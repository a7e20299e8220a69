"""The graph as networkx, and the measures the page and the reports use.

RDF is the truth; the networkx graph is a view of it: one node per entity, one edge per
relation triple, each edge carrying the evidence (the assertions) that supports it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from kg.namespace import ENTITY_TYPES, KG, RELATIONS, SYMMETRIC, WIKIDATA

if TYPE_CHECKING:
    import networkx as nx

Fact = tuple[str, str, str]  # (subject, relation, object); symmetric facts in sorted order


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _number(value: Any) -> float | None:
    if not isinstance(value, Literal):
        return None
    try:
        return float(value.toPython())
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _entity_types(graph: Graph) -> dict[URIRef, str]:
    """Each typed entity and its type; an entity with several types keeps the first in ENTITY_TYPES."""
    types: dict[URIRef, str] = {}
    for name in ENTITY_TYPES:
        for entity in graph.subjects(RDF.type, KG[name]):
            if isinstance(entity, URIRef):
                types.setdefault(entity, name)
    return types


def _articles(graph: Graph) -> dict[URIRef, dict[str, str]]:
    """Title, URL, date and language of every article, by IRI."""
    articles: dict[URIRef, dict[str, str]] = {}
    for article in graph.subjects(RDF.type, KG.Article):
        if not isinstance(article, URIRef):
            continue
        articles[article] = {
            "title": _text(graph.value(article, DCTERMS.title)),
            "url": _text(graph.value(article, DCTERMS.source)),
            "date": _text(graph.value(article, DCTERMS.date)),
            "lang": _text(graph.value(article, DCTERMS.language)),
        }
    return articles


def _evidence(graph: Graph) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """Evidence dicts of every assertion, keyed by the (subject, relation, object) they support."""
    articles = _articles(graph)
    found: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for assertion in graph.subjects(RDF.type, KG.Assertion):
        subject = graph.value(assertion, RDF.subject)
        predicate = graph.value(assertion, RDF.predicate)
        obj = graph.value(assertion, RDF.object)
        if subject is None or predicate is None or obj is None:
            continue
        relation = str(predicate).removeprefix(str(KG._NS))
        article = graph.value(assertion, PROV.wasDerivedFrom)
        info = articles.get(article, {}) if isinstance(article, URIRef) else {}
        amount = graph.value(assertion, KG.amount)
        found[(str(subject), relation, str(obj))].append(
            {
                "assertion": str(assertion),
                "text": _text(graph.value(assertion, KG.evidence)),
                "article": _text(article),
                "title": info.get("title", ""),
                "url": info.get("url", ""),
                "published": info.get("date", ""),
                "lang": info.get("lang", ""),
                "start": _int(graph.value(assertion, KG.startOffset)),
                "end": _int(graph.value(assertion, KG.endOffset)),
                "confidence": _number(graph.value(assertion, KG.confidence)),
                "amount": None if amount is None else str(amount),
                "currency": _text(graph.value(assertion, KG.currency)) or None,
                "date": _text(graph.value(assertion, KG.date)) or None,
            }
        )
    return found


def _sort_evidence(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda e: (e["title"], e["article"], e["start"] or 0, e["assertion"]))


def to_networkx(graph: Graph) -> nx.MultiDiGraph:
    """A MultiDiGraph of the entities (nodes, by IRI) and relation triples (edges keyed by relation).

    Node attributes: label, type, aliases, wikidata, articles (number of articles mentioning it).
    Edge attributes: relation, evidence (list of dicts: text, article title/url, offsets,
    confidence, amount, currency, date). Evidence for a symmetric relation is gathered from
    assertions in either direction.
    """
    import networkx as nx

    nxg = nx.MultiDiGraph()
    types = _entity_types(graph)
    endpoints: set[URIRef] = set()
    triples: list[tuple[URIRef, str, URIRef]] = []
    for relation in RELATIONS:
        for s, o in graph.subject_objects(KG[relation]):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                triples.append((s, relation, o))
                endpoints.update((s, o))
    for entity in sorted(set(types) | endpoints):
        label = _text(graph.value(entity, RDFS.label)) or _local_name(entity)
        aliases = sorted({str(a) for a in graph.objects(entity, SKOS.altLabel)} - {label})
        same = sorted(str(x) for x in graph.objects(entity, OWL.sameAs) if str(x).startswith(str(WIKIDATA)))
        mentioned = {a for a in graph.subjects(KG.mentions, entity)}
        nxg.add_node(
            str(entity),
            label=label,
            type=types.get(entity, ""),
            aliases=aliases,
            wikidata=same[0] if same else "",
            articles=len(mentioned),
        )
    evidence = _evidence(graph)
    for s, relation, o in sorted(triples):
        key = (str(s), relation, str(o))
        items = list(evidence.get(key, ()))
        if relation in SYMMETRIC:
            items += evidence.get((str(o), relation, str(s)), ())
        unique = {e["assertion"]: e for e in items}
        nxg.add_edge(str(s), str(o), key=relation, relation=relation, evidence=_sort_evidence(list(unique.values())))
    return nxg


def _local_name(iri: URIRef) -> str:
    return str(iri).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def facts(nxg: nx.MultiDiGraph) -> Iterator[tuple[Fact, list[dict[str, Any]]]]:
    """Each distinct fact once, with its evidence: a symmetric relation stated both ways counts once."""
    merged: dict[Fact, dict[str, dict[str, Any]]] = {}
    for s, o, relation, data in nxg.edges(keys=True, data=True):
        if relation in SYMMETRIC and o < s:
            s, o = o, s
        bucket = merged.setdefault((s, relation, o), {})
        for item in data.get("evidence", ()):
            bucket.setdefault(item["assertion"], item)
    for fact in sorted(merged):
        yield fact, _sort_evidence(list(merged[fact].values()))


def _links(nxg: nx.MultiDiGraph) -> dict[tuple[str, str], float]:
    """Undirected link weights: how many distinct facts join each pair of entities."""
    weights: Counter[tuple[str, str]] = Counter()
    for (s, _relation, o), _evidence_items in facts(nxg):
        if s != o:
            weights[(s, o) if s < o else (o, s)] += 1
    return dict(weights)


def importance(nxg: nx.MultiDiGraph, alpha: float = 0.85, tol: float = 1.0e-10) -> dict[str, float]:
    """PageRank of every entity over the undirected fact graph (weighted by facts per pair).

    Undirected, so an investor counts as much as what it invests in. Computed by power
    iteration in a fixed node order (the same values as `networkx.pagerank` on the
    undirected weighted graph, without needing scipy), so it is deterministic.
    """
    import numpy as np

    nodes = sorted(nxg.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    links = _links(nxg)
    src = np.array([index[a] for a, _ in links] + [index[b] for _, b in links], dtype=np.int64)
    dst = np.array([index[b] for _, b in links] + [index[a] for a, _ in links], dtype=np.int64)
    weight = np.array(list(links.values()) * 2, dtype=np.float64)
    out = np.bincount(src, weights=weight, minlength=n)
    dangling = out == 0
    share = np.divide(weight, out[src], out=np.zeros_like(weight), where=out[src] > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(1000):
        previous = rank
        spread = np.bincount(dst, weights=previous[src] * share, minlength=n)
        rank = alpha * (spread + previous[dangling].sum() / n) + (1.0 - alpha) / n
        if np.abs(rank - previous).sum() < n * tol:
            break
    return {node: float(rank[i]) for node, i in index.items()}


def degree(nxg: nx.MultiDiGraph) -> dict[str, int]:
    """Number of distinct facts each entity takes part in (a symmetric fact stated both ways counts once)."""
    counts: Counter[str] = Counter({node: 0 for node in nxg.nodes})
    for (s, _relation, o), _evidence_items in facts(nxg):
        counts[s] += 1
        if o != s:
            counts[o] += 1
    return dict(counts)


def degree_ranking(nxg: nx.MultiDiGraph, n: int = 10) -> list[tuple[str, str, int]]:
    """The `n` entities in the most facts, as (label, type, degree), ties by label."""
    degrees = degree(nxg)
    ranked = sorted(degrees.items(), key=lambda item: (-item[1], nxg.nodes[item[0]].get("label", ""), item[0]))
    return [(nxg.nodes[node].get("label", ""), nxg.nodes[node].get("type", ""), d) for node, d in ranked[:n]]


def summary(graph: Graph) -> dict[str, Any]:
    """Counts of a built graph: articles, entities (total and by type), facts (by relation), assertions.

    Facts count distinct relation triples, a symmetric pair stated both ways once. `dates`
    is the earliest and latest article date, or None.
    """
    types = _entity_types(graph)
    by_type = Counter(types.values())
    by_relation: Counter[str] = Counter()
    for relation in RELATIONS:
        seen = set()
        for s, o in graph.subject_objects(KG[relation]):
            pair = (str(s), str(o))
            if relation in SYMMETRIC:
                pair = min(pair, pair[::-1])
            seen.add(pair)
        by_relation[relation] = len(seen)
    articles = set(graph.subjects(RDF.type, KG.Article))
    dates = sorted(str(d)[:10] for a in articles for d in graph.objects(a, DCTERMS.date))
    return {
        "articles": len(articles),
        "entities": len(types),
        "entities_by_type": {name: by_type.get(name, 0) for name in ENTITY_TYPES},
        "facts": sum(by_relation.values()),
        "facts_by_relation": {name: by_relation.get(name, 0) for name in RELATIONS},
        "assertions": len(set(graph.subjects(RDF.type, KG.Assertion))),
        "dates": [dates[0], dates[-1]] if dates else None,
    }
