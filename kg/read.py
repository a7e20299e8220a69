"""The read stage: files and folders of news articles → `Article` records (or `Skipped` with a reason).

Reads plain text, Markdown, HTML, JSON and JSON Lines; works out each file's encoding, drops markup,
finds a title, URL and publication date where the format carries them, and detects the language.
A bad file never stops the rest: it becomes a `Skipped` record saying why.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import email.utils
import functools
import gzip
import hashlib
import importlib
import importlib.util
import json
import logging
import os
import re
import stat
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.records import Article, Skipped, Unchanged

logger = logging.getLogger(__name__)

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "pt")

MAX_ARTICLE_BYTES: int = 5 * 1024 * 1024
"""Largest file read (for JSON Lines: largest line); bigger ones are skipped unread, naming the limit."""

SUFFIXES: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".warc": "warc",
}
"""File name endings read (case-insensitive), and the reader each one uses. Each may also end in `.gz`."""

# Languages `detect_language` can tell apart, by their spaCy stop-word lists.
_DETECTABLE = ("en", "pt", "es", "fr", "it", "de", "nl")
# Languages closest to Portuguese in tokenisation and relation wording; everything else uses English.
_NEAR_PORTUGUESE = frozenset({"es", "gl", "ca", "it", "fr", "ro", "oc", "an", "ast", "la", "mwl"})
_SAMPLE_CHARS = 5000
_MIN_WORDS = 3
_MIN_SCORE = 1.0
_MIN_MARGIN = 1.25  # the best language must beat the runner-up by this factor
# Characters that (almost) only one candidate language writes, with the score each occurrence adds.
_CHAR_HINTS: dict[str, tuple[tuple[str, float], ...]] = {
    "ã": (("pt", 1.0),),
    "õ": (("pt", 1.0),),
    "ç": (("pt", 0.3), ("fr", 0.3)),
    "ñ": (("es", 1.0),),
    "¿": (("es", 1.0),),
    "¡": (("es", 1.0),),
    "ß": (("de", 1.0),),
}
# Word endings typical of one candidate language, with the score each word so ending adds.
_ENDING_HINTS: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = (
    ("ión", (("es", 0.5),)),
    ("ciones", (("es", 0.5),)),
    ("idad", (("es", 0.5),)),
    ("ing", (("en", 0.3),)),
    ("ed", (("en", 0.3),)),
    ("ly", (("en", 0.3),)),
)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x7fELF", "ELF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_RATIO = 0.10
_HEAD_BYTES = 8192


class _Skip(Exception):
    """Raised inside a reader to turn the current input into a `Skipped` record."""


# ---------------------------------------------------------------------------------------------- language


@functools.lru_cache(maxsize=1)
def _stop_word_weights() -> dict[str, tuple[tuple[str, float], ...]]:
    """Map each stop word to the languages listing it, weighted 1/(number of such languages)."""
    lists = {lang: {word.lower() for word in _stop_words(lang)} for lang in _DETECTABLE}
    owners: dict[str, list[str]] = {}
    for lang in _DETECTABLE:
        for word in lists[lang]:
            owners.setdefault(word, []).append(lang)
    return {word: tuple((lang, 1.0 / len(langs)) for lang in langs) for word, langs in owners.items()}


def _stop_words(lang: str) -> set[str]:
    """spaCy's stop-word list for `lang`, read from its own module file.

    Importing `spacy.lang.<lang>.stop_words` would run the language package first, which for some
    languages (French) compiles large tokenizer-exception regexes: seconds at every start.
    """
    spec = importlib.util.find_spec("spacy.lang")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        path = Path(folder) / lang / "stop_words.py"
        if path.is_file():
            namespace: dict[str, Any] = {}
            exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102
            return set(namespace.get("STOP_WORDS", ()))
    module = importlib.import_module(f"spacy.lang.{lang}.stop_words")
    return set(module.STOP_WORDS)


_WORD = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> str:
    """Guess the ISO 639-1 code of `text` from stop words and telling characters; "und" if it cannot tell.

    Deterministic and model-free: scores the first few thousand characters against spaCy's stop-word
    lists (a word shared by k languages counts 1/k for each), plus letters like ã/õ (pt) or ñ (es).
    """
    sample = text[:_SAMPLE_CHARS].lower()
    words = _WORD.findall(sample)
    if len(words) < _MIN_WORDS:
        return "und"
    weights = _stop_word_weights()
    scores = dict.fromkeys(_DETECTABLE, 0.0)
    for word in words:
        for lang, weight in weights.get(word, ()):
            scores[lang] += weight
    for word in words:
        for ending, hints in _ENDING_HINTS:
            if len(word) > len(ending) + 2 and word.endswith(ending):
                for lang, weight in hints:
                    scores[lang] += weight
    for char, hints in _CHAR_HINTS.items():
        count = sample.count(char)
        if count:
            for lang, weight in hints:
                scores[lang] += weight * count
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    (best, best_score), (_, second_score) = ranked[0], ranked[1]
    if best_score < _MIN_SCORE or best_score < second_score * _MIN_MARGIN:
        return "und"
    return best


def _declared_language(value: object) -> str:
    """A declared language tag ("pt-BR", "en_US", "PT") as a 2-letter code, or "" if it is not one."""
    if not isinstance(value, str):
        return ""
    primary = re.split(r"[-_]", value.strip(), maxsplit=1)[0].lower()
    return primary if len(primary) == 2 and primary.isascii() and primary.isalpha() else ""


def pipeline_language(lang: str) -> str | None:
    """The supported pipeline language to analyse text in `lang` with.

    "en" and "pt" map to themselves (regional tags like "pt-BR" too); Spanish, Galician, Catalan,
    Italian, French and other Romance languages map to "pt", the closest supported one; every other
    code, "und" and "" map to "en". Never returns None today; the Optional is kept for callers.
    """
    code = _declared_language(lang) or (lang.strip().lower() if isinstance(lang, str) else "")
    if code in SUPPORTED_LANGUAGES:
        return code
    if code in _NEAR_PORTUGUESE:
        return "pt"
    return "en"


# ---------------------------------------------------------------------------------------------- bytes → text


def _binary_kind(head: bytes) -> str | None:
    """A short name of the binary format `head` starts with, or None if it has no known magic number."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def _bom_encoding(head: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return None


def _looks_binary(head: bytes) -> bool:
    """True when `head` (the first bytes of a file) is clearly not text."""
    if _binary_kind(head):
        return True
    if _bom_encoding(head) in ("utf-16", "utf-32"):
        return False
    return b"\x00" in head or _mostly_control(_decode_unmarked(head))


def _mostly_control(text: str) -> bool:
    sample = text[:100_000]
    return bool(sample) and len(_CONTROL.findall(sample)) > _MAX_CONTROL_RATIO * len(sample)


def _decode(data: bytes, declared: str | None = None) -> str:
    """Decode a whole file: BOM first, then UTF-8, then `declared`, cp1252, latin-1. Raises `_Skip`."""
    kind = _binary_kind(data[:16])
    if kind:
        raise _Skip(f"binary file ({kind})")
    encoding = _bom_encoding(data[:4])
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise _Skip(f"cannot decode as {encoding}: {exc.reason}") from None
        text = text.removeprefix("\ufeff")
    elif b"\x00" in data:
        raise _Skip("binary file (NUL bytes)")
    else:
        text = _decode_unmarked(data, declared)
    if _mostly_control(text):
        raise _Skip("binary file (control characters)")
    return text


def _decode_unmarked(data: bytes, declared: str | None = None) -> str:
    """Decode bytes with no BOM: UTF-8 when valid, else a declared charset, cp1252, latin-1."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = [declared] if declared else []
    for encoding in [*candidates, "cp1252"]:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def normalise_text(text: str) -> str:
    """Unicode NFC and `\\n` line ends; nothing else changes, so later offsets stay meaningful."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _one_line(text: str) -> str:
    """Whitespace runs (including newlines and no-break spaces) collapsed to one space, ends trimmed."""
    return " ".join(normalise_text(text).split())


# ---------------------------------------------------------------------------------------------- dates

_ISO_DATE = re.compile(r"\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")


def _iso_date(value: object) -> str:
    """The calendar date in `value` as YYYY-MM-DD (ISO 8601, RFC 2822 or a Unix timestamp), else ""."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds are common in exports
        if not 0 < seconds < 4_102_444_800:  # before 2100
            return ""
        return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc).date().isoformat()
    if not isinstance(value, str) or len(value) > 200:
        return ""
    match = _ISO_DATE.match(value)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups())).isoformat()
        except ValueError:
            return ""
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return ""
    return parsed.date().isoformat() if parsed else ""


# ---------------------------------------------------------------------------------------------- records


def _make_article(
    *,
    id: str,
    path: str,
    title: str,
    text: str,
    declared_lang: str = "",
    fallback_lang: str = "",
    url: str = "",
    published: str = "",
    author: str = "",
) -> Article:
    """Normalise and check the parts of one article; raises `_Skip("empty")` when it has no body."""
    text = normalise_text(text).strip()
    if not text:
        raise _Skip("empty")
    title = _one_line(title)
    lang = declared_lang
    if not lang:
        lang = detect_language(f"{title}\n{text}" if title else text)
        if lang == "und" and fallback_lang:
            lang = fallback_lang
    return Article(
        id=id,
        path=path,
        title=title,
        text=text,
        lang=lang,
        url=_one_line(url),
        published=published,
        author=_one_line(author),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


# ---------------------------------------------------------------------------------------------- plain text

_TITLE_MAX_CHARS = 200


def _split_title(text: str) -> tuple[str, str]:
    """(title, body) of a plain-text file: a short first line with no final period, then a blank line."""
    lines = text.lstrip("\n").split("\n")
    if len(lines) >= 3:
        first = lines[0].strip()
        if (
            first
            and len(first) < _TITLE_MAX_CHARS
            and not first.endswith(".")
            and not lines[1].strip()
            and any(line.strip() for line in lines[2:])
        ):
            return first, "\n".join(lines[2:])
    return "", text


def _read_txt(data: bytes, article_id: str, path: str) -> Iterator[Article]:
    title, body = _split_title(normalise_text(_decode(data)))
    yield _make_article(id=article_id, path=path, title=title, text=body, published=dateline_date(body))


_MONTHS = {
    "jan": 1, "january": 1, "janeiro": 1, "feb": 2, "february": 2, "fevereiro": 2, "mar": 3, "march": 3,
    "marco": 3, "março": 3, "apr": 4, "april": 4, "abril": 4, "may": 5, "maio": 5, "jun": 6, "june": 6,
    "junho": 6, "jul": 7, "july": 7, "julho": 7, "aug": 8, "august": 8, "agosto": 8, "sep": 9, "sept": 9,
    "september": 9, "setembro": 9, "oct": 10, "october": 10, "outubro": 10, "nov": 11, "november": 11,
    "novembro": 11, "dec": 12, "december": 12, "dezembro": 12,
}  # fmt: skip
_DATELINE_EN = re.compile(r"\b([A-Z][a-z]{2,8})\.? (\d{1,2}),? (\d{4})\b")
_DATELINE_PT = re.compile(r"\b(\d{1,2})º? de ([a-zç]{4,9}) de (\d{4})\b", re.IGNORECASE)
_DATELINE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DATELINE_CHARS = 160


def dateline_date(text: str) -> str:
    """The date of a dateline opening the text ("SEATTLE, Nov. 22, 2024 —", "HANGZHOU, 27 de janeiro de
    2025 —"), as YYYY-MM-DD, or ""."""
    head = text[:_DATELINE_CHARS].split("\n", 1)[0]
    for pattern, order in ((_DATELINE_ISO, "ymd"), (_DATELINE_EN, "mdy"), (_DATELINE_PT, "dmy")):
        m = pattern.search(head)
        if not m:
            continue
        parts = dict(zip(order, m.groups(), strict=True))
        month = parts["m"] if parts["m"].isdigit() else _MONTHS.get(parts["m"].lower().rstrip("."))
        try:
            return dt.date(int(parts["y"]), int(month), int(parts["d"])).isoformat()
        except (TypeError, ValueError):
            continue
    return ""


# ---------------------------------------------------------------------------------------------- markdown

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]{1,500}\]:[ \t]*\S")
_BLOCKQUOTE = re.compile(r"^(?: {0,3}>[ \t]?)+")
_BULLET = re.compile(r"^([ \t]*)[-*+][ \t]+")
_HTML_COMMENT = re.compile(r"<!--.{0,2000}?-->")
_LINK_TEXT = r"[^\[\]\n]{0,500}"  # no brackets inside, so a run of "[" costs linear time
_LINK_TARGET = r"\((?:[^()\n]|\([^()\n]{0,200}\)){0,2000}\)"  # one level of parentheses, as in URLs
_INLINE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"!\[{_LINK_TEXT}\]{_LINK_TARGET}"), ""),
    (re.compile(rf"!\[{_LINK_TEXT}\]\[{_LINK_TEXT}\]"), ""),
    (re.compile(rf"\[({_LINK_TEXT})\]{_LINK_TARGET}"), r"\1"),
    (re.compile(rf"\[({_LINK_TEXT})\]\[{_LINK_TEXT}\]"), r"\1"),
    (re.compile(r"<((?:https?|mailto):[^>\s]{1,2000})>"), r"\1"),
    (re.compile(r"(`+)([^`\n]{1,2000}?)\1"), r"\2"),
    (re.compile(r"(\*\*|__)(?=\S)([^\n]{1,500}?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^\n*]{1,500}?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])([^\n_]{1,500}?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"~~(?=\S)([^\n]{1,500}?)(?<=\S)~~"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])"), r"\1"),
)


def _front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """YAML-style `---` front matter as flat `key: value` pairs, and the lines after it."""
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for end in range(1, min(len(lines), 200)):
        if lines[end].strip() in ("---", "..."):
            meta = {}
            for line in lines[1:end]:
                key, sep, value = line.partition(":")
                if sep and key.strip() and not key.startswith((" ", "\t")):
                    meta[key.strip().lower()] = value.strip().strip("\"'")
            return meta, lines[end + 1 :]
    return {}, lines


def _strip_inline_markdown(line: str) -> str:
    for pattern, replacement in _INLINE_RULES:
        line = pattern.sub(replacement, line)
    return line


def markdown_to_text(markdown: str) -> tuple[str, str, dict[str, str]]:
    """(title, plain text, front matter) of a Markdown document.

    Light stripping: code blocks, images, reference definitions and rules are removed; links keep
    their text; emphasis, heading, quote and bullet markers go. The first level-1 heading (or, with
    none, a heading before any body text) is the title and leaves the text. Paragraph breaks stay.
    """
    meta, lines = _front_matter(normalise_text(markdown).split("\n"))
    out: list[str] = []
    headings: list[tuple[int, int, str]] = []  # (index in out, level, text)
    fence = ""
    for line in lines:
        if fence:
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = ""
            continue
        match = _FENCE.match(line)
        if match:
            fence = match.group(1)
            continue
        previous_is_text = bool(out and out[-1].strip()) and not (headings and headings[-1][0] == len(out) - 1)
        underline = _SETEXT_UNDERLINE.match(line)
        if underline and previous_is_text:
            headings.append((len(out) - 1, 1 if underline.group(1)[0] == "=" else 2, out[-1].strip()))
            out.append("")
            continue
        if _RULE.match(line) or _REFERENCE_DEFINITION.match(line):
            out.append("")
            continue
        heading = _ATX_HEADING.match(line)
        if heading:
            text = _strip_inline_markdown(heading.group(2) or "").strip()
            if out and out[-1].strip():
                out.append("")
            headings.append((len(out), len(heading.group(1)), text))
            out.extend([text, ""])
            continue
        line = _BLOCKQUOTE.sub("", line)
        line = _BULLET.sub(r"\1", line)
        line = _HTML_COMMENT.sub("", line)
        out.append(_strip_inline_markdown(line).rstrip())
    title = ""
    title_index = None
    first_text = next((i for i, line in enumerate(out) if line.strip()), len(out))
    level_one = [h for h in headings if h[1] == 1]
    if level_one:
        title_index, _, title = level_one[0]
    elif headings and headings[0][0] <= first_text:
        title_index, _, title = headings[0]
    if title_index is not None:
        out[title_index] = ""
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
    return title, text, meta


def _read_md(data: bytes, article_id: str, path: str) -> Iterator[Article]:
    title, text, meta = markdown_to_text(_decode(data))
    yield _make_article(
        id=article_id,
        path=path,
        title=meta.get("title") or title,
        text=text,
        declared_lang=_declared_language(meta.get("lang") or meta.get("language")),
        url=meta.get("url") or meta.get("link") or meta.get("canonical_url") or "",
        published=_iso_date(meta.get("date") or meta.get("published") or meta.get("published_at") or "")
        or dateline_date(text),
    )


# ---------------------------------------------------------------------------------------------- HTML

_DROPPED_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "math", "nav", "header", "footer", "aside",
        "form", "iframe", "button", "select", "textarea", "object", "canvas", "head", "dialog",
    }
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hgroup", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section",
        "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
     "track", "wbr"}
)  # fmt: skip
_BREAK = "\ue000"  # stands for <br> while a paragraph is collected: one is a space, two a paragraph break
_DOUBLE_BREAK = re.compile(r"\ue000\s*\ue000")
_CONTAINER_SHARE = 0.25  # an <article>/<main> is the content when it holds this share of the page text
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)


class _HTMLText(HTMLParser):
    """Collects the visible paragraphs of an HTML page and its metadata, without recursion.

    Open elements live on an explicit stack; an end tag closes up to its matching open element and
    stray end tags are ignored, so unclosed tags and very deep nesting cost nothing extra.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._stack: list[tuple[str, bool]] = []  # (tag, whether it started a dropped region)
        self._open: Counter[str] = Counter()
        self._dropped = 0
        self._buffer: list[str] = []
        self._title_parts: list[str] | None = None
        self._h1_parts: list[str] | None = None
        self._article_serial = -1
        self.paragraphs: list[str] = []
        self.articles: list[list[str]] = []
        self.main: list[str] = []
        self.title = ""
        self.h1 = ""
        self.meta: dict[str, str] = {}
        self.canonical = ""
        self.time_in_article = ""
        self.time_anywhere = ""
        self.html_lang = ""

    # -- element bookkeeping
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self._metadata(tag, attributes)
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "br" and not self._dropped:
            self._buffer.append(_BREAK)
        if tag in _VOID_TAGS:
            return
        drops = tag in _DROPPED_TAGS or "hidden" in attributes or attributes.get("aria-hidden", "").lower() == "true"
        self._stack.append((tag, drops))
        self._open[tag] += 1
        self._dropped += drops
        if tag == "article" and self._open["article"] == 1 and not self._dropped:
            self.articles.append([])
        if tag == "title" and not self.title and self._title_parts is None and not self._open["svg"]:
            self._title_parts = []
        if tag == "h1" and not self.h1 and self._h1_parts is None and not self._dropped:
            self._h1_parts = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self._flush()
        if not self._open[tag]:
            return  # stray end tag
        while self._stack:
            name, drops = self._stack.pop()
            self._open[name] -= 1
            self._dropped -= drops
            self._closed(name)
            if name == tag:
                break

    def _closed(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "title" and self._title_parts is not None:
            self.title = _one_line("".join(self._title_parts))
            self._title_parts = None
        if tag == "h1" and self._h1_parts is not None:
            self.h1 = _one_line("".join(self._h1_parts))
            self._h1_parts = None

    def handle_data(self, data: str) -> None:
        if self._title_parts is not None:
            self._title_parts.append(data)
        if self._dropped:
            return
        if self._h1_parts is not None:
            self._h1_parts.append(data)
        self._buffer.append(data.replace(_BREAK, " "))

    def close(self) -> None:
        super().close()
        while self._stack:
            self.handle_endtag(self._stack[-1][0])
        self._flush()

    def _flush(self) -> None:
        """End the current paragraph and file it under the page, its <article> and <main>."""
        if not self._buffer:
            return
        chunks = _DOUBLE_BREAK.split("".join(self._buffer))
        self._buffer = []
        for chunk in chunks:
            paragraph = _one_line(chunk.replace(_BREAK, " "))
            if not paragraph:
                continue
            self.paragraphs.append(paragraph)
            if self._open["article"] and self.articles:
                self.articles[-1].append(paragraph)
            if self._open["main"]:
                self.main.append(paragraph)

    # -- metadata
    def _metadata(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "html" and not self.html_lang:
            self.html_lang = _declared_language(attributes.get("lang", ""))
        elif tag == "meta":
            key = (attributes.get("property") or attributes.get("name") or "").strip().lower()
            if key and key not in self.meta and attributes.get("content"):
                self.meta[key] = attributes["content"]
        elif tag == "link":
            rel = attributes.get("rel", "").lower().split()
            if "canonical" in rel and not self.canonical:
                self.canonical = attributes.get("href", "")
        elif tag == "time" and attributes.get("datetime"):
            if self._open["article"] and not self.time_in_article:
                self.time_in_article = attributes["datetime"]
            if not self.time_anywhere:
                self.time_anywhere = attributes["datetime"]

    def content(self) -> list[str]:
        """The main text's paragraphs: the largest <article>, else <main>, else the whole page."""
        total = sum(map(len, self.paragraphs))
        candidates = sorted(self.articles, key=lambda paras: -sum(map(len, paras))) + [self.main]
        for paragraphs in candidates:
            if paragraphs and sum(map(len, paragraphs)) >= _CONTAINER_SHARE * total:
                return paragraphs
        return self.paragraphs


def html_to_text(html: str) -> tuple[str, str, dict[str, str]]:
    """(title, main text, metadata) of an HTML page; metadata keys: url, published, lang."""
    comment = html.rfind("<!--")
    if comment != -1 and html.find("-->", comment + 4) == -1:
        html = html[:comment]  # as browsers do, an unclosed comment runs to the end
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    meta = parser.meta
    title = _one_line(meta.get("og:title", "")) or parser.h1 or parser.title or _one_line(meta.get("twitter:title", ""))
    paragraphs = parser.content()
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]
    published = ""
    for candidate in (
        meta.get("article:published_time"),
        meta.get("date"),
        meta.get("pubdate"),
        meta.get("dc.date"),
        meta.get("dcterms.date"),
        parser.time_in_article,
        parser.time_anywhere,
    ):
        published = _iso_date(candidate or "")
        if published:
            break
    url = parser.canonical or meta.get("og:url", "")
    return title, "\n\n".join(paragraphs), {"url": url, "published": published, "lang": parser.html_lang}


_HTML_LANG = re.compile(r"<html\b[^>]{0,500}?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})?)", re.I)
_HTML_HEAD_CHARS = 20_000
# What a browser never shows, which trafilatura would otherwise keep.
_PRUNED = ["//template", "//*[@hidden]", "//*[@aria-hidden='true']", "//noscript", "//dialog", "//nav", "//aside"]


# A line pointing to another story ("Read more: …", "Leia também: …"), never the article's own text.
_TEASER = re.compile(
    r"^(?:read (?:more|also)|see also|related|more on this|leia (?:também|mais)|veja (?:também|mais)|saiba mais"
    r"|relacionad[ao]s?|confira)\s*[:：|–—-]",
    re.IGNORECASE,
)


_BYLINE = re.compile(r"^(?:by|por|de)\s+", re.IGNORECASE)


def _unwrap_layout_tables(tree: Any) -> None:
    """Turn tables used for page layout (cells holding paragraphs, headings or lists) into plain blocks,
    so that the extractor weighs each column on its own instead of keeping or dropping the whole page."""
    for table in tree.xpath("//table[.//td/p or .//td/h1 or .//td/h2 or .//td/div or .//td/ul or .//td/ol]"):
        for element in table.iter("table", "tbody", "thead", "tfoot", "tr", "td", "th"):
            element.tag = "div"


def main_text(html: str) -> tuple[str, str, dict[str, str]] | None:
    """(title, main text, metadata) of a page through trafilatura, or None when it finds no main text.

    Navigation, footers, comments, share bars, cookie notices and "read more" blocks are dropped;
    the metadata is what the page states: url (canonical), published, author, site and lang. The
    text keeps one paragraph a block, separated by blank lines; a first paragraph repeating the
    title leaves the text.
    """
    import trafilatura  # imported here: loading it takes a while and only HTML needs it
    from lxml.etree import strip_tags
    from trafilatura.utils import load_html

    try:
        tree = load_html(html)
        if tree is None:
            return None
        stamps = tree.xpath("//article//time/@datetime") or tree.xpath("//time/@datetime")
        canonical = tree.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href")
        strip_tags(tree, "time")  # trafilatura drops <time> with its words ("on <time>Tuesday</time>")
        _unwrap_layout_tables(tree)
        document = trafilatura.bare_extraction(
            tree,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            favor_precision=True,  # the balanced mode falls back to the whole page on short articles
            prune_xpath=_PRUNED,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception:  # trafilatura's own failure on odd markup: kg's reader takes over
        logger.debug("trafilatura failed", exc_info=True)
        return None
    if document is None or not (document.text or "").strip():
        return None
    title = _one_line(document.title or "")
    paragraphs = [line for line in (_one_line(part) for part in document.text.split("\n")) if line]
    paragraphs = [line for line in paragraphs if not _TEASER.match(line)]
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]
    author = _one_line(document.author or "").strip(" ·|,;:–—-")
    byline = paragraphs[0] if paragraphs else ""
    if author and len(byline) <= len(author) + 40 and _BYLINE.sub("", byline).casefold().startswith(author.casefold()):
        paragraphs = paragraphs[1:]  # the byline: the author is in the metadata
    if not paragraphs:
        return None
    lang = _HTML_LANG.search(html[:_HTML_HEAD_CHARS])
    meta = {
        "url": (canonical[0].strip() if canonical else "") or document.url or "",
        "published": _iso_date(document.date or "") or next(filter(None, map(_iso_date, stamps[:5])), ""),
        "author": author,
        "site": _one_line(document.sitename or ""),
        "lang": _declared_language(lang.group(1)) if lang else "",
    }
    return title, "\n\n".join(paragraphs), meta


def _read_html(data: bytes, article_id: str, path: str) -> Iterator[Article]:
    match = _META_CHARSET.search(data[:4096])
    declared = match.group(1).decode("ascii") if match else None
    yield _html_article(_decode(data, declared), article_id, path)


def _html_article(html: str, article_id: str, path: str, *, url: str = "", published: str = "") -> Article:
    """One article from a page: its main text by trafilatura, by kg's own reader where trafilatura finds
    none (fragments, very deep nesting). `url` (a WARC record's target URI) wins over the page's own;
    `published` (the record's capture date) is used where the page states no date."""
    found = main_text(html)
    if found is None:
        title, text, meta = html_to_text(html)
        meta["author"] = ""
    else:
        title, text, meta = found
    if not text.strip():
        raise _Skip("empty (no text outside markup)")
    return _make_article(
        id=article_id,
        path=path,
        title=title,
        text=text,
        fallback_lang=meta["lang"],
        url=url or meta["url"],
        published=meta["published"] or published,
        author=meta.get("author", ""),
    )


# ---------------------------------------------------------------------------------------------- JSON

_TEXT_KEYS = ("text", "body", "content")
_TITLE_KEYS = ("title", "headline")
_URL_KEYS = ("url", "link")
_DATE_KEYS = ("date", "published", "published_at", "publishedAt", "datePublished")
_LANG_KEYS = ("lang", "language")
_AUTHOR_KEYS = ("author", "byline", "creator")
_LIST_KEYS = ("articles", "items", "data")


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return None


def _from_json_object(record: object, article_id: str, path: str, where: str) -> Article:
    """One article from a decoded JSON value; raises `_Skip` with `where` ("line 3: ") in the reason."""
    if not isinstance(record, dict):
        raise _Skip(f"{where}not a JSON object")
    text = _first(record, _TEXT_KEYS)
    if text is None:
        raise _Skip(f"{where}no 'text' field (nor 'body' or 'content')")
    if isinstance(text, list) and all(isinstance(part, str) for part in text):
        text = "\n\n".join(text)
    if not isinstance(text, str):
        raise _Skip(f"{where}'text' is not a string")
    title, url, author = _first(record, _TITLE_KEYS), _first(record, _URL_KEYS), _first(record, _AUTHOR_KEYS)
    try:
        return _make_article(
            id=article_id,
            path=path,
            title=title if isinstance(title, str) else "",
            text=text,
            declared_lang=_declared_language(_first(record, _LANG_KEYS)),
            url=url if isinstance(url, str) else "",
            published=_iso_date(_first(record, _DATE_KEYS)),
            author=author if isinstance(author, str) else "",
        )
    except _Skip as skip:
        raise _Skip(f"{where}{skip}") from None


def _loads(text: str) -> Any:
    """`json.loads`, with every way it can fail (deep nesting, huge numbers) raised as ValueError."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _read_json(data: bytes, article_id: str, path: str) -> Iterator[Article | Skipped]:
    text = _decode(data)
    if not text.strip():
        raise _Skip("empty")
    try:
        value = _loads(text)
    except ValueError as exc:
        raise _Skip(f"invalid JSON: {exc}") from None
    if isinstance(value, dict) and _first(value, _TEXT_KEYS) is None:
        nested = _first(value, _LIST_KEYS)
        if isinstance(nested, list):
            value = nested
    if isinstance(value, dict):
        yield _from_json_object(value, article_id, path, "")
        return
    if not isinstance(value, list):
        raise _Skip("JSON is not an object or an array of objects")
    if not value:
        raise _Skip("empty (JSON array with no items)")
    for number, item in enumerate(value, start=1):
        try:
            yield _from_json_object(item, f"{article_id}#{number}", path, f"item {number}: ")
        except _Skip as skip:
            yield Skipped(f"{path}#{number}", str(skip))


def _read_jsonl(file: Any, head: bytes, size: int, article_id: str, path: str) -> Iterator[Article | Skipped]:
    """Stream a JSON Lines file; the size limit applies to each line, not to the file."""
    encoding = _bom_encoding(head)
    if encoding in ("utf-16", "utf-32"):
        _check_size(size)
        data = file.read(MAX_ARTICLE_BYTES + 1)  # bounded: `size` is the compressed size of a .gz
        _check_size(len(data))
        lines: Iterable[bytes | str] = _decode(data).split("\n")
    else:
        lines = iter(functools.partial(file.readline, MAX_ARTICLE_BYTES + 1), b"")
    anything = False
    for number, raw in enumerate(lines, start=1):
        where = f"line {number}: "
        try:
            if isinstance(raw, bytes):
                if len(raw) > MAX_ARTICLE_BYTES and not raw.endswith(b"\n"):
                    _skip_rest_of_line(file)
                    raise _Skip(f"longer than the {_limit_text()} limit")
                if number == 1:
                    raw = raw.removeprefix(codecs.BOM_UTF8)
                if b"\x00" in raw:
                    raise _Skip("invalid JSON (NUL bytes)")
                line = _decode_unmarked(raw)
            else:
                line = raw
            if not line.strip():
                continue
            anything = True
            try:
                record = _loads(line)
            except ValueError:
                raise _Skip("invalid JSON") from None
            yield _from_json_object(record, f"{article_id}#{number}", path, "")
        except _Skip as skip:
            anything = True
            yield Skipped(f"{path}:{number}", f"{where}{skip}")
    if not anything:
        yield Skipped(path, "empty")


def _skip_rest_of_line(file: Any) -> None:
    while True:
        chunk = file.readline(1 << 20)
        if not chunk or chunk.endswith(b"\n"):
            return


# ---------------------------------------------------------------------------------------------- feeds


def _feed_date(entry: Any) -> str:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        stamp = entry.get(key)
        if stamp:
            try:
                return dt.date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday).isoformat()
            except (ValueError, AttributeError):
                continue
    return _iso_date(entry.get("published") or entry.get("updated") or "")


def _read_feed(data: bytes, article_id: str, path: str) -> Iterator[Article | Skipped]:
    """An RSS or Atom feed: each item with content or a description is an article, with link, title and date."""
    import feedparser  # imported here: only feeds need it

    feed = feedparser.parse(data)
    if not feed.entries:
        raise _Skip("empty feed (no items)" if feed.get("version") else "not an RSS or Atom feed")
    feed_lang = _declared_language(feed.feed.get("language", ""))
    for number, entry in enumerate(feed.entries, start=1):
        where = f"{path}#{number}"
        content = entry.get("content") or []
        body = next((c.get("value", "") for c in content if c.get("value", "").strip()), "")
        body = body or entry.get("summary", "") or entry.get("description", "")
        title = _one_line(html_to_text(entry.get("title", ""))[1]) if entry.get("title") else ""
        text = html_to_text(body)[1] if body.strip() else ""
        try:
            if not text.strip():
                raise _Skip(f"item {number}: no content or description")
            yield _make_article(
                id=f"{article_id}#{number}",
                path=path,
                title=title,
                text=text,
                declared_lang=_declared_language(entry.get("language", "")),
                fallback_lang=feed_lang,
                url=entry.get("link", "") or "",
                published=_feed_date(entry),
                author=entry.get("author", "") or "",
            )
        except _Skip as skip:
            reason = str(skip)
            yield Skipped(where, reason if reason.startswith("item") else f"item {number}: {reason}")


# ---------------------------------------------------------------------------------------------- WARC

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)


def _read_warc(file: Any, article_id: str, path: str) -> Iterator[Article | Skipped]:
    """A web archive, record by record in bounded memory: each HTML response is an article with the
    record's target URI and date. The size limit applies to each record; a bad one is skipped by number."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    found = False
    number = 0
    try:
        for number, record in enumerate(ArchiveIterator(file), start=1):
            if record.rec_type not in ("response", "resource"):
                continue
            http = record.http_headers
            content_type = (http.get_header("Content-Type") if http else None) or record.rec_headers.get_header(
                "Content-Type", ""
            )
            if not content_type.lower().startswith(_HTML_TYPES):
                continue
            found = True
            where = f"{path}#{number}"
            try:
                if http is not None and not http.get_statuscode().startswith("2"):
                    raise _Skip(f"record {number}: HTTP status {http.get_statuscode()}")
                data = record.content_stream().read(MAX_ARTICLE_BYTES + 1)
                if len(data) > MAX_ARTICLE_BYTES:
                    raise _Skip(f"record {number}: too large (over the {_limit_text()} limit)")
                if not data.strip():
                    raise _Skip(f"record {number}: empty")
                charset = _CHARSET.search(content_type)
                declared = charset.group(1) if charset else None
                if declared is None and (match := _META_CHARSET.search(data[:4096])):
                    declared = match.group(1).decode("ascii")
                yield _html_article(
                    _decode(data, declared),
                    f"{article_id}#{number}",
                    path,
                    url=record.rec_headers.get_header("WARC-Target-URI", ""),
                    published=_iso_date(record.rec_headers.get_header("WARC-Date", "")),
                )
            except _Skip as skip:
                reason = str(skip)
                yield Skipped(where, reason if reason.startswith("record") else f"record {number}: {reason}")
            except Exception as exc:  # warcio's own errors inside a record (bad chunking, bad gzip member)
                yield Skipped(where, f"record {number}: {type(exc).__name__}: {exc}")
    except ArchiveLoadFailed as exc:
        yield Skipped(f"{path}#{number + 1}", f"record {number + 1}: not a WARC record ({_first_line(exc)})")
        return
    if not found and not number:
        yield Skipped(path, "empty (no WARC records)")
    elif not found:
        yield Skipped(path, "no HTML response records")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


# ---------------------------------------------------------------------------------------------- files

_READERS: dict[str, Callable[[bytes, str, str], Iterator[Article | Skipped]]] = {
    "txt": _read_txt,
    "md": _read_md,
    "html": _read_html,
    "json": _read_json,
    "feed": _read_feed,
}


def _limit_text() -> str:
    limit = MAX_ARTICLE_BYTES
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    return f"{limit} bytes"


def _check_size(size: int) -> None:
    if size > MAX_ARTICLE_BYTES:
        raise _Skip(f"file too large ({size} bytes; the limit is {_limit_text()})")


def reader_kind(path: Path) -> tuple[str | None, bool]:
    """The reader of `path` by its name (None: not read), and whether it is gzipped: "a.jsonl.gz" → ("jsonl", True)."""
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes[-1:] == [".gz"]:
        return (SUFFIXES.get(suffixes[-2]) if len(suffixes) >= 2 else None), True
    return SUFFIXES.get(path.suffix.lower()), False


def _check_unpacked(size: int) -> None:
    if size > MAX_ARTICLE_BYTES:
        raise _Skip(f"too large once decompressed (over the {_limit_text()} limit)")


@contextlib.contextmanager
def _maybe_gunzip(file: Any, compressed: bool) -> Iterator[Any]:
    """`file` itself, or a stream of its decompressed bytes (read lazily: a gzip bomb costs what is read)."""
    if not compressed:
        yield file
        return
    with gzip.GzipFile(fileobj=file, mode="rb") as unpacked:
        yield unpacked


def _article_id(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.name


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "cannot read: permission denied"
    return f"cannot read: {exc.strerror or exc}"


def read_file(path: Path, *, root: Path | None = None) -> Iterator[Article | Skipped]:
    """Read one file into articles (several for JSON arrays and JSON Lines) or `Skipped` records.

    `root` is the folder ids are relative to (default: the file's own folder). Never raises for
    a bad file: unsupported, binary, empty, oversized or unreadable files come back as `Skipped`.
    """
    path = Path(path)
    where = str(path)
    article_id = _article_id(path, root if root is not None else path.parent)
    kind, compressed = reader_kind(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise _Skip("not a regular file")
        with path.open("rb") as raw:
            if kind == "warc":  # warcio reads gzipped WARCs itself, member by member
                yield from _read_warc(raw, article_id, where)
                return
            if kind is None:
                suffix = "".join(path.suffixes[-2:]).lower() if compressed else path.suffix.lower()
                described = f"unsupported file type ({suffix or 'no extension'})"
                raise _Skip(f"{described}: binary file" if _looks_binary(raw.read(_HEAD_BYTES)) else described)
            with _maybe_gunzip(raw, compressed) as file:
                head = file.read(_HEAD_BYTES)
                if kind == "jsonl":
                    if _looks_binary(head):
                        raise _Skip(f"binary file ({_binary_kind(head) or 'not text'})")
                    file.seek(0)  # a gzip stream rewinds by decompressing its head again
                    yield from _read_jsonl(file, head, info.st_size, article_id, where)
                    return
                if not compressed:
                    _check_size(info.st_size)
                data = head + file.read(MAX_ARTICLE_BYTES + 1 - len(head))
                (_check_unpacked if compressed else _check_size)(len(data))
        if not data.strip() or (_bom_encoding(data) and not _decode(data).strip()):
            raise _Skip("empty")
        yield from _READERS[kind](data, article_id, where)
    except _Skip as skip:
        yield Skipped(where, str(skip))
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        yield Skipped(where, f"not a valid gzip file ({_first_line(exc)})")
    except OSError as exc:
        yield Skipped(where, _os_reason(exc))
    except Exception as exc:  # a reader bug must not stop the other files
        logger.exception("unexpected error reading %s", where)
        yield Skipped(where, f"internal error: {type(exc).__name__}: {exc}")


def _walk(directory: Path, seen_dirs: set[Path]) -> Iterator[Path | Skipped]:
    """Files under `directory`, depth first in sorted name order, hidden names and revisited dirs skipped."""
    seen_dirs.add(directory.resolve())
    stack: list[Iterator[os.DirEntry[str]]] = []
    try:
        stack.append(iter(sorted(os.scandir(directory), key=lambda entry: entry.name)))
    except OSError as exc:
        yield Skipped(str(directory), f"cannot list folder: {exc.strerror or exc}")
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        entry_path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if not is_dir:
            if entry.is_symlink() and not entry_path.exists():
                yield Skipped(entry.path, "broken symbolic link")
            else:
                yield entry_path
            continue
        resolved = entry_path.resolve()
        if resolved in seen_dirs:
            logger.debug("not entering %s again (already read as %s)", entry.path, resolved)
            continue
        seen_dirs.add(resolved)
        try:
            stack.append(iter(sorted(os.scandir(entry_path), key=lambda e: e.name)))
        except OSError as exc:
            yield Skipped(entry.path, f"cannot list folder: {exc.strerror or exc}")


def read_articles(
    paths: Iterable[str | os.PathLike[str]],
    *,
    on_progress: Callable[[Path], object] | None = None,
    unchanged: Callable[[Path, str], Iterable[Unchanged] | None] | None = None,
) -> Iterator[Article | Skipped | Unchanged]:
    """Read every supported file under `paths` (files or folders), in a deterministic order.

    Folders are walked recursively in sorted name order; hidden files and folders are ignored and
    symbolic-link loops are entered once. Ids are paths relative to the argument a file was found
    under (a file argument: its name); should two arguments give the same id, the later one gets
    its argument's folder name in front. A file reached twice is read once. `on_progress` is
    called with each file's path before it is read. `unchanged(path, id)` may say, before a file
    is read, that it has not changed since it was last read (returning its articles as `Unchanged`
    records, which are then given instead of reading it; None: read it).

    Raises `InputError` at once, before anything is read, if no path is given or one does not exist.
    """
    arguments = [Path(p) for p in paths]
    if not arguments:
        raise InputError("no input paths given")
    for argument in arguments:
        if not argument.exists():
            raise InputError(f"no such file or folder: {argument}")
    return _read_all(arguments, on_progress, unchanged)


def _read_all(
    arguments: list[Path],
    on_progress: Callable[[Path], object] | None,
    unchanged: Callable[[Path, str], Iterable[Unchanged] | None] | None,
) -> Iterator[Article | Skipped | Unchanged]:
    seen_dirs: set[Path] = set()
    seen_files: set[Path] = set()
    used_ids: set[str] = set()
    for argument in arguments:
        if argument.is_dir():
            found: Iterator[Path | Skipped] = _walk(argument, seen_dirs)
            root = argument
        else:
            found = iter([argument])
            root = argument.parent
        for item in found:
            if isinstance(item, Skipped):
                yield item
                continue
            resolved = item.resolve()
            if resolved in seen_files:
                logger.debug("not reading %s again", item)
                continue
            seen_files.add(resolved)
            file_root = root
            for candidate in (root.parent, Path(item.anchor)):  # on an id clash, a longer path
                if _article_id(item, file_root) not in used_ids:
                    break
                file_root = candidate
            file_id = _article_id(item, file_root)
            used_ids.add(file_id)
            known = unchanged(item, file_id) if unchanged is not None else None
            if known is not None:
                yield from known
                continue
            if on_progress is not None:
                on_progress(item)
            yield from read_file(item, root=file_root)


def article_record(article: Article) -> dict[str, str]:
    """What kg analyses of `article`, as the JSON object `kg read` prints."""
    return {
        "id": article.id,
        "path": article.path,
        "title": article.title,
        "text": article.text,
        "lang": article.lang,
        "url": article.url,
        "date": article.published,
        "author": article.author,
    }
