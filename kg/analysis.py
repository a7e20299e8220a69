"""The graph as networkx, and the measures the page and the reports use.

RDF is the truth; the networkx graph is a view of it: one node per entity, one edge per
relation triple, each edge carrying the evidence (the assertions) that supports it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rdflib.namespace import OWL, RDFS, SKOS

from kg.namespace import ENTITY_TYPES, RELATIONS, SYMMETRIC, WIKIDATA

if TYPE_CHECKING:
    import networkx as nx

Fact = tuple[str, str, str]  # (subject, relation, object); symmetric facts in sorted order

_KG = "https://w3id.org/kg/ontology#"


def _number(value: str | None) -> float | None:
    try:
        return None if value is None else float(value)
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _pairs(source: Any, predicate: str) -> Iterator[tuple[str, str]]:
    """(subject, object) of every triple with `predicate` in `source`, as text: a plain index scan,
    much cheaper than SPARQL joins for the columns the page reads."""
    if hasattr(source, "quads_for_pattern"):  # pyoxigraph
        import pyoxigraph as ox

        for quad in source.quads_for_pattern(None, ox.NamedNode(predicate), None, ox.DefaultGraph()):
            yield quad.subject.value, quad.object.value
    else:
        from rdflib import URIRef

        for s, o in source.subject_objects(URIRef(predicate)):
            yield str(s), str(o)


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DCTERMS = "http://purl.org/dc/terms/"


def _of_type(source: Any, type_iri: str) -> list[str]:
    return sorted({s for s, o in _pairs(source, _RDF + "type") if o == type_iri})


def _entity_types(source: Any) -> dict[str, str]:
    """Each typed entity and its type; an entity with several types keeps the first in ENTITY_TYPES."""
    order = {_KG + name: i for i, name in enumerate(ENTITY_TYPES)}
    found: dict[str, int] = {}
    for entity, type_iri in _pairs(source, _RDF + "type"):
        rank = order.get(type_iri)
        if rank is not None and rank < found.get(entity, len(order)) and "://" in entity:
            found[entity] = rank
    return {entity: ENTITY_TYPES[rank] for entity, rank in found.items()}


def _relation_triples(source: Any) -> list[tuple[str, str, str]]:
    return sorted((s, relation, o) for relation in RELATIONS for s, o in _pairs(source, _KG + relation) if "://" in o)


def _articles(source: Any) -> dict[str, dict[str, str]]:
    """Title, URL, date and language of every article, by IRI."""
    columns = {name: dict(_pairs(source, _DCTERMS + name)) for name in ("title", "source", "date", "language")}
    return {
        a: {
            "title": columns["title"].get(a, ""),
            "url": columns["source"].get(a, ""),
            "date": columns["date"].get(a, ""),
            "lang": columns["language"].get(a, ""),
        }
        for a in _of_type(source, _KG + "Article")
    }


_ASSERTION_COLUMNS = {
    "s": _RDF + "subject",
    "p": _RDF + "predicate",
    "o": _RDF + "object",
    "text": _KG + "evidence",
    "article": "http://www.w3.org/ns/prov#wasDerivedFrom",
    "start": _KG + "startOffset",
    "end": _KG + "endOffset",
    "confidence": _KG + "confidence",
    "amount": _KG + "amount",
    "currency": _KG + "currency",
    "date": _KG + "date",
}


def evidence(source: Any, wanted: Any = None) -> dict[Fact, list[dict[str, Any]]]:
    """Evidence dicts of the assertions supporting each (subject, relation, object) fact, by fact.

    `wanted(fact)` may restrict the facts looked at.
    """
    articles = _articles(source)
    column = {name: dict(_pairs(source, iri)) for name, iri in _ASSERTION_COLUMNS.items()}
    found: dict[Fact, list[dict[str, Any]]] = defaultdict(list)
    for x in _of_type(source, _KG + "Assertion"):
        s, p, o = column["s"].get(x), column["p"].get(x), column["o"].get(x)
        if s is None or p is None or o is None:
            continue
        fact = (s, p.removeprefix(_KG), o)
        if wanted is not None and not wanted(fact):
            continue
        article = column["article"].get(x, "")
        info = articles.get(article, {})
        found[fact].append(
            {
                "assertion": x,
                "text": column["text"].get(x, ""),
                "article": article,
                "title": info.get("title", ""),
                "url": info.get("url", ""),
                "published": info.get("date", ""),
                "lang": info.get("lang", ""),
                "start": _int(column["start"].get(x)),
                "end": _int(column["end"].get(x)),
                "confidence": _number(column["confidence"].get(x)),
                "amount": column["amount"].get(x),
                "currency": column["currency"].get(x) or None,
                "date": column["date"].get(x) or None,
            }
        )
    return found


def _sort_evidence(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda e: (e["title"], e["article"], e["start"] or 0, e["assertion"]))


def to_networkx(source: Any, *, with_evidence: bool = True) -> nx.MultiDiGraph:
    """A MultiDiGraph of the entities (nodes, by IRI) and relation triples (edges keyed by relation).

    `source` is the query store of a build (pyoxigraph) or an rdflib graph. Node attributes: label,
    type, aliases, wikidata, articles (number of articles mentioning it). Edge attributes: relation,
    evidence (list of dicts: text, article title/url, offsets, confidence, amount, currency, date;
    left empty without `with_evidence`). Evidence for a symmetric relation is gathered from
    assertions in either direction.
    """
    import networkx as nx

    nxg = nx.MultiDiGraph()
    types = _entity_types(source)
    triples = _relation_triples(source)
    endpoints = {s for s, _, _ in triples} | {o for _, _, o in triples}
    labels: dict[str, str] = {}
    for e, label in _pairs(source, str(RDFS.label)):
        if e not in labels or label < labels[e]:
            labels[e] = label
    names: dict[str, set[str]] = defaultdict(set)
    for e, name in _pairs(source, str(SKOS.altLabel)):
        names[e].add(name)
    same: dict[str, list[str]] = defaultdict(list)
    for e, item in _pairs(source, str(OWL.sameAs)):
        if item.startswith(str(WIKIDATA)):
            same[e].append(item)
    mentioned: Counter[str] = Counter(e for _, e in set(_pairs(source, _KG + "mentions")))
    for entity in sorted(set(types) | endpoints):
        label = labels.get(entity) or _local_name(entity)
        nxg.add_node(
            entity,
            label=label,
            type=types.get(entity, ""),
            aliases=sorted(names.get(entity, set()) - {label}),
            wikidata=min(same[entity]) if same.get(entity) else "",
            articles=mentioned.get(entity, 0),
        )
    found = evidence(source) if with_evidence else {}
    for s, relation, o in triples:
        items = list(found.get((s, relation, o), ()))
        if relation in SYMMETRIC:
            items += found.get((o, relation, s), ())
        unique = {e["assertion"]: e for e in items}
        nxg.add_edge(s, o, key=relation, relation=relation, evidence=_sort_evidence(list(unique.values())))
    return nxg


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


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


def summary(source: Any) -> dict[str, Any]:
    """Counts of a built graph (a pyoxigraph store or an rdflib graph): articles, entities (total and
    by type), facts (by relation), assertions.

    Facts count distinct relation triples, a symmetric pair stated both ways once. `dates`
    is the earliest and latest article date, or None.
    """
    types = _entity_types(source)
    by_type = Counter(types.values())
    by_relation: Counter[str] = Counter()
    seen: set[tuple[str, str, str]] = set()
    for s, relation, o in _relation_triples(source):
        if relation in SYMMETRIC and o < s:
            s, o = o, s
        seen.add((s, relation, o))
    by_relation.update(relation for _, relation, _ in seen)
    articles = _articles(source)
    dates = sorted(info["date"][:10] for info in articles.values() if info["date"])
    return {
        "articles": len(articles),
        "entities": len(types),
        "entities_by_type": {name: by_type.get(name, 0) for name in ENTITY_TYPES},
        "facts": sum(by_relation.values()),
        "facts_by_relation": {name: by_relation.get(name, 0) for name in RELATIONS},
        "assertions": len(_of_type(source, _KG + "Assertion")),
        "dates": [dates[0], dates[-1]] if dates else None,
    }
