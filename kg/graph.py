"""Facts, entities and articles → one rdflib graph following the output contract (DESIGN.md)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from .namespace import ENTITY_BASE, KG, WIKIDATA, bind_prefixes, mint, slugify
from .records import ArticleResult, Entity

_ISO_DATE_LENGTH = 10


def entity_iris(entities: Mapping[str, Entity], base: str = ENTITY_BASE) -> dict[str, URIRef]:
    """One IRI per entity key: the slug of the key, made unique deterministically on collisions."""
    iris: dict[str, URIRef] = {}
    taken: set[str] = set()
    # knowledge-base keys first: they are slugs already and must stay stable
    for key in sorted(entities, key=lambda k: (k.startswith("new:"), k)):
        entity = entities[key]
        slug = slugify(entity.label) if key.startswith("new:") else key
        if slug in taken:
            slug = f"{slug}-{slugify(entity.type)}"
        n = 2
        base_slug = slug
        while slug in taken:
            slug = f"{base_slug}-{n}"
            n += 1
        taken.add(slug)
        iris[key] = mint("entity", slug, base)
    return iris


def to_rdf(
    results: Iterable[ArticleResult],
    entities: Mapping[str, Entity],
    kb_names: Mapping[str, Iterable[tuple[str, str]]] | None = None,
    base: str = ENTITY_BASE,
) -> Graph:
    """The graph of the articles in `results`.

    `entities` maps every entity key that the results mention to its canonical `Entity`;
    `kb_names` gives (name, language tag) pairs of knowledge-base entities, written as
    `skos:altLabel` with their language.
    """
    results = list(results)
    graph = bind_prefixes(Graph(), base)
    # Sectors are entities only as the target of an investment
    invested_sectors = {f.object for r in results for f in r.facts if f.predicate == "investsIn"}
    used: set[str] = set()
    for r in results:
        for m in r.mentions:
            if m.label != "Sector" or m.key in invested_sectors:
                used.add(m.key)
    iris = entity_iris({k: entities[k] for k in used if k in entities}, base)
    surface: dict[str, set[str]] = defaultdict(set)

    for r in results:
        article = r.article
        node = mint("article", article.id)
        graph.add((node, RDF.type, KG.Article))
        graph.add((node, DCTERMS.identifier, Literal(article.id)))
        if article.title:
            graph.add((node, DCTERMS.title, Literal(article.title)))
        graph.add((node, DCTERMS.source, Literal(article.url or article.path)))
        graph.add((node, DCTERMS.language, Literal(article.lang)))
        if article.published:
            graph.add((node, DCTERMS.date, _date(article.published)))
        for m in r.mentions:
            if m.key in iris:
                graph.add((node, KG.mentions, iris[m.key]))
                surface[m.key].add(m.text)
        for f in r.facts:
            if f.subject not in iris or f.object not in iris:
                continue
            s, p, o = iris[f.subject], KG[f.predicate], iris[f.object]
            graph.add((s, p, o))
            digest = hashlib.sha256(f"{f.article}\0{f.start}\0{s}\0{p}\0{o}".encode()).hexdigest()[:24]
            a = mint("assertion", digest)
            graph.add((a, RDF.type, KG.Assertion))
            graph.add((a, RDF.subject, s))
            graph.add((a, RDF.predicate, p))
            graph.add((a, RDF.object, o))
            graph.add((a, PROV.wasDerivedFrom, node))
            graph.add((a, KG.evidence, Literal(f.evidence)))
            graph.add((a, KG.startOffset, Literal(f.start, datatype=XSD.integer)))
            graph.add((a, KG.endOffset, Literal(f.end, datatype=XSD.integer)))
            graph.add((a, KG.confidence, Literal(Decimal(str(f.confidence)), datatype=XSD.decimal)))
            if f.amount is not None:
                graph.add((a, KG.amount, _decimal(f.amount)))
                graph.add((a, KG.currency, Literal(f.currency)))
            date = f.date or article.published
            if date:
                graph.add((a, KG.date, _date(date)))

    for key, iri in iris.items():
        entity = entities[key]
        graph.add((iri, RDF.type, KG[entity.type]))
        graph.add((iri, RDFS.label, Literal(entity.label)))
        names = {entity.label}
        for name, lang in sorted((kb_names or {}).get(key, ())):
            if name != entity.label:
                graph.add((iri, SKOS.altLabel, Literal(name, lang=lang or None)))
            names.add(name)
        for name in sorted(set(entity.aliases) | surface[key]):
            if name not in names:
                graph.add((iri, SKOS.altLabel, Literal(name)))
                names.add(name)
        if entity.wikidata:
            graph.add((iri, OWL.sameAs, WIKIDATA[entity.wikidata]))
    return graph


def _decimal(value: Decimal) -> Literal:
    """The canonical xsd:decimal form ("2000000000.0"), whatever the Decimal's exponent."""
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


def _date(value: str) -> Literal:
    if len(value) >= _ISO_DATE_LENGTH and value[4] == "-" and value[7] == "-":
        return Literal(value[:_ISO_DATE_LENGTH], datatype=XSD.date)
    return Literal(value)
