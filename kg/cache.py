"""The per-article cache in `OUT/cache/`: what each article contributed, so unchanged ones are skipped.

One small JSON file per article, named by the sha256 of everything the result depends on: the
article (id, path, title, text, language, URL, date), `PIPELINE_VERSION`, the ontology version (a
digest of every ontology file read), `kg.__version__`, spaCy's version and a digest of the code of
the analysing modules. A change to any of them gives a new name, so stale entries are never read;
`prune` deletes the entries a build did not use. Entries are written to a temporary file and renamed,
so a killed build never leaves a half-written one; an entry that cannot be decoded is ignored (and
recomputed).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from .records import Article, ArticleResult, Entity, Fact, Mention

log = logging.getLogger(__name__)

CACHE_DIR = "cache"
FORMAT = 1  # bump when the layout of an entry changes
_SUFFIX = ".json"


def cache_salt(pipeline_version: str, ontology_version: str) -> str:
    """The part of every key shared by all articles of a build: the versions of what analyses them."""
    import spacy

    from . import __version__

    parts = [
        f"format={FORMAT}",
        f"pipeline={pipeline_version}",
        f"ontology={ontology_version}",
        f"kg={__version__}",
        f"spacy={spacy.__version__}",
        f"code={_code_digest()}",
    ]
    return "\n".join(parts)


# The modules whose code decides an article's result. Their digest is part of the key too, so that
# editing the patterns in a checkout invalidates the cache even before PIPELINE_VERSION is bumped.
_ANALYSING_MODULES = ("analyse.py", "extract/*.py", "link.py", "money.py", "ontology.py", "records.py", "namespace.py")


def _code_digest() -> str:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for pattern in _ANALYSING_MODULES:
        for path in sorted(here.glob(pattern)) or [here / pattern]:
            name = path.relative_to(here).as_posix()
            try:
                digest.update(name.encode() + b"\0" + path.read_bytes())
            except OSError:
                digest.update(name.encode() + b"\0-")
    return digest.hexdigest()[:16]


def article_key(article: Article, salt: str) -> str:
    """The cache key of `article` under `salt`: a sha256 of every field its result depends on."""
    a = article
    fields = [a.id, a.path, a.title, a.text, a.lang, a.url, a.published, a.author]
    payload = json.dumps([salt, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def without_text(result: ArticleResult) -> ArticleResult:
    """`result` without the article's text: the graph needs only its id, title, source, language and date."""
    if not result.article.text:
        return result
    return replace(result, article=replace(result.article, text=""))


# --------------------------------------------------------------------------- encoding


def encode(result: ArticleResult) -> list[Any]:
    """A compact JSON-able form of `result` (without the article's text)."""
    a = result.article
    return [
        [a.id, a.path, a.title, a.lang, a.url, a.published, a.sha256, a.author],
        [[m.start, m.end, m.text, m.label, m.key, m.source, m.sentence] for m in result.mentions],
        [
            [
                f.subject,
                f.predicate,
                f.object,
                f.article,
                f.evidence,
                f.start,
                f.end,
                f.confidence,
                None if f.amount is None else str(f.amount),
                f.currency,
                f.date,
            ]
            for f in result.facts
        ],
        [[e.key, e.label, e.type, list(e.aliases), e.wikidata] for e in result.new_entities],
    ]


def decode(data: list[Any]) -> ArticleResult:
    """The `ArticleResult` of `encode`'s output; raises ValueError/TypeError/IndexError on a malformed one."""
    (aid, path, title, lang, url, published, sha, author), mentions, facts, entities = data
    article = Article(aid, path, title, "", lang, url, published, author=author, sha256=sha)
    return ArticleResult(
        article=article,
        mentions=tuple(
            Mention(s, e, text, label, key, source, sentence) for s, e, text, label, key, source, sentence in mentions
        ),
        facts=tuple(
            Fact(s, p, o, art, ev, start, end, conf, None if amount is None else Decimal(amount), cur, date)
            for s, p, o, art, ev, start, end, conf, amount, cur, date in facts
        ),
        new_entities=tuple(
            Entity(key, label, type_, tuple(aliases), wd) for key, label, type_, aliases, wd in entities
        ),
    )


# --------------------------------------------------------------------------- the cache


class ArticleCache:
    """Cached `ArticleResult`s under `out_dir/cache/`, one file per key (picklable: workers write too)."""

    def __init__(self, out_dir: str | os.PathLike[str], salt: str):
        self.root = Path(out_dir) / CACHE_DIR
        self.salt = salt
        self.unwritable = False  # set by the first write that fails

    def key(self, article: Article) -> str:
        return article_key(article, self.salt)

    def path(self, key: str) -> Path:
        return self.root / key[:2] / (key + _SUFFIX)

    def get(self, key: str) -> ArticleResult | None:
        """The cached result for `key`, or None if there is none or it cannot be read."""
        path = self.path(key)
        try:
            with open(path, "rb") as fh:
                entry = json.loads(fh.read())
            if not isinstance(entry, dict) or entry.get("key") != key:
                raise ValueError("entry for another key")
            return decode(entry["result"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError, IndexError, ArithmeticError) as exc:
            log.info("ignoring unreadable cache entry %s (%s)", path, exc)
            return None

    def put(self, key: str, result: ArticleResult) -> None:
        """Store `result` under `key` atomically (temporary file, then rename); failures only log, once:
        after one, nothing more is written (a full disk or a read-only folder stays so for the build)."""
        if self.unwritable:
            return
        path = self.path(key)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        data = json.dumps({"key": key, "result": encode(result)}, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8", "surrogatepass"
        )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError as exc:
            log.info("cannot write cache entry %s: %s; no more cache entries are written", path, exc)
            self.unwritable = True
            with contextlib.suppress(OSError):
                tmp.unlink()

    def prune(self, keep: Iterable[str]) -> int:
        """Delete every entry (and leftover temporary file) whose key is not in `keep`; return how many."""
        keep = set(keep)
        removed = 0
        try:
            folders = list(os.scandir(self.root))
        except OSError:
            return 0
        for folder in folders:
            if not folder.is_dir(follow_symlinks=False):
                continue
            try:
                entries = list(os.scandir(folder.path))
            except OSError:
                continue
            left = len(entries)
            for entry in entries:
                name = entry.name
                if name.endswith(_SUFFIX) and not name.startswith(".") and name[: -len(_SUFFIX)] in keep:
                    continue
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
                    left -= 1
            if not left:
                with contextlib.suppress(OSError):
                    os.rmdir(folder.path)
        return removed
