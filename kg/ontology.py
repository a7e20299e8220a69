"""Load the ontology, its lexicon and the knowledge base from Turtle files into fast lookup tables."""

from __future__ import annotations

import hashlib
import logging
import os
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from .errors import OntologyError
from .namespace import ENTITY_TYPES, KG, RELATIONS, SYMMETRIC
from .records import Entity

log = logging.getLogger(__name__)
LINKS = ("affiliation", "maker", "basedIn")  # the knowledge base's links between entities, features of the model

Pattern = tuple[tuple[str, bool], ...]  # (folded word, is_prefix) per token
PATTERN_CACHE_WORDS = 200_000  # distinct words whose starting patterns a PatternSet remembers


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a word, used for every lexical comparison."""
    text = text.replace("’", "'")
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def parse_pattern(text: str) -> Pattern:
    """'joint venture' → (('joint', False), ('venture', False)); 'invest*' → (('invest', True),)."""
    words = []
    for word in text.split():
        prefix = len(word) > 1 and word.endswith("*")
        words.append((fold(word[:-1] if prefix else word), prefix))
    return tuple(words)


class PatternSet:
    """Patterns indexed by their first word, so matching at a token tries only the few that can match.

    Each pattern carries a payload (e.g. whether a trigger is inverse); `matches` returns them
    longest first, in the order they were given for equal lengths.
    """

    def __init__(self, items: Iterable[tuple[Pattern, object]] = ()):
        self.exact: dict[str, list[tuple[int, Pattern, object]]] = {}
        self.prefixed: dict[str, list[tuple[int, Pattern, object]]] = {}
        self.short: list[tuple[int, Pattern, object]] = []
        self._cache: dict[str, tuple[tuple[int, Pattern, object], ...]] = {}  # see `_starting`
        for order, (pattern, payload) in enumerate(items):
            if not pattern:
                continue
            entry = (order, pattern, payload)
            word, is_prefix = pattern[0]
            if not is_prefix:
                self.exact.setdefault(word, []).append(entry)
            elif len(word) >= 2:
                self.prefixed.setdefault(word[:2], []).append(entry)
            else:
                self.short.append(entry)

    @classmethod
    def of(cls, patterns: Iterable[Pattern]) -> PatternSet:
        return cls((p, None) for p in patterns)

    def _starting(self, word: str) -> tuple[tuple[int, Pattern, object], ...]:
        """The patterns whose first word matches `word`, longest first then in the order given; the
        callers look in `_cache` first, so this is worked out once per distinct word."""
        found = [
            e
            for bucket in (self.exact.get(word, ()), self.prefixed.get(word[:2], ()), self.short)
            for e in bucket
            if (word.startswith(e[1][0][0]) if e[1][0][1] else word == e[1][0][0])
        ]
        hit = tuple(sorted(found, key=lambda e: (-len(e[1]), e[0])))
        if len(self._cache) >= PATTERN_CACHE_WORDS:
            self._cache.clear()  # bounded memory on any input
        self._cache[word] = hit
        return hit

    def matches(self, words: Sequence[str], i: int) -> list[tuple[Pattern, object]]:
        word = words[i]
        hit = self._cache.get(word)
        if hit is None:
            hit = self._starting(word)
        if not hit:
            return []
        return [(pattern, payload) for _, pattern, payload in hit if len(pattern) == 1 or matches_at(words, i, pattern)]

    def at(self, words: Sequence[str], i: int) -> int:
        """The length of the longest pattern matching at `i`, or 0."""
        word = words[i]
        hit = self._cache.get(word)
        if hit is None:
            hit = self._starting(word)
        for _, pattern, _ in hit:
            if len(pattern) == 1 or matches_at(words, i, pattern):
                return len(pattern)
        return 0


def matches_at(words: Sequence[str], i: int, pattern: Pattern) -> bool:
    """True when `pattern` matches the folded `words` starting at `i`."""
    if i + len(pattern) > len(words):
        return False
    for k, (w, prefix) in enumerate(pattern):
        word = words[i + k]
        if not (word.startswith(w) if prefix else word == w):
            return False
    return True


def pattern_variants(text: str) -> list[Pattern]:
    """The pattern of `text`, and where a word has an inner hyphen also the pattern with the hyphen as a
    token of its own: English tokenization splits "start-up" into "start", "-", "up"; Portuguese does not."""
    pattern = parse_pattern(text)
    if not any("-" in w.strip("-") for w, _ in pattern):
        return [pattern]
    split: list[tuple[str, bool]] = []
    for word, prefix in pattern:
        parts = word.split("-") if "-" in word.strip("-") else [word]
        for k, part in enumerate(parts):
            if k:
                split.append(("-", False))
            split.append((part, prefix and k == len(parts) - 1))
    return [pattern, tuple(split)]


def one_word(pattern: Pattern) -> bool:
    """A pattern of one written word: "startup", or "start-up" as "start", "-", "up"."""
    return all((w == "-") == (k % 2 == 1) for k, (w, _) in enumerate(pattern)) and len(pattern) % 2 == 1


@dataclass(frozen=True)
class Name:
    """One name of a knowledge-base entity."""

    text: str
    key: str
    lang: str  # "" when the name is not tied to a language
    match_case: bool


@dataclass
class RelationSpec:
    """A relation with its type constraints and trigger words per language."""

    name: str
    domain: frozenset[str]
    range: frozenset[str]
    symmetric: bool
    window: int = 10
    triggers: dict[str, list[Pattern]] = field(default_factory=dict)
    inverse_triggers: dict[str, list[Pattern]] = field(default_factory=dict)

    @property
    def typed_direction(self) -> bool:
        """True when domain and range are disjoint, so types alone tell subject from object."""
        return not (self.domain & self.range)


@dataclass(eq=False)
class Ontology:
    """Everything the pipeline knows: relations, type cues, lexicon and the knowledge base."""

    entities: dict[str, Entity]
    names: list[Name]
    demonyms: list[Name]
    relations: dict[str, RelationSpec]
    cues: dict[str, dict[str, list[Pattern]]]  # type → lang → patterns of nouns that announce it
    suffix_cues: dict[str, dict[str, list[Pattern]]]  # type → lang → words right after a name
    lexicon: dict[str, dict[str, list[Pattern]]]  # "negation"/"hedge"/"possessive"/"coordination" → lang → patterns
    version: str  # digest of every file read: part of the cache key
    links: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # (entity, entity) → what the knowledge base says joins them: "affiliation" (a person's organisation),
    # "maker" (who makes a model, product, chip or project), "basedIn" (an organisation's country)

    def lexicon_for(self, kind: str, lang: str) -> list[Pattern]:
        table = self.lexicon.get(kind, {})
        return table.get(lang, []) + table.get("", [])


def default_paths() -> list[Path]:
    """The ontology files shipped with `kg`: `kg.ttl` and the knowledge base `kb/*.ttl`."""
    env = os.environ.get("KG_ONTOLOGY_DIR")
    if env:
        return [Path(env)]
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "ontologies", here / "ontologies"):
        if (candidate / "kg.ttl").is_file():
            return [candidate]
    packaged = resources.files("kg") / "ontologies"
    return [Path(str(packaged))]


def _ttl_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.ttl") if p.name != "shapes.ttl")
        elif path.is_file():
            files.append(path)
        else:
            raise OntologyError(f"ontology path not found: {path}")
    return files


class _Literal(NamedTuple):
    """A literal of the ontology's files, sorted by language (none first), then text."""

    lang: str
    value: str
    datatype: str = ""

    def __str__(self) -> str:
        return self.value


class _Triples:
    """The triples of the ontology's files, indexed for the few lookups `_load` makes. IRIs are
    strings, blank nodes strings starting with "_:", literals `_Literal`s."""

    def __init__(self) -> None:
        self.by_subject: dict[tuple[str, str], list[Any]] = {}
        self.by_object: dict[tuple[str, Any], list[str]] = {}

    def read(self, path: Path, data: bytes) -> None:
        """Add one Turtle file, parsed by Oxigraph; `OntologyError` names it when it is not valid Turtle."""
        import pyoxigraph as ox

        def term(node: Any) -> Any:
            if isinstance(node, ox.NamedNode):
                return node.value
            if isinstance(node, ox.BlankNode):
                return "_:" + node.value
            datatype = "" if node.language or node.datatype.value == XSD_STRING else node.datatype.value
            return _Literal(lang=node.language or "", value=node.value, datatype=datatype)

        try:
            parsed = list(ox.parse(input=data, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))
        except (SyntaxError, ValueError, OSError) as exc:
            raise OntologyError(f"{path}: not valid Turtle: {exc}") from exc
        for t in parsed:
            s, p, o = term(t.subject), term(t.predicate), term(t.object)
            objects = self.by_subject.setdefault((s, p), [])
            if o not in objects:
                objects.append(o)
                self.by_object.setdefault((p, o), []).append(s)

    def objects(self, subject: Any, predicate: str) -> list[Any]:
        return self.by_subject.get((str(subject), str(predicate)), [])

    def value(self, subject: Any, predicate: str) -> Any:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def subjects(self, predicate: str, obj: Any) -> list[str]:
        return self.by_object.get((str(predicate), obj if isinstance(obj, _Literal) else str(obj)), [])

    def items(self, node: Any) -> list[Any]:
        """The members of the RDF list at `node`."""
        out = []
        while node is not None and node != RDF_NIL:
            out += self.objects(node, RDF_FIRST)
            node = self.value(node, RDF_REST)
        return out


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_FIRST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
RDF_REST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
RDF_NIL = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"


def load(extra: Sequence[str | os.PathLike] = ()) -> Ontology:
    """Load the shipped ontology plus the user's files or folders in `extra`."""
    return _load(tuple(str(p) for p in extra))


@lru_cache(maxsize=8)
def _load(extra: tuple[str, ...]) -> Ontology:
    from rdflib.namespace import OWL, RDF, RDFS, SKOS

    files = _ttl_files(default_paths() + [Path(p) for p in extra])
    digest = hashlib.sha256()
    graph = _Triples()
    for f in files:
        data = f.read_bytes()
        digest.update(f.name.encode() + b"\0" + data)
        graph.read(f, data)

    def lang_of(lit) -> str:
        return lit.lang.split("-")[0] if isinstance(lit, _Literal) else ""

    def patterns(subject, prop) -> dict[str, list[Pattern]]:
        table: dict[str, list[Pattern]] = {}
        for lit in sorted(graph.objects(subject, prop)):
            for variant in pattern_variants(str(lit)):
                table.setdefault(lang_of(lit), []).append(variant)
        return table

    def local(iri) -> str:
        return str(iri).rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def type_set(node) -> frozenset[str]:
        if node is None:
            return frozenset(ENTITY_TYPES)
        members = set()
        for union in graph.objects(node, OWL.unionOf):
            members |= {local(m) for m in graph.items(union)}
        return frozenset(members or {local(node)})

    relations = {}
    for name in RELATIONS:
        prop = KG[name]
        window = graph.value(prop, KG.window)
        relations[name] = RelationSpec(
            name=name,
            domain=type_set(graph.value(prop, RDFS.domain)),
            range=type_set(graph.value(prop, RDFS.range)),
            symmetric=name in SYMMETRIC,
            window=int(str(window)) if window is not None else 10,
            triggers=patterns(prop, KG.trigger),
            inverse_triggers=patterns(prop, KG.inverseTrigger),
        )
    cues = {t: patterns(KG[t], KG.cue) for t in ENTITY_TYPES}
    suffix_cues = {t: patterns(KG[t], KG.suffixCue) for t in ENTITY_TYPES}
    lexicon = {
        "negation": patterns(KG.lexicon, KG.negationCue),
        "hedge": patterns(KG.lexicon, KG.hedgeCue),
        "possessive": patterns(KG.lexicon, KG.possessiveCue),
        "coordination": patterns(KG.lexicon, KG.coordination),
        "stopword": patterns(KG.lexicon, KG.stopWord),
        "version": patterns(KG.lexicon, KG.versionWord),
        "legalForm": patterns(KG.lexicon, KG.legalForm),
        "titleWord": patterns(KG.lexicon, KG.titleWord),
        "round": patterns(KG.lexicon, KG.roundCue),
        "roundLead": patterns(KG.lexicon, KG.roundLeadCue),
        "participation": patterns(KG.lexicon, KG.participationCue),
        "leadVerb": patterns(KG.lexicon, KG.leadVerb),
        "investorNoun": patterns(KG.lexicon, KG.investorNoun),
        "needsAmount": patterns(KG.lexicon, KG.needsAmount),
    }

    entities: dict[str, Entity] = {}
    names: list[Name] = []
    demonyms: list[Name] = []
    links: dict[tuple[str, str], list[str]] = {}
    for type_name in ENTITY_TYPES:
        for subject in sorted(graph.subjects(RDF.type, KG[type_name])):
            key = local(subject)
            if key in entities:
                log.warning("%s is typed twice; keeping %s", key, entities[key].type)
                continue
            labels = sorted(graph.objects(subject, RDFS.label))
            english = [lit for lit in labels if lang_of(lit) in ("en", "")]
            if not labels:
                raise OntologyError(f"{subject} has no rdfs:label")
            label = str((english or labels)[0])
            match_case = str(graph.value(subject, KG.matchCase)) in ("true", "1")
            alts = sorted(graph.objects(subject, SKOS.altLabel))
            seen: set[str] = set()
            for lit in labels + alts:
                text = str(lit).strip()
                if text and text not in seen:
                    seen.add(text)
                    names.append(Name(text, key, lang_of(lit), match_case))
            for lit in sorted(graph.objects(subject, KG.demonym)):
                demonyms.append(Name(str(lit), key, lang_of(lit), False))
            wikidata = ""
            for same in graph.objects(subject, OWL.sameAs):
                if "wikidata.org/entity/" in str(same):
                    wikidata = local(same)
            for prop in LINKS:
                for other in sorted(graph.objects(subject, KG[prop])):
                    links.setdefault((key, local(other)), []).append(prop)
            entities[key] = Entity(key, label, type_name, tuple(sorted(seen - {label})), wikidata)

    if not entities:
        log.warning("the knowledge base is empty: only names found by rules will be linked")
    return Ontology(
        entities=entities,
        names=names,
        demonyms=demonyms,
        relations=relations,
        cues=cues,
        suffix_cues=suffix_cues,
        lexicon=lexicon,
        version=digest.hexdigest()[:16],
        links={pair: tuple(props) for pair, props in links.items() if pair[1] in entities},
    )
