"""Resolve mentions to canonical entities: the knowledge base first, then names within and across articles."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from spacy.tokens import Doc

from .analyse import SPAN_KEY
from .namespace import slugify
from .ontology import Ontology, fold
from .records import ArticleResult, Entity, Mention

NEW_PREFIX = "new:"


def new_key(text: str, type_name: str) -> str:
    """The key of a name the knowledge base lacks: its slug, qualified by type so types never merge."""
    return f"{NEW_PREFIX}{type_name}:{slugify(text)}"


def mentions(doc: Doc, ontology: Ontology) -> list[Mention]:
    """Every mention of `doc` with its entity key, in text order.

    Knowledge-base names keep their key. A name found by rules takes the key of a longer
    name of the same article that it abbreviates ("Huang" after "Jensen Huang", "Zhipu" after
    "Zhipu AI"), otherwise a key of its own.
    """
    spans = sorted(doc.spans.get(SPAN_KEY, []), key=lambda s: (s.start, -s.end))
    sentence_of = {}
    for number, sent in enumerate(doc.sents):
        sentence_of[sent.start] = number
    starts = sorted(sentence_of)

    def sentence(token_i: int) -> int:
        return sentence_of[starts[bisect.bisect_right(starts, token_i) - 1]]

    # full names of the article, to resolve short forms against
    long_names: list[tuple[list[str], str, str]] = []  # (folded words, key, type)
    for span in spans:
        if span.kb_id_:
            entity = ontology.entities.get(span.kb_id_)
            if entity and entity.type in ("Person", "Organization"):
                long_names.append(([fold(w) for w in entity.label.split()], entity.key, entity.type))
        elif len(span) > 1:
            long_names.append(([fold(t.text) for t in span], new_key(span.text, span.label_), span.label_))

    out = []
    for span in spans:
        key = span.kb_id_
        label = span.label_
        if not key:
            words = [fold(t.text) for t in span]
            key = new_key(span.text, label)
            for full, full_key, full_type in long_names:
                if len(full) > len(words) and _abbreviates(words, full, full_type):
                    key, label = full_key, full_type
                    break
        out.append(
            Mention(
                start=span.start_char,
                end=span.end_char,
                text=span.text,
                label=label,
                key=key,
                source=span.id_ or "kb",
                sentence=sentence(span.start),
            )
        )
    return out


def _abbreviates(words: list[str], full: list[str], full_type: str) -> bool:
    if full_type == "Person":
        return words == full[-len(words) :]  # surname
    return words == full[: len(words)]  # leading words of an organisation's name


def new_entities(results: Iterable[ArticleResult]) -> dict[str, Entity]:
    """Entities for the keys that are not in the knowledge base, merged across articles (see `new_entity`)."""
    forms: dict[str, Counter] = defaultdict(Counter)
    for result in results:
        for m in result.mentions:
            if m.key.startswith(NEW_PREFIX):
                forms[m.key][m.text] += 1
    return {key: new_entity(key, counter) for key, counter in forms.items()}


def new_entity(key: str, forms: Mapping[str, int]) -> Entity:
    """The entity of a key the knowledge base lacks, from how often each surface form was seen: the
    most frequent is the label (ties: the longer, then alphabetical), every other an alias."""
    type_name = key.split(":", 2)[1]
    ranked = sorted(forms.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
    return Entity(key, ranked[0][0], type_name, tuple(sorted(t for t, _ in ranked[1:])))
