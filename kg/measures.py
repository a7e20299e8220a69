"""The graph as networkx, and the measures the page and the reports use.

RDF is the truth; the networkx graph is a view of it: one node per entity, one edge per
relation triple, each edge carrying the evidence (the assertions) that supports it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
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


def as_store(source: Any) -> Any:
    """`source` as a pyoxigraph store: a build's store as it is, an rdflib graph copied into memory."""
    import pyoxigraph as ox

    if isinstance(source, ox.Store):
        return source
    from kg.store import quads_of

    store = ox.Store()
    store.extend(quads_of(source))
    return store


def _node(iri: str) -> Any:
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def _pairs(store: Any, predicate: str) -> Iterator[tuple[str, str]]:
    """(subject, object) of every triple with `predicate`, as text (an index scan)."""
    import pyoxigraph as ox

    for quad in store.quads_for_pattern(None, _node(predicate), None, ox.DefaultGraph()):
        yield quad.subject.value, quad.object.value


def _subjects(store: Any, predicate: str, obj: str) -> Iterator[str]:
    import pyoxigraph as ox

    for quad in store.quads_for_pattern(None, _node(predicate), _node(obj), ox.DefaultGraph()):
        yield quad.subject.value


def _values(store: Any, subject: str, predicate: str) -> list[str]:
    import pyoxigraph as ox

    return [q.object.value for q in store.quads_for_pattern(_node(subject), _node(predicate), None, ox.DefaultGraph())]


def _value(store: Any, subject: str, predicate: str) -> str:
    found = _values(store, subject, predicate)
    return min(found) if found else ""


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DCTERMS = "http://purl.org/dc/terms/"


def _entity_types(store: Any) -> dict[str, str]:
    """Each typed entity and its type; an entity with several types keeps the first in ENTITY_TYPES."""
    types: dict[str, str] = {}
    for name in ENTITY_TYPES:
        for entity in _subjects(store, _RDF + "type", _KG + name):
            if "://" in entity:  # an IRI, not a blank node
                types.setdefault(entity, name)
    return types


def _relation_triples(store: Any) -> list[tuple[str, str, str]]:
    return sorted((s, relation, o) for relation in RELATIONS for s, o in _pairs(store, _KG + relation) if "://" in o)


def _count(store: Any, query: str) -> int:
    return int(next(iter(store.query(query)))[0].value)


def _mention_counts(store: Any) -> dict[str, int]:
    """How many articles mention each entity (counted in the store, not in Python)."""
    query = f"SELECT ?e (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a <{_KG}mentions> ?e }} GROUP BY ?e"
    return {row[0].value: int(row[1].value) for row in store.query(query)}


class ArticleLookup(dict):
    """Title, URL, date and language of articles, looked up by IRI as they are asked for."""

    def __init__(self, store: Any):
        super().__init__()
        self.store = store

    def __missing__(self, article: str) -> dict[str, str]:
        info = {
            key: _value(self.store, article, _DCTERMS + predicate)
            for key, predicate in (("title", "title"), ("url", "source"), ("date", "date"), ("lang", "language"))
        }
        self[article] = info
        return info


_DETAILS = {
    _KG + "evidence": "text",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "article",
    _KG + "startOffset": "start",
    _KG + "endOffset": "end",
    _KG + "confidence": "confidence",
    _KG + "amount": "amount",
    _KG + "currency": "currency",
    _KG + "date": "date",
}


def statements(store: Any, wanted: Any = None) -> dict[Fact, list[str]]:
    """The assertions stating each (subject, relation, object) fact, by fact, in IRI order.

    `wanted(fact)` may restrict the facts kept. One pass over each of the three columns of the
    assertions, each entity and relation held once however many assertions name it.
    """
    names: dict[str, str] = {}
    rows: dict[str, list[str | None]] = {}
    for x, s in _pairs(store, _RDF + "subject"):
        rows[x] = [names.setdefault(s, s), None, None]
    for column, name in ((1, "predicate"), (2, "object")):
        for x, value in _pairs(store, _RDF + name):
            row = rows.get(x)
            if row is not None:
                term = value.removeprefix(_KG) if column == 1 else value
                row[column] = names.setdefault(term, term)
    found: dict[Fact, list[str]] = defaultdict(list)
    for x in sorted(rows):
        subject, p, o = rows.pop(x)
        if subject is None or p is None or o is None:
            continue
        fact = (subject, p, o)
        if wanted is None or wanted(fact):
            found[fact].append(x)  # type: ignore[index]
    return found


def evidence_items(store: Any, assertions: Iterable[str], articles: dict[str, dict[str, str]] | None = None):
    """The evidence dicts of `assertions` (text, article title/url, offsets, confidence, amount,
    currency, date), sorted by article title, article and offset."""
    import pyoxigraph as ox

    articles = ArticleLookup(store) if articles is None else articles
    items = []
    for x in assertions:
        values: dict[str, str] = {}
        for quad in store.quads_for_pattern(_node(x), None, None, ox.DefaultGraph()):
            name = _DETAILS.get(quad.predicate.value)
            if name is not None and name not in values:
                values[name] = quad.object.value
        article = values.get("article", "")
        info = articles[article] if article else {}
        items.append(
            {
                "assertion": x,
                "text": values.get("text", ""),
                "article": article,
                "title": info.get("title", ""),
                "url": info.get("url", ""),
                "published": info.get("date", ""),
                "lang": info.get("lang", ""),
                "start": _int(values.get("start")),
                "end": _int(values.get("end")),
                "confidence": _number(values.get("confidence")),
                "amount": values.get("amount"),
                "currency": values.get("currency") or None,
                "date": values.get("date") or None,
            }
        )
    return _sort_evidence(items)


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

    store = as_store(source)
    nxg = nx.MultiDiGraph()
    types = _entity_types(store)
    triples = _relation_triples(store)
    endpoints = {s for s, _, _ in triples} | {o for _, _, o in triples}
    mentioned = _mention_counts(store)
    for entity in sorted(set(types) | endpoints):
        label = _value(store, entity, str(RDFS.label)) or _local_name(entity)
        same = [x for x in _values(store, entity, str(OWL.sameAs)) if x.startswith(str(WIKIDATA))]
        nxg.add_node(
            entity,
            label=label,
            type=types.get(entity, ""),
            aliases=sorted(set(_values(store, entity, str(SKOS.altLabel))) - {label}),
            wikidata=min(same) if same else "",
            articles=mentioned.get(entity, 0),
        )
    found = statements(store) if with_evidence else {}
    articles = ArticleLookup(store)
    for s, relation, o in triples:
        stated = found.get((s, relation, o), [])
        if relation in SYMMETRIC:
            stated = sorted({*stated, *found.get((o, relation, s), [])})
        items = evidence_items(store, stated, articles) if stated else []
        nxg.add_edge(s, o, key=relation, relation=relation, evidence=items)
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


def distinct_facts(nxg: nx.MultiDiGraph) -> list[Fact]:
    """Each distinct fact once, sorted (as `facts`, without the evidence)."""
    found = set()
    for s, o, relation in nxg.edges(keys=True):
        found.add((o, relation, s) if relation in SYMMETRIC and o < s else (s, relation, o))
    return sorted(found)


def _links(nxg: nx.MultiDiGraph) -> dict[tuple[str, str], float]:
    """Undirected link weights: how many distinct facts join each pair of entities."""
    weights: Counter[tuple[str, str]] = Counter()
    for s, _relation, o in distinct_facts(nxg):
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
    for s, _relation, o in distinct_facts(nxg):
        counts[s] += 1
        if o != s:
            counts[o] += 1
    return dict(counts)


def degree_ranking(nxg: nx.MultiDiGraph, n: int = 10) -> list[tuple[str, str, int]]:
    """The `n` entities in the most facts, as (label, type, degree), ties by label."""
    degrees = degree(nxg)
    ranked = sorted(degrees.items(), key=lambda item: (-item[1], nxg.nodes[item[0]].get("label", ""), item[0]))
    return [(nxg.nodes[node].get("label", ""), nxg.nodes[node].get("type", ""), d) for node, d in ranked[:n]]


def summary(source: Any, nxg: nx.MultiDiGraph | None = None) -> dict[str, Any]:
    """Counts of a built graph (a pyoxigraph store or an rdflib graph): articles, entities (total and
    by type), facts (by relation), assertions; `nxg`, its `to_networkx` where already made.

    Facts count distinct relation triples, a symmetric pair stated both ways once. `dates`
    is the earliest and latest article date, or None.
    """
    store = as_store(source)
    nxg = to_networkx(store, with_evidence=False) if nxg is None else nxg
    types = {node: data["type"] for node, data in nxg.nodes(data=True) if data["type"]}
    by_type = Counter(types.values())
    by_relation = Counter(relation for _, relation, _ in distinct_facts(nxg))
    article = f"<{_RDF}type> <{_KG}Article>"
    dates = next(
        iter(
            store.query(
                f"SELECT (MIN(STR(?d)) AS ?a) (MAX(STR(?d)) AS ?b) WHERE {{ ?x {article} ; <{_DCTERMS}date> ?d }}"
            )
        )
    )
    first, last = (None if d is None else d.value[:10] for d in dates)
    return {
        "articles": _count(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x {article} }}"),
        "entities": len(types),
        "entities_by_type": {name: by_type.get(name, 0) for name in ENTITY_TYPES},
        "facts": sum(by_relation.values()),
        "facts_by_relation": {name: by_relation.get(name, 0) for name in RELATIONS},
        "assertions": _count(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x <{_RDF}type> <{_KG}Assertion> }}"),
        "dates": [first, last] if first and last else None,
    }
