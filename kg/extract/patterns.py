"""General sentence patterns: the verdicts the model weighs most, and the facts of `--extractor none`.

Each pattern is a function over one `Sentence` (its folded words, its typed entity spans and the
ontology's lexicon for the language) that yields `Found` records, named for the pattern:

- `trigger`: a relation word of ``kg.ttl`` with typed entities around it; the subject stands left
  and the object right ("X invests in Y"), inverse words swap them ("Y, backed by X"); relations
  with disjoint domain and range take direction from types alone, so both ends may also stand
  after the word, a comma between them ("CEO da Nvidia, Jensen Huang");
- `compound`: an organisation's name right before its model, product or chip ("Nvidia H800");
- `possessive`: a possessive word before a named thing, owned by the organisation before it
  ("Meta unveiled its Llama", "a DeepSeek lançou seu R1");
- `apposition`: a named thing, then a noun phrase of its type owned by an organisation ("Copilot,
  Microsoft's assistant", "o CloudMatrix 384, supercomputador da Huawei"), and "X e Y como acionistas";
- `investor`: an investor noun owned by a company, an organisation beside it ("Microsoft, OpenAI's
  largest backer", "a Nvidia é acionista da Mistral AI");
- `nationality`: a demonym or place describing an organisation ("a chinesa DeepSeek", "the French
  startup Mistral", "DeepSeek is a Chinese start-up", "G42, de Abu Dhabi,");
- `round`: the investors of a funding round ("led by X", "com participação da Y", "X led Y's round").

Every pattern spreads its fact over coordinated lists ("Oracle, OpenAI e SoftBank"); a negation
before the word cancels it, a hedge in the sentence lowers its confidence. `facts` runs them over an
article, with the little state they share: whom "the company" means, the article's funding target,
and which organisation made a model (a model's rivalry with a company is its maker's).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from spacy.tokens import Doc

from ..analyse import folded_words, sentence_bounds, token_offsets
from ..money import money_spans
from ..ontology import Ontology, PatternSet, RelationSpec
from ..records import Fact, Mention, Money
from .candidates import topic as article_topic
from .sentence import (
    AGENT,
    AS,
    BETWEEN,
    DETERMINERS,
    EACH,
    EXECUTIVE,
    FORMER,
    INCLUDE,
    MAX_PAIRS_PER_SENTENCE,
    NAMING,
    OBJECT_MARKERS,
    OWNER_OF,
    RELATIONAL,
    RESPECTIVELY,
    SUBJECT_MARKERS,
    THINGS,
    TIGHT_LEFT,
    TIGHT_RIGHT,
    WITH,
    Ent,
    Lexicon,
    Sentence,
    Trigger,
    agent_follows,
    apposed,
    broken,
    close_gap,
    complement,
    confidence,
    copula,
    describes,
    lexicon,
    marker_before,
    modifier,
    money_after,
    negated,
    object_marked,
    opener,
    own_amount,
    owners,
    plural,
    possessed,
    relative_subject,
    spread,
    subject,
    thing_marked,
    triggers,
    type_noun,
)

__all__ = ["MAX_PAIRS_PER_SENTENCE", "Found", "Lexicon", "facts", "facts_with_patterns", "found", "lexicon"]


@dataclass(frozen=True)
class Found:
    """One fact a pattern reads from a sentence."""

    subject: Ent
    relation: str
    object: Ent
    pattern: str
    confidence: float
    amount: Money | None = None


# ---------------------------------------------------------------- pattern: a relation word between entities


def sides(s: Sentence, spec: RelationSpec, t: Trigger) -> tuple[list[Ent], list[Ent]]:
    """Typed entities left of the word (nearest first) and right of it, within the relation's window."""
    left_window, right_window = (TIGHT_LEFT, TIGHT_RIGHT) if t.tight else (spec.window, spec.window)
    types = spec.domain | spec.range
    usable = [e for e in s.ents if e.type in types and (spec.name == "locatedIn" or not modifier(s, e))]
    left = [e for e in reversed(usable) if e.end <= t.start and t.start - e.end <= left_window]
    right = [e for e in usable if e.start >= t.end and e.start - t.end <= right_window]
    left = [e for e in left if not broken(s, e.end, t.start)]
    right = [e for e in right if not broken(s, t.end, e.start)]
    if t.tight or s.words[t.end - 1] in s.lex.stop:
        right = [e for e in right if close_gap(s, t.end, e.start)]
    if left and not spec.symmetric and noun_between(s, left[0], t.start):
        left = []  # "a Toyota investiu na empresa sediada em X": the noun, not the name before it
    return left, right


def noun_between(s: Sentence, e: Ent, at: int) -> bool:
    """A noun of the entity's type in the two words before position `at`, apart from the entity and
    not its apposition ("Thrive Capital, the venture firm run by ...")."""
    cues = s.lex.cues.get(e.type, PatternSet())
    if s.w(e.end) == ",":
        return False
    return any(s.at(cues, i) for i in range(max(s.start, at - 2, e.end + 1), at))


def trigger(s: Sentence, spec: RelationSpec, t: Trigger) -> list[Found]:
    """The facts one relation word states between the typed entities around it."""
    if spec.name == "leads" and any(
        w in FORMER or w.startswith("ex-") for w in s.words[max(s.start, t.start - 3) : t.start]
    ):
        return []  # "former OpenAI chief executive"
    left, right = sides(s, spec, t)
    if spec.symmetric:
        pairs = symmetric_pairs(s, spec, t, left, right)
    elif spec.typed_direction:
        pairs = typed_pairs(s, spec, t, left, right)
    else:
        pairs = directed_pairs(s, spec, t, left, right)
    if not pairs or negated(s, t.start, min(a.start for a, _ in pairs)):
        return []
    base = 0.8 if t.tight else 0.85
    out = []
    for a, b in pairs:
        distance = min(abs(t.start - a.end), abs(b.start - t.end))
        amount = investment_amount(s, t, a, b, pairs) if spec.name == "investsIn" else None
        out.append(
            Found(
                a,
                spec.name,
                b,
                "trigger",
                confidence(s, min(base, 0.6) if a.stand_in or b.stand_in else base, distance),
                amount,
            )
        )
    return out


Pair = tuple[Ent, Ent]


def symmetric_pairs(s: Sentence, spec: RelationSpec, t: Trigger, left: list[Ent], right: list[Ent]) -> list[Pair]:
    """ "X partnered with Y", "X and Y signed a deal", "a partnership between X and Y", "the company
    has partnered with X": entities of one kind on both sides, within a list, or with the sentence's actor."""
    left = [
        e
        for e in left
        if (not complement(s, e) or marker_before(s, e, WITH) or relative_subject(s, e, t.start))
        and not (spec.name == "competesWith" and possessor(s, e, t.start))
    ]  # "Nvidia's chips, products it hopes will compete with AMD's": not Nvidia
    if left:
        right = [e for e in right if e.start - t.end <= 4 or object_marked(s, e, WITH)]
    if left and right:
        b = next((e for e in right if e.type == left[0].type and e.key != left[0].key), None)
        if b is not None:
            return spread(s, left[0], b)
        if spec.name == "competesWith":  # a model against a company: its maker's rivalry, once the maker is known
            b = next(
                (
                    e
                    for e in right
                    if "Organization" in {e.type, left[0].type} and {e.type, left[0].type} <= {"Organization", *THINGS}
                ),
                None,
            )
            if b is not None and b.key != left[0].key:
                return [(left[0], b)]
    if left:
        members = s.group(left[0])
        if (
            len(members) > 1
            and t.start - members[-1].end <= 3
            and not any(w in ("and", "e", "or", "ou", "&") for w in s.words[members[-1].end : t.start])
        ):  # "X and Y compete", not "X, Y and the partners"
            return [(x, y) for i, x in enumerate(members) for y in members[i + 1 :] if x.key != y.key]
    if right and marker_before(s, right[0], BETWEEN):
        members = s.group(right[0])  # "a partnership between X and Y"
        return [(x, y) for i, x in enumerate(members) for y in members[i + 1 :] if x.key != y.key]
    if not left and right and (right[0].start - t.end <= 3 or object_marked(s, right[0], WITH)):
        actor = next((a for a in reversed(s.stand_ins) if a.end <= t.start and a.type == right[0].type), None)
        first = opener(s)
        if actor is None and first is not None and first.end <= t.start and first.type == right[0].type:
            actor = first  # "rivals such as Anduril", "The company ... partnered with AWS and Dell"
        if actor is not None:
            return [(actor, y) for y in s.group(right[0]) if y.key != actor.key]
    return []


def typed_pairs(s: Sentence, spec: RelationSpec, t: Trigger, left: list[Ent], right: list[Ent]) -> list[Pair]:
    """Relations whose ends have disjoint types: one end of each role around the word, both after it
    with a comma between ("CEO da Nvidia, Jensen Huang"), or both before it ("Jensen Huang, Nvidia's CEO")."""

    def role(e: Ent) -> bool:
        return e.type in spec.domain

    if not left:
        left = [
            a
            for a in reversed(s.stand_ins)
            if a.end <= t.start and t.start - a.end <= 3 and a.type in spec.range | spec.domain
        ]
    if spec.name == "trainedOn" and not left:
        left = [a for a in s.stand_ins if a.type == "AIModel" and a.end <= t.start]
    if spec.name == "locatedIn" and s.words[t.start] in ("based", "-based") and left and left[0].type == "Place":
        # "Paris-based Mistral AI": the organisation follows, described at most
        right = [e for e in right[:1] if e.start - t.end <= 3 and org_noun_phrase(s, t.end, e.start)]
    left = antecedent_first(s, [e for e in left if not apposed(s, e, t.start)] or left, t)
    if right and right[0].type in spec.domain and right[0].start - t.end <= 3 and spec.name == "trainedOn":
        if any(e.type in spec.range and thing_marked(s, e) for e in right[1:]):
            left = []  # "to train Grok 3 on its Colossus": both after the word
    if spec.name == "leads" and not any(e.type in spec.range for e in s.ents):
        return executive_of_topic(s, t, right)
    pair = None
    if left:
        first = left[0]
        partner = next((e for e in right if role(e) != role(first)), None)
        if partner is None and t.start - first.end <= 3:
            partner = next((e for e in left[1:] if role(e) != role(first)), None)
        if partner is not None and (spec.name != "developedBy" or t.tight or made_shape(s, t, first, partner)):
            pair = (first, partner)
    if pair is None and len(right) >= 2:
        first = right[0]
        partner = next((e for e in right[1:] if role(e) != role(first)), None)
        if (
            partner is not None
            and first.start - t.end <= 5
            and ("," in s.words[first.end : partner.start] or (spec.name == "trainedOn" and thing_marked(s, partner)))
        ):
            pair = (first, partner)  # "CEO da Nvidia, Jensen Huang", "to train Claude on Trainium chips"
    if pair is None:
        return []
    a, b = pair if role(pair[0]) else (pair[1], pair[0])
    if t.tight and spec.name == "locatedIn":
        return [(a, b)]
    return spread(s, a, b)


def executive_of_topic(s: Sentence, t: Trigger, right: list[Ent]) -> list[Pair]:
    """ "O CEO, Jensen Huang, afirmou", "CEO Aidan Gomez said": a chief executive's title right before a
    person, in a sentence naming no organisation, is the organisation's the text is about ("the company"
    where the sentence says it)."""
    person = next((e for e in right if e.type == "Person"), None)
    if person is None or person.start - t.end > 3 or not EXECUTIVE & set(s.words[t.start : t.end]):
        return []
    company = next((a for a in s.stand_ins if a.type == "Organization"), None)
    if company is None and s.topic is not None:
        company = Ent(t.start, t.end, "Organization", s.topic, stand_in=True)
    return [(person, company)] if company is not None else []


def made_shape(s: Sentence, t: Trigger, first: Ent, partner: Ent) -> bool:
    """A maker's word reads one of two ways: the maker acting, the thing its object ("Meta unveiled
    Llama", not "IBM plans to offer services on the MI300X", "the Czar of the White House said the
    launch of Meta's Llama"), or the thing right before the word and the maker its agent ("o R1,
    lançado pela DeepSeek")."""
    if first.type in THINGS:
        return t.start - first.end <= 3 and marker_before(s, partner, SUBJECT_MARKERS)
    maker = s.group(first)[0]
    return (not complement(s, maker) or relative_subject(s, maker, t.start)) and not thing_marked(s, partner)


def antecedent_first(s: Sentence, left: list[Ent], t: Trigger) -> list[Ent]:
    """ "o R1, que supera o o1 e foi treinado com chips H800": a word inside a relative clause belongs to
    the clause's antecedent, not to a nearer name inside the clause."""
    for e in left[1:]:
        if left and e.type == left[0].type and s.words[e.end : e.end + 2] in ([",", "que"], [",", "which"]):
            if not any(w in (",", ";") for w in s.words[e.end + 2 : t.start]):
                return [e] + [x for x in left if x is not e]
    return left


def directed_pairs(s: Sentence, spec: RelationSpec, t: Trigger, left: list[Ent], right: list[Ent]) -> list[Pair]:
    """ "X invests in Y" (subject left, object right); "Y, backed by X" (inverse: the other way round);
    "o investimento da X na Y" (both after the word, told apart by their prepositions); and an investor
    with no object in a sentence about a round or an amount: the article's funding target ("X and Y
    joined the funding round")."""
    if spec.name == "investsIn" and s.at(s.lex.needs_amount, t.start) and not money_after(s, t, 40):
        return []  # "receberá chips da Nvidia" is no investment, "recebeu US$ 2 bi da Nvidia" is
    inverse = (
        t.inverse
        or possessed(s, t)
        or agent_follows(s, t.end)
        or bool(right and marker_before(s, right[0], AGENT | {"from"}))
        or (bool(right) and any(w in INCLUDE for w in s.words[t.end : right[0].start]))
    )  # "backed by X", "funding from X", "the funding round included X": X gives the money
    left = [
        e
        for e in left
        if (not complement(s, e) or relative_subject(s, e, t.start))
        and not apposed(s, e, t.start)
        and not possessor(s, e, t.start)
    ]
    if inverse:
        right = [e for e in right if e.start - t.end <= 3 or marker_before(s, e, SUBJECT_MARKERS | INCLUDE)]
        objects, subjects = left, right
    else:
        right = [e for e in right if object_marked(s, e, after=t.end) or e.start - t.end <= 2]
        subjects, objects = left, right
    subj = next((e for e in subjects if e.type in spec.domain), None)
    obj = next((e for e in objects if e.type in spec.range), None)
    if subj is None and not inverse:
        subj = next((a for a in reversed(s.stand_ins) if a.end <= t.start and a.type in spec.domain), None)
    if obj is None and inverse:  # "the company closed a round led by X"
        obj = next((a for a in reversed(s.stand_ins) if a.end <= t.start and a.type in spec.range), None)
    if obj is None and not inverse:
        obj = next((a for a in s.stand_ins if a.start >= t.end and a.type in spec.range and object_marked(s, a)), None)
    if subj is None or obj is None:
        both = both_after(s, spec, right)
        if both is not None:
            subj, obj = both
        elif (
            subj is not None
            and obj is None
            and s.target is not None
            and subj.type == "Organization"
            and s.target not in {m.key for m in s.group(subj)}
            and (s.has(s.lex.round) or money_after(s, t, 40))
        ):
            obj = Ent(t.start, t.end, "Organization", s.target, stand_in=True)
        else:
            return []
    investors = s.group(subj)
    if inverse:  # "1 billion yuan from X and 500 million yuan from Y": each amount names its investor
        investors = investors + [
            e
            for e in s.ents
            if e.start > subj.end and e.type in spec.domain and own_amount(s, e) and e not in investors
        ]
    targets = s.group(obj)
    if len(investors) == len(targets) > 1 and any(w in RESPECTIVELY for w in s.words[s.start : s.end]):
        return list(zip(investors, targets, strict=True))  # "X and Y, backed by A and B respectively"
    investors = investors + [o for o in owners(s, subj) if o.key != obj.key]  # "SoftBank's Vision Fund"
    return [(a, b) for a in investors for b in targets if a.key != b.key]


def possessor(s: Sentence, e: Ent, at: int) -> bool:
    """ "OpenAI's largest backer, added $750m": a possessor owns the noun after it; it is the actor only
    of a word right after it ("OpenAI's investment in X")."""
    return s.w(e.end) == "'s" and at - e.end > 2


def both_after(s: Sentence, spec: RelationSpec, right: list[Ent]) -> Pair | None:
    """ "o investimento da Microsoft na OpenAI": both ends after the word, the subject's preposition
    ("da", "by", "from") and the object's ("na", "in") telling them apart."""
    ends = [e for e in right if e.type in spec.domain | spec.range]
    if len(ends) < 2:
        return None
    a, b = ends[0], ends[1]
    if marker_before(s, a, SUBJECT_MARKERS) and marker_before(s, b, OBJECT_MARKERS):
        return a, b
    if marker_before(s, a, OBJECT_MARKERS) and marker_before(s, b, SUBJECT_MARKERS):
        return b, a
    return None


# ---------------------------------------------------------------- amounts


def investment_amount(s: Sentence, t: Trigger, investor: Ent, target: Ent, pairs: list[Pair]) -> Money | None:
    """The amount of one investment: the investor's own ("1 billion yuan from X"), else the amount nearest
    the word — unless several investors share it without "each"/"cada", or it is a round's total raised."""
    if not s.money:
        return None
    own = own_amount(s, investor)
    if own is not None:
        return own
    investors = {a.key for a, _ in pairs} - {o.key for o in owners(s, investor)}
    if len(investors) > 1 and not any(w in EACH for w in s.words[s.start : s.end]):
        return None
    if (t.inverse or possessed(s, t)) and (s.has(s.lex.round) or not money_after(s, t, 12)):
        lo, hi = s.char(min(t.start, investor.start)), s.char(max(t.start, investor.start))
        if s.has(s.lex.round) or not any(lo <= m.start and m.end <= hi for m in s.money):
            return None  # "raised $6.6bn in a round led by X": the round's total, nobody's own
    lo = s.char(min(investor.start, target.start, t.start)) - 5
    hi = s.char_end(max(investor.end, target.end, t.end)) + 60
    near = [m for m in s.money if lo <= m.start and m.end <= hi]
    at = s.char(t.start)
    return min(near, key=lambda m: (abs(m.start - at), m.start)) if near else None


# ---------------------------------------------------------------- patterns of makers


def compounds(s: Sentence) -> Iterator[Found]:
    """An organisation's name right before its model, product or chip: "Nvidia H800", "OpenAI o1"."""
    for a, b in zip(s.ents, s.ents[1:], strict=False):
        if a.end == b.start and a.type == "Organization" and b.type in THINGS:
            members = s.group(b) if s.group(b)[0] is b else [b]
            for m in members:
                yield Found(m, "developedBy", a, "compound", 0.8)


def possessives(s: Sentence) -> Iterator[Found]:
    """ "Meta has unveiled its Llama", "a DeepSeek ... seu modelo R1": the named thing after a possessive
    word, made by the nearest organisation before it that no preposition governs."""
    for i in s.where(s.lex.possessive):
        if i in s.inside:
            continue
        made = possessed_thing(s, i)
        if made is None:
            continue
        owner = next(
            (
                e
                for e in reversed(s.ents)
                if e.type == "Organization"
                and e.end <= i
                and s.w(e.end) != "'s"
                and (
                    relative_subject(s, e, i)
                    or (e.end == i - 1 and s.w(e.end) == ",")
                    or not complement(s, e)
                    or marker_before(s, e, AGENT)  # "used by xAI to train Grok 3 on its Colossus"
                )
            ),
            None,
        )
        if owner is None:
            owner = next((a for a in reversed(s.stand_ins) if a.end <= i and a.type == "Organization"), None)
        if owner is None and s.topic and not any(e.type == "Organization" for e in s.ents):
            owner = Ent(i, i + 1, "Organization", s.topic, stand_in=True)
        if owner is not None and not negated(s, i):
            yield Found(made, "developedBy", owner, "possessive", 0.5 if owner.stand_in else 0.7)


def possessed_thing(s: Sentence, i: int) -> Ent | None:
    """The named thing a possessive word at `i` owns: the next name ("its Llama 3.1", "seu novo modelo
    R1"), in apposition to the noun after the word ("seu novo modelo, o Gemma", "its chatbot, called
    Grok"), or the name the phrase stands in apposition to ("o GLM, seu modelo de IA")."""
    made = next((e for e in s.ents if e.start > i and e.type != "Sector"), None)
    if made is not None and made.type in THINGS and made.start - i <= 10 and not broken(s, i, made.start):
        gap = range(i + 1, made.start)
        nouns = [k for k in gap if type_noun(s, k, made.type)]
        comma = next((k for k in gap if s.words[k] == ","), None)
        if any(s.words[k] in RELATIONAL for k in gap):
            made = None  # "defend its business against ChatGPT"
        elif comma is not None:
            after = s.words[comma + 1 : made.start]
            if not (nouns and nouns[0] < comma and all(w in DETERMINERS or w in NAMING for w in after)):
                made = None
        elif len(gap) > 3 and not nouns:
            made = None
        if made is not None:
            return made
    before = next((e for e in reversed(s.ents) if e.end == i - 1), None)
    if s.w(i - 1) == "," and before is not None and before.type in THINGS:
        if any(type_noun(s, k, before.type) for k in range(i + 1, min(s.end, i + 4))):
            return before
    return None


def noun_owner(s: Sentence, a: int, reach: int) -> tuple[Ent, int] | None:
    """An organisation owning the noun phrase starting at `a`, and where the phrase's noun is:
    "Microsoft's AI assistant" (a possessor) or "sistema da Huawei", "backer of OpenAI" (a complement)."""
    i = a
    while i < s.end and s.words[i] in DETERMINERS:
        i += 1
    org = next((e for e in s.ents if e.start == i and e.type in ("Organization", "Project")), None)
    if org is not None and s.w(org.end) == "'s":
        return org, org.end + 1
    for k in range(i, min(s.end, i + reach)):
        if k in s.inside:
            return None
        n = s.at(s.lex.any_cue_word, k) or s.at(s.lex.investor_nouns, k)
        if n and s.w(k + n) in OWNER_OF:
            org = next((e for e in s.ents if e.start == k + n + 1 and e.type in ("Organization", "Project")), None)
            return (org, k) if org is not None else None
    return None


def appositions(s: Sentence) -> Iterator[Found]:
    """A thing's name, a comma and a noun phrase of its type owned by an organisation: "Copilot,
    Microsoft's AI assistant", "o CloudMatrix 384, sistema da Huawei"; and "tem a X e a Y como
    acionistas" / "counts X and Y as investors"."""
    for e in s.ents:
        if s.w(e.end) != "," or e.type not in THINGS + ("Organization",):
            continue
        owned = noun_owner(s, e.end + 1, 4)
        if owned is None:
            continue
        org, noun = owned
        phrase = range(noun, min(s.end, noun + 4))
        if e.type in THINGS and org.type == "Organization" and any(type_noun(s, k, e.type) for k in phrase):
            yield Found(e, "developedBy", org, "apposition", 0.7)
    for i in range(s.start + 1, s.end):
        if s.words[i] in AS and (s.at(s.lex.investor_nouns, i + 1) or s.at(s.lex.investor_nouns, i + 2)):
            listed = next((e for e in reversed(s.ents) if e.end <= i and i - e.end <= 1), None)
            if listed is None or listed.type != "Organization":
                continue
            members = s.group(listed)
            keys = {m.key for m in members}
            owner = next(
                (
                    e
                    for e in s.ents
                    if e.end <= members[0].start and e.key not in keys and e.type in ("Organization", "Project")
                ),
                None,
            )
            if owner is not None and not negated(s, i):
                for m in members:
                    yield Found(m, "investsIn", owner, "apposition", 0.65)


def investor_nouns(s: Sentence) -> Iterator[Found]:
    """An investor noun owned by a company, and an organisation beside it: "Microsoft, OpenAI's largest
    backer", "Microsoft, which is OpenAI's biggest investor", "X é acionista da Arm", "seu maior
    investidor, a Y"."""
    for i in s.where(s.lex.investor_nouns):
        if i in s.inside or negated(s, i):
            continue
        owner = noun_possessor(s, i)
        if owner is None:
            continue
        before = [e for e in s.ents if e.end <= min(i, owner.start) and e.type in ("Organization", "Person")]
        after = [e for e in s.ents if e.start > i and e.type in ("Organization", "Person")]
        investor = None
        if before:
            gap = s.words[before[-1].end : min(i, owner.start)]
            if len(gap) <= 8 and ";" not in gap and gap[:1] and (gap[0] == "," or copula(s, before[-1].end)):
                investor = before[-1]
        if investor is None and after and after[0].start - i <= 6:
            gap = s.words[max(i + 1, owner.end) : after[0].start]
            if "," in gap[:1] or all(w in DETERMINERS or w == "," for w in gap):
                investor = after[0]
        if investor is not None and investor.key != owner.key:
            yield Found(investor, "investsIn", owner, "investor", 0.65)


def noun_possessor(s: Sentence, i: int) -> Ent | None:
    """Whose the noun at `i` is: "OpenAI's largest backer", "seu maior acionista" (the organisation
    before the pronoun), "acionista da Arm", "investor in Mistral"."""
    for k in range(i - 1, max(s.start, i - 4) - 1, -1):
        if s.words[k] == "'s":
            return next((e for e in s.ents if e.end == k and e.type in ("Organization", "Project")), None)
        if s.at(s.lex.possessive, k):
            return next(
                (e for e in reversed(s.ents) if e.end <= k and e.type == "Organization" and not complement(s, e)), None
            )
        if s.words[k] in s.lex.stop and s.words[k] not in DETERMINERS:
            break
    k = i + 1
    while k < s.end and s.words[k] in DETERMINERS | SUBJECT_MARKERS | OBJECT_MARKERS and k - i <= 3:
        k += 1
    if k > i + 1 and s.words[i + 1] in SUBJECT_MARKERS | OBJECT_MARKERS:
        return next((e for e in s.ents if e.start == k and e.type in ("Organization", "Project")), None)
    return None


# ---------------------------------------------------------------- pattern: nationality


def org_noun_phrase(s: Sentence, a: int, b: int, prepositions: bool = False) -> bool:
    """The words between a place adjective and a name describe the name: determiners, sectors, type
    nouns and at most two other words, ending with an organisation noun when there are other words
    ("Chinese AI start-up DeepSeek", "a chinesa DeepSeek", "Dutch chip-equipment maker ASML")."""
    others, ends_with_noun = 0, False
    if prepositions and s.w(a) in SUBJECT_MARKERS:
        return b - a <= 5 and not any(w in (",", ";") for w in s.words[a:b])  # "a gigante chinesa de tecnologia X"
    i = a
    while i < b:
        n = s.at(s.lex.cues["Organization"], i)
        if n:
            i += n
            ends_with_noun = i == b
            continue
        w = s.words[i]
        if w in (",", ";") or (not prepositions and w in SUBJECT_MARKERS | OBJECT_MARKERS):
            return False
        if not (w in DETERMINERS or describes(s, i) or w == "-"):
            others += 1
        i += 1
    return others == 0 or (ends_with_noun and others <= 2)


def nationality(s: Sentence) -> Iterator[Found]:
    """A place describing an organisation: "a chinesa DeepSeek", "the French AI startup Mistral",
    "a fabricante holandesa de chips ASML", "fabricantes europeus como X e Y", "DeepSeek is a Chinese
    start-up", "G42, de Abu Dhabi,", "Mistral AI, startup de Paris", and a described noun standing for an
    organisation ("the Beijing start-up said", "X, an Abu Dhabi-based firm")."""
    ents = [e for e in s.ents if e.type != "Sector"]
    for k, place in enumerate(ents):
        if place.type != "Place":
            continue
        nxt = ents[k + 1] if k + 1 < len(ents) else None
        before = ents[k - 1] if k else None
        noun_first = bool(s.at(s.lex.org_nouns, place.start - 1))  # "a fabricante holandesa ... ASML"
        if nxt is not None and nxt.type in ("Organization", "Project"):
            a, b = place.end, nxt.start
            while b > a and s.words[b - 1] in DETERMINERS and s.words[b - 2 : b] != ["such", "as"]:
                b -= 1  # "empresas europeias como a Airbus"
            if (
                b - a >= 1
                and s.words[b - 1] in ("como", "like", "including", "incluindo")
                or s.words[b - 2 : b] == ["such", "as"]
            ):
                b -= 2 if s.words[b - 1] == "as" else 1  # "fabricantes europeus como X, Y e Z", "US giants such as X"
                listed = plural(s.doc[b - 1].text if b > a else s.doc[place.start - 1].text)
            else:
                listed = False
            if (
                b - a <= (7 if noun_first else 5)
                and (place.demonym or any(s.at(s.lex.cues["Organization"], i) for i in range(a, b)))
                and org_noun_phrase(s, a, b, prepositions=noun_first)
            ):
                last = s.doc[b - 1].text if b > a else s.doc[place.end - 1].text
                members = s.group(nxt) if listed or plural(last) else [nxt]
                for m in members:
                    yield Found(m, "locatedIn", place, "nationality", 0.85)
                continue
        if before is not None and before.type in ("Organization", "Project"):
            gap = s.words[before.end : place.start]
            closed = s.w(place.end) in ("", ",", ".", ";", ")", "(")
            nouns = [i for i in range(before.end, place.start) if s.at(s.lex.org_nouns, i)]
            if (
                place.demonym
                and 1 <= len(gap) <= 4
                and any(w == "," or copula(s, i) for i, w in enumerate(gap, before.end))
                and all(w in s.lex.stop or w == "," or i in nouns for i, w in enumerate(gap, before.end))
                and len(nouns) <= 1
            ):
                # "DeepSeek is a Chinese start-up", "a DeepSeek é uma empresa chinesa"
                yield Found(before, "locatedIn", place, "nationality", 0.75)
                continue
            if (
                gap[:1] == [","]
                and gap[-1:]
                and gap[-1] in ("de", "da", "do", "dos", "das", "from", "em", "in", "of")
                and closed
                and (
                    len(gap) == 2
                    or (len(gap) <= 5 and any(s.at(s.lex.org_nouns, i) for i in range(before.end, place.start)))
                )
            ):
                yield Found(
                    before, "locatedIn", place, "nationality", 0.65
                )  # "G42, de Abu Dhabi,", "X, startup de Paris"
                continue
            if (
                gap[:1] == [","]
                and len(gap) <= 3
                and all(w in DETERMINERS for w in gap[1:])
                and org_noun_after(s, place)
            ):
                yield Found(before, "locatedIn", place, "nationality", 0.7)  # "Anduril, the US defence group"
                continue
        noun = described_noun(s, place)
        if noun is not None:
            yield Found(noun, "locatedIn", place, "nationality", 0.55)


def org_noun_after(s: Sentence, place: Ent) -> bool:
    """A place, then up to three describing words and an organisation noun: "US defence group"."""
    for i in range(place.end, min(s.end, place.end + 4)):
        if s.at(s.lex.org_nouns, i):
            return True
        if s.words[i] in s.lex.stop or i in s.inside or not s.words[i].isalpha():
            return False
    return False


def described_noun(s: Sentence, place: Ent) -> Ent | None:
    """An organisation noun a place describes, with no name after it ("the Beijing start-up", "a startup
    francesa", "the Hangzhou-based group", "a empresa de Cupertino"): the organisation it stands in
    apposition to, or the one the text is about where the phrase opens the sentence."""
    after = place.end
    while after < s.end and s.words[after] in ("-", "based", "-based"):
        after += 1
    noun = None
    if after - place.end <= 2 and s.at(s.lex.org_nouns, after):
        if s.w(place.start - 1) in ("the", "a", "an", "o") or after > place.end:
            noun = after  # "the Beijing start-up", "the Hangzhou-based group"
    elif place.demonym and s.at(s.lex.org_nouns, place.start - 1):
        noun = place.start - 1  # "a startup francesa"
    elif s.w(place.start - 1) in ("de", "from") and s.at(s.lex.org_nouns, place.start - 2):
        noun = place.start - 2  # "a empresa de Cupertino"
    if noun is None or any(e.type == "Organization" and 0 <= e.start - max(noun, place.end) <= 4 for e in s.ents):
        return None  # a name follows: read as a nationality of that name
    start = min(noun, place.start)
    while start > s.start and (
        s.words[start - 1] in DETERMINERS or (start - 1) in s.inside or s.words[start - 1] == "-"
    ):
        start -= 1
    if s.w(start - 1) == ",":
        named = next((e for e in s.ents if e.end == start - 1 and e.type in ("Organization", "Project")), None)
        return Ent(noun, noun + 1, named.type, named.key, stand_in=True) if named else None
    if start <= s.start + 1 and s.referent is not None:
        return Ent(noun, noun + 1, "Organization", s.referent, stand_in=True)
    return None


# ---------------------------------------------------------------- pattern: funding rounds


def rounds(s: Sentence, target: str | None) -> Iterator[Found]:
    """Investors of a funding round: "a round led by X", "with participation from Y", "X and Y also took
    part" (in the round of `target`, the company raising), and "X led Y's round" / "X liderou a rodada da Y"."""
    for i in s.where(s.lex.lead_verbs):
        if i in s.inside or negated(s, i):
            continue
        investor = next(
            (e for e in reversed(s.ents) if e.end <= i and i - e.end <= 2 and e.type == "Organization"), None
        )
        at = next((k for k in range(i + 1, min(s.end, i + 10)) if s.at(s.lex.round, k)), None)
        if investor is None or at is None:
            continue
        owner = next((e for e in s.ents if i < e.start < at and s.w(e.end) == "'s" and e.type == "Organization"), None)
        owner = owner or next(
            (
                e
                for e in s.ents
                if at < e.start <= at + 8
                and e.type == "Organization"
                and marker_before(s, e, OWNER_OF | OBJECT_MARKERS)
            ),
            None,
        )
        if owner is not None and owner.key != investor.key:
            for m in s.group(investor):
                yield Found(m, "investsIn", owner, "round", 0.7)
    if target is None or not s.has(s.lex.round) or s.has(s.lex.negation):
        return
    for e in s.ents:
        if e.type != "Organization" or e.key == target or s.group(e)[0] is not e:
            continue
        members = s.group(e)
        led = any(
            s.at(s.lex.round_lead, i) and not any(k in s.inside for k in range(i + s.at(s.lex.round_lead, i), e.start))
            for i in range(max(s.start, e.start - 5), e.start)
        )
        joined_round = participation_before(s, e) or any(
            s.at(s.lex.participation, i) for i in range(members[-1].end, min(s.end, members[-1].end + 3))
        )
        listed = len(members) >= 2 and any(
            s.at(s.lex.investor_nouns, i) or s.words[i] in INCLUDE | {"eles", "them"}
            for i in range(max(s.start, e.start - 4), e.start)
        )
        if led or joined_round or listed:
            stand = Ent(e.start, e.end, "Organization", target, stand_in=True)
            for m in members:
                yield Found(m, "investsIn", stand, "round", 0.6)


def participation_before(s: Sentence, e: Ent) -> bool:
    """ "com participação da Tencent", "with participation from Nvidia", "as did Saab"."""
    for i in range(e.start - 1, max(s.start, e.start - 5) - 1, -1):
        if i in s.inside or s.words[i] in (",", ";"):
            return False
        if s.at(s.lex.participation, i):
            return True
    return False


def raiser(s: Sentence) -> str | None:
    """The organisation a sentence says raised money: the one before "raised $2bn" / "captou US$ 120
    milhões"."""
    if not s.money or not s.ents:
        return None
    for options in triggers(s).get("investsIn", ()):
        t = options[0]
        if t.inverse and money_after(s, t, 12):
            named_or_referred = sorted([*s.ents, *s.stand_ins], key=lambda e: e.end)
            before = next(
                (
                    e
                    for e in reversed(named_or_referred)
                    if e.end <= t.start and e.type == "Organization" and not complement(s, e)
                ),
                None,
            )  # "X, backed by Y, has raised $100m": X; "backed by Y, the company has raised": the company
            if before is not None:
                return before.key
    return None


def round_opener(s: Sentence) -> str | None:
    """The organisation a sentence about a round with an amount opens with ("X has closed a $2bn seed
    round"): the company raising, where the article has not named one yet."""
    first = opener(s)
    if s.money and s.has(s.lex.round) and not s.has(s.lex.lead_verbs) and first is not None:
        return first.key if first.type == "Organization" else None
    return None


# ---------------------------------------------------------------- the article


def sentence_patterns(s: Sentence) -> Iterator[Found]:
    """Every pattern over one sentence."""
    if not s.ents:
        return
    budget = MAX_PAIRS_PER_SENTENCE
    for spec, _ in s.lex.relations:
        for options in triggers(s).get(spec.name, ()):
            for t in options:  # "aporte de US$ 1 bi na X" is not "aporte da X": the next reading
                found = trigger(s, spec, t)[:budget]
                if found:
                    budget -= len(found)
                    yield from found
                    break
    yield from compounds(s)
    yield from possessives(s)
    yield from appositions(s)
    yield from nationality(s)
    yield from investor_nouns(s)
    yield from rounds(s, s.target)


def found(
    doc: Doc, mentions: Sequence[Mention], ontology: Ontology, lang: str, sentences: Sequence | None = None
) -> Iterator[tuple[int, Found]]:
    """Every pattern's facts over the sentences of `doc`, with the sentence number, typed and directed by
    the ontology."""
    lex = lexicon(ontology.version, lang, ontology)
    words = folded_words(doc)
    ents: dict[int, list[Ent]] = {}
    starts, ends = token_offsets(doc)
    for m in mentions:
        if m.start in starts and m.end in ends:  # a mention that starts and ends on token edges
            ents.setdefault(m.sentence, []).append(
                Ent(starts[m.start], ends[m.end], m.label, m.key, m.source == "demonym")
            )
    money = money_spans(doc.text, lang)
    topic = article_topic(mentions)
    project = article_topic(mentions, "Project")
    previous: str | None = None
    target: str | None = None  # the company the article's funding round is for
    makers: dict[str, str] = {}
    model: str | None = None  # what "the model" / "it" stands for: the model named most so far, latest on ties
    model_seen = -10
    model_counts: dict[str, int] = {}
    for number, sent in enumerate(sentences if sentences is not None else sentence_bounds(doc)):
        start_char, end_char = sent.start_char, sent.end_char
        here = [m for m in money if start_char <= m.start and m.end <= end_char]
        s = Sentence(
            doc,
            sent.start,
            sent.end,
            words,
            list(ents.get(number, [])),
            lex,
            here,
            referent=previous or topic,
            project=project,
            model=model if number - model_seen <= 2 else None,
            topic=topic,
            target=target,
        )
        raised = raiser(s)
        s.target = raised or target
        out = list(sentence_patterns(s))
        makers.update({f.subject.key: f.object.key for f in out if f.relation == "developedBy"})
        for read in out:
            f = lifted(read, makers)
            if f is None or f.subject.key == f.object.key:
                continue
            spec = ontology.relations[f.relation]
            if f.subject.type not in spec.domain or f.object.type not in spec.range:
                continue
            if not spec.symmetric and in_one_list(s, f):
                continue  # "investors such as A, B and C": members of one list, not one the other's
            if (
                f.relation == "investsIn"
                and target is None
                and f.object.type == "Organization"
                and not f.object.stand_in
            ):
                target = f.object.key  # the article's headline deal
            yield number, f
        target = target or raised or round_opener(s)
        previous = subject(s) or previous
        models = [e.key for e in s.ents if e.type == "AIModel"]
        for key in models:
            model_counts[key] = model_counts.get(key, 0) + 1
        if models:
            model = max(model_counts, key=lambda k: (model_counts[k], k == models[-1]))
            model_seen = number


def in_one_list(s: Sentence, f: Found) -> bool:
    """Both ends of `f` are members of one list of three or more ("A, B e C"), or its object stands
    for a member of the subject's list. Two names alone may be an apposition ("Microsoft, OpenAI's
    backer"), so they are not taken for a list."""
    group = s.group(f.subject)
    return f.object.key in {e.key for e in group} and (len(group) >= 3 or f.object.stand_in)


def lifted(f: Found, makers: dict[str, str]) -> Found | None:
    """ "Qwen rivals DeepSeek": a rivalry between a model and a company is one between companies, when
    the article says who made the model."""
    if f.relation != "competesWith" or f.subject.type == f.object.type:
        return f
    a, b = f.subject, f.object
    if a.type in THINGS and b.type == "Organization" and a.key in makers:
        return replace(f, subject=replace(a, type="Organization", key=makers[a.key]))
    if b.type in THINGS and a.type == "Organization" and b.key in makers:
        return replace(f, object=replace(b, type="Organization", key=makers[b.key]))
    return None


def facts(
    doc: Doc, mentions: Sequence[Mention], ontology: Ontology, lang: str, article_id: str, date: str = ""
) -> list[Fact]:
    """The facts the patterns read from the sentences of `doc` between the linked `mentions`."""
    return [f for f, _ in facts_with_patterns(doc, mentions, ontology, lang, article_id, date)]


def facts_with_patterns(
    doc: Doc, mentions: Sequence[Mention], ontology: Ontology, lang: str, article_id: str, date: str = ""
) -> list[tuple[Fact, tuple[str, ...]]]:
    """The patterns' facts, one per relation, pair and sentence, each with the patterns that state it."""
    sentences = sentence_bounds(doc)
    whole = doc.text  # made anew at each access: taken once
    best: dict[tuple, tuple[Fact, set[str]]] = {}
    for number, f in found(doc, mentions, ontology, lang, sentences):
        sent = sentences[number]
        a, b = f.subject.key, f.object.key
        if ontology.relations[f.relation].symmetric and b < a:
            a, b = b, a
        text = whole[sent.start_char : sent.end_char]
        lead = len(text) - len(text.lstrip())
        key = (a, f.relation, b, sent.start_char + lead)
        old = best.get(key)
        names = (old[1] if old else set()) | {f.pattern}
        amount = f.amount
        if old is not None:  # one fact of several patterns: the best confidence, and an amount if any gave one
            amount = (
                amount if old[0].amount is None or (amount is not None and f.confidence > old[0].confidence) else None
            )
            if amount is None and old[0].amount is not None:
                best[key] = (replace(old[0], confidence=max(old[0].confidence, f.confidence)), names)
                continue
        fact = Fact(
            subject=a,
            predicate=f.relation,
            object=b,
            article=article_id,
            evidence=text.strip(),
            start=sent.start_char + lead,
            end=sent.start_char + len(text.rstrip()),
            confidence=max(f.confidence, old[0].confidence) if old else f.confidence,
            amount=amount.amount if amount else None,
            currency=amount.currency if amount else "",
            date=date,
        )
        best[key] = (fact, names)
    out = [(fact, tuple(sorted(names))) for fact, names in best.values()]
    return sorted(out, key=lambda x: (x[0].start, x[0].predicate, x[0].subject, x[0].object))
