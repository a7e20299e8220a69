"""The `kg` vocabulary as code, prefix bindings and the one IRI minting function."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

ENTITY_BASE = "https://w3id.org/kg/entity/"
ARTICLE_BASE = "https://w3id.org/kg/article/"
ASSERTION_BASE = "https://w3id.org/kg/assertion/"
WIKIDATA = Namespace("http://www.wikidata.org/entity/")


class KG(DefinedNamespace):
    """Terms of `https://w3id.org/kg/ontology#`; a misspelt term raises AttributeError."""

    _fail = True
    _NS = Namespace("https://w3id.org/kg/ontology#")

    # classes
    Organization: URIRef
    Person: URIRef
    AIModel: URIRef
    Product: URIRef
    Hardware: URIRef
    Project: URIRef
    Place: URIRef
    Sector: URIRef
    Article: URIRef
    Assertion: URIRef
    # relations
    competesWith: URIRef
    investsIn: URIRef
    trainedOn: URIRef
    developedBy: URIRef
    partnersWith: URIRef
    leads: URIRef
    locatedIn: URIRef
    # assertion and article properties
    evidence: URIRef
    startOffset: URIRef
    endOffset: URIRef
    confidence: URIRef
    amount: URIRef
    currency: URIRef
    date: URIRef
    mentions: URIRef
    mentionCount: URIRef
    # lexicalisation (ontology files only)
    trigger: URIRef
    inverseTrigger: URIRef
    cue: URIRef
    suffixCue: URIRef
    demonym: URIRef
    negationCue: URIRef
    hedgeCue: URIRef
    stopWord: URIRef
    versionWord: URIRef
    legalForm: URIRef
    titleWord: URIRef
    roundCue: URIRef
    roundLeadCue: URIRef
    participationCue: URIRef
    leadVerb: URIRef
    investorNoun: URIRef
    needsAmount: URIRef
    matchCase: URIRef
    window: URIRef
    possessiveCue: URIRef
    coordination: URIRef
    lexicon: URIRef
    affiliation: URIRef
    maker: URIRef
    basedIn: URIRef
    Lexicon: URIRef


ENTITY_TYPES = ("Organization", "Person", "AIModel", "Product", "Hardware", "Project", "Place", "Sector")
RELATIONS = ("competesWith", "investsIn", "trainedOn", "developedBy", "partnersWith", "leads", "locatedIn")
SYMMETRIC = frozenset({"competesWith", "partnersWith"})

PREFIXES = {
    "kg": KG._NS,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "xsd": XSD,
}


def bind_prefixes(graph: Graph, entity_base: str = ENTITY_BASE) -> Graph:
    """Bind the project's prefixes on `graph` (the only place prefixes are chosen)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    graph.bind("kge", Namespace(entity_base), override=True)
    graph.bind("wd", WIKIDATA, override=True)
    return graph


def slugify(name: str) -> str:
    """A stable, readable slug: accents folded, lower case, words joined by '-'."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^0-9a-z]+", "-", folded.lower()).strip("-")[:120].strip("-")
    if not slug:
        # names in scripts with no ASCII fold keep their characters, percent-encoded after cutting
        raw = "-".join(name.split()).lower()[:40]
        slug = quote(raw, safe="") or "unnamed"
        if slug.endswith("."):  # a name may not end in "." in Turtle; some parsers reject it escaped
            slug = slug[:-1] + "%2E"
    return slug


def mint(kind: str, key: str, base: str = ENTITY_BASE) -> URIRef:
    """Mint the IRI of an entity (`kind="entity"`), article or assertion from its key."""
    if kind == "entity":
        return URIRef(base + slugify(key))
    if kind == "article":
        return URIRef(ARTICLE_BASE + quote(key, safe=""))
    if kind == "assertion":
        return URIRef(ASSERTION_BASE + quote(key, safe=""))
    raise ValueError(f"unknown IRI kind {kind!r}")
