"""Features: what the model sees of a candidate, as a list of strings (a pure function of the candidate).

They are meant to carry over to unseen text: the words between and around the two ends (other
names in the sentence masked as their type, so that "X, Y e Z" reads as a list whatever the names),
the ontology's trigger words and where they stand, the types, order and distance of the ends, lists,
appositions, possessives, negation and hedges, and the verdicts of the patterns, by relation and by
pattern.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from .candidates import Candidate

BETWEEN_WORDS = 8  # words taken from each side of a long gap
WINDOW = 3  # words around the pair
STEM = 5  # letters of a long word kept as its stem
TRIGGER_REACH = 6  # how far outside the pair a trigger word still counts
LIST_WORDS = {"and", "e", "or", "ou", "&", ","}
POSSESSIVE_WORDS = {"'s", "de", "da", "do", "das", "dos", "of"}
MASK = "@"  # how a masked mention's tokens begin (folded words never do)
FEATURES_VERSION = "5"
FUNDING_KINDS = frozenset({"round", "round_lead", "participation", "investor_nouns"})  # see `relation_words`


@dataclass(frozen=True)
class SentenceCues:
    """What the ontology's lexicon finds in one sentence: trigger words per relation, negation, hedges."""

    triggers: tuple[tuple[int, int, str, bool], ...]  # (start, end, relation, inverse)
    negations: tuple[int, ...]
    hedges: tuple[int, ...]
    words: tuple[tuple[int, str], ...] = ()  # (position, kind) of the lexicon's other words: "round", "investorNoun"…
    money: tuple[int, ...] = ()  # token positions where an amount of money starts

    @cached_property
    def shared(self) -> list[str]:
        """The features every candidate of the sentence has: the lexicon's kinds and the amounts found."""
        out = [f"sent:{kind}" for kind in sorted({kind for _, kind in self.words})]
        out.append(f"sent:money:{_bucket(len(self.money))}")
        return out

    @cached_property
    def relations(self) -> list[str]:
        """The relations whose trigger words the sentence holds, sorted."""
        return sorted({t[2] for t in self.triggers})

    @cached_property
    def relation_words(self) -> bool:
        """The sentence holds a relation's trigger word or a word of funding ("investors", "round")."""
        return bool(self.triggers) or any(kind in FUNDING_KINDS for _, kind in self.words)


def masked(words: Sequence[str], spans: Sequence[tuple[int, int, str]]) -> list[str]:
    """`words` with the tokens of every mention `(start, end, type)` replaced by `@Type`: the words
    between two ends then say how they are joined ("@Organization , @Organization e"), not which
    other names stand there."""
    out = list(words)
    for start, end, type_name in spans:
        for i in range(start, end):
            out[i] = MASK + type_name
    return out


def _collapsed(words: Sequence[str]) -> list[str]:
    """`words` with each run of one masked mention's tokens as one word."""
    out: list[str] = []
    for w in words:
        if not (out and w.startswith(MASK) and out[-1] == w):
            out.append(w)
    return out


def _bucket(n: int) -> str:
    for limit in (0, 1, 2, 3, 5, 8, 12, 20, 40):
        if n <= limit:
            return str(limit)
    return "more"


def candidate_features(
    c: Candidate,
    words: Sequence[str],
    cues: SentenceCues,
    rule_verdicts: Sequence[str],
    lang: str,
    others_between: int,
    pattern_verdicts: Sequence[str] = (),
) -> list[str]:
    """The features of `c` over the sentence's `words` (folded, other mentions masked: see `masked`);
    `rule_verdicts` are the patterns' relations for this subject and object (``"investsIn"``, or
    ``"investsIn~"`` when they state it the other way round), `pattern_verdicts` the same named by
    pattern (``"nationality:locatedIn"``)."""
    s, o = c.subject, c.object
    forward = s.start <= o.start
    first, second = (s, o) if forward else (o, s)
    d = "f" if forward else "b"
    out = [f"ty:{s.type}>{o.type}", f"dir:{d}", f"ty:{s.type}>{o.type}:{d}", f"lang:{lang}"]
    out += [f"via:s:{s.via}", f"via:o:{o.via}", f"src:s:{s.source}", f"src:o:{o.source}"]
    if rule_verdicts:
        out += [f"rule:{v}" for v in rule_verdicts]
        out += [f"rule:{v}:{s.type}>{o.type}" for v in rule_verdicts]
    else:
        out.append("rule:none")
    out += [f"pat:{v}" for v in pattern_verdicts]
    vias = f"{s.via}>{o.via}"
    out.append(f"via:{vias}")
    out += cues.shared
    out += [f"sent:tr:{r}:{vias}" for r in cues.relations]
    placed = s.via != "rule" and o.via != "rule"
    if not placed:
        out.append("unplaced")
        for _start, _end, relation, inverse in cues.triggers:
            out.append(f"tr:{relation}:{'inv' if inverse else 'act'}:any")
        return out

    lo, hi = first.end, second.start
    gap = max(0, hi - lo)
    out.append(f"gap:{_bucket(gap)}")
    out.append(f"others:{_bucket(others_between)}")
    between = _collapsed(words[lo:hi]) if hi > lo else []
    if len(between) > 2 * BETWEEN_WORDS:
        between = between[:BETWEEN_WORDS] + between[-BETWEEN_WORDS:]
    if not between:
        out.append("b:none")
    for w in between:
        out.append(f"b:{w}")
        out.append(f"b:{w}:{d}")
        if len(w) > STEM and not w.startswith(MASK):
            out.append(f"b~:{w[:STEM]}")  # "investiu", "investirá", "investimento": one stem
    for w1, w2 in zip(between, between[1:], strict=False):
        out.append(f"bb:{w1}_{w2}")
    if gap <= 4:
        out.append("bs:" + "_".join(between))
    if between and all(w in LIST_WORDS or w.startswith(MASK) for w in between):
        out.append("list")  # "X, Y e Z": the two ends are members of one list
    if len(between) <= 6 and any(w.startswith(MASK) for w in between):
        out.append("shape:" + "_".join(between))  # how the ends are joined, with other names between
    if between and between[0] in POSSESSIVE_WORDS and gap <= 3:
        out.append(f"poss:{between[0]}:{d}")
    if "(" in between or (between and between[0] == ","):
        out.append("apposition?")
    for k in range(1, WINDOW + 1):
        i = first.start - k
        if i >= c.start:
            out.append(f"l{k}:{words[i]}")
        j = second.end + k - 1
        if j < c.end:
            out.append(f"r{k}:{words[j]}")
    if first.start == c.start:
        out.append("first:opens")
    for start, end, relation, inverse in cues.triggers:
        if lo <= start and end <= hi:
            where = "mid"
        elif first.start - TRIGGER_REACH <= start < first.start:
            where = "left"
        elif second.end <= start < second.end + TRIGGER_REACH:
            where = "right"
        else:
            where = "far"
        kind = "inv" if inverse else "act"
        out.append(f"tr:{relation}:{kind}:{where}")
        out.append(f"tr:{relation}:{kind}:{where}:{d}")
        out.append(f"tr:{relation}:{kind}:{where}:{d}:{s.type}>{o.type}")
        if where == "mid":
            out.append(f"tr:{relation}:{kind}:mid:gap{_bucket(gap)}")
    for end, tag in ((s, "s"), (o, "o")):
        if end.start == end.end:
            continue  # stands at the sentence's start: nothing is near it
        for i, kind in cues.words:
            if end.start - 4 <= i < end.start:
                out.append(f"near:{kind}:{tag}:left")
            elif end.end <= i < end.end + 3:
                out.append(f"near:{kind}:{tag}:right")
        for i in cues.money:
            if end.start - 8 <= i < end.start:
                out.append(f"near:money:{tag}:left")
            elif end.end <= i < end.end + 8:
                out.append(f"near:money:{tag}:right")
    for i in cues.negations:
        if first.start - TRIGGER_REACH <= i < hi:
            out.append("neg")
            break
    for i in cues.hedges:
        if first.start - TRIGGER_REACH <= i < second.end + TRIGGER_REACH:
            out.append("hedge")
            break
    return out


@dataclass(frozen=True)
class ArticleCues:
    """What the whole article says of its entities: how often each is named, in which sentences, and
    which organisation it is about (named most)."""

    counts: dict[str, int]  # entity key → mentions
    sentences: dict[str, frozenset[int]]  # entity key → sentences naming it
    topic: str | None

    @classmethod
    def of(cls, mentions: Sequence, topic: str | None) -> ArticleCues:
        """The cues of an article's `mentions`."""
        counts: dict[str, int] = {}
        sentences: dict[str, set[int]] = {}
        for m in mentions:
            counts[m.key] = counts.get(m.key, 0) + 1
            sentences.setdefault(m.key, set()).add(m.sentence)
        return cls(counts, {k: frozenset(v) for k, v in sentences.items()}, topic)


def article_features(
    c: Candidate, article: ArticleCues, words: Sequence[str], links: dict[tuple[str, str], tuple[str, ...]]
) -> list[str]:
    """How salient the two ends are in the article: how often each is named, whether it is the
    article's topic or named in its opening sentences, and in how many sentences the pair meets; and
    the last word of each named end ("Capital", "Ventures", "Bank", "Labs"), which says what kind of
    organisation it is whatever its name; and what the knowledge base's `links` say joins the two
    (a person's affiliation, a product's maker, an organisation's country), "~" when read backwards."""
    out = []
    for tag, e in (("s", c.subject), ("o", c.object)):
        if e.end - e.start > 1:
            out.append(f"name:{tag}:{words[e.end - 1]}")
        out.append(f"art:{tag}:n{_bucket(article.counts.get(e.key, 0))}")
        if e.key == article.topic:
            out.append(f"art:{tag}:topic")
        if min(article.sentences.get(e.key, (99,))) <= 1:
            out.append(f"art:{tag}:lead")
    out += [f"kb:{link}" for link in links.get((c.subject.key, c.object.key), ())]
    out += [f"kb:{link}~" for link in links.get((c.object.key, c.subject.key), ())]
    together = article.sentences.get(c.subject.key, frozenset()) & article.sentences.get(c.object.key, frozenset())
    out.append(f"art:pair:{_bucket(len(together))}")
    return out
