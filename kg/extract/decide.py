"""From an analysed article to facts: candidates, their features, the model's decision, amounts.

Without a model the patterns' facts are the answer (`kg build --extractor none`); with one, the
patterns' verdicts are features among others and the model decides every candidate.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

import numpy as np
from spacy.tokens import Doc

from ..analyse import folded_words, sentence_bounds, token_offsets
from ..money import money_spans
from ..ontology import Ontology, PatternSet
from ..records import Fact, Mention, Money
from . import amounts, patterns
from .candidates import Candidate, article_candidates, topic
from .features import ArticleCues, SentenceCues, article_features, candidate_features, masked
from .model import RelationModel


@dataclass(frozen=True)
class Row:
    """A candidate with its features and where its sentence is in the text."""

    candidate: Candidate
    features: tuple[str, ...]
    sentence_start: int  # character offsets of the sentence
    sentence_end: int
    rules: frozenset[str] = frozenset()  # the relations the patterns state from this subject to this object


@dataclass(frozen=True)
class Analysed:
    """What extraction reads of one article: the patterns' facts and every candidate row."""

    rule_facts: tuple[Fact, ...]
    rows: tuple[Row, ...]
    money: tuple[Money, ...]  # every amount of the text
    money_tokens: tuple[tuple[int, int], ...]  # the token span of each amount
    rule_amounts: dict[
        tuple[str, str, int], tuple[Decimal, str]
    ]  # (investor, investee, sentence) → the patterns' amount
    words: tuple[str, ...]  # the folded words of the text

    @cached_property
    def investors(self) -> dict[tuple[int, str], set[str]]:
        """The ends that the sentence names or refers to and that could invest in each (sentence,
        object), gathered once: linear time in the rows. The article's topic and the previous
        sentence's subject, which stand in every sentence, are not counted."""
        out: dict[tuple[int, str], set[str]] = {}
        for r in self.rows:
            c = r.candidate
            if "investsIn" in c.relations and c.subject.via not in UNPLACED:
                out.setdefault((c.sentence, c.object.key), set()).add(c.subject.key)
        return out

    @cached_property
    def money_starts(self) -> list[int]:
        """The character offset each amount starts at, in text order (for finding a sentence's by bisection)."""
        return [m.start for m in self.money]


FAR = ("topic", "previous")  # ends that stand for an entity the sentence does not name
UNPLACED = (*FAR, "rule")  # ends with no place of their own in the sentence
LEXICON_KINDS = ("round", "round_lead", "participation", "lead_verbs", "investor_nouns", "needs_amount", "possessive")


def _entries(patterns: PatternSet):
    """The (pattern, payload) items of a pattern set, in the order they were given."""
    items = [e for bucket in (patterns.exact, patterns.prefixed) for entries in bucket.values() for e in entries]
    return [(pattern, payload) for _, pattern, payload in sorted(items + patterns.short, key=lambda e: e[0])]


def _all_cues(lex) -> PatternSet:
    """Every word list `sentence_cues` looks for, in one pattern set, so that a token is looked up once."""
    combined = getattr(lex, "_all_cues", None)
    if combined is None:
        items = []
        for number, (spec, patterns) in enumerate(lex.relations):
            items += [(p, ("relation", number, spec.name, inverse)) for p, (inverse, _tight) in _entries(patterns)]
        for kind in LEXICON_KINDS:
            items += [(p, ("kind", kind)) for p, _ in _entries(getattr(lex, kind))]
        items += [(p, ("negation",)) for p, _ in _entries(lex.negation)]
        items += [(p, ("hedge",)) for p, _ in _entries(lex.hedge)]
        combined = lex._all_cues = PatternSet(items)
    return combined


def sentence_cues(words: Sequence[str], start: int, end: int, lex, money_starts: Sequence[int] = ()) -> SentenceCues:
    """Trigger words per relation, negation and hedge words, the lexicon's other words and the amounts
    of one sentence (token positions)."""
    cues = _all_cues(lex)
    triggers = []
    negations, hedges = [], []
    others = []
    for i in range(start, end):
        found = cues.matches(words, i)  # longest first
        if not found:
            continue
        kinds: set[str] = set()
        relations: dict[int, tuple[int, int, str, bool]] = {}
        negated = hedged = False
        for pattern, payload in found:
            if payload[0] == "relation":
                if payload[1] not in relations and i + len(pattern) <= end:
                    relations[payload[1]] = (i, i + len(pattern), payload[2], payload[3])
            elif payload[0] == "kind":
                kinds.add(payload[1])
            elif payload[0] == "negation":
                negated = True
            else:
                hedged = True
        others += [(i, kind) for kind in LEXICON_KINDS if kind in kinds]
        triggers += [relations[n] for n in sorted(relations)]
        if negated:
            negations.append(i)
        if hedged:
            hedges.append(i)
    money = tuple(money_starts[bisect.bisect_left(money_starts, start) : bisect.bisect_left(money_starts, end)])
    return SentenceCues(tuple(triggers), tuple(negations), tuple(hedges), tuple(others), money)


def analysed(
    doc: Doc,
    mentions: Sequence[Mention],
    ontology: Ontology,
    lang: str,
    article_id: str,
    date: str = "",
    rule_features: bool = True,
) -> Analysed:
    """The patterns' facts and the candidate rows of an article."""
    lex = patterns.lexicon(ontology.version, lang, ontology)
    words = [w if w.strip() else "_" for w in folded_words(doc)]  # whitespace tokens as one symbol
    stated = patterns.facts_with_patterns(doc, mentions, ontology, lang, article_id, date)
    rule_facts = [f for f, _ in stated]
    sentences = sentence_bounds(doc)
    starts = [sent.start_char for sent in sentences]  # looked up by bisection: linear time in the article
    verdicts: dict[tuple[int, str, str], list[str]] = {}
    by_pattern: dict[tuple[int, str, str], list[str]] = {}
    rule_amounts: dict[tuple[str, str, int], tuple[Decimal, str]] = {}
    for f, names in stated:
        number = bisect.bisect_right(starts, f.start) - 1
        if number < 0 or f.start >= sentences[number].end_char:
            continue
        if f.amount is not None:
            rule_amounts[(f.subject, f.object, number)] = (f.amount, f.currency)
        symmetric = ontology.relations[f.predicate].symmetric
        back = f.predicate if symmetric else f.predicate + "~"
        verdicts.setdefault((number, f.subject, f.object), []).append(f.predicate)
        verdicts.setdefault((number, f.object, f.subject), []).append(back)
        by_pattern.setdefault((number, f.subject, f.object), []).extend(f"{n}:{f.predicate}" for n in names)
        by_pattern.setdefault((number, f.object, f.subject), []).extend(f"{n}:{back}" for n in names)
    money = tuple(m for m in money_spans(doc.text, lang) if doc.char_span(m.start, m.end, alignment_mode="expand"))
    money_tokens = []
    for m in money:
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        money_tokens.append((span.start, span.end))
    money_starts = sorted(start for start, _ in money_tokens)
    cues: dict[int, SentenceCues] = {}
    per_sentence: dict[int, int] = {}
    for m in mentions:
        per_sentence[m.sentence] = per_sentence.get(m.sentence, 0) + 1
    by_char, ends_at = token_offsets(doc)
    spans = [(by_char[m.start], ends_at[m.end], m.label) for m in mentions if m.start in by_char and m.end in ends_at]
    seen_words = masked(words, spans)  # the words with the sentence's other names masked
    article = ArticleCues.of(mentions, topic(mentions))
    rows = []
    for c in article_candidates(doc, words, mentions, ontology, lang, rule_facts, lex.org_nouns):
        if c.sentence not in cues:
            cues[c.sentence] = sentence_cues(words, c.start, c.end, lex, money_starts)
        pair = (c.sentence, c.subject.key, c.object.key)
        given = verdicts.get(pair, []) if rule_features else []
        if not given and _far(c) and not cues[c.sentence].relation_words:
            continue  # an end the sentence does not name, in a sentence with no word of a relation: no fact
        sent = sentences[c.sentence]
        named = by_pattern.get(pair, []) if rule_features else []
        others = per_sentence.get(c.sentence, 0) - 2
        row = candidate_features(
            c, seen_words, cues[c.sentence], sorted(set(given)), lang, max(0, others), sorted(set(named))
        )
        row += article_features(c, article, words, ontology.links)
        stating = frozenset(v for v in given if not v.endswith("~"))
        rows.append(Row(c, tuple(row), sent.start_char, sent.end_char, stating))
    return Analysed(tuple(rule_facts), tuple(rows), money, tuple(money_tokens), rule_amounts, tuple(words))


def _far(c: Candidate) -> bool:
    """One end of `c` is the article's topic or the previous sentence's subject, not in the sentence."""
    return c.subject.via in FAR or c.object.via in FAR


RULE_FIRED = "+rule"  # suffix of the threshold that applies where the patterns state the same fact


def threshold(model: RelationModel, relation: str, row: Row) -> float:
    """The probability a candidate needs for `relation`: a threshold of its own where the patterns state
    the fact too, so that the model keeps their precision there and adds recall elsewhere."""
    base = model.thresholds.get(relation, 0.5)
    if relation in row.rules:
        return model.thresholds.get(relation + RULE_FIRED, base)
    return base


def _lowest_thresholds(model: RelationModel) -> np.ndarray:
    """Per column of the model, the lowest probability any candidate needs (1 where none can pass)."""
    out = np.ones(len(model.relations))
    for j, relation in enumerate(model.relations):
        base = model.thresholds.get(relation, 0.5)
        out[j] = min(base, model.thresholds.get(relation + RULE_FIRED, base))
    return out


def decide(
    doc: Doc,
    result: Analysed,
    model: RelationModel,
    ontology: Ontology,
    article_id: str,
    date: str = "",
) -> list[Fact]:
    """The facts the model finds among the candidate rows, one per relation, pair and sentence."""
    if not result.rows:
        return []
    probabilities = model.probabilities([r.features for r in result.rows])
    column = {name: i for i, name in enumerate(model.relations)}
    found: dict[tuple[str, str, str, int], Fact] = {}
    text = doc.text
    passing = np.flatnonzero((probabilities >= _lowest_thresholds(model)).any(axis=1))  # most rows pass nowhere
    for n in passing.tolist():
        row, p = result.rows[n], probabilities[n]
        c = row.candidate
        for relation in c.relations:
            if relation not in column:
                continue
            confidence = float(p[column[relation]])
            if confidence < threshold(model, relation, row):
                continue
            s, o = c.subject.key, c.object.key
            if s == o:
                continue
            if ontology.relations[relation].symmetric and o < s:
                s, o = o, s
            sentence = text[row.sentence_start : row.sentence_end]
            lead = len(sentence) - len(sentence.lstrip())
            start = row.sentence_start + lead
            key = (s, relation, o, start)
            old = found.get(key)
            if old is not None and old.confidence >= confidence:
                continue
            amount: tuple = (None, "")
            if relation == "investsIn":
                amount = amounts.attach(row, result, result.words, model)
            found[key] = Fact(
                subject=s,
                predicate=relation,
                object=o,
                article=article_id,
                evidence=sentence.strip(),
                start=start,
                end=row.sentence_start + len(sentence.rstrip()),
                confidence=round(confidence, 3),
                amount=amount[0],
                currency=amount[1] if amount[0] is not None else "",
                date=date,
            )
    return sorted(found.values(), key=lambda f: (f.start, f.predicate, f.subject, f.object))
