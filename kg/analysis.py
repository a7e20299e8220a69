"""The graph as networkx, and the measures the page and the reports use.

RDF is the truth; the networkx graph is a view of it: one node per entity, one edge per
relation triple, each edge carrying the evidence (the assertions) that supports it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kg.namespace import ENTITY_TYPES, PREFIXES, RELATIONS, SYMMETRIC, WIKIDATA

if TYPE_CHECKING:
    import networkx as nx

Fact = tuple[str, str, str]  # (subject, relation, object); symmetric facts in sorted order

_KG = "https://w3id.org/kg/ontology#"
_SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def _select(source: Any, query: str) -> Iterator[tuple[str | None, ...]]:
    """The rows of a SPARQL SELECT over `source` (a pyoxigraph store or an rdflib graph), as text."""
    query = _SPARQL_PREFIXES + query
    if hasattr(source, "quads_for_pattern"):  # pyoxigraph
        for solution in source.query(query):
            yield tuple(None if term is None else term.value for term in solution)
    else:
        for row in source.query(query):
            yield tuple(None if term is None else str(term) for term in row)


def _number(value: str | None) -> float | None:
    try:
        return None if value is None else float(value)
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _entity_types(source: Any) -> dict[str, str]:
    """Each typed entity and its type; an entity with several types keeps the first in ENTITY_TYPES."""
    order = {_KG + name: i for i, name in enumerate(ENTITY_TYPES)}
    found: dict[str, int] = {}
    for entity, type_iri in _select(source, "SELECT ?e ?t WHERE { ?e a ?t FILTER(isIRI(?e)) }"):
        rank = order.get(type_iri or "")
        if entity is not None and rank is not None and rank < found.get(entity, len(order)):
            found[entity] = rank
    return {entity: ENTITY_TYPES[rank] for entity, rank in found.items()}


def _relation_triples(source: Any) -> list[tuple[str, str, str]]:
    values = " ".join(f"kg:{r}" for r in RELATIONS)
    query = f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o FILTER(isIRI(?s) && isIRI(?o)) }}"
    return sorted((s, p.removeprefix(_KG), o) for s, p, o in _select(source, query))  # type: ignore[union-attr]


def _articles(source: Any) -> dict[str, dict[str, str]]:
    """Title, URL, date and language of every article, by IRI."""
    articles: dict[str, dict[str, str]] = {}
    query = """SELECT ?a ?title ?url ?date ?lang WHERE { ?a a kg:Article FILTER(isIRI(?a))
        OPTIONAL { ?a dcterms:title ?title } OPTIONAL { ?a dcterms:source ?url }
        OPTIONAL { ?a dcterms:date ?date } OPTIONAL { ?a dcterms:language ?lang } }"""
    for a, title, url, date, lang in _select(source, query):
        articles.setdefault(a, {"title": title or "", "url": url or "", "date": date or "", "lang": lang or ""})  # type: ignore[arg-type]
    return articles


def evidence(source: Any, wanted: Any = None, limit: int | None = None) -> dict[Fact, list[dict[str, Any]]]:
    """Evidence dicts of the assertions supporting each (subject, relation, object) fact, by fact.

    `wanted(fact)` may restrict the facts looked at; `limit` keeps the first items of each fact
    (by article title, article and offset) where a page must stay bounded.
    """
    articles = _articles(source)
    found: dict[Fact, list[dict[str, Any]]] = defaultdict(list)
    query = """SELECT ?x ?s ?p ?o ?text ?article ?start ?end ?confidence ?amount ?currency ?date WHERE {
        ?x a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
        OPTIONAL { ?x kg:evidence ?text } OPTIONAL { ?x prov:wasDerivedFrom ?article }
        OPTIONAL { ?x kg:startOffset ?start } OPTIONAL { ?x kg:endOffset ?end }
        OPTIONAL { ?x kg:confidence ?confidence } OPTIONAL { ?x kg:amount ?amount }
        OPTIONAL { ?x kg:currency ?currency } OPTIONAL { ?x kg:date ?date } }"""
    for x, s, p, o, text, article, start, end, confidence, amount, currency, date in _select(source, query):
        fact = (s, (p or "").removeprefix(_KG), o)
        if wanted is not None and not wanted(fact):
            continue
        info = articles.get(article or "", {})
        found[fact].append(  # type: ignore[index]
            {
                "assertion": x,
                "text": text or "",
                "article": article or "",
                "title": info.get("title", ""),
                "url": info.get("url", ""),
                "published": info.get("date", ""),
                "lang": info.get("lang", ""),
                "start": _int(start),
                "end": _int(end),
                "confidence": _number(confidence),
                "amount": amount,
                "currency": currency or None,
                "date": date or None,
            }
        )
    if limit is not None:
        return {fact: _sort_evidence(items)[:limit] for fact, items in found.items()}
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
    for e, label in _select(source, "SELECT ?e ?l WHERE { ?e rdfs:label ?l }"):
        if e is not None and label is not None and (e not in labels or label < labels[e]):
            labels[e] = label
    names: dict[str, set[str]] = defaultdict(set)
    for e, name in _select(source, "SELECT ?e ?l WHERE { ?e skos:altLabel ?l }"):
        names[e].add(name)  # type: ignore[index,arg-type]
    same: dict[str, list[str]] = defaultdict(list)
    for e, item in _select(source, "SELECT ?e ?x WHERE { ?e owl:sameAs ?x }"):
        if item and item.startswith(str(WIKIDATA)):
            same[e].append(item)  # type: ignore[index]
    mentioned: dict[str, int] = {}
    query = "SELECT ?e (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a kg:mentions ?e } GROUP BY ?e"
    for e, n in _select(source, query):
        mentioned[e] = int(n or 0)  # type: ignore[index]
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
    articles = {a for (a,) in _select(source, "SELECT ?a WHERE { ?a a kg:Article }")}
    query = "SELECT (MIN(STR(?d)) AS ?first) (MAX(STR(?d)) AS ?last) WHERE { ?a a kg:Article ; dcterms:date ?d }"
    first, last = next(iter(_select(source, query)), (None, None))
    assertions = next(iter(_select(source, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a kg:Assertion }")))[0]
    return {
        "articles": len(articles),
        "entities": len(types),
        "entities_by_type": {name: by_type.get(name, 0) for name in ENTITY_TYPES},
        "facts": sum(by_relation.values()),
        "facts_by_relation": {name: by_relation.get(name, 0) for name in RELATIONS},
        "assertions": int(assertions or 0),
        "dates": [first[:10], last[:10]] if first and last else None,
    }
