"""Facts, entities and articles → RDF triples following the output contract (DESIGN.md).

Triples are made as pyoxigraph terms and streamed, never gathered in one in-memory graph, in
named parts (`corpus_parts`): the entities' descriptions (`entity_triples`), then what each
article owns (`article_triples`: its node, its mentions, its assertions and the facts they
state). What they need to know of the rest of the corpus — the surface forms of each entity, how
many sentences state each fact, which sectors are invested in — is kept in a small
`CorpusIndex`, so that a build can take one article's triples out of the store and put its new
ones in without touching the others (`changes`). `to_rdf` gathers the same triples in an rdflib
graph, for tests and small uses.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from .link import NEW_PREFIX, new_entity
from .namespace import ENTITY_BASE, KG, WIKIDATA, bind_prefixes, mint, slugify
from .records import ArticleResult, Entity

_ISO_DATE_LENGTH = 10


def _iri(term: Any) -> ox.NamedNode:
    return ox.NamedNode(str(term))


class _V:
    """The vocabulary's terms as pyoxigraph nodes, made once."""

    type = _iri(RDF.type)
    subject, predicate, object = _iri(RDF.subject), _iri(RDF.predicate), _iri(RDF.object)
    label, alt_label, same_as = _iri(RDFS.label), _iri(SKOS.altLabel), _iri(OWL.sameAs)
    derived_from = _iri(PROV.wasDerivedFrom)
    identifier, title, source = _iri(DCTERMS.identifier), _iri(DCTERMS.title), _iri(DCTERMS.source)
    language, date_, creator = _iri(DCTERMS.language), _iri(DCTERMS.date), _iri(DCTERMS.creator)
    Article, Assertion = _iri(KG.Article), _iri(KG.Assertion)
    mentions, evidence = _iri(KG.mentions), _iri(KG.evidence)
    start, end, confidence = _iri(KG.startOffset), _iri(KG.endOffset), _iri(KG.confidence)
    amount, currency, date = _iri(KG.amount), _iri(KG.currency), _iri(KG.date)
    xsd_integer, xsd_decimal, xsd_date = _iri(XSD.integer), _iri(XSD.decimal), _iri(XSD.date)


# An entity's description: every triple of these predicates with the entity as subject.
DESCRIPTION = (_V.type, _V.label, _V.alt_label, _V.same_as)

_KG = str(KG._NS)
_CLASSES: dict[str, ox.NamedNode] = {}


def _kg(local: str) -> ox.NamedNode:
    node = _CLASSES.get(local)
    if node is None:
        node = _CLASSES[local] = ox.NamedNode(_KG + local)
    return node


# --------------------------------------------------------------------------- IRIs


def entity_iris(
    entities: Mapping[str, Entity], base: str = ENTITY_BASE, reserved: Iterable[str] = ()
) -> dict[str, ox.NamedNode]:
    """One IRI per entity key: the slug of the key, made unique deterministically on collisions.

    Knowledge-base keys are slugs already and keep them; `reserved` names further slugs (the whole
    knowledge base's keys) that a new name never takes, so that an entity's IRI does not change
    when another one first appears in the corpus.
    """
    iris: dict[str, ox.NamedNode] = {}
    taken: set[str] = set(reserved)
    for key in sorted(entities, key=lambda k: (k.startswith(NEW_PREFIX), k)):
        entity = entities[key]
        if key.startswith(NEW_PREFIX):
            parts = key.split(":", 2)  # new:Type:slug
            slug = parts[2] if len(parts) == 3 and parts[2] else slugify(entity.label)
            if slug in taken:
                slug = f"{slug}-{slugify(entity.type)}"
        else:
            slug = slugify(key)  # the key itself for every knowledge-base key
            taken.discard(slug)  # a reserved knowledge-base key is its own entity's
        n = 2
        base_slug = slug
        while slug in taken:
            slug = f"{base_slug}-{n}"
            n += 1
        taken.add(slug)
        iris[key] = ox.NamedNode(base + slug)  # a slug already: minting it again could merge two
    return iris


def article_iri(article_id: str) -> ox.NamedNode:
    return ox.NamedNode(str(mint("article", article_id)))


def assertion_iri(article_id: str, start: int, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode) -> ox.NamedNode:
    """The IRI of the assertion that sentence `start` of an article states `s p o`."""
    digest = hashlib.sha256(f"{article_id}\0{start}\0{s.value}\0{p.value}\0{o.value}".encode()).hexdigest()[:24]
    return ox.NamedNode(str(mint("assertion", digest)))


# --------------------------------------------------------------------------- what the corpus shares


@dataclass
class CorpusIndex:
    """What the triples of one article or entity need to know of the whole corpus.

    Counts, so that an article can be taken out as well as put in: the surface forms of each
    entity key, the mentions of each key as a sector and as anything else, how many investments
    target each key, and which sentences state each (subject, relation, object) fact.
    """

    forms: dict[str, Counter] = field(default_factory=dict)
    mentions: Counter = field(default_factory=Counter)  # keys mentioned as anything but a sector
    sector_mentions: Counter = field(default_factory=Counter)
    invested: Counter = field(default_factory=Counter)  # objects of investsIn facts
    # the sentences stating each (subject key, relation, object key) fact, as (article id, offset)
    facts: dict[tuple[str, str, str], set[tuple[str, int]]] = field(default_factory=dict)

    def add(self, result: ArticleResult, sign: int = 1) -> None:
        """Count `result` in (sign 1) or out (sign -1)."""
        for m in result.mentions:
            forms = self.forms.setdefault(m.key, Counter())
            forms[m.text] += sign
            if forms[m.text] <= 0:
                del forms[m.text]
                if not forms:
                    del self.forms[m.key]
            _count(self.sector_mentions if m.label == "Sector" else self.mentions, m.key, sign)
        for f in result.facts:
            fact = (f.subject, f.predicate, f.object)
            if sign > 0:
                self.facts.setdefault(fact, set()).add((f.article, f.start))
            elif fact in self.facts:
                self.facts[fact].discard((f.article, f.start))
                if not self.facts[fact]:
                    del self.facts[fact]
            if f.predicate == "investsIn":
                _count(self.invested, f.object, sign)

    def remove(self, result: ArticleResult) -> None:
        self.add(result, -1)

    def used(self) -> set[str]:
        """The keys that are entities of the graph: sectors only as the target of an investment."""
        return set(self.mentions) | {k for k in self.sector_mentions if self.invested.get(k)}

    def used_sectors(self) -> set[str]:
        return {k for k in self.sector_mentions if self.invested.get(k) and k not in self.mentions}

    def new_entities(self) -> dict[str, Entity]:
        """Entities for the keys the knowledge base lacks (`kg.link.new_entity`)."""
        return {key: new_entity(key, forms) for key, forms in self.forms.items() if key.startswith(NEW_PREFIX)}

    def entities(self, known: Mapping[str, Entity]) -> dict[str, Entity]:
        """Every entity of the graph by key: the knowledge base's (`known`) and the new ones."""
        new = self.new_entities()
        out = {}
        for key in self.used():
            entity = known.get(key) or new.get(key)
            if entity is not None:
                out[key] = entity
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "forms": {k: dict(sorted(v.items())) for k, v in sorted(self.forms.items())},
            "mentions": dict(sorted(self.mentions.items())),
            "sector_mentions": dict(sorted(self.sector_mentions.items())),
            "invested": dict(sorted(self.invested.items())),
            "facts": sorted([*k, sorted(v)] for k, v in self.facts.items()),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CorpusIndex:
        """The index of `to_json`'s output; raises ValueError/TypeError/KeyError on a malformed one."""
        ids: dict[str, str] = {}  # each article id held once, however many facts it states
        return cls(
            forms={k: Counter({t: int(n) for t, n in v.items()}) for k, v in data["forms"].items()},
            mentions=Counter({k: int(n) for k, n in data["mentions"].items()}),
            sector_mentions=Counter({k: int(n) for k, n in data["sector_mentions"].items()}),
            invested=Counter({k: int(n) for k, n in data["invested"].items()}),
            facts={(s, p, o): {(ids.setdefault(a, a), int(n)) for a, n in stated} for s, p, o, stated in data["facts"]},
        )


def _count(counter: Counter, key: Any, sign: int) -> None:
    counter[key] += sign
    if counter[key] <= 0:
        del counter[key]


# --------------------------------------------------------------------------- triples


def article_triples(result: ArticleResult, iris: Mapping[str, ox.NamedNode]) -> Iterator[ox.Quad]:
    """Everything one article states: its node, its mentions, its assertions and their facts."""
    article = result.article
    node = article_iri(article.id)
    Q = ox.Quad
    yield Q(node, _V.type, _V.Article)
    yield Q(node, _V.identifier, ox.Literal(article.id))
    if article.title:
        yield Q(node, _V.title, ox.Literal(article.title))
    yield Q(node, _V.source, ox.Literal(article.url or article.path))
    yield Q(node, _V.language, ox.Literal(article.lang))
    if article.published:
        yield Q(node, _V.date_, _date(article.published))
    if article.author:
        yield Q(node, _V.creator, ox.Literal(article.author))
    mentioned = set()
    for m in result.mentions:
        iri = iris.get(m.key)
        if iri is not None and m.key not in mentioned:
            mentioned.add(m.key)
            yield Q(node, _V.mentions, iri)
    for f in result.facts:
        s, o = iris.get(f.subject), iris.get(f.object)
        if s is None or o is None:
            continue
        p = _kg(f.predicate)
        yield Q(s, p, o)
        a = assertion_iri(f.article, f.start, s, p, o)
        yield Q(a, _V.type, _V.Assertion)
        yield Q(a, _V.subject, s)
        yield Q(a, _V.predicate, p)
        yield Q(a, _V.object, o)
        yield Q(a, _V.derived_from, node)
        yield Q(a, _V.evidence, ox.Literal(f.evidence))
        yield Q(a, _V.start, ox.Literal(str(f.start), datatype=_V.xsd_integer))
        yield Q(a, _V.end, ox.Literal(str(f.end), datatype=_V.xsd_integer))
        yield Q(a, _V.confidence, ox.Literal(str(Decimal(str(f.confidence))), datatype=_V.xsd_decimal))
        if f.amount is not None:
            yield Q(a, _V.amount, _decimal(f.amount))
            yield Q(a, _V.currency, ox.Literal(f.currency))
        date = f.date or article.published
        if date:
            yield Q(a, _V.date, _date(date))


class Statements:
    """The assertions stating each fact of the graph, by (subject IRI, relation, object IRI), in IRI
    order: computed from the corpus index for the facts asked for (`get`), not read from the store."""

    def __init__(self, index: CorpusIndex, layout: Layout):
        self.index = index
        self.iris = layout.iris
        self.keys = {iri.value: key for key, iri in layout.iris.items()}

    def get(self, fact: tuple[str, str, str], default: Any = None) -> Any:
        s, relation, o = fact
        sentences = self.index.facts.get((self.keys.get(s, ""), relation, self.keys.get(o, "")))
        if not sentences:
            return default
        si, oi, p = self.iris[self.keys[s]], self.iris[self.keys[o]], _kg(relation)
        return sorted(assertion_iri(article, start, si, p, oi).value for article, start in sentences)


def owned_subjects(result: ArticleResult, iris: Mapping[str, ox.NamedNode]) -> Iterator[ox.NamedNode]:
    """The nodes whose every triple belongs to this article: the article and its assertions."""
    yield article_iri(result.article.id)
    for f in result.facts:
        s, o = iris.get(f.subject), iris.get(f.object)
        if s is not None and o is not None:
            yield assertion_iri(f.article, f.start, s, _kg(f.predicate), o)


def entity_triples(
    iri: ox.NamedNode, entity: Entity, kb_names: Iterable[tuple[str, str]], seen: Iterable[str]
) -> Iterator[ox.Quad]:
    """An entity's description: its type, canonical label, other names and Wikidata item.

    `kb_names` are the knowledge base's (name, language tag) pairs; `seen` the surface forms
    the articles used.
    """
    Q = ox.Quad
    yield Q(iri, _V.type, _kg(entity.type))
    yield Q(iri, _V.label, ox.Literal(entity.label))
    names = {entity.label}
    for name, lang in sorted(kb_names):
        if name != entity.label:
            yield Q(iri, _V.alt_label, ox.Literal(name, language=lang) if lang else ox.Literal(name))
        names.add(name)
    for name in sorted(set(entity.aliases) | set(seen)):
        if name not in names:
            yield Q(iri, _V.alt_label, ox.Literal(name))
            names.add(name)
    if entity.wikidata:
        yield Q(iri, _V.same_as, ox.NamedNode(str(WIKIDATA[entity.wikidata])))


@dataclass(frozen=True)
class Layout:
    """The entities of a corpus index and their IRIs: what every triple of the graph refers to."""

    entities: dict[str, Entity]
    iris: dict[str, ox.NamedNode]

    @classmethod
    def of(cls, index: CorpusIndex, known: Mapping[str, Entity], base: str = ENTITY_BASE) -> Layout:
        entities = index.entities(known)
        return cls(entities, entity_iris(entities, base, reserved=known))


ENTITIES_PART = ""  # the name of the part of graph.ttl that describes the entities; the others are articles


def entity_part(layout: Layout, index: CorpusIndex, kb_names: Mapping[str, Iterable[tuple[str, str]]]) -> list[ox.Quad]:
    """The description of every entity of the graph, by key."""
    quads: list[ox.Quad] = []
    for key in sorted(layout.iris):
        entity = layout.entities[key]
        quads += entity_triples(layout.iris[key], entity, kb_names.get(key, ()), index.forms.get(key, ()))
    return quads


def corpus_parts(
    results: Iterable[ArticleResult],
    index: CorpusIndex,
    layout: Layout,
    kb_names: Mapping[str, Iterable[tuple[str, str]]],
) -> Iterator[tuple[str, list[ox.Quad]]]:
    """The graph of `results` (whose counts are `index`) in named parts: the entities, then each article."""
    yield ENTITIES_PART, entity_part(layout, index, kb_names)
    for result in results:
        yield result.article.id, list(article_triples(result, layout.iris))


@dataclass
class Changes:
    """How the graph of a corpus changes when some articles' results are replaced by others."""

    subjects: list[ox.NamedNode]  # every triple with one of these subjects goes
    descriptions: list[ox.NamedNode]  # the description triples of these entities go
    triples: list[ox.Quad]  # facts no sentence states any more
    added: list[ox.Quad]  # then these come in
    articles: dict[str, list[ox.Quad]]  # the triples of each added article, by id
    layout: Layout  # of the graph after the changes
    index: CorpusIndex  # of the graph after the changes


def changes(
    removed: Iterable[ArticleResult],
    added: Iterable[ArticleResult],
    before: CorpusIndex,
    known: Mapping[str, Entity],
    kb_names: Mapping[str, Iterable[tuple[str, str]]],
    base: str = ENTITY_BASE,
) -> Changes | None:
    """The changes that turn the graph of `before` into the graph without `removed` and with
    `added`; None when they would rename or retype entities the unchanged articles refer to, or
    make a sector an entity or no more one (a whole new graph is needed then). `before` is
    changed into the index after them (`Changes.index`), whatever the answer.
    """
    removed, added = list(removed), list(added)
    old = Layout.of(before, known, base)
    used_sectors = before.used_sectors()
    after = before
    for result in removed:
        after.remove(result)
    for result in added:
        after.add(result)
    new = Layout.of(after, known, base)
    if used_sectors != after.used_sectors():
        return None  # a sector's mentions in unchanged articles appear or vanish
    for key in old.iris.keys() & new.iris.keys():
        if old.iris[key] != new.iris[key] or old.entities[key].type != new.entities[key].type:
            return None

    subjects = [s for r in removed for s in owned_subjects(r, old.iris)]
    gone_facts = []
    for fact in {(f.subject, f.predicate, f.object) for r in removed for f in r.facts}:
        s, p, o = fact
        if not after.facts.get(fact) and s in old.iris and o in old.iris:
            gone_facts.append(ox.Quad(old.iris[s], _kg(p), old.iris[o]))
    touched = {m.key for r in (*removed, *added) for m in r.mentions}
    descriptions = sorted((old.iris[k] for k in touched if k in old.iris), key=lambda n: n.value)
    articles = {r.article.id: list(article_triples(r, new.iris)) for r in added}
    new_triples = [q for quads in articles.values() for q in quads]
    for key in sorted(touched & new.iris.keys()):
        new_triples += entity_triples(new.iris[key], new.entities[key], kb_names.get(key, ()), after.forms.get(key, ()))
    return Changes(subjects, descriptions, sorted(gone_facts, key=str), new_triples, articles, new, after)


# --------------------------------------------------------------------------- rdflib


def to_rdflib(term: Any) -> Any:
    """The rdflib term of a pyoxigraph term."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdf(
    results: Iterable[ArticleResult],
    entities: Mapping[str, Entity],
    kb_names: Mapping[str, Iterable[tuple[str, str]]] | None = None,
    base: str = ENTITY_BASE,
) -> Graph:
    """The rdflib graph of the articles in `results`.

    `entities` maps every entity key that the results mention to its canonical `Entity` (new
    names included); `kb_names` gives (name, language tag) pairs of knowledge-base entities,
    written as `skos:altLabel` with their language.
    """
    results = list(results)
    index = CorpusIndex()
    for result in results:
        index.add(result)
    known = {k: e for k, e in entities.items() if not k.startswith(NEW_PREFIX)}
    used = {k: entities[k] for k in index.used() if k in entities}
    layout = Layout(used, entity_iris(used, base, reserved=known))
    graph = bind_prefixes(Graph(), base)
    for _, quads in corpus_parts(results, index, layout, kb_names or {}):
        for quad in quads:
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def _decimal(value: Decimal) -> ox.Literal:
    """The canonical xsd:decimal form ("2000000000", "1.5"), whatever the Decimal's exponent: the
    form the store keeps, so graph.ttl and the store hold the very same terms."""
    return ox.Literal(format(value.normalize(), "f"), datatype=_V.xsd_decimal)


def _date(value: str) -> ox.Literal:
    if len(value) >= _ISO_DATE_LENGTH and value[4] == "-" and value[7] == "-":
        return ox.Literal(value[:_ISO_DATE_LENGTH], datatype=_V.xsd_date)
    return ox.Literal(value)
