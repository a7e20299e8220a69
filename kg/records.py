"""Small immutable records passed between the stages. Plain strings and numbers, never spaCy objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Article:
    """One news article as read from disk, before any analysis."""

    id: str  # stable identifier: relative path (plus "#N" for a line of a JSONL file)
    path: str  # the file it came from
    title: str
    text: str  # the body; offsets in records refer to this string
    lang: str  # ISO 639-1 code of the detected or declared language
    url: str = ""
    published: str = ""  # ISO 8601 date where known
    author: str = ""  # as the page or record states it
    sha256: str = ""  # of `text`, for caching

    @property
    def document(self) -> str:
        """What is analysed: the title and the text joined by a blank line (offsets refer to this)."""
        if not self.title or self.text.startswith(self.title):
            return self.text
        return f"{self.title}\n\n{self.text}"


@dataclass(frozen=True)
class Unchanged:
    """An article of a file unchanged since the last build, known by its cache key and not read again."""

    id: str
    path: str
    lang: str
    key: str  # of its cached `ArticleResult`


@dataclass(frozen=True)
class Skipped:
    """An input that could not be used as an article, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Money:
    """An amount of money stated in a text span."""

    start: int
    end: int
    amount: Decimal  # in units, e.g. Decimal("100000000000")
    currency: str  # ISO 4217
    text: str
    upper_bound: bool = False  # "up to", "até"


@dataclass(frozen=True)
class Mention:
    """A name in an article's text, resolved to an entity key where it links."""

    start: int
    end: int
    text: str
    label: str  # entity type, one of namespace.ENTITY_TYPES
    key: str  # knowledge-base id ("deepseek") or a new key derived from the name
    source: str = "kb"  # "kb", "rule", "model", "demonym"
    sentence: int = 0  # index of the sentence in the article


@dataclass(frozen=True)
class Fact:
    """A relation between two entities, stated by one sentence of one article."""

    subject: str  # entity key
    predicate: str  # relation name, one of namespace.RELATIONS
    object: str  # entity key
    article: str  # Article.id
    evidence: str  # the sentence text
    start: int  # offsets of the sentence in the article text
    end: int
    confidence: float
    amount: Decimal | None = None
    currency: str = ""
    date: str = ""


@dataclass(frozen=True)
class Entity:
    """A canonical entity: the node a set of mentions resolves to."""

    key: str
    label: str  # canonical name
    type: str
    aliases: tuple[str, ...] = ()
    wikidata: str = ""  # Q-identifier


@dataclass(frozen=True)
class ArticleResult:
    """Everything one article contributes to the graph: the unit that is cached and merged."""

    article: Article
    mentions: tuple[Mention, ...] = ()
    facts: tuple[Fact, ...] = ()
    new_entities: tuple[Entity, ...] = field(default=())  # names the knowledge base lacks
