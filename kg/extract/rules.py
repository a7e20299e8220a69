"""Extract facts from an analysed article: relation triggers, type constraints and direction rules.

Facts come from one sentence each. The rules, in the order they run:

- *triggers*: a word of the relation's lexicon (``kg.ttl``) with entities on either side, or two
  entities after it ("CEO da Nvidia, Jensen Huang"), typed and directed by the relation's domain,
  range and whether the word is an inverse trigger ("backed by");
- *compounds and possessive pronouns* for ``developedBy``: "Nvidia H800", "Meta has unveiled its Llama";
- *nationality* for ``locatedIn``: "a chinesa DeepSeek", "the French startup Mistral";
- coordination spreads a fact to every member of a list ("Oracle, OpenAI e SoftBank");
- negation ("não investiu", "denied") cancels a fact, hedges ("em negociações") lower its confidence.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc

from ..analyse import folded_words, token_offsets
from ..money import money_spans
from ..ontology import Ontology, PatternSet, RelationSpec, fold, one_word
from ..records import Fact, Mention, Money
from .candidates import topic as _topic

log = logging.getLogger(__name__)

OBJECT_MARKERS = {"in", "into", "na", "no", "nas", "nos", "em", "to", "para", "ao", "à", "for", "on"}
EACH = {"each", "cada", "apiece"}
SUBJECT_MARKERS = {"by", "from", "of", "de", "da", "do", "das", "dos", "pela", "pelo", "'s"}
BETWEEN = {"between", "among", "entre", "by", "por", "pela", "pelo"}
WITH = {"with", "com"}
LIST = {"and", "e", "or", "ou", "&"}
COPULAS = {"is", "was", "remains", "became", "becomes", "é", "foi", "era", "segue", "continua", "tornou-se"}
AS = {"as", "como"}
AGENT = {"by", "pela", "pelo", "por", "pelas", "pelos"}
INVESTOR_MARKERS = AGENT | {"from", "da", "do", "de", "dos", "das", "including", "include", "includes", "incluindo"}
FORMER = {"former", "ex", "ex-", "antigo", "antiga", "then", "previous", "previously"}
PASSIVE_MARKERS = {"by", "from", "of", "pela", "pelo", "por", "da", "do", "de"}
PREPOSITIONS = {
    "of",
    "in",
    "to",
    "at",
    "on",
    "with",
    "for",
    "from",
    "by",
    "de",
    "da",
    "do",
    "das",
    "dos",
    "na",
    "no",
    "em",
    "à",
    "ao",
    "com",
    "para",
    "por",
    "pela",
    "pelo",
}
THING_PREPOSITIONS = {"with", "on", "in", "into", "using", "com", "em", "no", "na", "nos", "nas", "usando", "to", "ao"}
CLAUSE_BREAKS = {";"}
DETERMINERS = {
    "the",
    "a",
    "an",
    "o",
    "os",
    "as",
    "um",
    "uma",
    "its",
    "seu",
    "sua",
    "their",
    "his",
    "her",
    "própria",
    "próprio",
    "own",
}
TIGHT_LEFT, TIGHT_RIGHT = 1, 2
JOINERS = {"-", "–"}
MODEL_PRONOUNS = {"it", "ele", "ela"}
MODEL_NOUNS = {"model", "modelo"}
RELATIVES = {"que", "which", "who", "whose", "cujo", "cuja", "cujos", "cujas", "where", "onde"}
RELATIONAL = {"against", "contra", "with", "com", "to", "para", "over", "from", "than", "versus", "vs"}
SYMMETRIC_REACH = 4
EXECUTIVE = {
    "ceo",
    "chief",
    "executive",
    "executivo",
    "executiva",
    "diretor-executivo",
    "presidente-executivo",
}  # "rivaliza com o desempenho da DeepSeek"
NAMED_THINGS = ("AIModel", "Product", "Hardware")


@dataclass(frozen=True)
class _Ent:
    """A mention inside one sentence, with token positions."""

    start: int  # token index in the doc
    end: int
    type: str
    key: str
    mention: Mention
    demonym: bool
    anaphor: bool = False  # "a empresa", "the company": stands for an organisation named before


@dataclass(frozen=True)
class _Trigger:
    start: int
    end: int
    inverse: bool
    tight: bool


class _Lexicon:
    """The ontology's words for one language, indexed for matching token by token."""

    def __init__(self, ontology: Ontology, lang: str):
        from spacy.util import get_lang_class

        stop = {fold(w) for w in get_lang_class(lang).Defaults.stop_words}
        self.relations: list[tuple[RelationSpec, PatternSet]] = []
        for spec in ontology.relations.values():
            patterns = []
            for table, inverse in ((spec.triggers, False), (spec.inverse_triggers, True)):
                for pattern in table.get(lang, []) + table.get("", []):
                    tight = all((w in stop or w.startswith("'") or not w.isalpha()) for w, _ in pattern)
                    patterns.append((pattern, (inverse, tight)))
            self.relations.append((spec, PatternSet(patterns)))

        def words_of(kind: str) -> PatternSet:
            return PatternSet.of(ontology.lexicon_for(kind, lang))

        self.negation = words_of("negation")
        self.hedge = words_of("hedge")
        self.possessive = words_of("possessive")
        self.coordination = words_of("coordination")
        self.round = words_of("round")
        self.round_lead = words_of("roundLead")
        self.participation = words_of("participation")
        self.lead_verbs = words_of("leadVerb")
        self.investor_nouns = words_of("investorNoun")
        self.needs_amount = words_of("needsAmount")
        self.cues = {t: PatternSet.of(ps.get(lang, [])) for t, ps in ontology.cues.items()}
        self.cue_words = {
            t: PatternSet.of(p for p in ps.get(lang, []) if one_word(p)) for t, ps in ontology.cues.items()
        }
        self.any_cue_word = PatternSet.of(p for ps in ontology.cues.values() for p in ps.get(lang, []) if one_word(p))
        self.org_nouns = self.cue_words["Organization"]
        self.stop = stop


@lru_cache(maxsize=16)
def lexicon(ontology_version: str, lang: str, ontology: Ontology) -> _Lexicon:
    """The ontology's words for `lang`, indexed (cached per ontology version)."""
    return _Lexicon(ontology, lang)


MAX_PAIRS_PER_SENTENCE = 64
"""Most (subject, object) pairs one sentence's relation words may propose."""


def _any_at(words: Sequence[str], i: int, patterns: PatternSet) -> int:
    """Length of the longest pattern matching at `i`, or 0."""
    return patterns.at(words, i)


def facts(
    doc: Doc, mentions: Sequence[Mention], ontology: Ontology, lang: str, article_id: str, date: str = ""
) -> list[Fact]:
    """All facts the sentences of `doc` state between the linked `mentions`."""
    lex = lexicon(ontology.version, lang, ontology)
    words = folded_words(doc)
    by_char, ends = token_offsets(doc)
    ents_by_sentence: dict[int, list[_Ent]] = {}
    for m in mentions:
        if m.start not in by_char or m.end not in ends:
            continue
        ents_by_sentence.setdefault(m.sentence, []).append(
            _Ent(by_char[m.start], ends[m.end], m.label, m.key, m, m.source == "demonym")
        )
    money = money_spans(doc.text, lang)
    found: dict[tuple, Fact] = {}
    topic = _topic(mentions)
    topic_project = _topic(mentions, "Project")
    previous_subject: str | None = None
    target: str | None = None  # the organisation a funding round of this article is for
    developers: dict[str, str] = {}
    recent_models: list[_Ent] = []  # what "it" / "ele" / "o modelo" can stand for
    model_counts: dict[str, int] = {}
    last_model_sentence = -10
    for number, sent in enumerate(doc.sents):
        ents = ents_by_sentence.get(number, [])
        context = _Sentence(doc, sent.start, sent.end, ents, words, lex, ontology, money)
        referent = context.subject() or previous_subject or topic
        before = len(found)
        stated = list(context.facts(referent, topic, target, recent_models, topic_project))
        # a model's maker stated anywhere in the article so far, this sentence included
        developers.update({s.key: o.key for s, p, o, *_ in stated if p == "developedBy" and o.type == "Organization"})
        for s, p, o, confidence, amount in stated:
            if p == "competesWith" and s.type != o.type:
                s, o = _lift(s, o, developers)
                if s is None:
                    continue
            if s.key == o.key:
                continue
            spec = ontology.relations[p]
            if s.type not in spec.domain or o.type not in spec.range:
                continue
            if p == "investsIn" and o.type == "Organization" and target is None and not o.anaphor:
                target = o.key  # the article's headline deal
            _add(found, sent, s, p, o, confidence, amount, spec.symmetric, article_id, date)
        if target is None and context.raiser is not None:
            target = context.raiser  # "Helsing raised €600m", "a Tractian captou US$ 120 milhões"
        if target is None and context.money and context.about_round() and not context.leading():
            opener = context._opener()  # "Thinking Machines Lab has closed a $2bn seed round"
            if opener is not None and opener.type == "Organization":
                target = opener.key
        investing = {f.subject for f in list(found.values())[before:] if f.predicate == "investsIn"}
        round_target = context.raiser or target  # "SSI ... after raising $2bn in a round led by X"
        if round_target:
            for s in context.round_investors(round_target):
                if s.key in investing:
                    continue
                o = _Ent(s.start, s.end, "Organization", round_target, s.mention, False)
                _add(found, sent, s, "investsIn", o, 0.6, None, False, article_id, date)
        previous_subject = context.subject() or previous_subject
        models = [e for e in ents if e.type == "AIModel"]
        for e in models:
            model_counts[e.key] = model_counts.get(e.key, 0) + 1
        if models:
            # the model the text is about so far, the latest on ties
            best = max(model_counts.values())
            chosen = next(e for e in reversed(models) if True) if model_counts.get(models[-1].key) == best else None
            if chosen is None:
                key = max(model_counts, key=lambda k: (model_counts[k], k == models[-1].key))
                chosen = _Ent(0, 0, "AIModel", key, models[-1].mention, False, True)
            recent_models, last_model_sentence = [chosen], number
        elif number - last_model_sentence > 2:
            recent_models = []
    return sorted(found.values(), key=lambda f: (f.start, f.predicate, f.subject, f.object))


def _add(
    found: dict,
    sent,
    s: _Ent,
    p: str,
    o: _Ent,
    confidence: float,
    amount: Money | None,
    symmetric: bool,
    article_id: str,
    date: str,
) -> None:
    subject, obj = s.key, o.key
    if symmetric and obj < subject:
        subject, obj = obj, subject
    key = (subject, p, obj, sent.start_char)
    old = found.get(key)
    if old is not None and old.confidence >= confidence and (old.amount or not amount):
        return
    text = sent.text
    lead = len(text) - len(text.lstrip())
    found[key] = Fact(
        subject=subject,
        predicate=p,
        object=obj,
        article=article_id,
        evidence=text.strip(),
        start=sent.start_char + lead,
        end=sent.start_char + len(text.rstrip()),
        confidence=round(confidence, 2),
        amount=amount.amount if amount else None,
        currency=amount.currency if amount else "",
        date=date,
    )


def _plural(word: str) -> bool:
    """A plural noun or adjective ("giants", "empresas", "chinesas"), not "francês", "business"."""
    w = word.lower()
    return len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "ês", "us", "is"))


def _lift(a: _Ent, b: _Ent, developer: dict[str, str]):
    """ "Qwen rivals DeepSeek": a rivalry between a model and a company is one between companies,
    when the article says who made the model."""
    if a.type in NAMED_THINGS and b.type == "Organization" and a.key in developer:
        return _Ent(a.start, a.end, "Organization", developer[a.key], a.mention, False), b
    if b.type in NAMED_THINGS and a.type == "Organization" and b.key in developer:
        return a, _Ent(b.start, b.end, "Organization", developer[b.key], b.mention, False)
    return None, None


class _Sentence:
    """One sentence's entities and words, and the rules that read facts from them."""

    def __init__(
        self,
        doc: Doc,
        start: int,
        end: int,
        ents: list[_Ent],
        words: list[str],
        lex: _Lexicon,
        ontology: Ontology,
        money: list[Money],
    ):
        self.doc, self.start, self.end = doc, start, end
        self.ents = sorted(ents, key=lambda e: e.start)
        self.words = words
        self.lex = lex
        self.ontology = ontology
        self.start_char = doc[start].idx if start < len(doc) else 0
        self.end_char = doc[end - 1].idx + len(doc[end - 1].text) if end > start else 0
        self.money = [m for m in money if self.start_char <= m.start and m.end <= self.end_char]
        self.inside = set()
        for e in self.ents:
            self.inside.update(range(e.start, e.end))
        self.hedged = any(_any_at(words, i, lex.hedge) for i in range(start, end))
        self._transparent: set[int] = set()  # tokens of owners inside lists, set by _groups
        self.groups = self._groups()

    # ------------------------------------------------------------ helpers

    def _groups(self) -> dict[int, list[_Ent]]:
        """Coordinated entities of the same type ("Oracle, OpenAI e SoftBank"), by member index."""
        groups: dict[int, list[_Ent]] = {}
        owners = self._owners_in_lists()
        self._transparent = {i for k in owners for i in range(self.ents[k].start, self.ents[k].end)}
        members = [k for k in range(len(self.ents)) if k not in owners]
        current = members[:1]
        for a_k, b_k in zip(members, members[1:], strict=False):
            a, b = self.ents[a_k], self.ents[b_k]
            if a.type == b.type and self._coordinated(a.end, b.start):
                current.append(b_k)
            else:
                for m in current:
                    groups[m] = [self.ents[x] for x in current]
                current = [b_k]
        for m in current:
            groups[m] = [self.ents[x] for x in current]
        return groups

    def _owners_in_lists(self) -> set[int]:
        """Owners inside a list of things: "OpenAI's o3-mini and Anthropic's Claude", "o Doubao, da
        ByteDance, e o app DeepSeek" — they stand outside the list."""
        owners = set()
        for k, e in enumerate(self.ents):
            nxt = self.ents[k + 1] if k + 1 < len(self.ents) else None
            prev = self.ents[k - 1] if k > 0 else None
            if (
                nxt is not None
                and self.words[e.end : e.end + 1] == ["'s"]
                and nxt.start == e.end + 1
                and nxt.type in NAMED_THINGS + ("Organization",)
                and e.type == "Organization"
            ):
                owners.add(k)
            elif (
                prev is not None
                and e.type == "Organization"
                and prev.type in NAMED_THINGS
                and self.words[prev.end : e.start] in ([",", "da"], [",", "do"], [",", "de"], [",", "from"])
                and self.words[e.end : e.end + 1] == [","]
            ):
                owners.add(k)
        return owners

    def _coordinated(self, a_end: int, b_start: int) -> bool:
        transparent = self._transparent
        if any(i in transparent for i in range(a_end, b_start)):
            # skip the owners: "o3-mini and GPT-4.5 as well as Anthropic's Claude"
            kept = [i for i in range(a_end, b_start) if i not in transparent and self.words[i] not in ("'s",)]
            words = [self.words[i] for i in kept]
            while words and words[-1] in (",", "da", "do", "de", "from") and len(words) > 1:
                words.pop() if words[-1] != "," or len(words) > 1 else None
                break
            return self._coordinated_words([w for w in words if w not in ("da", "do", "de", "from")])
        i = a_end
        if self.words[i : i + 1] == ["'s"] and i + 1 == b_start:
            return True  # "Alphabet's Google" stands in a list as Google
        if i == b_start:
            return False
        if (
            self.words[i] == ","
            and self.words[i + 1 : b_start]
            and all(w in DETERMINERS for w in self.words[i + 1 : b_start])
        ):
            # "ex-pesquisadores da Meta, a Mistral ...": a new subject, not one more complement
            a = next(e for e in self.ents if e.end == a_end)
            if self.complement(a) and not self._list_goes_on(b_start):
                return False
        listed = False
        while i < b_start:
            n = _any_at(self.words, i, self.lex.coordination)
            if n:
                listed = listed or self.words[i] not in DETERMINERS
                i += n
            elif self.words[i] in PREPOSITIONS and listed:
                i += 1  # "da OpenAI, da Anthropic e do Google": the preposition repeats after the comma
            else:
                return False
        return True

    def _coordinated_words(self, words: list[str]) -> bool:
        i = 0
        while i < len(words):
            n = _any_at(words, i, self.lex.coordination)
            if not n:
                return False
            i += n
        return bool(words)

    def _list_goes_on(self, b_start: int) -> bool:
        """ "com a Microsoft, a Oracle e o SoftBank": after the next name the list closes with "e"/"and"."""
        b = next((e for e in self.ents if e.start == b_start), None)
        if b is None:
            return False
        gap = self.words[b.end : b.end + 3]
        return (
            bool(gap)
            and gap[0] in ("e", "and", "ou", "or", ",")
            and any(e.start > b.end and e.start - b.end <= 3 for e in self.ents)
        )

    def group(self, ent: _Ent) -> list[_Ent]:
        for k, e in enumerate(self.ents):
            if e is ent:
                return self.groups.get(k, [ent])
        return [ent]

    def negated(self, trigger_start: int, left_edge: int) -> bool:
        lo = max(self.start, min(trigger_start - 3, left_edge))
        return any(_any_at(self.words, i, self.lex.negation) for i in range(lo, trigger_start))

    def broken(self, a: int, b: int) -> bool:
        """True when a clause break lies between token positions a and b."""
        return any(self.words[i] in CLAUSE_BREAKS for i in range(min(a, b), max(a, b)))

    def triggers(self, patterns: PatternSet) -> Iterator[list[_Trigger]]:
        """At each position, the trigger patterns that match there, longest first."""
        i = self.start
        while i < self.end:
            if i in self.inside:
                i += 1
                continue
            here = [
                _Trigger(i, i + len(pattern), inverse, tight)
                for pattern, (inverse, tight) in patterns.matches(self.words, i)
                if not any(k in self.inside for k in range(i, i + len(pattern)))
            ]
            if here:
                yield here
            i += 1

    def modifier(self, e: _Ent) -> bool:
        """A place used as an adjective ("Chinese", "Europe's ambitions", "U.S. giants")."""
        if e.type != "Place":
            return False
        if e.demonym or (e.end < self.end and self.words[e.end] == "'s"):
            return True
        if self.words[e.end : e.end + 2] in (["-", "based"], ["based"]) or self.words[e.end : e.end + 1] == ["-based"]:
            return True
        nxt = next((x for x in self.ents if x.start >= e.end), None)
        return (
            nxt is not None
            and nxt.type in ("Organization", "Project")
            and nxt.start - e.end <= 2
            and all((w.isalpha() and w not in self.lex.stop) or w in JOINERS for w in self.words[e.end : nxt.start])
        )

    def usable(self, e: _Ent, relation: str) -> bool:
        return relation == "locatedIn" or not self.modifier(e)

    def left_of(self, position: int, window: int, types: frozenset[str], relation: str = "") -> list[_Ent]:
        """Entities of `types` ending before `position`, nearest first, within `window` tokens."""
        return [
            e
            for e in reversed(self.ents)
            if e.end <= position
            and position - e.end <= window
            and e.type in types
            and not self.broken(e.end, position)
            and self.usable(e, relation)
        ]

    def right_of(self, position: int, window: int, types: frozenset[str], relation: str = "") -> list[_Ent]:
        return [
            e
            for e in self.ents
            if e.start >= position
            and e.start - position <= window
            and e.type in types
            and not self.broken(position, e.start)
            and self.usable(e, relation)
        ]

    def tight_gap_ok(self, a: int, b: int) -> bool:
        """Between a tight trigger and its entity: determiners and one describing word, or a type noun
        after it ("OpenAI's new o3", "OpenAI's latest model o3", but not "OpenAI's models power Copilot")."""
        owned = self._possessor_tokens(a, b)
        content = [
            i for i in range(a, b) if self.words[i] not in DETERMINERS and not self._descriptor(i) and i not in owned
        ]
        if content and self.words[content[-1]] == "," and len(content) <= 3 and self._closes_apposition_at(b):
            content = content[:-1]  # "OpenAI's newest flagship, GPT-5, ..."
        if any(self.words[i] in self.lex.stop or not self.words[i].isalnum() for i in content):
            return False
        if len(content) <= 1:
            return True
        return len(content) == 2 and self.type_noun_at(content[-1])

    def _possessor_tokens(self, a: int, b: int) -> set[int]:
        """Tokens of "OpenAI's" before the name in "edging out OpenAI's o3-mini"."""
        out: set[int] = set()
        for e in self.ents:
            if a <= e.start and e.end < b and self.words[e.end] == "'s" and e.end + 1 == b:
                out.update(range(e.start, e.end + 1))
        return out

    def _closes_apposition_at(self, start: int) -> bool:
        e = next((x for x in self.ents if x.start == start), None)
        return e is not None and self._closes_apposition(e.end)

    def type_noun_at(self, i: int) -> bool:
        """A one-word type noun ("model", "chip", "CEO", "startup") at `i`."""
        return bool(self.lex.any_cue_word.at(self.words, i))

    def noun_before(self, position: int, entity: _Ent) -> bool:
        """A common noun of the entity's type right before `position` and apart from the entity
        ("SoftBank ... investe na empresa responsável pelo"): the words after it are about that noun.
        A noun right after the name ("the o3 model was trained") is the name's own."""
        cues = self.lex.cues.get(entity.type, PatternSet())
        if self.words[entity.end : entity.end + 1] == [","]:
            # "Thrive Capital, the venture firm run by Josh Kushner": the noun is the name's apposition
            i = entity.end + 1
            while i < position and (self.words[i] in DETERMINERS or not _any_at(self.words, i, cues)):
                if self.words[i] in self.lex.stop and self.words[i] not in DETERMINERS:
                    break
                i += 1
            if i < position and _any_at(self.words, i, cues):
                return False
        for i in range(max(self.start, position - 2, entity.end + 1), position):
            if _any_at(self.words, i, cues):
                return True
        return False

    def marker_before(self, e: _Ent, markers: set[str]) -> bool:
        i = e.start - 1
        while i >= self.start and self.words[i] in DETERMINERS:
            i -= 1
        return i >= self.start and self.words[i] in markers

    def object_marked(self, e: _Ent) -> bool:
        """ "in OpenAI", "in the French startup Mistral AI", "na primeira fase da Rio AI City",
        "em startups de inteligência artificial": an object preposition shortly before the name."""
        if self.marker_before(e, OBJECT_MARKERS):
            return True
        i = e.start - 1
        for _ in range(6):
            if i < self.start or (i in self.inside and not self._descriptor(i)) or self.words[i] in (",", ";"):
                return False
            if self.words[i] in OBJECT_MARKERS:
                return True
            i -= 1
        return False

    def _descriptor(self, i: int) -> bool:
        """A token of a nationality or sector inside a description ("the French startup", "AI startups")."""
        return any(e.start <= i < e.end and (e.type == "Sector" or self.modifier(e)) for e in self.ents)

    def amount_for(self, trigger: _Trigger, subject: _Ent, obj: _Ent) -> Money | None:
        if not self.money:
            return None
        own = self.money_before(subject)
        if own is not None:
            return own  # "1 billion yuan from Hangzhou City Investment Group"
        lo = min(subject.start, obj.start, trigger.start)
        hi = max(subject.end, obj.end, trigger.end)
        lo_char = self.doc[lo].idx
        hi_char = self.doc[hi - 1].idx + len(self.doc[hi - 1].text)
        inside = [m for m in self.money if lo_char - 5 <= m.start and m.end <= hi_char + 60]
        if not inside:
            return None
        trigger_char = self.doc[trigger.start].idx
        return min(inside, key=lambda m: (abs(m.start - trigger_char), m.start))

    # ------------------------------------------------------------ rules

    def facts(
        self,
        referent: str | None,
        topic: str | None,
        target: str | None = None,
        recent_models: Sequence[_Ent] = (),
        topic_project: str | None = None,
    ) -> Iterator[tuple[_Ent, str, _Ent, float, Money | None]]:
        self._referent = referent
        self.pair_budget = MAX_PAIRS_PER_SENTENCE
        self.raiser: str | None = None
        self.anaphors = self._anaphors(referent, topic_project) + self._model_pronouns(recent_models)
        self.topic = topic
        self.target = target
        if not self.ents:
            return
        for spec, patterns in self.lex.relations:
            for options in self.triggers(patterns):
                for trigger in options:  # "aporte de US$ 1 bi na X" is not "aporte da X": try the next reading
                    found = list(self._from_trigger(spec, trigger))
                    if found:
                        yield from found
                        break
        yield from self._compounds()
        yield from self._maker_appositions()
        yield from self._possessives()
        yield from self._nationality()
        yield from self._investor_nouns()
        yield from self._led_rounds()

    def _anaphors(self, referent: str | None, project: str | None = None) -> list[_Ent]:
        """ "a empresa", "the company" (a definite article and an organisation noun, no name after it)."""
        if referent is None:
            return []
        out = []
        for i in range(self.start + 1, self.end):
            if i in self.inside or not _any_at(self.words, i, self.lex.org_nouns):
                continue
            if self.doc[i - 1].lower_ not in ("the", "a", "o") and not self._based_before(i):
                continue
            if i + 1 < self.end and (i + 1) in self.inside:
                continue  # "a empresa DeepSeek": apposition, the name itself is there
            out.append(self._stand_in(i, "Organization", referent))
        if project:
            for i in range(self.start + 1, self.end):
                # "committed $19bn to the venture", "investir no projeto"
                if i in self.inside or self.doc[i - 1].lower_ not in ("the", "o", "a", "no", "na", "do", "da"):
                    continue
                if not _any_at(self.words, i, self.lex.cue_words["Project"]) or (i + 1) in self.inside:
                    continue
                out.append(self._stand_in(i, "Project", project))
        return out

    def _stand_in(self, i: int, type_name: str, key: str) -> _Ent:
        """A word standing for an entity named elsewhere ("the company", "it", "the venture")."""
        token = self.doc[i]
        m = Mention(token.idx, token.idx + len(token.text), token.text, type_name, key, "anaphor")
        return _Ent(i, i + 1, type_name, key, m, False, True)

    def _based_before(self, i: int) -> bool:
        """ "the San Francisco-based maker": a determiner, a place and "-based" before the noun."""
        if self.words[i - 1] not in ("based", "-based"):
            return False
        return any(self.words[k] in ("the", "a", "o") for k in range(max(self.start, i - 9), i - 1))

    def _model_pronouns(self, recent: Sequence[_Ent]) -> list[_Ent]:
        """ "It was trained on ...", "ele foi treinado com ...", "the model was trained on ...": the model
        named just before."""
        if not recent or any(e.type == "AIModel" for e in self.ents):
            return []
        out = []
        for i in range(self.start, self.end):
            if (i < self.start + 3 and self.words[i] in MODEL_PRONOUNS) or (
                i > self.start
                and self.words[i - 1] in ("the", "o")
                and self.words[i] in MODEL_NOUNS
                and (i + 1 >= self.end or i + 1 not in self.inside)
            ):
                out.append(self._stand_in(i, "AIModel", recent[0].key))
        return out

    def subject(self) -> str | None:
        """The organisation a sentence opens with ("A DeepSeek", "Netherlands-based ASML has ..."), if any."""
        opener = self._opener()
        if opener is None or opener.type != "Organization" or "," in self.words[self.start : opener.start]:
            return None
        return opener.key

    def amount_is_theirs(self, t: _Trigger, pairs: list[tuple[_Ent, _Ent]], s: _Ent) -> bool:
        """An amount goes to one investor, or to each where the text says "each" ("US$ 19 bilhões cada").
        Money *raised* in a round ("raised $6.6bn in a round led by X") is the round's total, nobody's own;
        money received from one named investor ("recebeu US$ 2 bi da Y") is that investor's."""
        each = any(w in EACH for w in self.words[self.start : self.end])
        investors = {p[0].key for p in pairs} - {o.key for o in self.owners(s)}
        if len(investors) > 1 and not each and self.money_before(s) is None:
            return False
        if t.inverse or self.possessed(t):
            if self.money_before(s) is not None:
                return True  # "secured 1 billion yuan from X": X's own amount
            if self.about_round():
                return False
            # "received a $4 billion investment from Amazon": the amount between the word and the investor
            lo_char, hi_char = self.doc[min(t.start, s.start)].idx, self.doc[max(t.start, s.start)].idx
            return any(lo_char <= m.start and m.end <= hi_char for m in self.money) or self.money_near(t)
        return True

    def money_before(self, e: _Ent) -> Money | None:
        """The amount just before "from X" / "da X": "has secured 1 billion yuan from X" (not when X is one
        of several investors sharing it: "€600 million from General Catalyst and Andreessen Horowitz")."""
        if len(self.group(e)) > 1:
            return None
        i = e.start - 1
        while i >= self.start and self.words[i] in DETERMINERS:
            i -= 1
        if i < self.start or self.words[i] not in INVESTOR_MARKERS - AGENT:
            return None
        end = self.doc[i - 1].idx + len(self.doc[i - 1].text) if i - 1 >= self.start else -1
        return next((m for m in self.money if m.end == end), None)

    def money_after(self, t: _Trigger) -> bool:
        """An amount within a few words after the word: "SoftBank Group agreed to invest $2bn"."""
        end = self.doc[t.end - 1].idx + len(self.doc[t.end - 1].text)
        return any(0 <= m.start - end <= 40 for m in self.money)

    def money_near(self, t: _Trigger) -> bool:
        """An amount right after the word: "recebeu US$ 2 bilhões da Amazon"."""
        end = self.doc[t.end - 1].idx + len(self.doc[t.end - 1].text)
        return any(0 <= m.start - end <= 12 for m in self.money)

    def round_of(self, e: _Ent) -> bool:
        """ "na última rodada de financiamento da OpenAI", "the funding round of OpenAI"."""
        if not self.marker_before(e, {"da", "do", "de", "of"}):
            return False
        return any(_any_at(self.words, i, self.lex.round) for i in range(max(self.start, e.start - 4), e.start))

    def leading(self) -> bool:
        return any(_any_at(self.words, i, self.lex.lead_verbs) for i in range(self.start, self.end))

    def about_round(self) -> bool:
        return any(_any_at(self.words, i, self.lex.round) for i in range(self.start, self.end))

    def round_investors(self, target: str) -> list[_Ent]:
        """Investors of a funding round: "other investors are X, Y and Z", "a rodada é liderada pela X"."""
        if not self.about_round():
            return []
        if any(_any_at(self.words, i, self.lex.negation) for i in range(self.start, self.end)):
            return []
        out = []
        for k, e in enumerate(self.ents):
            if e.type != "Organization" or e.key == target:
                continue
            members = self.groups.get(k, [e])
            joined = self.participation_before(members[0]) or self.participation_after(members[-1])
            led = False
            for i in range(max(self.start, e.start - 5), e.start):
                n = _any_at(self.words, i, self.lex.round_lead)
                if n and i + n <= e.start and not any(k in self.inside for k in range(i + n, e.start)):
                    led = True
            if self.complement(members[0]) and not (joined or led):
                continue
            if led or joined or (len(members) >= 2 and self._investors_named_before(members[0])):
                out.append(e)
        return out

    def _investors_named_before(self, e: _Ent) -> bool:
        """ "Existing backers Lightspeed, Accel ...", "investidores como X e Y", "entre eles X, Y e Z"."""
        for i in range(max(self.start, e.start - 4), e.start):
            if _any_at(self.words, i, self.lex.investor_nouns) or self.words[i] in ("eles", "them", "including"):
                return True
        return False

    def participation_after(self, e: _Ent) -> bool:
        """ "with Microsoft, Nvidia and SoftBank also participating", "X e Y também participaram"."""
        for i in range(e.end, min(self.end, e.end + 3)):
            if i in self.inside:
                return False
            if _any_at(self.words, i, self.lex.participation):
                return True
        return False

    def participation_before(self, e: _Ent) -> bool:
        """ "com participação da Tencent", "with participation from Nvidia", "as did Saab"."""
        i = e.start - 1
        skipped = 0
        while i >= self.start and i not in self.inside and skipped <= 4:
            for n in (2, 1):
                if i - n + 1 >= self.start and _any_at(self.words, i - n + 1, self.lex.participation) == n:
                    return True
            if self.words[i] in (",", ";", "."):
                return False
            i -= 1
            skipped += 1
        return False

    def relative_subject(self, e: _Ent, position: int) -> bool:
        """ "liderada pela Thrive Capital, que comprometeu ...": the name is the relative clause's subject."""
        return (
            self.words[e.end : e.end + 2] in ([",", "que"], [",", "which"], [",", "who"], [",", "that"])
            or self.words[e.end : e.end + 1] in (["que"], ["that"], ["which"], ["who"])
        ) and e.end + 1 <= position

    def complement(self, e: _Ent) -> bool:
        """ "fundo dos Emirados", "researchers from Google": a noun's complement, not a sentence's actor
        (a possessor is not: "builds on OpenAI's work with Microsoft")."""
        if self.words[e.end : e.end + 1] == ["'s"]:
            return False
        return self.marker_before(
            e, (SUBJECT_MARKERS | OBJECT_MARKERS | {"with", "com", "at", "on"}) - {"'s"}
        ) and not any(o for o in self.owners(e) if o.end == e.start - 1)

    def _confidence(self, base: float, distance: int) -> float:
        value = base - 0.02 * max(0, distance)
        if self.hedged:
            value *= 0.7
        return max(0.1, min(0.99, value))

    def _from_trigger(self, spec: RelationSpec, t: _Trigger):
        self._trigger_start = t.start
        self._trigger_tight = t.tight
        types = spec.domain | spec.range
        if spec.name == "investsIn":
            types = types - {"Sector"} | {"Sector"}
        if (
            spec.name == "investsIn"
            and _any_at(self.words, t.start, self.lex.needs_amount)
            and not (self.money_near(t) or self.money_after(t))
        ):
            return  # "receberá superchips da Nvidia" is no investment; "recebeu US$ 2 bi da Nvidia" is
        if spec.name == "investsIn" and not t.inverse and self._agent_follows(t):
            t = _Trigger(t.start, t.end, True, t.tight)  # "financed in part by Blue Owl": a passive
        left_window, right_window = (TIGHT_LEFT, TIGHT_RIGHT) if t.tight else (spec.window, spec.window)
        left = self.left_of(t.start, left_window, types, spec.name)
        right = self.right_of(t.end, right_window, types, spec.name)
        if t.tight or self.words[t.end - 1] in self.lex.stop:
            right = [e for e in right if self.tight_gap_ok(t.end, e.start)]
        if not spec.symmetric:
            if spec.name == "investsIn":  # the investor is an actor, not "researchers from X"
                left = [e for e in left if not self.complement(e) or self.relative_subject(e, t.start)]
            left = self.skip_relative(self.skip_apposition(left, t))
        if left and not spec.symmetric and self.noun_before(t.start, left[0]):
            left = []  # "a empresa responsável pelo ChatGPT": the noun, not the entity before it
        if not left and not spec.symmetric:
            left = [
                a
                for a in reversed(self.anaphors)
                if a.end <= t.start and t.start - a.end <= left_window and a.type in types
            ][:1]
        if (
            spec.name == "leads"
            and not left
            and right
            and right[0].type == "Person"
            and right[0].start - t.end <= 3
            and not any(e.type == "Organization" for e in self.ents)
            and not self._former()
        ):
            # "O CEO Mark Zuckerberg", "Presidida pelo príncipe Mohammed bin Salman, a companhia ...":
            # the company the sentence names with a noun, or, for a chief executive, the one the text is about
            anaphor = next(
                (a for a in self.anaphors if a.type == "Organization" and (a.end <= t.start or a.start - t.end <= 3)),
                None,
            )
            if anaphor is None and EXECUTIVE & set(self.words[t.start : t.end + 2]) and self.topic:
                anaphor = _Ent(t.start, t.end, "Organization", self.topic, right[0].mention, False, True)
            if anaphor is not None:
                yield right[0], "leads", anaphor, 0.5, None
                return
        if spec.name == "investsIn":
            # a sector is invested *in*: "investir no setor de IA", not "funding and cloud computing"
            inverse = t.inverse or self.possessed(t)
            right = [
                e
                for e in right
                if self.object_marked(e)
                or (e.type != "Sector" and self.tight_gap_ok(t.end, e.start) and e.start - t.end <= 2)
                or (inverse and e.type != "Sector")
                or self.round_of(e)
            ]
        if spec.name == "investsIn" and not right and not (t.inverse or self.possessed(t)):
            right = [
                a
                for a in self.anaphors
                if a.start >= t.end
                and a.start - t.end <= right_window
                and a.type in ("Project", "Organization")
                and self.object_marked(a)
            ][:1]
        if self.negated(t.start, left[0].end if left else t.start):
            return
        pairs: list[tuple[_Ent, _Ent]] = []
        self._trigger_start = t.start
        self._trigger_tight = t.tight
        if spec.symmetric:
            pairs = self._symmetric_pairs(spec, left, right)
        elif spec.typed_direction:
            pairs = self._typed_pairs(spec, left, right)
        else:
            pairs = self._directed_pairs(spec, t, left, right)
        pairs = pairs[: self.pair_budget]  # bounded per sentence: a list of thousands of names stays linear
        self.pair_budget -= len(pairs)
        base = 0.85 if not t.tight else 0.8
        for s, o in pairs:
            if s.anaphor or o.anaphor:
                base = min(base, 0.6)
            distance = min(abs(t.start - s.end), abs(o.start - t.end))
            amount = None
            if spec.name == "investsIn" and self.amount_is_theirs(t, pairs, s):
                amount = self.amount_for(t, s, o)
            log.debug("%s %s %s by trigger %r", s.key, spec.name, o.key, " ".join(self.words[t.start : t.end]))
            yield s, spec.name, o, self._confidence(base, distance), amount

    def _typed_pairs(self, spec: RelationSpec, left: list[_Ent], right: list[_Ent]) -> list[tuple[_Ent, _Ent]]:
        def role(e: _Ent) -> str:
            return "s" if e.type in spec.domain else "o"

        if (
            spec.name == "trainedOn"
            and right
            and right[0].type == "AIModel"
            and right[0].start - self._trigger_start <= 3
            and any(e.type == "Hardware" for e in right[1:])
        ):
            left = []  # "to train Grok 3 on its Colossus supercomputer": both after the word
        if (
            spec.name == "locatedIn"
            and self.words[self._trigger_start] in ("based", "-based")
            and left
            and left[0].type == "Place"
            and left[0].end >= self._trigger_start - 1
        ):
            # "Paris-based Mistral AI": the organisation follows the word, described at most
            right = [
                e
                for e in right[:1]
                if e.start - self._trigger_start <= 4
                and all(
                    self._descriptor(i) or self.type_noun_at(i) or self.words[i] in DETERMINERS
                    for i in range(self._trigger_start + 1, e.start)
                )
            ]
            if not right:
                return []
        if spec.name == "locatedIn" and left and not self._trigger_tight:
            right = [e for e in right if e.type != "Place" or e.start - self._trigger_start <= 4]
        if left and spec.name in ("trainedOn", "developedBy"):
            left = self._relative_first(left)
        if spec.name == "leads" and self._former():
            return []  # "former OpenAI chief technology officer Mira Murati"
        if spec.name == "leads" and left and self._trigger_start - left[0].end > 4:
            left = []  # "... a pedido do presidente Lula": the name before is too far to be the company
        if spec.name == "leads" and left and not left[0].anaphor and not self._title_gap(left[0]):
            left = left[1:] if left[0].type == "Person" else []
        if left and right:
            first = left[0]
            partner = next((e for e in right if role(e) != role(first)), None)
            if (
                partner is not None
                and spec.name == "developedBy"
                and not self._trigger_tight
                and not self._made_shape(first, partner)
            ):
                partner = None
            if partner is None and self._trigger_start - first.end <= 3:
                # "Jensen Huang, Nvidia's CEO": both ends before the word, the nearer one next to it
                partner = next((e for e in left[1:] if role(e) != role(first)), None)
            if partner is None:
                return []
            pair = (first, partner) if role(first) == "s" else (partner, first)
        elif right:
            first = right[0]
            partner = next((e for e in right[1:] if role(e) != role(first)), None)
            if partner is None:
                return []
            if spec.name in ("leads", "locatedIn") and (
                partner.start - first.end > 3
                or "," not in self.words[first.end : partner.start]
                or first.start - self._trigger_start > 3
            ):
                return []  # "CEO da Nvidia, Jensen Huang", "Com sede em Paris, a Mistral": together, a comma between
            pair = (first, partner) if role(first) == "s" else (partner, first)
        elif left:
            first = left[0]
            partner = next((e for e in left[1:] if role(e) != role(first)), None)
            if partner is None or self._trigger_start - first.end > 3:
                return []
            pair = (first, partner) if role(first) == "s" else (partner, first)
        else:
            return []
        s, o = pair
        if self._trigger_tight:
            if spec.name == "locatedIn" or self.words[self._trigger_start - 1 : self._trigger_start] == [","]:
                return [(s, o)]  # "Abu Dhabi's MGX, Khosla ...", "o DeepSeek-V3 e o Qwen3, do Alibaba"
            return [(a, b) for a in self.stretch(s) for b in self.stretch(o)]
        return [(a, b) for a in self.group(s) for b in self.group(o)]

    def stretch(self, e: _Ent) -> list[_Ent]:
        """The members of e's list not separated from it by an owner ("OpenAI's o3-mini and GPT-4.5 as well
        as Anthropic's Claude": o3-mini and GPT-4.5 are OpenAI's, Claude is not)."""
        members = self.group(e)
        if len(members) == 1:
            return members
        k = members.index(e)
        transparent = self._transparent
        lo = k
        while lo > 0 and not any(i in transparent for i in range(members[lo - 1].end, members[lo].start)):
            lo -= 1
        hi = k
        while hi + 1 < len(members) and not any(
            i in transparent for i in range(members[hi].end, members[hi + 1].start)
        ):
            hi += 1
        return members[lo : hi + 1]

    def _relative_first(self, left: list[_Ent]) -> list[_Ent]:
        """ "o R1, que supera o o1 da OpenAI e foi treinado com chips H800": the word belongs to the relative
        clause of the name before "que", not to the nearer name inside that clause."""
        for e in left[1:]:
            if e.type == left[0].type and self.words[e.end : e.end + 2] in ([",", "que"], [",", "which"]):
                clause = self.words[e.end + 2 : self._trigger_start]
                if "," not in clause and ";" not in clause:
                    return [e] + [x for x in left if x is not e]
        return left

    def _title_gap(self, e: _Ent) -> bool:
        """Between a name and a title only possessives, commas and other titles ("Nvidia's founder and CEO")."""
        person_cues = self.lex.cues["Person"]
        for i in range(e.end, self._trigger_start):
            w = self.words[i]
            if w in AGENT or not (w in self.lex.stop or w in ("'s", ",", "-") or _any_at(self.words, i, person_cues)):
                return False
        return True

    def _former(self) -> bool:
        lo = max(self.start, self._trigger_start - 3)
        return any(w in FORMER or w.startswith("ex-") for w in self.words[lo : self._trigger_start])

    def _agent_follows(self, t: _Trigger) -> bool:
        for i in range(t.end, min(self.end, t.end + 3)):
            if i in self.inside:
                return False
            if self.words[i] in AGENT:
                return True
        return False

    def _made_shape(self, first: _Ent, partner: _Ent) -> bool:
        """ "o R1, lançado pela DeepSeek" (the thing, the word next to it, then "by" the maker) or
        "Meta unveiled Llama" (the maker acting, the thing its object, not "partnered with X to offer Y",
        "building with Claude")."""
        if first.type in NAMED_THINGS:
            return self._trigger_start - first.end <= 3 and self.marker_before(partner, PASSIVE_MARKERS)
        maker = self.group(first)[0]
        return (
            not self.complement(maker)
            or self.relative_subject(maker, self._trigger_start)
            or self.words[first.end : first.end + 1] in (["que"], ["that"], ["which"])
        ) and not self.marker_before(partner, THING_PREPOSITIONS)

    def _directed_pairs(
        self, spec: RelationSpec, t: _Trigger, left: list[_Ent], right: list[_Ent]
    ) -> list[tuple[_Ent, _Ent]]:
        def pick(candidates: list[_Ent], types: frozenset[str]) -> _Ent | None:
            return next((e for e in candidates if e.type in types), None)

        subject_types, object_types = spec.domain, spec.range
        inverse = t.inverse or self.possessed(t)
        if inverse:
            # the investor is introduced by a preposition ("from", "by", "da") or stands right after the word
            right = [
                e
                for e in right
                if e.start - t.end <= 2 or self.marker_before(e, INVESTOR_MARKERS) or self.participation_before(e)
            ]
            obj, subject = pick(left, object_types), pick(right, subject_types)
        else:
            subject, obj = pick(left, subject_types), pick(right, object_types)
        if subject is None and obj is None:
            return []
        if inverse and obj is not None and subject is None and obj.type == "Organization" and self.money_near(t):
            self.raiser = self.raiser or obj.key
        if inverse and obj is None and self.money_near(t) and t.inverse:
            opener = self._opener()  # "SSI, which ..., was valued at $32bn after raising $2bn"
            if opener is not None and opener.type == "Organization":
                self.raiser = self.raiser or opener.key
        if subject is None or obj is None:
            both = self._both_after(right, subject_types, object_types)
            if both:
                subject, obj = both
            elif left and not inverse and subject is None:
                return []
            elif self.target:
                # "a rodada é liderada pela Thrive Capital, que comprometeu US$ 1 bilhão", "Nvidia invested
                # $100m": in an article about a deal, money without a target goes to the deal's company
                if (
                    subject is None
                    or obj is not None
                    or subject.type != "Organization"
                    or self.target in {m.key for m in self.group(subject)}
                ):
                    return []
                if not (self.about_round() or self.money_near(t) or self.money_after(t)):
                    return []
                obj = _Ent(t.start, t.end, "Organization", self.target, subject.mention, False, True)
            else:
                return []
        if subject.type not in subject_types or obj.type not in object_types:
            return []
        investors = list(self.group(subject))
        if inverse:
            # "1 billion yuan from X and 500 million yuan from Y": each amount names its investor
            investors += [
                e
                for e in self.ents
                if e.start > subject.end
                and e.type in subject_types
                and self.money_before(e) is not None
                and e not in investors
                and not self.broken(subject.end, e.start)
            ]
        targets = self.group(obj)
        if len(investors) == len(targets) > 1 and self.respectively():
            return list(zip(investors, targets, strict=True))  # "X and Y, backed by A and B respectively"
        for owner in self.owners(subject):
            if owner.key != obj.key:
                investors.append(owner)  # "o Vision Fund do SoftBank" / "SoftBank's Vision Fund"
        return [(a, b) for a in investors for b in targets]

    def respectively(self) -> bool:
        return any(w in ("respectively", "respectivamente") for w in self.words[self.start : self.end])

    def _both_after(self, right: list[_Ent], subject_types, object_types) -> tuple[_Ent, _Ent] | None:
        """ "investimento da Microsoft na OpenAI": both ends after the word, told apart by prepositions."""
        candidates = [e for e in right if e.type in (subject_types | object_types)]
        if len(candidates) < 2:
            return None
        a = candidates[0]
        b = next((e for e in candidates[1:] if e.key != a.key and e not in self.owners(a)), None)
        if b is None:
            return None
        if self.marker_before(a, SUBJECT_MARKERS) and self.marker_before(b, OBJECT_MARKERS):
            return a, b
        if self.marker_before(a, OBJECT_MARKERS) and self.marker_before(b, SUBJECT_MARKERS):
            return b, a
        return None

    def skip_relative(self, left: list[_Ent]) -> list[_Ent]:
        """ "A empresa, que tem entre seus acionistas o fundo X, fechou um acordo": names inside a relative
        clause between commas are not the actor."""
        out = []
        for e in left:
            opening = next(
                (i for i in range(e.start - 1, max(self.start, e.start - 12) - 1, -1) if self.words[i] == ","), None
            )
            closing = next((i for i in range(e.end, self._trigger_start) if self.words[i] == ","), None)
            if (
                opening is not None
                and closing is not None
                and self.words[opening + 1 : opening + 2]
                and self.words[opening + 1] in RELATIVES
            ):
                continue
            out.append(e)
        return out

    def skip_apposition(self, left: list[_Ent], t: _Trigger) -> list[_Ent]:
        """ "o SoftBank, comandado por Masayoshi Son, investe": the actor is before the inserted clause."""
        if not left or t.start - 1 < self.start or self.words[t.start - 1] != ",":
            return left
        opening = next((i for i in range(t.start - 2, self.start - 1, -1) if self.words[i] == ","), None)
        if opening is None:
            return left
        first = opening + 1
        while first < t.start and self.words[first] in DETERMINERS:
            first += 1
        if first in self.inside:
            return left  # ", a Mistral, sediada em Paris": the segment is the name itself

        before = [e for e in left if e.end <= opening]
        return before or left

    def possessed(self, t: _Trigger) -> bool:
        """ "its latest funding round", "Mistral's funding": funding *received* by the owner
        (but "its investment in X" is made by the owner)."""
        if not _any_at(self.words, t.start, self.lex.round):
            return False
        for i in range(t.start - 1, max(self.start, t.start - 4) - 1, -1):
            if self.words[i] == "'s" or _any_at(self.words, i, self.lex.possessive):
                return True
            if self.words[i] in self.lex.stop and self.words[i] not in DETERMINERS:
                return False
        return False

    def owners(self, e: _Ent) -> list[_Ent]:
        """The other organisation of "X do Y" / "Y's X" when both are organisations: both invest."""
        if e.type != "Organization":
            return []
        out = []
        for other in self.ents:
            if other.type != "Organization" or other is e:
                continue
            if other.start == e.end + 1 and self.words[e.end] in ("do", "da", "of"):
                out.append(other)
            elif e.start == other.end + 1 and self.words[other.end] in ("do", "da", "of"):
                out.append(other)
            elif other.end == e.start - 1 and self.words[other.end] == "'s":
                out.append(other)
            elif e.end == other.start - 1 and self.words[e.end] == "'s":
                out.append(other)
        return out

    def triggers_after(self, e: _Ent) -> int:
        return self._trigger_start - e.end

    def _symmetric_pairs(self, spec: RelationSpec, left: list[_Ent], right: list[_Ent]) -> list[tuple[_Ent, _Ent]]:
        def same_kind(a: _Ent, b: _Ent) -> bool:
            return a.type == b.type and a.key != b.key

        right = [e for e in right if e.start - self._trigger_start <= SYMMETRIC_REACH + 1] if left else right
        left = [
            e
            for e in left
            if not self.complement(e) or self.marker_before(e, WITH) or self.relative_subject(e, self._trigger_start)
        ]  # "criada pelo PIF, anunciou acordos com"
        left = self.skip_relative(left)
        if spec.name == "competesWith":  # "Nvidia's RTX chiplets, products it hopes will compete with"
            left = [e for e in left if self.words[e.end : e.end + 1] != ["'s"] or self._trigger_start - e.end <= 3]
        if left and right:
            a = left[0]
            b = next((e for e in right if same_kind(a, e)), None)
            if b is not None:
                return [(x, y) for x in self.group(a) for y in self.group(b) if x.key != y.key]
        if left and right and spec.name == "competesWith":
            a = left[0]
            b = next(
                (
                    e
                    for e in right
                    if e.key != a.key
                    and {a.type, e.type} <= {"Organization", *NAMED_THINGS}
                    and "Organization" in {a.type, e.type}
                ),
                None,
            )
            if b is not None:  # a model against a company: lifted to the model's developer later
                return [(a, b)]
        for side, is_left in ((left, True), (right, False)):
            if side:
                members = self.group(side[0])
                close = not is_left or (
                    self.triggers_after(members[-1]) <= 3
                    and not any(w in LIST for w in self.words[members[-1].end : self._trigger_start])
                )
                if len(members) > 1 and close and (is_left or self.marker_before(members[0], BETWEEN)):
                    return [(x, y) for i, x in enumerate(members) for y in members[i + 1 :]]
        if left and not right and len(left) > 1 and self.marker_before(left[0], WITH):
            # "a AMD formou com a Humain uma joint venture": the one before "com" and the one after it
            partner = next((e for e in left[1:] if same_kind(left[0], e)), None)
            if partner is not None:
                return [(partner, left[0])]
        if not left and right:
            # "The company has partnered with AWS and Dell", "its lead over rivals Anthropic and xAI":
            # the organisation the sentence (or the text) is about
            actor = next(
                (a for a in reversed(self.anaphors) if a.end <= self._trigger_start and a.type == right[0].type), None
            )
            if actor is None and right[0].start - self._trigger_start <= 3:
                opener = self._opener()  # "rivals such as Anduril", "rivais como o Doubao"
                if opener is not None and (opener.type == right[0].type or spec.name == "competesWith"):
                    actor = opener
            if actor is not None and actor.start < self._trigger_start:
                return [(actor, y) for y in self.group(right[0]) if y.key != actor.key]
        return []

    def _opener(self) -> _Ent | None:
        """The entity a sentence opens with, after determiners and place adjectives: its likely subject."""
        covered = {i for e in self.ents if self.modifier(e) for i in range(e.start, e.end)}
        for e in self.ents:
            if self.modifier(e):
                continue
            lead = [
                w
                for i, w in enumerate(self.words[self.start : e.start], self.start)
                if i not in covered and w not in DETERMINERS and w not in JOINERS and w != "based"
            ]
            return None if lead else e
        return None

    def _maker_appositions(self):
        """ "Copilot, Microsoft's AI assistant", "o CloudMatrix 384, sistema da Huawei": a named thing, then an
        apposition whose noun belongs to an organisation."""
        for thing in self.ents:
            if thing.type not in NAMED_THINGS or self.words[thing.end : thing.end + 1] != [","]:
                continue
            i = thing.end + 1
            while i < self.end and self.words[i] in DETERMINERS:
                i += 1
            org = next((e for e in self.ents if e.start == i and e.type == "Organization"), None)
            if org is not None and self.words[org.end : org.end + 1] == ["'s"]:
                if self._noun_within(org.end + 1, 4, thing.type):
                    yield thing, "developedBy", org, 0.7, None
                continue
            cue_end = self._noun_within(i, 3, thing.type)
            if (
                cue_end
                and self.words[cue_end : cue_end + 1]
                and self.words[cue_end] in ("da", "do", "de", "of", "from")
            ):
                org = next((e for e in self.ents if e.start == cue_end + 1 and e.type == "Organization"), None)
                if org is not None:
                    yield thing, "developedBy", org, 0.7, None

    def _noun_within(self, i: int, reach: int, type_name: str) -> int:
        """The end of a type noun of `type_name` among the next `reach` words, or 0."""
        cues = self.lex.cues.get(type_name, PatternSet())
        for k in range(i, min(self.end, i + reach)):
            if k in self.inside:
                return 0
            n = _any_at(self.words, k, cues)
            if n:
                return k + n
        return 0

    def _compounds(self):
        """An organisation's name right before its model, product or chip: "Nvidia H800", "OpenAI o1"."""
        for a, b in zip(self.ents, self.ents[1:], strict=False):
            if a.end == b.start and a.type == "Organization" and b.type in ("AIModel", "Product", "Hardware"):
                for member in self.group(b) if b is self.group(b)[0] else [b]:
                    yield member, "developedBy", a, 0.8, None

    def _possessives(self):
        """ "Meta has unveiled its Llama 3.1", "a DeepSeek ... seu modelo R1": the owner is the nearest
        organisation before the pronoun that is not itself owned or governed by a preposition."""
        for i in range(self.start, self.end):
            if i in self.inside or not _any_at(self.words, i, self.lex.possessive):
                continue
            made = next((e for e in self.ents if e.start > i and e.type != "Sector"), None)
            if made is not None and any(w in RELATIONAL for w in self.words[i : made.start]):
                made = None  # "defend its search business against ChatGPT"
            if made is None or made.type not in NAMED_THINGS or made.start - i > 10 or self.broken(i, made.start):
                made = self._apposed(i)
                if made is None:
                    continue
            if made.start - i > 4 and not self.noun_before_any(i, made.start, made.type):
                continue
            owners = [
                e
                for e in reversed(self.ents)
                if e.type == "Organization"
                and e.end <= i
                and self.words[e.end : e.end + 1] != ["'s"]
                and (
                    e.end == i - 1
                    and self.words[i - 1] == ","  # "OpenAI, whose ChatGPT"
                    or self.relative_subject(e, i)  # "a Microsoft, que distribui seus modelos"
                    or not self.marker_before(e, (OBJECT_MARKERS | SUBJECT_MARKERS | WITH | {"on", "at"}) - AGENT)
                )
            ]
            owner = owners[0] if owners else next((a for a in reversed(self.anaphors) if a.end <= i), None)
            if owner is None and self.topic and not any(e.type == "Organization" for e in self.ents):
                owner = _Ent(i, i + 1, "Organization", self.topic, made.mention, False, True)
            if owner is None or self.negated(i, i):
                continue
            yield made, "developedBy", owner, 0.7 if not owner.anaphor else 0.5, None

    def _investor_nouns(self):
        """ "Microsoft, OpenAI's largest backer", "X, maior acionista da Y", "tem entre seus acionistas X":
        the investor stands beside the noun, the company it invests in owns the noun."""
        for i in range(self.start, self.end):
            if i in self.inside or not _any_at(self.words, i, self.lex.investor_nouns):
                continue
            if self.negated(i, i):
                continue
            counted = self._counted_as(i)
            if counted is not None:
                owner, investors = counted
                for investor in investors:
                    yield investor, "investsIn", owner, 0.65, None
                continue
            owner = self._noun_owner(i)
            if owner is None:
                continue
            investor = self._beside(i, owner)
            if investor is not None and investor.key != owner.key:
                yield investor, "investsIn", owner, 0.65, None

    def _led_rounds(self):
        """ "Thrive Capital led Mistral AI's €1 billion funding round", "a X liderou a rodada da Y"."""
        for i in range(self.start, self.end):
            if i in self.inside or not _any_at(self.words, i, self.lex.lead_verbs):
                continue
            investor = next(
                (e for e in reversed(self.ents) if e.end <= i and i - e.end <= 2 and e.type == "Organization"), None
            )
            if investor is None or self.negated(i, i):
                continue
            for k in range(i + 1, min(self.end, i + 10)):
                if _any_at(self.words, k, self.lex.round):
                    owner = self._round_owner(i + 1, k)
                    if owner is not None and owner.key != investor.key:
                        yield investor, "investsIn", owner, 0.7, None
                    break

    def _round_owner(self, a: int, round_at: int) -> _Ent | None:
        # "Mistral AI's ... round"
        for e in self.ents:
            if a <= e.start and e.end < round_at and self.words[e.end] == "'s" and e.type == "Organization":
                return e
        # "a rodada ... da Mistral AI", "the round of Mistral"
        for e in self.ents:
            if (
                e.start > round_at
                and e.start - round_at <= 8
                and e.type == "Organization"
                and self.marker_before(e, {"da", "do", "de", "of", "for", "para", "in", "na", "no", "em"})
            ):
                return e
        return None

    def _counted_as(self, i: int) -> tuple[_Ent, list[_Ent]] | None:
        """ "Stargate counts Oracle and MGX as initial investors", "tem a Oracle e a MGX como investidoras"."""
        k = i - 1
        while k >= self.start and k not in self.inside and self.words[k] not in AS and i - k <= 3:
            k -= 1
        if k < self.start or self.words[k] not in AS:
            return None
        listed = next((e for e in reversed(self.ents) if e.end <= k and k - e.end <= 1), None)
        if listed is None or listed.type != "Organization":
            return None
        members = self.group(listed)
        owner = next(
            (
                e
                for e in self.ents
                if e.end <= members[0].start
                and e.type in ("Organization", "Project")
                and e.key not in {m.key for m in members}
            ),
            None,
        )
        if owner is None:
            return None
        return owner, members

    def _noun_owner(self, i: int) -> _Ent | None:
        # "OpenAI's largest backer"
        for k in range(i - 1, max(self.start, i - 4) - 1, -1):
            if self.words[k] == "'s":
                return next((e for e in self.ents if e.end == k and e.type in ("Organization", "Project")), None)
            if _any_at(self.words, k, self.lex.possessive):
                return self._possessor(k)
            if self.words[k] in self.lex.stop and self.words[k] not in DETERMINERS:
                break
        # "acionista da Arm", "investor in Mistral"
        k = i + 1
        while k < self.end and (self.words[k] in DETERMINERS or self.words[k] in PREPOSITIONS) and k - i <= 3:
            k += 1
        if k > i + 1 and self.words[i + 1] in PREPOSITIONS:
            return next((e for e in self.ents if e.start == k and e.type in ("Organization", "Project")), None)
        return None

    def _possessor(self, k: int) -> _Ent | None:
        owners = [
            e
            for e in reversed(self.ents)
            if e.type == "Organization" and e.end <= k and not self.marker_before(e, OBJECT_MARKERS | SUBJECT_MARKERS)
        ]
        return owners[0] if owners else next((a for a in reversed(self.anaphors) if a.end <= k), None)

    def _beside(self, i: int, owner: _Ent) -> _Ent | None:
        """The investor in apposition: "Microsoft, [already] OpenAI's largest backer" or "..., X"."""
        before = [
            e
            for e in self.ents
            if e.end <= min(i, owner.start) and e.type in ("Organization", "Person") and e.key != owner.key
        ]
        if before:
            e = before[-1]
            between = self.words[e.end : min(i, owner.start)]
            if (
                (between[:1] == [","] or between[:1] and between[0] in COPULAS)
                and len(between) <= 8
                and ";" not in between
            ):
                return e
        after = [e for e in self.ents if e.start > i and e.type in ("Organization", "Person") and e.key != owner.key]
        if after:
            e = after[0]
            between = self.words[max(i, owner.end) : e.start]
            if e.start - i <= 8 and (
                between[:1] == [","]
                or all(w in DETERMINERS or w in ("o", "a") for w in between)
                or between[-2:] in ([",", "a"], [",", "o"], [",", "the"])
            ):
                return e
        return None

    def _apposed(self, i: int) -> _Ent | None:
        """ "o GLM, seu modelo de IA": the named thing just before ", its <noun>"."""
        if i - 1 < self.start or self.words[i - 1] != ",":
            return None
        before = next((e for e in reversed(self.ents) if e.end == i - 1), None)
        if before is None or before.type not in NAMED_THINGS:
            return None
        return before if self._noun_within(i + 1, 3, before.type) else None

    def _nationality(self):
        """ "a chinesa DeepSeek", "the French AI startup Mistral", "DeepSeek is a Chinese start-up",
        "MGX, fundo dos Emirados Árabes Unidos"."""
        ents = [e for e in self.ents if e.type != "Sector"]
        for k, place in enumerate(ents):
            if place.type != "Place":
                continue
            following = ents[k + 1] if k + 1 < len(ents) else None
            if following is not None and following.type in ("Organization", "Project"):
                gap = self.words[place.end : following.start]
                after_noun = self._org_noun_before(place)  # "a fabricante holandesa de equipamentos ... ASML"
                if (
                    len(gap) <= (7 if after_noun else 5)
                    and not any(w in (",", ";") for w in gap)
                    and self._describes(place.end, following.start, allow_prepositions=after_noun)
                    and (place.demonym or (gap and self._has_cue(place.end, following.start)))
                    and (after_noun or not gap or self._org_noun_ends(place.end, following.start))
                ):
                    plural = (
                        _plural(self.doc[following.start - 1].text) if gap else _plural(self.doc[place.end - 1].text)
                    )
                    for member in self.group(following) if plural else [following]:
                        yield member, "locatedIn", place, 0.85, None
                    continue
            based = self._based_noun(place) or self._described_noun(place)
            if based is not None:  # "the Hangzhou-based group", "the Beijing start-up", "a startup francesa"
                yield based, "locatedIn", place, 0.55, None
                continue
            if k == 0:
                continue
            before = ents[k - 1]
            if before.type not in ("Organization", "Project"):
                continue
            gap = self.words[before.end : place.start]
            if (
                place.demonym
                and 1 <= len(gap) <= 3
                and all(w in self.lex.stop or w == "," for w in gap)
                and any(w in COPULAS or w == "," for w in gap)
            ):
                yield before, "locatedIn", place, 0.75, None  # "DeepSeek is a Chinese start-up"
            elif (
                not place.demonym
                and 3 <= len(gap) <= 5
                and gap[0] == ","
                and gap[-1] in ("of", "de", "da", "do", "dos", "das")
                and self._has_cue(before.end, place.start)
            ):
                yield before, "locatedIn", place, 0.7, None
            elif gap in ([",", "de"], [",", "from"], [",", "em"], [",", "in"]) and self._closes_apposition(place.end):
                yield before, "locatedIn", place, 0.6, None  # "A G42, de Abu Dhabi, ..."
            elif (
                gap[:1] == [","]
                and len(gap) <= 3
                and all(w in DETERMINERS for w in gap[1:])
                and self._org_noun_after(place)
            ):
                yield before, "locatedIn", place, 0.7, None  # "Anduril, the US defence group"

    def noun_before_any(self, a: int, b: int, type_name: str) -> bool:
        cues = self.lex.cues.get(type_name, PatternSet())
        return any(_any_at(self.words, i, cues) for i in range(a, b))

    def _org_noun_ends(self, a: int, b: int) -> bool:
        """The description ends with an organisation noun ("Chinese AI start-up DeepSeek"), or is only
        determiners and sector words ("a chinesa DeepSeek", "Chinese AI DeepSeek")."""
        for i in range(a, b):
            n = _any_at(self.words, i, self.lex.org_nouns)
            if n and i + n == b:
                return True
        return all(self.words[i] in DETERMINERS or self._descriptor(i) or self.words[i] in JOINERS for i in range(a, b))

    def _org_noun_before(self, place: _Ent) -> bool:
        cues = self.lex.org_nouns
        return place.start - 1 >= self.start and bool(_any_at(self.words, place.start - 1, cues))

    def _org_noun_after(self, place: _Ent) -> bool:
        """A place, then up to three describing words and an organisation noun: "US defence group"."""
        for i in range(place.end, min(self.end, place.end + 4)):
            if _any_at(self.words, i, self.lex.org_nouns):
                return True
            if self.words[i] in self.lex.stop or i in self.inside or not self.words[i].isalpha():
                return False
        return False

    def _closes_apposition(self, i: int) -> bool:
        return i >= self.end or self.words[i] in (",", ".", ";", ")")

    def _based_noun(self, place: _Ent) -> _Ent | None:
        """ "The Hangzhou-based group said": the organisation the noun stands for."""
        after = self.words[place.end : place.end + 3]
        if after[:2] == ["-", "based"]:
            noun = place.end + 2
        elif after[:1] in (["-based"], ["based"]):
            noun = place.end + 1
        else:
            return None
        while noun < self.end and noun not in self.inside and not _any_at(self.words, noun, self.lex.org_nouns):
            if self.words[noun] in self.lex.stop or noun - place.end > 4:
                return None
            noun += 1
        if noun >= self.end or noun in self.inside:
            return None
        return self._noun_stands_for(noun, self._phrase_start(place.start))

    def _phrase_start(self, i: int) -> int:
        """Where the noun phrase holding token `i` starts (back over a determiner and place words)."""
        while i > self.start and (
            self.words[i - 1] in ("the", "a", "o") or (i - 1) in self.inside or self.words[i - 1] in (",", "-")
        ):
            if self.words[i - 1] == "," and not any(e.end == i - 1 and e.type == "Place" for e in self.ents):
                break
            i -= 1
        return i

    def _noun_stands_for(self, noun: int, phrase_start: int) -> _Ent | None:
        """The organisation an organisation noun stands for: the named one it is in apposition to
        ("Anduril, the US defence group"), or, opening the sentence, the one the text is about."""
        if phrase_start - 2 >= self.start and self.words[phrase_start - 1] == ",":
            named = next((e for e in self.ents if e.end == phrase_start - 1 and e.type == "Organization"), None)
            if named is not None:
                return self._stand_in(noun, "Organization", named.key)
        if phrase_start <= self.start + 1 and self._referent is not None:
            return self._stand_in(noun, "Organization", self._referent)
        return None

    def _described_noun(self, place: _Ent) -> _Ent | None:
        """An organisation noun standing for the company the text is about, described by a place:
        "the Beijing start-up", "a startup francesa", "a empresa de Santa Clara", "a gigante de Menlo Park"."""
        nouns = self.lex.org_nouns
        # "the Beijing start-up": a determiner, the place, at most one more word, the noun
        if place.start > self.start and self.words[place.start - 1] in ("the", "a", "o") and not place.demonym:
            for i in range(place.end, min(self.end, place.end + 2)):
                n = _any_at(self.words, i, nouns)
                if n and (i + n >= self.end or i + n not in self.inside):
                    return self._noun_stands_for(i, place.start - 1)
                if i in self.inside or self.words[i] in self.lex.stop:
                    break
        # "a startup francesa", "a empresa de Santa Clara": the noun (after a determiner) right before
        before = place.start - (1 if place.demonym else 2)
        if before - 1 < self.start or self.words[before - 1] not in ("the", "a", "o"):
            return None
        if not place.demonym and self.words[place.start - 1] not in ("de", "from", "in"):
            return None
        if _any_at(self.words, before, nouns) and before not in self.inside:
            if place.end < self.end and place.end in self.inside:
                return None  # "a startup francesa Mistral AI": the name follows, read as a nationality
            return self._noun_stands_for(before, before - 1)
        return None

    def _describes(self, a: int, b: int, allow_prepositions: bool = False) -> bool:
        """The words between a nationality and a name describe the name: "AI start-up", "tech giant"."""
        cues = self.lex.cues["Organization"]
        sector = {i for e in self.ents if e.type == "Sector" for i in range(e.start, e.end)}
        other = 0
        limit = 2 if self._org_noun_ends(a, b) else 1  # "Dutch chip-equipment maker ASML"
        i = a
        while i < b:
            n = _any_at(self.words, i, cues)
            if n:
                i += n
                continue
            if self.words[i] in PREPOSITIONS and not allow_prepositions:
                return False  # "alternativa europeia à OpenAI"
            if not (self.words[i] in DETERMINERS or i in sector or self.words[i] in JOINERS):
                other += 1
            i += 1
        return other <= limit

    def _modifier(self, word: str) -> bool:
        return word not in (",", ";", ".") and (word in self.lex.stop or word.isalpha() or "-" in word)

    def _has_cue(self, a: int, b: int) -> bool:
        cues = self.lex.cues["Organization"]
        return any(_any_at(self.words, i, cues) for i in range(a, b))
