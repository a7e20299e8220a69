"""Candidates: the typed pairs of entities a sentence may relate, for the model to decide on.

A candidate joins two *ends* in one sentence. An end is a named mention, or a phrase that refers to
an entity named elsewhere: "a empresa", "the company", "its", "o grupo" stand for the organisation
the article is about or the one the previous sentence opened with. The patterns' facts are candidates
too, since some of them reach across sentences. Pairs are kept only where the types fit some
relation's domain and range in the ontology.

A pair needs one end the sentence names, or two referring phrases ("the two firms"): the
article's topic and the previous sentence's subject are never paired with each other or with a
referring phrase. A pair with the topic or the previous subject is kept only where the sentence
holds a word of the ontology's lexicon for relations (a trigger, "investors", "round") or the
patterns state the fact (`decide.analysed`): "Other investors include X" has one, "Paris was
sunny" none.

Long sentences are bounded: at most `MAX_ENDS` ends and `MAX_PAIRS` pairs a sentence (the nearest
named pairs first, with `MAX_RULE_PAIRS` places kept for the patterns' facts), and no pair further
apart than `MAX_DISTANCE` tokens.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc

from ..analyse import sentence_bounds, token_offsets
from ..namespace import ENTITY_TYPES
from ..ontology import Ontology, PatternSet
from ..records import Fact, Mention

MAX_ENDS = 24  # ends kept per sentence (named ones first, in text order)
MAX_PAIRS = 96  # pairs per sentence: the nearest named pairs first, then the patterns' facts
MAX_RULE_PAIRS = 16  # places kept for the patterns' facts whose ends the named pairs lack
MAX_DISTANCE = 60  # tokens between two ends of a pair

PRONOUNS = {
    "en": {"it", "its", "itself"},
    "pt": {"ela", "seu", "sua", "seus", "suas", "dela"},
}
TOPIC_TYPES = ("Organization", "AIModel", "Project")
NAMED = ("name", "demonym")  # ends the sentence names
DEFINITE = {"the", "o", "a", "os", "as", "this", "esta", "este", "essa", "esse", "that"}


@dataclass(frozen=True)
class End:
    """One end of a candidate: an entity and where the sentence names or refers to it."""

    key: str
    type: str
    start: int  # token span in the doc
    end: int
    via: str  # "name", "demonym", "anaphor" (a referring phrase), "topic" (what the article is about),
    # "previous" (whom the previous sentence opened with), "rule" (only a pattern's fact places it)
    source: str = "kb"  # the mention's source ("kb", "rule", "demonym", "model")


@dataclass(frozen=True)
class Candidate:
    """An ordered pair of ends in one sentence, and the relations whose types it fits."""

    sentence: int
    start: int  # token span of the sentence
    end: int
    subject: End
    object: End
    relations: tuple[str, ...]


def _fits(ontology: Ontology, s: End, o: End) -> tuple[str, ...]:
    """The relations whose domain and range the two ends' types fit; a symmetric relation is decided
    once per pair, in text order."""
    in_order = (s.start, s.end) <= (o.start, o.end)
    return _fitting(ontology).get((s.type, o.type, in_order), ())


@lru_cache(maxsize=8)
def _fitting(ontology: Ontology) -> dict[tuple[str, str, bool], tuple[str, ...]]:
    """`_fits` for every pair of types and order, worked out once per ontology."""
    return {
        (a, b, in_order): tuple(
            name
            for name, spec in ontology.relations.items()
            if a in spec.domain
            and b in spec.range
            and (in_order or not spec.symmetric)
            and not (name == "competesWith" and a != b)
        )
        for a in ENTITY_TYPES
        for b in ENTITY_TYPES
        for in_order in (True, False)
    }


def topic(mentions: Sequence[Mention], label: str = "Organization") -> str | None:
    """The entity of `label` an article mentions most (the first on ties): what "the company" means."""
    counts: dict[str, int] = {}
    for m in mentions:
        if m.label == label and m.source != "demonym":
            counts[m.key] = counts.get(m.key, 0) + 1
    if not counts:
        return None
    best = max(counts.values())
    return next(k for k in counts if counts[k] == best)


def referring_phrases(
    words: Sequence[str], start: int, end: int, taken: set[int], org_nouns: PatternSet, lang: str
) -> Iterator[int]:
    """Token positions of phrases that refer to an organisation without naming it: a definite article
    and an organisation noun with no name after it ("a empresa", "the company"), or a pronoun."""
    pronouns = PRONOUNS.get(lang, set())
    for i in range(start, end):
        if i in taken:
            continue
        if words[i] in pronouns:
            yield i
        elif i > start and words[i - 1] in DEFINITE and org_nouns.at(words, i) and (i + 1) not in taken:
            yield i


def sentence_candidates(
    number: int,
    start: int,
    end: int,
    ends: list[End],
    ontology: Ontology,
) -> list[Candidate]:
    """The typed pairs of `ends` in one sentence, bounded as the module says."""
    ends = ends[:MAX_ENDS]
    fitting = _fitting(ontology)
    pairs: list[tuple[int, Candidate]] = []
    for a in ends:
        a_named = a.via in NAMED
        for b in ends:
            if a is b or a.key == b.key:
                continue
            if not a_named and b.via not in NAMED and not (a.via == b.via == "anaphor"):
                continue  # neither end stands in the sentence: "the company" and the article's topic
            distance = max(a.start, b.start) - min(a.end, b.end)
            if distance > MAX_DISTANCE:
                continue
            relations = fitting.get((a.type, b.type, (a.start, a.end) <= (b.start, b.end)), ())
            if relations:
                pairs.append((distance, Candidate(number, start, end, a, b, relations)))
    pairs.sort(key=lambda dc: (dc[0], dc[1].subject.start, dc[1].object.start))
    return [c for _, c in pairs[:MAX_PAIRS]]


def article_candidates(
    doc: Doc,
    words: Sequence[str],
    mentions: Sequence[Mention],
    ontology: Ontology,
    lang: str,
    rule_facts: Sequence[Fact],
    org_nouns: PatternSet,
) -> Iterator[Candidate]:
    """Every candidate of an article, sentence by sentence."""
    by_char, ends_at = token_offsets(doc)
    named: dict[int, list[End]] = {}
    for m in mentions:
        if m.start in by_char and m.end in ends_at:
            via = "demonym" if m.source == "demonym" else "name"
            named.setdefault(m.sentence, []).append(
                End(m.key, m.label, by_char[m.start], ends_at[m.end], via, m.source)
            )
    types = {m.key: m.label for m in mentions}
    about = topic(mentions)
    topics = [(t, key) for t in TOPIC_TYPES if (key := topic(mentions, t)) is not None]
    previous: str | None = None
    sentences = sentence_bounds(doc)
    starts = [sent.start_char for sent in sentences]
    facts_in: dict[int, list[Fact]] = {}  # the patterns' facts by sentence, found by bisection: linear time
    for f in rule_facts:
        facts_in.setdefault(bisect.bisect_right(starts, f.start) - 1, []).append(f)
    for number, (sent_start, sent_end, start_char, end_char) in enumerate(sentences):
        ends = list(named.get(number, []))
        taken = {i for e in ends for i in range(e.start, e.end)}
        named_keys = {e.key for e in ends}
        opener = next((e for e in ends if e.type == "Organization" and e.via == "name"), None)
        referent = previous or about
        if referent is not None:
            for i in referring_phrases(words, sent_start, sent_end, taken, org_nouns, lang):
                ends.append(End(referent, "Organization", i, i + 1, "anaphor"))
        if about is not None and about != referent and any(e.via == "anaphor" for e in ends):
            for e in [e for e in ends if e.via == "anaphor"]:
                ends.append(End(about, "Organization", e.start, e.end, "anaphor"))
        if ends:
            # what the article is about, and whom the previous sentence was about, stand at the sentence's
            # start for the sentences that do not name them ("Other investors include X and Y.")
            for type_name, key in topics:
                if key not in named_keys:
                    ends.append(End(key, type_name, sent_start, sent_start, "topic"))
            if previous is not None and previous not in named_keys and previous != about:
                ends.append(End(previous, "Organization", sent_start, sent_start, "previous"))
        ends.sort(key=lambda e: (e.via in ("anaphor", "topic", "previous"), e.start, e.end))
        found = sentence_candidates(number, sent_start, sent_end, ends, ontology)[: MAX_PAIRS - MAX_RULE_PAIRS]
        seen = {(c.subject.key, c.object.key) for c in found}
        room = MAX_PAIRS - len(found)
        # the patterns' facts of this sentence whose ends the pairs above lack (cross-sentence referents)
        for f in facts_in.get(number, ()):
            if not (start_char <= f.start < end_char):
                continue
            for s_key, o_key in ((f.subject, f.object), (f.object, f.subject)):
                if (s_key, o_key) in seen or s_key not in types or o_key not in types:
                    continue
                s = _placed(s_key, types[s_key], ends, sent_start)
                o = _placed(o_key, types[o_key], ends, sent_start)
                # two ends the patterns place at the sentence's start have no order: every relation fits
                relations = (
                    _fits(ontology, s, o) if s.start != o.start else _fitting(ontology).get((s.type, o.type, True), ())
                )
                if relations and room > 0:
                    seen.add((s_key, o_key))
                    found.append(Candidate(number, sent_start, sent_end, s, o, relations))
                    room -= 1
        yield from found
        if opener is not None and not any(words[i] == "," for i in range(sent_start, opener.start)):
            previous = opener.key


def _placed(key: str, type_name: str, ends: list[End], sentence_start: int) -> End:
    for e in ends:
        if e.key == key:
            return e
    return End(key, type_name, sentence_start, sentence_start, "rule")
