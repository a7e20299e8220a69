"""Tests of the read stage: formats, encodings, bad inputs, walking folders, language detection."""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import random
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg.read as read
from kg.errors import InputError
from kg.read import (
    MAX_ARTICLE_BYTES,
    SUPPORTED_LANGUAGES,
    detect_language,
    pipeline_language,
    read_articles,
    read_file,
)
from kg.records import Article, Skipped

EN_PARAGRAPH = (
    "The chip maker said on Tuesday that its new accelerator would be shipped to the largest cloud "
    "providers before the end of the year, and that demand was still far higher than what it could make."
)
PT_PARAGRAPH = (
    "A fabricante de chips afirmou nesta terça-feira que o seu novo acelerador será enviado aos maiores "
    "fornecedores de nuvem antes do fim do ano, e que a procura ainda é muito maior do que consegue produzir."
)
ES_PARAGRAPH = (
    "El fabricante de chips afirmó este martes que su nuevo acelerador será enviado a los mayores "
    "proveedores de la nube antes de fin de año, y que la demanda sigue siendo mucho mayor de lo que puede "
    "producir."
)


def only(items: list[Article | Skipped]) -> Article | Skipped:
    assert len(items) == 1, items
    return items[0]


def read_one(path: Path) -> Article | Skipped:
    return only(list(read_file(path)))


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


# ------------------------------------------------------------------------------------------ languages


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (EN_PARAGRAPH, "en"),
        ("OpenAI and Microsoft have agreed to extend their partnership for another five years.", "en"),
        ("The government said the project would cost up to 500 billion dollars over four years.", "en"),
        (PT_PARAGRAPH, "pt"),
        ("A startup chinesa lançou um modelo que rivaliza com os sistemas das grandes empresas.", "pt"),
        ("O governo disse que o projeto vai custar até 500 mil milhões de dólares em quatro anos.", "pt"),
        ("As ações da empresa caíram na segunda-feira depois do anúncio.", "pt"),
        (ES_PARAGRAPH, "es"),
        ("La startup china lanzó un modelo que rivaliza con los sistemas de las grandes empresas.", "es"),
        ("El gobierno dijo que el proyecto costará hasta 500.000 millones de dólares en cuatro años.", "es"),
        ("Las acciones de la empresa cayeron el lunes después del anuncio.", "es"),
        ("", "und"),
        ("Hello", "und"),
        ("OpenAI", "und"),
        ("12 345 678", "und"),
        ("OpenAI, Microsoft, Nvidia, Oracle, SoftBank", "und"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_detect_language_tells_portuguese_from_spanish_at_length() -> None:
    assert detect_language(" ".join([PT_PARAGRAPH] * 5)) == "pt"
    assert detect_language(" ".join([ES_PARAGRAPH] * 5)) == "es"
    # A few Portuguese place names do not turn English text Portuguese.
    assert detect_language(EN_PARAGRAPH + " The plant is near São Paulo, said João.") == "en"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "en"),
        ("pt", "pt"),
        ("pt-BR", "pt"),
        ("en_US", "en"),
        ("EN", "en"),
        ("es", "pt"),
        ("gl", "pt"),
        ("ca", "pt"),
        ("it", "pt"),
        ("fr", "pt"),
        ("de", "en"),
        ("zh", "en"),
        ("und", "en"),
        ("", "en"),
    ],
)
def test_pipeline_language(lang: str, expected: str) -> None:
    assert pipeline_language(lang) == expected
    assert pipeline_language(lang) in SUPPORTED_LANGUAGES


# ------------------------------------------------------------------------------------------ plain text


def test_txt_title_and_body(tmp_path: Path) -> None:
    body = f"{EN_PARAGRAPH}\n\nA second paragraph follows here."
    article = read_one(write(tmp_path / "news.txt", f"Chip maker ships new accelerator\n\n{body}\n"))
    assert isinstance(article, Article)
    assert article.title == "Chip maker ships new accelerator"
    assert article.text == body
    assert article.id == "news.txt"
    assert article.path == str(tmp_path / "news.txt")
    assert article.lang == "en"
    assert article.url == "" and article.published == ""
    assert article.sha256 == hashlib.sha256(body.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    "content",
    [
        f"The first line is a sentence.\n\n{EN_PARAGRAPH}",  # ends with a period
        f"No blank line after this\n{EN_PARAGRAPH}",  # not followed by a blank line
        f"{'Long ' * 50}line\n\n{EN_PARAGRAPH}",  # too long for a title
        EN_PARAGRAPH,  # a single paragraph
        "Just a short line",  # nothing after it
    ],
)
def test_txt_without_title(tmp_path: Path, content: str) -> None:
    article = read_one(write(tmp_path / "a.txt", content))
    assert isinstance(article, Article)
    assert article.title == ""
    assert article.text == content.strip()


def test_txt_dateline_gives_the_date(tmp_path: Path) -> None:
    article = read_one(write(tmp_path / "a.txt", f"Lisboa, 3 de março de 2025 — {PT_PARAGRAPH}"))
    assert isinstance(article, Article)
    assert article.published == "2025-03-03"
    assert article.lang == "pt"


def test_line_ends_and_nfc(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "A ação da empresa subiu.")
    article = read_one(write(tmp_path / "a.txt", f"Title\r\n\r\nLine one\r\nLine two\rLine three {decomposed}"))
    assert isinstance(article, Article)
    assert article.text == "Line one\nLine two\nLine three A ação da empresa subiu."
    assert article.text == unicodedata.normalize("NFC", article.text)


# ------------------------------------------------------------------------------------------ markdown

MARKDOWN = """---
date: 2025-02-03
---
# The *new* chip

The company shipped its **new** accelerator to [cloud providers](https://example.com/cloud)
before the end of the year. ![a photo](photo.png)

```python
print("this code is not text")
```

## What comes next

- Demand is still _far_ higher than supply.
- Prices use `list` pricing.

> The quote stays, without its marker.

[ref]: https://example.com/reference
"""


def test_markdown(tmp_path: Path) -> None:
    article = read_one(write(tmp_path / "post.md", MARKDOWN))
    assert isinstance(article, Article)
    assert article.title == "The new chip"
    assert article.published == "2025-02-03"
    assert article.text == (
        "The company shipped its new accelerator to cloud providers\nbefore the end of the year.\n\n"
        "What comes next\n\n"
        "Demand is still far higher than supply.\nPrices use list pricing.\n\n"
        "The quote stays, without its marker."
    )
    for leftover in ("#", "*", "](", "```", "print", "photo", ">", "`", "https://"):
        assert leftover not in article.text


def test_markdown_setext_title_and_front_matter_title(tmp_path: Path) -> None:
    article = read_one(write(tmp_path / "a.markdown", f"A setext title\n==============\n\n{EN_PARAGRAPH}\n"))
    assert isinstance(article, Article)
    assert (article.title, article.text) == ("A setext title", EN_PARAGRAPH)
    front = f'---\ntitle: "From front matter"\nlang: pt-BR\nurl: https://example.com/x\n---\n\n{EN_PARAGRAPH}'
    article = read_one(write(tmp_path / "b.md", front))
    assert isinstance(article, Article)
    assert (article.title, article.lang, article.url) == ("From front matter", "pt", "https://example.com/x")


def test_markdown_later_subheading_is_not_the_title(tmp_path: Path) -> None:
    article = read_one(write(tmp_path / "a.md", f"{EN_PARAGRAPH}\n\n## Background\n\nMore text here."))
    assert isinstance(article, Article)
    assert article.title == ""
    assert "Background" in article.text


# ------------------------------------------------------------------------------------------ HTML

HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Chip maker ships accelerator | Example News</title>
  <meta property="og:title" content="Chip maker ships accelerator">
  <meta property="og:url" content="https://example.com/og">
  <link rel="canonical" href="https://example.com/news/chip">
  <meta property="article:published_time" content="2025-03-04T09:30:00+00:00">
  <style>body { color: red }</style>
  <script>var trap = "<p>not text</p>";</script>
</head>
<body>
  <header><a href="/">Example News</a></header>
  <nav><ul><li>Home</li><li>World</li></ul></nav>
  <aside>Most read: something else</aside>
  <article>
    <h1>Chip maker ships accelerator</h1>
    <p>The   company&nbsp;said on <b>Tuesday</b> that&nbsp;it would ship
       the accelerator &amp; its software.</p>
    <p>Demand is higher than supply.<br>Prices rose.</p>
    <noscript>Enable JavaScript</noscript>
    <form><button>Subscribe</button></form>
    <template><p>hidden template</p></template>
    <svg><title>icon</title><text>svg text</text></svg>
  </article>
  <footer>Copyright Example News</footer>
</body>
</html>"""


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    article = read_one(write(tmp_path / "page.html", HTML_PAGE))
    assert isinstance(article, Article)
    assert article.title == "Chip maker ships accelerator"
    assert article.text == (
        "The company said on Tuesday that it would ship the accelerator & its software.\n\n"
        "Demand is higher than supply.\n\nPrices rose."
    )
    assert article.url == "https://example.com/news/chip"
    assert article.published == "2025-03-04"
    assert article.lang == "en"


def test_html_without_article_and_with_time_element(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Título da página</title></head><body>"
        "<nav>Menu</nav><h2>Secção</h2><div><p>" + PT_PARAGRAPH + "</p>"
        '<p>Publicado em <time datetime="2024-12-31">31 de dezembro</time>.</p></div>'
        "<script>alert(1)</script></body></html>"
    )
    article = read_one(write(tmp_path / "pagina.htm", page))
    assert isinstance(article, Article)
    assert article.title == "Título da página"
    assert article.text.endswith(f"{PT_PARAGRAPH}\n\nPublicado em 31 de dezembro.")
    assert "Menu" not in article.text
    assert article.published == "2024-12-31"
    assert article.lang == "pt"


def test_html_prefers_main_and_falls_back_to_declared_lang(tmp_path: Path) -> None:
    page = (
        '<html lang="pt-BR"><body><div>Banner text outside</div>'
        "<main><p>OpenAI, Nvidia, SoftBank</p></main></body></html>"
    )
    article = read_one(write(tmp_path / "a.html", page))
    assert isinstance(article, Article)
    assert article.text == "OpenAI, Nvidia, SoftBank"
    assert article.lang == "pt"  # detection cannot tell, so the page's declaration is used


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("<p>Unclosed <b>bold <i>and italic<p>Next paragraph", "Unclosed bold and italic\n\nNext paragraph"),
        ("</div></span></p>Stray end tags <p>are ignored</p></article>", "Stray end tags\n\nare ignored"),
        ("<p>Tags <span class='x' <b>broken</p><p>after</p>", "Tags broken\n\nafter"),
        ("<div><p>Text with an unclosed <!-- comment", "Text with an unclosed"),
        ("<script>no end of script", None),
    ],
)
def test_html_malformed(tmp_path: Path, page: str, expected: str | None) -> None:
    result = read_one(write(tmp_path / "bad.html", page))
    if expected is None:
        assert isinstance(result, Skipped)
        assert result.reason.startswith("empty")
    else:
        assert isinstance(result, Article)
        assert result.text == expected


def test_html_deep_nesting(tmp_path: Path) -> None:
    depth = 10_000
    page = "<div>" * depth + "<p>Deep inside.</p>" + "</div>" * depth
    article = read_one(write(tmp_path / "deep.html", page))
    assert isinstance(article, Article)
    assert article.text == "Deep inside."
    unclosed = "<span><div>" * depth + "Never closed."
    article = read_one(write(tmp_path / "unclosed.html", unclosed))
    assert isinstance(article, Article)
    assert article.text == "Never closed."


def test_html_in_latin1_declared_charset(tmp_path: Path) -> None:
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>Ação e reação</p></body></html>'
    article = read_one(write(tmp_path / "a.html", page.encode("iso-8859-1")))
    assert isinstance(article, Article)
    assert article.text == "Ação e reação"


# ------------------------------------------------------------------------------------------ JSON


def test_json_object(tmp_path: Path) -> None:
    record = {
        "title": "Acordo de parceria",
        "body": PT_PARAGRAPH,
        "url": "https://example.com/pt",
        "published_at": "2025-01-27T12:00:00Z",
        "lang": "pt-BR",
    }
    article = read_one(write(tmp_path / "a.json", json.dumps(record, ensure_ascii=False)))
    assert isinstance(article, Article)
    assert (article.id, article.title, article.text) == ("a.json", "Acordo de parceria", PT_PARAGRAPH)
    assert (article.url, article.published, article.lang) == ("https://example.com/pt", "2025-01-27", "pt")


def test_json_declared_language_wins(tmp_path: Path) -> None:
    article = read_one(write(tmp_path / "a.json", json.dumps({"text": EN_PARAGRAPH, "lang": "pt"})))
    assert isinstance(article, Article) and article.lang == "pt"
    # Not a 2-letter code: detected instead.
    article = read_one(write(tmp_path / "b.json", json.dumps({"text": EN_PARAGRAPH, "lang": "English"})))
    assert isinstance(article, Article) and article.lang == "en"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('"just a string"', "JSON is not an object or an array of objects"),
        ("42", "JSON is not an object or an array of objects"),
        ('{"title": "No body"}', "no 'text' field (nor 'body' or 'content')"),
        ('{"text": 12}', "'text' is not a string"),
        ('{"text": "   "}', "empty"),
        ("[]", "empty (JSON array with no items)"),
    ],
)
def test_json_unusable(tmp_path: Path, content: str, reason: str) -> None:
    result = read_one(write(tmp_path / "x.json", content))
    assert result == Skipped(str(tmp_path / "x.json"), reason)


def test_json_invalid(tmp_path: Path) -> None:
    result = read_one(write(tmp_path / "x.json", '{"text": "unterminated'))
    assert isinstance(result, Skipped) and result.reason.startswith("invalid JSON")
    result = read_one(write(tmp_path / "deep.json", "[" * 100_000))
    assert isinstance(result, Skipped) and result.reason.startswith("invalid JSON")


def test_json_array(tmp_path: Path) -> None:
    items = [
        {"text": EN_PARAGRAPH, "date": "2025-02-01"},
        "not an object",
        {"title": "no text"},
        {"content": "Ok."},
    ]
    path = write(tmp_path / "many.json", json.dumps(items))
    results = list(read_file(path))
    assert [type(r).__name__ for r in results] == ["Article", "Skipped", "Skipped", "Article"]
    assert results[0].id == "many.json#1" and results[0].published == "2025-02-01"
    assert results[1] == Skipped(f"{path}#2", "item 2: not a JSON object")
    assert results[2] == Skipped(f"{path}#3", "item 3: no 'text' field (nor 'body' or 'content')")
    assert results[3].id == "many.json#4" and results[3].text == "Ok."


def test_json_wrapped_list_and_paragraph_list(tmp_path: Path) -> None:
    content = {"articles": [{"text": ["First paragraph.", "Second paragraph."], "headline": "H"}]}
    article = read_one(write(tmp_path / "feed.json", json.dumps(content)))
    assert isinstance(article, Article)
    assert (article.id, article.title, article.text) == (
        "feed.json#1",
        "H",
        "First paragraph.\n\nSecond paragraph.",
    )


def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": EN_PARAGRAPH, "title": "One"}),
        "",
        "{not json",
        json.dumps({"title": "missing text"}),
        "   ",
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": PT_PARAGRAPH, "language": "pt"}, ensure_ascii=False),
    ]
    path = write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    results = list(read_file(path))
    articles = [r for r in results if isinstance(r, Article)]
    skipped = [r for r in results if isinstance(r, Skipped)]
    assert [(a.id, a.title, a.lang) for a in articles] == [
        ("feed.jsonl#1", "One", "en"),
        ("feed.jsonl#7", "", "pt"),
    ]
    assert skipped == [
        Skipped(f"{path}:3", "line 3: invalid JSON"),
        Skipped(f"{path}:4", "line 4: no 'text' field (nor 'body' or 'content')"),
        Skipped(f"{path}:6", "line 6: not a JSON object"),
    ]


def test_jsonl_with_bom_crlf_and_utf16(tmp_path: Path) -> None:
    content = json.dumps({"text": "Ação rápida."}, ensure_ascii=False) + "\r\n" + json.dumps({"text": "Two."})
    article, second = list(read_file(write(tmp_path / "a.jsonl", codecs.BOM_UTF8 + content.encode())))
    assert isinstance(article, Article) and article.text == "Ação rápida."
    assert isinstance(second, Article) and second.id == "a.jsonl#2"
    results = list(read_file(write(tmp_path / "b.jsonl", content.encode("utf-16"))))
    assert [r.text for r in results if isinstance(r, Article)] == ["Ação rápida.", "Two."]


def test_jsonl_line_over_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_ARTICLE_BYTES", 200)
    lines = [json.dumps({"text": "x" * 500}), json.dumps({"text": "Small one."})]
    path = write(tmp_path / "big.jsonl", "\n".join(lines))
    first, second = list(read_file(path))
    assert first == Skipped(f"{path}:1", "line 1: longer than the 200 bytes limit")
    assert isinstance(second, Article) and second.id == "big.jsonl#2"


# ------------------------------------------------------------------------------------------ encodings


@pytest.mark.parametrize(
    ("encoded", "label"),
    [
        (codecs.BOM_UTF8 + "Ação na bolsa\n\nA empresa lançou ações.".encode(), "utf-8 BOM"),
        ("Ação na bolsa\n\nA empresa lançou ações.".encode("utf-16"), "utf-16 BOM (native)"),
        (codecs.BOM_UTF16_LE + "Ação na bolsa\n\nA empresa lançou ações.".encode("utf-16-le"), "utf-16 LE"),
        (codecs.BOM_UTF16_BE + "Ação na bolsa\n\nA empresa lançou ações.".encode("utf-16-be"), "utf-16 BE"),
        ("Ação na bolsa\n\nA empresa lançou ações.".encode("cp1252"), "cp1252"),
        ("Ação na bolsa\r\n\r\nA empresa lançou ações.".encode("latin-1"), "latin-1 with CRLF"),
    ],
)
def test_encodings(tmp_path: Path, encoded: bytes, label: str) -> None:
    article = read_one(write(tmp_path / "a.txt", encoded))
    assert isinstance(article, Article), label
    assert (article.title, article.text) == ("Ação na bolsa", "A empresa lançou ações."), label
    assert "\ufeff" not in article.text


def test_cp1252_typographic_quotes(tmp_path: Path) -> None:
    article = read_one(write(tmp_path / "a.txt", "“Ação” — disse ele…".encode("cp1252")))
    assert isinstance(article, Article) and article.text == "“Ação” — disse ele…"


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"GIF89a\x01\x00\x01\x00",
        b"PK\x03\x04\x14\x00",
        b"\x1f\x8b\x08\x00",
        bytes(random.Random(7).randrange(256) for _ in range(2000)) + b"\x00",
        b"text with a NUL\x00 byte in it",
        bytes(range(1, 32)) * 20,
    ],
)
@pytest.mark.parametrize("suffix", [".txt", ".html", ".json", ".jsonl", ".md"])
def test_binary_files(tmp_path: Path, content: bytes, suffix: str) -> None:
    result = read_one(write(tmp_path / f"blob{suffix}", content))
    assert isinstance(result, Skipped)
    assert result.reason.startswith("binary file")


def test_unsupported_types(tmp_path: Path) -> None:
    pdf = read_one(write(tmp_path / "paper.pdf", b"%PDF-1.4\n\x00\x01"))
    assert pdf == Skipped(str(tmp_path / "paper.pdf"), "unsupported file type (.pdf): binary file")
    csv = read_one(write(tmp_path / "table.CSV", "a,b\n1,2\n"))
    assert csv == Skipped(str(tmp_path / "table.CSV"), "unsupported file type (.csv)")
    bare = read_one(write(tmp_path / "README", "plain words"))
    assert bare == Skipped(str(tmp_path / "README"), "unsupported file type (no extension)")


def test_upper_case_suffix_is_read(tmp_path: Path) -> None:
    assert isinstance(read_one(write(tmp_path / "NEWS.TXT", EN_PARAGRAPH)), Article)


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".json", ".jsonl"])
@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8 + b"  \n", "  \n".encode("utf-16")])
def test_empty_files(tmp_path: Path, suffix: str, content: bytes) -> None:
    result = read_one(write(tmp_path / f"empty{suffix}", content))
    assert isinstance(result, Skipped)
    assert result.reason.startswith("empty")


def test_html_with_only_markup_is_empty(tmp_path: Path) -> None:
    result = read_one(write(tmp_path / "a.html", "<html><head><title>T</title></head><body><nav>x</nav></body>"))
    assert isinstance(result, Skipped) and result.reason.startswith("empty")


def test_oversized_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert MAX_ARTICLE_BYTES == 5 * 1024 * 1024
    monkeypatch.setattr(read, "MAX_ARTICLE_BYTES", 100)
    path = write(tmp_path / "big.txt", "word " * 100)
    assert read_one(path) == Skipped(str(path), "file too large (500 bytes; the limit is 100 bytes)")
    assert isinstance(read_one(write(tmp_path / "small.txt", "Short enough text here.")), Article)


def test_oversized_reason_names_mebibytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_ARTICLE_BYTES", 1024 * 1024)
    path = write(tmp_path / "big.html", b"<p>" + b"a" * (1024 * 1024) + b"</p>")
    result = read_one(path)
    assert isinstance(result, Skipped) and "the limit is 1 MiB" in result.reason


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() == 0, reason="permissions do not bind root")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.txt", EN_PARAGRAPH)
    path.chmod(0)
    try:
        assert read_one(path) == Skipped(str(path), "cannot read: permission denied")
    finally:
        path.chmod(0o644)


def test_unreadable_file_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "locked.txt", EN_PARAGRAPH)
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", refuse)
    assert list(read_articles([tmp_path])) == [Skipped(str(path), "cannot read: permission denied")]


# ------------------------------------------------------------------------------------------ walking


def test_walk_order_ids_and_hidden(tmp_path: Path) -> None:
    names = ["b.txt", "a.md", "sub/z.txt", "sub/deeper/y.json", "c d/ação é.txt", ".hidden.txt", ".git/x.txt"]
    for name in random.Random(3).sample(names, len(names)):
        content = json.dumps({"text": EN_PARAGRAPH}) if name.endswith(".json") else EN_PARAGRAPH
        write(tmp_path / "corpus" / name, content)
    seen: list[Path] = []
    results = list(read_articles([tmp_path / "corpus"], on_progress=seen.append))
    ids = [r.id for r in results if isinstance(r, Article)]
    assert ids == ["a.md", "b.txt", "c d/ação é.txt", "sub/deeper/y.json", "sub/z.txt"]
    assert all(isinstance(r, Article) for r in results)
    assert [p.name for p in seen] == ["a.md", "b.txt", "ação é.txt", "y.json", "z.txt"]
    again = list(read_articles([str(tmp_path / "corpus")]))
    assert again == results


def test_file_arguments_and_mixed_results(tmp_path: Path) -> None:
    one = write(tmp_path / "one.txt", EN_PARAGRAPH)
    folder = tmp_path / "folder"
    write(folder / "two.txt", PT_PARAGRAPH)
    write(folder / "three.pdf", b"%PDF-1.4")
    write(folder / "four.txt", b"")
    results = list(read_articles([one, folder]))
    assert [(type(r).__name__, getattr(r, "id", r.path)) for r in results] == [
        ("Article", "one.txt"),
        ("Skipped", str(folder / "four.txt")),
        ("Skipped", str(folder / "three.pdf")),
        ("Article", "two.txt"),
    ]


def test_same_file_twice_is_read_once_and_clashing_ids_are_lengthened(tmp_path: Path) -> None:
    write(tmp_path / "a" / "story.txt", EN_PARAGRAPH)
    write(tmp_path / "b" / "story.txt", PT_PARAGRAPH)
    results = list(read_articles([tmp_path / "a", tmp_path / "b", tmp_path / "a" / "story.txt"]))
    assert [r.id for r in results] == ["story.txt", "b/story.txt"]


def test_symlink_loop(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus / "inner" / "a.txt", EN_PARAGRAPH)
    try:
        os.symlink(corpus, corpus / "inner" / "loop", target_is_directory=True)
        os.symlink(corpus / "missing.txt", corpus / "broken.txt")
    except (OSError, NotImplementedError, AttributeError):
        pytest.skip("symbolic links are not available here")
    results = list(read_articles([corpus]))
    assert [r.id for r in results if isinstance(r, Article)] == ["inner/a.txt"]
    assert Skipped(str(corpus / "broken.txt"), "broken symbolic link") in results


def test_missing_path_raises(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "gone.txt"
    with pytest.raises(InputError, match="gone.txt"):
        read_articles([tmp_path, missing])
    with pytest.raises(InputError):
        read_articles([])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_is_not_read(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    assert read_one(pipe) == Skipped(str(pipe), "not a regular file")


# ------------------------------------------------------------------------------------------ properties

_MARKUP = st.sampled_from(
    ["<p>", "</p>", "<div>", "</div>", "<script>", "</script>", "<br>", "<!--", "-->", "&amp;", "&#0;",
     "<title>", "{", "}", "[", "]", '"text":', '"', ",", "\n", "\r", "\x00", "# ", "**", "[a](b)", "```",
     "ação", "the", "\ufeff", "\ud7ff", "<article>", "</", ">", "<"]
)  # fmt: skip
_CONTENT = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=1000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(_MARKUP, max_size=200).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
    st.text(max_size=300).map(lambda t: t.encode("utf-16", "surrogatepass")),
    st.fixed_dictionaries(
        {"text": st.text(max_size=200)},
        optional={
            key: st.one_of(st.none(), st.text(max_size=40), st.integers(), st.floats(), st.booleans())
            for key in ("title", "date", "published", "lang", "url")
        },
    ).map(lambda record: json.dumps(record).encode()),
    st.lists(st.text(max_size=40), max_size=10).map(
        lambda texts: "\n".join(json.dumps({"text": t}) for t in texts).encode("utf-8", "surrogatepass")
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    content=_CONTENT,
    suffix=st.sampled_from(
        [".txt", ".html", ".json", ".jsonl", ".md", ".bin", ".xml", ".rss", ".warc", ".warc.gz", ".jsonl.gz", ".txt.gz"]
    ),
    gzipped=st.booleans(),
)
def test_read_file_never_raises(tmp_path: Path, content: bytes, suffix: str, gzipped: bool) -> None:
    import gzip

    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(gzip.compress(content) if gzipped and suffix.endswith(".gz") else content)
    for result in read_file(path):
        assert isinstance(result, Article | Skipped)
        if isinstance(result, Skipped):
            assert not result.reason.startswith("internal error"), result.reason
        else:
            assert result.text and result.text == result.text.strip()
            assert result.sha256 == hashlib.sha256(result.text.encode("utf-8")).hexdigest()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_detect_language_never_raises(text: str) -> None:
    code = detect_language(text)
    assert code == "und" or (len(code) == 2 and code.isalpha())
    assert detect_language(text) == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SEATTLE, Nov. 22, 2024 — Amazon will invest more in Anthropic.", "2024-11-22"),
        ("MEMPHIS, Tenn., February 18, 2025 - xAI released Grok 3.", "2025-02-18"),
        ("HANGZHOU, 27 de janeiro de 2025 — A chinesa DeepSeek lançou o R1.", "2025-01-27"),
        ("SÃO PAULO, 1º de março de 2024 — O Nubank anunciou.", "2024-03-01"),
        ("2025-09-22 — Nvidia plans to invest.", "2025-09-22"),
        ("Nvidia said on Monday that demand was strong.", ""),
        ("HANGZHOU, 31 de fevereiro de 2025 — data impossível.", ""),
        ("A first line without a date.\nSEATTLE, Nov. 22, 2024 — too late to be a dateline.", ""),
    ],
)
def test_dateline_date(text, expected):
    assert read.dateline_date(text) == expected


def test_txt_and_md_articles_take_their_dateline(tmp_path):
    (tmp_path / "a.txt").write_text("Headline\n\nSEATTLE, Nov. 22, 2024 — Amazon invests.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text(
        "# Manchete\n\nHANGZHOU, 27 de janeiro de 2025 — A DeepSeek lançou.\n", encoding="utf-8"
    )
    dates = {a.id: a.published for a in read_articles([tmp_path]) if isinstance(a, Article)}
    assert dates == {"a.txt": "2024-11-22", "b.md": "2025-01-27"}
