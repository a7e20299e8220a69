"""Analyse an article's text with spaCy: sentences and entity mentions, with no statistical model.

The pipeline is `spacy.blank(lang)` plus three components of our own:
``kg_sentences`` (sentence starts from punctuation and line breaks), ``kg_gazetteer``
(names of the knowledge base, demonyms included) and ``kg_names`` (capitalised names the
knowledge base lacks, typed from context cues). Mentions go to ``doc.spans["kg"]`` with the
entity type as label, the entity key as ``kb_id_`` and how they were found as ``id_``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from spacy.language import Language
from spacy.tokens import Doc, Span

from .errors import ModelError
from .namespace import ENTITY_TYPES
from .ontology import Name, Pattern, fold, matches_at, one_word
from .ontology import load as load_ontology

log = logging.getLogger(__name__)

SPAN_KEY = "kg"
MAX_SENTENCE_TOKENS = 120
"""Longest sentence analysed as one: a longer run of tokens with no sentence end (a list, a table, text with
no punctuation) is cut into windows of this many tokens, so the work per sentence stays bounded."""
MAX_TEXT_CHARS = 10_000_000  # above kg.read.MAX_ARTICLE_BYTES of text
TERMINATORS = {".", "!", "?", "…", "...", "?!", "!?"}
CLOSERS = {'"', "'", "”", "’", ")", "]", "»"}
# Separators inside names that the text writes in more than one way ("DeepSeek-R1", "DeepSeek R1").
JOINERS = {"-", "–", "‑"}
# "4.5", "3.1", "405B", "V3", "920C", "B200", "4o": the version or size that follows a model or chip family
VERSION = re.compile(
    r"^(?:[vV]?\d{1,3}(?:\.\d{1,2})*[a-zA-Z]{0,2}|\d{1,4}[a-zA-Z]{1,2}\d{0,2}|[A-Z]{1,2}\d{1,4}[A-Za-z]{0,2})$"
)
VERSIONED = ("AIModel", "Hardware")
STEM = re.compile(r"^([A-Za-z]{2,})[-\s]?\d")
TYPE_PREFERENCE = {
    t: i
    for i, t in enumerate(("Organization", "AIModel", "Hardware", "Product", "Project", "Place", "Person", "Sector"))
}


# ---------------------------------------------------------------- sentences


def folded_words(doc: Doc) -> list[str]:
    """The case- and accent-folded text of every token, computed once per Doc and shared by the stages."""
    words = doc.user_data.get("kg_words")
    if words is None or len(words) != len(doc):
        text = doc.text
        words = [_folded(text[start : start + length]) for start, length in _token_extents(doc)]
        doc.user_data["kg_words"] = words
    return words


_FOLDED: dict[str, str] = {}
FOLD_CACHE_WORDS = 200_000  # distinct words whose folded form is remembered


def _folded(word: str) -> str:
    folded = _FOLDED.get(word)
    if folded is None:
        if len(_FOLDED) >= FOLD_CACHE_WORDS:
            _FOLDED.clear()
        folded = _FOLDED[word] = fold(word)
    return folded


def _once(doc: Doc, key: str, make: Callable[[Doc], Any]) -> Any:
    """`make(doc)`, worked out once per Doc (kept in its user data while the Doc's length holds)."""
    cached = doc.user_data.get(key)
    if cached is None or cached[0] != len(doc):
        cached = doc.user_data[key] = (len(doc), make(doc))
    return cached[1]


def _token_extents(doc: Doc) -> list[tuple[int, int]]:
    """(character offset, length) of every token, read from the Doc's arrays without making a Token each."""
    from spacy.attrs import IDX, LENGTH

    def read(doc: Doc) -> list[tuple[int, int]]:
        return [(start, length) for start, length in doc.to_array([IDX, LENGTH]).tolist()] if len(doc) else []

    return _once(doc, "kg_extents", read)


def token_offsets(doc: Doc) -> tuple[dict[int, int], dict[int, int]]:
    """The token starting at each character offset, and (token + 1) ending at each: once per Doc."""

    def index(doc: Doc) -> tuple[dict[int, int], dict[int, int]]:
        extents = _token_extents(doc)
        starts = {start: i for i, (start, _) in enumerate(extents)}
        ends = {start + length: i + 1 for i, (start, length) in enumerate(extents)}
        return starts, ends

    return _once(doc, "kg_offsets", index)


class SentenceBounds(NamedTuple):
    """Where a sentence is: its tokens and its characters."""

    start: int
    end: int
    start_char: int
    end_char: int


def sentence_bounds(doc: Doc) -> list[SentenceBounds]:
    """The sentences as `doc.sents` cuts the Doc (one starts at each token marked as starting one),
    read from the Doc's arrays once per Doc."""
    from spacy.attrs import SENT_START

    def cut(doc: Doc) -> list[SentenceBounds]:
        if not len(doc) or not doc.has_annotation("SENT_START"):
            return [SentenceBounds(s.start, s.end, s.start_char, s.end_char) for s in doc.sents]
        marks = doc.to_array([SENT_START]).tolist()
        cuts = [0] + [i for i in range(1, len(marks)) if marks[i] == 1] + [len(marks)]
        extents = _token_extents(doc)
        return [
            SentenceBounds(a, b, extents[a][0], extents[b - 1][0] + extents[b - 1][1])
            for a, b in zip(cuts, cuts[1:], strict=False)
        ]

    return _once(doc, "kg_sentences", cut)


@Language.component("kg_sentences", assigns=["token.is_sent_start"])
def kg_sentences(doc: Doc) -> Doc:
    """Start a sentence after a line break, and after final punctuation followed by a non-lower-case word
    (closing quotes and brackets stay with the sentence they close); and every `MAX_SENTENCE_TOKENS` tokens
    of a sentence that has no end."""
    import numpy
    from spacy.attrs import SENT_START

    n = len(doc)
    starts = [-1] * n  # set all at once: spaCy's per-token setter rescans the whole doc each time
    start_next = True
    last_start = 0
    i = 0
    while i < n:
        token = doc[i]
        if token.is_space:
            if "\n" in token.text:
                start_next = True
            i += 1
            continue
        if start_next or i - last_start >= MAX_SENTENCE_TOKENS:
            starts[i] = 1
            last_start = i
        start_next = False
        if token.text in TERMINATORS or (token.is_punct and token.text[-1:] in "!?"):
            j = i + 1
            while j < n and doc[j].text in CLOSERS:
                j += 1
            if not (j < n and not doc[j].is_space and doc[j].text[:1].islower()):
                start_next = True
                i = j
                continue
        elif "\n" in token.whitespace_:
            start_next = True
        i += 1
    if n:
        starts[0] = 1
        doc.from_array([SENT_START], numpy.asarray(starts, dtype="int64").reshape(-1, 1).astype("uint64"))
    return doc


def blank(lang: str) -> Language:
    """`spacy.blank(lang)` whose tokenizer also splits a final period off versions ("Ascend 910C.", "Llama 3.1.")."""
    import spacy
    from spacy.util import compile_suffix_regex

    nlp = spacy.blank(lang)
    nlp.max_length = MAX_TEXT_CHARS  # the readers bound an article's size; the rules need no parser memory
    suffixes = list(nlp.Defaults.suffixes or []) + [r"(?<=[0-9])\.", r"(?<=[0-9][A-Za-z])\."]
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    return nlp


# ---------------------------------------------------------------- gazetteer


def name_words(tokenizer: Any) -> Callable[[str], list[str]]:
    """The tokens `tokenizer` makes of a name, spaces left out. Words of letters alone that are no
    special case of the tokenizer are tokens as they stand, which spares the tokenizer most of the
    knowledge base's names when the pipeline is built."""
    special = tokenizer.rules or {}

    def words(text: str) -> list[str]:
        chunks = text.split(" ")
        if all(c.isalpha() and c not in special for c in chunks):
            return chunks
        return [t.text for t in tokenizer(text) if not t.is_space]

    return words


class NameIndex:
    """Knowledge-base names by their folded token sequence, for longest-match lookup over a Doc."""

    def __init__(self, nlp: Language, names: Iterable[Name], demonyms: Iterable[Name]):
        self.first: dict[str, list[tuple[tuple[str, ...], list[tuple[Name, bool]]]]] = {}
        table: dict[tuple[str, ...], list[tuple[Name, bool]]] = {}
        words = name_words(nlp.tokenizer)
        for name, is_demonym in [(n, False) for n in names] + [(d, True) for d in demonyms]:
            keys = tuple(fold(w) for w in words(name.text) if w not in JOINERS)
            if keys:
                table.setdefault(keys, []).append((name, is_demonym))
        for keys, entries in table.items():
            self.first.setdefault(keys[0], []).append((keys, entries))
        for options in self.first.values():
            options.sort(key=lambda kv: -len(kv[0]))
        self.table = table

    def lookup(self, doc_span) -> list[tuple[Name, bool]]:
        """The names spelled exactly like `doc_span` (separators aside)."""
        keys = tuple(fold(t.text) for t in doc_span if t.text not in JOINERS and not t.is_space)
        return [(n, d) for n, d in self.table.get(keys, []) if not d]

    def matches(self, doc: Doc) -> list[tuple[int, int, list[tuple[Name, bool]]]]:
        """Longest non-overlapping matches as (start, end, candidate names)."""
        folded = folded_words(doc)
        words = [(i, w) for i, w in enumerate(folded) if w not in JOINERS and w.strip()]
        out = []
        pos = 0
        while pos < len(words):
            i, key = words[pos]
            best = None
            for keys, entries in self.first.get(key, ()):
                n = len(keys)
                if pos + n > len(words) or any(words[pos + k][1] != keys[k] for k in range(n)):
                    continue
                start, end = i, words[pos + n - 1][0] + 1
                if any(doc[k].is_space or "\n" in doc[k].whitespace_ for k in range(start, end - 1)):
                    continue  # a name never spans a line break
                span_text = doc[start:end].text
                ok = [(name, dem) for name, dem in entries if _case_ok(span_text, name, dem)]
                if ok:
                    best = (start, end, ok, n)
                    break
            if best:
                out.append(best[:3])
                pos += best[3]
            else:
                pos += 1
        return out


def _squash(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


def _case_ok(span_text: str, name: Name, is_demonym: bool) -> bool:
    if is_demonym:
        return True
    if name.match_case:
        return _squash(span_text) == _squash(name.text)
    first = name.text[:1]
    if first.islower():
        return True
    head = span_text[:1]
    return head.isupper() or head.isdigit() or not head.isalpha()


@lru_cache(maxsize=16)
def _name_index(lang: str, extra: tuple[str, ...]) -> NameIndex:

    ontology = load_ontology(extra)
    return NameIndex(blank(lang), ontology.names, ontology.demonyms)


@lru_cache(maxsize=16)
def _organization_names(lang: str, extra: tuple[str, ...]) -> dict[tuple[str, ...], str]:
    """Folded token sequences of every organisation name, to split "Nvidia H100" into maker and chip."""

    ontology = load_ontology(extra)
    words = name_words(blank(lang).tokenizer)
    table: dict[tuple[str, ...], str] = {}
    for name in ontology.names:
        entity = ontology.entities.get(name.key)
        if entity is not None and entity.type == "Organization" and not name.match_case:
            keys = tuple(fold(w) for w in words(name.text) if w not in JOINERS)
            table.setdefault(keys, name.key)
    return table


@lru_cache(maxsize=16)
def family_stems(extra: tuple[str, ...]) -> dict[str, str]:
    """Alphabetic stems of model and chip names ("gpt" of "GPT-4o", "glm" of "GLM-4") → their type."""
    ontology = load_ontology(extra)
    stems: dict[str, str] = {}
    for name in ontology.names:
        entity = ontology.entities.get(name.key)
        if entity is None or entity.type not in VERSIONED:
            continue
        m = STEM.match(name.text)
        if m:
            stems.setdefault(fold(m.group(1)), entity.type)
    return stems


def _is_year(text: str) -> bool:
    return text.isdigit() and len(text) == 4 and 1900 <= int(text) <= 2100


def cue_type(words: Sequence[str], i: int, cues: dict[str, list[Pattern]]) -> str | None:
    """The entity type whose cue pattern ends at word `i` (inclusive), if any."""
    for type_name, patterns in cues.items():
        for pattern in patterns:
            start = i - len(pattern) + 1
            if start >= 0 and matches_at(words, start, pattern):
                return type_name
    return None


class Gazetteer:
    """Finds knowledge-base names and demonyms, choosing among same-named entities by context."""

    def __init__(self, nlp: Language, ontology_paths: Sequence[str]):
        self.extra = tuple(ontology_paths)
        self.ontology = load_ontology(self.extra)
        self.lang = nlp.lang
        self.index = _name_index(nlp.lang, self.extra)
        self.cues = {t: self.ontology.cues[t].get(self.lang, []) for t in ENTITY_TYPES}
        self.organizations = _organization_names(nlp.lang, self.extra)
        self.version_words = {p[0][0] for p in self.ontology.lexicon_for("version", self.lang)}

    def __call__(self, doc: Doc) -> Doc:
        words = folded_words(doc)
        spans: list[Span] = []
        ambiguous: dict[int, list[tuple[Name, bool]]] = {}
        language_end = -1
        for start, end, candidates in self.index.matches(doc):
            name, is_demonym = self._choose(doc, words, start, end, candidates)
            if is_demonym and (
                self._language_name(words, start, end) or (start - language_end == 1 and words[start - 1] in LIST_WORDS)
            ):
                language_end = end
                continue  # "in Portuguese or French", "em inglês": a language, not a country
            if len({n.key for n, _ in candidates}) > 1 and not self._cued:
                ambiguous[start] = candidates  # no word around it chose; a list it stands in may
            entity = self.ontology.entities.get(name.key)
            if entity is None:
                continue
            vendor = self._vendor(words, start, end) if entity.type in ("AIModel", "Product", "Hardware") else None
            if vendor:
                # "Nvidia H100", "Microsoft Azure": the maker and the thing are two entities
                cut, org = vendor
                spans.append(Span(doc, start, cut, label="Organization", kb_id=org, span_id="kb"))
                start = cut
            spans.append(
                Span(doc, start, end, label=entity.type, kb_id=entity.key, span_id="demonym" if is_demonym else "kb")
            )
        spans = self._by_coordination(doc, words, spans, ambiguous)
        doc.spans[SPAN_KEY] = self._versions(doc, spans)
        return doc

    def _language_name(self, words: list[str], start: int, end: int) -> bool:
        before = words[start - 1] if start > 0 else ""
        after = words[end] if end < len(words) else ""
        return before in LANGUAGE_PREPOSITIONS and (after in LANGUAGE_FOLLOWERS or not after.isalpha())

    def _by_coordination(
        self, doc: Doc, words: list[str], spans: list[Span], ambiguous: dict[int, list[tuple[Name, bool]]]
    ) -> list[Span]:
        """ "OpenAI's ChatGPT or Alphabet's Gemini": a name of several entities takes the type of the
        thing it is listed with, when one of its entities has that type."""
        out = list(spans)
        for k, span in enumerate(spans):
            candidates = ambiguous.get(span.start)
            if not candidates:
                continue
            neighbours = []
            for step in (-1, 1):
                j = k + step
                # "OpenAI's ChatGPT or Alphabet's Gemini": look past the owners
                while 0 <= j < len(spans) and words[spans[j].end : spans[j].end + 1] == ["'s"]:
                    j += step
                if 0 <= j < len(spans) and spans[j].start not in ambiguous and self._listed(words, spans[j], span):
                    neighbours.append(spans[j])
            for other in neighbours:
                match = next(
                    (n for n, _ in candidates if self.ontology.entities[n.key].type == other.label_ != span.label_),
                    None,
                )
                if match is not None:
                    out[k] = Span(doc, span.start, span.end, label=other.label_, kb_id=match.key, span_id=span.id_)
                    break
        return out

    @staticmethod
    def _listed(words: list[str], a: Span, b: Span) -> bool:
        first, second = (a, b) if a.start < b.start else (b, a)
        gap = words[first.end : second.start]
        return 1 <= len(gap) <= 5 and any(w in LIST_WORDS for w in gap)

    def _vendor(self, words: list[str], start: int, end: int) -> tuple[int, str] | None:
        for cut in range(end - 1, start, -1):
            if words[cut] in JOINERS or words[cut - 1] in JOINERS:
                continue  # "DeepSeek-R1" is one name, not a maker and a model
            keys = tuple(w for w in words[start:cut] if w not in JOINERS)
            org = self.organizations.get(keys)
            if org:
                return cut, org
        return None

    def _versions(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """Extend a model or chip family over the version after it ("Claude Sonnet 4.5", "Ascend 920C"),
        and join a family to the specific name that follows it ("Blackwell B200")."""
        out: list[Span] = []
        taken = {i for s in spans for i in range(s.start, s.end)}
        k = 0
        while k < len(spans):
            span = spans[k]
            if span.label_ in VERSIONED and span.id_ == "kb":
                nxt = spans[k + 1] if k + 1 < len(spans) else None
                if (
                    nxt is not None
                    and nxt.start == span.end
                    and nxt.label_ == span.label_
                    and "\n" not in span[-1].whitespace_
                ):
                    out.append(Span(doc, span.start, nxt.end, label=nxt.label_, kb_id=nxt.kb_id_, span_id="kb"))
                    k += 2
                    continue
                end = span.end
                while (
                    end < len(doc)
                    and end not in taken
                    and "\n" not in doc[end - 1].whitespace_
                    and (
                        VERSION.match(doc[end].text)
                        or (fold(doc[end].text) in self.version_words and doc[end].text[:1].isupper())
                    )
                    and not _is_year(doc[end].text)
                ):
                    end += 1
                if end > span.end:
                    known = [
                        n
                        for n, _ in self.index.lookup(doc[span.start : end])
                        if self.ontology.entities.get(n.key) is not None
                    ]
                    key = known[0].key if known else ""
                    out.append(
                        Span(doc, span.start, end, label=span.label_, kb_id=key, span_id="kb" if key else "rule")
                    )
                    k += 1
                    continue
            out.append(span)
            k += 1
        return out

    def _choose(
        self, doc: Doc, words: list[str], start: int, end: int, candidates: list[tuple[Name, bool]]
    ) -> tuple[Name, bool]:
        keys = {name.key for name, _ in candidates}
        self._cued = False
        if len(keys) == 1:
            return candidates[0]
        entities = self.ontology.entities
        near = set()
        for i in range(max(0, start - 3), min(len(doc), end + 2)):
            if start <= i < end:
                continue
            t = cue_type(words, i, self.cues)
            if t:
                near.add(t)
        text = fold(doc[start:end].text)
        self._cued = any(entities[n.key].type in near for n, _ in candidates if n.key in entities)

        def rank(item: tuple[Name, bool]) -> tuple:
            name, _ = item
            entity = entities.get(name.key)
            if entity is None:
                return (9, 9, name.key)
            return (
                0 if entity.type in near else 1,
                0 if fold(entity.label) == text else 1,
                TYPE_PREFERENCE.get(entity.type, 9),
                name.key,
            )

        return min(candidates, key=rank)


@Language.factory("kg_gazetteer", default_config={"ontology": []}, assigns=["doc.spans"])
def make_gazetteer(nlp: Language, name: str, ontology: list[str]) -> Gazetteer:
    return Gazetteer(nlp, ontology)


# ---------------------------------------------------------------- names the knowledge base lacks

CONNECTORS = {"of", "for", "de", "da", "do", "das", "dos", "&", "and"}
LANGUAGE_PREPOSITIONS = {"in", "into", "from", "em", "para", "do", "o"}
LANGUAGE_FOLLOWERS = {"or", "and", "than", "ou", "e", "que", "as", "como", "", ",", "."}
LIST_WORDS = {",", "or", "and", "ou", "e", "&", "nor", "vs", "versus"}
PREPOSITIONS = {"of", "at", "de", "da", "do", "das", "dos", "na", "no"}
ARTICLES = {"the", "a", "o", "as", "os"}
ADVERB_ENDINGS = {"en": ("ly",), "pt": ("mente",)}  # "Recently, ...", "Recentemente, ..."


class NameFinder:
    """Capitalised names that the knowledge base lacks, typed from the words around them."""

    def __init__(self, nlp: Language, ontology_paths: Sequence[str], typer: str = ""):
        from spacy.util import get_lang_class

        from .nametyper import first_names, given_names

        self.ontology = load_ontology(tuple(ontology_paths))
        self.lang = nlp.lang
        self.typer = None
        if typer:
            from .extract.model import load as load_model

            self.typer = load_model(typer)
        self.first_names = first_names(self.ontology.version, self.ontology) | given_names()
        self.cues = {t: self.ontology.cues[t].get(self.lang, []) for t in ENTITY_TYPES}
        self.suffixes = {t: self.ontology.suffix_cues[t].get(self.lang, []) for t in ENTITY_TYPES}
        stop = get_lang_class(self.lang).Defaults.stop_words
        self.stop = {fold(w) for w in stop} | self._words("stopword")
        self.legal_forms = self._words("legalForm")  # "Uber Technologies Inc.": a known company's legal form
        self.title_words = self._words("titleWord")  # "Vice President", "General Manager": no name alone
        self.demonyms = {fold(d.text) for d in self.ontology.demonyms}
        self.stems = family_stems(tuple(ontology_paths))

    def _words(self, kind: str) -> set[str]:
        """The one-word entries of a lexicon kind of the ontology, folded."""
        return {p[0][0] for p in self.ontology.lexicon_for(kind, self.lang) if len(p) == 1}

    def __call__(self, doc: Doc) -> Doc:
        taken = [False] * len(doc)
        place_starts: set[int] = set()
        sectors: set[tuple[int, int]] = set()
        for span in doc.spans.get(SPAN_KEY, []):
            if span.label_ == "Sector" and span.text[:1].isupper() and not (len(span) == 1 and len(span.text) <= 3):
                sectors.add((span.start, span.end))
                continue  # "Plano Nacional de Inteligência Artificial": part of a longer name
            if (
                span.label_ == "Place"
                and span.id_ == "kb"
                and span.end < len(doc)
                and self._capitalised(doc[span.end])
                and "\n" not in span[-1].whitespace_
            ):
                place_starts.add(span.start)
                continue  # "Hangzhou City Investment Group": kept only if the longer name is a company
            for i in range(span.start, span.end):
                taken[i] = True
        words = folded_words(doc)
        found = list(doc.spans.get(SPAN_KEY, []))
        surnames = {words[s.end - 1] for s in found if s.label_ == "Person" and len(s) > 1}
        companies = {
            s.end: s for s in found if s.label_ == "Organization" and s.kb_id_ and "\n" not in s[-1].whitespace_
        }
        i = 0
        n = len(doc)
        while i < n:
            if taken[i] or not self._capitalised(doc[i]):
                i += 1
                continue
            j = i + 1
            while j < n and not taken[j]:
                if self._capitalised(doc[j]) and "\n" not in doc[j - 1].whitespace_:
                    j += 1
                elif (
                    words[j] in CONNECTORS
                    and j + 1 < n
                    and not taken[j + 1]
                    and self._capitalised(doc[j + 1])
                    and words[j] != "and"
                ):
                    j += 2
                else:
                    break
            if (
                j < n
                and not taken[j]
                and doc[j].text.isdigit()
                and len(doc[j].text) <= 2
                and "\n" not in doc[j - 1].whitespace_
                and self._cue_left(words, i)
            ):
                j += 1  # "o fundo Criatec 4", "the Vision Fund 2"
            company = companies.get(i)
            if company is not None and all(words[k] in self.legal_forms for k in range(i, j)):
                # "Uber Technologies Inc.": the known company's name goes on over its legal form
                longer = Span(doc, company.start, j, label=company.label_, kb_id=company.kb_id_, span_id=company.id_)
                found = [longer if f is company else f for f in found]
                i = j
                continue
            if company is not None and j - i <= 3 and self._suffixed(words, company.start, j):
                # "Globo Ventures", "Schroders Capital", "SoftBank Robotics": a company of the known one's name
                found = [f for f in found if f.end <= company.start or f.start >= j]  # and a sector it contains
                found.append(Span(doc, company.start, j, label="Organization", kb_id="", span_id="rule"))
                i = j
                continue
            start = i
            # a capitalised stop word or the first word of a sentence is not a name on its own, and a
            # capitalised title opening the sentence is a cue, not part of the name ("Analyst Priya Ramaswamy")
            while start < j and (
                words[start] in self.stop
                or (
                    doc[start].is_sent_start
                    and j - start == 1
                    and not self._cue_left(words, start)
                    and not self._apposition(words, j)
                )
                or (j - start > 1 and cue_type(words, start, self.cues) == "Person")
                or self._opening_adverb(doc, words, start, j)
            ):
                start += 1
            start = self._after_title(words, start, j)
            if start > i and start < j - 2 and words[start] in CONNECTORS:
                # "Vice President of Infrastructure Prasad Kalyanaraman": the person after the department
                start = next((k for k in range(start + 1, j - 1) if words[k] in self.first_names), j - 2)
            end = self._before_title(words, start, j, titled=start > i and bool(cue_type(words, start - 1, self.cues)))
            if (start, end) in sectors:
                start = end  # "modelos de Inteligência Artificial": the sector alone, capitalised
            if start < end:
                label = (
                    self._type(doc, words, start, end)
                    or self._place_before_place(doc, words, end)
                    or self._surname(words, start, end, surnames)
                )
                if label is None and start not in place_starts:
                    label = self._learned_type(doc, words, start, end)
                if start in place_starts and (label != "Organization" or not self._suffixed(words, start, end)):
                    label = None  # the place stays a place: "China Mobile" is in the knowledge base anyway
                if label:
                    found = [f for f in found if f.end <= start or f.start >= end]  # a sector the name contains
                    found.append(Span(doc, start, end, label=label, kb_id="", span_id="rule"))
                    if label == "Person" and end - start > 1:
                        surnames.add(words[end - 1])
            i = j
        found.sort(key=lambda s: (s.start, -s.end))
        doc.spans[SPAN_KEY] = found
        return doc

    def _after_title(self, words: list[str], start: int, end: int) -> int:
        """Where the name starts after a title inside the capitalised run: "Economy Minister Ken
        Saito", "Omnia CEO Rodrigo Abreu" name a person after their title word. A title at the run's
        end stays ("Nvidia CEO" is the company's)."""
        person = {"Person": self.cues["Person"]}
        for k in range(end - 2, start - 1, -1):
            if cue_type(words, k, person):
                return k + 1
        return start

    def _before_title(self, words: list[str], start: int, end: int, titled: bool = False) -> int:
        """Where the name ends before a title closing the capitalised run: "AMD Executive Vice
        President" names no person, and "Vice Chairman", "General Manager" or the "General" of
        "Secretary General" (`titled`: a title cue before `start`) alone is no name."""
        person = {"Person": [p for p in self.cues["Person"] if len(p) == 1]}
        cut = end
        while cut > start and (words[cut - 1] in self.title_words or cue_type(words, cut - 1, person)):
            titled = titled or bool(cue_type(words, cut - 1, person))
            cut -= 1
        return cut if titled else end

    def _opening_adverb(self, doc: Doc, words: list[str], start: int, end: int) -> bool:
        """ "Recentemente, a empresa ...", "Separately, the company ...": a sentence opened by an
        adverb and a comma."""
        return (
            end - start == 1
            and doc[start].is_sent_start
            and end < len(words)
            and words[end] == ","
            and words[start].endswith(ADVERB_ENDINGS.get(self.lang, ()))
            and len(words[start]) > 5
        )

    def _learned_type(self, doc: Doc, words: list[str], start: int, end: int) -> str | None:
        """The typer's verdict on a name no cue types; the span and its features are kept in the doc
        for training."""
        from .nametyper import UNTYPED_KEY, best_type, span_features

        right = cue_type(words, end, self.cues) if end < len(words) else None
        features = span_features(doc, words, start, end, self._cue_left(words, start), right, self.first_names)
        doc.user_data.setdefault(UNTYPED_KEY, []).append((start, end, tuple(features)))
        return best_type(self.typer, features) if self.typer is not None else None

    @staticmethod
    def _capitalised(token) -> bool:
        text = token.text
        return (
            len(text) > 1
            and text[0].isupper()
            and any(c.isalpha() for c in text)
            and not token.is_punct
            and all(c.isalnum() or c in "-.&'’" for c in text)
        )

    def _place_before_place(self, doc: Doc, words: list[str], end: int) -> str | None:
        """ "in Lordstown, Ohio": a name followed by a comma and a known state or country is a place."""
        if end + 1 < len(doc) and words[end] == ",":
            nxt = next((s for s in doc.spans.get(SPAN_KEY, []) if s.start == end + 1), None)
            if nxt is not None and nxt.label_ == "Place" and nxt.id_ == "kb":
                return "Place"
        return None

    @staticmethod
    def _surname(words: list[str], start: int, end: int, surnames: set[str]) -> str | None:
        """ "Huang said" after "Jensen Huang": a person's surname stands for the person."""
        return "Person" if end - start == 1 and words[start] in surnames else None

    def _suffixed(self, words: list[str], start: int, end: int) -> bool:
        return any(
            matches_at(words, end - len(p), p) and end - len(p) > start for p in self.suffixes.get("Organization", [])
        )

    def _apposition(self, words: list[str], end: int) -> str | None:
        """ "X, a Chinese startup" / "X, uma startup chinesa" / "X, CEO da Y": the type the apposition names."""
        if end >= len(words) or words[end] != ",":
            return None
        for m in range(end + 1, min(len(words), end + 6)):
            t = cue_type(words, m, self.cues)
            if t and m + 1 < len(words) and words[m + 1] == "'s":
                continue  # "X, the company's chief officer" is the company's officer, not a company
            if t:
                return t
            if words[m] == "'s":
                continue
            if words[m] not in self.stop and words[m] not in self.demonyms:
                break
        return None

    def _cue_left(self, words: list[str], start: int) -> str | None:
        via_preposition = False
        for k in range(start - 1, max(-1, start - 4), -1):
            t = cue_type(words, k, self.cues)
            if t:
                # "CEO Jane Doe" names a person; "CEO of Acme" / "CEO da Acme" names an organisation
                return "Organization" if t == "Person" and via_preposition else t
            if words[k] in self.demonyms and k > 0 and words[k - 1] in ARTICLES:
                return "Organization"  # "a israelense Augury", "the French Mistral"
            if words[k] in PREPOSITIONS:
                via_preposition = True
            elif words[k] not in self.stop:
                break
        return None

    def _type(self, doc: Doc, words: list[str], start: int, end: int) -> str | None:
        for type_name, patterns in self.suffixes.items():
            if type_name == "Person":
                continue
            for pattern in patterns:
                if matches_at(words, end - len(pattern), pattern) and end - len(pattern) > start:
                    return type_name
        left = self._cue_left(words, start)
        if left:
            return left
        # "Plano Nacional de IA", "Banco Inter", "Universidade de Lisboa": the name opens with its kind
        if end - start >= 2:
            first = cue_type(
                words,
                start,
                {t: [p for p in ps if one_word(p)] for t, ps in self.cues.items() if t in ("Organization", "Project")},
            )
            if first:
                return first
        # "the Ascend 920C chip", "o app Quark": a type noun right after the name
        if end < len(doc):
            right = cue_type(
                words,
                end,
                {
                    t: [p for p in ps if one_word(p)]
                    for t, ps in self.cues.items()
                    if t in ("AIModel", "Hardware", "Product")
                },
            )
            if right:
                return right
        stem = STEM.match(doc[start].text)
        if stem and fold(stem.group(1)) in self.stems:
            return self.stems[fold(stem.group(1))]
        apposition = self._apposition(words, end)
        if apposition:
            return apposition
        if end - start >= 2 and end < len(doc):
            for pattern in self.suffixes.get("Person", []):
                if matches_at(words, end, pattern):
                    return "Person"
        return None


@Language.factory(
    "kg_names", default_config={"ontology": [], "typer": ""}, requires=["doc.spans"], assigns=["doc.spans"]
)
def make_name_finder(nlp: Language, name: str, ontology: list[str], typer: str) -> NameFinder:
    return NameFinder(nlp, ontology, typer)


# ---------------------------------------------------------------- the pipeline

# ---------------------------------------------------------------- an optional statistical model

MODEL_LABELS = {
    "ORG": "Organization",
    "PERSON": "Person",
    "PER": "Person",
    "GPE": "Place",
    "LOC": "Place",
    "PRODUCT": "Product",
}
DEFAULT_MODELS = {"en": "en_core_web_sm", "pt": "pt_core_news_sm"}


def resolve_model(model: str | None, lang: str) -> str | None:
    """The spaCy model to use for `lang`: `None`/"none" for none, "auto" for the usual small model
    of the language when its package is installed, else the package name or path given."""
    import spacy.util

    if model in (None, "", "none"):
        return None
    if model == "auto":
        name = DEFAULT_MODELS.get(lang)
        return name if name and spacy.util.is_package(name) else None
    if spacy.util.is_package(model) or Path(model).is_dir():
        return model
    raise ModelError(
        f"spaCy model {model!r} is not installed: install its package, give the folder of a saved "
        "pipeline, or build without --model (kg needs no model)"
    )


class ModelNames:
    """Names a statistical NER model finds where the knowledge base found nothing (the KB wins)."""

    def __init__(self, nlp: Language, model: str):
        import spacy

        self.model = spacy.load(model, exclude=["parser", "lemmatizer", "textcat", "senter"])
        if "ner" not in self.model.pipe_names and "entity_ruler" not in self.model.pipe_names:
            log.warning("spaCy model %s has no entity recogniser; it adds nothing", model)

    def __call__(self, doc: Doc) -> Doc:
        taken = {i for span in doc.spans.get(SPAN_KEY, []) for i in range(span.start, span.end)}
        found = list(doc.spans.get(SPAN_KEY, []))
        for ent in self.model(doc.text).ents:
            label = MODEL_LABELS.get(ent.label_)
            span = doc.char_span(ent.start_char, ent.end_char, alignment_mode="contract")
            if label is None or span is None or not span.text[:1].isupper():
                continue
            if any(i in taken for i in range(span.start, span.end)):
                continue
            found.append(Span(doc, span.start, span.end, label=label, kb_id="", span_id="model"))
            taken.update(range(span.start, span.end))
        found.sort(key=lambda s: (s.start, -s.end))
        doc.spans[SPAN_KEY] = found
        return doc


@Language.factory("kg_model_names", default_config={"model": ""}, requires=["doc.spans"], assigns=["doc.spans"])
def make_model_names(nlp: Language, name: str, model: str) -> ModelNames:
    return ModelNames(nlp, model)


# ---------------------------------------------------------------- the pipeline


@lru_cache(maxsize=8)
def pipeline(lang: str, ontology: tuple[str, ...] = (), model: str | None = None, typer: str = "") -> Language:
    """The blank spaCy pipeline for `lang` with the `kg` components (built once per language).

    `model` names a spaCy model package (or saved pipeline folder) whose entities are added as
    candidates the knowledge base lacks; see `resolve_model`.
    """

    nlp = blank(lang)
    nlp.add_pipe("kg_sentences")
    nlp.add_pipe("kg_gazetteer", config={"ontology": list(ontology)})
    chosen = resolve_model(model, lang)
    if chosen:
        nlp.add_pipe("kg_model_names", config={"model": chosen})
    nlp.add_pipe("kg_names", config={"ontology": list(ontology), "typer": typer})
    return nlp


def analyse(
    text: str, lang: str, ontology: Sequence[str] = (), model: str | None = None, typer: str | None = None
) -> Doc:
    """Run the `kg` pipeline for `lang` over `text` (with a statistical model only if `model` says so,
    and the learned name typer saved in the folder `typer` where one is given)."""
    return pipeline(lang, tuple(str(p) for p in ontology), model, typer or "")(text)
