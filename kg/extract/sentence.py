"""One sentence as the patterns of `kg.extract.patterns` read it, and the readings they share.

A `Sentence` holds the folded words, the typed entity spans in text order, the amounts and the
ontology's lexicon for the language (`lexicon`), and what a word standing for an entity may mean
there ("the company", "o projeto", "it"). The functions below are the readings every pattern relies
on: lists ("Oracle, OpenAI e SoftBank"), the preposition that governs a name, negation and hedges,
place adjectives, the entity a sentence opens with, appositions, owners ("SoftBank's Vision Fund")
and where an amount stands. They know words, never particular sentences.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import cast

from spacy.tokens import Doc

from ..ontology import Ontology, PatternSet, RelationSpec, fold, one_word
from ..records import Money

# Function words, folded (lowercase, no accents) as the sentence's words are: "à" and "é" fold into
# "a" and "e", so they are told apart on the original text (`copula`). Content words come from kg.ttl.
DETERMINERS = {"the", "a", "an", "o", "os", "as", "um", "uma", "its", "seu", "sua", "their", "his", "her", "own"}
OBJECT_MARKERS = {"in", "into", "na", "no", "nas", "nos", "em", "to", "para", "ao", "aos", "for", "on"}
CRASIS = {"à", "às"}  # "a" + "a(s)", "to the": read on the original text, as "à" folds into the article "a"
SUBJECT_MARKERS = {"by", "from", "of", "de", "da", "do", "das", "dos", "pela", "pelo", "por"}
AGENT = {"by", "por", "pela", "pelo", "pelas", "pelos"}
WITH = {"with", "com"}
BETWEEN = {"between", "among", "entre"}
COPULAS = {"is", "was", "remains", "became", "foi", "era", "segue", "continua"}
AS = {"as", "como"}
EACH = {"each", "cada", "apiece"}
RESPECTIVELY = {"respectively", "respectivamente", "respetivamente"}
EXECUTIVE = {"ceo", "chief", "executive", "executivo", "executiva", "diretor-executivo", "presidente-executivo"}
FORMER = {"former", "ex", "antigo", "antiga", "previous", "previously", "anterior"}
RELATIVES = {"que", "which", "who", "that"}
RELATIONAL = {"against", "contra", "with", "com", "over", "than", "versus", "vs"}
THING_MARKERS = {"on", "using", "with", "com", "em", "usando", "in"}
OWNER_OF = {"da", "do", "de", "of", "from"}
MODEL_PRONOUNS = {"it", "ele"}
MODEL_NOUNS = {"model", "modelo"}
PROJECT_DETERMINERS = {"the", "o", "a", "no", "na", "do", "da"}
INCLUDE = {"include", "includes", "included", "including", "incluem", "inclui", "incluiu", "incluiram", "incluindo"}
NAMING = {"called", "named", "dubbed", "chamado", "chamada", "batizado", "batizada", "denominado", "denominada"}
THINGS = ("AIModel", "Product", "Hardware")
TIGHT_LEFT, TIGHT_RIGHT = 1, 2  # reach of a trigger made of function words only ("da", "'s", "by")
MAX_PAIRS_PER_SENTENCE = 64  # a list of thousands of names stays linear


@dataclass(frozen=True)
class Ent:
    """An entity span of one sentence (token positions in the doc), or a word standing in for one."""

    start: int
    end: int
    type: str
    key: str
    demonym: bool = False
    stand_in: bool = False  # "the company", "it", "o projeto": an entity named elsewhere


@dataclass(frozen=True)
class Trigger:
    """Where a relation word of the lexicon stands, whether it is an inverse one ("backed by"), and
    whether it is made of function words only ("da", "'s", "by"), which reach only next to a name."""

    start: int
    end: int
    inverse: bool
    tight: bool


class Lexicon:
    """The ontology's words for one language, indexed for matching token by token."""

    def __init__(self, ontology: Ontology, lang: str):
        from spacy.util import get_lang_class

        self.stop = {fold(w) for w in get_lang_class(lang).Defaults.stop_words}
        self.relations: list[tuple[RelationSpec, PatternSet]] = []
        self.symmetric = {spec.name for spec in ontology.relations.values() if spec.symmetric}
        for spec in ontology.relations.values():
            patterns = []
            for table, inverse in ((spec.triggers, False), (spec.inverse_triggers, True)):
                for pattern in table.get(lang, []) + table.get("", []):
                    tight = all(w in self.stop or w.startswith("'") or not w.isalpha() for w, _ in pattern)
                    patterns.append((pattern, (inverse, tight)))
            self.relations.append((spec, PatternSet(patterns)))
        # every relation's words in one index, so that a sentence is scanned once
        self.triggers = PatternSet(
            (p, (spec.name, inverse, tight)) for spec, ps in self.relations for p, (inverse, tight) in entries(ps)
        )

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
        # the lexicon's word lists in one index, so that a sentence is scanned once for all of them
        scanned = [self.negation, self.hedge, self.possessive, self.round, self.round_lead, self.participation]
        scanned += [self.lead_verbs, self.investor_nouns]
        self.scanned = PatternSet((p, id(ps)) for ps in scanned for p, _ in entries(ps))
        self.scanned_ids = [id(ps) for ps in scanned]
        self.cues = {t: PatternSet.of(ps.get(lang, [])) for t, ps in ontology.cues.items()}
        self.cue_words = {
            t: PatternSet.of(p for p in ps.get(lang, []) if one_word(p)) for t, ps in ontology.cues.items()
        }
        self.any_cue_word = PatternSet.of(p for ps in ontology.cues.values() for p in ps.get(lang, []) if one_word(p))
        self.org_nouns = self.cue_words["Organization"]


def entries(patterns: PatternSet) -> list[tuple]:
    """The (pattern, payload) items of a pattern set, in the order they were given."""
    items = [e for bucket in (patterns.exact, patterns.prefixed) for group in bucket.values() for e in group]
    return [(pattern, payload) for _, pattern, payload in sorted(items + patterns.short, key=lambda e: e[0])]


@lru_cache(maxsize=16)
def lexicon(ontology_version: str, lang: str, ontology: Ontology) -> Lexicon:
    """The ontology's words for `lang`, indexed (cached per ontology version)."""
    return Lexicon(ontology, lang)


@dataclass
class Sentence:
    """One sentence as the patterns see it: folded words, entity spans in text order, its amounts,
    and what words standing for an entity may mean here (`referent`: the organisation, `project`,
    `model`)."""

    doc: Doc
    start: int
    end: int
    words: Sequence[str]
    ents: list[Ent]
    lex: Lexicon
    money: list[Money]
    referent: str | None = None
    project: str | None = None
    model: str | None = None
    topic: str | None = None
    target: str | None = None  # the company the article's funding round is for
    inside: set[int] = field(default_factory=set)
    groups: dict[int, list[Ent]] = field(default_factory=dict)
    stand_ins: list[Ent] = field(default_factory=list)
    found_triggers: dict[str, list[list[Trigger]]] | None = None
    positions: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ents.sort(key=lambda e: e.start)
        self.inside = {i for e in self.ents for i in range(e.start, e.end)}
        self.groups = coordinated(self)
        self.referent = subject(self) or self.referent  # the sentence's own opener first
        self.stand_ins = list(stand_ins(self))

    def w(self, i: int) -> str:
        """The folded word at position `i`, or "" outside the sentence."""
        return self.words[i] if self.start <= i < self.end else ""

    def at(self, patterns: PatternSet, i: int) -> int:
        """The length of the longest of `patterns` matching at position `i` of the sentence, or 0."""
        return patterns.at(self.words, i) if self.start <= i < self.end else 0

    def where(self, patterns: PatternSet) -> list[int]:
        """The positions where one of `patterns` starts, found in one pass and kept."""
        found = self.positions.get(id(patterns))
        if found is None and id(patterns) in self.lex.scanned_ids:
            for key in self.lex.scanned_ids:
                self.positions[key] = []
            for i in range(self.start, self.end):
                for scanned in {cast(int, payload) for _, payload in self.lex.scanned.matches(self.words, i)}:
                    self.positions[scanned].append(i)
            found = self.positions[id(patterns)]
        if found is None:
            found = self.positions[id(patterns)] = [
                i for i in range(self.start, self.end) if patterns.at(self.words, i)
            ]
        return found

    def has(self, patterns: PatternSet, lo: int | None = None, hi: int | None = None) -> bool:
        """One of `patterns` starts between positions lo and hi (the whole sentence by default)."""
        found = self.where(patterns)
        lo = self.start if lo is None else max(self.start, lo)
        hi = self.end if hi is None else min(self.end, hi)
        k = bisect.bisect_left(found, lo)
        return k < len(found) and found[k] < hi

    def group(self, e: Ent) -> list[Ent]:
        """The list `e` is a member of ("Oracle, OpenAI e SoftBank"), or `e` alone."""
        return self.groups.get(e.start, [e]) if not e.stand_in else [e]

    def char(self, i: int) -> int:
        """The character offset where token `i` starts."""
        return self.doc[i].idx

    def char_end(self, i: int) -> int:
        """The character offset where the token before position `i` ends."""
        t = self.doc[i - 1]
        return t.idx + len(t.text)


def coordinated(s: Sentence) -> dict[int, list[Ent]]:
    """Lists of entities of one type joined by commas, "and"/"e", "as well as" and determiners (a
    preposition may repeat after the first: "da OpenAI, da Anthropic e do Google"), by member start."""
    out: dict[int, list[Ent]] = {}
    current: list[Ent] = []
    for k, e in enumerate(s.ents):
        if current and current[-1].type == e.type and joined(s, current[-1].end, e.start):
            if not (new_phrase(s, current[0], current[-1].end, e.start) and not list_goes_on(s, k)):
                current.append(e)
                continue
        for m in current:
            out[m.start] = current
        current = [e]
        for m in current:
            out[m.start] = current
        current = [e]
    for m in current:
        out[m.start] = current
    return out


def new_phrase(s: Sentence, first: Ent, a: int, b: int) -> bool:
    """ "por ex-pesquisadores da Meta, a Mistral se consolidou": after a name a preposition governs, a
    comma and a bare determiner open a new noun phrase, not one more member."""
    gap = s.words[a:b]
    return len(gap) >= 2 and gap[0] == "," and all(w in DETERMINERS for w in gap[1:]) and complement(s, first)


def list_goes_on(s: Sentence, k: int) -> bool:
    """ "com a Microsoft, a Oracle e o SoftBank": the name at `k` is followed by "e"/"and" and one more."""
    e = s.ents[k]
    nxt = s.ents[k + 1] if k + 1 < len(s.ents) else None
    return nxt is not None and nxt.start - e.end <= 3 and s.w(e.end) in ("e", "and", "ou", "or", ",")


def joined(s: Sentence, a: int, b: int) -> bool:
    """Only list words between token positions a and b, at least one of them not a determiner."""
    i, listed = a, False
    if a == b:
        return False
    while i < b:
        n = s.at(s.lex.coordination, i)
        if n:
            listed = listed or s.words[i] not in DETERMINERS
            i += n
        elif listed and s.words[i] in SUBJECT_MARKERS | OBJECT_MARKERS | WITH:
            i += 1
        else:
            return False
    return listed


def marker_before(s: Sentence, e: Ent, markers: set[str]) -> bool:
    """The word before `e`, past determiners, is one of `markers` ("in the OpenAI", "da Nvidia")."""
    i = e.start - 1
    while i >= s.start and s.words[i] in DETERMINERS:
        i -= 1
    return i >= s.start and s.words[i] in markers


def negated(s: Sentence, at: int, left: int | None = None) -> bool:
    """A negation word in the three words before `at` (or from the left end on)."""
    lo = max(s.start, min(at - 3, left if left is not None else at))
    return s.has(s.lex.negation, lo, at)


def copula(s: Sentence, i: int) -> bool:
    """ "is", "was", "é", "foi": a copula at position `i`."""
    return s.w(i) in COPULAS or (s.start <= i < s.end and s.doc[i].lower_ == "é")


def broken(s: Sentence, a: int, b: int) -> bool:
    """A clause break (";") between positions a and b."""
    return any(s.words[i] == ";" for i in range(min(a, b), max(a, b)))


def modifier(s: Sentence, e: Ent) -> bool:
    """A place used as an adjective: a demonym, "Europe's", "Paris-based", "US AI giants"."""
    if e.type != "Place":
        return False
    if e.demonym or s.w(e.end) in ("'s", "-based", "based") or (s.w(e.end), s.w(e.end + 1)) == ("-", "based"):
        return True
    nxt = next((x for x in s.ents if x.start >= e.end), None)
    return (
        nxt is not None
        and nxt.type in ("Organization", "Project")
        and nxt.start - e.end <= 2
        and all((w.isalpha() and w not in s.lex.stop) or w == "-" for w in s.words[e.end : nxt.start])
    )


def opener(s: Sentence) -> Ent | None:
    """The entity a sentence opens with, past determiners and place adjectives: its likely subject."""
    for k, e in enumerate(s.ents):
        nxt = s.ents[k + 1] if k + 1 < len(s.ents) else None
        if modifier(s, e) or (
            nxt is not None
            and 0 < nxt.start - e.end <= 3
            and all(w.isalpha() and w not in s.lex.stop for w in s.words[e.end : nxt.start])
        ):
            continue  # "Tesla robotics rival Apptronik", "Google parent Alphabet": a description of the next
        lead = [i for i in range(s.start, e.start) if i not in s.inside and s.words[i] not in DETERMINERS]
        return None if [i for i in lead if s.words[i] not in ("-", "based", "-based")] else e
    return None


def subject(s: Sentence) -> str | None:
    """The organisation the sentence opens with, if any: whom the next sentence's "the company" means."""
    e = opener(s)
    return e.key if e is not None and e.type == "Organization" else None


def complement(s: Sentence, e: Ent) -> bool:
    """A noun's complement ("researchers from Google", "fundo dos Emirados"), not an actor."""
    return s.w(e.end) != "'s" and marker_before(s, e, SUBJECT_MARKERS | OBJECT_MARKERS | WITH | {"at"})


def relative_subject(s: Sentence, e: Ent, before: int) -> bool:
    """ "liderada pela Thrive Capital, que comprometeu ...": the name is a relative clause's subject."""
    after = s.words[e.end : e.end + 2]
    if after[:1] == [","]:
        after = after[1:]
    return e.end + 1 <= before and bool(after) and after[0] in RELATIVES


def type_noun(s: Sentence, i: int, type_name: str | None = None) -> int:
    """Length of a type noun ("model", "chip", "startup") at `i`: of `type_name`, or of any type."""
    table = s.lex.any_cue_word if type_name is None else s.lex.cues.get(type_name, PatternSet())
    return s.at(table, i) if s.start <= i < s.end else 0


def describes(s: Sentence, i: int) -> bool:
    """A token of a sector or a place adjective inside a description ("the French AI startup")."""
    return any(e.start <= i < e.end and (e.type == "Sector" or modifier(s, e)) for e in s.ents)


def close_gap(s: Sentence, a: int, b: int) -> bool:
    """Between a function-word trigger and its entity: determiners, describing words and at most one
    other word, or a word and a type noun ("OpenAI's new o3", "OpenAI's latest model o3")."""
    owner = next((e for e in s.ents if a <= e.start and e.end + 1 == b and s.words[e.end] == "'s"), None)
    skip = set(range(owner.start, owner.end + 1)) if owner else set()
    content = [i for i in range(a, b) if s.words[i] not in DETERMINERS and not describes(s, i) and i not in skip]
    if content and s.words[content[-1]] == "," and len(content) <= 3:
        content = content[:-1]  # "OpenAI's newest flagship, GPT-5, ..."
    if any(s.words[i] in s.lex.stop or not s.words[i].isalnum() for i in content):
        return False
    return len(content) <= 1 or (len(content) == 2 and bool(type_noun(s, content[-1])))


def stand_ins(s: Sentence) -> Iterator[Ent]:
    """Words standing for an entity named elsewhere: a definite organisation noun with no name after it
    ("a empresa", "the company"), "the venture" / "o projeto" for the article's project, and "it" / "the
    model" for the model just named."""
    for i in range(s.start + 1, s.end):
        if i in s.inside or (i + 1) in s.inside:
            continue
        before = s.words[i - 1]
        if s.referent and before in ("the", "a", "o") and s.at(s.lex.org_nouns, i):
            yield Ent(i, i + 1, "Organization", s.referent, stand_in=True)
        elif s.project and before in PROJECT_DETERMINERS and s.at(s.lex.cue_words["Project"], i):
            yield Ent(i, i + 1, "Project", s.project, stand_in=True)
        elif s.model and before in ("the", "o") and s.words[i] in MODEL_NOUNS:
            yield Ent(i, i + 1, "AIModel", s.model, stand_in=True)
    if s.model and s.words[s.start] in MODEL_PRONOUNS and not any(e.type == "AIModel" for e in s.ents):
        yield Ent(s.start, s.start + 1, "AIModel", s.model, stand_in=True)


def confidence(s: Sentence, base: float, distance: int = 0) -> float:
    """A pattern's confidence: its base, less a little per word between the ends, lowered by a hedge."""
    value = base - 0.02 * max(0, distance)
    if s.has(s.lex.hedge):
        value *= 0.7
    return round(max(0.1, min(0.99, value)), 2)


def spread(s: Sentence, a: Ent, b: Ent) -> list[tuple[Ent, Ent]]:
    """A fact between two entities holds for every member of each one's list."""
    return [(x, y) for x in s.group(a) for y in s.group(b) if x.key != y.key]


def triggers(s: Sentence) -> dict[str, list[list[Trigger]]]:
    """Per relation, at each position outside names, the readings of its words that match there,
    longest first (one pass over the sentence for every relation, kept on the sentence)."""
    if s.found_triggers is not None:
        return s.found_triggers
    out: dict[str, list[list[Trigger]]] = {}
    for i in range(s.start, s.end):
        if i in s.inside:
            continue
        here: dict[str, list[Trigger]] = {}
        found = s.lex.triggers.matches(s.words, i)
        noun = bool(found) and type_noun_used(s, i)
        for p, payload in found:
            name, inverse, tight = cast(tuple[str, bool, bool], payload)
            if noun and len(p) == 1 and name not in s.lex.symmetric:
                continue  # "a sovereign wealth fund" is no funding; "its rival X" is a rivalry
            if not any(k in s.inside for k in range(i, i + len(p))):
                here.setdefault(name, []).append(Trigger(i, i + len(p), inverse, tight))
        for name, options in here.items():
            out.setdefault(name, []).append(options)
    s.found_triggers = out
    return out


def type_noun_used(s: Sentence, i: int) -> bool:
    """A relation word used as a noun of an organisation: "a sovereign wealth fund", "the fund" (but "to
    fund", "will fund" are the verb), "the investment firm of X" (the word describes the noun after it)."""
    if s.at(s.lex.org_nouns, i + 1) and (i + 2) not in s.inside:
        return True
    if not s.at(s.lex.org_nouns, i) or i == s.start:
        return False
    before = s.words[i - 1]
    return before in DETERMINERS or (before.isalpha() and before not in s.lex.stop and (i - 1) not in s.inside)


def object_marked(s: Sentence, e: Ent, markers: set[str] = OBJECT_MARKERS, after: int = 0) -> bool:
    """A preposition of `markers` (the object's by default), at or past position `after`, opens the noun
    phrase holding the name: "in OpenAI", "in the French startup Mistral", "in the UAE's top AI firm,
    G42", "em startups de inteligência artificial", "com a gigante de chips Nvidia"."""
    i = e.start - 1
    if s.w(i) == "," and s.at(s.lex.any_cue_word, i - 1):
        i -= 1  # an apposition: "firm, G42"
    for _ in range(7):
        if (
            i < max(s.start, after)
            or s.words[i] in (",", ";")
            or (
                i in s.inside
                and not describes(s, i)
                and s.w(i + 1) != "'s"
                and not any(x.end == i + 1 and s.w(x.end) == "'s" for x in s.ents)
            )
        ):
            return False
        if s.words[i] in markers or (markers is OBJECT_MARKERS and s.doc[i].lower_ in CRASIS):
            return True
        i -= 1
    return False


def thing_marked(s: Sentence, e: Ent) -> bool:
    """ "on 16,000 H100 GPUs", "com chips H800", "using the Colossus supercomputer": what a model is
    trained on is introduced by a preposition, past determiners, numbers and type nouns."""
    i = e.start - 1
    while i > s.start and (s.words[i] in DETERMINERS or s.doc[i].like_num or type_noun(s, i)):
        i -= 1
    return s.w(i) in THING_MARKERS


def agent_follows(s: Sentence, at: int) -> bool:
    """ "financed in part by X", "the investment was led by X": a passive, its agent after the word."""
    for i in range(at, min(s.end, at + 3)):
        if i in s.inside:
            return False
        if s.words[i] in AGENT and s.w(i + 1) != "menos":  # "pelo menos", "at least", is no agent
            return True
    return False


def apposed(s: Sentence, e: Ent, before: int) -> bool:
    """ "Cohere, a company that competes with OpenAI, said it raised": a name inside an apposition
    between commas that follows another name is not the actor of the words after it."""
    opening = next((i for i in range(e.start - 1, max(s.start, e.start - 12) - 1, -1) if s.words[i] == ","), None)
    if opening is None or not any(x.end == opening for x in s.ents) or s.w(opening + 1) not in DETERMINERS | RELATIVES:
        return False
    return any(s.words[i] == "," for i in range(e.end, before))


def owners(s: Sentence, e: Ent) -> list[Ent]:
    """The organisation owning an organisation: "o Vision Fund do SoftBank", "SoftBank's Vision Fund"."""
    if e.type != "Organization":
        return []
    out = []
    for o in s.ents:
        if o.type != "Organization" or o is e:
            continue
        a, b = (e, o) if e.start < o.start else (o, e)
        if b.start == a.end + 1 and s.words[a.end] in ("do", "da", "of", "'s"):
            out.append(o)
    return out


def possessed(s: Sentence, t: Trigger) -> bool:
    """ "its latest funding round", "Mistral's funding": money received by the owner."""
    if not s.at(s.lex.round, t.start):
        return False
    for i in range(t.start - 1, max(s.start, t.start - 4) - 1, -1):
        if s.words[i] == "'s" or s.at(s.lex.possessive, i):
            return True
        if s.words[i] in s.lex.stop and s.words[i] not in DETERMINERS:
            return False
    return False


def money_after(s: Sentence, t: Trigger, reach: int) -> bool:
    end = s.char_end(t.end)
    return any(0 <= m.start - end <= reach for m in s.money)


def own_amount(s: Sentence, e: Ent) -> Money | None:
    """The amount right before "from X" / "da X" when X stands alone: "secured 1 billion yuan from X"."""
    if len(s.group(e)) > 1:
        return None
    i = e.start - 1
    while i >= s.start and s.words[i] in DETERMINERS:
        i -= 1
    if i <= s.start or s.words[i] not in ("from", "da", "do", "de", "dos", "das"):
        return None
    end = s.char_end(i)
    return next((m for m in s.money if m.end == end), None)


def plural(word: str) -> bool:
    """A plural noun or adjective ("giants", "empresas", "chinesas"), not "francês", "business"."""
    w = word.lower()
    return len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "ês", "us", "is"))
